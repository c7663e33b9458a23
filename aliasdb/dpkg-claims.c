/*
 * dpkg database claims: the state behind the presented database, in its
 * own LMDB environment (ALIASDB_CLAIMS_FILE).
 *
 * "files": view path of a database file -> state record
 *	u64 presented length (UINT64_MAX: never presented), bytes,
 *	u64 released length, bytes, u64 written length, bytes.
 * "owners" (dupsort): a path as some list spells it -> view path of each
 *	list holding it (lists written through the view), so an absorb can
 *	tell a Replaces transfer (another list now holds the dropped path)
 *	from an upgrade that only stopped listing the other spelling.
 * "meta": "generation" -> u64.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aliasdb-internal.h"
#include "dpkg-claims-internal.h"

#define CLAIMS_MAP_SIZE (1024ULL * 1024 * 1024)

struct aliasdb_claims {
	MDB_env *env;
	MDB_dbi files;
	MDB_dbi owners;
	MDB_dbi meta;
	bool rdonly;
};

static int claims_mkdirs(const char *dir)
{
	char buf[ALIASDB_PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = dir[i];
	}
	return 0;
}

int aliasdb_claims_open(const char *dir, unsigned flags,
			struct aliasdb_claims **ret_claims)
{
	bool rdonly = flags & ALIASDB_OPEN_RDONLY;
	struct aliasdb_claims *c;
	char path[ALIASDB_PATH_MAX];
	struct stat st;
	MDB_txn *txn;
	unsigned dflags = rdonly ? 0 : MDB_CREATE;
	int r;

	if (!dir || !*dir || !ret_claims ||
	    (flags & ~(unsigned)(ALIASDB_OPEN_CREATE | ALIASDB_OPEN_RDONLY)))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     ALIASDB_CLAIMS_FILE) >= sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT || !(flags & ALIASDB_OPEN_CREATE) || rdonly)
			return -errno;
		r = claims_mkdirs(dir);
		if (r < 0)
			return r;
	} else {
		/* Before LMDB maps it: a damaged store would crash us. */
		r = aliasdb_verify_open(dir, 1u << ALIASDB_STORE_CLAIMS);
		if (r < 0)
			return r;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->rdonly = rdonly;
	r = aliasdb_lmdb_error(mdb_env_create(&c->env));
	if (r < 0) {
		free(c);
		return r;
	}
	r = aliasdb_lmdb_error(mdb_env_set_maxdbs(c->env, 3));
	if (r == 0)
		r = aliasdb_lmdb_error(
			mdb_env_set_mapsize(c->env, CLAIMS_MAP_SIZE));
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_env_open(
			c->env, path,
			MDB_NOSUBDIR | MDB_NOTLS | (rdonly ? MDB_RDONLY : 0),
			0644));
	if (r == 0) {
		int dead;

		(void)mdb_reader_check(c->env, &dead);
		r = aliasdb_lmdb_error(mdb_txn_begin(
			c->env, NULL, rdonly ? MDB_RDONLY : 0, &txn));
	}
	if (r == 0) {
		r = aliasdb_lmdb_error(
			mdb_dbi_open(txn, "files", dflags, &c->files));
		if (r == 0)
			r = aliasdb_lmdb_error(
				mdb_dbi_open(txn, "owners",
					     dflags | MDB_DUPSORT, &c->owners));
		if (r == 0)
			r = aliasdb_lmdb_error(
				mdb_dbi_open(txn, "meta", dflags, &c->meta));
		if (r == 0)
			r = aliasdb_lmdb_error(mdb_txn_commit(txn));
		else
			mdb_txn_abort(txn);
	}
	if (r < 0) {
		aliasdb_claims_close(c);
		return r;
	}
	*ret_claims = c;
	return 0;
}

void aliasdb_claims_close(struct aliasdb_claims *claims)
{
	if (!claims)
		return;
	if (claims->env)
		mdb_env_close(claims->env);
	free(claims);
}

static int claims_gen_get(struct aliasdb_claims *c, MDB_txn *txn, uint64_t *ret)
{
	MDB_val key = {10, (void *)"generation"}, val;
	int r = mdb_get(txn, c->meta, &key, &val);

	if (r == MDB_NOTFOUND) {
		*ret = 0;
		return 0;
	}
	if (r != 0)
		return aliasdb_lmdb_error(r);
	if (val.mv_size != sizeof(uint64_t) || !val.mv_data)
		return -EUCLEAN;
	memcpy(ret, val.mv_data, sizeof(uint64_t));
	return 0;
}

