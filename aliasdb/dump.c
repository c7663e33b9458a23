/*
 * The dump: the whole database as plain text, one record a line, and back.
 * `aliasctl dump` prints it, `aliasctl restore` reads it, and the library
 * keeps one beside the database (copy.c) so that a damaged database can be
 * rebuilt without the user having saved anything.
 *
 * Format 1 (documented in aliasctl(1); a reader refuses a larger number):
 *
 *   # comments and blank lines are ignored
 *   aliasfs-dump 1
 *   generation G
 *   alias ALIAS CANONICAL active|blocked [hand] [owner=NAME]... [reason=TEXT]
 *   declaration NAME DIGEST SIZE [ALIAS CANONICAL]...
 *   conflict CANONICAL SHADOWED
 *   quarantine STORED ALIAS ORIGINAL
 *   end N
 *
 * Fields are separated by one space. In every field each byte outside
 * '!'..'~', and '\', is written as \xNN, so a field never holds a blank
 * and a line never holds a control character. N counts the record lines
 * (alias, declaration, conflict, quarantine): a dump cut short is refused,
 * not half restored.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync-internal.h"

/* ---- Writing ------------------------------------------------------------ */

struct dump_buf {
	char *data;
	size_t len, cap;
	int err;
};

static void dump_add(struct dump_buf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *d;

		while (b->len + n + 1 > cap)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->err = -ENOMEM;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void dump_str(struct dump_buf *b, const char *s)
{
	dump_add(b, s, strlen(s));
}

static void dump_printf(struct dump_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dump_printf(struct dump_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->err = -EINVAL;
	else
		dump_add(b, tmp, (size_t)n);
}

/* @n bytes of @s, escaped. */
static void dump_escaped(struct dump_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};

		if (c > ' ' && c < 0x7f && c != '\\')
			continue;
		dump_add(b, s + start, i - start);
		dump_add(b, esc, 4);
		start = i + 1;
	}
	dump_add(b, s + start, n - start);
}

/* One field: a space, then @n bytes of @s escaped. */
static void dump_field_n(struct dump_buf *b, const char *s, size_t n)
{
	dump_add(b, " ", 1);
	dump_escaped(b, s, n);
}

static void dump_field(struct dump_buf *b, const char *s)
{
	dump_field_n(b, s, strlen(s));
}

/* One field "TAG=VALUE", the value escaped. */
static void dump_tagged(struct dump_buf *b, const char *tag, const char *s)
{
	dump_add(b, " ", 1);
	dump_str(b, tag);
	dump_escaped(b, s, strlen(s));
}

struct dump_section {
	int (*line)(const MDB_val *key, const MDB_val *val, struct dump_buf *b);
	struct dump_buf *b;
	size_t *n_records;
};

static int dump_section_line(const MDB_val *key, const MDB_val *val, void *ctx)
{
	struct dump_section *sec = ctx;
	int r;

	r = sec->line(key, val, sec->b);
	if (r == 0)
		(*sec->n_records)++;
	return r;
}

/* One line per record of @dbi (under @prefix, if any), counted for the
 * "end N" line. */
static int dump_records(MDB_txn *txn, MDB_dbi dbi, const char *prefix,
			int (*line)(const MDB_val *key, const MDB_val *val,
				    struct dump_buf *b),
			struct dump_buf *b, size_t *n_records)
{
	struct dump_section sec = {line, b, n_records};

	return aliasdb_db_each(txn, dbi, prefix, dump_section_line, &sec);
}

static int dump_alias_line(const MDB_val *key, const MDB_val *val,
			   struct dump_buf *b)
{
	struct aliasdb_record rec;
	const char *p;
	size_t i;
	int r;

