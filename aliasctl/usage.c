/* Help texts of one command, usage errors and option parsing: below every
 * command (commands.c holds the table of them). */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aliasctl.h"

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

int aliasctl_getopt_json(const struct aliasctl_command *cmd, int argc,
			 char **argv, bool *ret_json)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int c, ex;

	while ((c = aliasctl_getopt(cmd, argc, argv, ":h", longopts, &ex)) !=
	       -1) {
		if (c == -2)
			return ex;
		if (c == 'j')
			json = true;
	}
	if (optind < argc)
		return aliasctl_usage_error(cmd, "unexpected argument '%s'",
					    argv[optind]);
	*ret_json = json;
	return -1;
}
