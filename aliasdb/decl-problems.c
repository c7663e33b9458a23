/*
 * What the last sync could not import, kept per declaration so that
 * `aliasctl status` can say which declaration is refused and by which
 * rule long after the sync that found it. In the "meta" database under
 * "refused:NAME", one entry per problem:
 *   1 byte kind, 1 byte rule, 4 bytes line (big-endian),
 *   ALIAS NUL CANONICAL NUL DETAIL NUL ("" for none)
 * Written inside the sync's transaction, only when it changed, so a sync
 * of an unchanged tree still writes nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sync-internal.h"

static bool problems_kind(enum aliasdb_sync_kind kind)
{
	return kind == ALIASDB_SYNC_REFUSED || kind == ALIASDB_SYNC_MALFORMED ||
	       kind == ALIASDB_SYNC_UNREADABLE;
}

struct problems_buf {
	unsigned char *data;
	size_t len;
};

static int problems_add(struct problems_buf *b, const void *s, size_t n)
{
	unsigned char *d = realloc(b->data, b->len + n);

	if (!d)
		return -ENOMEM;
	b->data = d;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

static int problems_by_line(const void *a, const void *b)
{
	const struct aliasdb_sync_event *x = *(const void *const *)a;
	const struct aliasdb_sync_event *y = *(const void *const *)b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	/* Same line: in the order the sync reported them. */
	return x < y ? -1 : x > y;
}

/* The value for @name: every problem event of @rep about it, by line. */
static int problems_encode(const struct aliasdb_sync_report *rep,
			   const char *name, struct problems_buf *b)
{
	const struct aliasdb_sync_event **mine;
	size_t i, n = 0;
	int r = 0;

	mine = calloc(rep->n_events + 1, sizeof(*mine));
	if (!mine)
		return -ENOMEM;
	for (i = 0; i < rep->n_events; i++) {
		const struct aliasdb_sync_event *e = &rep->events[i];

		if (problems_kind(e->kind) && e->decl &&
		    strcmp(e->decl, name) == 0)
			mine[n++] = e;
	}
	qsort(mine, n, sizeof(*mine), problems_by_line);
	for (i = 0; i < n && r == 0; i++) {
		const struct aliasdb_sync_event *e = mine[i];
		unsigned char head[6];
		const char *s[3];
		int k;

		head[0] = (unsigned char)e->kind;
		head[1] = (unsigned char)e->rule;
		head[2] = (unsigned char)(e->line >> 24);
		head[3] = (unsigned char)(e->line >> 16);
		head[4] = (unsigned char)(e->line >> 8);
		head[5] = (unsigned char)e->line;
		s[0] = e->alias ? e->alias : "";
		s[1] = e->canonical ? e->canonical : "";
		s[2] = e->detail ? e->detail : "";
		r = problems_add(b, head, sizeof(head));
		for (k = 0; k < 3 && r == 0; k++)
			r = problems_add(b, s[k], strlen(s[k]) + 1);
	}
	free(mine);
	return r;
}

/* Decode one stored value; the file may be damaged, so every offset is
 * checked first. With @list NULL only checks. */
static int problems_decode(const char *name, const MDB_val *val,
			   struct aliasdb_sync_event **list, size_t *n)
{
	const unsigned char *p = val->mv_data, *end = p + val->mv_size;

	if (val->mv_size == 0 || !p || end[-1] != '\0')
		return -EUCLEAN;
	while (p < end) {
		const char *s[3];
		unsigned kind, rule, line;
		int k;

		if ((size_t)(end - p) < 6 + 3)
			return -EUCLEAN;
		kind = p[0];
		rule = p[1];
		line = (unsigned)p[2] << 24 | (unsigned)p[3] << 16 |
		       (unsigned)p[4] << 8 | p[5];
		p += 6;
		/* Kinds and rules a later version adds are shown as
		 * unknown ones, not taken for damage. */
		for (k = 0; k < 3; k++) {
			const unsigned char *nul = memchr(p, '\0', end - p);

			if (!nul)
				return -EUCLEAN;
			s[k] = (const char *)p;
			p = nul + 1;
		}
		if (list) {
			struct aliasdb_sync_event *e, *nl;

			nl = realloc(*list, (*n + 1) * sizeof(*nl));
			if (!nl)
				return -ENOMEM;
			*list = nl;
			e = &nl[(*n)++];
			memset(e, 0, sizeof(*e));
			e->kind = (enum aliasdb_sync_kind)kind;
			e->rule = (enum aliasdb_rule)rule;
			e->line = line;
			e->decl = strdup(name);
			e->alias = s[0][0] ? strdup(s[0]) : NULL;
			e->canonical = s[1][0] ? strdup(s[1]) : NULL;
			e->detail = s[2][0] ? strdup(s[2]) : NULL;
			if (!e->decl || (s[0][0] && !e->alias) ||
			    (s[1][0] && !e->canonical) ||
			    (s[2][0] && !e->detail))
				return -ENOMEM;
		}
	}
	return 0;
}

int aliasdb_decl_problems_record_check(const MDB_val *key, const MDB_val *val)
{
	const size_t plen = sizeof(ALIASDB_META_REFUSED) - 1;

	if (!key || !key->mv_data || key->mv_size <= plen || !val)
		return -EUCLEAN;
	return problems_decode("", val, NULL, NULL);
}

