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
 * LMDB keys are at most 511 bytes; a longer canonical path is keyed by its
 * first bytes and a hash, and lookups check every record against the
 * query (canonicalizing the listed spelling again), so a collision cannot
 * give a wrong owner.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/owner-index.h"
#include "archive/path-map.h"

#define OI_KEY_MAX 500
#define OI_KEY_PREFIX 480
#define OI_MAPSIZE ((size_t)4 << 30)
#define OI_INFO_DIR "var/lib/dpkg/info"
#define OI_DIVERSIONS "var/lib/dpkg/diversions"

struct owner_index {
	MDB_env *env;
	MDB_dbi paths, pkgpaths, lists, divs, meta;
	struct aliasdb_map *map; /* the map of the last update, for lookups */
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

static int oi_err(int rc)
{
	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	if (rc == MDB_MAP_FULL)
		return -ENOSPC;
	if (rc > 0)
		return -rc;
	return -EIO;
}

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

/* The LMDB key of canonical @path, in @buf (OI_KEY_MAX + 1 bytes). */
static MDB_val oi_key(const char *path, char *buf)
{
	size_t n = strlen(path);
	MDB_val k;

	if (n <= OI_KEY_MAX) {
		k.mv_data = (void *)path;
		k.mv_size = n;
		return k;
	}
	{
		uint64_t h = 14695981039346656037u;

		for (size_t i = 0; i < n; i++) {
			h ^= (unsigned char)path[i];
			h *= 1099511628211u;
		}
		memcpy(buf, path, OI_KEY_PREFIX);
		k.mv_size = OI_KEY_PREFIX +
			    (size_t)snprintf(buf + OI_KEY_PREFIX,
					     OI_KEY_MAX + 1 - OI_KEY_PREFIX,
					     "#%016llx", (unsigned long long)h);
		k.mv_data = buf;
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

int owner_index_open(const char *dir, int create,
		     struct owner_index **ret_index, struct archive_diag *diag)
{
	struct owner_index *x;
	MDB_txn *txn = NULL;
	MDB_val key = {3, (void *)"map"}, val;
	unsigned dbflags = create ? MDB_CREATE : 0;
	int rc, r;

	if (create) {
		/* mkdir -p: the index lives two levels below the alias
		 * database's parent. */
		char tmp[ALIASDB_PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s", dir);
		for (char *s = strchr(tmp + 1, '/'); s;
		     s = strchr(s + 1, '/')) {
			*s = '\0';
			mkdir(tmp, 0755);
			*s = '/';
		}
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
			r = -errno;
			archive_diag_set(diag, "%s: %s", dir, strerror(errno));
			return r;
		}
	} else if (access(dir, F_OK) < 0) {
		r = -errno;
		archive_diag_set(diag, "%s: %s", dir, strerror(errno));
		return r;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	rc = mdb_env_create(&x->env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(x->env, 8);
	if (rc == 0)
		rc = mdb_env_set_mapsize(x->env, OI_MAPSIZE);
	if (rc == 0)
		rc = mdb_env_open(x->env, dir, create ? 0 : MDB_RDONLY, 0644);
	if (rc == 0)
		rc = mdb_txn_begin(x->env, NULL, create ? 0 : MDB_RDONLY, &txn);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "paths", dbflags, &x->paths);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "pkgpaths", dbflags, &x->pkgpaths);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "lists", dbflags, &x->lists);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "divs", dbflags, &x->divs);
	if (rc == 0)
		rc = mdb_dbi_open(txn, "meta", dbflags, &x->meta);
	if (rc == 0) {
		int g = mdb_get(txn, x->meta, &key, &val);

		if (g == 0)
			rc = oi_map_from_blob(val.mv_data, val.mv_size,
					      &x->map) < 0
				     ? MDB_CORRUPTED
				     : 0;
		else if (g != MDB_NOTFOUND)
			rc = g;
	}
	if (rc == 0)
		rc = mdb_txn_commit(txn);
	else if (txn)
		mdb_txn_abort(txn);
	if (rc != 0) {
		archive_diag_set(diag, "%s: %s", dir, mdb_strerror(rc));
		owner_index_close(x);
		return rc == MDB_NOTFOUND ? -ENOENT : oi_err(rc);
	}
	*ret_index = x;
	return 0;
}

void owner_index_close(struct owner_index *x)
{
	if (!x)
		return;
	if (x->env)
		mdb_env_close(x->env);
	aliasdb_map_free(x->map);
	free(x);
}

/* Take package @pkg's records out of every path it listed. */
static int oi_remove_package(struct owner_index *x, MDB_txn *txn,
			     const char *pkg)
{
	MDB_val pk = {strlen(pkg), (void *)pkg}, pv;
	struct oi_buf keep = {0};
	char *list;
	int rc;

	rc = mdb_get(txn, x->pkgpaths, &pk, &pv);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return oi_err(rc);
	/* The value lives in the map, which the writes below may move. */
	list = malloc(pv.mv_size);
	if (!list)
		return -ENOMEM;
	memcpy(list, pv.mv_data, pv.mv_size);
	for (const char *c = list; c < list + pv.mv_size; c += strlen(c) + 1) {
		char kb[OI_KEY_MAX + 1];
		MDB_val k = oi_key(c, kb), v;
		const char *p, *end;

		if (mdb_get(txn, x->paths, &k, &v) != 0)
			continue;
		keep.len = 0;
		p = v.mv_data;
		end = p + v.mv_size;
		while (p < end) {
			const char *spelling = p + strlen(p) + 1;
			const char *next = spelling + strlen(spelling) + 1;

			if (strcmp(p, pkg) != 0 &&
			    oi_buf_add(&keep, p, (size_t)(next - p)) < 0) {
				rc = -ENOMEM;
				goto out;
			}
			p = next;
		}
		if (keep.len) {
			MDB_val nv = {keep.len, keep.data};

			rc = mdb_put(txn, x->paths, &k, &nv, 0);
		} else {
			rc = mdb_del(txn, x->paths, &k, NULL);
		}
		if (rc) {
			rc = oi_err(rc);
			goto out;
		}
	}
	rc = mdb_del(txn, x->pkgpaths, &pk, NULL);
	rc = rc ? oi_err(rc) : 0;
out:
	free(keep.data);
	free(list);
	return rc;
}

/* Append record "pkg\0spelling\0" to the owners of @canon. */
static int oi_add_owner(struct owner_index *x, MDB_txn *txn, const char *canon,
			const char *pkg, const char *spelling,
			struct oi_buf *tmp)
{
	char kb[OI_KEY_MAX + 1];
	MDB_val k = oi_key(canon, kb), v, nv;
	int rc;

