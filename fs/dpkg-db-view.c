/*
 * The dpkg database view (see dpkg-db-view.h): which files are presented,
 * the cache of presented content, and what the daemon learns when dpkg
 * writes them.
 *
 * Presented content depends on the backing file, the claims and the alias
 * map. It is cached per backing file, keyed by (dev, ino, size, mtime,
 * ctime, tree generation, claims generation), with a sealed memfd of it
 * that every reader gets its own dup of, so a handle never changes under
 * its reader. The
 * kernel may cache a presented file's attributes; every change of the
 * claims or of the alias map invalidates them. With a handle per open it
 * keeps its pages across opens only while they hold the very content the
 * new open presents (see afs_dpkgdb_handle_opened); with file I/O by
 * inode it keeps them until it sees a new size or modification time (see
 * afs_dpkgdb_stamp). Either way stat and read agree with the current
 * claims.
 *
 * Layer 5 (view services, fs/README.md): calls the inode core and leaf
 * helpers below.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "aliasdb.h"
#include "fs/afs.h"
#include "fs/backing.h"
#include "fs/dpkg-cache.h"
#include "fs/dpkg-db-view.h"
#include "fs/dpkg-pages.h"
#include "fs/inode-file.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/sources.h"
#include "fs/tree-lock.h"

/* Larger database files are shown as they are (a list of 64 MiB is not
 * something dpkg writes). */
#define AFS_DPKGDB_MAX_SIZE (64L * 1024 * 1024)

#define AFS_DPKGDB_ADMINDIR "/var/lib/dpkg"

/* A presented read handle and the content version it reads. */
struct afs_dpkg_handle {
	int fd;
	uint64_t ver;
};

struct afs_dpkgdb {
	/* NULL until dpkg first writes through the view (an untouched
	 * backing stays untouched) or when it cannot be opened. */
	struct aliasdb_claims *claims;
	bool claims_failed;   /* reported once */
	pthread_mutex_t lock; /* the cache and the claims pointer */
	_Atomic uint64_t gen; /* bumped on every claims change */
	uint64_t next_ver;    /* content versions handed out (lock) */
	/* When the claims or the tree last changed as seen by a stat
	 * (afs_dpkgdb_stamp, lock). */
	struct timespec stamp;
	uint64_t stamp_tree_gen;
	uint64_t stamp_claims_gen;
	struct afs_dpkg_cache cache;
};

int afs_dpkgdb_parse_policy(const char *value,
			    enum afs_dpkgdb_policy *ret_policy)
{
	if (strcmp(value, "claims") == 0)
		*ret_policy = AFS_DPKGDB_CLAIMS;
	else if (strcmp(value, "raw") == 0)
		*ret_policy = AFS_DPKGDB_RAW;
	else
		return -EINVAL;
	return 0;
}

/*
 * The claims store; with @create, made on first need (dpkg wrote through
 * the view). NULL if there is none (yet) or it cannot be opened: then
 * every claimed path is shown and nothing is remembered.
 */
static struct aliasdb_claims *afs_dpkgdb_claims(struct afs_fs *fs, bool create)
{
	struct afs_dpkgdb *d = fs->dpkg;
	struct aliasdb_claims *c;
	int r;

	pthread_mutex_lock(&d->lock);
	c = d->claims;
	if (!c && !d->claims_failed) {
		unsigned flags = fs->ro	  ? ALIASDB_OPEN_RDONLY
				 : create ? ALIASDB_OPEN_CREATE
					  : 0;

		create = create && !fs->ro;
		r = aliasdb_claims_open(fs->db_dir, flags, &c);
		if (r == 0) {
			d->claims = c;
		} else if (r != -ENOENT || create) {
			d->claims_failed = true;
			fuse_log(FUSE_LOG_WARNING,
				 "aliasfs: cannot open the dpkg claims in "
				 "%s: %s; dpkg's database is shown without "
				 "them\n",
				 fs->db_dir, strerror(-r));
		}
	}
	pthread_mutex_unlock(&d->lock);
	return c;
}

