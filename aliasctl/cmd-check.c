/*
 * aliasctl check: find alias conflicts (one canonical path shipped under
 * two spellings by two packages) in .deb files, installed roots and
 * Contents indices.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasctl.h"
#include "archive/contents-parser.h"
#include "archive/deb-reader.h"
#include "archive/installed-root.h"
#include "archive/path-pipe.h"
#include "cmd-archive.h"
#include "progress.h"

enum check_input {
	CHECK_INPUT_DEB,
	CHECK_INPUT_ROOT,
	CHECK_INPUT_CONTENTS,
};

int archive_cmd_load_map(const char *db_dir, const char *arch,
			 struct aliasdb_map **ret_map)
{
	struct aliasdb *db;
	char *host = NULL;
	int r;

	if (!arch) {
		r = aliasdb_open(db_dir, ALIASDB_OPEN_RDONLY, &db);
		if (r >= 0) {
			r = aliasdb_map_load(db, ret_map);
			aliasdb_close(db);
			if (r < 0) {
				aliasctl_error("cannot load the alias map of "
					       "%s: %s",
					       db_dir, strerror(-r));
				return -1;
			}
			return 0;
		}
		if (r == -EUCLEAN) {
			aliasctl_db_damaged(db_dir);
			return -1;
		}
		if (r != -ENOENT) {
			aliasctl_error("cannot open database %s: %s", db_dir,
				       strerror(-r));
			return -1;
		}
		r = aliasdb_host_arch(&host);
		if (r < 0) {
			aliasctl_error("no database in %s and cannot tell the "
				       "host architecture: %s (use --arch)",
				       db_dir, strerror(-r));
			return -1;
		}
		arch = host;
	}
	r = aliasdb_map_for_arch(arch, ret_map);
	if (r == -ENOENT)
		aliasctl_error("unknown architecture '%s' (no merged-/usr "
			       "alias set)",
			       arch);
	else if (r < 0)
		aliasctl_error("cannot build the %s alias map: %s", arch,
			       strerror(-r));
	free(host);
	return r < 0 ? -1 : 0;
}

int archive_cmd_load_root_map(const char *root, const char *arch,
			      struct aliasdb_map **ret_map)
{
	size_t n = strlen(root) + sizeof(ALIASDB_DEFAULT_SUBDIR) + 1;
	char *db_dir = malloc(n);
	int r;

	if (!db_dir) {
		aliasctl_error("%s", strerror(ENOMEM));
		return -1;
	}
	snprintf(db_dir, n, "%s/%s", root, ALIASDB_DEFAULT_SUBDIR);
	r = archive_cmd_load_map(db_dir, arch, ret_map);
	free(db_dir);
	return r;
}

static const char *check_kind_name(enum conflict_kind kind)
{
	return kind == CONFLICT_ALIAS ? "alias" : "same-path";
}

static void check_pad(size_t have, size_t want)
{
	for (; have < want + 2; have++)
		aliasctl_out_puts(" ");
}

void archive_cmd_print_conflicts(const struct conflict *list, size_t n,
				 bool json)
{
	size_t wc = strlen("CANONICAL"), ws = strlen("SPELLING");
	size_t n_alias = 0;

	if (json) {
		aliasctl_out_puts("[");
		for (size_t i = 0; i < n; i++) {
			aliasctl_out_printf("%s\n  {\"kind\": ", i ? "," : "");
			aliasctl_json_string(check_kind_name(list[i].kind));
			aliasctl_out_puts(", \"canonical\": ");
			aliasctl_json_string(list[i].canonical);
			aliasctl_out_puts(", \"ships\": [");
			for (size_t j = 0; j < list[i].n_ships; j++) {
				aliasctl_out_puts(j ? ", {\"path\": "
						    : "{\"path\": ");
				aliasctl_json_string(list[i].ships[j].path);
				aliasctl_out_puts(", \"package\": ");
				aliasctl_json_string(list[i].ships[j].package);
				aliasctl_out_puts("}");
			}
			aliasctl_out_puts("]}");
		}
		aliasctl_out_puts(n ? "\n]\n" : "]\n");
		return;
	}
	if (n == 0) {
		aliasctl_out_puts("no conflicts\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t w = aliasctl_out_text_width(list[i].canonical);

		if (w > wc)
			wc = w;
		for (size_t j = 0; j < list[i].n_ships; j++) {
			w = aliasctl_out_text_width(list[i].ships[j].path);
			if (w > ws)
				ws = w;
		}
		if (list[i].kind == CONFLICT_ALIAS)
			n_alias++;
	}
	aliasctl_out_puts("KIND       CANONICAL");
	check_pad(strlen("CANONICAL"), wc);
	aliasctl_out_puts("SPELLING");
	check_pad(strlen("SPELLING"), ws);
	aliasctl_out_puts("PACKAGE\n");
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < list[i].n_ships; j++) {
			const char *kind = check_kind_name(list[i].kind);

			aliasctl_out_printf("%-9s  ", kind);
			aliasctl_out_text(list[i].canonical);
			check_pad(aliasctl_out_text_width(list[i].canonical),
				  wc);
			aliasctl_out_text(list[i].ships[j].path);
			check_pad(
				aliasctl_out_text_width(list[i].ships[j].path),
				ws);
			aliasctl_out_text(list[i].ships[j].package);
			aliasctl_out_puts("\n");
		}
	}
	aliasctl_out_printf("%zu conflict%s: %zu alias, %zu same-path\n", n,
			    n == 1 ? "" : "s", n_alias, n - n_alias);
}

/* What kind of input is @path? A directory is a root, an ar archive a
 * package, anything else a Contents index. */
