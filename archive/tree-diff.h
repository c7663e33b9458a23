/*
 * Tree comparison: are two directory trees the same system, path by path?
 * What `aliasctl compare` reports.
 *
 * Each tree is walked without following a symlink and without leaving the
 * tree's file system. Every entry is keyed by its canonical path under the
 * tree's alias map (NULL map: by its path as it is), so a split tree
 * (real bin/ and usr/bin/) and a merged one (bin -> usr/bin) hold the
 * same keys: /bin/ls is compared as /usr/bin/ls. The entry found exactly
 * at an alias path (the /bin symlink of a merged tree, the real /bin
 * directory of a split one) keeps its own path, so a layout difference
 * shows once, there. Where one tree holds a path under both spellings,
 * they count as one when aliasdb_entries_same() says so, as in the view;
 * otherwise the canonical one is compared and the other is reported as
 * shadowed.
 *
 * Per path: type, permission bits, owner, group, symlink target, content,
 * device number (the last three decided by aliasdb_entries_same(), the
 * project's one rule), hard-link group, extended attributes and, on
 * request, the modification time.
 */
#ifndef TREE_DIFF_H
#define TREE_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "aliasdb.h"

enum tree_diff_kind {
	TREE_DIFF_ONLY_A,     /* in A only (below it: counted, not listed) */
	TREE_DIFF_ONLY_B,     /* in B only */
	TREE_DIFF_TYPE,	      /* file, directory, symlink, ... */
	TREE_DIFF_MODE,	      /* permission bits, set-ID and sticky bits */
	TREE_DIFF_OWNER,      /* numeric uid */
	TREE_DIFF_GROUP,      /* numeric gid */
	TREE_DIFF_TARGET,     /* symlink target text */
	TREE_DIFF_CONTENT,    /* regular file bytes (sha256 and size shown) */
	TREE_DIFF_DEVICE,     /* device number of a device node */
	TREE_DIFF_HARDLINK,   /* hard-link group (its first path shown) */
	TREE_DIFF_XATTR,      /* extended attributes, names and values */
	TREE_DIFF_MTIME,      /* modification time (TREE_DIFF_MTIMES only) */
	TREE_DIFF_SHADOWED_A, /* A holds two differing spellings of a path */
	TREE_DIFF_SHADOWED_B,
	TREE_DIFF_KINDS
};

/* One difference. @a and @b describe each tree's side as text ("0755",
 * "sha256:... 1234 bytes", "symlink"); NULL where a side has nothing to
 * say (the absent side of ONLY_A/ONLY_B). */
struct tree_diff_item {
	enum tree_diff_kind kind;
	char *path; /* canonical, absolute ("/" is the root) */
	char *a;
	char *b;
};

enum tree_diff_flags {
	TREE_DIFF_MTIMES = 1 << 0,    /* compare modification times */
	TREE_DIFF_NO_XATTRS = 1 << 1, /* do not read extended attributes */
};

struct tree_diff_options {
	/* Alias maps of A and B; NULL: compare paths as they are. */
	const struct aliasdb_map *map_a;
	const struct aliasdb_map *map_b;
	/* Glob patterns (fnmatch(3), no flags) matched against canonical
	 * paths; a pattern without '/' is matched against the entry's name.
	 * A matching directory is skipped with everything below it. */
	const char *const *exclude;
	size_t n_exclude;
	unsigned flags;
	/* With TREE_DIFF_MTIMES and @clamp >= 0: a time after @clamp (seconds
	 * since the epoch) counts as @clamp, as SOURCE_DATE_EPOCH tools do. */
	int64_t clamp;
};

struct tree_diff;

/* A comparison with @opts (copied; the maps and patterns must outlive
 * it). Returns 0 and *ret_td, or -ENOMEM. */
int tree_diff_new(const struct tree_diff_options *opts,
		  struct tree_diff **ret_td);

void tree_diff_free(struct tree_diff *td);

/*
 * Compare the tree whose root directory is open at @fd_a with the one at
 * @fd_b (neither is consumed). @progress, if not NULL, is called now and
 * then with the number of entries walked and bytes compared so far.
 * Returns 0 when the comparison ran (whatever it found), or -errno:
 * tree_diff_error_path() then names the path that failed (-ENAMETOOLONG
 * for a path longer than ALIASDB_PATH_MAX, -ENOMEM, an error reading an
 * entry).
 */
int tree_diff_run(struct tree_diff *td, int fd_a, int fd_b,
		  void (*progress)(void *ctx, uint64_t entries, uint64_t bytes),
		  void *progress_ctx);

/* The differences of the last successful run, grouped by kind in the
 * order of enum tree_diff_kind, by path within a kind. Owned by @td. */
const struct tree_diff_item *tree_diff_items(const struct tree_diff *td,
					     size_t *ret_n);

/* Entries compared in each tree (after exclusions; below an only-one-side
 * directory included). */
void tree_diff_counts(const struct tree_diff *td, size_t *ret_entries_a,
		      size_t *ret_entries_b);

/* The path (relative to its tree's root, "" for the root) the last failed
 * run failed at, or NULL; *ret_side gets 0 for A, 1 for B. Owned by @td. */
const char *tree_diff_error_path(const struct tree_diff *td, int *ret_side);

/* A short name of @kind ("only-a", "mode", ...), static. */
const char *tree_diff_kind_name(enum tree_diff_kind kind);

#endif /* TREE_DIFF_H */