int aliasdb_claims_generation(struct aliasdb_claims *claims,
			      uint64_t *ret_generation)
{
	MDB_txn *txn;
	uint64_t g;
	int r;

	r = aliasdb_lmdb_error(
		mdb_txn_begin(claims->env, NULL, MDB_RDONLY, &txn));
	if (r < 0)
		return r;
	r = claims_gen_get(claims, txn, &g);
	mdb_txn_abort(txn);
	if (r == 0)
		*ret_generation = g;
	return r;
}

static int claims_write_begin(struct aliasdb_claims *c, MDB_txn **ret)
{
	if (c->rdonly)
		return -EROFS;
	return aliasdb_lmdb_error(mdb_txn_begin(c->env, NULL, 0, ret));
}

static int claims_commit(struct aliasdb_claims *c, MDB_txn *txn)
{
	MDB_val key = {10, (void *)"generation"}, val;
	uint64_t g;
	int r = claims_gen_get(c, txn, &g);

	if (r == 0) {
		g++;
		val.mv_size = sizeof(g);
		val.mv_data = &g;
		r = aliasdb_lmdb_error(mdb_put(txn, c->meta, &key, &val, 0));
	}
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_lmdb_error(mdb_txn_commit(txn));
}

static int state_get(struct aliasdb_claims *c, MDB_txn *txn, const char *file,
		     struct claims_state *st)
{
	MDB_val key = {strlen(file), (void *)file}, val;
	int r = mdb_get(txn, c->files, &key, &val);

	if (r != 0)
		return aliasdb_lmdb_error(r);
	return aliasdb_claims_state_decode(&val, st);
}

static int put_blob(struct dpkg_buf *b, const char *s, size_t n, bool none)
{
	uint64_t len = none ? ALIASDB_CLAIMS_NONE : (uint64_t)n;

	if (dpkg_buf_add(b, (const char *)&len, sizeof(len)) < 0 ||
	    (!none && dpkg_buf_add(b, s, n) < 0))
		return -ENOMEM;
	return 0;
}

static int state_put(struct aliasdb_claims *c, MDB_txn *txn, const char *file,
		     const struct claims_state *st)
{
	struct dpkg_buf b = {0};
	MDB_val key = {strlen(file), (void *)file}, val;
	int r;

	r = put_blob(&b, st->presented, st->presented_len, !st->presented);
	if (r == 0)
		r = put_blob(&b, st->released, st->released_len, false);
	if (r == 0)
		r = put_blob(&b, st->written, st->written_len, false);
	if (r == 0) {
		val.mv_size = b.len;
		val.mv_data = b.data;
		r = aliasdb_lmdb_error(mdb_put(txn, c->files, &key, &val, 0));
	}
	free(b.data);
	return r;
}

static int copy_out(const char *s, size_t n, char **ret, size_t *ret_len)
{
	char *p = malloc(n + 1);

	if (!p)
		return -ENOMEM;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	*ret = p;
	*ret_len = n;
	return 0;
}

int aliasdb_claims_get_presented(struct aliasdb_claims *claims,
				 const char *file, char **ret_text,
				 size_t *ret_len)
{
	struct claims_state st;
	MDB_txn *txn;
	int r;

	r = aliasdb_lmdb_error(
		mdb_txn_begin(claims->env, NULL, MDB_RDONLY, &txn));
	if (r < 0)
		return r;
	r = state_get(claims, txn, file, &st);
	if (r == 0 && !st.presented)
		r = -ENOENT;
	if (r == 0)
		r = copy_out(st.presented, st.presented_len, ret_text, ret_len);
	mdb_txn_abort(txn);
	return r;
}

int aliasdb_claims_get_released(struct aliasdb_claims *claims, const char *file,
				char **ret_text, size_t *ret_len)
{
	struct claims_state st;
	MDB_txn *txn;
	int r;

	r = aliasdb_lmdb_error(
		mdb_txn_begin(claims->env, NULL, MDB_RDONLY, &txn));
	if (r < 0)
		return r;
	r = state_get(claims, txn, file, &st);
	if (r == -ENOENT) {
		st.released = "";
		st.released_len = 0;
		r = 0;
	}
	if (r == 0)
		r = copy_out(st.released, st.released_len, ret_text, ret_len);
	mdb_txn_abort(txn);
	return r;
}

