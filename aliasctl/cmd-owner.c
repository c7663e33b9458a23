/*
 * aliasctl owner: which packages own a path, like `dpkg -S PATH` but from
 * the ownership index and alias-aware: /bin/ls and /usr/bin/ls both find
 * the owners of either spelling.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliasctl.h"
#include "archive/owner-index.h"
#include "cmd-archive.h"

static void owner_print(const struct owner_result *res)
{
	for (size_t i = 0; i < res->n_diversions; i++) {
		const struct owner_diversion *d = &res->diversions[i];
		bool local = strcmp(d->package, ":") == 0;

		/* dpkg -S's wording. */
		if (local)
			aliasctl_out_puts("local diversion from: ");
		else
			aliasctl_out_printf("diversion by %s from: ",
					    d->package);
		aliasctl_out_text(d->from);
		if (local)
			aliasctl_out_puts("\nlocal diversion to: ");
		else
			aliasctl_out_printf("\ndiversion by %s to: ",
					    d->package);
		aliasctl_out_text(d->to);
		aliasctl_out_puts("\n");
	}
	for (size_t i = 0; i < res->n_entries; i++) {
		for (size_t j = 0; j < res->entries[i].n_packages; j++) {
			aliasctl_out_puts(j ? ", " : "");
			aliasctl_out_text(res->entries[i].packages[j]);
		}
		aliasctl_out_puts(": ");
		aliasctl_out_text(res->entries[i].path);
		aliasctl_out_puts("\n");
	}
}

static int owner_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"root", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct arc_diag diag = {{0}};
	struct owner_index *index = NULL;
	const char *root = "/";
	char dir[ALIASDB_PATH_MAX];
	bool missing = false;
	int c, ex, r;

	(void)ctl;
	while ((c = aliasctl_getopt(&aliasctl_cmd_owner, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex == ALIASCTL_EXIT_OK ? ARCHIVE_EXIT_OK
						      : ARCHIVE_EXIT_ERROR;
		if (c == 'r')
			root = optarg;
	}
	if (optind >= argc) {
		aliasctl_usage_error(&aliasctl_cmd_owner,
				     "at least one PATH is needed");
		return ARCHIVE_EXIT_ERROR;
	}
	snprintf(dir, sizeof(dir), "%s%s%s", root,
		 root[strlen(root) - 1] == '/' ? "" : "/", OWNER_INDEX_SUBDIR);
	r = owner_index_open(dir, 0, &index, &diag);
	if (r == -ENOENT) {
		aliasctl_error("owner: no ownership index in %s (build it "
			       "with 'aliasctl index --root %s')",
			       dir, root);
		return ARCHIVE_EXIT_ERROR;
	}
	if (r < 0) {
		aliasctl_error("owner: %s",
			       diag.msg[0] ? diag.msg : strerror(-r));
		return ARCHIVE_EXIT_ERROR;
	}
	ex = ARCHIVE_EXIT_OK;
	aliasctl_out_big_buffer();
	for (int i = optind; i < argc; i++) {
		struct owner_result *res = NULL;

		r = owner_index_lookup(index, argv[i], &res);
		if (r == -EINVAL) {
			aliasctl_error("owner: not an absolute path: %s",
				       argv[i]);
			ex = ARCHIVE_EXIT_ERROR;
		} else if (r == -ENOENT) {
			aliasctl_error("owner: the index in %s is empty (run "
				       "'aliasctl index --root %s')",
				       dir, root);
			ex = ARCHIVE_EXIT_ERROR;
			break;
		} else if (r < 0) {
			aliasctl_error("owner: %s: %s", argv[i], strerror(-r));
			ex = ARCHIVE_EXIT_ERROR;
		} else if (r == 0) {
			aliasctl_error("owner: no path found matching %s",
				       argv[i]);
			missing = true;
		} else {
			owner_print(res);
		}
		owner_result_free(res);
	}
	if (aliasctl_out_flush() < 0) {
		aliasctl_error("owner: writing the answer failed");
		ex = ARCHIVE_EXIT_ERROR;
	}
	owner_index_close(index);
	if (ex == ARCHIVE_EXIT_OK && missing)
		ex = ARCHIVE_EXIT_CONFLICTS;
	return ex;
}

const struct aliasctl_command aliasctl_cmd_owner = {
	.name = "owner",
	.usage = "owner [--root DIR] PATH...",
	.summary = "which packages own PATH, under either spelling (like dpkg "
		   "-S)",
	.help = "Answers from the ownership index that 'aliasctl index --root "
		"DIR' builds\n"
		"(default DIR: /). Either spelling of a path finds the owners "
		"of every\n"
		"spelling, each shown with the spelling its package lists; "
		"diversions of the\n"
		"path are shown first, as dpkg -S does.\n"
		"\n"
		"Options:\n"
		"  --root DIR   the root whose index to ask (default: /)\n"
		"\n"
		"Exit status: 0 every PATH found, 1 some PATH not found, 2 "
		"error.\n",
	.run = owner_run,
};