void afs_dpkgdb_start(struct afs_fs *fs)
{
	struct afs_dpkgdb *d;

	if (fs->dpkgdb_policy != AFS_DPKGDB_CLAIMS)
		return;
	d = calloc(1, sizeof(*d));
	if (!d || afs_dpkg_cache_init(&d->cache) < 0) {
		free(d);
		fuse_log(FUSE_LOG_ERR, "aliasfs: dpkg database view: out of "
				       "memory, showing it raw\n");
		return;
	}
	pthread_mutex_init(&d->lock, NULL);
	fs->dpkg = d;
	/* An existing store is opened now; a new one on first write. */
	(void)afs_dpkgdb_claims(fs, false);
}

void afs_dpkgdb_stop(struct afs_fs *fs)
{
	struct afs_dpkgdb *d = fs->dpkg;

	if (!d)
		return;
	afs_dpkg_cache_fini(&d->cache);
	aliasdb_claims_close(d->claims);
	pthread_mutex_destroy(&d->lock);
	free(d);
	fs->dpkg = NULL;
}

/* Which kind of presented file is @dir_path/@name, or -1. */
static int afs_dpkgdb_classify(const char *dir_path, const char *name)
{
	const char *rest;
	size_t n;

	if (strncmp(dir_path, AFS_DPKGDB_ADMINDIR,
		    sizeof(AFS_DPKGDB_ADMINDIR) - 1) != 0)
		return -1;
	rest = dir_path + sizeof(AFS_DPKGDB_ADMINDIR) - 1;
	if (*rest == '\0') {
		if (strcmp(name, "diversions") == 0)
			return ALIASDB_DPKG_DIVERSIONS;
		if (strcmp(name, "statoverride") == 0)
			return ALIASDB_DPKG_STATOVERRIDE;
		return -1;
	}
	if (strcmp(rest, "/info") == 0) {
		n = strlen(name);
		if (n > 5 && strcmp(name + n - 5, ".list") == 0)
			return ALIASDB_DPKG_LIST;
		return -1;
	}
	if (strcmp(rest, "/triggers") == 0 && strcmp(name, "File") == 0)
		return ALIASDB_DPKG_FILE_TRIGGERS;
	return -1;
}

/* The kind and view path of file @inode, or -1. tree_lock held. */
static int afs_dpkgdb_inode_kind(struct afs_fs *fs, struct afs_inode *inode,
				 char *vpath, size_t size)
{
	int kind = -1;

	if (!fs->dpkg || inode->kind != AFS_KIND_FILE || inode->type != S_IFREG)
		return -1;
	pthread_mutex_lock(&fs->table_lock);
	if (inode->n_locs > 0) {
		const char *dir = inode->locs[0].parent->path;
		const char *name = inode->locs[0].name;

		kind = afs_dpkgdb_classify(dir, name);
		if (kind >= 0 &&
		    (size_t)snprintf(vpath, size, "%s/%s", dir, name) >= size)
			kind = -1;
	}
	pthread_mutex_unlock(&fs->table_lock);
	return kind;
}

bool afs_dpkgdb_presented(struct afs_fs *fs, struct afs_inode *inode)
{
	char vpath[PATH_MAX];

	return afs_dpkgdb_inode_kind(fs, inode, vpath, sizeof(vpath)) >= 0;
}

bool afs_dpkgdb_presents(struct afs_fs *fs, const char *dir_path,
			 const char *name)
{
	return fs->dpkg && afs_dpkgdb_classify(dir_path, name) >= 0;
}