	r = aliasdb_record_check(key, val);
	if (r == 0)
		r = aliasdb_record_decode(val, &rec);
	if (r < 0)
		return r;
	dump_str(b, "alias");
	dump_field_n(b, key->mv_data, key->mv_size);
	dump_field(b, rec.canonical);
	dump_str(b,
		 rec.state == ALIASDB_STATE_BLOCKED ? " blocked" : " active");
	if (rec.by_hand)
		dump_str(b, " hand");
	for (i = 0, p = rec.owners; i < rec.n_owners; i++, p += strlen(p) + 1)
		dump_tagged(b, "owner=", p);
	if (rec.state == ALIASDB_STATE_BLOCKED)
		dump_tagged(b, "reason=", rec.reason);
	dump_str(b, "\n");
	return 0;
}

static int dump_conflict_line(const MDB_val *key, const MDB_val *val,
			      struct dump_buf *b)
{
	const char *k = key->mv_data;
	size_t lc;
	int r;

	r = aliasdb_conflict_check(key, val);
	if (r < 0)
		return r;
	lc = strlen(k);
	dump_str(b, "conflict");
	dump_field_n(b, k, lc);
	dump_field_n(b, k + lc + 1, key->mv_size - lc - 1);
	dump_str(b, "\n");
	return 0;
}

static int dump_decl_line(const MDB_val *key, const MDB_val *val,
			  struct dump_buf *b)
{
	struct sync_stored s;
	size_t i;
	int r;

	r = aliasdb_decl_stored_decode(key, val, &s);
	if (r == 0) {
		dump_str(b, "declaration");
		dump_field(b, s.name);
		dump_printf(b, " %016" PRIx64 " %" PRIu64, s.digest, s.size);
		for (i = 0; i < 2 * s.n_pairs; i++)
			dump_field(b, s.pairs[i]);
		dump_str(b, "\n");
	}
	aliasdb_decl_stored_free_one(&s);
	return r;
}

static int dump_quarantine_line(const MDB_val *key, const MDB_val *val,
				struct dump_buf *b)
{
	const size_t plen = sizeof(ALIASDB_META_QUARANTINE) - 1;
	const char *v = val->mv_data;

	if (aliasdb_quarantine_record_check(key, val) < 0)
		return -EUCLEAN;
	dump_str(b, "quarantine");
	dump_field_n(b, (const char *)key->mv_data + plen, key->mv_size - plen);
	dump_field(b, v);
	dump_field(b, v + strlen(v) + 1);
	dump_str(b, "\n");
	return 0;
}

int aliasdb_dump_txn(struct aliasdb *db, MDB_txn *txn, char **ret_text,
		     size_t *ret_len)
{
	struct dump_buf b = {0};
	size_t n = 0;
	uint64_t gen;
	int r;

	r = aliasdb_db_txn_generation(db, txn, &gen);
	if (r < 0)
		return r;
	dump_printf(&b, "# aliasfs alias database; restore with: "
			"aliasctl restore FILE\n");
	dump_printf(&b, "aliasfs-dump %u\ngeneration %" PRIu64 "\n",
		    ALIASDB_DUMP_FORMAT, gen);
	r = dump_records(txn, db->aliases, NULL, dump_alias_line, &b, &n);
	if (r == 0)
		r = dump_records(txn, db->meta, ALIASDB_META_DECL,
				 dump_decl_line, &b, &n);
	if (r == 0)
		r = dump_records(txn, db->conflicts, NULL, dump_conflict_line,
				 &b, &n);
	if (r == 0)
		r = dump_records(txn, db->meta, ALIASDB_META_QUARANTINE,
				 dump_quarantine_line, &b, &n);
	if (r == 0)
		dump_printf(&b, "end %zu\n", n);
	if (r == 0)
		r = b.err;
	if (r < 0) {
		free(b.data);
		return r;
	}
	*ret_text = b.data;
	*ret_len = b.len;
	return 0;
}

int aliasdb_dump(struct aliasdb *db, char **ret_text, size_t *ret_len)
{
	MDB_txn *txn;
	int r;

	if (!db || !ret_text || !ret_len)
		return -EINVAL;
	r = aliasdb_db_read_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_dump_txn(db, txn, ret_text, ret_len);
	mdb_txn_abort(txn);
	return r;
}

