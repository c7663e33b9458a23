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

/* Call @fn for each record of @dbi in @txn, in key order, or with a
 * @prefix only for those whose key starts with it ("meta" holds several
 * kinds side by side). The one cursor walk the dump, the sync and others
 * share. Stops at the first @fn < 0 and returns it; else 0 or -errno. */
int aliasdb_db_each(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
		    int (*fn)(const MDB_val *key, const MDB_val *val,
			      void *ctx),
		    void *ctx);

/* For the "meta" records db.c owns (schema, generation): 0 when whole,
 * -EUCLEAN when not; 1 for a key that is not one of them. */
int aliasdb_db_meta_check(const MDB_val *key, const MDB_val *val);

/* The environment of @dir (data.mdb there), its named databases and
 * schema; no check of the files (open.c does that first). */
int aliasdb_db_open_env(const char *dir, bool rdonly, struct aliasdb **ret_db);

void aliasdb_db_close(struct aliasdb *db);

/* mkdir -p @dir with mode 0755. */
int aliasdb_db_make_dirs(const char *dir);

/* chmod @dir/@name. */
int aliasdb_db_set_mode(const char *dir, const char *name, mode_t mode);

/* Generation as seen by @txn. */
int aliasdb_db_txn_generation(struct aliasdb *db, MDB_txn *txn,
			      uint64_t *ret_generation);

/* ---- alias-record.c ---- */

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

/* Is this (key, value) of the "aliases" database one that this library
 * could have written? 0 or -EUCLEAN. Reads only within the sizes. */
int aliasdb_record_check(const MDB_val *key, const MDB_val *val);

/* The record of @alias in @txn: -ENOENT when absent. */
int aliasdb_record_get(struct aliasdb *db, MDB_txn *txn, const char *alias,
		       struct aliasdb_record *ret_rec);

/* Can @path be a key of the aliases database? */
bool aliasdb_record_key_fits(struct aliasdb *db, const char *path);

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

/* ---- alias-store.c ---- */

/* Set the state of @alias within an open write txn (@reason: required for
 * BLOCKED). 1 if the record changed, 0 if it already held this, -EINVAL,
 * -ENOENT, other -errno. */
int aliasdb_store_set_state_txn(struct aliasdb *db, MDB_txn *txn,
				const char *alias, enum aliasdb_state state,
				const char *reason);

/* Every rule, the relational ones against the aliases in @txn, for a new
 * pair: 0 with *ret_rule (ALIASDB_RULE_OK when accepted), or -errno. */
int aliasdb_store_check_txn(struct aliasdb *db, MDB_txn *txn, const char *alias,
			    const char *canonical, enum aliasdb_rule *ret_rule);

/* Add within an open write txn. Same returns as aliasdb_add(). */
int aliasdb_store_add_txn(struct aliasdb *db, MDB_txn *txn, const char *alias,
			  const char *canonical, const char *owner,
			  enum aliasdb_rule *ret_rule);

/* ---- conflict-record.c ---- */

/* Build the key of conflict (@canonical, @shadowed) into @buf: -EINVAL for
 * paths not normalized, -ENAMETOOLONG when too long for a key. */
int aliasdb_conflict_key(struct aliasdb *db, const char *canonical,
			 const char *shadowed, char *buf, size_t size,
			 MDB_val *ret_key);

/* Is this (key, value) a conflict record? 0 or -EUCLEAN. */
int aliasdb_conflict_check(const MDB_val *key, const MDB_val *val);

/* Record a conflict in an open write txn: 0, -EINVAL (paths not
 * normalized), -ENAMETOOLONG, other -errno. */
int aliasdb_conflict_put_txn(struct aliasdb *db, MDB_txn *txn,
			     const char *canonical, const char *shadowed);

/* ---- map.c ---- */

/* Copy @n pairs (already checked against the rules) into a new map, sorted
 * by alias path, identical pairs once. */
int aliasdb_map_build(const char *const *alias, const char *const *canonical,
		      size_t n, uint64_t generation,
		      struct aliasdb_map **ret_map);

/* ---- dpkg-claims-record.c ---- */

/* Is this record of the claims database @db ("files", "owners", "meta")
 * one the library could have written? 0 or -EUCLEAN. */
int aliasdb_claims_record_check(const char *db, const MDB_val *key,
				const MDB_val *val);

/* ---- lmdb-file.c ---- */

/* Longest reason given for a damaged store, NUL included. */
#define ALIASDB_DAMAGE_REASON_MAX 256

