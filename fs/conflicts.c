/*
 * Conflicts: one view name provided by differing backing entries on the
 * canonical and the alias side. Lookups only queue candidates (cheap); the
 * watcher thread compares them (content, bounded) and records real
 * conflicts in the database, creating it if needed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliasdb.h"
#include "fs/afs.h"
#include "fs/backing.h"
#include "fs/conflicts.h"
#include "fs/db-handle.h"
#include "fs/name-set.h"
#include "fs/path.h"

/* Regular files larger than this are not compared byte by byte: they are
 * reported, which is the safe side for a human to check. */
#define AFS_CONFLICT_COMPARE_MAX (64 * 1024 * 1024)

struct afs_conflict_item {
	char *canonical; /* backing paths relative to the root */
	char *shadowed;
	struct afs_conflict_item *next;
};

struct afs_conflicts {
	pthread_mutex_t lock;
	struct afs_name_set *seen;
	struct afs_conflict_item *head;
	struct afs_conflict_item *tail;
};

int afs_conflicts_new(struct afs_conflicts **ret)
{
	struct afs_conflicts *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = afs_name_set_new(true, &c->seen);
	if (r < 0) {
		free(c);
		return r;
	}
	pthread_mutex_init(&c->lock, NULL);
	*ret = c;
	return 0;
}

static void afs_conflict_item_free(struct afs_conflict_item *it)
{
	free(it->canonical);
	free(it->shadowed);
	free(it);
}

void afs_conflicts_free(struct afs_conflicts *c)
{
	struct afs_conflict_item *it, *next;

	if (!c)
		return;
	for (it = c->head; it; it = next) {
		next = it->next;
		afs_conflict_item_free(it);
	}
	afs_name_set_free(c->seen);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void afs_conflict_note(struct afs_fs *fs, const char *canonical_bpath,
		       const char *shadowed_bpath)
{
	struct afs_conflicts *c = fs->conflicts;
	struct afs_conflict_item *it;
	size_t la = strlen(canonical_bpath), lb = strlen(shadowed_bpath);
	char *key = malloc(la + lb + 2);
	int r;

	if (!key)
		return;
	memcpy(key, canonical_bpath, la);
	key[la] = '\n';
	memcpy(key + la + 1, shadowed_bpath, lb + 1);
	pthread_mutex_lock(&c->lock);
	r = afs_name_set_add(c->seen, key);
	if (r == 1) {
		it = calloc(1, sizeof(*it));
		if (it) {
			it->canonical = strdup(canonical_bpath);
			it->shadowed = strdup(shadowed_bpath);
		}
		if (!it || !it->canonical || !it->shadowed) {
			if (it)
				afs_conflict_item_free(it);
		} else {
			if (c->tail)
				c->tail->next = it;
			else
				c->head = it;
			c->tail = it;
		}
	}
	pthread_mutex_unlock(&c->lock);
	free(key);
}

static int afs_same_content(int a, int b, off_t size)
{
	char ba[65536], bb[65536];
	off_t off = 0;

	while (off < size) {
		ssize_t na = pread(a, ba, sizeof(ba), off);
		ssize_t nb = pread(b, bb, sizeof(bb), off);

		if (na <= 0 || na != nb || memcmp(ba, bb, (size_t)na) != 0)
			return 0;
		off += na;
	}
	return 1;
}

/* Are the two backing entries the same file for the view? 1 yes, 0 no,
 * -errno when one of them is gone. */
static int afs_entries_identical(struct afs_fs *fs, const char *a,
				 const char *b)
{
	struct stat sa, sb;
	int fa, fb, r = 0;

	fa = aliasdb_open_beneath(fs->root_fd, a, O_PATH | O_NOFOLLOW,
				  ALIASDB_BENEATH_NO_SYMLINKS);
	if (fa < 0)
		return fa;
	fb = aliasdb_open_beneath(fs->root_fd, b, O_PATH | O_NOFOLLOW,
				  ALIASDB_BENEATH_NO_SYMLINKS);
	if (fb < 0) {
		close(fa);
		return fb;
	}
	if (fstatat(fa, "", &sa, AT_EMPTY_PATH) < 0 ||
	    fstatat(fb, "", &sb, AT_EMPTY_PATH) < 0) {
		r = -errno;
		goto out;
	}
	if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino) {
		r = 1;
	} else if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT)) {
		r = 0;
	} else if (S_ISDIR(sa.st_mode)) {
		r = 1; /* merged, not a conflict */
	} else if (S_ISLNK(sa.st_mode)) {
		char la[4097], lb[4097];
		ssize_t na = readlinkat(fa, "", la, sizeof(la));
		ssize_t nb = readlinkat(fb, "", lb, sizeof(lb));

		r = na >= 0 && na == nb && memcmp(la, lb, (size_t)na) == 0;
	} else if (S_ISREG(sa.st_mode)) {
		if (sa.st_size != sb.st_size ||
		    sa.st_size > AFS_CONFLICT_COMPARE_MAX) {
			r = 0;
		} else {
			char pa[64], pb[64];
			int ra, rb;

			(void)afs_proc_path(fa, pa, sizeof(pa));
			(void)afs_proc_path(fb, pb, sizeof(pb));
			ra = open(pa, O_RDONLY | O_CLOEXEC);
			rb = open(pb, O_RDONLY | O_CLOEXEC);
			r = ra >= 0 && rb >= 0 &&
			    afs_same_content(ra, rb, sa.st_size);
			if (ra >= 0)
				close(ra);
			if (rb >= 0)
				close(rb);
		}
	} else {
		r = sa.st_rdev == sb.st_rdev;
	}
out:
	close(fa);
	close(fb);
	return r;
}

static void afs_conflict_record(struct afs_fs *fs, const char *canonical,
				const char *shadowed)
{
	struct aliasdb *db;
	int r;

	if (fs->ro) {
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: conflict: %s shadows %s (read-only: not "
			 "recorded)\n",
			 canonical, shadowed);
		return;
	}
	/* Creates the database with the default set if needed (db-handle.c,
	 * shared with alias deactivation). */
	r = afs_db_acquire(fs, true, &db);
	if (r < 0) {
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: conflict: %s shadows %s; cannot record it "
			 "in %s: %s\n",
			 canonical, shadowed, fs->db_dir, strerror(-r));
		return;
	}
	r = aliasdb_conflict_add(db, canonical, shadowed);
	if (r < 0)
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: conflict: %s shadows %s; cannot record it "
			 "in %s: %s\n",
			 canonical, shadowed, fs->db_dir, strerror(-r));
	else if (r == 1)
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: conflict recorded: %s shadows %s\n",
			 canonical, shadowed);
	afs_db_release(fs);
}

void afs_conflicts_process(struct afs_fs *fs)
{
	struct afs_conflicts *c = fs->conflicts;
	struct afs_conflict_item *it, *next;

	pthread_mutex_lock(&c->lock);
	it = c->head;
	c->head = c->tail = NULL;
	pthread_mutex_unlock(&c->lock);
	for (; it; it = next) {
		next = it->next;
		if (afs_entries_identical(fs, it->canonical, it->shadowed) ==
		    0) {
			char *a = afs_path_join("/", it->canonical);
			char *b = afs_path_join("/", it->shadowed);

			if (a && b)
				afs_conflict_record(fs, a, b);
			free(a);
			free(b);
		}
		afs_conflict_item_free(it);
	}
}
