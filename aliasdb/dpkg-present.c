/*
 * dpkg database presentation: the text transforms behind the claims model.
 *
 * A database file is a sequence of records (a list line; a diversion's
 * three lines; a statoverride line; a file trigger line), each about one
 * *key* path. Presenting a file repeats each record once per spelling of
 * its key's canonical path, so dpkg finds a path under either spelling;
 * records of released paths are left out. Anything that does not parse as
 * a record passes through unchanged, so garbage is never lost from view.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aliasdb-internal.h"
#include "dpkg-claims-internal.h"

/* ---- a small string set ------------------------------------------------ */

static uint64_t dpkg_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int dpkg_set_init(struct dpkg_set *set, size_t expect)
{
	size_t cap = 16;

	while (cap < expect * 2 + 1)
		cap *= 2;
	set->slots = calloc(cap, sizeof(*set->slots));
	if (!set->slots)
		return -ENOMEM;
	set->cap = cap;
	set->n = 0;
	return 0;
}

void dpkg_set_free(struct dpkg_set *set)
{
	size_t i;

	if (!set->slots)
		return;
	for (i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	set->slots = NULL;
}

static size_t dpkg_set_find(const struct dpkg_set *set, const char *s, size_t n)
{
	size_t i = (size_t)dpkg_hash(s, n) & (set->cap - 1);

	while (set->slots[i] &&
	       !(strncmp(set->slots[i], s, n) == 0 && set->slots[i][n] == '\0'))
		i = (i + 1) & (set->cap - 1);
	return i;
}

bool dpkg_set_has(const struct dpkg_set *set, const char *s, size_t n)
{
	return set->slots[dpkg_set_find(set, s, n)] != NULL;
}

/* Returns 1 if added, 0 if present, -ENOMEM. */
int dpkg_set_add(struct dpkg_set *set, const char *s, size_t n)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		struct dpkg_set bigger;
		size_t k;

		if (dpkg_set_init(&bigger, set->cap) < 0)
			return -ENOMEM;
		for (k = 0; k < set->cap; k++)
			if (set->slots[k]) {
				size_t len = strlen(set->slots[k]);

				bigger.slots[dpkg_set_find(
					&bigger, set->slots[k], len)] =
					set->slots[k];
				bigger.n++;
			}
		free(set->slots);
		*set = bigger;
	}
	i = dpkg_set_find(set, s, n);
	if (set->slots[i])
		return 0;
	set->slots[i] = strndup(s, n);
	if (!set->slots[i])
		return -ENOMEM;
	set->n++;
	return 1;
}

/* ---- a growing buffer -------------------------------------------------- */

