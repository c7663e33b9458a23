/*
 * Ownership index: which packages own a path, alias-aware, like `dpkg -S`
 * but answered from an LMDB index keyed by canonical path instead of by
 * reading every file list. Built from a root's dpkg database (the
 * PACKAGE.list files in var/lib/dpkg/info, and var/lib/dpkg/diversions)
 * and updated incrementally: only the lists that changed since the last
 * run are read.
 *
 * The index lives in its own LMDB environment, by default
 * ROOT/var/lib/aliasfs/owners, beside the alias database.
 */
#ifndef OWNER_INDEX_H
#define OWNER_INDEX_H

#include <stddef.h>

#include "aliasdb.h"
#include "archive/archive-input.h"

#define OWNER_INDEX_SUBDIR "var/lib/aliasfs/owners"

struct owner_index;

/* What owner_index_update() did. */
struct owner_index_stats {
	size_t lists_read;    /* new or changed lists read */
	size_t lists_kept;    /* unchanged, skipped */
	size_t lists_dropped; /* gone from the root, removed */
	size_t paths;	      /* paths read from the lists read */
	int rebuilt;	      /* 1 if the alias map changed: everything read */
};

/*
 * Open the index in directory @dir, creating it (and @dir) when @create.
 * Read-only otherwise. Returns 0 and *ret_index, or -ENOENT (no index and
 * not @create), other -errno (with @diag).
 */
int owner_index_open(const char *dir, int create,
		     struct owner_index **ret_index, struct arc_diag *diag);

/* Close. Accepts NULL. */
void owner_index_close(struct owner_index *index);

/*
 * Bring the index up to date with the dpkg database of @root,
 * canonicalizing with @map. One write transaction: a reader sees the old
 * or the new index, never a mix. Returns 0 and fills @ret_stats (may be
 * NULL), or -errno with @diag.
 */
int owner_index_update(struct owner_index *index, const char *root,
		       const struct aliasdb_map *map,
		       struct owner_index_stats *ret_stats,
		       struct arc_diag *diag);

/* One answer line: a package (or several) shipping @path. */
struct owner_entry {
	char *path; /* the spelling the packages list */
	char **packages;
	size_t n_packages;
};

/* A diversion of the queried path, from or to it. */
struct owner_diversion {
	char *from, *to;
	char *package; /* the diverting package, ":" for a local one */
};

struct owner_result {
	struct owner_entry *entries; /* sorted by path */
	size_t n_entries;
	struct owner_diversion *diversions;
	size_t n_diversions;
};

/*
 * Who owns @path (absolute; either spelling)? Canonicalizes with the map
 * the index was built with. Returns 1 and *ret_result if the path has
 * owners or diversions, 0 if not, -errno. Free with owner_result_free().
 */
int owner_index_lookup(struct owner_index *index, const char *path,
		       struct owner_result **ret_result);

/* Free. Accepts NULL. */
void owner_result_free(struct owner_result *result);

#endif /* OWNER_INDEX_H */
