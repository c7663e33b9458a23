/* aliasctl revert: split a merged tree back by its dpkg database. */
#include "config.h"

#include "cmd-convert.h"

static int revert_run(struct aliasctl *ctl, int argc, char **argv)
{
	struct convert_args a = {
		.cmd = &aliasctl_cmd_revert,
		.op = ALIASDB_OP_REVERT,
	};
	int ex = convert_parse(ctl, &a, argc, argv);

	return ex >= 0 ? ex : convert_main(ctl, &a);
}

const struct aliasctl_command aliasctl_cmd_revert = {
	.name = "revert",
	.usage = "revert [--dry-run | --resume | --rollback] [--dpkg-only] "
		 "[--arch ARCH] [TREE]",
	.summary = "Split a merged TREE back by its dpkg database.",
	.help = "  -n, --dry-run   print the plan; change nothing\n"
		"  --dpkg-only     place entries by dpkg's database alone, "
		"ignoring the\n"
		"                  record of the last convert\n"
		"  --resume        only finish an interrupted revert\n"
		"  --rollback      undo an interrupted revert\n"
		"  --arch ARCH     the alias set of a tree without database "
		"(default: the host's)\n"
		"Each file goes to the spelling its packages list it under; "
		"alias\nsymlinks become directories. A rerun finishes an "
		"interrupted revert.\n",
	.run = revert_run,
};