int aliasdb_claims_set_presented(struct aliasdb_claims *claims,
				 const char *file, const char *text, size_t len)
{
	struct claims_state st;
	MDB_txn *txn;
	int r;

	r = claims_write_begin(claims, &txn);
	if (r < 0)
		return r;
	r = state_get(claims, txn, file, &st);
	if (r == -ENOENT) {
		memset(&st, 0, sizeof(st));
		st.released = st.written = "";
		r = 0;
	}
	if (r == 0 && st.presented && st.presented_len == len &&
	    memcmp(st.presented, text, len) == 0) {
		mdb_txn_abort(txn);
		return 0;
	}
	if (r == 0) {
		/* state_put reads from the LMDB value it replaces: copy. */
		char *rel = NULL, *wr = NULL;
		size_t rl, wl;

		r = copy_out(st.released, st.released_len, &rel, &rl);
		if (r == 0)
			r = copy_out(st.written, st.written_len, &wr, &wl);
		if (r == 0) {
			st.released = rel;
			st.written = wr;
			st.presented = text;
			st.presented_len = len;
			r = state_put(claims, txn, file, &st);
		}
		free(rel);
		free(wr);
	}
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	r = claims_commit(claims, txn);
	return r < 0 ? r : 1;
}

/* Add (@add) or remove every line of @text as held by @file. */
static int owners_update(struct aliasdb_claims *c, MDB_txn *txn,
			 const char *file, const char *text, size_t len,
			 bool add)
{
	MDB_val val = {strlen(file), (void *)file};
	size_t p = 0, maxkey = (size_t)mdb_env_get_maxkeysize(c->env);
	int r = 0;

	if (val.mv_size > maxkey)
		return 0;
	while (p < len && r == 0) {
		const char *nl = memchr(text + p, '\n', len - p);
		size_t n = nl ? (size_t)(nl - (text + p)) : len - p;
		MDB_val key = {n, (void *)(text + p)};

		p += n + 1;
		/* Only paths short enough for an LMDB key are indexed;
		 * longer ones are never seen as transferred. */
		if (n == 0 || n > maxkey || text[p - n - 1] != '/')
			continue;
		if (add) {
			r = mdb_put(txn, c->owners, &key, &val, MDB_NODUPDATA);
			if (r == MDB_KEYEXIST)
				r = 0;
		} else {
			r = mdb_del(txn, c->owners, &key, &val);
			if (r == MDB_NOTFOUND)
				r = 0;
		}
	}
	return aliasdb_lmdb_error(r);
}

/* The package name part of list @file ("/x/info/mm:i386.list" -> "mm"),
 * length in *ret_len. */
static const char *list_package(const char *file, size_t len, size_t *ret_len)
{
	const char *slash = memrchr(file, '/', len);
	const char *name = slash ? slash + 1 : file;
	size_t n = len - (size_t)(name - file);
	const char *colon = memchr(name, ':', n);

	if (colon)
		n = (size_t)(colon - name);
	else if (n > 5 && memcmp(name + n - 5, ".list", 5) == 0)
		n -= 5;
	*ret_len = n;
	return name;
}

/*
 * Does a list of another package than @file's hold path @path (@n bytes)?
 * The instances of one Multi-Arch: same package share their files: one
 * of them dropping a spelling is never a transfer to another.
 */
static int owners_other(struct aliasdb_claims *c, MDB_txn *txn,
			const char *file, const char *path, size_t n)
{
	MDB_cursor *cur;
	MDB_val key = {n, (void *)path}, val;
	size_t pl;
	const char *pkg = list_package(file, strlen(file), &pl);
	int r, found = 0;

	if (n == 0 || n > (size_t)mdb_env_get_maxkeysize(c->env))
		return 0;
	r = mdb_cursor_open(txn, c->owners, &cur);
	if (r != 0)
		return aliasdb_lmdb_error(r);
	r = mdb_cursor_get(cur, &key, &val, MDB_SET);
	while (r == 0 && !found) {
		size_t ol;
		const char *other = list_package(val.mv_data, val.mv_size, &ol);

		if (!(ol == pl && memcmp(other, pkg, pl) == 0))
			found = 1;
		r = mdb_cursor_get(cur, &key, &val, MDB_NEXT_DUP);
	}
	mdb_cursor_close(cur);
	if (r != 0 && r != MDB_NOTFOUND)
		return aliasdb_lmdb_error(r);
	return found;
}

