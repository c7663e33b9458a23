/* The command table, help texts, usage errors and option parsing. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aliasctl.h"
#include "cmd-declarations.h"
#include "cmd-archive.h"
#include "cmd-recovery.h"
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
	&aliasctl_cmd_dump,
	&aliasctl_cmd_restore,
	&aliasctl_cmd_recover,
	&aliasctl_cmd_run,
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

void aliasctl_usage_print_command(const struct aliasctl_command *cmd)
{
	aliasctl_out_printf("Usage: aliasctl [--db DIR] %s\n\n%s\n", cmd->usage,
			    cmd->summary);
	if (cmd->help)
		aliasctl_out_printf("\n%s", cmd->help);
}

int aliasctl_usage_error(const struct aliasctl_command *cmd, const char *fmt,
			 ...)
{
	va_list ap;

	fputs(cmd ? "aliasctl " : "aliasctl", stderr);
	if (cmd)
		fputs(cmd->name, stderr);
	fputs(": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr,
			"Usage: aliasctl [--db DIR] %s\n"
			"Try 'aliasctl help %s' for more information.\n",
			cmd->usage, cmd->name);
	else
		fputs("Usage: aliasctl [--db DIR | --root DIR] COMMAND "
		      "[ARGS]\n"
		      "Try 'aliasctl --help' for more information.\n",
		      stderr);
	return ALIASCTL_EXIT_USAGE;
}

int aliasctl_getopt(const struct aliasctl_command *cmd, int argc, char **argv,
		    const char *shortopts, const struct option *longopts,
		    int *ret_exit)
{
	int c;

	/* Leading ':' tells a missing argument from an unknown option. */
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == 'h') {
		aliasctl_usage_print_command(cmd);
		*ret_exit = ALIASCTL_EXIT_OK;
		return -2;
	}
	if (c == '?') {
		if (optopt)
			*ret_exit = aliasctl_usage_error(
				cmd, "unknown option '-%c'", optopt);
		else
			*ret_exit = aliasctl_usage_error(
				cmd, "unknown option '%s'", argv[optind - 1]);
		return -2;
	}
	if (c == ':') {
		*ret_exit = aliasctl_usage_error(
			cmd, "option '%s' needs an argument", argv[optind - 1]);
		return -2;
	}
	return c;
}
