/* aliasctl convert: merge a tree physically for its alias map. */
#include "config.h"

#include "cmd-convert.h"

static int convert_run(struct aliasctl *ctl, int argc, char **argv)
{
	struct convert_args a = {
		.cmd = &aliasctl_cmd_convert,
		.op = ALIASDB_OP_CONVERT,
	};
	int ex = convert_parse(ctl, &a, argc, argv);

	return ex >= 0 ? ex : convert_main(ctl, &a);
}

const struct aliasctl_command aliasctl_cmd_convert = {
	.name = "convert",
	.usage = "convert [--dry-run | --resume | --rollback] "
		 "[--prefer canonical|alias] [--arch ARCH] [TREE]",
	.summary = "Merge TREE physically: alias directories become symlinks.",
	.help = "  -n, --dry-run   print the plan (every move and conflict); "
		"change nothing\n"
		"  --prefer SIDE   where both spellings hold differing files, "
		"SIDE's stays\n"
		"                  (canonical or alias); the other goes to "
		"the quarantine\n"
		"  --resume        only finish an interrupted convert\n"
		"  --rollback      undo an interrupted convert\n"
		"  --arch ARCH     the alias set of a tree without database "
		"(default: the host's)\n"
		"TREE defaults to the tree of --root; its database is "
		"TREE/" ALIASDB_DEFAULT_SUBDIR "\nunless --db names "
		"another. A rerun finishes an interrupted convert.\n"
		"Exit status 1 when conflicts (listed on stderr) or a view "
		"of TREE\nrefuse the conversion.\n",
	.run = convert_run,
};
