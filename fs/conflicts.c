/*
 * Conflicts: one view name provided by differing backing entries on the
 * canonical and the alias side. Lookups only queue candidates (cheap); the
 * watcher thread compares them (aliasdb_entries_same()) and records real
 * conflicts in the database, creating it if needed.
 *
 * Layer 5 (view services, fs/README.md): calls the leaf helpers below.
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

/* Backing entry @bpath (relative to the root): its directory, opened
 * beneath the root, its last name in *ret_name and its lstat in *ret_st.
 * The descriptor, or -errno (-ENOENT when it is gone). */
static int afs_conflict_entry(struct afs_fs *fs, const char *bpath,
			      const char **ret_name, struct stat *ret_st)
{
	const char *slash = strrchr(bpath, '/');
	char *dir = slash ? strndup(bpath, (size_t)(slash - bpath)) : NULL;
	int fd;

	if (slash && !dir)
		return -ENOMEM;
	fd = dir ? afs_open_beneath(fs, dir)
		 : fcntl(fs->root_fd, F_DUPFD_CLOEXEC, 0);
	free(dir);
	if (fd < 0)
		return slash ? fd : -errno;
	*ret_name = slash ? slash + 1 : bpath;
	if (fstatat(fd, *ret_name, ret_st, AT_SYMLINK_NOFOLLOW) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/*
 * Are the two backing entries the same file for the view? 1 yes, 0 no,
 * -errno when one of them is gone. The rule is aliasdb_entries_same(),
 * the one `aliasctl status` and the sync apply, of any size: only the
 * watcher thread compares, holding no lock a request waits for, so a
 * large file delays the watcher's next tick, never a request.
 */
static int afs_entries_identical(struct afs_fs *fs, const char *a,
				 const char *b)
{
	const char *na, *nb;
	struct stat sa, sb;
	int fa, fb, r;

	fa = afs_conflict_entry(fs, a, &na, &sa);
	if (fa < 0)
		return fa;
	fb = afs_conflict_entry(fs, b, &nb, &sb);
	if (fb < 0) {
		close(fa);
		return fb;
	}
	/* Two directories are merged, not a conflict. */
	r = aliasdb_entries_same(fa, na, &sa, fb, nb, &sb, 0);
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
