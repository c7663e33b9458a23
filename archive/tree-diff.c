/*
 * Tree comparison (see tree-diff.h). Each tree is walked once into an
 * array of entries keyed by canonical path; both arrays are sorted and
 * joined. Whether two entries hold the same content is decided by
 * aliasdb_entries_same(), the rule the view and convert use; this file
 * only describes what differs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/tree-diff.h"

struct td_entry {
	char *cpath;	    /* canonical path, absolute */
	char *lpath;	    /* path in the tree, relative; NULL: cpath + 1 */
	char *xattrs;	    /* "name=value, ..." sorted; NULL: none */
	const char *leader; /* hard-link group's first cpath; NULL: none */
	const char *group;  /* the group's paths, for the report */
	int report_kind;    /* the item that lists this subtree, or -1 */
	size_t report_index;
	uint64_t dev, ino, rdev;
	int64_t size;
	struct timespec mtime;
	uint32_t mode, uid, gid, nlink;
	bool canonical_spelling; /* found at its canonical path */
	bool dropped;		 /* a second spelling, merged away */
};

struct td_tree {
	const struct aliasdb_map *map;
	struct td_entry *e;
	size_t n, cap;
	int root_fd;
	dev_t root_dev;
	int side; /* 0: A, 1: B */
	/* the last parent directory opened for content, by relative path */
	char *parent_path;
	int parent_fd;
	char **groups; /* hard-link groups as text, owned here */
	size_t n_groups;
};

/* An item while the run goes on: @below counts the entries of A and B
 * under an only-one-side or type-changed directory, which are folded into
 * the item. */
struct td_pending {
	struct tree_diff_item item;
	size_t below[2];
};

struct td_list {
	struct td_pending *p;
	size_t n, cap;
};

struct tree_diff {
	struct tree_diff_options opts;
	struct td_tree t[2];
	struct td_list lists[TREE_DIFF_KINDS];
	struct tree_diff_item *items;
	size_t n_items;
	uint64_t entries, bytes;
	void (*progress)(void *ctx, uint64_t entries, uint64_t bytes);
	void *progress_ctx;
	char *err_path;
	int err_side;
};

static const char *const td_kind_names[TREE_DIFF_KINDS] = {
	[TREE_DIFF_ONLY_A] = "only-a",
	[TREE_DIFF_ONLY_B] = "only-b",
	[TREE_DIFF_TYPE] = "type",
	[TREE_DIFF_MODE] = "mode",
	[TREE_DIFF_OWNER] = "owner",
	[TREE_DIFF_GROUP] = "group",
	[TREE_DIFF_TARGET] = "target",
	[TREE_DIFF_CONTENT] = "content",
	[TREE_DIFF_DEVICE] = "device",
	[TREE_DIFF_HARDLINK] = "hardlink",
	[TREE_DIFF_XATTR] = "xattr",
	[TREE_DIFF_MTIME] = "mtime",
	[TREE_DIFF_SHADOWED_A] = "shadowed-a",
	[TREE_DIFF_SHADOWED_B] = "shadowed-b",
};

const char *tree_diff_kind_name(enum tree_diff_kind kind)
{
	return (unsigned)kind < TREE_DIFF_KINDS ? td_kind_names[kind] : "?";
}

static const char *td_lpath(const struct td_entry *e)
{
	return e->lpath ? e->lpath : e->cpath + 1;
}

static char *td_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *td_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* Remember where the run failed; returns @err. */
static int td_fail(struct tree_diff *td, int side, const char *lpath, int err)
{
	if (!td->err_path) {
		td->err_path = strdup(lpath);
		td->err_side = side;
	}
	return err;
}

static void td_tick(struct tree_diff *td, uint64_t entries, uint64_t bytes)
{
	td->entries += entries;
	td->bytes += bytes;
	if (td->progress && (td->entries % 1024 == 0 || bytes))
		td->progress(td->progress_ctx, td->entries, td->bytes);
}

/* ---- Walking one tree ---------------------------------------------------- */

static bool td_excluded(const struct tree_diff *td, const char *cpath,
			const char *name)
{
	for (size_t i = 0; i < td->opts.n_exclude; i++) {
		const char *pat = td->opts.exclude[i];

		if (fnmatch(pat, strchr(pat, '/') ? cpath : name, 0) == 0)
			return true;
	}
	return false;
}

