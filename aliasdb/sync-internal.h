/*
 * Private to aliasdb/: what declarations.c (sync) and quarantine.c
 * (activation) share. Nothing here is part of the contract in aliasdb.h.
 */
#ifndef ALIASDB_SYNC_INTERNAL_H
#define ALIASDB_SYNC_INTERNAL_H

#include "aliasdb-internal.h"

/* Keys in the "meta" database: declarations and quarantined files live
 * there under these prefixes, apart from "schema" and "generation". */
#define ALIASDB_META_DECL "decl:"
#define ALIASDB_META_QUARANTINE "quarantine:"
/* What the last sync could not import from a declaration, for status. */
#define ALIASDB_META_REFUSED "refused:"

/* The one-line reason recorded for an alias blocked by @diffs (n >= 1).
 * Returns NULL when out of memory. */
char *aliasdb_sync_blocked_reason(const struct aliasdb_diff *diffs, size_t n);

/*
 * Open the parent directory of absolute @path below @tree_fd, never
 * following a symlink. Returns the fd and *ret_last (the last component,
 * inside @path), -ENOENT when a component is missing, a symlink or not a
 * directory, other -errno.
 */
int aliasdb_tree_open_parent(int tree_fd, const char *path,
			     const char **ret_last);

/* Keep, in @txn, the problem events of @rep for each declaration in
 * @names, and forget those of declarations no longer there. Sets
 * *@changed when it wrote. 0 or -errno. */
int aliasdb_decl_problems_save(struct aliasdb *db, MDB_txn *txn,
			       const struct aliasdb_sync_report *rep,
			       const char *const *names, size_t n_names,
			       bool *changed);

/* Is this "meta" record (ALIASDB_META_REFUSED...) one the sync could have
 * written? 0 or -EUCLEAN. */
int aliasdb_decl_problems_record_check(const MDB_val *key, const MDB_val *val);

#endif /* ALIASDB_SYNC_INTERNAL_H */
