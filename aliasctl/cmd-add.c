/* aliasctl add: add one alias by hand. */
#include "config.h"

#include <errno.h>
#include <getopt.h>

#include "aliasctl.h"

static int add_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum aliasdb_rule rule = ALIASDB_RULE_OK;
	struct aliasdb *db;
	const char *alias, *canonical;
	int c, ex, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_add, argc, argv, ":h",
				    longopts, &ex)) != -1)
		if (c == -2)
			return ex;
	if (argc - optind < 2)
		return aliasctl_usage_error(&aliasctl_cmd_add,
					    argc == optind
						    ? "missing ALIAS and "
						      "CANONICAL"
						    : "missing CANONICAL");
	if (argc - optind > 2)
		return aliasctl_usage_error(&aliasctl_cmd_add,
					    "unexpected argument '%s'",
					    argv[optind + 2]);
	alias = argv[optind];
	canonical = argv[optind + 1];

	/* Check the rules that need no database first, so a refused alias
	 * gets its reason even where no database exists yet. */
	r = aliasdb_check(NULL, alias, canonical, &rule);
	if (r == -EINVAL) {
		aliasctl_error_refused(alias, canonical, rule);
		return ALIASCTL_EXIT_USAGE;
	}

	if (aliasctl_db_open(ctl, 0, false, &db) < 0)
		return ALIASCTL_EXIT_SYSTEM;
	ex = ALIASCTL_EXIT_OK;
	r = aliasdb_add(db, alias, canonical, NULL, &rule);
	if (r == -EINVAL) {
		aliasctl_error_refused(alias, canonical, rule);
		ex = ALIASCTL_EXIT_USAGE;
	} else if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot add the alias", r);
	} else {
		aliasctl_out_puts(r == 0 ? "already present: " : "added ");
		aliasctl_out_text(alias);
		aliasctl_out_puts(" -> ");
		aliasctl_out_text(canonical);
		aliasctl_out_puts("\n");
	}
	aliasdb_close(db);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_add = {
	.name = "add",
	.usage = "add ALIAS CANONICAL",
	.summary = "Add the alias ALIAS -> CANONICAL (both absolute paths).",
	.help = NULL,
	.run = add_run,
};
