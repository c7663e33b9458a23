/*
 * Declared aliases: parsing a declaration file, and the sync that brings
 * the database in line with the declaration directory of a tree.
 *
 * An imported declaration is kept in the "meta" database under
 * "decl:NAME":
 *   8 bytes  digest of the file content (FNV-1a 64, big-endian)
 *   8 bytes  size of the file content (big-endian)
 *   then     "ALIAS\0CANONICAL\0" for each pair it owns
 * The digest only detects a change; it is not a security measure (a
 * declaration is as trusted as the tree it comes from).
 *
 * The sync disowns aliases and changes their state inside its own single
 * write transaction, through alias-store.c's record functions.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync-internal.h"

#define FLAG_BY_HAND 0x01

/* ---- Parsing ------------------------------------------------------------ */

void aliasdb_decl_free(struct aliasdb_decl *decl)
{
	size_t i;

	if (!decl)
		return;
	for (i = 0; i < decl->n_pairs; i++) {
		free(decl->pairs[i].alias);
		free(decl->pairs[i].canonical);
	}
	free(decl->pairs);
	for (i = 0; i < decl->n_problems; i++) {
		free(decl->problems[i].message);
		free(decl->problems[i].alias);
		free(decl->problems[i].canonical);
	}
	free(decl->problems);
	free(decl);
}