static int td_name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append one "name=value" to @out: printable values quoted, others hex. */
static int td_xattr_append(char **out, const char *name, const char *val,
			   size_t len)
{
	bool text = len > 0;
	size_t need = strlen(name) + 2 * len + 8;
	size_t have = *out ? strlen(*out) : 0;
	char *s, *p;

	for (size_t i = 0; i < len; i++)
		if (val[i] < 0x20 || val[i] > 0x7e || val[i] == '"' ||
		    val[i] == '\\')
			text = false;
	s = realloc(*out, have + need);
	if (!s)
		return -ENOMEM;
	*out = s;
	p = s + have;
	if (have) {
		memcpy(p, ", ", 2);
		p += 2;
	}
	p += sprintf(p, "%s=", name);
	if (text) {
		p += sprintf(p, "\"%.*s\"", (int)len, val);
	} else {
		p += sprintf(p, "0x");
		for (size_t i = 0; i < len; i++)
			p += sprintf(p, "%02x", (unsigned char)val[i]);
	}
	return 0;
}

/*
 * The extended attributes of @name in directory @dfd (NULL @name: of @dfd
 * itself) as one sorted string, NULL when there are none or the file
 * system has none.
 */
static int td_read_xattrs(int dfd, const char *name, char **ret)
{
	char path[64 + ALIASDB_PATH_MAX];
	char *list = NULL, *val = NULL, **names = NULL, *out = NULL;
	ssize_t len, vlen;
	size_t n = 0;
	int r = 0;

	if (name)
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dfd, name);
	for (int tries = 0;; tries++) {
		len = name ? llistxattr(path, NULL, 0)
			   : flistxattr(dfd, NULL, 0);
		if (len <= 0)
			break;
		free(list);
		list = malloc((size_t)len);
		if (!list)
			return -ENOMEM;
		len = name ? llistxattr(path, list, (size_t)len)
			   : flistxattr(dfd, list, (size_t)len);
		if (len >= 0 || errno != ERANGE || tries > 3)
			break;
	}
	if (len < 0) {
		r = errno == ENOTSUP || errno == ENODATA ? 0 : -errno;
		goto out;
	}
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(list + i) + 1)
		n++;
	names = calloc(n ? n : 1, sizeof(*names));
	if (!names) {
		r = -ENOMEM;
		goto out;
	}
	n = 0;
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(list + i) + 1)
		names[n++] = list + i;
	qsort(names, n, sizeof(*names), td_name_order);
	for (size_t i = 0; i < n && r == 0; i++) {
		vlen = name ? lgetxattr(path, names[i], NULL, 0)
			    : fgetxattr(dfd, names[i], NULL, 0);
		if (vlen < 0) {
			if (errno == ENODATA)
				continue; /* removed meanwhile */
			r = -errno;
			break;
		}
		free(val);
		val = malloc((size_t)vlen + 1);
		if (!val) {
			r = -ENOMEM;
			break;
		}
		vlen = name ? lgetxattr(path, names[i], val, (size_t)vlen)
			    : fgetxattr(dfd, names[i], val, (size_t)vlen);
		if (vlen < 0) {
			r = errno == ENODATA ? 0 : -errno;
			continue;
		}
		r = td_xattr_append(&out, names[i], val, (size_t)vlen);
	}
out:
	free(names);
	free(list);
	free(val);
	if (r < 0) {
		free(out);
		return r;
	}
	*ret = out;
	return 0;
}

static int td_add(struct td_tree *t, const char *cpath, const char *lpath,
		  const struct stat *st, bool canonical, char *xattrs)
{
	struct td_entry *e;

	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024;

		e = realloc(t->e, ncap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = ncap;
	}
	e = &t->e[t->n];
	memset(e, 0, sizeof(*e));
	e->cpath = strdup(cpath);
	if (e->cpath && strcmp(cpath + 1, lpath) != 0)
		e->lpath = strdup(lpath);
	if (!e->cpath || (strcmp(cpath + 1, lpath) != 0 && !e->lpath)) {
		free(e->cpath);
		free(e->lpath);
		return -ENOMEM;
	}
	e->xattrs = xattrs;
	e->report_kind = -1;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->rdev = st->st_rdev;
	e->size = st->st_size;
	e->mtime = st->st_mtim;
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->nlink = (uint32_t)st->st_nlink;
	e->canonical_spelling = canonical;
	t->n++;
	return 0;
}

/*
 * The key of the entry at absolute @abs: its canonical path, except for an
 * entry exactly at an alias path, which keeps its own (*ret_alias_target
 * then gets the alias's canonical path).
 */
