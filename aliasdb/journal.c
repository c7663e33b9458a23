/*
 * The convert/revert journal: its own LMDB environment,
 * <database dir>/ALIASDB_JOURNAL_FILE, apart from the alias map so that the
 * daemon never waits on it and a run never locks the map for long.
 *
 * "meta"     "op", "state", "batch", "n_steps" (u64 each), "tree" (dev,
 *            ino of the tree's root), "aliases" (NUL-separated), "prev"
 *            (the aliases' states before the run)
 * "steps"    u64 big-endian index -> encoded step (see step_encode)
 * "pending"  canonical path -> origin, written with the steps of a
 *            convert and made the current "origins" when it completes
 * "origins"  canonical path -> origin: how the original tree held each
 *            path the last complete convert changed, for revert
 *
 * Every commit is synced to disk (LMDB's default): a committed state
 * survives a power cut.
 */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert-internal.h"

#define JOURNAL_MAP_SIZE ((size_t)1 << 32)

struct cv_journal {
	MDB_env *env;
	MDB_dbi meta, steps, pending, origins;
};

/* ---- little-endian fields ---------------------------------------------- */

static void put_u32(unsigned char *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *b)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

static uint64_t get_u64(const unsigned char *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | b[i];
	return v;
}

/* ---- the environment ---------------------------------------------------- */

int cv_journal_open(struct aliasdb *db, bool create, struct cv_journal **ret)
{
	char path[ALIASDB_PATH_MAX];
	const char *dir;
	struct cv_journal *j;
	unsigned dflags = MDB_CREATE;
	struct stat st;
	MDB_txn *txn;
	int r;

	r = aliasdb_lmdb_error(mdb_env_get_path(db->env, &dir));
	if (r < 0)
		return r;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     ALIASDB_JOURNAL_FILE) >= sizeof(path))
		return -ENAMETOOLONG;
	if (!create && stat(path, &st) < 0)
		return -errno;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	r = aliasdb_lmdb_error(mdb_env_create(&j->env));
	if (r < 0) {
		free(j);
		return r;
	}
	r = aliasdb_lmdb_error(mdb_env_set_maxdbs(j->env, 4));
	if (r == 0)
		r = aliasdb_lmdb_error(
			mdb_env_set_mapsize(j->env, JOURNAL_MAP_SIZE));
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_env_open(
			j->env, path, MDB_NOSUBDIR | MDB_NOTLS, 0600));
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_txn_begin(j->env, NULL, 0, &txn));
	if (r == 0) {
		r = aliasdb_lmdb_error(
			mdb_dbi_open(txn, "meta", dflags, &j->meta));
		if (r == 0)
			r = aliasdb_lmdb_error(
				mdb_dbi_open(txn, "steps", dflags, &j->steps));
		if (r == 0)
			r = aliasdb_lmdb_error(mdb_dbi_open(
				txn, "pending", dflags, &j->pending));
		if (r == 0)
			r = aliasdb_lmdb_error(mdb_dbi_open(
				txn, "origins", dflags, &j->origins));
		if (r == 0)
			r = aliasdb_lmdb_error(mdb_txn_commit(txn));
		else
			mdb_txn_abort(txn);
	}
	if (r < 0) {
		cv_journal_close(j);
		return r;
	}
	*ret = j;
	return 0;
}

void cv_journal_close(struct cv_journal *j)
{
	if (!j)
		return;
	if (j->env)
		mdb_env_close(j->env);
	free(j);
}

/* ---- meta ---------------------------------------------------------------- */

static int meta_put_u64(struct cv_journal *j, MDB_txn *txn, const char *name,
			uint64_t value)
{
	unsigned char b[8];
	MDB_val k = {strlen(name), (void *)name}, v = {8, b};

	put_u64(b, value);
	return aliasdb_lmdb_error(mdb_put(txn, j->meta, &k, &v, 0));
}

