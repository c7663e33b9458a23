/*
 * Opening the LMDB environment, the schema version and the generation.
 *
 * Layout: a directory with data.mdb and lock.mdb; three named databases:
 *   "meta"      "schema" and "generation", 8-byte big-endian integers
 *   "aliases"   alias path -> record (alias-store.c)
 *   "conflicts" canonical NUL shadowed -> empty
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aliasdb-internal.h"

/* Sparse: only the pages in use take disk space. */
#define MAP_SIZE ((size_t)1 << 30)

static _Thread_local unsigned schema_found;

static const char KEY_SCHEMA[] = "schema";
static const char KEY_GENERATION[] = "generation";

unsigned aliasdb_open_schema_found(void)
{
	return schema_found;
}

static void put_be64(unsigned char *b, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static int meta_get(struct aliasdb *db, MDB_txn *txn, const char *name,
		    uint64_t *ret_value)
{
	MDB_val key = {strlen(name), (void *)name}, val;
	const unsigned char *b;
	uint64_t v = 0;
	int r, i;

	r = aliasdb_lmdb_error(mdb_get(txn, db->meta, &key, &val));
	if (r < 0)
		return r;
	if (val.mv_size != 8 || !val.mv_data)
		return -EUCLEAN;
	b = val.mv_data;
	for (i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	*ret_value = v;
	return 0;
}

static int meta_put(struct aliasdb *db, MDB_txn *txn, const char *name,
		    uint64_t value)
{
	unsigned char b[8];
	MDB_val key = {strlen(name), (void *)name}, val = {8, b};

	put_be64(b, value);
	return aliasdb_lmdb_error(mdb_put(txn, db->meta, &key, &val, 0));
}

int aliasdb_db_meta_check(const MDB_val *key, const MDB_val *val)
{
	size_t n = key->mv_size;

	if ((n == sizeof(KEY_SCHEMA) - 1 &&
	     memcmp(key->mv_data, KEY_SCHEMA, n) == 0) ||
	    (n == sizeof(KEY_GENERATION) - 1 &&
	     memcmp(key->mv_data, KEY_GENERATION, n) == 0))
		return val->mv_size == 8 && val->mv_data ? 0 : -EUCLEAN;
	return 1;
}

int aliasdb_db_txn_generation(struct aliasdb *db, MDB_txn *txn,
			      uint64_t *ret_generation)
{
	return meta_get(db, txn, KEY_GENERATION, ret_generation);
}

int aliasdb_db_read_begin(struct aliasdb *db, MDB_txn **ret_txn)
{
	return aliasdb_lmdb_error(
		mdb_txn_begin(db->env, NULL, MDB_RDONLY, ret_txn));
}

int aliasdb_db_each(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
		    int (*fn)(const MDB_val *key, const MDB_val *val,
			      void *ctx),
		    void *ctx)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	MDB_val key = {plen, (void *)prefix}, val;
	MDB_cursor *cur;
	int r, rc;

	r = aliasdb_lmdb_error(mdb_cursor_open(txn, dbi, &cur));
	if (r < 0)
		return r;
	for (rc = mdb_cursor_get(cur, &key, &val,
				 prefix ? MDB_SET_RANGE : MDB_FIRST);
	     rc == 0; rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		/* Keys sort bytewise, so the first one without the prefix
		 * ends the run of those with it. */
		if (prefix && (key.mv_size < plen ||
			       memcmp(key.mv_data, prefix, plen) != 0))
			break;
		r = fn(&key, &val, ctx);
		if (r < 0)
			break;
	}
	if (r == 0 && rc != 0 && rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
	mdb_cursor_close(cur);
	return r;
}

int aliasdb_db_write_begin(struct aliasdb *db, MDB_txn **ret_txn)
{
	if (db->rdonly)
		return -EROFS;
	return aliasdb_lmdb_error(mdb_txn_begin(db->env, NULL, 0, ret_txn));
}

int aliasdb_db_write_commit(struct aliasdb *db, MDB_txn *txn)
{
	uint64_t gen;
	int r;

	r = meta_get(db, txn, KEY_GENERATION, &gen);
	if (r == 0)
		r = meta_put(db, txn, KEY_GENERATION, gen + 1);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_lmdb_error(mdb_txn_commit(txn));
}

int aliasdb_generation(struct aliasdb *db, uint64_t *ret_generation)
{
	MDB_txn *txn;
	uint64_t gen;
	int r;

	if (!db)
		return -EINVAL;
	r = aliasdb_db_read_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_db_txn_generation(db, txn, &gen);
	mdb_txn_abort(txn);
	if (r == 0)
		*ret_generation = gen;
	return r;
}

/* mkdir -p with mode 0755. */
int aliasdb_db_make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strlen(dir), i;

	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		if (path[i - 1] == '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) == 0) {
			/* The contract says 0755 whatever the umask: readers
			 * without privileges need to reach the database. */
			if (chmod(path, 0755) < 0)
				return -errno;
		} else if (errno != EEXIST) {
			return -errno;
		}
		path[i] = dir[i];
	}
	return 0;
}

