/*
 * Conflict records: key canonical NUL shadowed (so LMDB's byte order sorts
 * by canonical first), an empty value. The one reader every user (the
 * library, the dump, the damage check) shares.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aliasdb-internal.h"

/* Build the key into @buf; -EINVAL for bad paths, -ENAMETOOLONG when the
 * pair exceeds LMDB's key limit. */
int aliasdb_conflict_key(struct aliasdb *db, const char *canonical,
			 const char *shadowed, char *buf, size_t size,
			 MDB_val *ret_key)
{
	size_t lc, ls;

	if (!canonical || !shadowed || !aliasdb_path_is_normalized(canonical) ||
	    !aliasdb_path_is_normalized(shadowed))
		return -EINVAL;
	lc = strlen(canonical);
	ls = strlen(shadowed);
	if (lc + 1 + ls > (size_t)mdb_env_get_maxkeysize(db->env) ||
	    lc + 1 + ls > size)
		return -ENAMETOOLONG;
	memcpy(buf, canonical, lc + 1);
	memcpy(buf + lc + 1, shadowed, ls);
	ret_key->mv_data = buf;
	ret_key->mv_size = lc + 1 + ls;
	return 0;
}

int aliasdb_conflict_check(const MDB_val *key, const MDB_val *val)
{
	char buf[2 * ALIASDB_PATH_MAX];
	const char *k, *nul;

	if (!key || !key->mv_data || !val || val->mv_size != 0 ||
	    key->mv_size < 3 || key->mv_size >= sizeof(buf))
		return -EUCLEAN;
	k = key->mv_data;
	nul = memchr(k, '\0', key->mv_size);
	if (!nul)
		return -EUCLEAN;
	memcpy(buf, k, key->mv_size);
	buf[key->mv_size] = '\0';
	/* The shadowed side must not hold another NUL either. */
	if (strlen(buf + (nul - k) + 1) != key->mv_size - (size_t)(nul - k) - 1)
		return -EUCLEAN;
	if (!aliasdb_path_is_normalized(buf) ||
	    !aliasdb_path_is_normalized(buf + (nul - k) + 1))
		return -EUCLEAN;
	return 0;
}

int aliasdb_conflict_put_txn(struct aliasdb *db, MDB_txn *txn,
			     const char *canonical, const char *shadowed)
{
	char buf[2 * ALIASDB_PATH_MAX];
	MDB_val key, val = {0, NULL};
	int r;

	r = aliasdb_conflict_key(db, canonical, shadowed, buf, sizeof(buf),
				 &key);
	if (r < 0)
		return r;
	return aliasdb_lmdb_error(mdb_put(txn, db->conflicts, &key, &val, 0));
}

void aliasdb_conflict_list_free(struct aliasdb_conflict *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++) {
		free(list[i].canonical);
		free(list[i].shadowed);
	}
	free(list);
}
