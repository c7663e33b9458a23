/*
 * Ownership index on LMDB. Named databases:
 *
 *   paths     canonical path -> "pkg\0spelling\0" records, one per owner
 *   pkgpaths  package -> "canonical\0" records: what to take back out
 *             when its list changes or goes away
 *   lists     list file name -> stamp (inode, size, mtime) when last read
 *   divs      canonical path -> "from\0to\0pkg\0" records, for both ends
 *             of each diversion
 *   meta      "map" -> the alias pairs the index was built with
 *
 * Keys are at most ALIASDB_KV_KEY_MAX bytes; a longer canonical path is
 * keyed by its
 * first bytes and a hash, and lookups check every record against the
 * query (canonicalizing the listed spelling again), so a collision cannot
 * give a wrong owner.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasdb-kv.h"
#include "archive/owner-index.h"
#include "archive/path-map.h"

#define OI_KEY_MAX 500
#define OI_KEY_PREFIX 480
#define OI_MAPSIZE ((size_t)4 << 30)
#define OI_INFO_DIR "var/lib/dpkg/info"
#define OI_DIVERSIONS "var/lib/dpkg/diversions"

/* The tables, in the order of oi_tables. */
enum { OI_PATHS, OI_PKGPATHS, OI_LISTS, OI_DIVS, OI_META, OI_N_TABLES };

static const char *const oi_tables[OI_N_TABLES] = {
	"paths", "pkgpaths", "lists", "divs", "meta",
};

/* The one key of the meta table. */
#define OI_META_MAP "map"

struct owner_index {
	struct aliasdb_kv *store;
	struct aliasdb_map *map; /* the map of the last update, for lookups */
};

/* A store key: a view of a path or of @buf. */
struct oi_key {
	const void *data;
	size_t len;
};

/* What a list file looked like when it was read. */
struct oi_stamp {
	uint64_t ino, size;
	int64_t mtime_sec, mtime_nsec;
};

/* A growable byte buffer for packed records. */
struct oi_buf {
	char *data;
	size_t len, cap;
};