static int meta_get_u64(struct cv_journal *j, MDB_txn *txn, const char *name,
			uint64_t *ret)
{
	MDB_val k = {strlen(name), (void *)name}, v;
	int r;

	r = aliasdb_lmdb_error(mdb_get(txn, j->meta, &k, &v));
	if (r < 0)
		return r;
	if (v.mv_size != 8)
		return -EIO;
	*ret = get_u64(v.mv_data);
	return 0;
}

int cv_journal_state(struct cv_journal *j, struct cv_journal_state *ret)
{
	struct cv_journal_state s = {0};
	uint64_t op = 0, state = 0, batch = 0;
	MDB_val k = {4, (void *)"tree"}, v;
	MDB_txn *txn;
	int r;

	r = aliasdb_lmdb_error(mdb_txn_begin(j->env, NULL, MDB_RDONLY, &txn));
	if (r < 0)
		return r;
	r = meta_get_u64(j, txn, "state", &state);
	if (r == -ENOENT) {
		state = CV_S_IDLE;
		r = 0;
	} else if (r == 0) {
		r = meta_get_u64(j, txn, "op", &op);
		if (r == 0)
			r = meta_get_u64(j, txn, "batch", &batch);
		if (r == 0)
			r = meta_get_u64(j, txn, "n_steps", &s.n_steps);
		if (r == 0)
			r = aliasdb_lmdb_error(mdb_get(txn, j->meta, &k, &v));
		if (r == 0 && v.mv_size != 16)
			r = -EIO;
		if (r == 0) {
			s.tree_dev = get_u64(v.mv_data);
			s.tree_ino = get_u64((unsigned char *)v.mv_data + 8);
		}
	}
	mdb_txn_abort(txn);
	if (r < 0)
		return r;
	if (state > CV_S_CLEANING || batch > CV_B_COUNT)
		return -EIO;
	s.op = (int)op;
	s.state = (enum cv_state)state;
	s.batch = (uint32_t)batch;
	*ret = s;
	return 0;
}

int cv_journal_set(struct cv_journal *j, enum cv_state state, uint32_t batch)
{
	MDB_txn *txn;
	int r;

	r = aliasdb_lmdb_error(mdb_txn_begin(j->env, NULL, 0, &txn));
	if (r < 0)
		return r;
	r = meta_put_u64(j, txn, "state", state);
	if (r == 0)
		r = meta_put_u64(j, txn, "batch", batch);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_lmdb_error(mdb_txn_commit(txn));
}

/* ---- steps --------------------------------------------------------------- */

#define STEP_HEAD 32

static size_t str_size(const char *s)
{
	return (s ? strlen(s) : 0) + 1;
}

static unsigned char *put_str(unsigned char *b, const char *s)
{
	size_t n = str_size(s);

	if (s)
		memcpy(b, s, n);
	else
		*b = '\0';
	return b + n;
}

static int step_encode(const struct cv_step *s, unsigned char **ret,
		       size_t *ret_len)
{
	size_t n = STEP_HEAD + str_size(s->src) + str_size(s->dst) +
		   str_size(s->text) + str_size(s->alias);
	unsigned char *b = malloc(n), *p;

	if (!b)
		return -ENOMEM;
	b[0] = s->kind;
	b[1] = s->batch;
	b[2] = s->src_root;
	b[3] = s->dst_root;
	put_u32(b + 4, s->flags);
	put_u64(b + 8, s->ino);
	put_u32(b + 16, s->mode);
	put_u32(b + 20, s->uid);
	put_u32(b + 24, s->gid);
	put_u32(b + 28, 0);
	p = put_str(b + STEP_HEAD, s->src);
	p = put_str(p, s->dst);
	p = put_str(p, s->text);
	put_str(p, s->alias);
	*ret = b;
	*ret_len = n;
	return 0;
}

