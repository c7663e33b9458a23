/*
 * The alias map: an immutable snapshot of the active aliases, read on
 * every hot path of the daemon without locks or allocation.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aliasdb-internal.h"

struct map_entry {
	const char *alias;
	const char *canonical;
	size_t alias_len;
	size_t canonical_len;
};

struct aliasdb_map {
	uint64_t generation;
	size_t n;
	struct map_entry *entries;
	/* entries and their strings live in this one block */
};

static int entry_cmp(const void *a, const void *b)
{
	const struct map_entry *x = a, *y = b;

	return strcmp(x->alias, y->alias);
}

int aliasdb_map_build(const char *const *alias, const char *const *canonical,
		      size_t n, uint64_t generation,
		      struct aliasdb_map **ret_map)
{
	struct aliasdb_map *map;
	size_t i, strings = 0, kept;
	char *p;

	for (i = 0; i < n; i++)
		strings += strlen(alias[i]) + strlen(canonical[i]) + 2;
	map = malloc(sizeof(*map) + n * sizeof(struct map_entry) + strings);
	if (!map)
		return -ENOMEM;
	map->generation = generation;
	map->entries = (struct map_entry *)(map + 1);
	p = (char *)(map->entries + n);
	for (i = 0; i < n; i++) {
		struct map_entry *e = &map->entries[i];

		e->alias_len = strlen(alias[i]);
		e->canonical_len = strlen(canonical[i]);
		e->alias = p;
		memcpy(p, alias[i], e->alias_len + 1);
		p += e->alias_len + 1;
		e->canonical = p;
		memcpy(p, canonical[i], e->canonical_len + 1);
		p += e->canonical_len + 1;
	}
	if (n > 1)
		qsort(map->entries, n, sizeof(struct map_entry), entry_cmp);
	/* The rules allow an identical pair twice; keep it once. */
	for (i = 0, kept = 0; i < n; i++) {
		if (kept > 0 && strcmp(map->entries[kept - 1].alias,
				       map->entries[i].alias) == 0)
			continue;
		map->entries[kept++] = map->entries[i];
	}
	map->n = kept;
	*ret_map = map;
	return 0;
}

int aliasdb_map_from_pairs(const char *const *alias,
			   const char *const *canonical, size_t n,
			   struct aliasdb_map **ret_map,
			   enum aliasdb_rule *ret_rule)
{
	size_t i, j;

	if (n > 0 && (!alias || !canonical))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		enum aliasdb_rule r =
			aliasdb_rules_check_pair(alias[i], canonical[i]);

		for (j = 0; j < i && r == ALIASDB_RULE_OK; j++)
			r = aliasdb_rules_check_against(alias[i], canonical[i],
							alias[j], canonical[j]);
		if (r != ALIASDB_RULE_OK) {
			if (ret_rule)
				*ret_rule = r;
			return -EINVAL;
		}
	}
	if (ret_rule)
		*ret_rule = ALIASDB_RULE_OK;
	return aliasdb_map_build(alias, canonical, n, 0, ret_map);
}

int aliasdb_map_for_arch(const char *arch, struct aliasdb_map **ret_map)
{
	const char *const *names;
	char aliases[8][16], canons[8][24];
	const char *a[8], *c[8];
	int n, i;

	n = aliasdb_arch_defaults(arch, &names);
	if (n < 0)
		return n;
	if (n > 8)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (strlen(names[i]) >= sizeof(aliases[i]) - 1)
			return -EINVAL;
		aliases[i][0] = '/';
		strcpy(aliases[i] + 1, names[i]);
		memcpy(canons[i], "/usr/", 5);
		strcpy(canons[i] + 5, names[i]);
		a[i] = aliases[i];
		c[i] = canons[i];
	}
	return aliasdb_map_from_pairs(a, c, (size_t)n, ret_map, NULL);
}

void aliasdb_map_free(struct aliasdb_map *map)
{
	free(map);
}

uint64_t aliasdb_map_generation(const struct aliasdb_map *map)
{
	return map ? map->generation : 0;
}

size_t aliasdb_map_count(const struct aliasdb_map *map)
{
	return map ? map->n : 0;
}

const char *aliasdb_map_alias(const struct aliasdb_map *map, size_t i)
{
	return map && i < map->n ? map->entries[i].alias : NULL;
}

const char *aliasdb_map_canonical(const struct aliasdb_map *map, size_t i)
{
	return map && i < map->n ? map->entries[i].canonical : NULL;
}

int aliasdb_map_equal(const struct aliasdb_map *a, const struct aliasdb_map *b)
{
	size_t i;

	if (aliasdb_map_count(a) != aliasdb_map_count(b))
		return 0;
	for (i = 0; i < aliasdb_map_count(a); i++)
		if (strcmp(a->entries[i].alias, b->entries[i].alias) != 0 ||
		    strcmp(a->entries[i].canonical, b->entries[i].canonical) !=
			    0)
			return 0;
	return 1;
}