	tmp->len = 0;
	rc = mdb_get(txn, x->paths, &k, &v);
	if (rc == 0 && oi_buf_add(tmp, v.mv_data, v.mv_size) < 0)
		return -ENOMEM;
	if (rc && rc != MDB_NOTFOUND)
		return oi_err(rc);
	if (oi_buf_add2(tmp, pkg, spelling) < 0)
		return -ENOMEM;
	nv.mv_size = tmp->len;
	nv.mv_data = tmp->data;
	rc = mdb_put(txn, x->paths, &k, &nv, 0);
	return rc ? oi_err(rc) : 0;
}

/* Read list @file of package @pkg into the index. */
static int oi_read_list(struct owner_index *x, MDB_txn *txn, int infofd,
			const char *file, const char *pkg,
			const struct aliasdb_map *map, size_t *paths,
			struct archive_diag *diag)
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
		archive_diag_set(diag, "%s/%s: %s", OI_INFO_DIR, file,
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
		r = oi_add_owner(x, txn, canon, pkg, line, &tmp);
		if (r == 0)
			r = oi_buf_add(&mine, canon, strlen(canon) + 1);
		if (r < 0) {
			archive_diag_set(diag, "%s/%s: %s", OI_INFO_DIR, file,
					 strerror(-r));
			break;
		}
		(*paths)++;
	}
	if (r == 0 && ferror(f)) {
		r = -EIO;
		archive_diag_set(diag, "%s/%s: read error", OI_INFO_DIR, file);
	}
	fclose(f);
	free(line);
	if (r == 0 && mine.len) {
		MDB_val k = {strlen(pkg), (void *)pkg},
			v = {mine.len, mine.data};
		int rc = mdb_put(txn, x->pkgpaths, &k, &v, 0);

		r = rc ? oi_err(rc) : 0;
	}
	free(mine.data);
	free(tmp.data);
	return r;
}