/* Read all of regular file @fd (at most AFS_DPKGDB_MAX_SIZE). */
static int afs_dpkgdb_slurp(int fd, off_t size, char **ret, size_t *ret_len)
{
	size_t cap = (size_t)size + 1, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *p;

			if (cap > (size_t)AFS_DPKGDB_MAX_SIZE) {
				free(buf);
				return -EFBIG;
			}
			p = realloc(buf, cap * 2);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
		n = pread(fd, buf + len, cap - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;

			free(buf);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* Read all of the backing file open at O_PATH @pfd. */
static int afs_dpkgdb_slurp_path(int pfd, const struct stat *st, char **ret,
				 size_t *ret_len)
{
	char proc[64];
	int fd, r;

	if (st->st_size > AFS_DPKGDB_MAX_SIZE)
		return -EFBIG;
	r = afs_proc_path(pfd, proc, sizeof(proc));
	if (r < 0)
		return r;
	fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = afs_dpkgdb_slurp(fd, st->st_size, ret, ret_len);
	close(fd);
	return r;
}

static bool afs_ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* Does cache entry @c (may be NULL) hold the presented content of
 * backing file @st as the claims and the map are now? d->lock held. */
static bool afs_dpkgdb_fresh(const struct afs_dpkg_cached *c,
			     const struct stat *st, uint64_t tree_gen,
			     uint64_t claims_gen)
{
	return c && c->text && c->dev == st->st_dev && c->ino == st->st_ino &&
	       c->size == st->st_size && afs_ts_eq(c->mtime, st->st_mtim) &&
	       afs_ts_eq(c->ctime, st->st_ctim) && c->tree_gen == tree_gen &&
	       c->claims_gen == claims_gen;
}

/* A fresh cached content of backing file @st: 1 and its length (and a
 * copy in *ret_text when @ret_text is not NULL), 0 when there is none,
 * -ENOMEM. */
static int afs_dpkgdb_cache_lookup(struct afs_dpkgdb *d, const struct stat *st,
				   uint64_t tree_gen, uint64_t claims_gen,
				   char **ret_text, size_t *ret_len)
{
	struct afs_dpkg_cached *c;
	char *text = NULL;
	int r = 0;

	pthread_mutex_lock(&d->lock);
	c = afs_dpkg_cache_find(&d->cache, st->st_dev, st->st_ino);
	if (!afs_dpkgdb_fresh(c, st, tree_gen, claims_gen))
		goto out;
	if (ret_text) {
		text = malloc(c->len + 1);
		if (!text) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(text, c->text, c->len + 1);
		*ret_text = text;
	}
	*ret_len = c->len;
	r = 1;
out:
	pthread_mutex_unlock(&d->lock);
	return r;
}

/* Keep @text (@len bytes) as the content of backing file @st. */
static void afs_dpkgdb_cache_store(struct afs_dpkgdb *d, const struct stat *st,
				   uint64_t tree_gen, uint64_t claims_gen,
				   const char *text, size_t len)
{
	struct afs_dpkg_cached *c;

	pthread_mutex_lock(&d->lock);
	c = afs_dpkg_cache_claim(&d->cache, st->st_dev, st->st_ino);
	afs_dpkg_cached_clear(c);
	c->text = malloc(len + 1);
	if (c->text) {
		memcpy(c->text, text, len + 1);
		c->len = len;
		c->dev = st->st_dev;
		c->ino = st->st_ino;
		c->size = st->st_size;
		c->mtime = st->st_mtim;
		c->ctime = st->st_ctim;
		c->tree_gen = tree_gen;
		c->claims_gen = claims_gen;
	}
	pthread_mutex_unlock(&d->lock);
}

/* The presented content of the backing file open at O_PATH @pfd (@st),
 * computed from the backing bytes, the claims and the map: 0 and
 * *ret_text (the caller's), *ret_len, or -errno. tree_lock held. */
static int afs_dpkgdb_compute(struct afs_fs *fs, int kind, const char *vpath,
			      int pfd, const struct stat *st, char **ret_text,
			      size_t *ret_len)
{
	struct aliasdb_claims *claims;
	char *backing = NULL, *released = NULL, *was = NULL;
	size_t blen = 0, rlen = 0, wlen;
	int r;

	r = afs_dpkgdb_slurp_path(pfd, st, &backing, &blen);
	if (r < 0)
		return r;
	claims = afs_dpkgdb_claims(fs, false);
	if (claims)
		r = aliasdb_claims_get_released(claims, vpath, &released,
						&rlen);
	if (r == 0)
		r = aliasdb_claims_present(fs->aliases->map,
					   (enum aliasdb_dpkg_db)kind, backing,
					   blen, released ? released : "", rlen,
					   ret_text, ret_len);
	free(backing);
	free(released);
	if (r < 0 || !claims)
		return r;
	/* A file with claims remembers what dpkg is shown, for when it
	 * writes it back (the map may have changed since the last write).
	 * Files dpkg never wrote through the view are shown as their
	 * backing gives them: nothing to keep. */
	if (aliasdb_claims_get_presented(claims, vpath, &was, &wlen) == 0 &&
	    (wlen != *ret_len || memcmp(was, *ret_text, *ret_len) != 0))
		(void)aliasdb_claims_set_presented(claims, vpath, *ret_text,
						   *ret_len);
	free(was);
	return 0;
}

/*
 * The presented content of the backing file open at O_PATH @pfd (view
 * path @vpath, @kind; @pst its stat if the caller has it, or NULL) and
 * its size; *ret_text only if @ret_text is not NULL (the caller frees
 * it). tree_lock held (the map).
 */
static int afs_dpkgdb_content(struct afs_fs *fs, int kind, const char *vpath,
			      int pfd, const struct stat *pst, char **ret_text,
			      size_t *ret_len)
{
	struct afs_dpkgdb *d = fs->dpkg;
	uint64_t tree_gen = atomic_load(&fs->tree_gen);
	uint64_t claims_gen = atomic_load(&d->gen);
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int r;

	if (pst)
		st = *pst;
	else if (fstat(pfd, &st) < 0)
		return -errno;
	r = afs_dpkgdb_cache_lookup(d, &st, tree_gen, claims_gen, ret_text,
				    ret_len);
	if (r != 0)
		return r < 0 ? r : 0;
	r = afs_dpkgdb_compute(fs, kind, vpath, pfd, &st, &text, &len);
	if (r < 0)
		return r;
	afs_dpkgdb_cache_store(d, &st, tree_gen, claims_gen, text, len);
	if (ret_text)
		*ret_text = text;
	else
		free(text);
	*ret_len = len;
	return 0;
}

/*
 * Presented content changes with the claims and the tree, not only with
 * the backing file: its modification time is the later of the backing's
 * and the time such a change was first seen. A kernel that keeps pages
 * across opens (file I/O by inode) drops them when it sees a new size or
 * modification time.
 */
static void afs_dpkgdb_stamp(struct afs_fs *fs, struct stat *st)
{
	struct afs_dpkgdb *d = fs->dpkg;
	uint64_t tree_gen = atomic_load(&fs->tree_gen);
	uint64_t claims_gen = atomic_load(&d->gen);
	struct timespec t;

	pthread_mutex_lock(&d->lock);
	if (tree_gen != d->stamp_tree_gen ||
	    claims_gen != d->stamp_claims_gen) {
		clock_gettime(CLOCK_REALTIME, &d->stamp);
		d->stamp_tree_gen = tree_gen;
		d->stamp_claims_gen = claims_gen;
	}
	t = d->stamp;
	pthread_mutex_unlock(&d->lock);
	if (t.tv_sec > st->st_mtim.tv_sec ||
	    (t.tv_sec == st->st_mtim.tv_sec && t.tv_nsec > st->st_mtim.tv_nsec))
		st->st_mtim = t;
}

void afs_dpkgdb_fix_stat(struct afs_fs *fs, struct afs_inode *inode,
			 struct stat *st, double *timeout)
{
	char vpath[PATH_MAX];
	size_t len;
	int kind, pfd;

	kind = afs_dpkgdb_inode_kind(fs, inode, vpath, sizeof(vpath));
	if (kind < 0)
		return;
	pfd = afs_file_open_path(fs, inode);
	if (pfd < 0) {
		*timeout = 0;
		return;
	}
	if (afs_dpkgdb_content(fs, kind, vpath, pfd, NULL, NULL, &len) == 0) {
		st->st_size = (off_t)len;
		st->st_blocks = (blkcnt_t)((len + 511) / 512);
		afs_dpkgdb_stamp(fs, st);
		pthread_mutex_lock(&fs->table_lock);
		inode->dpkg_attr_cached = true;
		pthread_mutex_unlock(&fs->table_lock);
	} else {
		*timeout = 0;
	}
	close(pfd);
}

void afs_dpkgdb_inval_attrs(struct afs_fs *fs)
{
	fuse_ino_t *inos = NULL;
	size_t n = 0, cap = 0, i;
	struct afs_inode *x;

	if (!fs->dpkg || !fs->se)
		return;
	pthread_mutex_lock(&fs->table_lock);
	for (x = fs->all; x; x = x->next_all) {
		if (!x->dpkg_attr_cached)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			fuse_ino_t *ni = realloc(inos, ncap * sizeof(*ni));

			if (!ni)
				break; /* the rest keep their flag for next time */
			inos = ni;
			cap = ncap;
		}
		x->dpkg_attr_cached = false;
		inos[n++] = (fuse_ino_t)(uintptr_t)x;
	}
	pthread_mutex_unlock(&fs->table_lock);
	/* The inode numbers are only passed on: one the kernel forgot
	 * meanwhile is refused by it (ENOENT), nothing here is touched. */
	for (i = 0; i < n; i++)
		(void)fuse_lowlevel_notify_inval_inode(fs->se, inos[i], -1, 0);
	free(inos);
}

/* A sealed memfd holding @text: nobody can change it under a reader. */
static int afs_dpkgdb_memfd(const char *text, size_t len)
{
	size_t off = 0;
	int fd, r;

	fd = memfd_create("aliasfs-dpkgdb", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		off += (size_t)n;
	}
	(void)fcntl(fd, F_ADD_SEALS,
		    F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
	return fd;
}

/*
 * A reader's own descriptor of the presented content of the backing file
 * open at O_PATH @pfd: a dup of the sealed copy the cache keeps (made on
 * the first open), so opening a list costs no copy. tree_lock held.
 */
static int afs_dpkgdb_content_fd(struct afs_fs *fs, int kind, const char *vpath,
				 int pfd, int *ret_fd, uint64_t *ret_ver)
{
	struct afs_dpkgdb *d = fs->dpkg;
	struct afs_dpkg_cached *c;
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int fd, r;

	if (fstat(pfd, &st) < 0)
		return -errno;
	pthread_mutex_lock(&d->lock);
	c = afs_dpkg_cache_find(&d->cache, st.st_dev, st.st_ino);
	if (afs_dpkgdb_fresh(c, &st, atomic_load(&fs->tree_gen),
			     atomic_load(&d->gen)) &&
	    c->memfd >= 0) {
		fd = fcntl(c->memfd, F_DUPFD_CLOEXEC, 0);
		*ret_ver = c->ver;
		pthread_mutex_unlock(&d->lock);
		if (fd < 0)
			return -errno;
		*ret_fd = fd;
		return 0;
	}
	pthread_mutex_unlock(&d->lock);
	r = afs_dpkgdb_content(fs, kind, vpath, pfd, &st, &text, &len);
	if (r < 0)
		return r;
	fd = afs_dpkgdb_memfd(text, len);
	if (fd < 0) {
		free(text);
		return fd;
	}
	/* Kept for the next readers only if the cache still holds exactly
	 * this content. */
	pthread_mutex_lock(&d->lock);
	c = afs_dpkg_cache_find(&d->cache, st.st_dev, st.st_ino);
	*ret_ver = ++d->next_ver; /* a content of its own unless kept */
	if (afs_dpkgdb_fresh(c, &st, atomic_load(&fs->tree_gen),
			     atomic_load(&d->gen)) &&
	    c->memfd < 0 && c->len == len && memcmp(c->text, text, len) == 0) {
		c->memfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		c->ver = *ret_ver;
	}
	pthread_mutex_unlock(&d->lock);
	free(text);
	*ret_fd = fd;
	return 0;
}

/* A presented handle of content version @ver was opened on @inode: may
 * the kernel keep the pages it has (dpkg-pages.c)? */
static bool afs_dpkgdb_handle_opened(struct afs_fs *fs, struct afs_inode *inode,
				     int fd, uint64_t ver)
{
	struct afs_dpkg_handle *grown;
	bool keep = false;

	pthread_mutex_lock(&fs->table_lock);
	grown = realloc(inode->dpkg_handles,
			(inode->n_dpkg_handles + 1) * sizeof(*grown));
	if (grown) {
		inode->dpkg_handles = grown;
		grown[inode->n_dpkg_handles].fd = fd;
		grown[inode->n_dpkg_handles].ver = ver;
		inode->n_dpkg_handles++;
		keep = afs_dpkg_pages_open(&inode->dpkg_pages, ver);
	} else {
		/* Untracked: never trust the pages again. */
		inode->dpkg_pages.raw = true;
	}
	pthread_mutex_unlock(&fs->table_lock);
	return keep;
}

void afs_dpkgdb_closed(struct afs_fs *fs, struct afs_inode *inode, int fd)
{
	unsigned k;

	pthread_mutex_lock(&fs->table_lock);
	for (k = 0; k < inode->n_dpkg_handles; k++) {
		if (inode->dpkg_handles[k].fd != fd)
			continue;
		afs_dpkg_pages_close(&inode->dpkg_pages,
				     inode->dpkg_handles[k].ver);
		inode->dpkg_handles[k] =
			inode->dpkg_handles[--inode->n_dpkg_handles];
		break;
	}
	pthread_mutex_unlock(&fs->table_lock);
}

void afs_dpkgdb_pages_changed(struct afs_fs *fs, struct afs_inode *inode)
{
	pthread_mutex_lock(&fs->table_lock);
	inode->dpkg_pages.raw = true;
	pthread_mutex_unlock(&fs->table_lock);
}

/* A descriptor of @inode's presented content as it is now: 1 and
 * *ret_fd, *ret_ver; 0 if it is not presented. tree_lock held. */
static int afs_dpkgdb_presented_fd(struct afs_fs *fs, struct afs_inode *inode,
				   int *ret_fd, uint64_t *ret_ver)
{
	char vpath[PATH_MAX];
	int kind, pfd, r;

	kind = afs_dpkgdb_inode_kind(fs, inode, vpath, sizeof(vpath));
	if (kind < 0)
		return 0;
	pfd = afs_file_open_path(fs, inode);
	if (pfd < 0)
		return pfd;
	r = afs_dpkgdb_content_fd(fs, kind, vpath, pfd, ret_fd, ret_ver);
	close(pfd);
	if (r == -EFBIG)
		return 0; /* too large to present: the backing as it is */
	return r < 0 ? r : 1;
}

int afs_dpkgdb_open(struct afs_fs *fs, struct afs_inode *inode, int flags,
		    int *ret_fd, bool *ret_keep_cache)
{
	uint64_t ver = 0;
	int r;

	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return 0;
	r = afs_dpkgdb_presented_fd(fs, inode, ret_fd, &ver);
	if (r > 0)
		*ret_keep_cache =
			afs_dpkgdb_handle_opened(fs, inode, *ret_fd, ver);
	return r;
}

int afs_dpkgdb_read_fd(struct afs_fs *fs, struct afs_inode *inode, int *ret_fd)
{
	uint64_t ver;

	return afs_dpkgdb_presented_fd(fs, inode, ret_fd, &ver);
}

/* For the claims: is canonical view path @path a directory? */
static int afs_dpkgdb_is_dir(const char *path, void *userdata)
{
	struct afs_fs *fs = userdata;
	const struct aliasdb_map *map = fs->aliases->map;
	size_t i, n = aliasdb_map_count(map), pl = strlen(path);
	char rel[PATH_MAX];
	int fd;

	if (path[0] != '/' || path[1] == '\0')
		return 1;
	/* Every backing spelling: a split tree has it on one side only. */
	fd = afs_open_beneath(fs, path + 1);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	for (i = 0; i < n; i++) {
		const char *k = aliasdb_map_canonical(map, i);
		size_t kl = strlen(k);

		if (pl < kl || strncmp(path, k, kl) != 0 ||
		    (path[kl] != '/' && path[kl] != '\0'))
			continue;
		if ((size_t)snprintf(rel, sizeof(rel), "%s%s",
				     aliasdb_map_alias(map, i) + 1,
				     path + kl) >= sizeof(rel))
			continue;
		fd = afs_open_beneath(fs, rel);
		if (fd >= 0) {
			close(fd);
			return 1;
		}
	}
	return 0;
}

/* dpkg wrote @vpath (backing file open at @fd; what dpkg wrote is
 * @written if not NULL, the backing keeping less): learn from it. @shown
 * is what dpkg was shown there if the claims may not know. tree_lock
 * held. */
static void afs_dpkgdb_absorb(struct afs_fs *fs, int kind, const char *vpath,
			      int fd, const char *written, size_t written_len,
			      const char *shown, size_t shown_len)
{
	struct afs_dpkgdb *d = fs->dpkg;
	struct aliasdb_claims *claims = afs_dpkgdb_claims(fs, true);
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int r;

	if (!claims)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	if (written) {
		text = malloc(written_len + 1);
		r = text ? 0 : -ENOMEM;
		if (text) {
			memcpy(text, written, written_len);
			len = written_len;
		}
	} else {
		r = afs_dpkgdb_slurp(fd, st.st_size, &text, &len);
	}
	if (r == 0)
		r = aliasdb_claims_absorb(claims, fs->aliases->map,
					  (enum aliasdb_dpkg_db)kind, vpath,
					  text, len, shown, shown_len,
					  afs_dpkgdb_is_dir, fs);
	if (r < 0)
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: cannot record what dpkg wrote to %s: %s\n",
			 vpath, strerror(-r));
	else if (len > 0 && text[len - 1] != '\n')
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: %s has no final newline; the view shows "
			 "it with one\n",
			 vpath);
	free(text);
	atomic_fetch_add(&d->gen, 1);
	afs_dpkgdb_inval_attrs(fs);
}