/* The next NUL-terminated string at *p (NULL when empty). */
static int take_str(const unsigned char **p, const unsigned char *end,
		    char **ret)
{
	const unsigned char *nul = memchr(*p, '\0', (size_t)(end - *p));

	if (!nul)
		return -EIO;
	*ret = NULL;
	if (nul > *p) {
		*ret = strdup((const char *)*p);
		if (!*ret)
			return -ENOMEM;
	}
	*p = nul + 1;
	return 0;
}

static int step_decode(const MDB_val *v, struct cv_step *s)
{
	const unsigned char *b = v->mv_data, *p, *end = b + v->mv_size;
	int r;

	memset(s, 0, sizeof(*s));
	if (v->mv_size < STEP_HEAD + 4)
		return -EIO;
	s->kind = b[0];
	s->batch = b[1];
	s->src_root = b[2];
	s->dst_root = b[3];
	s->flags = get_u32(b + 4);
	s->ino = get_u64(b + 8);
	s->mode = get_u32(b + 16);
	s->uid = get_u32(b + 20);
	s->gid = get_u32(b + 24);
	p = b + STEP_HEAD;
	r = take_str(&p, end, &s->src);
	if (r == 0)
		r = take_str(&p, end, &s->dst);
	if (r == 0)
		r = take_str(&p, end, &s->text);
	if (r == 0)
		r = take_str(&p, end, &s->alias);
	if (r == 0 && (s->kind < CV_MOVE || s->kind > CV_LINK ||
		       s->batch >= CV_B_COUNT || !s->dst))
		r = -EIO;
	return r;
}

/* ---- origins ------------------------------------------------------------- */

#define ORIGIN_HEAD 16

static int origin_put(MDB_txn *txn, MDB_dbi dbi, const struct cv_origin *o)
{
	size_t n = ORIGIN_HEAD + str_size(o->text);
	unsigned char *b = malloc(n);
	MDB_val k = {strlen(o->path), o->path}, v = {n, b};
	int r;

	if (!b)
		return -ENOMEM;
	memset(b, 0, ORIGIN_HEAD);
	b[0] = o->kind;
	put_u32(b + 4, o->mode);
	put_u32(b + 8, o->uid);
	put_u32(b + 12, o->gid);
	put_str(b + ORIGIN_HEAD, o->text);
	r = aliasdb_lmdb_error(mdb_put(txn, dbi, &k, &v, 0));
	free(b);
	return r;
}

static int origin_decode(const MDB_val *k, const MDB_val *v,
			 struct cv_origin *o)
{
	const unsigned char *b = v->mv_data, *p;

	memset(o, 0, sizeof(*o));
	if (v->mv_size < ORIGIN_HEAD + 1)
		return -EIO;
	o->kind = b[0];
	o->mode = get_u32(b + 4);
	o->uid = get_u32(b + 8);
	o->gid = get_u32(b + 12);
	p = b + ORIGIN_HEAD;
	o->path = strndup(k->mv_data, k->mv_size);
	if (!o->path)
		return -ENOMEM;
	return take_str(&p, b + v->mv_size, &o->text);
}

/* LMDB sorts keys bytewise, strcmp compares bytes as unsigned char too:
 * the list comes out in the order cv_origin_find() searches. */
