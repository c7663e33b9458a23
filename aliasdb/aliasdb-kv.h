/*
 * aliasdb-kv.h: a small key-value store for the indexes other modules keep
 * beside the alias database (the ownership index of archive/). Named
 * tables of byte strings in one LMDB environment, with LMDB's errors
 * mapped to -errno by aliasdb's one mapping, so that no module outside
 * aliasdb/ uses LMDB itself.
 *
 * Every function returns 0 (or what it says) on success and -errno on
 * failure; none prints.
 */
#ifndef ALIASDB_KV_H
#define ALIASDB_KV_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest key a table accepts (LMDB's default key size limit). */
#define ALIASDB_KV_KEY_MAX 511

struct aliasdb_kv;
struct aliasdb_kv_txn;

/* A value read from a table: valid until the next write in the same
 * transaction or its end, whichever comes first. */
struct aliasdb_bytes {
	const void *data;
	size_t len;
};

/*
 * Open the store in directory @dir (which must exist), with tables named
 * @tables[0..@n_tables-1] (at most 16), addressed afterwards by their
 * index. @create: read-write, creating the tables that are missing;
 * otherwise read-only. @map_size bounds the store's size.
 * Returns 0 and *ret_store, -ENOENT (no store, or a table is missing and
 * not @create), -EUCLEAN (damaged), other -errno.
 */
int aliasdb_kv_open(const char *dir, bool create, size_t map_size,
		    const char *const *tables, size_t n_tables,
		    struct aliasdb_kv **ret_store);

/* Close. Accepts NULL. No transaction may be open. */
void aliasdb_kv_close(struct aliasdb_kv *store);

/*
 * Begin a transaction: @write for the one writer (a reader sees the state
 * before or after it, never a mix), otherwise a read snapshot. Returns 0
 * and *ret_txn, -errno.
 */
int aliasdb_kv_begin(struct aliasdb_kv *store, bool write,
		     struct aliasdb_kv_txn **ret_txn);

/* Commit and end @txn (also on failure, which discards the writes).
 * Returns 0, -ENOSPC (the store is full), other -errno. */
int aliasdb_kv_commit(struct aliasdb_kv_txn *txn);

/* Discard and end @txn. Accepts NULL. */
void aliasdb_kv_abort(struct aliasdb_kv_txn *txn);

/* Read @key of @table into *ret_val. Returns 0, -ENOENT, -errno. */
int aliasdb_kv_get(struct aliasdb_kv_txn *txn, unsigned table, const void *key,
		   size_t key_len, struct aliasdb_bytes *ret_val);

/* Write @key of @table (replacing). Returns 0, -ENOSPC, -EINVAL (key
 * empty or longer than ALIASDB_KV_KEY_MAX), -errno. */
int aliasdb_kv_put(struct aliasdb_kv_txn *txn, unsigned table, const void *key,
		   size_t key_len, const void *val, size_t val_len);

/* Delete @key of @table. Returns 0, -ENOENT (not there), -errno. */
int aliasdb_kv_del(struct aliasdb_kv_txn *txn, unsigned table, const void *key,
		   size_t key_len);

/* Empty @table. Returns 0, -errno. */
int aliasdb_kv_clear(struct aliasdb_kv_txn *txn, unsigned table);

/*
 * Call @fn for every entry of @table in key order; @fn returns 1 to delete
 * the entry, 0 to keep it, -errno to stop (returned). @fn may write to
 * other tables of @txn, never to @table. Returns 0 or -errno.
 */
int aliasdb_kv_sweep(struct aliasdb_kv_txn *txn, unsigned table,
		     int (*fn)(const void *key, size_t key_len, const void *val,
			       size_t val_len, void *userdata),
		     void *userdata);

#ifdef __cplusplus
}
#endif

#endif /* ALIASDB_KV_H */