static int decl_problem(struct aliasdb_decl *d, unsigned line,
			enum aliasdb_rule rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int decl_problem(struct aliasdb_decl *d, unsigned line,
			enum aliasdb_rule rule, const char *fmt, ...)
{
	struct aliasdb_decl_problem *p;
	va_list ap;
	int r;

	p = realloc(d->problems, (d->n_problems + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	d->problems = p;
	p = &d->problems[d->n_problems];
	p->line = line;
	p->rule = rule;
	p->alias = NULL;
	p->canonical = NULL;
	va_start(ap, fmt);
	r = vasprintf(&p->message, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	d->n_problems++;
	return 0;
}

/* A field for a message: at most 64 bytes of it, marked when cut. */
#define DECL_SHOW_MAX 64
#define DECL_SHOW(len) ((int)((len) > DECL_SHOW_MAX ? DECL_SHOW_MAX : (len)))
#define DECL_CUT(len) ((len) > DECL_SHOW_MAX ? "..." : "")

static int decl_pair(struct aliasdb_decl *d, unsigned line, const char *a,
		     size_t alen, const char *c, size_t clen)
{
	struct aliasdb_decl_pair *p;
	enum aliasdb_rule rule = ALIASDB_RULE_OK;
	char *alias, *canonical;
	size_t i;

	if (alen >= ALIASDB_PATH_MAX || clen >= ALIASDB_PATH_MAX)
		return decl_problem(
			d, line, ALIASDB_RULE_TOO_LONG, "%s",
			aliasdb_rule_describe(ALIASDB_RULE_TOO_LONG));
	alias = strndup(a, alen);
	canonical = strndup(c, clen);
	if (!alias || !canonical)
		goto oom;
	if (aliasdb_check(NULL, alias, canonical, &rule) < 0) {
		int r = decl_problem(d, line, rule, "%s",
				     aliasdb_rule_describe(rule));

		if (r == 0) {
			/* The problem keeps the pair, for the reports. */
			d->problems[d->n_problems - 1].alias = alias;
			d->problems[d->n_problems - 1].canonical = canonical;
			return 0;
		}
		free(alias);
		free(canonical);
		return r;
	}
	for (i = 0; i < d->n_pairs; i++) {
		unsigned prev = d->pairs[i].line;
		bool same;

		if (strcmp(d->pairs[i].alias, alias) != 0)
			continue;
		same = strcmp(d->pairs[i].canonical, canonical) == 0;
		free(alias);
		free(canonical);
		if (same)
			return 0; /* said twice: once is enough */
		return decl_problem(d, line, ALIASDB_RULE_DUPLICATE,
				    "%.*s%s was declared with another target "
				    "on line %u",
				    DECL_SHOW(alen), a, DECL_CUT(alen), prev);
	}
	p = realloc(d->pairs, (d->n_pairs + 1) * sizeof(*p));
	if (!p)
		goto oom;
	d->pairs = p;
	p[d->n_pairs].alias = alias;
	p[d->n_pairs].canonical = canonical;
	p[d->n_pairs].line = line;
	d->n_pairs++;
	return 0;
oom:
	free(alias);
	free(canonical);
	return -ENOMEM;
}

/* One line, without its '\n'. */
static int decl_line(void *ctx, unsigned line, const char *s, size_t len)
{
	struct aliasdb_decl *d = ctx;
	const char *f[3];
	size_t flen[3];
	int n;

	if (memchr(s, '\0', len))
		return decl_problem(d, line, ALIASDB_RULE_OK,
				    "line contains a NUL byte");
	n = aliasdb_line_fields(s, len, f, flen, 3);
	if (n == 0)
		return 0;
	if (n == 1)
		return decl_problem(d, line, ALIASDB_RULE_OK,
				    "missing CANONICAL after '%.*s%s' "
				    "(expected 'ALIAS CANONICAL')",
				    DECL_SHOW(flen[0]), f[0],
				    DECL_CUT(flen[0]));
	if (n == 3)
		return decl_problem(d, line, ALIASDB_RULE_OK,
				    "unexpected third field '%.*s%s' "
				    "(expected 'ALIAS CANONICAL')",
				    DECL_SHOW(flen[2]), f[2],
				    DECL_CUT(flen[2]));
	return decl_pair(d, line, f[0], flen[0], f[1], flen[1]);
}

int aliasdb_decl_parse(const char *text, size_t len,
		       struct aliasdb_decl **ret_decl)
{
	struct aliasdb_decl *d;
	int r;

	if (!text && len > 0)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	r = aliasdb_lines_each(text, len, decl_line, d);
	if (r < 0) {
		aliasdb_decl_free(d);
		return r;
	}
	*ret_decl = d;
	return 0;
}

/* ---- Alias records inside a write transaction --------------------------- */

/* Drop @owner from @alias. 1 if the alias went away, 0 if it stays,
 * -ENOENT if the alias or the owner is absent. */
static int rec_disown(struct aliasdb *db, MDB_txn *txn, const char *alias,
		      const char *owner)
{
	struct aliasdb_record rec;
	const char **owners = NULL;
	size_t i, n;
	int r;

	r = aliasdb_record_get(db, txn, alias, &rec);
	if (r < 0)
		return r;
	r = aliasdb_record_owners(&rec, &owners);
	if (r < 0)
		return r;
	for (i = 0; i < rec.n_owners && strcmp(owners[i], owner) != 0; i++)
		;
	if (i == rec.n_owners) {
		r = -ENOENT;
	} else if (rec.n_owners == 1 && !rec.by_hand) {
		MDB_val key = {strlen(alias), (void *)alias};

		r = aliasdb_lmdb_error(mdb_del(txn, db->aliases, &key, NULL));
		r = r < 0 ? r : 1;
	} else {
		n = rec.n_owners - 1;
		memmove(owners + i, owners + i + 1, (n - i) * sizeof(*owners));
		r = aliasdb_record_put(db, txn, alias, rec.canonical, rec.state,
				       rec.by_hand, rec.reason, owners, n);
	}
	free(owners);
	return r;
}

/* ---- The blocked reason ------------------------------------------------- */

char *aliasdb_sync_blocked_reason(const struct aliasdb_diff *diffs, size_t n)
{
	char *s = NULL, *t;
	size_t i, shown = n < 3 ? n : 3;

	if (asprintf(&s, "would hide %zu differing file%s:", n,
		     n == 1 ? "" : "s") < 0)
		return NULL;
	for (i = 0; i < shown; i++) {
		if (asprintf(&t, "%s%s %s (vs %s)", s, i ? "," : "",
			     diffs[i].alias_path, diffs[i].canonical_path) < 0)
			goto oom;
		free(s);
		s = t;
	}
	if (n > shown) {
		if (asprintf(&t, "%s, and %zu more", s, n - shown) < 0)
			goto oom;
		free(s);
		s = t;
	}
	return s;
oom:
	free(s);
	return NULL;
}

/* ---- Reading the declaration directory ---------------------------------- */

struct sync_file {
	char *name;
	int err; /* < 0: could not be read */
	uint64_t digest, size;
	struct aliasdb_decl *decl;
	struct sync_stored *stored; /* its import, if any */
	bool changed;
};

static uint64_t sync_digest(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* dpkg unpacks into NAME.dpkg-new and renames; editors leave NAME~. */
static void sync_files_free(struct sync_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(files[i].name);
		aliasdb_decl_free(files[i].decl);
	}
	free(files);
}

static int sync_file_read(int dfd, struct sync_file *f)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, r = 0;

	fd = openat(dfd, f->name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
	} else if (st.st_size > ALIASDB_DECL_MAX_SIZE) {
		r = -EFBIG;
	} else {
		buf = malloc((size_t)st.st_size + 1);
		if (!buf)
			r = -ENOMEM;
		/* Read to EOF within the limit, in case the size moved. */
		while (r == 0) {
			ssize_t n = read(fd, buf + got,
					 (size_t)st.st_size + 1 - got);

			if (n < 0) {
				r = -errno;
			} else if (n == 0) {
				break;
			} else {
				got += (size_t)n;
				if (got > (size_t)st.st_size)
					r = -EAGAIN;
			}
		}
	}
	close(fd);
	if (r == 0) {
		f->digest = sync_digest(buf, got);
		f->size = got;
		r = aliasdb_decl_parse(buf, got, &f->decl);
	}
	free(buf);
	return r;
}

static int sync_file_order(const void *a, const void *b)
{
	return strcmp(((const struct sync_file *)a)->name,
		      ((const struct sync_file *)b)->name);
}

/* Open ALIASDB_DECL_DIR below @tree_fd without following symlinks: the fd,
 * -ENOENT when absent, -ELOOP/-ENOTDIR when a component is not a plain
 * directory. */
static int sync_open_decl_dir(int tree_fd)
{
	char path[] = ALIASDB_DECL_DIR, *comp, *save = NULL;
	int fd, nfd;

	fd = openat(tree_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (comp = strtok_r(path, "/", &save); comp;
	     comp = strtok_r(NULL, "/", &save)) {
		nfd = openat(fd, comp,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			struct stat st;

			nfd = -errno;
			/* O_DIRECTORY wins over O_NOFOLLOW: tell a symlink
			 * apart ourselves. */
			if (nfd == -ENOTDIR &&
			    fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				nfd = -ELOOP;
			close(fd);
			return nfd;
		}
		close(fd);
		fd = nfd;
	}
	return fd;
}

static int sync_read_dir(int tree_fd, struct sync_file **ret_files,
			 size_t *ret_n)
{
	struct sync_file *files = NULL, *nf;
	size_t n = 0;
	struct dirent *de;
	DIR *dir;
	int fd, r = 0;

	fd = sync_open_decl_dir(tree_fd);
	if (fd == -ENOENT) {
		*ret_files = NULL;
		*ret_n = 0;
		return 0;
	}
	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		r = -errno;
		close(fd);
		return r;
	}
	for (;;) {
		struct stat st;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			r = -errno;
			break;
		}
		if (aliasdb_decl_name_ignored(de->d_name))
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    S_ISDIR(st.st_mode))
			continue;
		nf = realloc(files, (n + 1) * sizeof(*nf));
		if (!nf) {
			r = -ENOMEM;
			break;
		}
		files = nf;
		memset(&files[n], 0, sizeof(files[n]));
		files[n].name = strdup(de->d_name);
		if (!files[n].name) {
			r = -ENOMEM;
			break;
		}
		n++;
		if (aliasdb_rules_check_owner(de->d_name) != ALIASDB_RULE_OK)
			files[n - 1].err = -EINVAL;
		else if (!S_ISREG(st.st_mode))
			files[n - 1].err = -EMEDIUMTYPE;
		else
			files[n - 1].err = sync_file_read(fd, &files[n - 1]);
		if (files[n - 1].err == -ENOMEM) {
			r = -ENOMEM;
			break;
		}
	}
	closedir(dir);
	if (r < 0) {
		sync_files_free(files, n);
		return r;
	}
	if (n > 1)
		qsort(files, n, sizeof(*files), sync_file_order);
	*ret_files = files;
	*ret_n = n;
	return 0;
}

/* ---- Stored declarations ------------------------------------------------ */

static void sync_stored_free(struct sync_stored *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		aliasdb_decl_stored_free_one(&s[i]);
	free(s);
}

struct sync_stored_list {
	struct sync_stored *items;
	size_t n;
};

static int sync_stored_add(const MDB_val *key, const MDB_val *val, void *ctx)
{
	struct sync_stored_list *l = ctx;
	struct sync_stored *nl;

	nl = realloc(l->items, (l->n + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	l->items = nl;
	/* Counted even when the decoding fails: it is freed either way. */
	return aliasdb_decl_stored_decode(key, val, &l->items[l->n++]);
}

static int sync_stored_load(struct aliasdb *db, MDB_txn *txn,
			    struct sync_stored **ret, size_t *ret_n)
{
	struct sync_stored_list l = {NULL, 0};
	int r;

	r = aliasdb_db_each(txn, db->meta, ALIASDB_META_DECL, sync_stored_add,
			    &l);
	if (r < 0) {
		sync_stored_free(l.items, l.n);
		return r;
	}
	*ret = l.items;
	*ret_n = l.n;
	return 0;
}

static int sync_stored_del(struct aliasdb *db, MDB_txn *txn, const char *name)
{
	const size_t plen = sizeof(ALIASDB_META_DECL) - 1;
	char *key;
	MDB_val k;
	int r;

	key = malloc(plen + strlen(name) + 1);
	if (!key)
		return -ENOMEM;
	memcpy(key, ALIASDB_META_DECL, plen);
	strcpy(key + plen, name);
	k.mv_size = strlen(key);
	k.mv_data = key;
	r = aliasdb_lmdb_error(mdb_del(txn, db->meta, &k, NULL));
	free(key);
	return r;
}

/* ---- Alias snapshots, to report what changed ---------------------------- */

struct sync_alias {
	char *alias, *canonical, *reason;
	enum aliasdb_state state;
};

static void sync_aliases_free(struct sync_alias *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].alias);
		free(a[i].canonical);
		free(a[i].reason);
	}
	free(a);
}

struct sync_alias_list {
	struct sync_alias *items;
	size_t n;
};

static int sync_aliases_add(const MDB_val *key, const MDB_val *val, void *ctx)
{
	struct sync_alias_list *l = ctx;
	struct aliasdb_record rec;
	struct sync_alias *nl, *a;
	int r;

	r = aliasdb_record_decode(val, &rec);
	if (r < 0)
		return r;
	nl = realloc(l->items, (l->n + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	l->items = nl;
	a = &l->items[l->n++];
	a->alias = strndup(key->mv_data, key->mv_size);
	a->canonical = strdup(rec.canonical);
	a->reason = strdup(rec.reason);
	a->state = rec.state;
	if (!a->alias || !a->canonical || !a->reason)
		return -ENOMEM;
	return 0;
}

static int sync_aliases_load(struct aliasdb *db, MDB_txn *txn,
			     struct sync_alias **ret, size_t *ret_n)
{
	struct sync_alias_list l = {NULL, 0};
	int r;

	r = aliasdb_db_each(txn, db->aliases, NULL, sync_aliases_add, &l);
	if (r < 0) {
		sync_aliases_free(l.items, l.n);
		return r;
	}
	*ret = l.items;
	*ret_n = l.n;
	return 0;
}

static const struct sync_alias *sync_aliases_find(const struct sync_alias *a,
						  size_t n, const char *alias)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i].alias, alias) == 0)
			return &a[i];
	return NULL;
}

