/*
 * Imported declarations as stored, in the "meta" database under
 * "decl:NAME":
 *   8 bytes  digest of the file content (FNV-1a 64, big-endian)
 *   8 bytes  size of the file content (big-endian)
 *   then     "ALIAS\0CANONICAL\0" for each pair it owns
 * The one reader every user (the sync, the dump, the damage check)
 * shares.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sync-internal.h"

void aliasdb_decl_stored_free_one(struct sync_stored *s)
{
	size_t j;

	free(s->name);
	/* one more: a pair cut short by an error */
	for (j = 0; s->pairs && j <= 2 * s->n_pairs; j++)
		free(s->pairs[j]);
	free(s->pairs);
}

static uint64_t decl_be64(const unsigned char *b)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	return v;
}

/* A stored declaration; the file may be damaged, so every size is checked
 * before it is read. 0, -EUCLEAN or -ENOMEM; @s is filled as far as it
 * got (sync_stored_free() frees it either way). */
int aliasdb_decl_stored_decode(const MDB_val *key, const MDB_val *val,
			       struct sync_stored *s)
{
	const size_t plen = sizeof(ALIASDB_META_DECL) - 1;
	const char *p, *end;
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	if (!key || !key->mv_data || key->mv_size <= plen ||
	    memcmp(key->mv_data, ALIASDB_META_DECL, plen) != 0 || !val ||
	    !val->mv_data || val->mv_size < 16 ||
	    val->mv_size > 16 + ALIASDB_DECL_MAX_SIZE * 2)
		return -EUCLEAN;
	p = (const char *)val->mv_data + 16;
	end = (const char *)val->mv_data + val->mv_size;
	/* Every string ends before @end: the last byte is a NUL. */
	if (val->mv_size > 16 && end[-1] != '\0')
		return -EUCLEAN;
	s->name =
		strndup((const char *)key->mv_data + plen, key->mv_size - plen);
	if (!s->name)
		return -ENOMEM;
	if (strlen(s->name) != key->mv_size - plen ||
	    aliasdb_rules_check_owner(s->name) != ALIASDB_RULE_OK)
		return -EUCLEAN;
	s->digest = decl_be64(val->mv_data);
	s->size = decl_be64((const unsigned char *)val->mv_data + 8);
	for (const char *q = p; q < end; q += strlen(q) + 1) {
		if (!aliasdb_path_is_normalized(q))
			return -EUCLEAN;
		n++;
	}
	if (n % 2)
		return -EUCLEAN;
	s->pairs = calloc(n + 1, sizeof(*s->pairs));
	if (!s->pairs)
		return -ENOMEM;
	for (n = 0; p < end; p += strlen(p) + 1) {
		s->pairs[n] = strdup(p);
		if (!s->pairs[n])
			return -ENOMEM;
		n++;
		s->n_pairs = n / 2;
	}
	return 0;
}

int aliasdb_decl_record_check(const MDB_val *key, const MDB_val *val)
{
	struct sync_stored s;
	int r;

	r = aliasdb_decl_stored_decode(key, val, &s);
	aliasdb_decl_stored_free_one(&s);
	return r;
}

int aliasdb_decl_stored_put(struct aliasdb *db, MDB_txn *txn, const char *name,
			    uint64_t digest, uint64_t size, char *const *pairs,
			    size_t n_pairs)
{
	const size_t plen = sizeof(ALIASDB_META_DECL) - 1;
	size_t i, vlen = 16, klen = plen + strlen(name);
	unsigned char *buf;
	char *key;
	MDB_val k, v;
	int r;

	for (i = 0; i < 2 * n_pairs; i++)
		vlen += strlen(pairs[i]) + 1;
	buf = malloc(vlen);
	key = malloc(klen + 1);
	if (!buf || !key) {
		free(buf);
		free(key);
		return -ENOMEM;
	}
	for (i = 0; i < 8; i++) {
		buf[i] = (unsigned char)(digest >> (56 - 8 * i));
		buf[8 + i] = (unsigned char)(size >> (56 - 8 * i));
	}
	vlen = 16;
	for (i = 0; i < 2 * n_pairs; i++) {
		memcpy(buf + vlen, pairs[i], strlen(pairs[i]) + 1);
		vlen += strlen(pairs[i]) + 1;
	}
	memcpy(key, ALIASDB_META_DECL, plen);
	strcpy(key + plen, name);
	k.mv_size = klen;
	k.mv_data = key;
	v.mv_size = vlen;
	v.mv_data = buf;
	r = aliasdb_lmdb_error(mdb_put(txn, db->meta, &k, &v, 0));
	free(buf);
	free(key);
	return r;
}