static int td_key(const struct td_tree *t, const char *abs, char *buf,
		  size_t size, const char **ret_alias_target)
{
	ssize_t len;
	int i;

	*ret_alias_target = NULL;
	if (!t->map) {
		len = (ssize_t)strlen(abs);
		if ((size_t)len >= size)
			return -ENAMETOOLONG;
		memcpy(buf, abs, (size_t)len + 1);
		return 0;
	}
	i = aliasdb_map_find_alias(t->map, abs);
	if (i >= 0 && strcmp(aliasdb_map_alias(t->map, (size_t)i), abs) == 0) {
		*ret_alias_target = aliasdb_map_canonical(t->map, (size_t)i);
		len = (ssize_t)strlen(abs);
		if ((size_t)len >= size)
			return -ENAMETOOLONG;
		memcpy(buf, abs, (size_t)len + 1);
		return 0;
	}
	len = aliasdb_map_canon(t->map, abs, buf, size);
	return len < 0 ? (int)len : 0;
}

/*
 * Record the entry @name of directory @dfd (@child: its path relative to
 * the root, @abs: "/" + @child). Returns 1 when its subtree is to be
 * walked, 0 when not, -errno.
 */
static int td_record(struct tree_diff *td, struct td_tree *t, int dfd,
		     const char *name, const char *child, const char *abs,
		     const struct stat *st)
{
	char key[ALIASDB_PATH_MAX];
	const char *alias_target;
	char *xattrs = NULL, *copy = NULL;
	bool self, fallback, dir = S_ISDIR(st->st_mode);
	int r;

	r = td_key(t, abs, key, sizeof(key), &alias_target);
	if (r < 0)
		return r;
	self = !td_excluded(td, key, name);
	/* A real directory at an alias path stands for the canonical
	 * directory too when the tree has no such directory (the view shows
	 * it then): a second entry, dropped if the tree has one. Below it
	 * the keys are canonical paths of their own, so excluding the alias
	 * directory skips only its entry. */
	fallback =
		alias_target && dir &&
		!td_excluded(td, alias_target, strrchr(alias_target, '/') + 1);
	if (!self && !fallback)
		return alias_target && dir && st->st_dev == t->root_dev;
	if (!(td->opts.flags & TREE_DIFF_NO_XATTRS)) {
		r = td_read_xattrs(dfd, name, &xattrs);
		if (r < 0)
			return r;
	}
	if (self && fallback && xattrs && !(copy = strdup(xattrs))) {
		free(xattrs);
		return -ENOMEM;
	}
	if (self) {
		r = td_add(t, key, child, st, strcmp(key, abs) == 0, xattrs);
		if (r < 0) {
			free(xattrs);
			free(copy);
			return r;
		}
		xattrs = copy;
	}
	if (fallback) {
		r = td_add(t, alias_target, child, st, false, xattrs);
		if (r < 0) {
			free(xattrs);
			return r;
		}
	}
	td_tick(td, 1, 0);
	return dir && st->st_dev == t->root_dev;
}

static int td_walk_dir(struct tree_diff *td, struct td_tree *t, int dfd,
		       const char *lpath)
{
	char abs[ALIASDB_PATH_MAX + 1];
	struct dirent *de;
	DIR *dir;
	int fd, r = 0;

	fd = dup(dfd);
	if (fd < 0)
		return td_fail(td, t->side, lpath, -errno);
	dir = fdopendir(fd);
	if (!dir) {
		r = -errno;
		close(fd);
		return td_fail(td, t->side, lpath, r);
	}
	while (r == 0) {
		struct stat st;
		int n, cfd;

		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno)
				r = td_fail(td, t->side, lpath, -errno);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* abs is "/" + the path relative to the root */
		n = snprintf(abs, sizeof(abs), "%s%s/%s", *lpath ? "/" : "",
			     lpath, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(abs)) {
			r = td_fail(td, t->side, lpath, -ENAMETOOLONG);
			break;
		}
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* gone meanwhile */
			r = td_fail(td, t->side, abs + 1, -errno);
			break;
		}
		r = td_record(td, t, dfd, de->d_name, abs + 1, abs, &st);
		if (r < 0) {
			r = td_fail(td, t->side, abs + 1, r);
			break;
		}
		if (r == 0)
			continue;
		cfd = openat(dfd, de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0) {
			r = td_fail(td, t->side, abs + 1, -errno);
			break;
		}
		r = td_walk_dir(td, t, cfd, abs + 1);
		close(cfd);
	}
	closedir(dir);
	return r;
}

