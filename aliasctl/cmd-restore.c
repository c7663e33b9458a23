/* aliasctl restore: replace the database's content by a dump. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-recovery.h"

/* A dump is a few KiB; this is far beyond any real one. */
#define RESTORE_MAX_SIZE (64u << 20)

void aliasctl_restore_print_refused(const char *cmd, const char *source,
				    const struct aliasdb_restore_report *report)
{
	for (size_t i = 0; i < report->n_refused; i++) {
		const struct aliasdb_restore_refusal *f = &report->refused[i];

		fprintf(stderr, "aliasctl %s: %s:%u: refused ", cmd, source,
			f->line);
		aliasctl_error_text(f->alias);
		fputs(" -> ", stderr);
		aliasctl_error_text(f->canonical);
		fprintf(stderr, ": %s\n", aliasdb_rule_describe(f->rule));
	}
}

/* The whole of @path ("-": standard input) in memory. */
static int restore_read(const char *path, char **ret_text, size_t *ret_len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int r = 0;

	if (!f)
		return -errno;
	for (;;) {
		size_t n;

		if (len == cap) {
			char *nb;

			if (cap >= RESTORE_MAX_SIZE) {
				r = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				r = -EIO;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (r < 0) {
		free(buf);
		return r;
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[len] = '\0';
	*ret_text = buf;
	*ret_len = len;
	return 0;
}

int aliasctl_dump_read_file(const char *path, struct aliasdb_dump_error *err,
			    struct aliasdb_dump **ret_dump)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = restore_read(path, &text, &len);
	if (r < 0)
		return r;
	r = aliasdb_dump_parse(text, len, err, ret_dump);
	free(text);
	return r;
}

static int restore_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb_restore_report *rep = NULL;
	struct aliasdb_dump_error err = {0, ""};
	struct aliasdb_dump *dump = NULL;
	struct aliasdb *db = NULL;
	const char *file;
	int c, ex, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_restore, argc, argv, ":h",
				    longopts, &ex)) != -1)
		if (c == -2)
			return ex;
	if (optind == argc)
		return aliasctl_usage_error(&aliasctl_cmd_restore,
					    "missing FILE (or '-' to read "
					    "standard input)");
	if (argc - optind > 1)
		return aliasctl_usage_error(&aliasctl_cmd_restore,
					    "unexpected argument '%s'",
					    argv[optind + 1]);
	file = argv[optind];
	/* The whole dump is read before the database is touched. */
	r = aliasctl_dump_read_file(file, &err, &dump);
	if (r == -EINVAL || r == -EPROTO) {
		aliasctl_error("restore: %s:%u: %s; nothing restored", file,
			       err.line, err.why);
		return ALIASCTL_EXIT_USAGE;
	}
	if (r < 0) {
		aliasctl_error("cannot read %s: %s", file, strerror(-r));
		return ALIASCTL_EXIT_SYSTEM;
	}
	ex = aliasctl_db_open(ctl, ALIASDB_OPEN_CREATE, false, &db);
	if (ex != ALIASCTL_EXIT_OK)
		goto out;
	r = aliasdb_restore(db, dump, &rep);
	if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot restore (nothing changed)",
				       r);
		goto out;
	}
	aliasctl_out_printf(
		"restored %zu alias%s, %zu declaration%s, %zu "
		"conflict%s and %zu quarantine record%s from ",
		rep->n_aliases, rep->n_aliases == 1 ? "" : "es", dump->n_decls,
		dump->n_decls == 1 ? "" : "s", dump->n_conflicts,
		dump->n_conflicts == 1 ? "" : "s", dump->n_quarantined,
		dump->n_quarantined == 1 ? "" : "s");
	aliasctl_out_text(file);
	aliasctl_out_puts("\n");
	if (rep->n_refused > 0) {
		aliasctl_restore_print_refused("restore", file, rep);
		fprintf(stderr,
			"aliasctl restore: %zu alias%s refused by the rules "
			"and left out; the rest is restored\n",
			rep->n_refused, rep->n_refused == 1 ? "" : "es");
		ex = ALIASCTL_EXIT_USAGE;
	}
out:
	aliasdb_restore_report_free(rep);
	aliasdb_dump_free(dump);
	aliasdb_close(db);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_restore = {
	.name = "restore",
	.usage = "restore FILE | -",
	.summary = "Replace the database's content by a dump.",
	.help = "Reads FILE (a dump, as 'aliasctl dump' prints it; '-': "
		"standard input)\n"
		"whole, then replaces every alias, declaration, conflict and "
		"quarantine\n"
		"record of the database in one write (a mounted view switches "
		"at once).\n"
		"The database is created if there is none. Each alias goes "
		"through the\n"
		"rules; a refused one is reported as FILE:LINE and left out, "
		"and the exit\n"
		"status is then 1. A malformed or cut-short dump changes "
		"nothing (exit 1).\n",
	.run = restore_run,
};