/* Does another list hold any spelling of canonical path @cpath? */
static int held_elsewhere(struct aliasdb_claims *c, MDB_txn *txn,
			  const struct aliasdb_map *map, const char *file,
			  const char *cpath)
{
	struct dpkg_buf s = {0};
	size_t j;
	int r = 0, alias;

	for (j = 0; r == 0; j++) {
		r = dpkg_spelling(map, cpath, j, &s, &alias);
		if (r <= 0)
			break;
		r = owners_other(c, txn, file, s.data, s.len);
	}
	free(s.data);
	return r;
}

struct absorb_ctx {
	struct aliasdb_claims *c;
	MDB_txn *txn;
	const struct aliasdb_map *map;
	enum aliasdb_dpkg_db kind;
	const char *file;
	int (*is_dir)(const char *path, void *userdata);
	void *userdata;
};

/* Which entries of what dpkg wrote (@text) release what (@out), given
 * what it was shown (@pres). */
static int absorb_compute(const struct absorb_ctx *a, const char *pres,
			  size_t plen, const char *text, size_t len,
			  struct dpkg_buf *out)
{
	struct dpkg_set shown = {0}, written = {0}, fresh = {0};
	struct dpkg_buf id = {0}, c = {0};
	struct dpkg_record rec;
	size_t pos;
	int r, released = 0;

	r = dpkg_set_init(&shown, plen / 16 + 16);
	if (r == 0)
		r = dpkg_set_init(&written, len / 16 + 16);
	if (r == 0)
		r = dpkg_set_init(&fresh, 16);
	/* What was shown, what was written, and which canonical keys got
	 * a record dpkg was not shown (new claims win over releases). */
	for (pos = 0;
	     r >= 0 && dpkg_record_next(a->kind, pres, plen, &pos, &rec);)
		if (rec.key && (r = dpkg_record_id(&rec, &id)) == 0)
			r = dpkg_set_add(&shown, id.data, id.len);
	for (pos = 0;
	     r >= 0 && dpkg_record_next(a->kind, text, len, &pos, &rec);) {
		if (!rec.key || (r = dpkg_record_id(&rec, &id)) < 0)
			continue;
		r = dpkg_set_add(&written, id.data, id.len);
		if (r >= 0 && !dpkg_set_has(&shown, id.data, id.len)) {
			r = dpkg_canon(a->map, rec.key, rec.key_len, &c);
			if (r == 0)
				r = dpkg_set_add(&fresh, c.data, c.len);
		}
	}
	/* Dropped records. */
	for (pos = 0;
	     r >= 0 && dpkg_record_next(a->kind, pres, plen, &pos, &rec);) {
		if (!rec.key || (r = dpkg_record_id(&rec, &id)) < 0)
			continue;
		if (dpkg_set_has(&written, id.data, id.len))
			continue;
		r = dpkg_canon(a->map, rec.key, rec.key_len, &c);
		if (r < 0 || dpkg_set_has(&fresh, c.data, c.len))
			continue;
		if (a->kind == ALIASDB_DPKG_LIST) {
			/* Only a transfer releases a list entry; an upgrade
			 * that ships the other spelling drops this one
			 * too, and directories are shared, never moved. */
			if (a->is_dir && a->is_dir(c.data, a->userdata) > 0)
				continue;
			r = held_elsewhere(a->c, a->txn, a->map, a->file,
					   c.data);
			if (r <= 0)
				continue;
		}
		r = dpkg_buf_add(out, "k", 1);
		if (r == 0)
			r = dpkg_buf_add(out, rec.key, rec.key_len);
		if (r == 0)
			r = dpkg_buf_add(out, "\n", 1);
		released = 1;
	}
	/* Records dpkg was shown and kept, whose key got a new record: the
	 * new one is the truth (statoverride --update, a changed
	 * diversion). */
	for (pos = 0; r >= 0 && a->kind != ALIASDB_DPKG_LIST &&
		      dpkg_record_next(a->kind, text, len, &pos, &rec);) {
		if (!rec.key || (r = dpkg_record_id(&rec, &id)) < 0)
			continue;
		if (!dpkg_set_has(&shown, id.data, id.len))
			continue;
		r = dpkg_canon(a->map, rec.key, rec.key_len, &c);
		if (r < 0 || !dpkg_set_has(&fresh, c.data, c.len))
			continue;
		r = dpkg_buf_add(out, "s", 1);
		if (r == 0)
			r = dpkg_buf_add(out, id.data, id.len);
		if (r == 0)
			r = dpkg_buf_add(out, "\n", 1);
	}
	dpkg_set_free(&shown);
	dpkg_set_free(&written);
	dpkg_set_free(&fresh);
	free(id.data);
	free(c.data);
	return r < 0 ? r : released;
}