static int td_walk(struct tree_diff *td, struct td_tree *t)
{
	char *xattrs = NULL;
	struct stat st;
	int r;

	if (fstat(t->root_fd, &st) < 0)
		return td_fail(td, t->side, "", -errno);
	if (!S_ISDIR(st.st_mode))
		return td_fail(td, t->side, "", -ENOTDIR);
	t->root_dev = st.st_dev;
	if (!(td->opts.flags & TREE_DIFF_NO_XATTRS)) {
		r = td_read_xattrs(t->root_fd, NULL, &xattrs);
		if (r < 0)
			return td_fail(td, t->side, "", r);
	}
	r = td_add(t, "/", "", &st, true, xattrs);
	if (r < 0) {
		free(xattrs);
		return td_fail(td, t->side, "", r);
	}
	return td_walk_dir(td, t, t->root_fd, "");
}

/* ---- Opening entries for content ----------------------------------------- */

/* An O_PATH descriptor of the directory holding @e, never following a
 * symlink on the way (*ret_name: the last component). Cached: do not
 * close. */
static int td_parent(struct tree_diff *td, struct td_tree *t,
		     const struct td_entry *e, const char **ret_name)
{
	const char *lp = td_lpath(e), *slash = strrchr(lp, '/');
	size_t dlen = slash ? (size_t)(slash - lp) : 0;
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	char *dir;
	long fd;

	*ret_name = slash ? slash + 1 : lp;
	if (dlen == 0)
		return t->root_fd;
	if (t->parent_path && strlen(t->parent_path) == dlen &&
	    memcmp(t->parent_path, lp, dlen) == 0)
		return t->parent_fd;
	dir = strndup(lp, dlen);
	if (!dir)
		return -ENOMEM;
	fd = syscall(SYS_openat2, t->root_fd, dir, &how, sizeof(how));
	if (fd < 0) {
		int r = -errno;

		free(dir);
		return td_fail(td, t->side, lp, r);
	}
	if (t->parent_fd >= 0)
		close(t->parent_fd);
	free(t->parent_path);
	t->parent_path = dir;
	t->parent_fd = (int)fd;
	return (int)fd;
}

static void td_stat_of(const struct td_entry *e, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = e->dev;
	st->st_ino = e->ino;
	st->st_rdev = e->rdev;
	st->st_size = e->size;
	st->st_mode = e->mode;
	st->st_uid = e->uid;
	st->st_gid = e->gid;
	st->st_nlink = e->nlink;
	st->st_mtim = e->mtime;
}

/* Do @a (tree @ta) and @b (tree @tb) hold the same content? 1, 0, -errno. */
static int td_same(struct tree_diff *td, struct td_tree *ta,
		   const struct td_entry *a, struct td_tree *tb,
		   const struct td_entry *b)
{
	const char *na, *nb;
	struct stat sa, sb;
	int fa, fb;

	/* Two lookups in one tree may share the one cached parent: take A's
	 * descriptor first, and B's from a tree of its own when both are the
	 * same tree (shadowing within a tree). */
	fa = td_parent(td, ta, a, &na);
	if (fa < 0)
		return fa;
	if (ta == tb) {
		const char *lp = td_lpath(b), *slash = strrchr(lp, '/');
		struct open_how how = {
			.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
				   RESOLVE_NO_MAGICLINKS,
		};
		char *dir =
			slash ? strndup(lp, (size_t)(slash - lp)) : strdup(".");
		long fd;
		int r;

		if (!dir)
			return -ENOMEM;
		fd = syscall(SYS_openat2, tb->root_fd, dir, &how, sizeof(how));
		free(dir);
		if (fd < 0)
			return td_fail(td, tb->side, lp, -errno);
		td_stat_of(a, &sa);
		td_stat_of(b, &sb);
		r = aliasdb_entries_same(fa, na, &sa, (int)fd,
					 slash ? slash + 1 : lp, &sb, 0);
		close((int)fd);
		return r;
	}
	fb = td_parent(td, tb, b, &nb);
	if (fb < 0)
		return fb;
	td_stat_of(a, &sa);
	td_stat_of(b, &sb);
	if (S_ISREG(a->mode))
		td_tick(td, 0, (uint64_t)(a->size + b->size));
	return aliasdb_entries_same(fa, na, &sa, fb, nb, &sb, 0);
}

/* "sha256:HEX, N bytes" of regular file @e. */
static int td_sha256(struct tree_diff *td, struct td_tree *t,
		     const struct td_entry *e, char **ret)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	struct sha256_ctx ctx;
	char buf[1 << 16];
	const char *name;
	int pfd, fd;
	ssize_t n;
	int64_t total = 0;

	pfd = td_parent(td, t, e, &name);
	if (pfd < 0)
		return pfd;
	fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return td_fail(td, t->side, td_lpath(e), -errno);
	sha256_init(&ctx);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		sha256_update(&ctx, (size_t)n, (const uint8_t *)buf);
		total += n;
	}
	if (n < 0) {
		int r = -errno;

		close(fd);
		return td_fail(td, t->side, td_lpath(e), r);
	}
	close(fd);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++)
		sprintf(hex + 2 * i, "%02x", digest[i]);
	*ret = td_printf("sha256:%s, %" PRId64 " bytes", hex, total);
	return *ret ? 0 : -ENOMEM;
}