/* ---- The report --------------------------------------------------------- */

void aliasdb_sync_report_free(struct aliasdb_sync_report *report)
{
	size_t i;

	if (!report)
		return;
	for (i = 0; i < report->n_events; i++) {
		free(report->events[i].decl);
		free(report->events[i].alias);
		free(report->events[i].canonical);
		free(report->events[i].detail);
	}
	free(report->events);
	free(report);
}

const char *aliasdb_sync_kind_name(enum aliasdb_sync_kind kind)
{
	switch (kind) {
	case ALIASDB_SYNC_IMPORTED:
		return "imported";
	case ALIASDB_SYNC_REIMPORTED:
		return "re-imported";
	case ALIASDB_SYNC_UNIMPORTED:
		return "unimported";
	case ALIASDB_SYNC_ADDED:
		return "added";
	case ALIASDB_SYNC_REMOVED:
		return "removed";
	case ALIASDB_SYNC_BLOCKED:
		return "blocked";
	case ALIASDB_SYNC_ACTIVATED:
		return "activated";
	case ALIASDB_SYNC_REFUSED:
		return "refused";
	case ALIASDB_SYNC_MALFORMED:
		return "malformed";
	case ALIASDB_SYNC_UNREADABLE:
		return "unreadable";
	}
	return "unknown";
}

