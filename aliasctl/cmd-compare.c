/*
 * aliasctl compare: are two trees the same system? Prints every
 * difference (archive/tree-diff.c finds them) as text or JSON.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "aliasctl.h"
#include "archive/tree-diff.h"
#include "cmd-archive.h"
#include "progress.h"

/* FUSE's f_type in statfs(2) */
#define COMPARE_FUSE_MAGIC 0x65735546

/*
 * --bootstrap-excludes: files a bootstrap writes differently on every run
 * (times, random numbers) or that only one of the two ways of making a
 * tree leaves behind. One place for the list, the table and the help text
 * (aliasctl(1) repeats it): X(PATTERN, WHY), WHY under 70 columns.
 */
#define COMPARE_BOOTSTRAP_EXCLUDES(X)                                        \
	X("/var/lib/aliasfs",                                                \
	  "aliasfs's database: a tree made through a view has one")          \
	X("/var/log/*.log", "dpkg, alternatives, bootstrap logs: times")     \
	X("/var/log/apt/*", "apt's history and terminal logs: times")        \
	X("/var/cache/apt/*.bin", "apt's binary caches: built at run time")  \
	X("/var/cache/ldconfig/aux-cache", "ldconfig: file times, inodes")   \
	X("/var/lib/apt/lists/*", "downloaded indices: times of download")   \
	X("/var/cache/debconf/*-old", "debconf's backups of its last state") \
	X("/var/lib/dpkg/*-old", "dpkg's backups of its last state")         \
	X("/etc/machine-id", "a random id, unless the tool empties it")      \
	X("/var/lib/dbus/machine-id", "the same id for D-Bus")               \
	X("/etc/shadow", "date of the last password change: the run's day")  \
	X("/etc/shadow-", "its backup")

#define COMPARE_ROW(pattern, why) {pattern, why},
#define COMPARE_HELP_LINE(pattern, why) "  " pattern "\n      " why "\n"

static const struct {
	const char *pattern;
	const char *reason;
} compare_bootstrap_excludes[] = {COMPARE_BOOTSTRAP_EXCLUDES(COMPARE_ROW)};

#define COMPARE_N_BOOTSTRAP                   \
	(sizeof(compare_bootstrap_excludes) / \
	 sizeof(compare_bootstrap_excludes[0]))

struct compare_progress {
	struct aliasctl_progress *p;
	uint64_t entries;
};

static void compare_progress(void *ctx, uint64_t entries, uint64_t bytes)
{
	struct compare_progress *cp = ctx;

	aliasctl_progress_items(cp->p, entries - cp->entries);
	cp->entries = entries;
	aliasctl_progress_bytes(cp->p, bytes, 0);
}

/*
 * The alias map for @tree: @arch's set if given; else the tree's own
 * database, unless the tree is a mounted view (FUSE: its database is the
 * daemon's, and a view shows its aliases as symlinks anyway); else the
 * host's set. NULL with --literal.
 */
static int compare_load_map(const char *tree, int fd, const char *arch,
			    bool literal, struct aliasdb_map **ret_map)
{
	struct statfs sf;
	char *host = NULL;
	int r;

	*ret_map = NULL;
	if (literal)
		return 0;
	if (!arch && fstatfs(fd, &sf) == 0 && sf.f_type == COMPARE_FUSE_MAGIC) {
		r = aliasdb_host_arch(&host);
		if (r < 0) {
			aliasctl_error("compare: cannot tell the host "
				       "architecture: %s (use --arch)",
				       strerror(-r));
			return -1;
		}
		arch = host;
	}
	r = archive_cmd_load_root_map(tree, arch, ret_map);
	free(host);
	return r;
}

/* Write @s as a JSON string, and as "KEY_hex" too when it is not valid
 * UTF-8 (the JSON string then holds U+FFFD where bytes were lost). */
static void compare_json_field(const char *key, const char *s)
{
	aliasctl_out_printf("\"%s\": ", key);
	aliasctl_json_string_or_null(s);
	if (s && !aliasctl_json_is_utf8(s)) {
		aliasctl_out_printf(", \"%s_hex\": \"", key);
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			aliasctl_out_printf("%02x", *p);
		aliasctl_out_puts("\"");
	}
}

