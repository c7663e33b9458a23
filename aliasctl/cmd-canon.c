/*
 * aliasctl canon: print the canonical spelling of paths.
 *
 * `canon -` is meant for millions of lines (file lists, Contents indices):
 * the map is loaded once, each line is canonicalized into a stack buffer,
 * and output goes through one large stdio buffer. The only allocation is
 * getline's buffer.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliasctl.h"

/* Load the map to use: ARCH's defaults if asked, else the database's, else
 * (no database yet) the host architecture's defaults. */
static int canon_load_map(const struct aliasctl *ctl, const char *arch,
			  struct aliasdb_map **ret_map)
{
	struct aliasdb *db;
	char *host_arch;
	int r;

	if (!arch) {
		r = aliasctl_db_open(ctl, ALIASDB_OPEN_RDONLY, true, &db);
		if (r == 0) {
			r = aliasdb_map_load(db, ret_map);
			aliasdb_close(db);
			if (r < 0)
				return aliasctl_db_error(
					ctl, "cannot load the alias map", r);
			return ALIASCTL_EXIT_OK;
		}
		if (r != -ENOENT)
			return ALIASCTL_EXIT_SYSTEM;
		r = aliasdb_host_arch(&host_arch);
		if (r < 0) {
			aliasctl_error("no database in %s and cannot tell the "
				       "host architecture: %s",
				       ctl->db_dir, strerror(-r));
			return ALIASCTL_EXIT_SYSTEM;
		}
		r = aliasdb_map_for_arch(host_arch, ret_map);
		if (r < 0)
			aliasctl_error("no database in %s and no default "
				       "aliases for the host architecture "
				       "'%s': %s",
				       ctl->db_dir, host_arch, strerror(-r));
		free(host_arch);
		return r < 0 ? ALIASCTL_EXIT_SYSTEM : ALIASCTL_EXIT_OK;
	}

	r = aliasdb_map_for_arch(arch, ret_map);
	if (r == -ENOENT) {
		aliasctl_error("unknown architecture '%s'", arch);
		return ALIASCTL_EXIT_USAGE;
	}
	if (r < 0) {
		aliasctl_error("cannot build the %s alias map: %s", arch,
			       strerror(-r));
		return ALIASCTL_EXIT_SYSTEM;
	}
	return ALIASCTL_EXIT_OK;
}

/* Print "aliasctl: line N: MESSAGE" (or without the line for arguments). */
static void canon_error(unsigned long long lineno, const char *msg,
			const char *path)
{
	if (lineno)
		aliasctl_error("line %llu: %s%s", lineno, msg, path);
	else
		aliasctl_error("%s%s", msg, path);
}

/* Canonicalize @path (@len bytes) and print it. @lineno is the input line
 * for errors, 0 for a command-line argument. */
static int canon_one(const struct aliasdb_map *map, const char *path,
		     size_t len, unsigned long long lineno)
{
	char buf[ALIASDB_PATH_MAX];
	ssize_t n;

	if (strlen(path) != len) {
		canon_error(lineno, "path contains a NUL byte", "");
		return ALIASCTL_EXIT_USAGE;
	}
	n = aliasdb_map_canon(map, path, buf, sizeof(buf) - 1);
	if (n == -EINVAL) {
		canon_error(lineno, "not an absolute path: ", path);
		return ALIASCTL_EXIT_USAGE;
	}
	if (n == -ENAMETOOLONG) {
		canon_error(lineno, "path too long", "");
		return ALIASCTL_EXIT_USAGE;
	}
	if (n < 0) {
		canon_error(lineno, strerror((int)-n), "");
		return ALIASCTL_EXIT_USAGE;
	}
	/* The NUL is replaced by the line's newline: one write per line. */
	buf[n] = '\n';
	aliasctl_out_write(buf, (size_t)n + 1);
	return ALIASCTL_EXIT_OK;
}

static int canon_stdin(const struct aliasdb_map *map)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long long lineno = 0;
	ssize_t len;
	int ex = ALIASCTL_EXIT_OK;

	errno = 0;
	while ((len = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		ex = canon_one(map, line, (size_t)len, lineno);
		/* Once stdout failed (full disk, closed pipe) reading on is
		 * pointless; main() reports the write error. */
		if (ex != ALIASCTL_EXIT_OK || ferror(stdout))
			break;
		errno = 0;
	}
	if (ex == ALIASCTL_EXIT_OK && ferror(stdin)) {
		aliasctl_error("cannot read standard input: %s",
			       strerror(errno ? errno : EIO));
		ex = ALIASCTL_EXIT_SYSTEM;
	}
	free(line);
	return ex;
}

static int canon_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"arch", required_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb_map *map = NULL;
	const char *arch = NULL;
	bool from_stdin = false;
	int c, ex;

	while ((c = aliasctl_getopt(&aliasctl_cmd_canon, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex;
		if (c == 'a')
			arch = optarg;
	}
	if (optind == argc)
		return aliasctl_usage_error(&aliasctl_cmd_canon,
					    "missing PATH (or '-' to read "
					    "standard input)");
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			from_stdin = true;
	if (from_stdin && argc - optind > 1)
		return aliasctl_usage_error(&aliasctl_cmd_canon,
					    "'-' must be the only argument");

	ex = canon_load_map(ctl, arch, &map);
	if (ex != ALIASCTL_EXIT_OK)
		return ex;
	if (from_stdin) {
		aliasctl_out_big_buffer();
		ex = canon_stdin(map);
	} else {
		for (int i = optind; i < argc && ex == ALIASCTL_EXIT_OK; i++)
			ex = canon_one(map, argv[i], strlen(argv[i]), 0);
	}
	aliasdb_map_free(map);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_canon = {
	.name = "canon",
	.usage = "canon [--arch ARCH] PATH... | -",
	.summary = "Print the canonical path of each PATH, one per line.",
	.help = "  -            read paths from standard input, one per line\n"
		"  --arch ARCH  use ARCH's default aliases, not the database\n"
		"Without a database, the host architecture's default aliases "
		"are used.\n",
	.run = canon_run,
};