/* ---- Reading ------------------------------------------------------------ */

static void dump_alias_fini(struct aliasdb_dump_alias *a)
{
	size_t i;

	free(a->alias);
	free(a->canonical);
	free(a->reason);
	for (i = 0; i < a->n_owners; i++)
		free(a->owners[i]);
	free(a->owners);
}

static void dump_decl_fini(struct aliasdb_dump_decl *d)
{
	size_t i;

	free(d->name);
	/* NULL-terminated: a pair cut short by an error is freed too. */
	for (i = 0; d->pairs && d->pairs[i]; i++)
		free(d->pairs[i]);
	free(d->pairs);
}

void aliasdb_dump_free(struct aliasdb_dump *dump)
{
	size_t i;

	if (!dump)
		return;
	for (i = 0; i < dump->n_aliases; i++)
		dump_alias_fini(&dump->aliases[i]);
	free(dump->aliases);
	for (i = 0; i < dump->n_decls; i++)
		dump_decl_fini(&dump->decls[i]);
	free(dump->decls);
	aliasdb_conflict_list_free(dump->conflicts, dump->n_conflicts);
	aliasdb_quarantine_list_free(dump->quarantined, dump->n_quarantined);
	free(dump);
}

struct dump_reader {
	struct aliasdb_dump *dump;
	struct aliasdb_dump_error *err;
	unsigned line;
	char **fields; /* of the current line, unescaped */
	size_t n_fields;
};

