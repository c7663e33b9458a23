/*
 * aliasctl index: build or refresh the ownership index of a root's dpkg
 * database, in canonical paths, for `aliasctl owner`.
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

static int index_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"root", required_argument, NULL, 'r'},
		{"arch", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct owner_index_stats st;
	struct arc_diag diag = {{0}};
	struct owner_index *index = NULL;
	struct aliasdb_map *map = NULL;
	const char *root = NULL, *arch = NULL;
	char dir[ALIASDB_PATH_MAX];
	int c, ex, r;

	(void)ctl;
	while ((c = aliasctl_getopt(&aliasctl_cmd_index, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex == ALIASCTL_EXIT_OK ? ARCHIVE_EXIT_OK
						      : ARCHIVE_EXIT_ERROR;
		if (c == 'r')
			root = optarg;
		else if (c == 'a')
			arch = optarg;
	}
	if (!root || optind != argc) {
		aliasctl_usage_error(&aliasctl_cmd_index,
				     root ? "no arguments expected"
					  : "--root DIR is required");
		return ARCHIVE_EXIT_ERROR;
	}
	if (archive_cmd_load_root_map(root, arch, &map) < 0)
		return ARCHIVE_EXIT_ERROR;
	ex = ARCHIVE_EXIT_ERROR;
	snprintf(dir, sizeof(dir), "%s/%s", root, OWNER_INDEX_SUBDIR);
	r = owner_index_open(dir, 1, &index, &diag);
	if (r == 0)
		r = owner_index_update(index, root, map, &st, &diag);
	if (r < 0) {
		aliasctl_error("index: %s",
			       diag.msg[0] ? diag.msg : strerror(-r));
		goto out;
	}
	aliasctl_out_printf("%s: %zu lists read (%zu paths), %zu unchanged, "
			    "%zu removed%s\n",
			    dir, st.lists_read, st.paths, st.lists_kept,
			    st.lists_dropped,
			    st.rebuilt ? "; rebuilt for a new alias map" : "");
	ex = aliasctl_out_flush() < 0 ? ARCHIVE_EXIT_ERROR : ARCHIVE_EXIT_OK;
out:
	owner_index_close(index);
	aliasdb_map_free(map);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_index = {
	.name = "index",
	.usage = "index --root DIR [--arch ARCH]",
	.summary = "build the ownership index of DIR's dpkg database",
	.help = "Indexes every package's file list in DIR/var/lib/dpkg/info "
		"and the diversions\n"
		"by canonical path, in DIR/" OWNER_INDEX_SUBDIR
		" (LMDB), for 'aliasctl owner'.\n"
		"Run again after dpkg changed DIR: only the lists that changed "
		"are read.\n"
		"\n"
		"Options:\n"
		"  --root DIR   the root (required)\n"
		"  --arch ARCH  use ARCH's default alias set (default: DIR's "
		"database, else\n"
		"               the host architecture's set)\n"
		"\n"
		"Exit status: 0 success, 2 error.\n",
	.run = index_run,
};
