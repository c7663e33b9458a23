/*
 * Declared aliases: when an entry of the declaration directory
 * (usr/share/aliasfs/aliases.d) is created, written, renamed or removed
 * through the view, the watcher thread runs a sync, as a dpkg file trigger
 * would. Request threads only count the changes; the watcher syncs once
 * the count has been quiet for one tick, so a package unpacking several
 * declarations causes one sync, and no request waits for it.
 *
 * Layer 5 (view services, fs/README.md): calls the leaf helpers below.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>

#include "aliasdb.h"
#include "fs/afs.h"
#include "fs/db-handle.h"
#include "fs/decl-sync.h"
#include "fs/inode.h"
#include "fs/tree-lock.h"

/* Is @dir the view directory @path (a declaration directory)? */
static bool afs_decl_dir_is(const struct afs_inode *dir, const char *path)
{
	return dir && dir->kind == AFS_KIND_DIR && dir->path &&
	       strcmp(dir->path, path) == 0;
}

static bool afs_decl_is_dir(const struct afs_inode *dir)
{
	return afs_decl_dir_is(dir, "/" ALIASDB_DECL_DIR);
}

/* A change in the retention rule directory, counted for retain.c. */
static void afs_decl_note_retain_dir(struct afs_fs *fs,
				     const struct afs_inode *dir)
{
	if (afs_decl_dir_is(dir, "/" ALIASDB_RETAIN_DIR))
		atomic_fetch_add(&fs->retain_changes, 1);
}

void afs_decl_note_dir(struct afs_fs *fs, const struct afs_inode *dir)
{
	afs_decl_note_retain_dir(fs, dir);
	if (afs_decl_is_dir(dir))
		atomic_fetch_add(&fs->decl_changes, 1);
}

void afs_decl_note_released(struct afs_fs *fs, struct afs_inode *inode,
			    int flags)
{
	bool hit = false;

	if ((flags & O_ACCMODE) == O_RDONLY && !(flags & O_TRUNC))
		return;
	if (!inode || inode->kind != AFS_KIND_FILE)
		return;
	afs_rdlock(fs);
	pthread_mutex_lock(&fs->table_lock);
	if (inode->n_locs > 0) {
		hit = afs_decl_is_dir(inode->locs[0].parent);
		afs_decl_note_retain_dir(fs, inode->locs[0].parent);
	}
	pthread_mutex_unlock(&fs->table_lock);
	afs_unlock(fs);
	if (hit)
		atomic_fetch_add(&fs->decl_changes, 1);
}

static void afs_decl_log(const struct aliasdb_sync_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n_events; i++) {
		const struct aliasdb_sync_event *e = &rep->events[i];
		bool problem = e->kind == ALIASDB_SYNC_REFUSED ||
			       e->kind == ALIASDB_SYNC_MALFORMED ||
			       e->kind == ALIASDB_SYNC_UNREADABLE;

		if (e->alias && !e->decl)
			fuse_log(FUSE_LOG_INFO,
				 "aliasfs: sync: %s %s -> %s%s%s\n",
				 aliasdb_sync_kind_name(e->kind), e->alias,
				 e->canonical, e->detail ? ": " : "",
				 e->detail ? e->detail : "");
		else
			fuse_log(problem ? FUSE_LOG_WARNING : FUSE_LOG_INFO,
				 "aliasfs: sync: %s/%s:%u: %s%s%s\n",
				 ALIASDB_DECL_DIR, e->decl, e->line,
				 aliasdb_sync_kind_name(e->kind),
				 e->detail ? ": " : "",
				 e->detail ? e->detail : "");
	}
}

/* One sync, with the database handle opened read-write. */
static void afs_decl_sync(struct afs_fs *fs)
{
	struct aliasdb_sync_report *rep;
	struct aliasdb *db;
	int r;

	if (fs->ro) {
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: declarations changed; read-only: not "
			 "synced\n");
		return;
	}
	r = afs_db_acquire(fs, true, &db);
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: cannot sync the declarations: cannot open "
			 "%s: %s\n",
			 fs->db_dir, strerror(-r));
		return;
	}
	r = aliasdb_sync(db, fs->root_fd, &rep);
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: cannot sync the declarations in %s: %s\n",
			 ALIASDB_DECL_DIR, strerror(-r));
	} else {
		afs_decl_log(rep);
		aliasdb_sync_report_free(rep);
	}
	afs_db_release(fs);
}

void afs_decl_tick(struct afs_fs *fs)
{
	uint64_t n = atomic_load(&fs->decl_changes);

	if (n == fs->decl_synced)
		return;
	if (n != fs->decl_seen) {
		/* Still changing: wait for a quiet tick. */
		fs->decl_seen = n;
		return;
	}
	fs->decl_synced = n;
	afs_decl_sync(fs);
}
