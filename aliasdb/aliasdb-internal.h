/*
 * Private to aliasdb/: shared between the library's files and its unit
 * tests. Nothing here is part of the contract in aliasdb.h.
 */
#ifndef ALIASDB_INTERNAL_H
#define ALIASDB_INTERNAL_H

#include <stdbool.h>
#include <lmdb.h>

#include "aliasdb.h"

/* ---- path.c ---- */

/* Is @path absolute and already in normalized form? */
bool aliasdb_path_is_normalized(const char *path);

/* Is @path equal to @prefix or below it, on whole components? */
bool aliasdb_path_is_under(const char *path, const char *prefix);

/* ---- lmdb-error.c ---- */

/* The one place where an LMDB return code becomes 0 or -errno. */
int aliasdb_lmdb_error(int rc);

/* ---- rules.c ---- */

/* Rules on one pair that do not depend on other aliases. */
enum aliasdb_rule aliasdb_rules_check_pair(const char *alias,
					   const char *canonical);

/* Rules relating a new pair to one existing pair (CHAIN, DUPLICATE). An
 * identical existing pair is ALIASDB_RULE_OK. */
enum aliasdb_rule aliasdb_rules_check_against(const char *alias,
					      const char *canonical,
					      const char *ex_alias,
					      const char *ex_canonical);

/* @rule if either side of the pair is @subtree, under it or contains it
 * (@subtree may be NULL: none), else ALIASDB_RULE_OK. The fixed subtrees
 * are checked by aliasdb_rules_check_pair(); this one is for subtrees
 * known only at run time (a database directory inside the tree). */
enum aliasdb_rule aliasdb_rules_check_subtree(const char *alias,
					      const char *canonical,
					      const char *subtree,
					      enum aliasdb_rule rule);

/* Owner names are declaration file names. */
enum aliasdb_rule aliasdb_rules_check_owner(const char *owner);

/* ---- db.c ---- */

struct aliasdb {
	MDB_env *env;
	MDB_dbi meta;
	MDB_dbi aliases;
	MDB_dbi conflicts;
	bool rdonly;
};

/* Start a write transaction: -EROFS on a read-only handle. */
int aliasdb_db_write_begin(struct aliasdb *db, MDB_txn **ret_txn);

/* Bump the generation inside @txn and commit it; aborts on failure. */
int aliasdb_db_write_commit(struct aliasdb *db, MDB_txn *txn);

int aliasdb_db_read_begin(struct aliasdb *db, MDB_txn **ret_txn);

/* Generation as seen by @txn. */
int aliasdb_db_txn_generation(struct aliasdb *db, MDB_txn *txn,
			      uint64_t *ret_generation);

/* ---- alias-store.c ---- */

/* A decoded alias record; strings point into the LMDB value (valid only
 * during the transaction) except when built by the writer. */
struct aliasdb_record {
	const char *canonical;
	enum aliasdb_state state;
	bool by_hand;
	const char *reason; /* "" when none */
	const char *owners; /* n_owners NUL-terminated names, sorted */
	size_t owners_len;  /* bytes of owners, NULs included */
	size_t n_owners;
};

int aliasdb_record_decode(const MDB_val *val, struct aliasdb_record *ret_rec);

/* The record of @alias in @txn: -ENOENT when absent. */
int aliasdb_record_get(struct aliasdb *db, MDB_txn *txn, const char *alias,
		       struct aliasdb_record *ret_rec);

/* The owner names of @rec as an array of pointers into it, with room for
 * one more (the caller frees the array). */
int aliasdb_record_owners(const struct aliasdb_record *rec,
			  const char ***ret_owners);

/* Write the record of @alias; @owners: @n sorted names. The strings may
 * point into LMDB memory of @txn: they are copied before the write. */
int aliasdb_record_put(struct aliasdb *db, MDB_txn *txn, const char *alias,
		       const char *canonical, enum aliasdb_state state,
		       bool by_hand, const char *reason,
		       const char *const *owners, size_t n);

/* Set the state of @alias within an open write txn (@reason: required for
 * BLOCKED). 1 if the record changed, 0 if it already held this, -EINVAL,
 * -ENOENT, other -errno. */
int aliasdb_store_set_state_txn(struct aliasdb *db, MDB_txn *txn,
				const char *alias, enum aliasdb_state state,
				const char *reason);

/* Add within an open write txn. Same returns as aliasdb_add(). */
int aliasdb_store_add_txn(struct aliasdb *db, MDB_txn *txn, const char *alias,
			  const char *canonical, const char *owner,
			  enum aliasdb_rule *ret_rule);

/* ---- map.c ---- */

/* Copy @n pairs (already checked against the rules) into a new map, sorted
 * by alias path, identical pairs once. */
int aliasdb_map_build(const char *const *alias, const char *const *canonical,
		      size_t n, uint64_t generation,
		      struct aliasdb_map **ret_map);

/* ---- test hooks (used only by tests/unit) ---- */

/* Overwrite the stored schema version, so tests can fake a newer one. */
int aliasdb_debug_set_schema(struct aliasdb *db, unsigned version);

/*
 * Add @n pairs by hand in ONE write transaction and call @before_commit
 * (if non-NULL) while the transaction is still open, so tests can observe
 * or kill a writer in the middle of a write.
 */
int aliasdb_debug_add_batch(struct aliasdb *db, const char *const *alias,
			    const char *const *canonical, size_t n,
			    void (*before_commit)(void *), void *userdata);

#endif /* ALIASDB_INTERNAL_H */