/* Rebuild the diversions from ROOT/var/lib/dpkg/diversions (small). */
static int oi_read_diversions(struct owner_index *x, MDB_txn *txn, int rootfd,
			      const struct aliasdb_map *map)
{
	char *l[3] = {NULL, NULL, NULL};
	size_t cap[3] = {0, 0, 0};
	struct oi_buf rec = {0}, tmp = {0};
	FILE *f;
	int fd, rc, r = 0;

	rc = mdb_drop(txn, x->divs, 0);
	if (rc)
		return oi_err(rc);
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
		/* Both ends: `owner` of either names the diversion. */
		for (i = 0; i < 2 && r == 0; i++) {
			char canon[ALIASDB_PATH_MAX], kb[OI_KEY_MAX + 1];
			MDB_val k, v, nv;

			if (aliasdb_map_canon(map, l[i], canon, sizeof(canon)) <
			    0)
				continue;
			k = oi_key(canon, kb);
			tmp.len = 0;
			if (mdb_get(txn, x->divs, &k, &v) == 0 &&
			    oi_buf_add(&tmp, v.mv_data, v.mv_size) < 0)
				r = -ENOMEM;
			if (r == 0 && oi_buf_add(&tmp, rec.data, rec.len) < 0)
				r = -ENOMEM;
			nv.mv_size = tmp.len;
			nv.mv_data = tmp.data;
			if (r == 0 && (rc = mdb_put(txn, x->divs, &k, &nv, 0)))
				r = oi_err(rc);
		}
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

static int oi_drop_missing(struct owner_index *x, MDB_txn *txn,
			   const struct path_map *present, size_t *dropped)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, r = 0;

	rc = mdb_cursor_open(txn, x->lists, &cur);
	if (rc)
		return oi_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		char name[NAME_MAX + 1];
		uint32_t dummy;

		if (k.mv_size > NAME_MAX || k.mv_size <= 5)
			continue;
		memcpy(name, k.mv_data, k.mv_size);
		name[k.mv_size] = '\0';
		if (path_map_get(present, name, &dummy))
			continue;
		name[k.mv_size - 5] = '\0';
		r = oi_remove_package(x, txn, name);
		if (r == 0 && (rc = mdb_cursor_del(cur, 0)))
			r = oi_err(rc);
		if (r < 0)
			break;
		(*dropped)++;
	}
	mdb_cursor_close(cur);
	return r;
}