static int check_classify(const char *path, enum check_input *ret_kind)
{
	char magic[8];
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode)) {
		*ret_kind = CHECK_INPUT_ROOT;
		return 0;
	}
	/* Opening a pipe (`check <(zcat ...)`) to sniff it would eat its
	 * first bytes, or kill its writer on close: only indices come that
	 * way. */
	if (!S_ISREG(st.st_mode)) {
		*ret_kind = CHECK_INPUT_CONTENTS;
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, magic, sizeof(magic));
	if (n < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	close(fd);
	if (n == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "!<arch>\n", sizeof(magic)) == 0)
		*ret_kind = CHECK_INPUT_DEB;
	else
		*ret_kind = CHECK_INPUT_CONTENTS;
	return 0;
}

static void check_contents_progress(void *ctx, uint64_t done, uint64_t total)
{
	aliasctl_progress_bytes(ctx, done, total);
}

static int check_one(const char *input, archive_path_fn fn, void *ctx,
		     struct aliasctl_progress *progress)
{
	struct archive_diag diag = {{0}};
	enum check_input kind = CHECK_INPUT_CONTENTS;
	int r;

	r = check_classify(input, &kind);
	if (r < 0) {
		aliasctl_progress_error(progress, "check: cannot read %s: %s",
					input, strerror(-r));
		return r;
	}
	switch (kind) {
	case CHECK_INPUT_DEB:
		r = deb_reader_list(input, NULL, fn, ctx, &diag);
		break;
	case CHECK_INPUT_ROOT:
		r = installed_root_list(input, fn, ctx, &diag);
		break;
	case CHECK_INPUT_CONTENTS: {
		struct contents_options opts = {0};

		if (progress) {
			opts.progress = check_contents_progress;
			opts.progress_ctx = progress;
		}
		r = contents_parse_file(input, &opts, fn, ctx, &diag);
		break;
	}
	}
	/* -ECANCELED: the consumer failed and says why itself. */
	if (r < 0 && r != -ECANCELED)
		aliasctl_progress_error(progress, "check: %s",
					diag.msg[0] ? diag.msg : strerror(-r));
	return r;
}

/* The inputs, read by one thread into the pipe (or straight into the
 * finder without a second thread). */
struct check_reader {
	char **inputs;
	int n;
	archive_path_fn fn;
	void *ctx;
	struct path_pipe *pipe; /* NULL: no second thread */
	struct aliasctl_progress *progress;
	int status;
};

static int check_read_all(struct check_reader *rd)
{
	int r = 0;

	for (int i = 0; i < rd->n && r >= 0; i++) {
		aliasctl_progress_input(rd->progress, (size_t)i, (size_t)rd->n,
					rd->inputs[i]);
		r = check_one(rd->inputs[i], rd->fn, rd->ctx, rd->progress);
	}
	return r;
}

static void *check_reader_thread(void *arg)
{
	struct check_reader *rd = arg;

	rd->status = check_read_all(rd);
	path_pipe_close(rd->pipe, rd->status);
	return NULL;
}

/* The consumer's sink: remembers the pair it failed on, for the message. */
struct check_sink {
	struct conflict_finder *finder;
	struct aliasctl_progress *progress;
	char *failed_path;
};

static int check_sink_add(void *ctx, const char *path, size_t path_len,
			  const char *pkg, size_t pkg_len)
{
	struct check_sink *cs = ctx;
	int r = conflict_finder_add(cs->finder, path, path_len, pkg, pkg_len);

	if (r < 0 && !cs->failed_path)
		cs->failed_path = strdup(path);
	aliasctl_progress_items(cs->progress, 1);
	return r;
}