static int oi_buf_add(struct oi_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2 + 256;
		char *d = realloc(b->data, cap);

		if (!d)
			return -ENOMEM;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

/* Add NUL-terminated strings @a and @b, each with its NUL. */
static int oi_buf_add2(struct oi_buf *buf, const char *a, const char *b)
{
	int r = oi_buf_add(buf, a, strlen(a) + 1);

	return r < 0 ? r : oi_buf_add(buf, b, strlen(b) + 1);
}

/* The store key of canonical @path, in @buf (OI_KEY_MAX + 1 bytes). */
static struct oi_key oi_key(const char *path, char *buf)
{
	size_t n = strlen(path);
	struct oi_key k;

	if (n <= OI_KEY_MAX) {
		k.data = path;
		k.len = n;
		return k;
	}
	{
		uint64_t h = 14695981039346656037u;

		for (size_t i = 0; i < n; i++) {
			h ^= (unsigned char)path[i];
			h *= 1099511628211u;
		}
		memcpy(buf, path, OI_KEY_PREFIX);
		k.len = OI_KEY_PREFIX +
			(size_t)snprintf(buf + OI_KEY_PREFIX,
					 OI_KEY_MAX + 1 - OI_KEY_PREFIX,
					 "#%016llx", (unsigned long long)h);
		k.data = buf;
	}
	return k;
}

/* Serialize the pairs of @map: "alias\0canonical\0..." */
static int oi_map_blob(const struct aliasdb_map *map, struct oi_buf *b)
{
	for (size_t i = 0; i < aliasdb_map_count(map); i++) {
		int r = oi_buf_add2(b, aliasdb_map_alias(map, i),
				    aliasdb_map_canonical(map, i));

		if (r < 0)
			return r;
	}
	return 0;
}

static int oi_map_from_blob(const char *p, size_t n,
			    struct aliasdb_map **ret_map)
{
	const char *alias[64], *canon[64];
	const char *end = p + n;
	size_t k = 0;

	while (p < end && k < 64) {
		alias[k] = p;
		p += strlen(p) + 1;
		if (p >= end)
			return -EBADMSG;
		canon[k++] = p;
		p += strlen(p) + 1;
	}
	return aliasdb_map_from_pairs(alias, canon, k, ret_map, NULL);
}

/* mkdir -p @dir when @create (the index lives two levels below the alias
 * database's parent), or check that it is there. */
static int oi_make_dir(const char *dir, int create, struct arc_diag *diag)
{
	char tmp[ALIASDB_PATH_MAX];
	int r = 0;

	if (!create) {
		if (access(dir, F_OK) < 0)
			r = -errno;
	} else {
		snprintf(tmp, sizeof(tmp), "%s", dir);
		for (char *s = strchr(tmp + 1, '/'); s;
		     s = strchr(s + 1, '/')) {
			*s = '\0';
			mkdir(tmp, 0755);
			*s = '/';
		}
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			r = -errno;
	}
	if (r < 0)
		arc_diag_set(diag, "%s: %s", dir, strerror(-r));
	return r;
}

/* The alias map the index was last built with; x->map stays NULL when it
 * was never updated. */
static int oi_load_map(struct owner_index *x)
{
	struct aliasdb_kv_txn *txn;
	struct aliasdb_bytes v;
	int r;

	r = aliasdb_kv_begin(x->store, false, &txn);
	if (r < 0)
		return r;
	r = aliasdb_kv_get(txn, OI_META, OI_META_MAP, strlen(OI_META_MAP), &v);
	if (r == 0 && oi_map_from_blob(v.data, v.len, &x->map) < 0)
		r = -EUCLEAN;
	else if (r == -ENOENT)
		r = 0;
	aliasdb_kv_abort(txn);
	return r;
}

int owner_index_open(const char *dir, int create,
		     struct owner_index **ret_index, struct arc_diag *diag)
{
	struct owner_index *x;
	int r;

	r = oi_make_dir(dir, create, diag);
	if (r < 0)
		return r;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	r = aliasdb_kv_open(dir, create, OI_MAPSIZE, oi_tables, OI_N_TABLES,
			    &x->store);
	if (r == 0)
		r = oi_load_map(x);
	if (r < 0) {
		arc_diag_set(diag, "%s: %s", dir, strerror(-r));
		owner_index_close(x);
		return r;
	}
	*ret_index = x;
	return 0;
}

void owner_index_close(struct owner_index *x)
{
	if (!x)
		return;
	aliasdb_kv_close(x->store);
	aliasdb_map_free(x->map);
	free(x);
}

/* Take package @pkg's records out of the owners of canonical @canon;
 * @keep is scratch space. */
static int oi_drop_owner(struct aliasdb_kv_txn *txn, const char *canon,
			 const char *pkg, struct oi_buf *keep)
{
	char kb[OI_KEY_MAX + 1];
	struct oi_key k = oi_key(canon, kb);
	struct aliasdb_bytes v;
	const char *p, *end;

	if (aliasdb_kv_get(txn, OI_PATHS, k.data, k.len, &v) != 0)
		return 0;
	keep->len = 0;
	for (p = v.data, end = p + v.len; p < end;) {
		const char *spelling = p + strlen(p) + 1;
		const char *next = spelling + strlen(spelling) + 1;

		if (strcmp(p, pkg) != 0 &&
		    oi_buf_add(keep, p, (size_t)(next - p)) < 0)
			return -ENOMEM;
		p = next;
	}
	if (keep->len)
		return aliasdb_kv_put(txn, OI_PATHS, k.data, k.len, keep->data,
				      keep->len);
	return aliasdb_kv_del(txn, OI_PATHS, k.data, k.len);
}

/* Take package @pkg's records out of every path it listed. */
static int oi_remove_package(struct aliasdb_kv_txn *txn, const char *pkg)
{
	struct aliasdb_bytes pv;
	struct oi_buf keep = {0};
	char *list;
	int r;

	r = aliasdb_kv_get(txn, OI_PKGPATHS, pkg, strlen(pkg), &pv);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* The value lives in the map, which the writes below may move. */
	list = malloc(pv.len);
	if (!list)
		return -ENOMEM;
	memcpy(list, pv.data, pv.len);
	for (const char *c = list; c < list + pv.len; c += strlen(c) + 1) {
		r = oi_drop_owner(txn, c, pkg, &keep);
		if (r < 0)
			goto out;
	}
	r = aliasdb_kv_del(txn, OI_PKGPATHS, pkg, strlen(pkg));
out:
	free(keep.data);
	free(list);
	return r;
}

/* Append record "pkg\0spelling\0" to the owners of @canon. */
static int oi_add_owner(struct aliasdb_kv_txn *txn, const char *canon,
			const char *pkg, const char *spelling,
			struct oi_buf *tmp)
{
	char kb[OI_KEY_MAX + 1];
	struct oi_key k = oi_key(canon, kb);
	struct aliasdb_bytes v;
	int r;

	tmp->len = 0;
	r = aliasdb_kv_get(txn, OI_PATHS, k.data, k.len, &v);
	if (r == 0 && oi_buf_add(tmp, v.data, v.len) < 0)
		return -ENOMEM;
	if (r < 0 && r != -ENOENT)
		return r;
	if (oi_buf_add2(tmp, pkg, spelling) < 0)
		return -ENOMEM;
	return aliasdb_kv_put(txn, OI_PATHS, k.data, k.len, tmp->data,
			      tmp->len);
}

/* Read list @file of package @pkg into the index. */
static int oi_read_list(struct aliasdb_kv_txn *txn, int infofd,
			const char *file, const char *pkg,
			const struct aliasdb_map *map, size_t *paths,
			struct arc_diag *diag)
{
	struct oi_buf mine = {0}, tmp = {0};
	char canon[ALIASDB_PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd, r = 0;

	fd = openat(infofd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		arc_diag_set(diag, "%s/%s: %s", OI_INFO_DIR, file,
			     strerror(-r));
		return r;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] != '/' || strcmp(line, "/.") == 0)
			continue;
		if (aliasdb_map_canon(map, line, canon, sizeof(canon)) < 0)
			continue;
		r = oi_add_owner(txn, canon, pkg, line, &tmp);
		if (r == 0)
			r = oi_buf_add(&mine, canon, strlen(canon) + 1);
		if (r < 0) {
			arc_diag_set(diag, "%s/%s: %s", OI_INFO_DIR, file,
				     strerror(-r));
			break;
		}
		(*paths)++;
	}
	if (r == 0 && ferror(f)) {
		r = -EIO;
		arc_diag_set(diag, "%s/%s: read error", OI_INFO_DIR, file);
	}
	fclose(f);
	free(line);
	if (r == 0 && mine.len)
		r = aliasdb_kv_put(txn, OI_PKGPATHS, pkg, strlen(pkg),
				   mine.data, mine.len);
	free(mine.data);
	free(tmp.data);
	return r;
}

