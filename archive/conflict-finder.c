/*
 * Alias conflict finder. Memory is what makes archive scale hard: a
 * bookworm Contents pair has 7.3 million lines. So every string is stored
 * once in an arena and addressed by a 32-bit offset; a path is stored as
 * (interned canonical directory, basename); and a path shipped by one
 * package under one spelling (nearly all of them) costs one 16-byte entry
 * plus its basename. The rare extra (package, spelling) pairs hang off the
 * entry in a side list.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive/conflict-finder.h"

/* Spelling 0 is the canonical one; i + 1 is alias i of the map. Packages
 * get the upper 24 bits of a uint32_t. */
#define CF_MAX_ALIASES 254
#define CF_MAX_PACKAGES (1u << 24)
#define CF_PKG_SPELL(pkg, spell) (((uint32_t)(pkg) << 8) | (uint32_t)(spell))
#define CF_PKG(ps) ((ps) >> 8)
#define CF_SPELL(ps) ((ps)&0xffu)

/* Growable byte arena; strings are addressed by offset so that the
 * arena may move when it grows. */
struct cf_arena {
	char *buf;
	size_t len, cap;
};

/* An interned string (a directory or a package name). */
struct cf_str {
	uint32_t off, len, hash;
};

/* A string interning table: items in insertion order, slots hold
 * index + 1 (0 = empty). */
struct cf_strtab {
	struct cf_str *items;
	uint32_t n, cap;
	uint32_t *slots;
	uint32_t mask;
};

struct cf_entry {
	uint32_t dir;	    /* index into the directory table */
	uint32_t name;	    /* arena offset of the NUL-terminated basename */
	uint32_t pkg_spell; /* first (package, spelling) seen */
	uint32_t extra;	    /* index + 1 of the first extra pair, 0 if none */
};

struct cf_extra {
	uint32_t pkg_spell;
	uint32_t next; /* index + 1, 0 ends the list */
};

struct conflict_finder {
	const struct aliasdb_map *map;
	unsigned flags;
	size_t n_aliases;
	/* The aliases' canonical targets, to skip paths that cannot have a
	 * second spelling when only alias conflicts are wanted. */
	const char **targets;
	size_t *target_lens;
	size_t *alias_lens;

	struct cf_arena arena;
	struct cf_strtab dirs, pkgs;

	struct cf_entry *entries;
	uint32_t n_entries, cap_entries;
	/* (hash << 32) | (index + 1), 0 = empty: probing compares hashes
	 * within one cache line instead of loading every entry it passes,
	 * which is what bounds the speed at millions of entries. */
	uint64_t *slots;
	uint32_t mask;

	struct cf_extra *extras;
	uint32_t n_extras, cap_extras;

	/* Consecutive inputs usually share the directory and the package
	 * (Contents files are sorted, packages list their files together):
	 * remember the last ones to skip the hash lookups. */
	uint32_t last_dir, last_pkg;
	bool have_last_dir, have_last_pkg;

	char norm[ALIASDB_PATH_MAX];
	char canon[ALIASDB_PATH_MAX];
};

static uint32_t cf_hash(const char *s, size_t n, uint32_t seed)
{
	/* FNV-1a, 32 bits: short keys, good enough spread for linear
	 * probing with a final mix. */
	uint32_t h = 2166136261u ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	h ^= h >> 15;
	h *= 0x2c1b3c6du;
	h ^= h >> 12;
	return h;
}

static int cf_arena_put(struct cf_arena *a, const char *s, size_t n,
			uint32_t *ret_off)
{
	size_t need = a->len + n + 1;

	if (need > UINT32_MAX)
		return -EOVERFLOW;
	if (need > a->cap) {
		size_t cap = a->cap ? a->cap : 1 << 16;
		char *buf;

		while (cap < need)
			cap *= 2;
		if (cap > (size_t)UINT32_MAX + 1)
			cap = (size_t)UINT32_MAX + 1;
		buf = realloc(a->buf, cap);
		if (!buf)
			return -ENOMEM;
		a->buf = buf;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, s, n);
	a->buf[a->len + n] = '\0';
	*ret_off = (uint32_t)a->len;
	a->len = need;
	return 0;
}