static char *problems_key(const char *name)
{
	const size_t plen = sizeof(ALIASDB_META_REFUSED) - 1;
	size_t n = strlen(name);
	char *k = malloc(plen + n + 1);

	if (k) {
		memcpy(k, ALIASDB_META_REFUSED, plen);
		memcpy(k + plen, name, n + 1);
	}
	return k;
}

/* Put (or, @b empty, delete) the record of @name when it differs. */
static int problems_store(struct aliasdb *db, MDB_txn *txn, const char *name,
			  const struct problems_buf *b, bool *changed)
{
	char *k = problems_key(name);
	MDB_val key, val, old;
	int rc;

	if (!k)
		return -ENOMEM;
	key.mv_size = strlen(k);
	key.mv_data = k;
	if (key.mv_size > (size_t)mdb_env_get_maxkeysize(db->env)) {
		free(k);
		return 0; /* a name this long was refused as an owner */
	}
	rc = mdb_get(txn, db->meta, &key, &old);
	if (rc == 0 && b->len == old.mv_size &&
	    memcmp(old.mv_data, b->data, b->len) == 0) {
		free(k);
		return 0;
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		free(k);
		return aliasdb_lmdb_error(rc);
	}
	if (b->len == 0 && rc == MDB_NOTFOUND) {
		free(k);
		return 0; /* nothing then, nothing now */
	}
	if (b->len == 0) {
		rc = mdb_del(txn, db->meta, &key, NULL);
	} else {
		val.mv_size = b->len;
		val.mv_data = b->data;
		rc = mdb_put(txn, db->meta, &key, &val, 0);
	}
	free(k);
	if (rc == 0)
		*changed = true;
	return aliasdb_lmdb_error(rc);
}

int aliasdb_decl_problems_save(struct aliasdb *db, MDB_txn *txn,
			       const struct aliasdb_sync_report *rep,
			       const char *const *names, size_t n_names,
			       bool *changed)
{
	const size_t plen = sizeof(ALIASDB_META_REFUSED) - 1;
	MDB_val key = {plen, (void *)ALIASDB_META_REFUSED}, val;
	char **stale = NULL;
	size_t n_stale = 0, i, j;
	MDB_cursor *cur;
	int r = 0, rc;

	for (i = 0; i < n_names && r == 0; i++) {
		struct problems_buf b = {NULL, 0};

		r = problems_encode(rep, names[i], &b);
		if (r == 0)
			r = problems_store(db, txn, names[i], &b, changed);
		free(b.data);
	}
	if (r < 0)
		return r;
	/* Declarations that are gone take their problems along. */
	r = aliasdb_lmdb_error(mdb_cursor_open(txn, db->meta, &cur));
	if (r < 0)
		return r;
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		char **ns;

		if (key.mv_size < plen ||
		    memcmp(key.mv_data, ALIASDB_META_REFUSED, plen) != 0)
			break;
		for (j = 0; j < n_names; j++)
			if (strlen(names[j]) == key.mv_size - plen &&
			    memcmp(names[j], (char *)key.mv_data + plen,
				   key.mv_size - plen) == 0)
				break;
		if (j < n_names)
			continue;
		ns = realloc(stale, (n_stale + 1) * sizeof(*ns));
		if (!ns || !(ns[n_stale] = strndup(key.mv_data, key.mv_size))) {
			stale = ns ? ns : stale;
			r = -ENOMEM;
			break;
		}
		stale = ns;
		n_stale++;
	}
	mdb_cursor_close(cur);
	for (i = 0; i < n_stale; i++) {
		key.mv_size = strlen(stale[i]);
		key.mv_data = stale[i];
		if (r == 0)
			r = aliasdb_lmdb_error(
				mdb_del(txn, db->meta, &key, NULL));
		if (r == 0)
			*changed = true;
		free(stale[i]);
	}
	free(stale);
	return r;
}

void aliasdb_sync_problems_free(struct aliasdb_sync_event *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++) {
		free(list[i].decl);
		free(list[i].alias);
		free(list[i].canonical);
		free(list[i].detail);
	}
	free(list);
}

int aliasdb_sync_problems(struct aliasdb *db,
			  struct aliasdb_sync_event **ret_list, size_t *ret_n)
{
	const size_t plen = sizeof(ALIASDB_META_REFUSED) - 1;
	MDB_val key = {plen, (void *)ALIASDB_META_REFUSED}, val;
	struct aliasdb_sync_event *list = NULL;
	MDB_cursor *cur = NULL;
	MDB_txn *txn;
	size_t n = 0;
	int r, rc;

	if (!db || !ret_list || !ret_n)
		return -EINVAL;
	r = aliasdb_db_read_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_cursor_open(txn, db->meta, &cur));
	for (rc = r ? MDB_NOTFOUND
		    : mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	     rc == 0 && r == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		char *name;

		if (key.mv_size < plen ||
		    memcmp(key.mv_data, ALIASDB_META_REFUSED, plen) != 0)
			break;
		name = strndup((char *)key.mv_data + plen, key.mv_size - plen);
		if (!name) {
			r = -ENOMEM;
			break;
		}
		r = problems_decode(name, &val, &list, &n);
		free(name);
	}
	if (r == 0 && rc != 0 && rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (r < 0) {
		aliasdb_sync_problems_free(list, n);
		return r;
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}