/* Append diversion record @rec to those of path @end (either end of the
 * diversion: `owner` of either names it); @tmp is scratch space. */
static int oi_add_diversion(struct aliasdb_kv_txn *txn,
			    const struct aliasdb_map *map, const char *end,
			    const struct oi_buf *rec, struct oi_buf *tmp)
{
	char canon[ALIASDB_PATH_MAX], kb[OI_KEY_MAX + 1];
	struct aliasdb_bytes v;
	struct oi_key k;

	if (aliasdb_map_canon(map, end, canon, sizeof(canon)) < 0)
		return 0;
	k = oi_key(canon, kb);
	tmp->len = 0;
	if (aliasdb_kv_get(txn, OI_DIVS, k.data, k.len, &v) == 0 &&
	    oi_buf_add(tmp, v.data, v.len) < 0)
		return -ENOMEM;
	if (oi_buf_add(tmp, rec->data, rec->len) < 0)
		return -ENOMEM;
	return aliasdb_kv_put(txn, OI_DIVS, k.data, k.len, tmp->data, tmp->len);
}

/* Rebuild the diversions from ROOT/var/lib/dpkg/diversions (small). */
static int oi_read_diversions(struct aliasdb_kv_txn *txn, int rootfd,
			      const struct aliasdb_map *map)
{
	char *l[3] = {NULL, NULL, NULL};
	size_t cap[3] = {0, 0, 0};
	struct oi_buf rec = {0}, tmp = {0};
	FILE *f;
	int fd, r;

	r = aliasdb_kv_clear(txn, OI_DIVS);
	if (r < 0)
		return r;
	fd = openat(rootfd, OI_DIVERSIONS, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	for (;;) {
		int i;

		for (i = 0; i < 3; i++) {
			ssize_t n = getline(&l[i], &cap[i], f);

			if (n < 0)
				break;
			if (n > 0 && l[i][n - 1] == '\n')
				l[i][n - 1] = '\0';
		}
		if (i < 3)
			break;
		rec.len = 0;
		if (oi_buf_add2(&rec, l[0], l[1]) < 0 ||
		    oi_buf_add(&rec, l[2], strlen(l[2]) + 1) < 0) {
			r = -ENOMEM;
			break;
		}
		for (i = 0; i < 2 && r == 0; i++)
			r = oi_add_diversion(txn, map, l[i], &rec, &tmp);
		if (r < 0)
			break;
	}
	fclose(f);
	for (int i = 0; i < 3; i++)
		free(l[i]);
	free(rec.data);
	free(tmp.data);
	return r;
}

static int oi_filter_list(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && d->d_name[0] != '.' &&
	       strcmp(d->d_name + n - 5, ".list") == 0;
}

/* One update of the index: the root's dpkg database and what was done. */
struct oi_update {
	struct owner_index *x;
	const struct aliasdb_map *map;
	struct arc_diag *diag;
	struct aliasdb_kv_txn *txn;
	struct owner_index_stats st;
	struct path_map *present; /* the list files found */
	struct dirent **names;
	int n_names;
	int rootfd, infofd;
	char dir[ALIASDB_PATH_MAX]; /* ROOT/var/lib/dpkg/info */
};

/* A list the index knows but the root no longer has: take its package
 * out (aliasdb_kv_sweep() callback; 1 drops the list's entry). */
static int oi_sweep_list(const void *key, size_t key_len, const void *val,
			 size_t val_len, void *userdata)
{
	struct oi_update *u = userdata;
	char name[NAME_MAX + 1];
	uint32_t dummy;
	int r;

	(void)val;
	(void)val_len;
	if (key_len > NAME_MAX || key_len <= 5)
		return 0;
	memcpy(name, key, key_len);
	name[key_len] = '\0';
	if (path_map_get(u->present, name, &dummy))
		return 0;
	name[key_len - 5] = '\0';
	r = oi_remove_package(u->txn, name);
	if (r < 0)
		return r;
	u->st.lists_dropped++;
	return 1;
}

/* Open ROOT and its dpkg database, and list the PACKAGE.list files. */
static int oi_update_open_root(struct oi_update *u, const char *root)
{
	int r;

	u->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->rootfd >= 0)
		u->infofd = openat(u->rootfd, OI_INFO_DIR,
				   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->infofd < 0) {
		r = -errno;
		arc_diag_set(u->diag, "%s: no dpkg database (%s)", root,
			     strerror(-r));
		return r;
	}
	snprintf(u->dir, sizeof(u->dir), "%s/%s", root, OI_INFO_DIR);
	u->n_names = scandir(u->dir, &u->names, oi_filter_list, alphasort);
	if (u->n_names < 0) {
		r = -errno;
		u->n_names = 0;
		arc_diag_set(u->diag, "%s: %s", u->dir, strerror(-r));
		return r;
	}
	return 0;
}