/*
 * Look at the LMDB data file open at @fd with pread only (nothing maps
 * it): size, meta pages, page size, root pages. Returns 0 when LMDB can
 * map it, -EUCLEAN with a one-line reason in @why when it is damaged (or
 * not an LMDB file at all), -errno when it cannot be read.
 */
int aliasdb_lmdb_file_check(int fd, char *why, size_t why_size);

/* ---- verify.c ---- */

/* The stores of a database directory. */
enum aliasdb_store {
	ALIASDB_STORE_MAP,    /* data.mdb: the alias map */
	ALIASDB_STORE_CLAIMS, /* ALIASDB_CLAIMS_FILE */
};

/*
 * Is the store @store in @dir damaged? Checked in a child process that
 * walks and decodes all of it (see verify.c); the verdict is kept for an
 * unchanged file. Returns 0 (sound), -EUCLEAN with the reason in @why,
 * -ENOENT (no such file), other -errno (could not check).
 */
int aliasdb_verify_store(const char *dir, enum aliasdb_store store, char *why,
			 size_t why_size);

/*
 * Check the stores in @stores (a mask of 1 << enum aliasdb_store) of @dir
 * that exist, as an open does first. On -EUCLEAN the damaged file and the
 * reason are noted for aliasdb_open_damaged_file(). Returns 0, -EUCLEAN,
 * other -errno.
 */
int aliasdb_verify_open(const char *dir, unsigned stores);

/* Note @file as damaged for @why (NULL, NULL: nothing damaged). */
void aliasdb_damage_note(const char *file, const char *why);

/* Is this record of the "meta" database one this library could have
 * written (schema, generation, declarations, quarantine, sync problems)?
 * Keys it does not know (other modules', later versions') are accepted.
 * 0 or -EUCLEAN. */
int aliasdb_meta_record_check(const MDB_val *key, const MDB_val *val);

/* ---- dump.c ---- */

/* aliasdb_dump() within @txn (read or write). */
int aliasdb_dump_txn(struct aliasdb *db, MDB_txn *txn, char **ret_text,
		     size_t *ret_len);

/* ---- copy.c ---- */

/* Rewrite the kept copy of @db's current state (temporary file, fsync,
 * rename, under LMDB's writer lock so that copies follow commits in
 * order). A failure leaves the old copy, which `aliasctl status` then
 * reports as behind. Returns 0 or -errno. */
int aliasdb_copy_write(struct aliasdb *db);

/* Commit a write of @db (aliasdb_db_write_commit()) and rewrite the copy.
 * Every write of the alias map commits through here. The commit stands
 * whatever happens to the copy; the next write retries it. */
int aliasdb_commit(struct aliasdb *db, MDB_txn *txn);

/* Replace file @name of directory @dir with the @len bytes at @text, mode
 * 0644: temporary file, fsync, rename, fsync of the directory, so that a
 * crash leaves the old file or the new one. 0 or -errno. */
int aliasdb_write_file_replace(const char *dir, const char *name,
			       const char *text, size_t len);

/* ---- dir-names.c ---- */

/* The names in directory @fd (not consumed), "." and ".." left out,
 * sorted by strcmp so that every walk over them comes out the same each
 * time. 0 or -errno; free *ret_names with aliasdb_dir_names_free(). */
int aliasdb_dir_names(int fd, char ***ret_names, size_t *ret_n);
void aliasdb_dir_names_free(char **names, size_t n);

/* ---- line-fields.c ---- */

/* Split the line @s (@len bytes, no '\n') into at most @max fields
 * separated by blanks, stopping at a field that starts with '#'. Returns
 * how many were found; field i is @ret_fields[i], @ret_lens[i] bytes. */
int aliasdb_line_fields(const char *s, size_t len, const char **ret_fields,
			size_t *ret_lens, int max);

/* Call @fn for each line of the @len bytes at @text (without its '\n',
 * numbered from 1) until one returns non-zero. Returns that, or 0. */
int aliasdb_lines_each(const char *text, size_t len,
		       int (*fn)(void *ctx, unsigned line, const char *s,
				 size_t len),
		       void *ctx);

/* Is @name, in a declaration or rule directory, a file not to read (a
 * dot file, a backup ending in '~', dpkg's and ucf's temporary files)? */
bool aliasdb_decl_name_ignored(const char *name);

/* ---- read-file.c ---- */

/* The content of regular file @name (relative to @dfd, no symlink
 * followed), at most @max bytes, NUL-terminated in *ret_text (free()) and
 * its length in *ret_len. 0, -EUCLEAN (not a regular file, or larger),
 * -ENOMEM or -errno. */
int aliasdb_read_file_at(int dfd, const char *name, size_t max, char **ret_text,
			 size_t *ret_len);

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