static char *sync_strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int sync_event(struct aliasdb_sync_report *rep,
		      enum aliasdb_sync_kind kind, const char *decl,
		      unsigned line, const char *alias, const char *canonical,
		      const char *detail)
{
	struct aliasdb_sync_event *e;

	e = realloc(rep->events, (rep->n_events + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	rep->events = e;
	e = &rep->events[rep->n_events];
	e->kind = kind;
	e->rule = ALIASDB_RULE_OK;
	e->line = line;
	e->decl = sync_strdup_or_null(decl);
	e->alias = sync_strdup_or_null(alias);
	e->canonical = sync_strdup_or_null(canonical);
	e->detail = sync_strdup_or_null(detail);
	rep->n_events++;
	if ((decl && !e->decl) || (alias && !e->alias) ||
	    (canonical && !e->canonical) || (detail && !e->detail))
		return -ENOMEM;
	if (kind == ALIASDB_SYNC_REFUSED || kind == ALIASDB_SYNC_MALFORMED ||
	    kind == ALIASDB_SYNC_UNREADABLE)
		rep->n_problems++;
	return 0;
}

/* ---- The sync ----------------------------------------------------------- */

struct sync_state {
	struct aliasdb *db;
	MDB_txn *txn;
	int tree_fd;
	struct aliasdb_sync_report *rep;
	bool dirty;
	char *db_view; /* the database directory inside the tree, or NULL */
};

/* Disown every alias @s imported. Aliases removed meanwhile by hand are
 * simply gone. */
static int sync_unimport(struct sync_state *st, const struct sync_stored *s)
{
	size_t i;
	int r;

	for (i = 0; i < s->n_pairs; i++) {
		r = rec_disown(st->db, st->txn, s->pairs[2 * i], s->name);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		st->dirty = true;
	}
	return 0;
}

static bool sync_stored_has(const struct sync_stored *s, const char *alias,
			    const char *canonical)
{
	size_t i;

	for (i = 0; s && i < s->n_pairs; i++)
		if (strcmp(s->pairs[2 * i], alias) == 0 &&
		    strcmp(s->pairs[2 * i + 1], canonical) == 0)
			return true;
	return false;
}

static int sync_refused(struct sync_state *st, const char *name,
			const struct aliasdb_decl_pair *p,
			enum aliasdb_rule rule)
{
	struct aliasdb_record rec;
	char *detail = NULL;
	int r;

	if (rule == ALIASDB_RULE_DUPLICATE &&
	    aliasdb_record_get(st->db, st->txn, p->alias, &rec) == 0) {
		if (asprintf(&detail, "%s is already an alias of %s", p->alias,
			     rec.canonical) < 0)
			return -ENOMEM;
	}
	r = sync_event(st->rep, ALIASDB_SYNC_REFUSED, name, p->line, p->alias,
		       p->canonical,
		       detail ? detail : aliasdb_rule_describe(rule));
	if (r == 0)
		st->rep->events[st->rep->n_events - 1].rule = rule;
	free(detail);
	return r;
}

/* Import (or, unchanged, retry the refused pairs of) one declaration. */
static int sync_import(struct sync_state *st, struct sync_file *f)
{
	const struct aliasdb_decl *d = f->decl;
	const struct sync_stored *s = f->changed ? NULL : f->stored;
	char **pairs;
	size_t i, n = 0;
	bool grew = false;
	int r = 0;

	if (!s) {
		r = sync_event(st->rep,
			       f->stored ? ALIASDB_SYNC_REIMPORTED
					 : ALIASDB_SYNC_IMPORTED,
			       f->name, 0, NULL, NULL, NULL);
		if (r < 0)
			return r;
	}
	for (i = 0; i < d->n_problems && r == 0; i++) {
		r = sync_event(st->rep,
			       d->problems[i].rule == ALIASDB_RULE_OK
				       ? ALIASDB_SYNC_MALFORMED
				       : ALIASDB_SYNC_REFUSED,
			       f->name, d->problems[i].line,
			       d->problems[i].alias, d->problems[i].canonical,
			       d->problems[i].message);
		if (r == 0)
			st->rep->events[st->rep->n_events - 1].rule =
				d->problems[i].rule;
	}
	if (r < 0)
		return r;

	pairs = calloc(2 * (d->n_pairs + (s ? s->n_pairs : 0)) + 1,
		       sizeof(*pairs));
	if (!pairs)
		return -ENOMEM;
	/* Keep what was imported before, even if removed by hand since. */
	for (i = 0; s && i < s->n_pairs; i++) {
		pairs[n++] = s->pairs[2 * i];
		pairs[n++] = s->pairs[2 * i + 1];
	}
	for (i = 0; i < d->n_pairs; i++) {
		const struct aliasdb_decl_pair *p = &d->pairs[i];
		enum aliasdb_rule rule = ALIASDB_RULE_OK;

		if (sync_stored_has(s, p->alias, p->canonical))
			continue;
		/* The database's own directory, when it lies in the tree
		 * elsewhere than /var/lib/aliasfs (-o db=, --db). */
		rule = aliasdb_rules_check_subtree(p->alias, p->canonical,
						   st->db_view,
						   ALIASDB_RULE_DATABASE);
		if (rule != ALIASDB_RULE_OK)
			r = -EINVAL;
		else
			r = aliasdb_store_add_txn(st->db, st->txn, p->alias,
						  p->canonical, f->name, &rule);
		if (r == -EINVAL) {
			r = sync_refused(st, f->name, p, rule);
			if (r < 0)
				break;
			continue;
		}
		if (r < 0)
			break;
		if (r > 0)
			st->dirty = true;
		pairs[n++] = p->alias;
		pairs[n++] = p->canonical;
		grew = true;
	}
	if (r >= 0 && (!s || grew)) {
		r = aliasdb_decl_stored_put(st->db, st->txn, f->name, f->digest,
					    f->size, pairs, n / 2);
		st->dirty = true;
	}
	free(pairs);
	return r < 0 ? r : 0;
}

/* Block or activate @alias after looking at the tree. */
static int sync_check(struct sync_state *st, const char *alias,
		      const char *canonical)
{
	struct aliasdb_diff *diffs = NULL;
	size_t n = 0;
	char *reason = NULL;
	int r;

	r = aliasdb_tree_compare(st->tree_fd, alias, canonical, &diffs, &n);
	if (r < 0)
		return r;
	if (n > 0) {
		reason = aliasdb_sync_blocked_reason(diffs, n);
		if (!reason) {
			aliasdb_diff_list_free(diffs, n);
			return -ENOMEM;
		}
	}
	r = aliasdb_store_set_state_txn(
		st->db, st->txn, alias,
		n ? ALIASDB_STATE_BLOCKED : ALIASDB_STATE_ACTIVE, reason);
	if (r > 0)
		st->dirty = true;
	free(reason);
	aliasdb_diff_list_free(diffs, n);
	return r < 0 ? r : 0;
}

/* Check each alias that is new, or was blocked, since @before. */
static int sync_activation(struct sync_state *st,
			   const struct sync_alias *before, size_t n_before)
{
	struct sync_alias *now = NULL;
	size_t n = 0, i;
	int r;

	r = sync_aliases_load(st->db, st->txn, &now, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && r == 0; i++) {
		const struct sync_alias *b;

		b = sync_aliases_find(before, n_before, now[i].alias);
		if (b && strcmp(b->canonical, now[i].canonical) == 0 &&
		    b->state == ALIASDB_STATE_ACTIVE) {
			/* Active before (re-imported, or added by hand):
			 * it stays active, whatever the tree holds now. */
			r = aliasdb_store_set_state_txn(
				st->db, st->txn, now[i].alias,
				ALIASDB_STATE_ACTIVE, NULL);
			if (r > 0)
				st->dirty = true;
			continue;
		}
		r = sync_check(st, now[i].alias, now[i].canonical);
	}
	sync_aliases_free(now, n);
	return r < 0 ? r : 0;
}

/* Alias events: the difference between @before and the final state. */
static int sync_alias_events(struct sync_state *st,
			     const struct sync_alias *before, size_t n_before)
{
	struct sync_alias *now = NULL;
	size_t n = 0, i;
	int r;

	r = sync_aliases_load(st->db, st->txn, &now, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n_before && r == 0; i++) {
		const struct sync_alias *a;

		a = sync_aliases_find(now, n, before[i].alias);
		if (!a || strcmp(a->canonical, before[i].canonical) != 0)
			r = sync_event(st->rep, ALIASDB_SYNC_REMOVED, NULL, 0,
				       before[i].alias, before[i].canonical,
				       NULL);
	}
	for (i = 0; i < n && r == 0; i++) {
		const struct sync_alias *b;
		bool is_new;

		b = sync_aliases_find(before, n_before, now[i].alias);
		is_new = !b || strcmp(b->canonical, now[i].canonical) != 0;
		if (is_new)
			r = sync_event(st->rep, ALIASDB_SYNC_ADDED, NULL, 0,
				       now[i].alias, now[i].canonical, NULL);
		if (r < 0)
			break;
		if (now[i].state == ALIASDB_STATE_BLOCKED &&
		    (is_new || b->state != ALIASDB_STATE_BLOCKED))
			r = sync_event(st->rep, ALIASDB_SYNC_BLOCKED, NULL, 0,
				       now[i].alias, now[i].canonical,
				       now[i].reason);
		else if (now[i].state == ALIASDB_STATE_ACTIVE && !is_new &&
			 b->state == ALIASDB_STATE_BLOCKED)
			r = sync_event(st->rep, ALIASDB_SYNC_ACTIVATED, NULL, 0,
				       now[i].alias, now[i].canonical, NULL);
	}
	sync_aliases_free(now, n);
	return r;
}

static struct sync_file *sync_find_file(struct sync_file *files, size_t n,
					const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

static const char *sync_unreadable_text(int err)
{
	switch (err) {
	case -EINVAL:
		return "not a valid declaration name";
	case -EMEDIUMTYPE:
		return "not a regular file (symlinks are not followed)";
	case -EFBIG:
		return "larger than the 1 MiB a declaration may have";
	case -EAGAIN:
		return "changed while it was read";
	default:
		return strerror(-err);
	}
}

/* What could not be imported, for `aliasctl status`. */
static int sync_save_problems(struct sync_state *st,
			      const struct sync_file *files, size_t n_files)
{
	const char **names = calloc(n_files + 1, sizeof(*names));
	bool changed = false;
	size_t i;
	int r;

	if (!names)
		return -ENOMEM;
	for (i = 0; i < n_files; i++)
		names[i] = files[i].name;
	r = aliasdb_decl_problems_save(st->db, st->txn, st->rep, names, n_files,
				       &changed);
	free(names);
	if (changed)
		st->dirty = true;
	return r;
}

/* Where the database directory lies in the tree at @tree_fd, as a path
 * in the view ("/srv/aliasdb"), or NULL when it is outside (or is the
 * tree's root, which no alias could then avoid). */
static char *sync_db_view(struct aliasdb *db, int tree_fd)
{
	char link[64], tree[ALIASDB_PATH_MAX], *dbdir, *view = NULL;
	const char *dir;
	ssize_t n;
	size_t tl;

	if (mdb_env_get_path(db->env, &dir) != 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", tree_fd);
	n = readlink(link, tree, sizeof(tree) - 1);
	if (n <= 0)
		return NULL;
	tree[n] = '\0';
	dbdir = realpath(dir, NULL);
	if (!dbdir)
		return NULL;
	tl = strcmp(tree, "/") == 0 ? 0 : (size_t)n;
	if (strncmp(dbdir, tree, tl) == 0 && dbdir[tl] == '/' &&
	    dbdir[tl + 1] != '\0')
		view = strdup(dbdir + tl);
	free(dbdir);
	return view;
}

static int sync_run(struct sync_state *st, struct sync_file *files,
		    size_t n_files)
{
	struct sync_stored *stored = NULL;
	struct sync_alias *before = NULL;
	size_t n_stored = 0, n_before = 0, i;
	int r;

	r = sync_stored_load(st->db, st->txn, &stored, &n_stored);
	if (r == 0)
		r = sync_aliases_load(st->db, st->txn, &before, &n_before);
	/* Unimport first, so that the aliases a changed or removed
	 * declaration frees are there for the others to take. */
	for (i = 0; i < n_stored && r == 0; i++) {
		struct sync_file *f;

		f = sync_find_file(files, n_files, stored[i].name);
		if (f && f->err < 0)
			continue; /* keep its import until it is readable */
		if (f) {
			f->stored = &stored[i];
			if (f->digest == stored[i].digest &&
			    f->size == stored[i].size)
				continue;
			f->changed = true;
		}
		r = sync_unimport(st, &stored[i]);
		if (r == 0 && !f) {
			r = sync_stored_del(st->db, st->txn, stored[i].name);
			st->dirty = true;
			if (r == 0)
				r = sync_event(st->rep, ALIASDB_SYNC_UNIMPORTED,
					       stored[i].name, 0, NULL, NULL,
					       NULL);
		}
	}
	for (i = 0; i < n_files && r == 0; i++) {
		if (files[i].err < 0)
			r = sync_event(st->rep, ALIASDB_SYNC_UNREADABLE,
				       files[i].name, 0, NULL, NULL,
				       sync_unreadable_text(files[i].err));
		else
			r = sync_import(st, &files[i]);
	}
	if (r == 0)
		r = sync_activation(st, before, n_before);
	if (r == 0)
		r = sync_alias_events(st, before, n_before);
	if (r == 0)
		r = sync_save_problems(st, files, n_files);
	sync_aliases_free(before, n_before);
	sync_stored_free(stored, n_stored);
	return r;
}

int aliasdb_sync(struct aliasdb *db, int tree_fd,
		 struct aliasdb_sync_report **ret_report)
{
	struct sync_state st = {.db = db, .tree_fd = tree_fd};
	struct sync_file *files = NULL;
	size_t n_files = 0;
	int r;

	if (!db || tree_fd < 0 || !ret_report)
		return -EINVAL;
	if (db->rdonly)
		return -EROFS;
	st.rep = calloc(1, sizeof(*st.rep));
	if (!st.rep)
		return -ENOMEM;
	st.db_view = sync_db_view(db, tree_fd);
	r = sync_read_dir(tree_fd, &files, &n_files);
	if (r == 0)
		r = aliasdb_db_write_begin(db, &st.txn);
	if (r == 0) {
		r = sync_run(&st, files, n_files);
		if (r == 0 && st.dirty) {
			/* commit aborts on failure */
			r = aliasdb_commit(db, st.txn);
			st.rep->changed = r == 0;
		} else {
			/* Nothing changed: no new generation to chase. */
			mdb_txn_abort(st.txn);
		}
	}
	sync_files_free(files, n_files);
	free(st.db_view);
	if (r == 0)
		r = aliasdb_generation(db, &st.rep->generation);
	if (r < 0) {
		aliasdb_sync_report_free(st.rep);
		return r;
	}
	*ret_report = st.rep;
	return 0;
}