/* Another alias map means other canonical paths: start over. @blob is the
 * serialized map of this update. */
static int oi_update_check_map(struct oi_update *u, const struct oi_buf *blob)
{
	struct aliasdb_bytes v;
	int r;

	r = aliasdb_kv_get(u->txn, OI_META, OI_META_MAP, strlen(OI_META_MAP),
			   &v);
	if (r == 0 && v.len == blob->len &&
	    memcmp(v.data, blob->data, blob->len) == 0)
		return 0;
	r = aliasdb_kv_clear(u->txn, OI_PATHS);
	if (r == 0)
		r = aliasdb_kv_clear(u->txn, OI_PKGPATHS);
	if (r == 0)
		r = aliasdb_kv_clear(u->txn, OI_LISTS);
	if (r == 0)
		r = aliasdb_kv_put(u->txn, OI_META, OI_META_MAP,
				   strlen(OI_META_MAP), blob->data, blob->len);
	if (r < 0) {
		arc_diag_set(u->diag, "index: %s", strerror(-r));
		return r;
	}
	u->st.rebuilt = 1;
	return 0;
}

/* Read list @file again if it changed since it was last read. */
static int oi_update_list(struct oi_update *u, const char *file)
{
	struct oi_stamp stamp = {0};
	struct aliasdb_bytes v;
	struct stat s;
	char pkg[NAME_MAX + 1];
	int had, r = 0;

	if (fstatat(u->infofd, file, &s, 0) < 0) {
		r = -errno;
		arc_diag_set(u->diag, "%s/%s: %s", u->dir, file, strerror(-r));
		return r;
	}
	stamp.ino = s.st_ino;
	stamp.size = (uint64_t)s.st_size;
	stamp.mtime_sec = s.st_mtim.tv_sec;
	stamp.mtime_nsec = s.st_mtim.tv_nsec;
	if (path_map_put(u->present, file, 1) < 0)
		return -ENOMEM;
	had = aliasdb_kv_get(u->txn, OI_LISTS, file, strlen(file), &v);
	if (had == 0 && v.len == sizeof(stamp) &&
	    memcmp(v.data, &stamp, sizeof(stamp)) == 0) {
		u->st.lists_kept++;
		return 0;
	}
	snprintf(pkg, sizeof(pkg), "%.*s", (int)(strlen(file) - 5), file);
	if (had == 0)
		r = oi_remove_package(u->txn, pkg);
	if (r == 0)
		r = oi_read_list(u->txn, u->infofd, file, pkg, u->map,
				 &u->st.paths, u->diag);
	if (r == 0)
		r = aliasdb_kv_put(u->txn, OI_LISTS, file, strlen(file), &stamp,
				   sizeof(stamp));
	if (r == 0)
		u->st.lists_read++;
	return r;
}