static void compare_print_json(const char *a, const char *b,
			       const struct tree_diff_item *items, size_t n,
			       size_t ea, size_t eb)
{
	size_t counts[TREE_DIFF_KINDS] = {0};
	bool first = true;

	for (size_t i = 0; i < n; i++)
		counts[items[i].kind]++;
	aliasctl_out_puts("{");
	compare_json_field("a", a);
	aliasctl_out_puts(", ");
	compare_json_field("b", b);
	aliasctl_out_printf(",\n \"equal\": %s, \"entries_a\": %zu, "
			    "\"entries_b\": %zu, \"differences\": %zu,\n"
			    " \"counts\": {",
			    n ? "false" : "true", ea, eb, n);
	for (int k = 0; k < TREE_DIFF_KINDS; k++) {
		if (!counts[k])
			continue;
		aliasctl_out_printf("%s\"%s\": %zu", first ? "" : ", ",
				    tree_diff_kind_name(k), counts[k]);
		first = false;
	}
	aliasctl_out_puts("},\n \"items\": [");
	for (size_t i = 0; i < n; i++) {
		aliasctl_out_printf("%s\n  {\"kind\": \"%s\", ", i ? "," : "",
				    tree_diff_kind_name(items[i].kind));
		compare_json_field("path", items[i].path);
		aliasctl_out_puts(", ");
		compare_json_field("a", items[i].a);
		aliasctl_out_puts(", ");
		compare_json_field("b", items[i].b);
		aliasctl_out_puts("}");
	}
	aliasctl_out_puts(n ? "\n ]}\n" : "]}\n");
}

/* One line a difference: "KIND PATH: A | B", bytes a terminal would
 * misread as \xNN. */
static void compare_print_text(const struct tree_diff_item *items, size_t n,
			       size_t ea, size_t eb)
{
	size_t counts[TREE_DIFF_KINDS] = {0};
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		const struct tree_diff_item *it = &items[i];

		counts[it->kind]++;
		aliasctl_out_printf("%-10s ", tree_diff_kind_name(it->kind));
		aliasctl_out_text(it->path);
		aliasctl_out_puts(": ");
		if (it->a && it->b) {
			aliasctl_out_text(it->a);
			aliasctl_out_puts(" | ");
			aliasctl_out_text(it->b);
		} else {
			aliasctl_out_text(it->a ? it->a : it->b ? it->b : "");
		}
		aliasctl_out_puts("\n");
	}
	if (!n) {
		aliasctl_out_printf("equal: %zu entries in A, %zu in B\n", ea,
				    eb);
		return;
	}
	aliasctl_out_printf("%zu difference%s (", n, n == 1 ? "" : "s");
	for (int k = 0; k < TREE_DIFF_KINDS; k++) {
		if (!counts[k])
			continue;
		aliasctl_out_printf("%s%zu %s", first ? "" : ", ", counts[k],
				    tree_diff_kind_name(k));
		first = false;
	}
	aliasctl_out_printf("); %zu entries in A, %zu in B\n", ea, eb);
}

