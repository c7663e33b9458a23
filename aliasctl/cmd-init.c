/* aliasctl init: create the database and add an architecture's defaults. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliasctl.h"

/* Print the known architectures after an unknown one, so the user need
 * not guess the spelling. */
static void init_report_unknown_arch(const char *arch)
{
	const char *const *known = aliasdb_arch_known();

	aliasctl_error("unknown architecture '%s'", arch);
	fputs("Known architectures:", stderr);
	for (size_t i = 0; known && known[i]; i++)
		fprintf(stderr, " %s", known[i]);
	fputc('\n', stderr);
}

/* Open the database, creating it if there is none (*ret_created). */
static int init_open(const struct aliasctl *ctl, struct aliasdb **ret_db,
		     bool *ret_created)
{
	int r = aliasctl_db_open(ctl, 0, true, ret_db);

	*ret_created = r == -ENOENT;
	if (r == -ENOENT)
		r = aliasctl_db_open(ctl, ALIASDB_OPEN_CREATE, false, ret_db);
	return r;
}

/* Add @arch's default aliases to @db (just @created or not) and say what
 * was done; returns the exit code. */
static int init_add_defaults(const struct aliasctl *ctl, struct aliasdb *db,
			     const char *arch, bool created)
{
	enum aliasdb_rule rule = ALIASDB_RULE_OK;
	int r;

	r = aliasdb_add_arch_defaults(db, arch, &rule);
	if (r == -EINVAL) {
		/* An existing alias contradicts a default: nothing written. */
		aliasctl_error("cannot add the %s defaults to %s: %s", arch,
			       ctl->db_dir, aliasdb_rule_describe(rule));
		return ALIASCTL_EXIT_USAGE;
	}
	if (r < 0)
		return aliasctl_db_error(ctl, "cannot add the default aliases",
					 r);
	if (created)
		aliasctl_out_printf("created database %s with %d %s default "
				    "aliases\n",
				    ctl->db_dir, r, arch);
	else if (r > 0)
		aliasctl_out_printf("database %s already exists; added %d "
				    "missing %s default aliases\n",
				    ctl->db_dir, r, arch);
	else
		aliasctl_out_printf("database %s already exists and has every "
				    "%s default alias\n",
				    ctl->db_dir, arch);
	return ALIASCTL_EXIT_OK;
}

static int init_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"arch", required_argument, NULL, 'a'},
		{"empty", no_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *const *names;
	const char *arch_opt = NULL;
	char *host_arch = NULL;
	const char *arch;
	struct aliasdb *db = NULL;
	bool empty = false, created = false;
	int c, ex, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_init, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex;
		if (c == 'a')
			arch_opt = optarg;
		else if (c == 'e')
			empty = true;
	}
	if (optind < argc)
		return aliasctl_usage_error(&aliasctl_cmd_init,
					    "unexpected argument '%s'",
					    argv[optind]);
	if (empty && arch_opt)
		return aliasctl_usage_error(&aliasctl_cmd_init,
					    "--arch and --empty exclude each "
					    "other");

	arch = arch_opt;
	if (!empty && !arch) {
		r = aliasdb_host_arch(&host_arch);
		if (r < 0) {
			aliasctl_error("cannot tell the host architecture: %s "
				       "(use --arch ARCH)",
				       strerror(-r));
			return ALIASCTL_EXIT_SYSTEM;
		}
		arch = host_arch;
	}
	/* Refuse an unknown architecture before creating anything. */
	if (arch && aliasdb_arch_defaults(arch, &names) < 0) {
		init_report_unknown_arch(arch);
		ex = ALIASCTL_EXIT_USAGE;
		goto out;
	}

	if (init_open(ctl, &db, &created) < 0) {
		ex = ALIASCTL_EXIT_SYSTEM;
		goto out;
	}

	if (!arch) {
		if (created)
			aliasctl_out_printf("created empty database %s\n",
					    ctl->db_dir);
		else
			aliasctl_out_printf("database %s already exists; "
					    "nothing added\n",
					    ctl->db_dir);
		ex = ALIASCTL_EXIT_OK;
		goto out;
	}

	ex = init_add_defaults(ctl, db, arch, created);
out:
	aliasdb_close(db);
	free(host_arch);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_init = {
	.name = "init",
	.usage = "init [--arch ARCH | --empty]",
	.summary = "Create the database and add an architecture's default "
		   "aliases.",
	.help = "  --arch ARCH  add ARCH's merged-/usr set (default: the "
		"host's architecture)\n"
		"  --empty      add no alias\n"
		"On an existing database, adds the defaults that are missing.\n",
	.run = init_run,
};
