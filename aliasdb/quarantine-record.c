/*
 * Quarantine records, in the "meta" database under
 * "quarantine:<path inside the quarantine directory>":
 *   ALIAS NUL ORIGINAL NUL
 * The one reader every user (the library, the dump, the damage check)
 * shares.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync-internal.h"

int aliasdb_quarantine_record_put(struct aliasdb *db, MDB_txn *txn,
				  const char *rel, const char *alias,
				  const char *original)
{
	char *key, *val;
	size_t al = strlen(alias) + 1, ol = strlen(original) + 1;
	MDB_val k, v;
	int r;

	if (asprintf(&key, "%s%s", ALIASDB_META_QUARANTINE, rel) < 0)
		return -ENOMEM;
	val = malloc(al + ol);
	if (!val) {
		free(key);
		return -ENOMEM;
	}
	memcpy(val, alias, al);
	memcpy(val + al, original, ol);
	k.mv_size = strlen(key);
	k.mv_data = key;
	v.mv_size = al + ol;
	v.mv_data = val;
	r = aliasdb_lmdb_error(mdb_put(txn, db->meta, &k, &v, 0));
	free(key);
	free(val);
	return r;
}

int aliasdb_quarantine_record_check(const MDB_val *key, const MDB_val *val)
{
	const size_t plen = sizeof(ALIASDB_META_QUARANTINE) - 1;
	char rel[ALIASDB_PATH_MAX];
	const char *v, *end, *nul;

	if (!key || !key->mv_data || key->mv_size <= plen ||
	    key->mv_size - plen >= sizeof(rel) ||
	    memcmp(key->mv_data, ALIASDB_META_QUARANTINE, plen) != 0 || !val ||
	    !val->mv_data || val->mv_size < 4 ||
	    val->mv_size > 2 * ALIASDB_PATH_MAX)
		return -EUCLEAN;
	memcpy(rel, (const char *)key->mv_data + plen, key->mv_size - plen);
	rel[key->mv_size - plen] = '\0';
	if (strlen(rel) != key->mv_size - plen ||
	    !aliasdb_path_is_normalized(rel))
		return -EUCLEAN;
	/* ALIAS NUL ORIGINAL NUL, nothing else. */
	v = val->mv_data;
	end = v + val->mv_size;
	nul = memchr(v, '\0', val->mv_size);
	if (!nul || nul + 1 >= end || end[-1] != '\0' ||
	    memchr(nul + 1, '\0', (size_t)(end - nul - 2)))
		return -EUCLEAN;
	if (!aliasdb_path_is_normalized(v) ||
	    !aliasdb_path_is_normalized(nul + 1))
		return -EUCLEAN;
	return 0;
}

void aliasdb_quarantine_list_free(struct aliasdb_quarantined *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++) {
		free(list[i].alias);
		free(list[i].original);
		free(list[i].stored);
	}
	free(list);
}