static int td_readlink(struct tree_diff *td, struct td_tree *t,
		       const struct td_entry *e, char **ret)
{
	char buf[ALIASDB_PATH_MAX];
	const char *name;
	ssize_t n;
	int pfd;

	pfd = td_parent(td, t, e, &name);
	if (pfd < 0)
		return pfd;
	n = readlinkat(pfd, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return td_fail(td, t->side, td_lpath(e), -errno);
	buf[n] = '\0';
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

/* ---- One tree's entries: order, second spellings, hard links ---------- */

static int td_entry_order(const void *a, const void *b)
{
	const struct td_entry *x = a, *y = b;
	int c = strcmp(x->cpath, y->cpath);

	/* The canonical spelling first: it is the one kept. */
	if (c == 0)
		c = (int)y->canonical_spelling - (int)x->canonical_spelling;
	return c;
}

static int td_add_item(struct tree_diff *td, enum tree_diff_kind kind,
		       const char *path, char *a, char *b, size_t *ret_index)
{
	struct td_list *l = &td->lists[kind];
	struct td_pending *p;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;

		p = realloc(l->p, ncap * sizeof(*p));
		if (!p) {
			free(a);
			free(b);
			return -ENOMEM;
		}
		l->p = p;
		l->cap = ncap;
	}
	p = &l->p[l->n];
	p->item.kind = kind;
	p->item.path = strdup(path);
	p->item.a = a;
	p->item.b = b;
	p->below[0] = p->below[1] = 0;
	if (!p->item.path) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	if (ret_index)
		*ret_index = l->n;
	l->n++;
	return 0;
}

/* Merge the spellings of one canonical path within tree @t: identical
 * ones are one entry, differing ones report the shadowed spelling. */
static int td_merge_spellings(struct tree_diff *td, struct td_tree *t)
{
	enum tree_diff_kind kind =
		t->side == 0 ? TREE_DIFF_SHADOWED_A : TREE_DIFF_SHADOWED_B;
	size_t i, j, out = 0;
	int r;

	qsort(t->e, t->n, sizeof(*t->e), td_entry_order);
	for (i = 0; i < t->n; i = j) {
		struct td_entry *keep = &t->e[i];

		for (j = i + 1;
		     j < t->n && strcmp(t->e[j].cpath, keep->cpath) == 0; j++) {
			struct td_entry *o = &t->e[j];

			o->dropped = true;
			if (S_ISDIR(keep->mode) && S_ISDIR(o->mode))
				continue; /* directories are merged */
			r = td_same(td, t, keep, t, o);
			if (r < 0)
				return r;
			if (r == 0) {
				char *a = td_printf("/%s", td_lpath(o));

				if (!a)
					return -ENOMEM;
				r = td_add_item(td, kind, keep->cpath,
						t->side == 0 ? a : NULL,
						t->side == 0 ? NULL : a, NULL);
				if (r < 0)
					return r;
			}
		}
	}
	for (i = 0; i < t->n; i++) {
		if (t->e[i].dropped) {
			free(t->e[i].cpath);
			free(t->e[i].lpath);
			free(t->e[i].xattrs);
			continue;
		}
		t->e[out++] = t->e[i];
	}
	t->n = out;
	return 0;
}

static int td_inode_order(const void *a, const void *b)
{
	const struct td_entry *x = *(struct td_entry *const *)a;
	const struct td_entry *y = *(struct td_entry *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->cpath, y->cpath);
}

/* "/a, /b, /c" for @n group members (at most four shown). */
static char *td_group_text(struct td_entry **v, size_t n)
{
	size_t len = 32, shown = n > 4 ? 4 : n;
	char *s, *p;

	for (size_t k = 0; k < shown; k++)
		len += strlen(v[k]->cpath) + 2;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (size_t k = 0; k < shown; k++)
		p += sprintf(p, "%s%s", k ? ", " : "", v[k]->cpath);
	if (n > shown)
		sprintf(p, " and %zu more", n - shown);
	return s;
}

/* Give each member of a hard-link group (two or more entries of one inode
 * in the tree) the group's first path, and its list for the report. */
static int td_link_groups(struct td_tree *t)
{
	struct td_entry **v;
	size_t n = 0, i, j;
	int r = 0;

	for (i = 0; i < t->n; i++)
		if (!S_ISDIR(t->e[i].mode) && t->e[i].nlink > 1)
			n++;
	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < t->n; i++)
		if (!S_ISDIR(t->e[i].mode) && t->e[i].nlink > 1)
			v[n++] = &t->e[i];
	qsort(v, n, sizeof(*v), td_inode_order);
	for (i = 0; i < n; i = j) {
		for (j = i + 1;
		     j < n && v[j]->dev == v[i]->dev && v[j]->ino == v[i]->ino;
		     j++)
			;
		char **g;

		if (j - i < 2)
			continue;
		g = realloc(t->groups, (t->n_groups + 1) * sizeof(*g));
		if (!g) {
			r = -ENOMEM;
			break;
		}
		t->groups = g;
		g[t->n_groups] = td_group_text(v + i, j - i);
		if (!g[t->n_groups]) {
			r = -ENOMEM;
			break;
		}
		for (size_t k = i; k < j; k++) {
			v[k]->leader = v[i]->cpath;
			v[k]->group = g[t->n_groups];
		}
		t->n_groups++;
	}
	free(v);
	return r;
}

