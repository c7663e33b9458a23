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

/* A declaration as imported: its content's digest and size, and the
 * pairs it owns. */
struct sync_stored {
	char *name;
	uint64_t digest, size;
	char **pairs; /* alias, canonical, alias, canonical, ... */
	size_t n_pairs;
	bool seen;
};

/* Decode the stored declaration at "meta" record (@key, @val) into @s:
 * 0, -EUCLEAN or -ENOMEM; free @s with aliasdb_decl_stored_free_one()
 * either way. */
int aliasdb_decl_stored_decode(const MDB_val *key, const MDB_val *val,
			       struct sync_stored *s);

void aliasdb_decl_stored_free_one(struct sync_stored *s);

/* Store declaration @name as imported in @txn. */
int aliasdb_decl_stored_put(struct aliasdb *db, MDB_txn *txn, const char *name,
			    uint64_t digest, uint64_t size, char *const *pairs,
			    size_t n_pairs);

/* Record in @txn that @original, moved by activating @alias, is at @rel
 * inside the quarantine directory. */
int aliasdb_quarantine_record_put(struct aliasdb *db, MDB_txn *txn,
				  const char *rel, const char *alias,
				  const char *original);

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

/* decl-record.c: is this "meta" record a stored declaration
 * (ALIASDB_META_DECL...) that the sync could have written? 0, -EUCLEAN or
 * -ENOMEM. */
int aliasdb_decl_record_check(const MDB_val *key, const MDB_val *val);

/* quarantine-record.c: is this "meta" record a quarantine record? 0 or
 * -EUCLEAN. */
int aliasdb_quarantine_record_check(const MDB_val *key, const MDB_val *val);

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