/* Index of the longest alias that @path (normalized, @len bytes) is equal
 * to or under, or -1. The rules keep aliases disjoint, so at most one
 * matches; taking the longest keeps us right even if not. */
static ssize_t find_prefix(const struct aliasdb_map *map, const char *path,
			   size_t len)
{
	ssize_t best = -1;
	size_t best_len = 0, i;

	if (!map)
		return -1;
	for (i = 0; i < map->n; i++) {
		const struct map_entry *e = &map->entries[i];

		if (e->alias_len > len || e->alias_len <= best_len)
			continue;
		/* Cheap reject before memcmp: aliases are short and most
		 * paths differ in their first letter. */
		if (path[1] != e->alias[1])
			continue;
		if (path[e->alias_len] != '/' && path[e->alias_len] != '\0')
			continue;
		if (memcmp(path, e->alias, e->alias_len) != 0)
			continue;
		best = (ssize_t)i;
		best_len = e->alias_len;
	}
	return best;
}

ssize_t aliasdb_map_canon(const struct aliasdb_map *map, const char *path,
			  char *buf, size_t size)
{
	char tmp[ALIASDB_PATH_MAX];
	const struct map_entry *e;
	const char *src = buf;
	ssize_t len, i;
	size_t rest, out;

	len = aliasdb_path_normalize(path, buf, size);
	if (len == -ENAMETOOLONG && size < sizeof(tmp)) {
		/* The result may still fit once a long alias is replaced by
		 * a shorter target. */
		len = aliasdb_path_normalize(path, tmp, sizeof(tmp));
		src = tmp;
	}
	if (len < 0)
		return len;
	i = find_prefix(map, src, (size_t)len);
	if (i < 0) {
		if (src != buf)
			return -ENAMETOOLONG;
		return len;
	}
	e = &map->entries[i];
	rest = (size_t)len - e->alias_len;
	out = e->canonical_len + rest;
	if (out + 1 > size)
		return -ENAMETOOLONG;
	memmove(buf + e->canonical_len, src + e->alias_len, rest + 1);
	memcpy(buf, e->canonical, e->canonical_len);
	return (ssize_t)out;
}

int aliasdb_map_find_alias(const struct aliasdb_map *map, const char *path)
{
	ssize_t i;

	if (!path)
		return -ENOENT;
	i = find_prefix(map, path, strlen(path));
	return i < 0 ? -ENOENT : (int)i;
}

int aliasdb_map_load(struct aliasdb *db, struct aliasdb_map **ret_map)
{
	const char **alias = NULL, **canonical = NULL;
	size_t n = 0, cap = 0;
	uint64_t generation;
	MDB_cursor *cur = NULL;
	MDB_txn *txn;
	MDB_val key, val;
	int r, rc;

	if (!db)
		return -EINVAL;
	r = aliasdb_db_read_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_db_txn_generation(db, txn, &generation);
	if (r < 0)
		goto out;
	r = aliasdb_lmdb_error(mdb_cursor_open(txn, db->aliases, &cur));
	if (r < 0)
		goto out;
	/* Keys are not NUL-terminated in LMDB; the record's canonical is.
	 * Copy keys into one scratch block only while the txn is open. */
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		struct aliasdb_record rec;
		char *k;

		r = aliasdb_record_decode(&val, &rec);
		if (r < 0)
			goto out;
		if (rec.state != ALIASDB_STATE_ACTIVE)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			const char **na, **nc;

			na = realloc(alias, ncap * sizeof(*na));
			if (!na) {
				r = -ENOMEM;
				goto out;
			}
			alias = na;
			nc = realloc(canonical, ncap * sizeof(*nc));
			if (!nc) {
				r = -ENOMEM;
				goto out;
			}
			canonical = nc;
			cap = ncap;
		}
		k = strndup(key.mv_data, key.mv_size);
		if (!k) {
			r = -ENOMEM;
			goto out;
		}
		/* An alias an older aliasfs accepted and the rules now
		 * refuse (/var -> /usr/var) is never applied; status
		 * reports it. */
		if (aliasdb_rules_check_pair(k, rec.canonical) !=
		    ALIASDB_RULE_OK) {
			free(k);
			continue;
		}
		alias[n] = k;
		canonical[n] = rec.canonical;
		n++;
	}
	if (rc != MDB_NOTFOUND) {
		r = aliasdb_lmdb_error(rc);
		goto out;
	}
	r = aliasdb_map_build(alias, canonical, n, generation, ret_map);
out:
	while (n > 0)
		free((char *)alias[--n]);
	free(alias);
	free(canonical);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return r;
}