/* ---- The join ------------------------------------------------------------ */

static const char *td_type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symlink";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	}
	return "unknown type";
}

/* The entry of @t at canonical path @path, or NULL. */
static struct td_entry *td_find(struct td_tree *t, const char *path)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->e[mid].cpath, path);

		if (c == 0)
			return &t->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Is @e below a directory already reported (in A only, or a directory
 * facing a non-directory)? Then count it there. */
static bool td_folded(struct tree_diff *td, struct td_tree *t,
		      struct td_entry *e)
{
	const char *slash = strrchr(e->cpath, '/');
	struct td_entry *parent;
	char *pp;

	if (!slash || slash == e->cpath)
		return false;
	pp = strndup(e->cpath, (size_t)(slash - e->cpath));
	if (!pp)
		return false;
	parent = td_find(t, pp);
	free(pp);
	if (!parent || parent->report_kind < 0)
		return false;
	e->report_kind = parent->report_kind;
	e->report_index = parent->report_index;
	td->lists[e->report_kind].p[e->report_index].below[t->side]++;
	return true;
}

/* Entries below @e are folded into item @index of list @kind. */
static void td_mark(struct td_entry *e, enum tree_diff_kind kind, size_t index)
{
	e->report_kind = (int)kind;
	e->report_index = index;
}

/* "regular file", "symlink -> TARGET", "character device 1:3", ... */
static int td_describe(struct tree_diff *td, struct td_tree *t,
		       const struct td_entry *e, char **ret)
{
	char *target = NULL;
	int r;

	if (S_ISLNK(e->mode)) {
		r = td_readlink(td, t, e, &target);
		if (r < 0)
			return r;
		*ret = td_printf("symlink -> %s", target);
		free(target);
	} else if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		*ret = td_printf("%s %u:%u", td_type_name(e->mode),
				 major(e->rdev), minor(e->rdev));
	} else {
		*ret = strdup(td_type_name(e->mode));
	}
	return *ret ? 0 : -ENOMEM;
}

static int td_only(struct tree_diff *td, struct td_tree *t, struct td_entry *e)
{
	enum tree_diff_kind kind =
		t->side == 0 ? TREE_DIFF_ONLY_A : TREE_DIFF_ONLY_B;
	char *d;
	size_t idx;
	int r;

	if (td_folded(td, t, e))
		return 0;
	r = td_describe(td, t, e, &d);
	if (r < 0)
		return r;
	r = td_add_item(td, kind, e->cpath, t->side == 0 ? d : NULL,
			t->side == 0 ? NULL : d, &idx);
	if (r == 0 && S_ISDIR(e->mode))
		td_mark(e, kind, idx);
	return r;
}

static char *td_time(struct timespec ts, int64_t clamp)
{
	if (clamp >= 0 && ts.tv_sec >= clamp) {
		ts.tv_sec = clamp;
		ts.tv_nsec = 0;
	}
	return td_printf("%lld.%09ld", (long long)ts.tv_sec, ts.tv_nsec);
}

static char *td_links(const struct td_entry *e)
{
	if (!e->leader)
		return strdup("not hard-linked");
	return td_printf("hard links: %s", e->group);
}