int owner_index_update(struct owner_index *x, const char *root,
		       const struct aliasdb_map *map,
		       struct owner_index_stats *ret_stats,
		       struct archive_diag *diag)
{
	struct owner_index_stats st = {0};
	struct oi_buf blob = {0};
	struct dirent **names = NULL;
	struct path_map *present = NULL;
	struct aliasdb_map *newmap = NULL;
	MDB_txn *txn = NULL;
	MDB_val mk = {3, (void *)"map"}, mv;
	char dir[ALIASDB_PATH_MAX];
	int rootfd = -1, infofd = -1, n = 0, rc, r;

	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0)
		infofd = openat(rootfd, OI_INFO_DIR,
				O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (infofd < 0) {
		r = -errno;
		archive_diag_set(diag, "%s: no dpkg database (%s)", root,
				 strerror(errno));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/%s", root, OI_INFO_DIR);
	n = scandir(dir, &names, oi_filter_list, alphasort);
	if (n < 0) {
		r = -errno;
		n = 0;
		archive_diag_set(diag, "%s: %s", dir, strerror(-r));
		goto out;
	}
	r = oi_map_blob(map, &blob);
	if (r == 0)
		r = oi_map_from_blob(blob.data, blob.len, &newmap);
	if (r == 0)
		r = path_map_new(&present);
	if (r < 0)
		goto out;
	rc = mdb_txn_begin(x->env, NULL, 0, &txn);
	if (rc) {
		r = oi_err(rc);
		archive_diag_set(diag, "index: %s", mdb_strerror(rc));
		goto out;
	}
	/* Another alias map means other canonical paths: start over. */
	rc = mdb_get(txn, x->meta, &mk, &mv);
	if (rc || mv.mv_size != blob.len ||
	    memcmp(mv.mv_data, blob.data, blob.len) != 0) {
		mv.mv_size = blob.len;
		mv.mv_data = blob.data;
		if ((rc = mdb_drop(txn, x->paths, 0)) ||
		    (rc = mdb_drop(txn, x->pkgpaths, 0)) ||
		    (rc = mdb_drop(txn, x->lists, 0)) ||
		    (rc = mdb_put(txn, x->meta, &mk, &mv, 0))) {
			r = oi_err(rc);
			archive_diag_set(diag, "index: %s", mdb_strerror(rc));
			goto out;
		}
		st.rebuilt = 1;
	}
	for (int i = 0; i < n; i++) {
		const char *file = names[i]->d_name;
		struct oi_stamp stamp = {0};
		struct stat s;
		MDB_val k = {strlen(file), (void *)file}, v;
		char pkg[NAME_MAX + 1];

		if (fstatat(infofd, file, &s, 0) < 0) {
			r = -errno;
			archive_diag_set(diag, "%s/%s: %s", dir, file,
					 strerror(errno));
			goto out;
		}
		stamp.ino = s.st_ino;
		stamp.size = (uint64_t)s.st_size;
		stamp.mtime_sec = s.st_mtim.tv_sec;
		stamp.mtime_nsec = s.st_mtim.tv_nsec;
		if (path_map_put(present, file, 1) < 0) {
			r = -ENOMEM;
			goto out;
		}
		rc = mdb_get(txn, x->lists, &k, &v);
		if (rc == 0 && v.mv_size == sizeof(stamp) &&
		    memcmp(v.mv_data, &stamp, sizeof(stamp)) == 0) {
			st.lists_kept++;
			continue;
		}
		snprintf(pkg, sizeof(pkg), "%.*s", (int)(strlen(file) - 5),
			 file);
		if (rc == 0)
			r = oi_remove_package(x, txn, pkg);
		if (r == 0)
			r = oi_read_list(x, txn, infofd, file, pkg, map,
					 &st.paths, diag);
		v.mv_size = sizeof(stamp);
		v.mv_data = &stamp;
		if (r == 0 && (rc = mdb_put(txn, x->lists, &k, &v, 0)))
			r = oi_err(rc);
		if (r < 0)
			goto out;
		st.lists_read++;
	}
	r = oi_drop_missing(x, txn, present, &st.lists_dropped);
	if (r == 0)
		r = oi_read_diversions(x, txn, rootfd, map);
	if (r < 0) {
		archive_diag_set(diag, "index: %s", strerror(-r));
		goto out;
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc) {
		r = oi_err(rc);
		archive_diag_set(diag, "index: %s", mdb_strerror(rc));
		goto out;
	}
	aliasdb_map_free(x->map);
	x->map = newmap;
	newmap = NULL;
	if (ret_stats)
		*ret_stats = st;
out:
	if (txn)
		mdb_txn_abort(txn);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	path_map_free(present);
	aliasdb_map_free(newmap);
	free(blob.data);
	if (infofd >= 0)
		close(infofd);
	if (rootfd >= 0)
		close(rootfd);
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

int owner_index_lookup(struct owner_index *x, const char *path,
		       struct owner_result **ret_result)
{
	char canon[ALIASDB_PATH_MAX], check[ALIASDB_PATH_MAX];
	char kb[OI_KEY_MAX + 1];
	struct owner_result *res;
	MDB_txn *txn;
	MDB_val k, v;
	ssize_t len;
	int rc, r = 0;

	if (!x->map)
		return -ENOENT; /* never updated */
	len = aliasdb_map_canon(x->map, path, canon, sizeof(canon));
	if (len < 0)
		return (int)len;
	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	rc = mdb_txn_begin(x->env, NULL, MDB_RDONLY, &txn);
	if (rc) {
		free(res);
		return oi_err(rc);
	}
	k = oi_key(canon, kb);
	if (mdb_get(txn, x->paths, &k, &v) == 0) {
		const char *p = v.mv_data, *end = p + v.mv_size;

		while (p < end && r == 0) {
			const char *spelling = p + strlen(p) + 1;

			/* Hashed keys may collide: check the record. */
			if (aliasdb_map_canon(x->map, spelling, check,
					      sizeof(check)) >= 0 &&
			    strcmp(check, canon) == 0)
				r = oi_result_add(res, spelling, p);
			p = spelling + strlen(spelling) + 1;
		}
	}
	if (r == 0 && mdb_get(txn, x->divs, &k, &v) == 0) {
		const char *p = v.mv_data, *end = p + v.mv_size;

		while (p < end && r == 0) {
			const char *to = p + strlen(p) + 1;
			const char *pkg = to + strlen(to) + 1;
			struct owner_diversion *d =
				realloc(res->diversions,
					(res->n_diversions + 1) * sizeof(*d));

			if (!d) {
				r = -ENOMEM;
				break;
			}
			res->diversions = d;
			d += res->n_diversions++;
			d->from = strdup(p);
			d->to = strdup(to);
			d->package = strdup(pkg);
			if (!d->from || !d->to || !d->package)
				r = -ENOMEM;
			p = pkg + strlen(pkg) + 1;
		}
	}
	mdb_txn_abort(txn);
	if (r < 0) {
		owner_result_free(res);
		return r;
	}
	if (res->n_entries == 0 && res->n_diversions == 0) {
		owner_result_free(res);
		return 0;
	}
	if (res->n_entries > 1)
		qsort(res->entries, res->n_entries, sizeof(*res->entries),
		      oi_cmp_entry);
	for (size_t i = 0; i < res->n_entries; i++)
		qsort(res->entries[i].packages, res->entries[i].n_packages,
		      sizeof(char *), oi_cmp_str);
	*ret_result = res;
	return 1;
}