int dpkg_buf_add(struct dpkg_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int dpkg_buf_str(struct dpkg_buf *b, const char *s)
{
	return dpkg_buf_add(b, s, strlen(s));
}

/* ---- paths and spellings ----------------------------------------------- */

/* Is @path (@n bytes) equal to @prefix or below it? */
static bool dpkg_under(const char *path, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(path, prefix, k) == 0 &&
	       (n == k || path[k] == '/');
}

/* The canonical spelling of key path @path (@n bytes) into @buf. Paths are
 * taken as dpkg writes them (never normalized: "/." stays "/."). */
int dpkg_canon(const struct aliasdb_map *map, const char *path, size_t n,
	       struct dpkg_buf *buf)
{
	size_t i, count = map ? aliasdb_map_count(map) : 0;

	buf->len = 0;
	for (i = 0; i < count; i++) {
		const char *a = aliasdb_map_alias(map, i);

		if (dpkg_under(path, n, a)) {
			size_t k = strlen(a);

			if (dpkg_buf_str(buf, aliasdb_map_canonical(map, i)) <
			    0)
				return -ENOMEM;
			return dpkg_buf_add(buf, path + k, n - k);
		}
	}
	return dpkg_buf_add(buf, path, n);
}

/*
 * Spelling number @j of canonical path @c: 0 is @c itself, then one per
 * alias whose canonical directory holds @c. Writes it to @buf with the
 * alias index used (or -1) and returns 1, or returns 0 when there are no
 * more.
 */
int dpkg_spelling(const struct aliasdb_map *map, const char *c, size_t j,
		  struct dpkg_buf *buf, int *ret_alias)
{
	size_t i, count = map ? aliasdb_map_count(map) : 0, n = strlen(c);

	buf->len = 0;
	if (j == 0) {
		*ret_alias = -1;
		return dpkg_buf_add(buf, c, n) < 0 ? -ENOMEM : 1;
	}
	for (i = 0; i < count; i++) {
		const char *k = aliasdb_map_canonical(map, i);

		if (dpkg_under(c, n, k) && --j == 0) {
			size_t kl = strlen(k);

			if (dpkg_buf_str(buf, aliasdb_map_alias(map, i)) < 0 ||
			    dpkg_buf_add(buf, c + kl, n - kl) < 0)
				return -ENOMEM;
			*ret_alias = (int)i;
			return 1;
		}
	}
	return 0;
}

/* ---- records ----------------------------------------------------------- */

/* Split the next record off @text (at *pos). Returns false at the end. */
bool dpkg_record_next(enum aliasdb_dpkg_db kind, const char *text, size_t len,
		      size_t *pos, struct dpkg_record *rec)
{
	size_t p = *pos, lines = kind == ALIASDB_DPKG_DIVERSIONS ? 3 : 1, k;
	const char *nl;

	if (p >= len)
		return false;
	memset(rec, 0, sizeof(*rec));
	rec->start = text + p;
	for (k = 0; k < lines && p < len; k++) {
		nl = memchr(text + p, '\n', len - p);
		rec->line[k] = text + p;
		rec->line_len[k] = nl ? (size_t)(nl - (text + p)) : len - p;
		p += rec->line_len[k] + (nl ? 1 : 0);
	}
	rec->len = (size_t)(text + p - rec->start);
	*pos = p;
	/* An incomplete record, or one whose key is not an absolute path,
	 * has no key: it passes through. */
	if (k < lines)
		return true;
	switch (kind) {
	case ALIASDB_DPKG_LIST:
	case ALIASDB_DPKG_DIVERSIONS:
		if (rec->line_len[0] > 0 && rec->line[0][0] == '/') {
			rec->key = rec->line[0];
			rec->key_len = rec->line_len[0];
		}
		break;
	case ALIASDB_DPKG_STATOVERRIDE: {
		/* "user group mode path": the path is the rest after the
		 * third blank. */
		const char *s = rec->line[0], *end = s + rec->line_len[0];
		int blanks = 0;

		while (s < end && blanks < 3)
			if (*s++ == ' ')
				blanks++;
		if (blanks == 3 && s < end && *s == '/') {
			rec->key = s;
			rec->key_len = (size_t)(end - s);
		}
		break;
	}
	case ALIASDB_DPKG_FILE_TRIGGERS: {
		const char *sp = memchr(rec->line[0], ' ', rec->line_len[0]);

		if (sp && rec->line[0][0] == '/') {
			rec->key = rec->line[0];
			rec->key_len = (size_t)(sp - rec->line[0]);
		}
		break;
	}
	}
	return true;
}

/* The record as one string, lines joined by '\x1f' (its identity). */
int dpkg_record_id(const struct dpkg_record *rec, struct dpkg_buf *buf)
{
	unsigned k;

	buf->len = 0;
	for (k = 0; k < 3 && rec->line[k]; k++)
		if ((k > 0 && dpkg_buf_add(buf, "\x1f", 1) < 0) ||
		    dpkg_buf_add(buf, rec->line[k], rec->line_len[k]) < 0)
			return -ENOMEM;
	return 0;
}

/* Append @rec to @out with its key spelled @spelling (alias index
 * @alias, -1 for the canonical spelling). */
static int dpkg_record_emit(const struct aliasdb_map *map,
			    enum aliasdb_dpkg_db kind,
			    const struct dpkg_record *rec, const char *spelling,
			    int alias, struct dpkg_buf *out)
{
	const char *l0 = rec->line[0];
	size_t before = (size_t)(rec->key - l0);
	size_t after = rec->line_len[0] - before - rec->key_len;

	if (dpkg_buf_add(out, l0, before) < 0 ||
	    dpkg_buf_str(out, spelling) < 0 ||
	    dpkg_buf_add(out, rec->key + rec->key_len, after) < 0 ||
	    dpkg_buf_add(out, "\n", 1) < 0)
		return -ENOMEM;
	if (kind != ALIASDB_DPKG_DIVERSIONS)
		return 0;
	{
		/* The diverted-to path follows the spelling when it lives
		 * in the same aliased directory. */
		struct dpkg_buf to = {0};
		int r = dpkg_canon(map, rec->line[1], rec->line_len[1], &to);

		if (r == 0 && alias >= 0) {
			const char *k =
				aliasdb_map_canonical(map, (size_t)alias);

			if (dpkg_under(to.data, to.len, k)) {
				size_t kl = strlen(k);

				r = dpkg_buf_str(
					out,
					aliasdb_map_alias(map, (size_t)alias));
				if (r == 0)
					r = dpkg_buf_add(out, to.data + kl,
							 to.len - kl);
			} else {
				r = dpkg_buf_add(out, rec->line[1],
						 rec->line_len[1]);
			}
		} else if (r == 0) {
			r = dpkg_buf_add(out, to.data, to.len);
		}
		free(to.data);
		if (r < 0 || dpkg_buf_add(out, "\n", 1) < 0 ||
		    dpkg_buf_add(out, rec->line[2], rec->line_len[2]) < 0 ||
		    dpkg_buf_add(out, "\n", 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Released entries: "k<path>" hides every spelling of path's canonical
 * path, "s<record id>" hides one exact record. */
static int dpkg_parse_released(const struct aliasdb_map *map,
			       const char *released, size_t len,
			       struct dpkg_set *keys, struct dpkg_set *records)
{
	struct dpkg_buf c = {0};
	size_t p = 0;
	int r = 0;

	while (p < len && r >= 0) {
		const char *nl = memchr(released + p, '\n', len - p);
		size_t n = nl ? (size_t)(nl - (released + p)) : len - p;
		const char *l = released + p;

		if (n > 1 && l[0] == 'k') {
			r = dpkg_canon(map, l + 1, n - 1, &c);
			if (r >= 0)
				r = dpkg_set_add(keys, c.data, c.len);
		} else if (n > 1 && l[0] == 's') {
			r = dpkg_set_add(records, l + 1, n - 1);
		}
		p += n + 1;
	}
	free(c.data);
	return r < 0 ? r : 0;
}

int aliasdb_claims_present(const struct aliasdb_map *map,
			   enum aliasdb_dpkg_db kind, const char *backing,
			   size_t len, const char *released,
			   size_t released_len, char **ret_text,
			   size_t *ret_len)
{
	struct dpkg_set seen = {0}, rkeys = {0}, rrecs = {0};
	struct dpkg_buf out = {0}, c = {0}, s = {0}, id = {0};
	struct dpkg_record rec;
	size_t pos = 0;
	int r;

	r = dpkg_set_init(&seen, len / 16 + 16);
	if (r == 0)
		r = dpkg_set_init(&rkeys, 16);
	if (r == 0)
		r = dpkg_set_init(&rrecs, 16);
	if (r == 0)
		r = dpkg_parse_released(map, released, released_len, &rkeys,
					&rrecs);
	if (r == 0)
		r = dpkg_buf_add(&out, "", 0);
	while (r >= 0 && dpkg_record_next(kind, backing, len, &pos, &rec)) {
		size_t j;
		int alias;

		if (!rec.key) {
			/* Not a record: as it is, with a line end. */
			r = dpkg_buf_add(&out, rec.start, rec.len);
			if (r == 0 && rec.start[rec.len - 1] != '\n')
				r = dpkg_buf_add(&out, "\n", 1);
			continue;
		}
		r = dpkg_canon(map, rec.key, rec.key_len, &c);
		if (r < 0)
			break;
		if (dpkg_set_has(&rkeys, c.data, c.len))
			continue;
		if (rrecs.n > 0) {
			r = dpkg_record_id(&rec, &id);
			if (r < 0)
				break;
			if (dpkg_set_has(&rrecs, id.data, id.len))
				continue;
		}
		r = dpkg_set_add(&seen, c.data, c.len);
		if (r <= 0)
			continue;
		for (j = 0; r >= 0; j++) {
			r = dpkg_spelling(map, c.data, j, &s, &alias);
			if (r <= 0)
				break;
			/* The alias itself (/bin) is the file system's, not
			 * a package's: listed, dpkg would remove it with
			 * the last package that lists it. */
			if (alias >= 0 &&
			    strcmp(s.data,
				   aliasdb_map_alias(map, (size_t)alias)) == 0)
				continue;
			r = dpkg_record_emit(map, kind, &rec, s.data, alias,
					     &out);
		}
	}
	dpkg_set_free(&seen);
	dpkg_set_free(&rkeys);
	dpkg_set_free(&rrecs);
	free(c.data);
	free(s.data);
	free(id.data);
	if (r < 0) {
		free(out.data);
		return -ENOMEM;
	}
	*ret_text = out.data;
	*ret_len = out.len;
	return 0;
}

/* ---- what dpkg writes back: the inverse of the presentation ------------ */

/* The identity of @rec whatever the spelling of its paths: the record as
 * presented under its canonical spelling, into @out. With @at, prefixed
 * with its key as spelled and '\x1e' (a record of the backing where it
 * stands). @c is scratch. */
static int dpkg_record_ident(const struct aliasdb_map *map,
			     enum aliasdb_dpkg_db kind,
			     const struct dpkg_record *rec, bool at,
			     struct dpkg_buf *c, struct dpkg_buf *out)
{
	int r = dpkg_canon(map, rec->key, rec->key_len, c);

	out->len = 0;
	if (r == 0 && at)
		r = dpkg_buf_add(out, rec->key, rec->key_len);
	if (r == 0 && at)
		r = dpkg_buf_add(out, "\x1e", 1);
	if (r == 0)
		r = dpkg_buf_add(out, "", 0);
	if (r == 0)
		r = dpkg_record_emit(map, kind, rec, c->data, -1, out);
	return r;
}

struct unpresent {
	const struct aliasdb_map *map;
	enum aliasdb_dpkg_db kind;
	const char *before;
	size_t before_len;
	/* before: exact records, identities, identities where they stand;
	 * shown: exact records; written: keys as spelled; identities of
	 * @before whose own spelling dpkg wrote a record of (homed: kept
	 * or changed there); records of @before stored already (done). */
	struct dpkg_set bid, bident, bat, sid, wkey, homed, done;
	struct dpkg_buf id, c, x;
};

/* Add what @text's records are (record ids with @ids, identities with
 * @idents, identities where they stand with @at, keys with @keys) to the
 * sets given. */
static int unpresent_scan(struct unpresent *u, const char *text, size_t len,
			  struct dpkg_set *ids, struct dpkg_set *idents,
			  struct dpkg_set *at, struct dpkg_set *keys)
{
	struct dpkg_record rec;
	size_t pos = 0;
	int r = 0;

	while (r >= 0 && dpkg_record_next(u->kind, text, len, &pos, &rec)) {
		if (!rec.key)
			continue;
		if (ids && (r = dpkg_record_id(&rec, &u->id)) == 0)
			r = dpkg_set_add(ids, u->id.data, u->id.len);
		if (r >= 0 && idents &&
		    (r = dpkg_record_ident(u->map, u->kind, &rec, false, &u->c,
					   &u->x)) == 0)
			r = dpkg_set_add(idents, u->x.data, u->x.len);
		if (r >= 0 && at &&
		    (r = dpkg_record_ident(u->map, u->kind, &rec, true, &u->c,
					   &u->x)) == 0)
			r = dpkg_set_add(at, u->x.data, u->x.len);
		if (r >= 0 && keys)
			r = dpkg_set_add(keys, rec.key, rec.key_len);
	}
	return r < 0 ? r : 0;
}

/* The identities of @before whose own spelling dpkg wrote a record of:
 * that record is the truth, any other spelling a presentation. */
static int unpresent_homed(struct unpresent *u)
{
	struct dpkg_record rec;
	size_t pos = 0;
	int r = 0;

	while (r >= 0 && dpkg_record_next(u->kind, u->before, u->before_len,
					  &pos, &rec)) {
		if (!rec.key || !dpkg_set_has(&u->wkey, rec.key, rec.key_len))
			continue;
		r = dpkg_record_ident(u->map, u->kind, &rec, false, &u->c,
				      &u->x);
		if (r == 0)
			r = dpkg_set_add(&u->homed, u->x.data, u->x.len);
	}
	return r < 0 ? r : 0;
}

/* Store the record of @before standing where @at (an identity where it
 * stands) says, once. */
static int unpresent_restore(struct unpresent *u, const char *at, size_t n,
			     struct dpkg_buf *out)
{
	struct dpkg_record rec;
	size_t pos = 0;
	int r = 0;

	if (dpkg_set_has(&u->done, at, n))
		return 0;
	r = dpkg_set_add(&u->done, at, n);
	while (r >= 0 && dpkg_record_next(u->kind, u->before, u->before_len,
					  &pos, &rec)) {
		if (!rec.key || (r = dpkg_record_ident(u->map, u->kind, &rec,
						       true, &u->c, &u->x)) < 0)
			continue;
		if (u->x.len == n && memcmp(u->x.data, at, n) == 0)
			return dpkg_buf_add(out, rec.start, rec.len);
	}
	return r < 0 ? r : 0;
}

/* What to store of written record @rec (see aliasdb_claims_unpresent). */
static int unpresent_record(struct unpresent *u, const struct dpkg_record *rec,
			    struct dpkg_buf *out)
{
	struct dpkg_buf at = {0};
	int r;

	if (!rec->key)
		return dpkg_buf_add(out, rec->start, rec->len);
	r = dpkg_record_id(rec, &u->id);
	if (r < 0)
		return r;
	/* The backing's own record, or one dpkg was never shown. */
	if (dpkg_set_has(&u->bid, u->id.data, u->id.len) ||
	    !dpkg_set_has(&u->sid, u->id.data, u->id.len))
		goto keep;
	r = dpkg_record_ident(u->map, u->kind, rec, false, &u->c, &u->x);
	if (r < 0)
		return r;
	/* Shown, and no spelling of a record of the backing: dpkg's own. */
	if (!dpkg_set_has(&u->bident, u->x.data, u->x.len))
		goto keep;
	r = dpkg_record_ident(u->map, u->kind, rec, true, &u->c, &at);
	if (r == 0 && dpkg_set_has(&u->bat, at.data, at.len))
		r = unpresent_restore(u, at.data, at.len, out);
	else if (r == 0 && !dpkg_set_has(&u->homed, u->x.data, u->x.len))
		r = dpkg_buf_add(out, rec->start, rec->len);
	/* else: another spelling of a record dpkg wrote (as it was, or
	 * changed) in the spelling the backing has. */
	free(at.data);
	return r;
keep:
	r = dpkg_record_ident(u->map, u->kind, rec, true, &u->c, &u->x);
	if (r == 0 && dpkg_set_has(&u->bid, u->id.data, u->id.len))
		r = dpkg_set_add(&u->done, u->x.data, u->x.len);
	return r < 0 ? r : dpkg_buf_add(out, rec->start, rec->len);
}

int aliasdb_claims_unpresent(const struct aliasdb_map *map,
			     enum aliasdb_dpkg_db kind, const char *before,
			     size_t before_len, const char *shown,
			     size_t shown_len, const char *written, size_t len,
			     char **ret_text, size_t *ret_len)
{
	struct unpresent u = {
		.map = map,
		.kind = kind,
		.before = before ? before : "",
		.before_len = before ? before_len : 0,
	};
	struct dpkg_buf out = {0};
	struct dpkg_record rec;
	size_t pos = 0;
	int r;

	r = dpkg_buf_add(&out, "", 0);
	if (r == 0 && kind == ALIASDB_DPKG_LIST)
		r = dpkg_buf_add(&out, written, len);
	if (r < 0 || kind == ALIASDB_DPKG_LIST)
		goto out;
	r = dpkg_set_init(&u.bid, u.before_len / 16 + 16);
	if (r == 0)
		r = dpkg_set_init(&u.bident, u.before_len / 16 + 16);
	if (r == 0)
		r = dpkg_set_init(&u.bat, u.before_len / 16 + 16);
	if (r == 0)
		r = dpkg_set_init(&u.sid, shown_len / 16 + 16);
	if (r == 0)
		r = dpkg_set_init(&u.wkey, len / 16 + 16);
	if (r == 0)
		r = dpkg_set_init(&u.homed, 16);
	if (r == 0)
		r = dpkg_set_init(&u.done, 16);
	if (r == 0)
		r = unpresent_scan(&u, u.before, u.before_len, &u.bid,
				   &u.bident, &u.bat, NULL);
	if (r == 0 && shown)
		r = unpresent_scan(&u, shown, shown_len, &u.sid, NULL, NULL,
				   NULL);
	if (r == 0)
		r = unpresent_scan(&u, written, len, NULL, NULL, NULL, &u.wkey);
	if (r == 0)
		r = unpresent_homed(&u);
	while (r >= 0 && dpkg_record_next(kind, written, len, &pos, &rec))
		r = unpresent_record(&u, &rec, &out);
out:
	dpkg_set_free(&u.bid);
	dpkg_set_free(&u.bident);
	dpkg_set_free(&u.bat);
	dpkg_set_free(&u.sid);
	dpkg_set_free(&u.wkey);
	dpkg_set_free(&u.homed);
	dpkg_set_free(&u.done);
	free(u.id.data);
	free(u.c.data);
	free(u.x.data);
	if (r < 0) {
		free(out.data);
		return -ENOMEM;
	}
	*ret_text = out.data;
	*ret_len = out.len;
	return 0;
}