static int dump_bad(struct dump_reader *rd, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int dump_bad(struct dump_reader *rd, int r, const char *fmt, ...)
{
	va_list ap;

	if (rd->err) {
		rd->err->line = rd->line;
		va_start(ap, fmt);
		vsnprintf(rd->err->why, sizeof(rd->err->why), fmt, ap);
		va_end(ap);
	}
	return r;
}

static void dump_fields_free(struct dump_reader *rd)
{
	size_t i;

	for (i = 0; i < rd->n_fields; i++)
		free(rd->fields[i]);
	free(rd->fields);
	rd->fields = NULL;
	rd->n_fields = 0;
}

static int dump_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Split the @len bytes of one line at single spaces and unescape. */
static int dump_split(struct dump_reader *rd, const char *s, size_t len)
{
	size_t i = 0;

	while (i <= len) {
		const char *end = memchr(s + i, ' ', len - i);
		size_t n = end ? (size_t)(end - (s + i)) : len - i, o = 0, j;
		char *f, **nf;

		nf = realloc(rd->fields, (rd->n_fields + 1) * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		rd->fields = nf;
		f = malloc(n + 1);
		if (!f)
			return -ENOMEM;
		rd->fields[rd->n_fields++] = f;
		if (n == 0)
			return dump_bad(rd, -EINVAL, "an empty field");
		for (j = 0; j < n; j++) {
			unsigned char c = (unsigned char)s[i + j];
			int h, l;

			if (c <= ' ' || c >= 0x7f)
				return dump_bad(rd, -EINVAL,
						"a byte 0x%02x that should be "
						"written \\x%02x",
						c, c);
			if (c != '\\') {
				f[o++] = (char)c;
				continue;
			}
			if (j + 3 >= n)
				return dump_bad(rd, -EINVAL,
						"a '\\' not followed by xNN");
			h = dump_hex(s[i + j + 2]);
			l = dump_hex(s[i + j + 3]);
			if (s[i + j + 1] != 'x' || h < 0 || l < 0)
				return dump_bad(rd, -EINVAL,
						"a '\\' not followed by xNN");
			if (h == 0 && l == 0)
				return dump_bad(rd, -EINVAL, "a NUL byte");
			f[o++] = (char)(h << 4 | l);
			j += 3;
		}
		f[o] = '\0';
		i += n + 1;
	}
	return 0;
}

static int dump_path(struct dump_reader *rd, const char *s, const char *what)
{
	if (!aliasdb_path_is_normalized(s) ||
	    strnlen(s, ALIASDB_PATH_MAX) >= ALIASDB_PATH_MAX)
		return dump_bad(rd, -EINVAL,
				"%s is not an absolute normalized path", what);
	return 0;
}

static int dump_u64(struct dump_reader *rd, const char *s, int base,
		    uint64_t *ret, const char *what)
{
	char *end;

	errno = 0;
	*ret = strtoull(s, &end, base);
	if (errno || *end || !*s || *s == '-' || *s == '+')
		return dump_bad(rd, -EINVAL, "%s is not a number", what);
	return 0;
}

static int dump_read_alias(struct dump_reader *rd)
{
	struct aliasdb_dump *d = rd->dump;
	struct aliasdb_dump_alias *a, *na;
	size_t i;
	int r;

	if (rd->n_fields < 4)
		return dump_bad(rd, -EINVAL,
				"expected 'alias ALIAS CANONICAL STATE ...'");
	na = realloc(d->aliases, (d->n_aliases + 1) * sizeof(*na));
	if (!na)
		return -ENOMEM;
	d->aliases = na;
	a = &d->aliases[d->n_aliases++];
	memset(a, 0, sizeof(*a));
	a->line = rd->line;
	a->alias = strdup(rd->fields[1]);
	a->canonical = strdup(rd->fields[2]);
	if (!a->alias || !a->canonical)
		return -ENOMEM;
	/* The rules are applied by the restore, which reports each refusal;
	 * here only what makes a record. */
	r = dump_path(rd, a->alias, "ALIAS");
	if (r == 0)
		r = dump_path(rd, a->canonical, "CANONICAL");
	if (r < 0)
		return r;
	if (strcmp(rd->fields[3], "active") == 0)
		a->state = ALIASDB_STATE_ACTIVE;
	else if (strcmp(rd->fields[3], "blocked") == 0)
		a->state = ALIASDB_STATE_BLOCKED;
	else
		return dump_bad(rd, -EINVAL,
				"state '%.32s' is neither active nor blocked",
				rd->fields[3]);
	for (i = 4; i < rd->n_fields; i++) {
		const char *f = rd->fields[i];

		if (strcmp(f, "hand") == 0 && !a->by_hand) {
			a->by_hand = 1;
		} else if (strncmp(f, "owner=", 6) == 0) {
			char **no;

			if (aliasdb_rules_check_owner(f + 6) != ALIASDB_RULE_OK)
				return dump_bad(rd, -EINVAL,
						"a bad owner name");
			if (a->n_owners > 0 &&
			    strcmp(a->owners[a->n_owners - 1], f + 6) >= 0)
				return dump_bad(rd, -EINVAL,
						"owners not sorted, or twice");
			no = realloc(a->owners,
				     (a->n_owners + 1) * sizeof(*no));
			if (!no)
				return -ENOMEM;
			a->owners = no;
			if (!(a->owners[a->n_owners] = strdup(f + 6)))
				return -ENOMEM;
			a->n_owners++;
		} else if (strncmp(f, "reason=", 7) == 0 && !a->reason &&
			   a->state == ALIASDB_STATE_BLOCKED && f[7]) {
			if (!(a->reason = strdup(f + 7)))
				return -ENOMEM;
		} else {
			return dump_bad(rd, -EINVAL, "unexpected field '%.32s'",
					f);
		}
	}
	if (a->state == ALIASDB_STATE_BLOCKED && !a->reason)
		return dump_bad(rd, -EINVAL, "a blocked alias needs reason=");
	if (!a->by_hand && a->n_owners == 0)
		return dump_bad(rd, -EINVAL,
				"an alias needs 'hand' or an owner=");
	for (i = 0; i + 1 < d->n_aliases; i++)
		if (strcmp(d->aliases[i].alias, a->alias) == 0)
			return dump_bad(rd, -EINVAL,
					"the alias is in the dump twice");
	return 0;
}

static int dump_read_decl(struct dump_reader *rd)
{
	struct aliasdb_dump *d = rd->dump;
	struct aliasdb_dump_decl *x, *nx;
	size_t i;
	int r;

	if (rd->n_fields < 4 || (rd->n_fields - 4) % 2)
		return dump_bad(rd, -EINVAL,
				"expected 'declaration NAME DIGEST SIZE "
				"[ALIAS CANONICAL]...'");
	nx = realloc(d->decls, (d->n_decls + 1) * sizeof(*nx));
	if (!nx)
		return -ENOMEM;
	d->decls = nx;
	x = &d->decls[d->n_decls++];
	memset(x, 0, sizeof(*x));
	x->line = rd->line;
	if (aliasdb_rules_check_owner(rd->fields[1]) != ALIASDB_RULE_OK)
		return dump_bad(rd, -EINVAL, "a bad declaration name");
	if (!(x->name = strdup(rd->fields[1])))
		return -ENOMEM;
	r = dump_u64(rd, rd->fields[2], 16, &x->digest, "DIGEST");
	if (r == 0)
		r = dump_u64(rd, rd->fields[3], 10, &x->size, "SIZE");
	if (r < 0)
		return r;
	x->pairs = calloc(rd->n_fields - 4 + 1, sizeof(*x->pairs));
	if (!x->pairs)
		return -ENOMEM;
	for (i = 4; i < rd->n_fields; i++) {
		r = dump_path(rd, rd->fields[i], "a declared path");
		if (r < 0)
			return r;
		if (!(x->pairs[i - 4] = strdup(rd->fields[i])))
			return -ENOMEM;
		x->n_pairs = (i - 3) / 2;
	}
	for (i = 0; i + 1 < d->n_decls; i++)
		if (strcmp(d->decls[i].name, x->name) == 0)
			return dump_bad(rd, -EINVAL,
					"the declaration is in the dump twice");
	return 0;
}

static int dump_read_conflict(struct dump_reader *rd)
{
	struct aliasdb_dump *d = rd->dump;
	struct aliasdb_conflict *nc;
	int r;

	if (rd->n_fields != 3)
		return dump_bad(rd, -EINVAL,
				"expected 'conflict CANONICAL SHADOWED'");
	r = dump_path(rd, rd->fields[1], "CANONICAL");
	if (r == 0)
		r = dump_path(rd, rd->fields[2], "SHADOWED");
	if (r < 0)
		return r;
	nc = realloc(d->conflicts, (d->n_conflicts + 1) * sizeof(*nc));
	if (!nc)
		return -ENOMEM;
	d->conflicts = nc;
	nc = &d->conflicts[d->n_conflicts++];
	nc->canonical = strdup(rd->fields[1]);
	nc->shadowed = strdup(rd->fields[2]);
	return nc->canonical && nc->shadowed ? 0 : -ENOMEM;
}

static int dump_read_quarantine(struct dump_reader *rd)
{
	struct aliasdb_dump *d = rd->dump;
	struct aliasdb_quarantined *nq;
	int r;

	if (rd->n_fields != 4)
		return dump_bad(rd, -EINVAL,
				"expected 'quarantine STORED ALIAS ORIGINAL'");
	r = dump_path(rd, rd->fields[1], "STORED");
	if (r == 0)
		r = dump_path(rd, rd->fields[2], "ALIAS");
	if (r == 0)
		r = dump_path(rd, rd->fields[3], "ORIGINAL");
	if (r < 0)
		return r;
	nq = realloc(d->quarantined, (d->n_quarantined + 1) * sizeof(*nq));
	if (!nq)
		return -ENOMEM;
	d->quarantined = nq;
	nq = &d->quarantined[d->n_quarantined++];
	nq->stored = strdup(rd->fields[1]);
	nq->alias = strdup(rd->fields[2]);
	nq->original = strdup(rd->fields[3]);
	return nq->stored && nq->alias && nq->original ? 0 : -ENOMEM;
}

/* One line without its newline. @state: 0 before the header, 1 in the
 * records, 2 after "end". */
static int dump_read_line(struct dump_reader *rd, const char *s, size_t len,
			  int *state)
{
	struct aliasdb_dump *d = rd->dump;
	const char *kind;
	uint64_t v;
	int r;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len == 0 || s[0] == '#')
		return 0;
	if (*state == 2)
		return dump_bad(rd, -EINVAL, "a line after 'end'");
	r = dump_split(rd, s, len);
	if (r < 0)
		return r;
	kind = rd->fields[0];
	if (*state == 0) {
		if (strcmp(kind, "aliasfs-dump") != 0 || rd->n_fields != 2)
			return dump_bad(rd, -EINVAL,
					"not an aliasfs dump (it starts with "
					"'aliasfs-dump 1')");
		r = dump_u64(rd, rd->fields[1], 10, &v, "the format");
		if (r < 0)
			return r;
		if (v != ALIASDB_DUMP_FORMAT)
			return dump_bad(
				rd, v > ALIASDB_DUMP_FORMAT ? -EPROTO : -EINVAL,
				"dump format %" PRIu64
				", this aliasfs reads format %u",
				v, ALIASDB_DUMP_FORMAT);
		*state = 1;
		return 0;
	}
	if (strcmp(kind, "generation") == 0 && rd->n_fields == 2)
		return dump_u64(rd, rd->fields[1], 10, &d->generation,
				"the generation");
	if (strcmp(kind, "alias") == 0)
		return dump_read_alias(rd);
	if (strcmp(kind, "declaration") == 0)
		return dump_read_decl(rd);
	if (strcmp(kind, "conflict") == 0)
		return dump_read_conflict(rd);
	if (strcmp(kind, "quarantine") == 0)
		return dump_read_quarantine(rd);
	if (strcmp(kind, "end") == 0 && rd->n_fields == 2) {
		size_t n = d->n_aliases + d->n_decls + d->n_conflicts +
			   d->n_quarantined;

		r = dump_u64(rd, rd->fields[1], 10, &v, "the record count");
		if (r < 0)
			return r;
		if (v != n)
			return dump_bad(rd, -EINVAL,
					"'end' counts %" PRIu64
					" records, the dump holds %zu",
					v, n);
		*state = 2;
		return 0;
	}
	return dump_bad(rd, -EINVAL, "unknown record '%.32s'", kind);
}

int aliasdb_dump_parse(const char *text, size_t len,
		       struct aliasdb_dump_error *err,
		       struct aliasdb_dump **ret_dump)
{
	struct dump_reader rd = {.err = err};
	const char *p = text, *end = text + len;
	int state = 0, r = 0;

	if ((!text && len > 0) || !ret_dump)
		return -EINVAL;
	rd.dump = calloc(1, sizeof(*rd.dump));
	if (!rd.dump)
		return -ENOMEM;
	if (memchr(text, '\0', len)) {
		r = dump_bad(&rd, -EINVAL, "a NUL byte: not a text file");
		len = 0;
		end = p;
	}
	while (p < end && r == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		rd.line++;
		if (!nl) {
			r = dump_bad(&rd, -EINVAL,
				     "the last line has no newline: cut "
				     "short?");
			break;
		}
		r = dump_read_line(&rd, p, (size_t)(nl - p), &state);
		dump_fields_free(&rd);
		p = nl + 1;
	}
	dump_fields_free(&rd);
	if (r == 0 && state != 2) {
		rd.line++;
		r = dump_bad(&rd, -EINVAL,
			     state == 0
				     ? "empty: not an aliasfs dump"
				     : "no 'end' line: the dump is cut short");
	}
	if (r < 0) {
		aliasdb_dump_free(rd.dump);
		return r;
	}
	*ret_dump = rd.dump;
	return 0;
}
