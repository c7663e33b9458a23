/*
 * aliasctl: manage the alias map of an aliasfs tree.
 *
 * Global options come before the command, the command's own options after
 * it; every command lives in its own cmd-*.c file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliasctl.h"

#define MAIN_DEFAULT_DB "/var/lib/aliasfs"

/*
 * If we were started with fd 0, 1 or 2 closed, the database could be opened
 * on one of them and our output written into it. Occupy them with /dev/null
 * opened the wrong way round, so writes to a closed stdout still fail (and
 * end in exit 2) instead of landing anywhere.
 */
static int main_guard_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		nfd = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (nfd < 0)
			return -errno;
		if (nfd != fd) {
			/* A lower fd was closed too and got it: keep going. */
			close(nfd);
			return -EBADF;
		}
	}
	return 0;
}

/* --root DIR: the database inside the tree at DIR. */
static int main_root_db(const char *root, char **ret_dir)
{
	size_t len = strlen(root);
	char *dir;

	while (len > 1 && root[len - 1] == '/')
		len--;
	if (len == 1 && root[0] == '/')
		len = 0;
	dir = malloc(len + 1 + sizeof(ALIASDB_DEFAULT_SUBDIR));
	if (!dir)
		return -ENOMEM;
	memcpy(dir, root, len);
	dir[len] = '/';
	memcpy(dir + len + 1, ALIASDB_DEFAULT_SUBDIR,
	       sizeof(ALIASDB_DEFAULT_SUBDIR));
	*ret_dir = dir;
	return 0;
}

/* aliasctl help [COMMAND] */
static int main_help(int argc, char **argv)
{
	const struct aliasctl_command *cmd;

	if (argc < 2) {
		aliasctl_usage_print_all();
		return ALIASCTL_EXIT_OK;
	}
	if (argc > 2)
		return aliasctl_usage_error(NULL, "help takes one COMMAND");
	cmd = aliasctl_command_find(argv[1]);
	if (!cmd)
		return aliasctl_usage_error(NULL, "unknown command '%s'",
					    argv[1]);
	aliasctl_usage_print_command(cmd);
	return ALIASCTL_EXIT_OK;
}

static int main_run(int argc, char **argv, char **ret_root_db)
{
	enum { OPT_DB = 0x100, OPT_ROOT, OPT_VERSION };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"root", required_argument, NULL, OPT_ROOT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	struct aliasctl ctl = {.db_dir = NULL};
	const struct aliasctl_command *cmd;
	const char *db_opt = NULL, *root_opt = NULL;
	const char *env;
	int c, r;

	/* '+': stop at the command, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db_opt = optarg;
			break;
		case OPT_ROOT:
			root_opt = optarg;
			break;
		case 'h':
			aliasctl_usage_print_all();
			return ALIASCTL_EXIT_OK;
		case OPT_VERSION:
			aliasctl_out_printf("aliasctl (%s) %s\n", PACKAGE_NAME,
					    PACKAGE_VERSION);
			return ALIASCTL_EXIT_OK;
		case ':':
			return aliasctl_usage_error(
				NULL, "option '%s' needs an argument",
				argv[optind - 1]);
		default:
			if (optopt)
				return aliasctl_usage_error(
					NULL, "unknown option '-%c'", optopt);
			return aliasctl_usage_error(NULL, "unknown option '%s'",
						    argv[optind - 1]);
		}
	}
	if (db_opt && root_opt)
		return aliasctl_usage_error(NULL, "--db and --root exclude "
						  "each other");
	if (optind == argc)
		return aliasctl_usage_error(NULL, "missing COMMAND");
	if (db_opt && !*db_opt)
		return aliasctl_usage_error(NULL, "--db needs a directory");
	if (root_opt && !*root_opt)
		return aliasctl_usage_error(NULL, "--root needs a directory");

	if (root_opt) {
		r = main_root_db(root_opt, ret_root_db);
		if (r < 0) {
			aliasctl_error("%s", strerror(-r));
			return ALIASCTL_EXIT_SYSTEM;
		}
		ctl.db_dir = *ret_root_db;
	} else if (db_opt) {
		ctl.db_dir = db_opt;
	} else {
		env = getenv("ALIASFS_DB");
		ctl.db_dir = env && *env ? env : MAIN_DEFAULT_DB;
		ctl.db_default = !(env && *env);
	}

	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "help") == 0)
		return main_help(argc, argv);
	cmd = aliasctl_command_find(argv[0]);
	if (!cmd)
		return aliasctl_usage_error(NULL, "unknown command '%s'",
					    argv[0]);
	/* 0 makes glibc's getopt start afresh at argv[1] of the command. */
	optind = 0;
	return cmd->run(&ctl, argc, argv);
}

int main(int argc, char **argv)
{
	char *root_db = NULL;
	int ex, r;

	if (main_guard_std_fds() < 0)
		return ALIASCTL_EXIT_SYSTEM;
	ex = main_run(argc, argv, &root_db);
	free(root_db);
	r = aliasctl_out_flush();
	if (r < 0) {
		aliasctl_error("cannot write to standard output: %s",
			       strerror(-r));
		ex = ALIASCTL_EXIT_SYSTEM;
	}
	return ex;
}
