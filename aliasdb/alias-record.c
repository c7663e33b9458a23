/*
 * Alias records: how an alias is stored, and the one decoder every reader
 * (the library, the dump, the damage check) uses.
 *
 * Record (value under key = alias path, no NUL):
 *   byte 0   flags (bit 0: added by hand)
 *   byte 1   state
 *   canonical NUL, reason NUL ("" when none), owner NUL ... (sorted)
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aliasdb-internal.h"

#define FLAG_BY_HAND 0x01

/*
 * The file may be damaged: every size and offset is checked before it is
 * read, and a record that a writer of this library could not have made is
 * -EUCLEAN, never a crash.
 */
int aliasdb_record_decode(const MDB_val *val, struct aliasdb_record *ret_rec)
{
	const char *p, *end, *nul;
	struct aliasdb_record rec;

	if (!val || !val->mv_data || val->mv_size < 4 ||
	    val->mv_size > 2 * ALIASDB_PATH_MAX + 64 * 1024)
		return -EUCLEAN;
	p = val->mv_data;
	end = p + val->mv_size;
	/* Every string below ends before @end: the last byte is a NUL. */
	if (end[-1] != '\0')
		return -EUCLEAN;
	rec.by_hand = p[0] & FLAG_BY_HAND;
	rec.state = (enum aliasdb_state)(unsigned char)p[1];
	if (rec.state != ALIASDB_STATE_ACTIVE &&
	    rec.state != ALIASDB_STATE_BLOCKED)
		return -EUCLEAN;
	p += 2;
	rec.canonical = p;
	nul = memchr(p, '\0', (size_t)(end - p));
	if (!nul || nul + 1 >= end || !aliasdb_path_is_normalized(p) ||
	    nul - p >= ALIASDB_PATH_MAX)
		return -EUCLEAN;
	rec.reason = nul + 1;
	nul = memchr(rec.reason, '\0', (size_t)(end - rec.reason));
	if (!nul)
		return -EUCLEAN;
	/* Blocked means a reason; active means none. */
	if ((rec.state == ALIASDB_STATE_BLOCKED) != (rec.reason[0] != '\0'))
		return -EUCLEAN;
	rec.owners = nul + 1;
	rec.owners_len = (size_t)(end - rec.owners);
	rec.n_owners = 0;
	for (p = rec.owners; p < end; p += strlen(p) + 1) {
		if (aliasdb_rules_check_owner(p) != ALIASDB_RULE_OK)
			return -EUCLEAN;
		rec.n_owners++;
	}
	/* An alias nobody owns and nobody added by hand would have been
	 * removed. */
	if (rec.n_owners == 0 && !rec.by_hand)
		return -EUCLEAN;
	*ret_rec = rec;
	return 0;
}

int aliasdb_record_check(const MDB_val *key, const MDB_val *val)
{
	struct aliasdb_record rec;
	char alias[ALIASDB_PATH_MAX];

	if (!key || !key->mv_data || key->mv_size == 0 ||
	    key->mv_size >= sizeof(alias) ||
	    memchr(key->mv_data, '\0', key->mv_size))
		return -EUCLEAN;
	memcpy(alias, key->mv_data, key->mv_size);
	alias[key->mv_size] = '\0';
	if (!aliasdb_path_is_normalized(alias) || strcmp(alias, "/") == 0)
		return -EUCLEAN;
	return aliasdb_record_decode(val, &rec);
}

/* Serialize into a malloc'ed buffer; @owners has @n sorted names. */
static int record_encode(const char *canonical, enum aliasdb_state state,
			 bool by_hand, const char *reason,
			 const char *const *owners, size_t n, MDB_val *ret_val)
{
	size_t size = 2, i, l;
	char *buf, *p;

	if (!reason)
		reason = "";
	size += strlen(canonical) + 1 + strlen(reason) + 1;
	for (i = 0; i < n; i++)
		size += strlen(owners[i]) + 1;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	buf[0] = by_hand ? FLAG_BY_HAND : 0;
	buf[1] = (char)state;
	p = buf + 2;
	l = strlen(canonical) + 1;
	memcpy(p, canonical, l);
	p += l;
	l = strlen(reason) + 1;
	memcpy(p, reason, l);
	p += l;
	for (i = 0; i < n; i++) {
		l = strlen(owners[i]) + 1;
		memcpy(p, owners[i], l);
		p += l;
	}
	ret_val->mv_size = size;
	ret_val->mv_data = buf;
	return 0;
}

/* Owner names of @rec as an array of pointers into the record, with room
 * for one more. */
int aliasdb_record_owners(const struct aliasdb_record *rec,
			  const char ***ret_owners)
{
	const char **owners, *p;
	size_t i;

	owners = calloc(rec->n_owners + 1, sizeof(*owners));
	if (!owners)
		return -ENOMEM;
	for (i = 0, p = rec->owners; i < rec->n_owners; i++, p += strlen(p) + 1)
		owners[i] = p;
	*ret_owners = owners;
	return 0;
}

int aliasdb_record_put(struct aliasdb *db, MDB_txn *txn, const char *alias,
		       const char *canonical, enum aliasdb_state state,
		       bool by_hand, const char *reason,
		       const char *const *owners, size_t n)
{
	MDB_val key = {strlen(alias), (void *)alias}, val;
	int r;

	r = record_encode(canonical, state, by_hand, reason, owners, n, &val);
	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_put(txn, db->aliases, &key, &val, 0));
	free(val.mv_data);
	return r;
}

bool aliasdb_record_key_fits(struct aliasdb *db, const char *path)
{
	return strlen(path) <= (size_t)mdb_env_get_maxkeysize(db->env);
}

int aliasdb_record_get(struct aliasdb *db, MDB_txn *txn, const char *alias,
		       struct aliasdb_record *ret_rec)
{
	MDB_val key = {strlen(alias), (void *)alias}, val;
	int r;

	if (!aliasdb_record_key_fits(db, alias))
		return -ENOENT;
	r = aliasdb_lmdb_error(mdb_get(txn, db->aliases, &key, &val));
	if (r < 0)
		return r;
	return aliasdb_record_decode(&val, ret_rec);
}