static int cf_strtab_grow(struct cf_strtab *t)
{
	uint32_t nslots = t->slots ? (t->mask + 1) * 2 : 1024;
	uint32_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t s = t->items[i].hash & (nslots - 1);

		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = nslots - 1;
	return 0;
}

/* Find @s in @t; when absent and @add, intern it. Returns 1 and the
 * index if found or added, 0 if absent (and not added), -errno. */
static int cf_strtab_get(struct cf_strtab *t, struct cf_arena *a, const char *s,
			 size_t n, bool add, uint32_t *ret_idx)
{
	uint32_t h = cf_hash(s, n, 0);
	uint32_t slot;
	struct cf_str *it;
	int r;

	if (n > UINT32_MAX)
		return -EOVERFLOW;
	if (!t->slots ||
	    (uint64_t)(t->n + 1) * 4 > (uint64_t)(t->mask + 1) * 3) {
		if (!add && !t->slots)
			return 0;
		r = cf_strtab_grow(t);
		if (r < 0)
			return r;
	}
	for (slot = h & t->mask; t->slots[slot]; slot = (slot + 1) & t->mask) {
		it = &t->items[t->slots[slot] - 1];
		if (it->hash == h && it->len == n &&
		    memcmp(a->buf + it->off, s, n) == 0) {
			*ret_idx = t->slots[slot] - 1;
			return 1;
		}
	}
	if (!add)
		return 0;
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 256;
		struct cf_str *items = realloc(t->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		t->items = items;
		t->cap = cap;
	}
	it = &t->items[t->n];
	r = cf_arena_put(a, s, n, &it->off);
	if (r < 0)
		return r;
	it->len = (uint32_t)n;
	it->hash = h;
	t->slots[slot] = t->n + 1;
	*ret_idx = t->n++;
	return 1;
}

static void cf_strtab_free(struct cf_strtab *t)
{
	free(t->items);
	free(t->slots);
}

int conflict_finder_new(const struct aliasdb_map *map, unsigned flags,
			struct conflict_finder **ret_finder)
{
	struct conflict_finder *f;
	size_t n = aliasdb_map_count(map);

	if (n > CF_MAX_ALIASES)
		return -E2BIG;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->map = map;
	f->flags = flags;
	f->n_aliases = n;
	f->targets = calloc(n ? n : 1, sizeof(*f->targets));
	f->target_lens = calloc(n ? n : 1, sizeof(*f->target_lens));
	f->alias_lens = calloc(n ? n : 1, sizeof(*f->alias_lens));
	if (!f->targets || !f->target_lens || !f->alias_lens) {
		conflict_finder_free(f);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		f->targets[i] = aliasdb_map_canonical(map, i);
		f->target_lens[i] = strlen(f->targets[i]);
		f->alias_lens[i] = strlen(aliasdb_map_alias(map, i));
	}
	*ret_finder = f;
	return 0;
}

void conflict_finder_free(struct conflict_finder *f)
{
	if (!f)
		return;
	free(f->targets);
	free(f->target_lens);
	free(f->alias_lens);
	free(f->arena.buf);
	cf_strtab_free(&f->dirs);
	cf_strtab_free(&f->pkgs);
	free(f->entries);
	free(f->slots);
	free(f->extras);
	free(f);
}

size_t conflict_finder_count(const struct conflict_finder *f)
{
	return f->n_entries;
}

static uint32_t cf_entry_hash(const struct conflict_finder *f, uint32_t dir,
			      const char *name, size_t n)
{
	return cf_hash(name, n, dir * 0x9e3779b9u);
}

static int cf_entries_grow(struct conflict_finder *f)
{
	uint32_t nslots = f->slots ? (f->mask + 1) * 2 : 1 << 16;
	uint64_t *slots;

	if (nslots == 0)
		return -ENOMEM;
	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (uint32_t i = 0; f->slots && i <= f->mask; i++) {
		uint32_t s;

		if (!f->slots[i])
			continue;
		s = (uint32_t)(f->slots[i] >> 32) & (nslots - 1);
		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = f->slots[i];
	}
	free(f->slots);
	f->slots = slots;
	f->mask = nslots - 1;
	return 0;
}