static int compare_parse_epoch(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int compare_add_pattern(const char ***list, size_t *n, const char *p)
{
	const char **l = realloc(*list, (*n + 1) * sizeof(*l));

	if (!l)
		return -ENOMEM;
	l[(*n)++] = p;
	*list = l;
	return 0;
}

static int compare_run(struct aliasctl *ctl, int argc, char **argv)
{
	enum {
		OPT_JSON = 0x100,
		OPT_EXCLUDE,
		OPT_BOOTSTRAP,
		OPT_MTIMES,
		OPT_CLAMP,
		OPT_LITERAL,
		OPT_ARCH,
		OPT_NO_XATTRS,
	};
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"exclude", required_argument, NULL, OPT_EXCLUDE},
		{"bootstrap-excludes", no_argument, NULL, OPT_BOOTSTRAP},
		{"mtimes", no_argument, NULL, OPT_MTIMES},
		{"clamp-mtime", required_argument, NULL, OPT_CLAMP},
		{"literal", no_argument, NULL, OPT_LITERAL},
		{"arch", required_argument, NULL, OPT_ARCH},
		{"no-xattrs", no_argument, NULL, OPT_NO_XATTRS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct tree_diff_options opts = {.clamp = -1};
	struct aliasdb_map *maps[2] = {NULL, NULL};
	struct compare_progress cp = {NULL, 0};
	const struct tree_diff_item *items;
	struct tree_diff *td = NULL;
	const char **exclude = NULL;
	const char *arch = NULL, *clamp_opt = NULL, *env;
	bool json = false, literal = false, bootstrap = false;
	size_t n_exclude = 0, n, ea, eb;
	int fds[2] = {-1, -1};
	int c, ex, r;

	(void)ctl;
	while ((c = aliasctl_getopt(&aliasctl_cmd_compare, argc, argv, ":h",
				    longopts, &ex)) != -1) {
		if (c == -2)
			return ex == ALIASCTL_EXIT_OK ? ARCHIVE_EXIT_OK
						      : ARCHIVE_EXIT_ERROR;
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_EXCLUDE:
			if (!*optarg) {
				aliasctl_usage_error(&aliasctl_cmd_compare,
						     "--exclude needs a "
						     "pattern");
				ex = ARCHIVE_EXIT_ERROR;
				goto out;
			}
			if (compare_add_pattern(&exclude, &n_exclude, optarg) <
			    0)
				goto nomem;
			break;
		case OPT_BOOTSTRAP:
			bootstrap = true;
			break;
		case OPT_MTIMES:
			opts.flags |= TREE_DIFF_MTIMES;
			break;
		case OPT_CLAMP:
			clamp_opt = optarg;
			break;
		case OPT_LITERAL:
			literal = true;
			break;
		case OPT_ARCH:
			arch = optarg;
			break;
		case OPT_NO_XATTRS:
			opts.flags |= TREE_DIFF_NO_XATTRS;
			break;
		}
	}
	if (argc - optind != 2) {
		aliasctl_usage_error(&aliasctl_cmd_compare,
				     "two trees are needed, got %d",
				     argc - optind);
		ex = ARCHIVE_EXIT_ERROR;
		goto out;
	}
	if (literal && arch) {
		aliasctl_usage_error(&aliasctl_cmd_compare,
				     "--literal and --arch exclude each other");
		ex = ARCHIVE_EXIT_ERROR;
		goto out;
	}
	if (clamp_opt && !(opts.flags & TREE_DIFF_MTIMES)) {
		aliasctl_usage_error(&aliasctl_cmd_compare,
				     "--clamp-mtime needs --mtimes");
		ex = ARCHIVE_EXIT_ERROR;
		goto out;
	}
	env = getenv("SOURCE_DATE_EPOCH");
	if (!clamp_opt && (opts.flags & TREE_DIFF_MTIMES) && env && *env)
		clamp_opt = env;
	if (clamp_opt && compare_parse_epoch(clamp_opt, &opts.clamp) < 0) {
		aliasctl_usage_error(&aliasctl_cmd_compare,
				     "'%s' is not a time in seconds since the "
				     "epoch%s",
				     clamp_opt,
				     clamp_opt == env ? " (SOURCE_DATE_EPOCH)"
						      : "");
		ex = ARCHIVE_EXIT_ERROR;
		goto out;
	}
	if (bootstrap)
		for (size_t i = 0; i < COMPARE_N_BOOTSTRAP; i++)
			if (compare_add_pattern(
				    &exclude, &n_exclude,
				    compare_bootstrap_excludes[i].pattern) < 0)
				goto nomem;
	for (int s = 0; s < 2; s++) {
		const char *tree = argv[optind + s];

		fds[s] = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fds[s] < 0) {
			aliasctl_error("compare: %s: %s", tree,
				       strerror(errno));
			ex = ARCHIVE_EXIT_ERROR;
			goto out;
		}
		if (compare_load_map(tree, fds[s], arch, literal, &maps[s]) <
		    0) {
			ex = ARCHIVE_EXIT_ERROR;
			goto out;
		}
	}
	opts.map_a = maps[0];
	opts.map_b = maps[1];
	opts.exclude = exclude;
	opts.n_exclude = n_exclude;
	if (tree_diff_new(&opts, &td) < 0)
		goto nomem;
	cp.p = aliasctl_progress_start("compare", "entries");
	r = tree_diff_run(td, fds[0], fds[1], compare_progress, &cp);
	aliasctl_progress_stop(cp.p);
	if (r < 0) {
		int side = 0;
		const char *path = tree_diff_error_path(td, &side);

		if (path)
			aliasctl_error("compare: %s/%s: %s",
				       argv[optind + side], path, strerror(-r));
		else
			aliasctl_error("compare: %s", strerror(-r));
		ex = ARCHIVE_EXIT_ERROR;
		goto out;
	}
	items = tree_diff_items(td, &n);
	tree_diff_counts(td, &ea, &eb);
	aliasctl_out_big_buffer();
	if (json)
		compare_print_json(argv[optind], argv[optind + 1], items, n, ea,
				   eb);
	else
		compare_print_text(items, n, ea, eb);
	ex = n ? ARCHIVE_EXIT_CONFLICTS : ARCHIVE_EXIT_OK;
	r = aliasctl_out_flush();
	if (r < 0) {
		aliasctl_error("compare: writing the report: %s", strerror(-r));
		ex = ARCHIVE_EXIT_ERROR;
	}
	goto out;