void afs_dpkgdb_released(struct afs_fs *fs, struct afs_inode *inode, int flags)
{
	char vpath[PATH_MAX], proc[64];
	int kind, pfd, fd;

	if ((flags & O_ACCMODE) == O_RDONLY && !(flags & O_TRUNC))
		return;
	afs_rdlock(fs);
	kind = afs_dpkgdb_inode_kind(fs, inode, vpath, sizeof(vpath));
	pfd = kind >= 0 ? afs_file_open_path(fs, inode) : -1;
	if (pfd >= 0 && afs_proc_path(pfd, proc, sizeof(proc)) >= 0) {
		fd = open(proc, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			afs_dpkgdb_absorb(fs, kind, vpath, fd, NULL, 0, NULL,
					  0);
			close(fd);
		}
	}
	if (pfd >= 0)
		close(pfd);
	afs_unlock(fs);
}

/* Backing file @st is gone: its presented copy with it (dpkg replaces
 * each list it writes, so copies of dead lists would pile up). */
static void afs_dpkgdb_gone(struct afs_fs *fs, const struct stat *st)
{
	struct afs_dpkgdb *d = fs->dpkg;

	if (!S_ISREG(st->st_mode) || st->st_nlink > 1)
		return;
	pthread_mutex_lock(&d->lock);
	afs_dpkg_cache_drop(&d->cache, st->st_dev, st->st_ino);
	pthread_mutex_unlock(&d->lock);
}