static int cf_extra_add(struct conflict_finder *f, struct cf_entry *e,
			uint32_t ps)
{
	uint32_t *link = &e->extra;

	for (uint32_t x = e->extra; x; x = f->extras[x - 1].next) {
		if (f->extras[x - 1].pkg_spell == ps)
			return 0;
		link = &f->extras[x - 1].next;
	}
	if (f->n_extras == f->cap_extras) {
		uint32_t cap = f->cap_extras ? f->cap_extras * 2 : 1024;
		struct cf_extra *x;
		/* @link may point into the array being moved. */
		size_t link_idx = link == &e->extra
					  ? SIZE_MAX
					  : (size_t)(link - &f->extras[0].next);

		x = realloc(f->extras, cap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		f->extras = x;
		f->cap_extras = cap;
		if (link_idx != SIZE_MAX)
			link = &f->extras[0].next + link_idx;
	}
	f->extras[f->n_extras].pkg_spell = ps;
	f->extras[f->n_extras].next = 0;
	*link = ++f->n_extras;
	return 0;
}

/* Is @p (@n bytes) absolute and already normalized? Nearly every input
 * path is, which saves copying it through aliasdb_path_normalize(). */
static bool cf_is_normalized(const char *p, size_t n)
{
	size_t i = 1;

	if (n == 0 || p[0] != '/')
		return false;
	if (n == 1)
		return true;
	while (i <= n) {
		const char *e = memchr(p + i, '/', n - i);
		size_t c = e ? (size_t)(e - (p + i)) : n - i;

		if (c == 0 || (c == 1 && p[i] == '.') ||
		    (c == 2 && p[i] == '.' && p[i + 1] == '.'))
			return false;
		i += c + 1;
	}
	return true;
}

/* Is normalized @p (@n bytes) equal to or under @prefix (@pn bytes)? */
static bool cf_under(const char *p, size_t n, const char *prefix, size_t pn)
{
	return n >= pn && memcmp(p, prefix, pn) == 0 &&
	       (n == pn || p[pn] == '/');
}

/* Could @norm (@nlen bytes) have two spellings, being under an alias or
 * its target? Unless CONFLICT_FINDER_ALL, nothing else is recorded. */
static bool cf_wanted(const struct conflict_finder *f, const char *norm,
		      size_t nlen)
{
	if (f->flags & CONFLICT_FINDER_ALL)
		return true;
	for (size_t i = 0; i < f->n_aliases; i++)
		if (cf_under(norm, nlen, f->targets[i], f->target_lens[i]) ||
		    cf_under(norm, nlen, aliasdb_map_alias(f->map, i),
			     f->alias_lens[i]))
			return true;
	return false;
}

/*
 * The canonical spelling of shipped @path (in f->norm or f->canon, or
 * @path itself) and which spelling it was (0 canonical, i + 1 through
 * alias i). Returns 1 with *ret_canon, *ret_len, *ret_spell; 0 for a path
 * with nothing to compare (outside every alias, an alias itself, "/");
 * -errno.
 */
static int cf_canonical(struct conflict_finder *f, const char *path,
			size_t path_len, const char **ret_canon,
			size_t *ret_len, uint32_t *ret_spell)
{
	const char *norm = path;
	ssize_t nlen = (ssize_t)path_len, clen;
	int idx;

	if (strlen(path) != path_len || !cf_is_normalized(path, path_len)) {
		nlen = aliasdb_path_normalize(path, f->norm, sizeof(f->norm));
		if (nlen < 0)
			return (int)nlen;
		norm = f->norm;
	}
	if (!cf_wanted(f, norm, (size_t)nlen))
		return 0;
	idx = aliasdb_map_find_alias(f->map, norm);
	*ret_canon = norm;
	*ret_spell = 0;
	clen = nlen;
	if (idx >= 0) {
		/* The alias path itself is a directory (or the alias
		 * symlink): nothing to compare. */
		if ((size_t)nlen == f->alias_lens[idx])
			return 0;
		*ret_spell = (uint32_t)idx + 1;
		clen = aliasdb_map_canon(f->map, norm, f->canon,
					 sizeof(f->canon));
		if (clen < 0)
			return (int)clen;
		*ret_canon = f->canon;
	}
	*ret_len = (size_t)clen;
	return clen > 1;
}

/* The id of directory @d (@dlen bytes); members come grouped by
 * directory, so the last one is checked first. */
static int cf_dir_id(struct conflict_finder *f, const char *d, size_t dlen,
		     uint32_t *ret_dir)
{
	int r;

	if (f->have_last_dir && f->dirs.items[f->last_dir].len == dlen &&
	    memcmp(f->arena.buf + f->dirs.items[f->last_dir].off, d, dlen) ==
		    0) {
		*ret_dir = f->last_dir;
		return 0;
	}
	r = cf_strtab_get(&f->dirs, &f->arena, d, dlen, true, ret_dir);
	if (r < 0)
		return r;
	f->last_dir = *ret_dir;
	f->have_last_dir = true;
	return 0;
}

/* The id of package @pkg (@pkg_len bytes), the last one checked first. */
static int cf_pkg_id(struct conflict_finder *f, const char *pkg, size_t pkg_len,
		     uint32_t *ret_pkg)
{
	int r;

	if (f->have_last_pkg && f->pkgs.items[f->last_pkg].len == pkg_len &&
	    memcmp(f->arena.buf + f->pkgs.items[f->last_pkg].off, pkg,
		   pkg_len) == 0) {
		*ret_pkg = f->last_pkg;
		return 0;
	}
	if (f->pkgs.n >= CF_MAX_PACKAGES)
		return -EOVERFLOW;
	r = cf_strtab_get(&f->pkgs, &f->arena, pkg, pkg_len, true, ret_pkg);
	if (r < 0)
		return r;
	f->last_pkg = *ret_pkg;
	f->have_last_pkg = true;
	return 0;
}

/* A new entry (@dir, @name) shipped as @ps, in hash slot @slot. */
static int cf_entry_new(struct conflict_finder *f, uint32_t slot, uint32_t h,
			uint32_t dir, const char *name, size_t name_len,
			uint32_t ps)
{
	struct cf_entry *e;
	int r;

	if (f->n_entries == f->cap_entries) {
		uint32_t cap = f->cap_entries ? f->cap_entries * 2 : 1 << 14;

		if (cap < f->cap_entries)
			return -EOVERFLOW;
		e = realloc(f->entries, (size_t)cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		f->entries = e;
		f->cap_entries = cap;
	}
	e = &f->entries[f->n_entries];
	r = cf_arena_put(&f->arena, name, name_len, &e->name);
	if (r < 0)
		return r;
	e->dir = dir;
	e->pkg_spell = ps;
	e->extra = 0;
	f->slots[slot] = ((uint64_t)h << 32) | ++f->n_entries;
	return 0;
}

/* Record that (@dir, @name) is shipped as @ps: a new entry, or one more
 * (package, spelling) of an entry already there. */
static int cf_entry_record(struct conflict_finder *f, uint32_t dir,
			   const char *name, size_t name_len, uint32_t ps)
{
	uint32_t h, slot;
	int r;

	if (!f->slots ||
	    (uint64_t)(f->n_entries + 1) * 4 > (uint64_t)(f->mask + 1) * 3) {
		r = cf_entries_grow(f);
		if (r < 0)
			return r;
	}
	h = cf_entry_hash(f, dir, name, name_len);
	for (slot = h & f->mask; f->slots[slot]; slot = (slot + 1) & f->mask) {
		struct cf_entry *e;
		const char *en;

		if ((uint32_t)(f->slots[slot] >> 32) != h)
			continue;
		e = &f->entries[(uint32_t)f->slots[slot] - 1];
		en = f->arena.buf + e->name;
		if (e->dir == dir && strncmp(en, name, name_len) == 0 &&
		    en[name_len] == '\0')
			return e->pkg_spell == ps ? 0 : cf_extra_add(f, e, ps);
	}
	return cf_entry_new(f, slot, h, dir, name, name_len, ps);
}

int conflict_finder_add(struct conflict_finder *f, const char *path,
			size_t path_len, const char *pkg, size_t pkg_len)
{
	const char *canon = NULL, *slash, *name;
	size_t clen = 0, dlen;
	uint32_t spell = 0, dir, pkg_id;
	int r;

	if (pkg_len == 0)
		return -EINVAL;
	r = cf_canonical(f, path, path_len, &canon, &clen, &spell);
	if (r <= 0)
		return r;
	slash = strrchr(canon, '/');
	dlen = slash == canon ? 1 : (size_t)(slash - canon);
	name = slash + 1;
	r = cf_dir_id(f, canon, dlen, &dir);
	if (r == 0)
		r = cf_pkg_id(f, pkg, pkg_len, &pkg_id);
	if (r < 0)
		return r;
	return cf_entry_record(f, dir, name, clen - (size_t)(name - canon),
			       CF_PKG_SPELL(pkg_id, spell));
}

int conflict_finder_sink(void *ctx, const char *path, size_t path_len,
			 const char *pkg, size_t pkg_len)
{
	return conflict_finder_add(ctx, path, path_len, pkg, pkg_len);
}

static int cf_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cf_cmp_ship(const void *a, const void *b)
{
	const struct conflict_ship *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : strcmp(x->package, y->package);
}

static int cf_cmp_conflict(const void *a, const void *b)
{
	const struct conflict *x = a, *y = b;

	return strcmp(x->canonical, y->canonical);
}

/* Does the spelling set @ps[0..n) (sorted, unique) make a conflict? */
static int cf_classify(const struct conflict_finder *f, const uint32_t *ps,
		       size_t n)
{
	bool multi_spell = false, multi_pkg = false, shared = false;

	for (size_t i = 1; i < n; i++) {
		if (CF_SPELL(ps[i]) != CF_SPELL(ps[0]))
			multi_spell = true;
		if (CF_PKG(ps[i]) != CF_PKG(ps[0]))
			multi_pkg = true;
		for (size_t j = 0; j < i; j++)
			if (CF_SPELL(ps[j]) == CF_SPELL(ps[i]) &&
			    CF_PKG(ps[j]) != CF_PKG(ps[i]))
				shared = true;
	}
	if (multi_spell && multi_pkg)
		return CONFLICT_ALIAS;
	if (shared && (f->flags & CONFLICT_FINDER_ALL))
		return CONFLICT_SAME_PATH;
	return -1;
}

static char *cf_join(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	char *s = malloc(an + bn + 1);

	if (!s)
		return NULL;
	memcpy(s, a, an);
	memcpy(s + an, b, bn + 1);
	return s;
}

static void cf_conflict_clear(struct conflict *c)
{
	for (size_t j = 0; j < c->n_ships; j++) {
		free(c->ships[j].path);
		free(c->ships[j].package);
	}
	free(c->ships);
	free(c->canonical);
}

/* Build the reported conflict for entry @e with pairs @ps[0..n). */
static int cf_build(const struct conflict_finder *f, const struct cf_entry *e,
		    enum conflict_kind kind, const uint32_t *ps, size_t n,
		    struct conflict *c)
{
	const struct cf_str *d = &f->dirs.items[e->dir];
	const char *dir = f->arena.buf + d->off;
	const char *name = f->arena.buf + e->name;
	size_t dl = d->len == 1 ? 0 : d->len;

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->canonical = malloc(dl + 1 + strlen(name) + 1);
	c->ships = calloc(n, sizeof(*c->ships));
	if (!c->canonical || !c->ships)
		return -ENOMEM;
	memcpy(c->canonical, dir, dl);
	c->canonical[dl] = '/';
	strcpy(c->canonical + dl + 1, name);
	for (size_t i = 0; i < n; i++) {
		uint32_t sp = CF_SPELL(ps[i]);
		const struct cf_str *p = &f->pkgs.items[CF_PKG(ps[i])];
		struct conflict_ship *s = &c->ships[c->n_ships];

		if (sp == 0) {
			s->path = strdup(c->canonical);
		} else {
			const char *al = aliasdb_map_alias(f->map, sp - 1);

			s->path =
				cf_join(al, strlen(al),
					c->canonical + f->target_lens[sp - 1]);
		}
		s->package = strndup(f->arena.buf + p->off, p->len);
		c->n_ships++;
		if (!s->path || !s->package)
			return -ENOMEM;
	}
	qsort(c->ships, c->n_ships, sizeof(*c->ships), cf_cmp_ship);
	return 0;
}

/*
 * The distinct (package, spelling) pairs of entry @e, sorted, into
 * *@ps (grown as needed, @ps_cap its size). Returns how many, or -ENOMEM.
 */
static ssize_t cf_entry_pairs(const struct conflict_finder *f,
			      const struct cf_entry *e, uint32_t **ps,
			      size_t *ps_cap)
{
	size_t k = 0, u;

	for (uint32_t x = e->extra; x; x = f->extras[x - 1].next)
		k++;
	if (k + 1 > *ps_cap) {
		uint32_t *p = realloc(*ps, (k + 1) * 2 * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*ps = p;
		*ps_cap = (k + 1) * 2;
	}
	k = 0;
	(*ps)[k++] = e->pkg_spell;
	for (uint32_t x = e->extra; x; x = f->extras[x - 1].next)
		(*ps)[k++] = f->extras[x - 1].pkg_spell;
	qsort(*ps, k, sizeof(**ps), cf_cmp_u32);
	u = 1;
	for (size_t j = 1; j < k; j++)
		if ((*ps)[j] != (*ps)[u - 1])
			(*ps)[u++] = (*ps)[j];
	return (ssize_t)u;
}

/* Is canonical @path some stored path's directory? Packages share
 * directories legitimately. 1 yes, 0 no, -errno. */
static int cf_is_dir(struct conflict_finder *f, const char *path)
{
	uint32_t di;

	return cf_strtab_get(&f->dirs, &f->arena, path, strlen(path), false,
			     &di);
}

/* Make room for one more conflict in *@list (@n used of *@cap). */
static int cf_list_reserve(struct conflict **list, size_t n, size_t *cap)
{
	struct conflict *l;

	if (n < *cap)
		return 0;
	l = realloc(*list, (*cap ? *cap * 2 : 64) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	*list = l;
	*cap = *cap ? *cap * 2 : 64;
	return 0;
}

int conflict_finder_collect(struct conflict_finder *f,
			    struct conflict **ret_list, size_t *ret_n)
{
	struct conflict *list = NULL;
	size_t n = 0, cap = 0, ps_cap = 0;
	uint32_t *ps = NULL;
	ssize_t u;
	int kind, r = 0;

	for (uint32_t i = 0; i < f->n_entries; i++) {
		const struct cf_entry *e = &f->entries[i];

		if (!e->extra)
			continue;
		u = cf_entry_pairs(f, e, &ps, &ps_cap);
		if (u < 0) {
			r = (int)u;
			goto out;
		}
		kind = cf_classify(f, ps, (size_t)u);
		if (kind < 0)
			continue;
		r = cf_list_reserve(&list, n, &cap);
		if (r < 0)
			goto out;
		r = cf_build(f, e, (enum conflict_kind)kind, ps, (size_t)u,
			     &list[n++]);
		if (r == 0)
			r = cf_is_dir(f, list[n - 1].canonical);
		if (r < 0)
			goto out;
		if (r > 0)
			cf_conflict_clear(&list[--n]);
		r = 0;
	}
	if (n)
		qsort(list, n, sizeof(*list), cf_cmp_conflict);
out:
	free(ps);
	if (r < 0) {
		conflict_list_free(list, n);
		return r;
	}
	if (n == 0) {
		free(list);
		list = NULL;
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}

void conflict_list_free(struct conflict *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		cf_conflict_clear(&list[i]);
	free(list);
}