/*
 * Read every input into @finder: reading and decompressing in a second
 * thread, grouping in this one, so that two cores share the work. Prints
 * why on failure. Returns 0 or -errno.
 */
static int check_read_inputs(char **inputs, int n,
			     struct conflict_finder *finder,
			     struct aliasctl_progress *progress)
{
	struct check_sink cs = {.finder = finder, .progress = progress};
	struct check_reader rd = {
		.inputs = inputs, .n = n, .progress = progress};
	pthread_t thread;
	int r;

	/* 8 batches of 1 MiB: enough to keep both sides busy. */
	r = path_pipe_new(8, 1u << 20, &rd.pipe);
	if (r == 0) {
		rd.fn = path_pipe_push;
		rd.ctx = rd.pipe;
		if (pthread_create(&thread, NULL, check_reader_thread, &rd)) {
			path_pipe_free(rd.pipe);
			rd.pipe = NULL;
		}
	}
	if (!rd.pipe) {
		/* No second thread: the same work in this one. */
		rd.fn = check_sink_add;
		rd.ctx = &cs;
		r = check_read_all(&rd);
	} else {
		r = path_pipe_drain(rd.pipe, check_sink_add, &cs);
		pthread_join(thread, NULL);
		path_pipe_free(rd.pipe);
	}
	if (cs.failed_path)
		aliasctl_progress_error(progress, "check: %s: %s",
					cs.failed_path, strerror(-r));
	free(cs.failed_path);
	return r;
}

static int check_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"arch", required_argument, NULL, 'a'},
		{"all", no_argument, NULL, 'A'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb_map *map = NULL;
	struct conflict_finder *finder = NULL;
	struct conflict *list = NULL;
	struct aliasctl_progress *progress = NULL;
	const char *arch = NULL;
	bool json = false;
	unsigned flags = 0;
	size_t n = 0;
	int c, ex, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_check, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex == ALIASCTL_EXIT_OK ? ARCHIVE_EXIT_OK
						      : ARCHIVE_EXIT_ERROR;
		if (c == 'j')
			json = true;
		else if (c == 'a')
			arch = optarg;
		else if (c == 'A')
			flags |= CONFLICT_FINDER_ALL;
	}
	if (optind >= argc) {
		aliasctl_usage_error(&aliasctl_cmd_check,
				     "at least one INPUT is needed");
		return ARCHIVE_EXIT_ERROR;
	}
	if (archive_cmd_load_map(ctl->db_dir, arch, &map) < 0)
		return ARCHIVE_EXIT_ERROR;
	r = conflict_finder_new(map, flags, &finder);
	if (r < 0) {
		aliasctl_error("check: %s", strerror(-r));
		ex = ARCHIVE_EXIT_ERROR;
		goto out;
	}
	progress = aliasctl_progress_start("check", "paths");
	if (check_read_inputs(argv + optind, argc - optind, finder, progress) <
	    0) {
		ex = ARCHIVE_EXIT_ERROR;
		goto out;
	}
	aliasctl_progress_input(progress, 0, 0, "grouping");
	r = conflict_finder_collect(finder, &list, &n);
	aliasctl_progress_stop(progress);
	progress = NULL;
	if (r < 0) {
		aliasctl_error("check: %s", strerror(-r));
		ex = ARCHIVE_EXIT_ERROR;
		goto out;
	}
	aliasctl_out_big_buffer();
	archive_cmd_print_conflicts(list, n, json);
	ex = n ? ARCHIVE_EXIT_CONFLICTS : ARCHIVE_EXIT_OK;
	r = aliasctl_out_flush();
	if (r < 0) {
		aliasctl_error("check: writing the report: %s", strerror(-r));
		ex = ARCHIVE_EXIT_ERROR;
	}
out:
	aliasctl_progress_stop(progress);
	conflict_list_free(list, n);
	conflict_finder_free(finder);
	aliasdb_map_free(map);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_check = {
	.name = "check",
	.usage = "check [--json] [--arch ARCH] [--all] INPUT...",
	.summary = "find alias conflicts in packages, roots and Contents "
		   "indices",
	.help = "Each INPUT is a .deb file, an installed root directory (its "
		"dpkg database)\n"
		"or a Debian Contents-* index (plain, .gz, .xz, .lz4). "
		"Reports every canonical\n"
		"path that two or more packages ship under two or more "
		"spellings.\n"
		"\n"
		"Options:\n"
		"  --json       machine-readable output\n"
		"  --arch ARCH  use ARCH's default alias set (default: the "
		"database's aliases,\n"
		"               else the host architecture's set)\n"
		"  --all        also report paths two packages ship under "
		"the same spelling\n"
		"\n"
		"Exit status: 0 no conflict, 1 conflicts found, 2 error.\n",
	.run = check_run,
};
