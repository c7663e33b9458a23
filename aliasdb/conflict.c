/*
 * Conflicts: a canonical path whose alias spelling holds a differing file.
 * Key: canonical NUL shadowed (so LMDB's byte order sorts by canonical
 * first); the value is empty.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aliasdb-internal.h"

int aliasdb_conflict_add(struct aliasdb *db, const char *canonical,
			 const char *shadowed)
{
	char buf[2 * ALIASDB_PATH_MAX];
	MDB_val key, val = {0, NULL};
	MDB_txn *txn;
	int r, rc;

	if (!db)
		return -EINVAL;
	r = aliasdb_conflict_key(db, canonical, shadowed, buf, sizeof(buf),
				 &key);
	if (r < 0)
		return r;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	rc = mdb_put(txn, db->conflicts, &key, &val, MDB_NOOVERWRITE);
	if (rc == MDB_KEYEXIST) {
		mdb_txn_abort(txn);
		return 0;
	}
	r = aliasdb_lmdb_error(rc);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	r = aliasdb_commit(db, txn);
	return r < 0 ? r : 1;
}

int aliasdb_conflict_remove(struct aliasdb *db, const char *canonical,
			    const char *shadowed)
{
	char buf[2 * ALIASDB_PATH_MAX];
	MDB_val key;
	MDB_txn *txn;
	int r;

	if (!db)
		return -EINVAL;
	r = aliasdb_conflict_key(db, canonical, shadowed, buf, sizeof(buf),
				 &key);
	if (r == -ENAMETOOLONG)
		return -ENOENT; /* could never have been recorded */
	if (r < 0)
		return r;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_del(txn, db->conflicts, &key, NULL));
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_commit(db, txn);
}

int aliasdb_conflict_list(struct aliasdb *db,
			  struct aliasdb_conflict **ret_list, size_t *ret_n)
{
	struct aliasdb_conflict *list = NULL;
	size_t n = 0, cap = 0;
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	MDB_txn *txn;
	int r, rc;

	if (!db)
		return -EINVAL;
	r = aliasdb_db_read_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_cursor_open(txn, db->conflicts, &cur));
	if (r < 0)
		goto out;
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		const char *k = key.mv_data, *nul;
		size_t lc;

		if (aliasdb_conflict_check(&key, &val) < 0) {
			r = -EUCLEAN;
			goto out;
		}
		nul = memchr(k, '\0', key.mv_size);
		lc = (size_t)(nul - k);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct aliasdb_conflict *nl;

			nl = realloc(list, ncap * sizeof(*nl));
			if (!nl) {
				r = -ENOMEM;
				goto out;
			}
			list = nl;
			cap = ncap;
		}
		list[n].canonical = strndup(k, lc);
		list[n].shadowed = strndup(nul + 1, key.mv_size - lc - 1);
		n++;
		if (!list[n - 1].canonical || !list[n - 1].shadowed) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
out:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (r < 0) {
		aliasdb_conflict_list_free(list, n);
		return r;
	}
	if (n == 0) {
		free(list);
		list = NULL;
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}