/* Drop the lists that are gone, rebuild the diversions, commit. */
static int oi_update_finish(struct oi_update *u)
{
	struct aliasdb_kv_txn *txn = u->txn;
	int r;

	r = aliasdb_kv_sweep(txn, OI_LISTS, oi_sweep_list, u);
	if (r == 0)
		r = oi_read_diversions(txn, u->rootfd, u->map);
	if (r < 0) {
		arc_diag_set(u->diag, "index: %s", strerror(-r));
		return r;
	}
	u->txn = NULL;
	r = aliasdb_kv_commit(txn);
	if (r < 0)
		arc_diag_set(u->diag, "index: %s", strerror(-r));
	return r;
}

int owner_index_update(struct owner_index *x, const char *root,
		       const struct aliasdb_map *map,
		       struct owner_index_stats *ret_stats,
		       struct arc_diag *diag)
{
	struct oi_update u = {
		.x = x, .map = map, .diag = diag, .rootfd = -1, .infofd = -1};
	struct oi_buf blob = {0};
	struct aliasdb_map *newmap = NULL;
	int r;

	r = oi_update_open_root(&u, root);
	if (r == 0)
		r = oi_map_blob(map, &blob);
	if (r == 0)
		r = oi_map_from_blob(blob.data, blob.len, &newmap);
	if (r == 0)
		r = path_map_new(&u.present);
	if (r < 0)
		goto out;
	r = aliasdb_kv_begin(x->store, true, &u.txn);
	if (r < 0) {
		arc_diag_set(diag, "index: %s", strerror(-r));
		goto out;
	}
	r = oi_update_check_map(&u, &blob);
	for (int i = 0; i < u.n_names && r == 0; i++)
		r = oi_update_list(&u, u.names[i]->d_name);
	if (r == 0)
		r = oi_update_finish(&u);
	if (r < 0)
		goto out;
	aliasdb_map_free(x->map);
	x->map = newmap;
	newmap = NULL;
	if (ret_stats)
		*ret_stats = u.st;
out:
	aliasdb_kv_abort(u.txn);
	for (int i = 0; i < u.n_names; i++)
		free(u.names[i]);
	free(u.names);
	path_map_free(u.present);
	aliasdb_map_free(newmap);
	free(blob.data);
	if (u.infofd >= 0)
		close(u.infofd);
	if (u.rootfd >= 0)
		close(u.rootfd);
	return r;
}

void owner_result_free(struct owner_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n_entries; i++) {
		for (size_t j = 0; j < res->entries[i].n_packages; j++)
			free(res->entries[i].packages[j]);
		free(res->entries[i].packages);
		free(res->entries[i].path);
	}
	free(res->entries);
	for (size_t i = 0; i < res->n_diversions; i++) {
		free(res->diversions[i].from);
		free(res->diversions[i].to);
		free(res->diversions[i].package);
	}
	free(res->diversions);
	free(res);
}