int aliasdb_claims_absorb(struct aliasdb_claims *claims,
			  const struct aliasdb_map *map,
			  enum aliasdb_dpkg_db kind, const char *file,
			  const char *text, size_t len, const char *shown,
			  size_t shown_len,
			  int (*is_dir)(const char *path, void *userdata),
			  void *userdata)
{
	struct absorb_ctx a = {claims, NULL, map, kind, file, is_dir, userdata};
	struct claims_state st, old;
	struct dpkg_buf released = {0};
	char *pres = NULL, *oldw = NULL;
	size_t plen = 0, oldwl = 0;
	int r, found;

	r = claims_write_begin(claims, &a.txn);
	if (r < 0)
		return r;
	r = state_get(claims, a.txn, file, &old);
	found = r == 0;
	if (r == -ENOENT)
		r = 0;
	/* Copy out of LMDB before writing in the same transaction. */
	if (r == 0 && found && old.presented)
		r = copy_out(old.presented, old.presented_len, &pres, &plen);
	if (r == 0 && !pres && shown)
		r = copy_out(shown, shown_len, &pres, &plen);
	if (r == 0 && found)
		r = copy_out(old.written, old.written_len, &oldw, &oldwl);
	if (r == 0 && kind == ALIASDB_DPKG_LIST && found)
		r = owners_update(claims, a.txn, file, oldw, oldwl, false);
	if (r == 0 && kind == ALIASDB_DPKG_LIST)
		r = owners_update(claims, a.txn, file, text, len, true);
	if (r == 0)
		r = dpkg_buf_add(&released, "", 0);
	if (r == 0 && pres)
		r = absorb_compute(&a, pres, plen, text, len, &released);
	if (r >= 0) {
		char *now = NULL;
		size_t nowl = 0;
		int rr = aliasdb_claims_present(map, kind, text, len,
						released.data, released.len,
						&now, &nowl);

		/* What dpkg will be shown next, so the next absorb knows
		 * what it dropped even if it never read it again. */
		if (rr < 0) {
			r = rr;
		} else {
			int found_released = r;

			memset(&st, 0, sizeof(st));
			st.presented = now;
			st.presented_len = nowl;
			st.released = released.data;
			st.released_len = released.len;
			st.written = kind == ALIASDB_DPKG_LIST ? text : "";
			st.written_len = kind == ALIASDB_DPKG_LIST ? len : 0;
			r = state_put(claims, a.txn, file, &st);
			if (r == 0)
				r = found_released;
		}
		free(now);
	}
	free(pres);
	free(oldw);
	free(released.data);
	if (r < 0) {
		mdb_txn_abort(a.txn);
		return r;
	}
	{
		int c = claims_commit(claims, a.txn);

		return c < 0 ? c : r;
	}
}

int aliasdb_claims_forget(struct aliasdb_claims *claims, const char *file)
{
	struct claims_state st;
	MDB_val key = {strlen(file), (void *)file};
	MDB_txn *txn;
	int r;

	r = claims_write_begin(claims, &txn);
	if (r < 0)
		return r;
	r = state_get(claims, txn, file, &st);
	if (r == -ENOENT) {
		mdb_txn_abort(txn);
		return 0;
	}
	if (r == 0) {
		char *w = NULL;
		size_t wl;

		r = copy_out(st.written, st.written_len, &w, &wl);
		if (r == 0)
			r = owners_update(claims, txn, file, w, wl, false);
		free(w);
	}
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_del(txn, claims->files, &key, NULL));
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return claims_commit(claims, txn);
}
