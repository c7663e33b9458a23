/*
 * The key-value store of aliasdb-kv.h on LMDB: a thin layer whose only work
 * is to keep LMDB's types and return codes inside aliasdb/.
 */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>

#include "aliasdb-internal.h"
#include "aliasdb-kv.h"

#define KV_TABLES_MAX 16

struct aliasdb_kv {
	MDB_env *env;
	MDB_dbi dbi[KV_TABLES_MAX];
	size_t n_tables;
	bool read_only;
};

struct aliasdb_kv_txn {
	struct aliasdb_kv *store;
	MDB_txn *txn;
};

static MDB_val kv_val(const void *data, size_t len)
{
	MDB_val v = {len, (void *)data};

	return v;
}

/* Open (or, with @create, create) every table in one transaction. */
static int kv_open_tables(struct aliasdb_kv *s, bool create,
			  const char *const *tables)
{
	MDB_txn *txn;
	int rc;

	rc = mdb_txn_begin(s->env, NULL, create ? 0 : MDB_RDONLY, &txn);
	if (rc)
		return aliasdb_lmdb_error(rc);
	for (size_t i = 0; i < s->n_tables && rc == 0; i++)
		rc = mdb_dbi_open(txn, tables[i], create ? MDB_CREATE : 0,
				  &s->dbi[i]);
	if (rc) {
		mdb_txn_abort(txn);
		return aliasdb_lmdb_error(rc);
	}
	return aliasdb_lmdb_error(mdb_txn_commit(txn));
}

int aliasdb_kv_open(const char *dir, bool create, size_t map_size,
		    const char *const *tables, size_t n_tables,
		    struct aliasdb_kv **ret_store)
{
	struct aliasdb_kv *s;
	int rc, r;

	if (n_tables == 0 || n_tables > KV_TABLES_MAX)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->n_tables = n_tables;
	s->read_only = !create;
	rc = mdb_env_create(&s->env);
	if (rc) {
		free(s);
		return aliasdb_lmdb_error(rc);
	}
	rc = mdb_env_set_maxdbs(s->env, (MDB_dbi)n_tables);
	if (rc == 0)
		rc = mdb_env_set_mapsize(s->env, map_size);
	if (rc == 0)
		rc = mdb_env_open(s->env, dir, create ? 0 : MDB_RDONLY, 0644);
	r = aliasdb_lmdb_error(rc);
	if (r == 0)
		r = kv_open_tables(s, create, tables);
	if (r < 0) {
		aliasdb_kv_close(s);
		return r;
	}
	*ret_store = s;
	return 0;
}

void aliasdb_kv_close(struct aliasdb_kv *store)
{
	if (!store)
		return;
	if (store->env)
		mdb_env_close(store->env);
	free(store);
}

int aliasdb_kv_begin(struct aliasdb_kv *store, bool write,
		     struct aliasdb_kv_txn **ret_txn)
{
	struct aliasdb_kv_txn *t;
	int rc;

	if (write && store->read_only)
		return -EROFS;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->store = store;
	rc = mdb_txn_begin(store->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
	if (rc) {
		free(t);
		return aliasdb_lmdb_error(rc);
	}
	*ret_txn = t;
	return 0;
}

int aliasdb_kv_commit(struct aliasdb_kv_txn *txn)
{
	int rc = mdb_txn_commit(txn->txn);

	free(txn);
	return aliasdb_lmdb_error(rc);
}

void aliasdb_kv_abort(struct aliasdb_kv_txn *txn)
{
	if (!txn)
		return;
	mdb_txn_abort(txn->txn);
	free(txn);
}

/* The table's handle, or -EINVAL for an index open() was not given. */
static int kv_dbi(struct aliasdb_kv_txn *txn, unsigned table, MDB_dbi *ret_dbi)
{
	if (table >= txn->store->n_tables)
		return -EINVAL;
	*ret_dbi = txn->store->dbi[table];
	return 0;
}

int aliasdb_kv_get(struct aliasdb_kv_txn *txn, unsigned table, const void *key,
		   size_t key_len, struct aliasdb_bytes *ret_val)
{
	MDB_val k = kv_val(key, key_len), v;
	MDB_dbi dbi;
	int r = kv_dbi(txn, table, &dbi);

	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_get(txn->txn, dbi, &k, &v));
	if (r < 0)
		return r;
	ret_val->data = v.mv_data;
	ret_val->len = v.mv_size;
	return 0;
}

int aliasdb_kv_put(struct aliasdb_kv_txn *txn, unsigned table, const void *key,
		   size_t key_len, const void *val, size_t val_len)
{
	MDB_val k = kv_val(key, key_len), v = kv_val(val, val_len);
	MDB_dbi dbi;
	int r = kv_dbi(txn, table, &dbi);

	if (r < 0)
		return r;
	if (key_len == 0 || key_len > ALIASDB_KV_KEY_MAX)
		return -EINVAL;
	return aliasdb_lmdb_error(mdb_put(txn->txn, dbi, &k, &v, 0));
}

int aliasdb_kv_del(struct aliasdb_kv_txn *txn, unsigned table, const void *key,
		   size_t key_len)
{
	MDB_val k = kv_val(key, key_len);
	MDB_dbi dbi;
	int r = kv_dbi(txn, table, &dbi);

	if (r < 0)
		return r;
	return aliasdb_lmdb_error(mdb_del(txn->txn, dbi, &k, NULL));
}

int aliasdb_kv_clear(struct aliasdb_kv_txn *txn, unsigned table)
{
	MDB_dbi dbi;
	int r = kv_dbi(txn, table, &dbi);

	if (r < 0)
		return r;
	return aliasdb_lmdb_error(mdb_drop(txn->txn, dbi, 0));
}

int aliasdb_kv_sweep(struct aliasdb_kv_txn *txn, unsigned table,
		     int (*fn)(const void *key, size_t key_len, const void *val,
			       size_t val_len, void *userdata),
		     void *userdata)
{
	MDB_cursor *cur;
	MDB_val k, v;
	MDB_dbi dbi;
	int rc, r = kv_dbi(txn, table, &dbi);

	if (r < 0)
		return r;
	rc = mdb_cursor_open(txn->txn, dbi, &cur);
	if (rc)
		return aliasdb_lmdb_error(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		r = fn(k.mv_data, k.mv_size, v.mv_data, v.mv_size, userdata);
		if (r == 1)
			r = aliasdb_lmdb_error(mdb_cursor_del(cur, 0));
		if (r < 0)
			goto out;
	}
	r = rc == MDB_NOTFOUND ? 0 : aliasdb_lmdb_error(rc);
out:
	mdb_cursor_close(cur);
	return r;
}