nomem:
	aliasctl_error("compare: %s", strerror(ENOMEM));
	ex = ARCHIVE_EXIT_ERROR;
out:
	tree_diff_free(td);
	for (int s = 0; s < 2; s++) {
		aliasdb_map_free(maps[s]);
		if (fds[s] >= 0)
			close(fds[s]);
	}
	free(exclude);
	return ex;
}

#define COMPARE_HELP_HEAD                                              \
	"Compares the trees A and B path by path: the set of paths, "  \
	"and for each its type,\n"                                     \
	"permission bits, owner, group, symlink target, content, "     \
	"device number,\n"                                             \
	"hard-link group and extended attributes. Paths are "          \
	"canonical under each tree's\n"                                \
	"alias map (its database, else the host's default set; a "     \
	"mounted view uses the\n"                                      \
	"default set), so /bin/ls of a split tree is /usr/bin/ls; "    \
	"the entry at an alias\n"                                      \
	"path itself (the /bin symlink or directory) is compared "     \
	"as it is.\n"                                                  \
	"\n"                                                           \
	"Options:\n"                                                   \
	"  --json                machine-readable output\n"            \
	"  --exclude PATTERN     skip paths matching the glob "        \
	"PATTERN (a pattern without '/'\n"                             \
	"                        matches names), and all below; "      \
	"repeatable\n"                                                 \
	"  --bootstrap-excludes  skip the files listed below\n"        \
	"  --mtimes              compare modification times too\n"     \
	"  --clamp-mtime EPOCH   with --mtimes: later times count as " \
	"EPOCH (default:\n"                                            \
	"                        $SOURCE_DATE_EPOCH when set)\n"       \
	"  --literal             no alias map: compare paths as "      \
	"they are\n"                                                   \
	"  --arch ARCH           canonicalize both trees with ARCH's " \
	"default set\n"                                                \
	"  --no-xattrs           do not compare extended "             \
	"attributes\n"                                                 \
	"\n"                                                           \
	"--bootstrap-excludes skips:\n"
#define COMPARE_HELP_TAIL "\nExit status: 0 equal, 1 different, 2 error.\n"

const struct aliasctl_command aliasctl_cmd_compare = {
	.name = "compare",
	.usage = "compare [--json] [--exclude PATTERN]... "
		 "[--bootstrap-excludes] [--mtimes] TREE-A TREE-B",
	.summary = "compare two trees path by path",
	.help = COMPARE_HELP_HEAD COMPARE_BOOTSTRAP_EXCLUDES(COMPARE_HELP_LINE)
		COMPARE_HELP_TAIL,
	.run = compare_run,
};
