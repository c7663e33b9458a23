/* aliasctl sync: bring the database in line with the declaration
 * directory of a tree. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd-declarations.h"

int aliasctl_tree_open(const struct aliasctl *ctl,
		       const struct aliasctl_command *cmd, const char *tree_opt,
		       int *ret_fd, char **ret_tree)
{
	const char *sub = "/" ALIASDB_DEFAULT_SUBDIR;
	size_t len = strlen(ctl->db_dir), slen = strlen(sub);
	char *tree;
	int fd;

	if (tree_opt) {
		if (!*tree_opt)
			return aliasctl_usage_error(cmd,
						    "--tree needs a directory");
		tree = strdup(tree_opt);
	} else {
		while (len > 1 && ctl->db_dir[len - 1] == '/')
			len--;
		if (len < slen ||
		    strncmp(ctl->db_dir + len - slen, sub, slen) != 0)
			return aliasctl_usage_error(
				cmd,
				"database %s is not inside a tree "
				"(TREE/%s): name the tree with --tree TREE",
				ctl->db_dir, ALIASDB_DEFAULT_SUBDIR);
		len -= slen;
		tree = len ? strndup(ctl->db_dir, len) : strdup("/");
	}
	if (!tree) {
		aliasctl_error("%s", strerror(ENOMEM));
		return ALIASCTL_EXIT_SYSTEM;
	}
	fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		aliasctl_error("cannot open tree %s: %s", tree,
			       strerror(errno));
		free(tree);
		return ALIASCTL_EXIT_SYSTEM;
	}
	*ret_fd = fd;
	*ret_tree = tree;
	return ALIASCTL_EXIT_OK;
}

/* A change: one line on stdout. */
static void sync_print_change(const struct aliasdb_sync_event *e)
{
	aliasctl_out_puts(aliasdb_sync_kind_name(e->kind));
	aliasctl_out_puts(" ");
	if (e->alias) {
		aliasctl_out_text(e->alias);
		aliasctl_out_puts(" -> ");
		aliasctl_out_text(e->canonical);
	} else {
		aliasctl_out_text(e->decl);
	}
	if (e->detail) {
		aliasctl_out_puts(": ");
		aliasctl_out_text(e->detail);
	}
	aliasctl_out_puts("\n");
}

/* A problem: one line on stderr, "FILE:LINE: what: why". */
static void sync_print_problem(const char *dir,
			       const struct aliasdb_sync_event *e)
{
	fputs("aliasctl sync: ", stderr);
	aliasctl_error_text(dir);
	fputs("/", stderr);
	aliasctl_error_text(e->decl);
	if (e->line)
		fprintf(stderr, ":%u", e->line);
	fprintf(stderr, ": %s", aliasdb_sync_kind_name(e->kind));
	if (e->alias) {
		/* A refused path may hold a control character. */
		fputs(" ", stderr);
		aliasctl_error_text(e->alias);
		fputs(" -> ", stderr);
		aliasctl_error_text(e->canonical ? e->canonical : "");
	}
	fputs(": ", stderr);
	aliasctl_error_text(e->detail ? e->detail : "");
	fputs("\n", stderr);
}

static int sync_run(struct aliasctl *ctl, int argc, char **argv)
{
	enum { OPT_TREE = 0x100 };
	static const struct option longopts[] = {
		{"tree", required_argument, NULL, OPT_TREE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb_sync_report *rep = NULL;
	const char *tree_opt = NULL;
	char *tree = NULL, *dir = NULL;
	struct aliasdb *db;
	int c, ex, r, fd;

	while ((c = aliasctl_getopt(&aliasctl_cmd_sync, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex;
		if (c == OPT_TREE)
			tree_opt = optarg;
	}
	if (optind < argc)
		return aliasctl_usage_error(&aliasctl_cmd_sync,
					    "unexpected argument '%s'",
					    argv[optind]);
	ex = aliasctl_tree_open(ctl, &aliasctl_cmd_sync, tree_opt, &fd, &tree);
	if (ex != ALIASCTL_EXIT_OK)
		return ex;
	ex = aliasctl_db_open(ctl, 0, false, &db);
	if (ex != ALIASCTL_EXIT_OK)
		goto out_tree;
	r = aliasdb_sync(db, fd, &rep);
	if (r == -ELOOP || r == -ENOTDIR) {
		aliasctl_error("cannot sync: %s/%s is not a plain directory "
			       "(a symlink or a file on its path); nothing "
			       "changed",
			       tree, ALIASDB_DECL_DIR);
		ex = ALIASCTL_EXIT_SYSTEM;
	} else if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot sync (nothing changed)", r);
	} else {
		if (asprintf(&dir, "%s%s%s", tree,
			     strcmp(tree, "/") == 0 ? "" : "/",
			     ALIASDB_DECL_DIR) < 0)
			dir = NULL;
		for (size_t i = 0; i < rep->n_events; i++) {
			const struct aliasdb_sync_event *e = &rep->events[i];

			if (e->kind == ALIASDB_SYNC_REFUSED ||
			    e->kind == ALIASDB_SYNC_MALFORMED ||
			    e->kind == ALIASDB_SYNC_UNREADABLE)
				sync_print_problem(dir ? dir : ALIASDB_DECL_DIR,
						   e);
			else
				sync_print_change(e);
		}
		if (rep->n_problems > 0) {
			fprintf(stderr,
				"aliasctl sync: %zu line%s or file%s not "
				"imported; the rest of the sync is done\n",
				rep->n_problems,
				rep->n_problems == 1 ? "" : "s",
				rep->n_problems == 1 ? "" : "s");
			ex = ALIASCTL_EXIT_USAGE;
		}
	}
	free(dir);
	aliasdb_sync_report_free(rep);
	aliasdb_close(db);
out_tree:
	close(fd);
	free(tree);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_sync = {
	.name = "sync",
	.usage = "sync [--tree TREE]",
	.summary = "Bring the aliases in line with the tree's aliases.d.",
	.help = "Reads TREE/" ALIASDB_DECL_DIR " and compares the backing\n"
		"files of TREE before activating an alias.\n"
		"  --tree TREE  the tree (default: the tree the database is in,\n"
		"               as given by --root TREE)\n"
		"Prints one line per change (imported, re-imported, unimported,\n"
		"added, removed, blocked, activated). Refused or malformed "
		"lines\nare reported on stderr as FILE:LINE and the rest is "
		"synced;\nthe exit status is then 1.\n",
	.run = sync_run,
};
