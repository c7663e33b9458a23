/*
 * The command table: which commands exist, found by name and listed in
 * the help. Above every command (it names them all), called only by
 * main.c, so that the commands can call usage.c without a circle.
 */
#include "config.h"

#include <string.h>

#include "aliasctl.h"
#include "cmd-archive.h"
#include "cmd-convert.h"
#include "cmd-declarations.h"
#include "cmd-orderings.h"
#include "cmd-recovery.h"
#include "cmd-retain.h"
#include "cmd-run.h"

/* One command a line, so that adding a command is a one-line change:
 * clang-format would pack a list this long into columns. */
/* clang-format off */
static const struct aliasctl_command *const usage_commands[] = {
	&aliasctl_cmd_init,
	&aliasctl_cmd_add,
	&aliasctl_cmd_remove,
	&aliasctl_cmd_list,
	&aliasctl_cmd_canon,
	&aliasctl_cmd_status,
	&aliasctl_cmd_sync,
	&aliasctl_cmd_activate,
	&aliasctl_cmd_check,
	&aliasctl_cmd_extract,
	&aliasctl_cmd_index,
	&aliasctl_cmd_owner,
	&aliasctl_cmd_compare,
	/* physical merge and split of a tree */
	&aliasctl_cmd_convert,
	&aliasctl_cmd_revert,
	&aliasctl_cmd_dump,
	&aliasctl_cmd_restore,
	&aliasctl_cmd_recover,
	&aliasctl_cmd_orderings,
	&aliasctl_cmd_run,
	/* replaced files kept by the daemon */
	&aliasctl_cmd_retained,
	&aliasctl_cmd_gc,
	NULL,
};
/* clang-format on */

const struct aliasctl_command *aliasctl_command_find(const char *name)
{
	for (size_t i = 0; usage_commands[i]; i++)
		if (strcmp(usage_commands[i]->name, name) == 0)
			return usage_commands[i];
	return NULL;
}

void aliasctl_usage_print_all(void)
{
	aliasctl_out_puts(
		"Usage: aliasctl [--db DIR | --root DIR] COMMAND [ARGS]\n"
		"       aliasctl --help | --version | help COMMAND\n"
		"\n"
		"Manage the alias map of an aliasfs tree.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; usage_commands[i]; i++)
		aliasctl_out_printf("  %-8s %s\n", usage_commands[i]->name,
				    usage_commands[i]->summary);
	aliasctl_out_printf(
		"\n"
		"Options:\n"
		"  --db DIR     database directory (default: $ALIASFS_DB, "
		"else /var/lib/aliasfs,\n"
		"               the database of the running system)\n"
		"  --root DIR   the tree at DIR: same as --db DIR/%s\n"
		"  -h, --help   show this help\n"
		"  --version    show the version\n"
		"\n"
		"Exit status: 0 success, 1 usage error or refused input, "
		"2 system error or damaged database.\n",
		ALIASDB_DEFAULT_SUBDIR);
}