int cv_journal_origins(struct cv_journal *j, struct cv_origin **ret_list,
		       size_t *ret_n)
{
	struct cv_origin *list = NULL, *nl;
	size_t n = 0, cap = 0;
	MDB_cursor *cur;
	MDB_val k, v;
	MDB_txn *txn;
	int r, rc;

	r = aliasdb_lmdb_error(mdb_txn_begin(j->env, NULL, MDB_RDONLY, &txn));
	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_cursor_open(txn, j->origins, &cur));
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nl = realloc(list, cap * sizeof(*nl));
			if (!nl) {
				r = -ENOMEM;
				break;
			}
			list = nl;
		}
		r = origin_decode(&k, &v, &list[n]);
		if (r < 0) {
			free(list[n].path);
			break;
		}
		n++;
	}
	if (r == 0 && rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (r < 0) {
		cv_origins_free(list, n);
		return r;
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}

/* ---- a run ---------------------------------------------------------------- */

static int put_aliases(struct cv_journal *j, MDB_txn *txn,
		       const struct aliasdb_plan *p)
{
	size_t n = 1;
	char *b, *q;
	MDB_val k = {7, (void *)"aliases"}, v;
	int r;

	for (size_t i = 0; i < p->n_aliases; i++)
		n += strlen(p->aliases[i]) + 1;
	b = malloc(n);
	if (!b)
		return -ENOMEM;
	q = b;
	for (size_t i = 0; i < p->n_aliases; i++)
		q = (char *)put_str((unsigned char *)q, p->aliases[i]);
	*q = '\0';
	v.mv_size = n;
	v.mv_data = b;
	r = aliasdb_lmdb_error(mdb_put(txn, j->meta, &k, &v, 0));
	free(b);
	return r;
}

int cv_journal_begin(struct cv_journal *j, const struct aliasdb_plan *p)
{
	unsigned char tree[16];
	MDB_val tk = {4, (void *)"tree"}, tv = {16, tree};
	MDB_txn *txn;
	int r;

	r = aliasdb_lmdb_error(mdb_txn_begin(j->env, NULL, 0, &txn));
	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_drop(txn, j->steps, 0));
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_drop(txn, j->pending, 0));
	for (size_t i = 0; r == 0 && i < p->n_steps; i++) {
		unsigned char key[8], *val;
		size_t len;
		MDB_val k = {8, key}, v;

		for (int b = 0; b < 8; b++)
			key[b] = (unsigned char)((uint64_t)i >> (56 - 8 * b));
		r = step_encode(&p->steps[i], &val, &len);
		if (r < 0)
			break;
		v.mv_size = len;
		v.mv_data = val;
		r = aliasdb_lmdb_error(
			mdb_put(txn, j->steps, &k, &v, MDB_APPEND));
		free(val);
	}
	for (size_t i = 0; r == 0 && i < p->n_origins; i++)
		r = origin_put(txn, j->pending, &p->origins[i]);
	put_u64(tree, p->tree_dev);
	put_u64(tree + 8, p->tree_ino);
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_put(txn, j->meta, &tk, &tv, 0));
	if (r == 0)
		r = put_aliases(j, txn, p);
	if (r == 0) {
		MDB_val pk = {4, (void *)"prev"};
		MDB_val pv = {p->prev_len,
			      p->prev_states ? p->prev_states : (char *)""};

		r = aliasdb_lmdb_error(mdb_put(txn, j->meta, &pk, &pv, 0));
	}
	if (r == 0)
		r = meta_put_u64(j, txn, "op", (uint64_t)p->op);
	if (r == 0)
		r = meta_put_u64(j, txn, "n_steps", p->n_steps);
	if (r == 0)
		r = meta_put_u64(j, txn, "batch", 0);
	if (r == 0)
		r = meta_put_u64(j, txn, "state", CV_S_RUNNING);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_lmdb_error(mdb_txn_commit(txn));
}

static int load_aliases(struct cv_journal *j, MDB_txn *txn,
			struct aliasdb_plan *p)
{
	MDB_val k = {7, (void *)"aliases"}, v;
	const char *b, *end;
	size_t n = 0;
	int r;

	r = aliasdb_lmdb_error(mdb_get(txn, j->meta, &k, &v));
	if (r < 0)
		return r;
	b = v.mv_data;
	end = b + v.mv_size;
	if (v.mv_size == 0 || end[-1] != '\0')
		return -EIO;
	for (const char *q = b; q < end - 1; q += strlen(q) + 1)
		n++;
	p->aliases = calloc(n ? n : 1, sizeof(*p->aliases));
	if (!p->aliases)
		return -ENOMEM;
	for (const char *q = b; q < end - 1; q += strlen(q) + 1) {
		p->aliases[p->n_aliases] = strdup(q);
		if (!p->aliases[p->n_aliases])
			return -ENOMEM;
		p->n_aliases++;
	}
	return 0;
}