static int td_both(struct tree_diff *td, struct td_entry *a, struct td_entry *b)
{
	struct td_tree *ta = &td->t[0], *tb = &td->t[1];
	const char *p = a->cpath;
	char *x = NULL, *y = NULL;
	size_t idx;
	int r;

	if ((a->mode & S_IFMT) != (b->mode & S_IFMT)) {
		r = td_describe(td, ta, a, &x);
		if (r == 0)
			r = td_describe(td, tb, b, &y);
		if (r < 0) {
			free(x);
			return r;
		}
		r = td_add_item(td, TREE_DIFF_TYPE, p, x, y, &idx);
		if (r == 0 && S_ISDIR(a->mode))
			td_mark(a, TREE_DIFF_TYPE, idx);
		if (r == 0 && S_ISDIR(b->mode))
			td_mark(b, TREE_DIFF_TYPE, idx);
		return r;
	}
	if ((a->mode & 07777) != (b->mode & 07777)) {
		r = td_add_item(td, TREE_DIFF_MODE, p,
				td_printf("%04o", a->mode & 07777),
				td_printf("%04o", b->mode & 07777), NULL);
		if (r < 0)
			return r;
	}
	if (a->uid != b->uid) {
		r = td_add_item(td, TREE_DIFF_OWNER, p, td_printf("%u", a->uid),
				td_printf("%u", b->uid), NULL);
		if (r < 0)
			return r;
	}
	if (a->gid != b->gid) {
		r = td_add_item(td, TREE_DIFF_GROUP, p, td_printf("%u", a->gid),
				td_printf("%u", b->gid), NULL);
		if (r < 0)
			return r;
	}
	if (!S_ISDIR(a->mode)) {
		r = td_same(td, ta, a, tb, b);
		if (r < 0)
			return r;
		if (r == 0) {
			enum tree_diff_kind kind = TREE_DIFF_CONTENT;

			if (S_ISREG(a->mode)) {
				r = td_sha256(td, ta, a, &x);
				if (r == 0)
					r = td_sha256(td, tb, b, &y);
			} else if (S_ISLNK(a->mode)) {
				kind = TREE_DIFF_TARGET;
				r = td_readlink(td, ta, a, &x);
				if (r == 0)
					r = td_readlink(td, tb, b, &y);
			} else {
				kind = TREE_DIFF_DEVICE;
				x = td_printf("%u:%u", major(a->rdev),
					      minor(a->rdev));
				y = td_printf("%u:%u", major(b->rdev),
					      minor(b->rdev));
			}
			if (r < 0) {
				free(x);
				return r;
			}
			r = td_add_item(td, kind, p, x, y, NULL);
			if (r < 0)
				return r;
		}
	}
	if ((a->leader == NULL) != (b->leader == NULL) ||
	    (a->leader && strcmp(a->leader, b->leader) != 0)) {
		r = td_add_item(td, TREE_DIFF_HARDLINK, p, td_links(a),
				td_links(b), NULL);
		if (r < 0)
			return r;
	}
	if ((a->xattrs == NULL) != (b->xattrs == NULL) ||
	    (a->xattrs && strcmp(a->xattrs, b->xattrs) != 0)) {
		r = td_add_item(td, TREE_DIFF_XATTR, p,
				strdup(a->xattrs ? a->xattrs : "none"),
				strdup(b->xattrs ? b->xattrs : "none"), NULL);
		if (r < 0)
			return r;
	}
	if (td->opts.flags & TREE_DIFF_MTIMES) {
		x = td_time(a->mtime, td->opts.clamp);
		y = td_time(b->mtime, td->opts.clamp);
		if (x && y && strcmp(x, y) == 0) {
			free(x);
			free(y);
		} else {
			r = td_add_item(td, TREE_DIFF_MTIME, p, x, y, NULL);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int td_join(struct tree_diff *td)
{
	struct td_tree *ta = &td->t[0], *tb = &td->t[1];
	size_t i = 0, j = 0;
	int r = 0;

	while (r == 0 && (i < ta->n || j < tb->n)) {
		int c;

		if (i == ta->n)
			c = 1;
		else if (j == tb->n)
			c = -1;
		else
			c = strcmp(ta->e[i].cpath, tb->e[j].cpath);
		if (c < 0) {
			r = td_only(td, ta, &ta->e[i++]);
		} else if (c > 0) {
			r = td_only(td, tb, &tb->e[j++]);
		} else {
			r = td_both(td, &ta->e[i], &tb->e[j]);
			i++;
			j++;
		}
	}
	return r;
}

/* Flatten the per-kind lists, adding " (N entries below)" to folded
 * directories. */
static int td_finish(struct tree_diff *td)
{
	size_t n = 0, k = 0;

	for (int kind = 0; kind < TREE_DIFF_KINDS; kind++)
		n += td->lists[kind].n;
	td->items = calloc(n ? n : 1, sizeof(*td->items));
	if (!td->items)
		return -ENOMEM;
	for (int kind = 0; kind < TREE_DIFF_KINDS; kind++) {
		struct td_list *l = &td->lists[kind];

		for (size_t i = 0; i < l->n; i++) {
			struct tree_diff_item *it = &l->p[i].item;

			for (int s = 0; s < 2; s++) {
				char **side = s == 0 ? &it->a : &it->b;
				char *t;

				if (!l->p[i].below[s] || !*side)
					continue;
				t = td_printf("%s, %zu %s below", *side,
					      l->p[i].below[s],
					      l->p[i].below[s] == 1
						      ? "entry"
						      : "entries");
				if (!t)
					return -ENOMEM;
				free(*side);
				*side = t;
			}
			td->items[k++] = *it;
			it->path = it->a = it->b = NULL;
		}
		l->n = 0;
	}
	td->n_items = k;
	return 0;
}

/* ---- Public -------------------------------------------------------------- */

int tree_diff_new(const struct tree_diff_options *opts,
		  struct tree_diff **ret_td)
{
	struct tree_diff *td = calloc(1, sizeof(*td));

	if (!td)
		return -ENOMEM;
	td->opts = *opts;
	for (int s = 0; s < 2; s++) {
		td->t[s].side = s;
		td->t[s].parent_fd = -1;
		td->t[s].root_fd = -1;
	}
	td->t[0].map = opts->map_a;
	td->t[1].map = opts->map_b;
	*ret_td = td;
	return 0;
}

static void td_reset(struct tree_diff *td)
{
	for (int s = 0; s < 2; s++) {
		struct td_tree *t = &td->t[s];

		for (size_t i = 0; i < t->n; i++) {
			free(t->e[i].cpath);
			free(t->e[i].lpath);
			free(t->e[i].xattrs);
		}
		free(t->e);
		t->e = NULL;
		t->n = t->cap = 0;
		if (t->parent_fd >= 0)
			close(t->parent_fd);
		t->parent_fd = -1;
		free(t->parent_path);
		t->parent_path = NULL;
		for (size_t i = 0; i < t->n_groups; i++)
			free(t->groups[i]);
		free(t->groups);
		t->groups = NULL;
		t->n_groups = 0;
	}
	for (int k = 0; k < TREE_DIFF_KINDS; k++) {
		struct td_list *l = &td->lists[k];

		for (size_t i = 0; i < l->n; i++) {
			free(l->p[i].item.path);
			free(l->p[i].item.a);
			free(l->p[i].item.b);
		}
		free(l->p);
		l->p = NULL;
		l->n = l->cap = 0;
	}
	for (size_t i = 0; i < td->n_items; i++) {
		free(td->items[i].path);
		free(td->items[i].a);
		free(td->items[i].b);
	}
	free(td->items);
	td->items = NULL;
	td->n_items = 0;
	free(td->err_path);
	td->err_path = NULL;
	td->entries = td->bytes = 0;
}

void tree_diff_free(struct tree_diff *td)
{
	if (!td)
		return;
	td_reset(td);
	free(td);
}

int tree_diff_run(struct tree_diff *td, int fd_a, int fd_b,
		  void (*progress)(void *ctx, uint64_t entries, uint64_t bytes),
		  void *progress_ctx)
{
	int r;

	td_reset(td);
	td->progress = progress;
	td->progress_ctx = progress_ctx;
	td->t[0].root_fd = fd_a;
	td->t[1].root_fd = fd_b;
	r = td_walk(td, &td->t[0]);
	if (r == 0)
		r = td_walk(td, &td->t[1]);
	for (int s = 0; s < 2 && r == 0; s++) {
		r = td_merge_spellings(td, &td->t[s]);
		if (r == 0)
			r = td_link_groups(&td->t[s]);
	}
	if (r == 0)
		r = td_join(td);
	if (r == 0)
		r = td_finish(td);
	/* Keep the entry counts, drop the descriptors. */
	for (int s = 0; s < 2; s++) {
		if (td->t[s].parent_fd >= 0)
			close(td->t[s].parent_fd);
		td->t[s].parent_fd = -1;
	}
	if (progress)
		progress(progress_ctx, td->entries, td->bytes);
	return r;
}

const struct tree_diff_item *tree_diff_items(const struct tree_diff *td,
					     size_t *ret_n)
{
	*ret_n = td->n_items;
	return td->items;
}

void tree_diff_counts(const struct tree_diff *td, size_t *ret_entries_a,
		      size_t *ret_entries_b)
{
	*ret_entries_a = td->t[0].n;
	*ret_entries_b = td->t[1].n;
}

const char *tree_diff_error_path(const struct tree_diff *td, int *ret_side)
{
	if (td->err_path)
		*ret_side = td->err_side;
	return td->err_path;
}
