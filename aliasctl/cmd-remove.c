/* aliasctl remove: remove one alias, whoever owns it. */
#include "config.h"

#include <errno.h>
#include <getopt.h>

#include "aliasctl.h"

static int remove_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb *db;
	const char *alias;
	int c, ex, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_remove, argc, argv, ":h",
				    longopts, &ex)) != -1)
		if (c == -2)
			return ex;
	if (optind == argc)
		return aliasctl_usage_error(&aliasctl_cmd_remove,
					    "missing ALIAS");
	if (argc - optind > 1)
		return aliasctl_usage_error(&aliasctl_cmd_remove,
					    "unexpected argument '%s'",
					    argv[optind + 1]);
	alias = argv[optind];

	if (aliasctl_db_open(ctl, 0, false, &db) < 0)
		return ALIASCTL_EXIT_SYSTEM;
	ex = ALIASCTL_EXIT_OK;
	r = aliasdb_remove(db, alias);
	if (r == -ENOENT) {
		aliasctl_error("no alias %s in %s", alias, ctl->db_dir);
		ex = ALIASCTL_EXIT_USAGE;
	} else if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot remove the alias", r);
	} else {
		aliasctl_out_puts("removed ");
		aliasctl_out_text(alias);
		aliasctl_out_puts("\n");
	}
	aliasdb_close(db);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_remove = {
	.name = "remove",
	.usage = "remove ALIAS",
	.summary = "Remove the alias ALIAS, whatever declarations own it.",
	.help = NULL,
	.run = remove_run,
};
