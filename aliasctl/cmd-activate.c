/* aliasctl activate: check a blocked alias again, or force it active with
 * the shadowed files moved into the quarantine. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd-declarations.h"

static void activate_print_diffs(const struct aliasdb_activation *act)
{
	for (size_t i = 0; i < act->n_diffs; i++)
		fprintf(stderr, "  %s differs from %s\n",
			act->diffs[i].alias_path, act->diffs[i].canonical_path);
}

/* Say what activating @alias (as given; @a as stored) did (@act);
 * returns the exit code: ALIASCTL_EXIT_USAGE when it stays blocked. */
static int activate_report(const struct aliasdb_activation *act,
			   const char *alias, const struct aliasdb_alias *a)
{
	for (size_t i = 0; i < act->n_moved; i++) {
		aliasctl_out_puts("quarantined ");
		aliasctl_out_text(act->moved[i].original);
		aliasctl_out_puts(" -> ");
		aliasctl_out_text(act->moved[i].stored);
		aliasctl_out_puts("\n");
	}
	if (!act->activated) {
		fprintf(stderr,
			"aliasctl activate: %s stays blocked: activating it "
			"would hide %zu differing file%s (use --force to move "
			"them into the quarantine):\n",
			alias, act->n_diffs, act->n_diffs == 1 ? "" : "s");
		activate_print_diffs(act);
		return ALIASCTL_EXIT_USAGE;
	}
	aliasctl_out_puts("active ");
	aliasctl_out_text(a->alias);
	aliasctl_out_puts(" -> ");
	aliasctl_out_text(a->canonical);
	aliasctl_out_puts("\n");
	if (act->n_moved == 0 && act->n_diffs > 0) {
		fprintf(stderr,
			"aliasctl activate: %s was already active; the view "
			"shows the canonical side of %zu differing file%s "
			"(--force moves the other side into the "
			"quarantine):\n",
			alias, act->n_diffs, act->n_diffs == 1 ? "" : "s");
		activate_print_diffs(act);
	}
	return ALIASCTL_EXIT_OK;
}

static int activate_run(struct aliasctl *ctl, int argc, char **argv)
{
	enum { OPT_TREE = 0x100 };
	static const struct option longopts[] = {
		{"tree", required_argument, NULL, OPT_TREE},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb_activation *act = NULL;
	struct aliasdb_alias *a = NULL;
	const char *tree_opt = NULL, *alias;
	unsigned flags = 0;
	char *tree = NULL;
	struct aliasdb *db;
	int c, ex, r, fd;

	while ((c = aliasctl_getopt(&aliasctl_cmd_activate, argc, argv, ":fh",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex;
		if (c == OPT_TREE)
			tree_opt = optarg;
		else if (c == 'f')
			flags |= ALIASDB_ACTIVATE_FORCE;
	}
	if (optind == argc)
		return aliasctl_usage_error(&aliasctl_cmd_activate,
					    "missing ALIAS");
	if (argc - optind > 1)
		return aliasctl_usage_error(&aliasctl_cmd_activate,
					    "unexpected argument '%s'",
					    argv[optind + 1]);
	alias = argv[optind];
	ex = aliasctl_tree_open(ctl, &aliasctl_cmd_activate, tree_opt, &fd,
				&tree);
	if (ex != ALIASCTL_EXIT_OK)
		return ex;
	if (aliasctl_db_open(ctl, 0, false, &db) < 0) {
		ex = ALIASCTL_EXIT_SYSTEM;
		goto out_tree;
	}
	r = aliasdb_activate(db, fd, alias, flags, &act);
	if (r == 0)
		r = aliasdb_get(db, alias, &a);
	if (r == -ENOENT) {
		aliasctl_error("no alias %s in %s", alias, ctl->db_dir);
		ex = ALIASCTL_EXIT_USAGE;
	} else if (r == -EXDEV) {
		aliasctl_error("cannot activate %s: the quarantine (in %s) is "
			       "on another file system than %s; nothing moved",
			       alias, ctl->db_dir, tree);
		ex = ALIASCTL_EXIT_SYSTEM;
	} else if (r < 0) {
		ex = aliasctl_db_error(ctl,
				       "cannot activate the alias "
				       "(nothing moved)",
				       r);
	} else {
		ex = activate_report(act, alias, a);
	}
	aliasdb_alias_free(a);
	aliasdb_activation_free(act);
	aliasdb_close(db);
out_tree:
	close(fd);
	free(tree);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_activate = {
	.name = "activate",
	.usage = "activate [--tree TREE] [--force] ALIAS",
	.summary = "Activate a blocked alias (--force: quarantine what "
		   "differs).",
	.help = "  --tree TREE  the tree whose files are compared (default: "
		"the\n"
		"               tree the database is in, as given by --root)\n"
		"  -f, --force  activate anyway: the canonical side wins and "
		"each\n"
		"               shadowed alias-side file is moved into\n"
		"               DB/quarantine (see 'aliasctl status')\n"
		"Exit status 1 when the alias stays blocked; the differing "
		"files\nare listed on stderr.\n",
	.run = activate_run,
};