void afs_dpkgdb_removing(struct afs_fs *fs, struct afs_inode *dir,
			 const char *name, const struct stat *st)
{
	if (fs->dpkg && afs_dpkgdb_classify(dir->path, name) >= 0)
		afs_dpkgdb_gone(fs, st);
}

struct afs_dpkgdb_rename {
	int kind;
	char vpath[PATH_MAX];
	struct afs_inode *dir; /* pinned by the rename request */
	char *name;
	char *shown; /* what the old target was presented as, or NULL */
	size_t shown_len;
	char *written; /* what dpkg wrote, if the backing keeps less */
	size_t written_len;
	struct stat old; /* the old target, if old_found */
	bool old_found;
};

/* Replace the content of the file open at @fd with @text, durably. */
static int afs_dpkgdb_rewrite(int fd, const char *text, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = pwrite(fd, text + off, len - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	if (ftruncate(fd, (off_t)len) < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/*
 * dpkg rewrites a whole database file (diversions, statoverride,
 * triggers/File) from what it read, so it writes back every spelling the
 * view showed it; stored, they would stay, and the backing would differ
 * from dpkg's own on a merged tree. Before @name of @dir (what dpkg
 * wrote) replaces the database file, which held @before, it gets what
 * dpkg would have written seeing one spelling (aliasdb_claims_unpresent);
 * t->written keeps what dpkg wrote, for the claims. tree_lock held.
 */
static void afs_dpkgdb_unpresent(struct afs_fs *fs, struct afs_dpkgdb_rename *t,
				 struct afs_inode *dir, const char *name,
				 const char *before, size_t before_len)
{
	char *text = NULL, *keep = NULL;
	size_t len = 0, klen = 0;
	struct stat st;
	int fd, r;

	if (t->kind == ALIASDB_DPKG_LIST || dir->slots[0].fd < 0)
		return;
	fd = openat(dir->slots[0].fd, name,
		    O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	r = fstat(fd, &st) < 0 ? -errno : 0;
	if (r == 0 && (!S_ISREG(st.st_mode) || st.st_nlink != 1))
		r = -EINVAL; /* only dpkg's own new file */
	if (r == 0)
		r = afs_dpkgdb_slurp(fd, st.st_size, &text, &len);
	if (r == 0)
		r = aliasdb_claims_unpresent(
			fs->aliases->map, (enum aliasdb_dpkg_db)t->kind, before,
			before_len, t->shown, t->shown_len, text, len, &keep,
			&klen);
	if (r == 0 && (klen != len || memcmp(keep, text, len) != 0)) {
		r = afs_dpkgdb_rewrite(fd, keep, klen);
		if (r == 0) {
			t->written = text;
			t->written_len = len;
			text = NULL;
		} else {
			fuse_log(FUSE_LOG_WARNING,
				 "aliasfs: cannot store %s as dpkg would "
				 "natively: %s\n",
				 t->vpath, strerror(-r));
		}
	}
	close(fd);
	free(text);
	free(keep);
}

void *afs_dpkgdb_rename_begin(struct afs_fs *fs, struct afs_inode *dir,
			      const char *name, struct afs_inode *ndir,
			      const char *newname, unsigned int flags)
{
	struct afs_dpkgdb_rename *t;
	char *before = NULL;
	size_t before_len = 0;
	int kind, fd;

	if (!fs->dpkg || fs->ro)
		return NULL;
	kind = afs_dpkgdb_classify(ndir->path, newname);
	if (kind < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->kind = kind;
	t->dir = ndir;
	t->name = strdup(newname);
	if (!t->name ||
	    (size_t)snprintf(t->vpath, sizeof(t->vpath), "%s/%s", ndir->path,
			     newname) >= sizeof(t->vpath)) {
		free(t->name);
		free(t);
		return NULL;
	}
	/* The presentation of the file being replaced is what dpkg read. */
	fd = ndir->slots[0].fd >= 0 ? openat(ndir->slots[0].fd, newname,
					     O_PATH | O_NOFOLLOW | O_CLOEXEC)
				    : -1;
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			(void)afs_dpkgdb_content(fs, kind, t->vpath, fd, &st,
						 &t->shown, &t->shown_len);
			if (afs_dpkgdb_slurp_path(fd, &st, &before,
						  &before_len) < 0)
				before = NULL;
			t->old = st;
			t->old_found = true;
		}
		close(fd);
	}
	if (t->shown && before && !(flags & RENAME_EXCHANGE))
		afs_dpkgdb_unpresent(fs, t, dir, name, before, before_len);
	free(before);
	return t;
}

void afs_dpkgdb_rename_end(struct afs_fs *fs, void *token, bool ok)
{
	struct afs_dpkgdb_rename *t = token;
	fuse_ino_t ino = 0;
	int fd = -1;

	if (!t)
		return;
	if (ok && t->old_found) /* replaced by the rename */
		afs_dpkgdb_gone(fs, &t->old);
	afs_rdlock(fs);
	if (ok && t->dir->slots[0].fd >= 0)
		fd = openat(t->dir->slots[0].fd, t->name,
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		struct stat st;

		afs_dpkgdb_absorb(fs, t->kind, t->vpath, fd, t->written,
				  t->written_len, t->shown, t->shown_len);
		if (fstat(fd, &st) == 0) {
			struct afs_inode *x;

			pthread_mutex_lock(&fs->table_lock);
			x = afs_inode_table_get(fs->table, st.st_dev,
						st.st_ino);
			if (x)
				ino = (fuse_ino_t)(uintptr_t)x;
			pthread_mutex_unlock(&fs->table_lock);
		}
		close(fd);
	}
	afs_unlock(fs);
	/* The renamed inode had the attributes of a plain file (size as
	 * written); from now on it is presented. Attributes only: pages
	 * are dropped at the next open (no keep_cache), and invalidating
	 * them here could wait on a page a read holds. */
	if (ino)
		(void)fuse_lowlevel_notify_inval_inode(fs->se, ino, -1, 0);
	free(t->name);
	free(t->shown);
	free(t->written);
	free(t);
}

void afs_dpkgdb_unlinked(struct afs_fs *fs, struct afs_inode *dir,
			 const char *name)
{
	struct aliasdb_claims *claims;
	char vpath[PATH_MAX];
	int r;

	if (!fs->dpkg || afs_dpkgdb_classify(dir->path, name) < 0)
		return;
	claims = afs_dpkgdb_claims(fs, false);
	if (!claims || (size_t)snprintf(vpath, sizeof(vpath), "%s/%s",
					dir->path, name) >= sizeof(vpath))
		return;
	r = aliasdb_claims_forget(claims, vpath);
	if (r < 0)
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: cannot forget the claims of %s: %s\n", vpath,
			 strerror(-r));
	atomic_fetch_add(&fs->dpkg->gen, 1);
	afs_dpkgdb_inval_attrs(fs);
}