/* Add @pkg to the entry for @spelling in @res (creating it). */
static int oi_result_add(struct owner_result *res, const char *spelling,
			 const char *pkg)
{
	struct owner_entry *e = NULL;
	char **pk;

	for (size_t i = 0; i < res->n_entries; i++)
		if (strcmp(res->entries[i].path, spelling) == 0)
			e = &res->entries[i];
	if (!e) {
		struct owner_entry *n = realloc(
			res->entries, (res->n_entries + 1) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		res->entries = n;
		e = &n[res->n_entries];
		memset(e, 0, sizeof(*e));
		e->path = strdup(spelling);
		if (!e->path)
			return -ENOMEM;
		res->n_entries++;
	}
	for (size_t j = 0; j < e->n_packages; j++)
		if (strcmp(e->packages[j], pkg) == 0)
			return 0;
	pk = realloc(e->packages, (e->n_packages + 1) * sizeof(*pk));
	if (!pk)
		return -ENOMEM;
	e->packages = pk;
	pk[e->n_packages] = strdup(pkg);
	if (!pk[e->n_packages])
		return -ENOMEM;
	e->n_packages++;
	return 0;
}

static int oi_cmp_entry(const void *a, const void *b)
{
	const struct owner_entry *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static int oi_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the owners recorded under key @k whose spelling canonicalizes to
 * @canon (hashed keys may collide: every record is checked). */
static int oi_lookup_owners(const struct owner_index *x,
			    struct aliasdb_kv_txn *txn, struct oi_key k,
			    const char *canon, struct owner_result *res)
{
	char check[ALIASDB_PATH_MAX];
	struct aliasdb_bytes v;
	const char *p, *end;
	int r = 0;

	if (aliasdb_kv_get(txn, OI_PATHS, k.data, k.len, &v) != 0)
		return 0;
	for (p = v.data, end = p + v.len; p < end && r == 0;) {
		const char *spelling = p + strlen(p) + 1;

		if (aliasdb_map_canon(x->map, spelling, check, sizeof(check)) >=
			    0 &&
		    strcmp(check, canon) == 0)
			r = oi_result_add(res, spelling, p);
		p = spelling + strlen(spelling) + 1;
	}
	return r;
}

/* Add the diversions recorded under key @k. */
static int oi_lookup_diversions(struct aliasdb_kv_txn *txn, struct oi_key k,
				struct owner_result *res)
{
	struct aliasdb_bytes v;
	const char *p, *end;

	if (aliasdb_kv_get(txn, OI_DIVS, k.data, k.len, &v) != 0)
		return 0;
	for (p = v.data, end = p + v.len; p < end;) {
		const char *to = p + strlen(p) + 1;
		const char *pkg = to + strlen(to) + 1;
		struct owner_diversion *d = realloc(
			res->diversions, (res->n_diversions + 1) * sizeof(*d));

		if (!d)
			return -ENOMEM;
		res->diversions = d;
		d += res->n_diversions++;
		d->from = strdup(p);
		d->to = strdup(to);
		d->package = strdup(pkg);
		if (!d->from || !d->to || !d->package)
			return -ENOMEM;
		p = pkg + strlen(pkg) + 1;
	}
	return 0;
}

/* Entries by path, each one's packages by name. */
static void oi_result_sort(struct owner_result *res)
{
	if (res->n_entries > 1)
		qsort(res->entries, res->n_entries, sizeof(*res->entries),
		      oi_cmp_entry);
	for (size_t i = 0; i < res->n_entries; i++)
		qsort(res->entries[i].packages, res->entries[i].n_packages,
		      sizeof(char *), oi_cmp_str);
}

int owner_index_lookup(struct owner_index *x, const char *path,
		       struct owner_result **ret_result)
{
	char canon[ALIASDB_PATH_MAX], kb[OI_KEY_MAX + 1];
	struct aliasdb_kv_txn *txn = NULL;
	struct owner_result *res;
	struct oi_key k;
	ssize_t len;
	int r;

	if (!x->map)
		return -ENOENT; /* never updated */
	len = aliasdb_map_canon(x->map, path, canon, sizeof(canon));
	if (len < 0)
		return (int)len;
	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	r = aliasdb_kv_begin(x->store, false, &txn);
	if (r < 0)
		goto out;
	k = oi_key(canon, kb);
	r = oi_lookup_owners(x, txn, k, canon, res);
	if (r == 0)
		r = oi_lookup_diversions(txn, k, res);
	if (r < 0 || (res->n_entries == 0 && res->n_diversions == 0))
		goto out;
	oi_result_sort(res);
	*ret_result = res;
	res = NULL;
	r = 1;
out:
	aliasdb_kv_abort(txn);
	owner_result_free(res);
	return r;
}
