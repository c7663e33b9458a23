/*
 * aliasctl recover: rebuild a damaged database from the plain-text copy
 * kept beside it (or from a dump given with --from). The damaged files
 * are moved aside, never deleted.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-recovery.h"

/* The dump to rebuild from: --from FILE, else the kept copy. Prints why
 * on failure and returns the exit code. */
static int recover_load(const struct aliasctl *ctl, const char *from,
			struct aliasdb_dump **ret_dump, char **ret_source)
{
	struct aliasdb_dump_error err = {0, ""};
	char *source = NULL;
	int r;

	if (from)
		source = strdup(from);
	else if (asprintf(&source, "%s/%s", ctl->db_dir, ALIASDB_COPY_FILE) < 0)
		source = NULL;
	if (!source) {
		aliasctl_error("%s", strerror(ENOMEM));
		return ALIASCTL_EXIT_SYSTEM;
	}
	r = from ? aliasctl_dump_read_file(from, &err, ret_dump)
		 : aliasdb_copy_read(ctl->db_dir, &err, ret_dump);
	if (r == 0) {
		*ret_source = source;
		return ALIASCTL_EXIT_OK;
	}
	if (r == -EINVAL || r == -EPROTO)
		aliasctl_error("cannot recover: %s:%u: %s", source, err.line,
			       err.why);
	else
		aliasctl_error("cannot recover: %s: %s", source, strerror(-r));
	if (from)
		aliasctl_error("nothing was moved or changed");
	else
		aliasctl_error("nothing was moved or changed; a dump saved "
			       "with 'aliasctl dump' can be given with --from "
			       "FILE");
	free(source);
	return ALIASCTL_EXIT_SYSTEM;
}

static int recover_run(struct aliasctl *ctl, int argc, char **argv)
{
	enum { OPT_FROM = 0x100 };
	static const struct option longopts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb_recovery *rec = NULL;
	struct aliasdb_damage *damaged = NULL;
	struct aliasdb_dump *dump = NULL;
	const char *from = NULL;
	char *source = NULL;
	bool map = false;
	size_t n = 0;
	int c, ex, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_recover, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex;
		if (c == OPT_FROM)
			from = optarg;
	}
	if (optind < argc)
		return aliasctl_usage_error(&aliasctl_cmd_recover,
					    "unexpected argument '%s'",
					    argv[optind]);
	r = aliasdb_verify(ctl->db_dir, &damaged, &n);
	if (r < 0) {
		aliasctl_error("cannot check the database in %s: %s",
			       ctl->db_dir, strerror(-r));
		return ALIASCTL_EXIT_SYSTEM;
	}
	if (n == 0) {
		aliasctl_out_printf("the database in %s is not damaged; "
				    "nothing to do\n",
				    ctl->db_dir);
		return ALIASCTL_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(damaged[i].file, '/');

		map = map || strcmp(base ? base + 1 : damaged[i].file,
				    "data.mdb") == 0;
		aliasctl_out_printf("damaged: %s: %s\n", damaged[i].file,
				    damaged[i].reason);
	}
	ex = ALIASCTL_EXIT_OK;
	if (map)
		ex = recover_load(ctl, from, &dump, &source);
	if (ex != ALIASCTL_EXIT_OK)
		goto out;
	r = aliasdb_recover(ctl->db_dir, damaged, n, dump, &rec);
	if (r < 0) {
		aliasctl_error("cannot recover the database in %s: %s",
			       ctl->db_dir, strerror(-r));
		ex = ALIASCTL_EXIT_SYSTEM;
		goto out;
	}
	for (size_t i = 0; i < rec->n_moved; i++)
		aliasctl_out_printf("moved aside: %s\n", rec->moved[i]);
	if (rec->restore) {
		aliasctl_out_printf("rebuilt the alias map from %s: %zu "
				    "alias%s\n",
				    source, rec->restore->n_aliases,
				    rec->restore->n_aliases == 1 ? "" : "es");
		if (rec->restore->n_refused > 0) {
			aliasctl_restore_print_refused("recover", source,
						       rec->restore);
			fprintf(stderr,
				"aliasctl recover: %zu alias%s refused by "
				"the rules and left out\n",
				rec->restore->n_refused,
				rec->restore->n_refused == 1 ? "" : "es");
			ex = ALIASCTL_EXIT_USAGE;
		}
	}
	if (n > (map ? 1u : 0u))
		aliasctl_out_puts("the dpkg claims start empty: the daemon "
				  "records them again as dpkg writes its "
				  "database\n");
	aliasctl_out_printf("the damaged files are kept in %s\n",
			    rec->moved_to);
out:
	aliasdb_recovery_free(rec);
	aliasdb_dump_free(dump);
	aliasdb_damage_list_free(damaged, n);
	free(source);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_recover = {
	.name = "recover",
	.usage = "recover [--from FILE]",
	.summary = "Rebuild a damaged database from its plain-text copy.",
	.help = "Checks every store of the database. When one is damaged, "
		"moves it (and its\n"
		"lock file) into DB/damaged-TIME/, never deleting anything, "
		"creates the\n"
		"alias map anew and restores into it the copy kept in DB/" ALIASDB_COPY_FILE
		"\n"
		"(or, with --from FILE, a dump saved with 'aliasctl dump'). A "
		"damaged dpkg\n"
		"claims store starts empty. Nothing is done to a sound "
		"database.\n"
		"  --from FILE  rebuild from this dump instead of the kept "
		"copy\n"
		"Exit status: 0 recovered (or nothing damaged), 1 some "
		"aliases of the dump\n"
		"were refused by the rules, 2 the database could not be "
		"recovered.\n",
	.run = recover_run,
};