int cv_journal_load(struct cv_journal *j, struct aliasdb_plan **ret_plan)
{
	struct cv_journal_state st;
	struct aliasdb_plan *p;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	MDB_txn *txn;
	int r, rc;

	r = cv_journal_state(j, &st);
	if (r < 0)
		return r;
	r = cv_plan_new(st.op, &p);
	if (r < 0)
		return r;
	p->tree_dev = st.tree_dev;
	p->tree_ino = st.tree_ino;
	p->steps = calloc(st.n_steps ? st.n_steps : 1, sizeof(*p->steps));
	if (!p->steps) {
		aliasdb_plan_free(p);
		return -ENOMEM;
	}
	p->cap_steps = st.n_steps;
	r = aliasdb_lmdb_error(mdb_txn_begin(j->env, NULL, MDB_RDONLY, &txn));
	if (r < 0) {
		aliasdb_plan_free(p);
		return r;
	}
	r = load_aliases(j, txn, p);
	if (r == 0) {
		MDB_val pk = {4, (void *)"prev"}, pv;

		r = aliasdb_lmdb_error(mdb_get(txn, j->meta, &pk, &pv));
		if (r == 0 && pv.mv_size) {
			p->prev_states = malloc(pv.mv_size);
			if (!p->prev_states)
				r = -ENOMEM;
			else
				memcpy(p->prev_states, pv.mv_data, pv.mv_size);
			p->prev_len = pv.mv_size;
		}
	}
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_cursor_open(txn, j->steps, &cur));
	for (rc = r ? MDB_NOTFOUND : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	     rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (p->n_steps == st.n_steps) {
			r = -EIO;
			break;
		}
		r = step_decode(&v, &p->steps[p->n_steps]);
		p->n_steps++;
		if (r < 0)
			break;
	}
	if (r == 0 && rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
	if (r == 0 && p->n_steps != st.n_steps)
		r = -EIO;
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (r < 0) {
		aliasdb_plan_free(p);
		return r;
	}
	*ret_plan = p;
	return 0;
}

int cv_journal_finish(struct cv_journal *j, bool completed)
{
	uint64_t op = 0;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	MDB_txn *txn;
	int r, rc;

	r = aliasdb_lmdb_error(mdb_txn_begin(j->env, NULL, 0, &txn));
	if (r < 0)
		return r;
	r = meta_get_u64(j, txn, "op", &op);
	if (r == 0 && !completed) {
		/* Rolled back: the tree is as before, so is the record. */
	} else if (r == 0 && op == ALIASDB_OP_CONVERT) {
		/* The new record replaces the old one whole: it describes
		 * the tree as it was before this run. */
		r = aliasdb_lmdb_error(mdb_drop(txn, j->origins, 0));
		if (r == 0)
			r = aliasdb_lmdb_error(
				mdb_cursor_open(txn, j->pending, &cur));
		for (rc = r ? MDB_NOTFOUND
			    : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
		     rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			r = aliasdb_lmdb_error(
				mdb_put(txn, j->origins, &k, &v, 0));
			if (r < 0)
				break;
		}
		if (r == 0 && rc != MDB_NOTFOUND)
			r = aliasdb_lmdb_error(rc);
		if (cur)
			mdb_cursor_close(cur);
	} else if (r == 0 && op == ALIASDB_OP_REVERT) {
		r = aliasdb_lmdb_error(mdb_drop(txn, j->origins, 0));
	}
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_drop(txn, j->pending, 0));
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_drop(txn, j->steps, 0));
	if (r == 0)
		r = meta_put_u64(j, txn, "state", CV_S_IDLE);
	if (r == 0)
		r = meta_put_u64(j, txn, "n_steps", 0);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_lmdb_error(mdb_txn_commit(txn));
}
