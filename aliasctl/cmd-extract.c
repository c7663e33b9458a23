/*
 * aliasctl extract: unpack .deb files into a root with canonical paths,
 * no FUSE needed (for tools that bootstrap with ar + tar), and report the
 * alias conflicts across the set.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliasctl.h"
#include "archive/extract.h"
#include "cmd-archive.h"
#include "progress.h"

static void extract_progress(void *ctx, uint64_t done, uint64_t total)
{
	aliasctl_progress_bytes(ctx, done, total);
}

/* Extract each of the @n packages @debs into @root, reporting each
 * failure (nothing of that package is written). False if any failed. */
static bool extract_all(struct extract_root *root,
			struct aliasctl_progress *progress, char **debs,
			size_t n)
{
	struct arc_diag diag = {{0}};
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		int r;

		aliasctl_progress_input(progress, i, n, debs[i]);
		diag.msg[0] = '\0';
		r = extract_deb(root, debs[i], &diag);
		if (r < 0) {
			aliasctl_progress_error(
				progress,
				"extract: %s; nothing of %s was written",
				diag.msg[0] ? diag.msg : strerror(-r), debs[i]);
			ok = false;
		}
	}
	return ok;
}

/* Print the conflicts @finder saw; returns the exit code (@failed: a
 * package could not be extracted; @strict: conflicts are an error). */
static int extract_report(struct conflict_finder *finder, bool json,
			  bool strict, bool failed)
{
	struct conflict *list = NULL;
	size_t n = 0;
	int ex = ARCHIVE_EXIT_ERROR, r;

	r = conflict_finder_collect(finder, &list, &n);
	if (r < 0) {
		aliasctl_error("extract: %s", strerror(-r));
		return ARCHIVE_EXIT_ERROR;
	}
	if (json || n > 0) {
		aliasctl_out_big_buffer();
		archive_cmd_print_conflicts(list, n, json);
	}
	if (aliasctl_out_flush() < 0)
		aliasctl_error("extract: writing the report failed");
	else if (failed)
		ex = ARCHIVE_EXIT_ERROR;
	else if (n > 0 && strict)
		ex = ARCHIVE_EXIT_CONFLICTS;
	else
		ex = ARCHIVE_EXIT_OK;
	conflict_list_free(list, n);
	return ex;
}

static int extract_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"root", required_argument, NULL, 'r'},
		{"arch", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"strict", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct extract_options opts = {0};
	struct aliasdb_map *map = NULL;
	struct conflict_finder *finder = NULL;
	struct extract_root *root = NULL;
	struct aliasctl_progress *progress = NULL;
	struct arc_diag diag = {{0}};
	const char *root_dir = NULL, *arch = NULL;
	bool json = false, strict = false, failed;
	int c, ex, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_extract, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex == ALIASCTL_EXIT_OK ? ARCHIVE_EXIT_OK
						      : ARCHIVE_EXIT_ERROR;
		if (c == 'r')
			root_dir = optarg;
		else if (c == 'a')
			arch = optarg;
		else if (c == 'j')
			json = true;
		else if (c == 's')
			strict = true;
	}
	if (!root_dir) {
		aliasctl_usage_error(&aliasctl_cmd_extract,
				     "--root DIR is required");
		return ARCHIVE_EXIT_ERROR;
	}
	if (optind >= argc) {
		aliasctl_usage_error(&aliasctl_cmd_extract,
				     "at least one DEB is needed");
		return ARCHIVE_EXIT_ERROR;
	}
	(void)ctl;
	if (archive_cmd_load_root_map(root_dir, arch, &map) < 0)
		return ARCHIVE_EXIT_ERROR;
	ex = ARCHIVE_EXIT_ERROR;
	r = conflict_finder_new(map, 0, &finder);
	if (r < 0) {
		aliasctl_error("extract: %s", strerror(-r));
		goto out;
	}
	opts.map = map;
	opts.finder = finder;
	opts.same_owner = geteuid() == 0;
	progress = aliasctl_progress_start("extract", NULL);
	if (progress) {
		opts.progress = extract_progress;
		opts.progress_ctx = progress;
	}
	r = extract_root_open(root_dir, &opts, &root, &diag);
	if (r < 0) {
		aliasctl_progress_error(progress, "extract: %s",
					diag.msg[0] ? diag.msg : strerror(-r));
		goto out;
	}
	failed = !extract_all(root, progress, argv + optind,
			      (size_t)(argc - optind));
	aliasctl_progress_stop(progress);
	progress = NULL;
	ex = extract_report(finder, json, strict, failed);
out:
	aliasctl_progress_stop(progress);
	extract_root_close(root);
	conflict_finder_free(finder);
	aliasdb_map_free(map);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_extract = {
	.name = "extract",
	.usage = "extract --root DIR [--arch ARCH] [--json] [--strict] DEB...",
	.summary = "unpack packages into DIR with canonical (merged-/usr) "
		   "paths",
	.help = "Creates the aliases in DIR as relative symlinks (bin -> "
		"usr/bin, ...) and\n"
		"unpacks each DEB's data with every path canonical, keeping "
		"modes, owners\n"
		"(numeric, when run as root), mtimes, hard links, symlinks and "
		"xattrs.\n"
		"Members named with \"..\" or an absolute path, or that would "
		"be written\n"
		"through a symlink leaving DIR, are refused: nothing of that "
		"package is\n"
		"written. Alias conflicts across the set are reported.\n"
		"\n"
		"Options:\n"
		"  --root DIR   the root to unpack into (created if missing)\n"
		"  --arch ARCH  use ARCH's default alias set (default: DIR's "
		"database, else\n"
		"               the host architecture's set)\n"
		"  --json       report conflicts as JSON\n"
		"  --strict     exit 1 when alias conflicts were found\n"
		"\n"
		"Exit status: 0 extracted, 1 conflicts found (--strict), 2 "
		"error.\n",
	.run = extract_run,
};