/* Open the named databases and check (or, writable, create) the schema. */
static int setup_schema(struct aliasdb *db)
{
	unsigned dbi_flags = db->rdonly ? 0 : MDB_CREATE;
	uint64_t schema;
	MDB_txn *txn;
	int r;

	r = aliasdb_lmdb_error(mdb_txn_begin(
		db->env, NULL, db->rdonly ? MDB_RDONLY : 0, &txn));
	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_dbi_open(txn, "meta", dbi_flags, &db->meta));
	if (r == 0)
		r = aliasdb_lmdb_error(
			mdb_dbi_open(txn, "aliases", dbi_flags, &db->aliases));
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_dbi_open(txn, "conflicts", dbi_flags,
						    &db->conflicts));
	if (r < 0)
		goto fail;

	r = meta_get(db, txn, KEY_SCHEMA, &schema);
	if (r == -ENOENT && !db->rdonly) {
		r = meta_put(db, txn, KEY_SCHEMA, ALIASDB_SCHEMA_VERSION);
		if (r == 0)
			r = meta_put(db, txn, KEY_GENERATION, 0);
		schema = ALIASDB_SCHEMA_VERSION;
	}
	if (r < 0)
		goto fail;
	if (schema == 0 || schema > 0xffff) {
		/* No schema of ours was ever 0 or this large: the record is
		 * damaged, not newer. */
		r = -EUCLEAN;
		goto fail;
	}
	if (schema != ALIASDB_SCHEMA_VERSION) {
		/* Newer: never touched. Older does not exist yet: a zero or
		 * garbage version is not ours either. */
		schema_found = schema > UINT_MAX ? UINT_MAX : (unsigned)schema;
		r = -EPROTO;
		goto fail;
	}
	/* Committing (even read-only) keeps the dbi handles open. */
	return aliasdb_lmdb_error(mdb_txn_commit(txn));
fail:
	mdb_txn_abort(txn);
	return r;
}

int aliasdb_db_open_env(const char *dir, bool rdonly, struct aliasdb **ret_db)
{
	struct aliasdb *db;
	int r;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->rdonly = rdonly;
	r = aliasdb_lmdb_error(mdb_env_create(&db->env));
	if (r < 0) {
		free(db);
		return r;
	}
	r = aliasdb_lmdb_error(mdb_env_set_maxdbs(db->env, 4));
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_env_set_mapsize(db->env, MAP_SIZE));
	/* MDB_NOTLS: read txns belong to the handle, not the thread, so a
	 * handle may move between threads. */
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_env_open(
			db->env, dir, MDB_NOTLS | (rdonly ? MDB_RDONLY : 0),
			0644));
	if (r == 0) {
		int dead;

		/* Free reader slots left by killed processes, so a crashed
		 * reader cannot pin old pages forever. Best effort. */
		(void)mdb_reader_check(db->env, &dead);
		r = setup_schema(db);
	}
	if (r < 0) {
		aliasdb_db_close(db);
		return r;
	}
	*ret_db = db;
	return 0;
}

int aliasdb_db_set_mode(const char *dir, const char *name, mode_t mode)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	return chmod(path, mode) < 0 ? -errno : 0;
}

void aliasdb_db_close(struct aliasdb *db)
{
	if (!db)
		return;
	if (db->env)
		mdb_env_close(db->env);
	free(db);
}

int aliasdb_debug_set_schema(struct aliasdb *db, unsigned version)
{
	MDB_txn *txn;
	int r;

	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	r = meta_put(db, txn, KEY_SCHEMA, version);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_lmdb_error(mdb_txn_commit(txn));
}
