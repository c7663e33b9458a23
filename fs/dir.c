/*
 * View directories kept current: their path and source slots follow the
 * tree generation (bumped on a map swap or a directory rename) and are
 * recomputed on first use after it; change marks for the lookup cache.
 *
 * Layer 4 (directories, fs/README.md): calls the inode core and leaf helpers
 * below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fs/afs.h"
#include "fs/dir-slots.h"
#include "fs/dir.h"
#include "fs/inode.h"
#include "fs/path.h"
#include "fs/tree-lock.h"

/* Bring @dir's path and slots up to the current tree generation. Call
 * with tree_lock held for writing. */
int afs_dir_refresh_locked(struct afs_fs *fs, struct afs_inode *dir)
{
	uint64_t gen = atomic_load(&fs->tree_gen);
	struct afs_slot *slots;
	unsigned n;
	char *path;
	int r;

	if (dir == fs->root || dir->gen == gen || !dir->parent)
		return 0;
	r = afs_dir_refresh_locked(fs, dir->parent);
	if (r < 0)
		return r;
	path = afs_path_join(dir->parent->path, dir->name);
	if (!path)
		return -ENOMEM;
	r = afs_dir_compute_slots(fs, dir->parent, dir->name, path, &slots, &n);
	if (r < 0) {
		free(path);
		return r;
	}
	pthread_mutex_lock(&fs->table_lock);
	afs_dir_unregister_keys(fs, dir);
	afs_slots_free(dir->slots, dir->n_slots);
	dir->slots = slots;
	dir->n_slots = n;
	afs_dir_register_keys(fs, dir);
	pthread_mutex_unlock(&fs->table_lock);
	free(dir->path);
	dir->path = path;
	dir->gen = gen;
	atomic_fetch_add(&dir->cache_gen, 1);
	return 0;
}

static int afs_dir_refresh(struct afs_fs *fs, struct afs_inode *dir)
{
	int r;

	afs_wrlock(fs);
	r = afs_dir_refresh_locked(fs, dir);
	afs_unlock(fs);
	return r;
}

/* Refresh @dir if the tree changed since its slots were computed. Call
 * without tree_lock. */
int afs_prepare_dir(struct afs_fs *fs, struct afs_inode *dir)
{
	if (dir->kind != AFS_KIND_DIR)
		return -ENOTDIR;
	if (dir == fs->root || dir->gen == atomic_load(&fs->tree_gen))
		return 0;
	return afs_dir_refresh(fs, dir);
}

void afs_dir_changed(struct afs_inode *dir)
{
	atomic_fetch_add(&dir->cache_gen, 1);
}

void afs_dir_touch_shown(struct afs_inode *dir)
{
	/* mtime now (and so ctime), atime alone, as an unlink does. */
	static const struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
	int fd = afs_dir_first_fd(dir);

	if (fd >= 0)
		(void)utimensat(fd, "", ts, AT_EMPTY_PATH);
}
