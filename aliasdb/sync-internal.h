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

/* Record, within @txn, that @original (a tree path) now lies in the
 * quarantine at @rel (relative to it, starting with '/'), moved there for
 * @alias: the record `aliasctl status` lists. */
int aliasdb_quarantine_record_txn(struct aliasdb *db, MDB_txn *txn,
				  const char *alias, const char *original,
				  const char *rel);

/* Forget the record of the quarantined file at @rel (a file moved back
 * out of the quarantine). A missing record is fine. */
int aliasdb_quarantine_unrecord_txn(struct aliasdb *db, MDB_txn *txn,
				    const char *rel);

#endif /* ALIASDB_SYNC_INTERNAL_H */
