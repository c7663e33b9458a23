/*
 * rename across the alias boundary: the backing entry providing the source
 * (wherever it is) moves to the canonical location of the target with
 * renameat2 (one backing file system, so never EXDEV there), and every
 * other provider of either name is removed so nothing shadowed reappears.
 *
 * Layer 6 (operations, fs/README.md): calls lookup.c, create.c, remove.c in
 * its layer and the view services, directories, inode core and leaf helpers
 * below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/create.h"
#include "fs/decl-sync.h"
#include "fs/dir-canonical.h"
#include "fs/dir-slots.h"
#include "fs/dir.h"
#include "fs/door.h"
#include "fs/dpkg-db-view.h"
#include "fs/inode-file.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/lookup.h"
#include "fs/path.h"
#include "fs/remove.h"
#include "fs/rename.h"
#include "fs/retain.h"
#include "fs/tree-lock.h"

/* Move the directory inode registered for (dev, ino) to @ndir/@newname.
 * Call with tree_lock held for writing. */
static void afs_rename_dir_inode(struct afs_fs *fs, struct afs_inode *dir,
				 const char *name, struct afs_inode *ndir,
				 const char *newname, dev_t dev, ino_t ino)
{
	struct afs_inode *x, *old_parent;
	char *copy;

	pthread_mutex_lock(&fs->table_lock);
	x = afs_inode_table_get(fs->table, afs_dir_key_dev(dir, dev), ino);
	/* Between a door's side and the canonical side (door.h) it stays:
	 * its path is refreshed by name and finds nothing, which is only
	 * stale. */
	if (!x || x->kind != AFS_KIND_DIR || x->parent != dir ||
	    strcmp(x->name, name) != 0 || dir->door_side != ndir->door_side) {
		pthread_mutex_unlock(&fs->table_lock);
		return;
	}
	copy = strdup(newname);
	if (!copy) {
		/* Keep the old name: the slots refresh from it and find
		 * nothing, which is only stale, never unsafe. */
		pthread_mutex_unlock(&fs->table_lock);
		return;
	}
	free(x->name);
	x->name = copy;
	old_parent = x->parent;
	x->parent = ndir;
	ndir->refs++;
	afs_inode_unref_locked(fs, old_parent, 0, 1);
	pthread_mutex_unlock(&fs->table_lock);
}

/* The file inode of (dev, ino), if known, now lives at @ndir/@newname. */
static void afs_rename_file_inode(struct afs_fs *fs, struct afs_inode *ndir,
				  const char *newname, dev_t dev, ino_t ino)
{
	struct afs_inode *x;

	pthread_mutex_lock(&fs->table_lock);
	x = afs_inode_table_get(fs->table, dev, ino);
	if (!x || x->kind != AFS_KIND_FILE) {
		pthread_mutex_unlock(&fs->table_lock);
		return;
	}
	x->refs++; /* pinned while relocating */
	pthread_mutex_unlock(&fs->table_lock);
	afs_file_relocate(fs, x, ndir, newname);
	pthread_mutex_lock(&fs->table_lock);
	afs_inode_unref_locked(fs, x, 0, 1);
	pthread_mutex_unlock(&fs->table_lock);
}

/* How many backing directories provide view directory @dir/@name? */
static int afs_dir_providers(struct afs_fs *fs, struct afs_inode *dir,
			     const char *name)
{
	struct afs_slot *slots;
	unsigned n, j;
	char *path = afs_path_join(dir->path, name);
	int r, count = 0;

	if (!path)
		return -ENOMEM;
	r = afs_dir_compute_slots(fs, dir, name, path, &slots, &n);
	free(path);
	if (r < 0)
		return r;
	for (j = 0; j < n; j++)
		count += slots[j].fd >= 0;
	afs_slots_free(slots, n);
	return count;
}

/* May the directories involved move as one rename? A merged directory has
 * several backing sources; one rename cannot move them all: EXDEV for the
 * source makes mv copy, ENOTEMPTY for a replaced target. @t < 0: no target. */
static int afs_rename_dirs_movable(struct afs_fs *fs, struct afs_inode *dir,
				   const char *name, const struct stat *sst,
				   struct afs_inode *ndir, const char *newname,
				   int t, const struct stat *tst,
				   unsigned int flags)
{
	int r;

	if (S_ISDIR(sst->st_mode)) {
		r = afs_dir_providers(fs, dir, name);
		if (r < 0)
			return r;
		if (r > 1)
			return -EXDEV;
	}
	if (t >= 0 && S_ISDIR(tst->st_mode) && !(flags & RENAME_EXCHANGE)) {
		r = afs_dir_providers(fs, ndir, newname);
		if (r < 0)
			return r;
		if (r > 1)
			return -ENOTEMPTY;
	}
	return 0;
}

/* RENAME_EXCHANGE of @dir/@name (slot @s) and @ndir/@newname (slot @t):
 * both stay in their own slots, and the inodes swap names. */
static int afs_rename_exchange(struct afs_fs *fs, struct afs_inode *dir,
			       const char *name, int s, const struct stat *sst,
			       struct afs_inode *ndir, const char *newname,
			       int t, const struct stat *tst)
{
	if (renameat2(dir->slots[s].fd, name, ndir->slots[t].fd, newname,
		      RENAME_EXCHANGE) < 0)
		return -errno;
	/* A directory's inode passes through a name no view entry can
	 * have, so two directory inodes never hold one name at once. */
	if (S_ISDIR(sst->st_mode))
		afs_rename_dir_inode(fs, dir, name, ndir, "\x01tmp",
				     sst->st_dev, sst->st_ino);
	if (S_ISDIR(tst->st_mode))
		afs_rename_dir_inode(fs, ndir, newname, dir, name, tst->st_dev,
				     tst->st_ino);
	if (S_ISDIR(sst->st_mode))
		afs_rename_dir_inode(fs, ndir, "\x01tmp", ndir, newname,
				     sst->st_dev, sst->st_ino);
	if (!S_ISDIR(sst->st_mode))
		afs_rename_file_inode(fs, ndir, newname, sst->st_dev,
				      sst->st_ino);
	if (!S_ISDIR(tst->st_mode))
		afs_rename_file_inode(fs, dir, name, tst->st_dev, tst->st_ino);
	return 0;
}

/* A plain or RENAME_NOREPLACE rename: @dir/@name (slot @s) moves to the
 * canonical slot of @ndir, replacing @ndir/@newname (slot @t, or -1). */
static int afs_rename_move(struct afs_fs *fs, struct afs_inode *dir,
			   const char *name, int s, const struct stat *sst,
			   struct afs_inode *ndir, const char *newname, int t,
			   const struct stat *tst, unsigned int flags)
{
	int r;

	if (ndir->slots[0].fd < 0)
		return -ENOENT;
	if (t >= 0) /* the target's file loses its name */
		afs_file_keep_unlinked(fs, ndir->slots[t].fd, newname, tst);
	if (renameat2(dir->slots[s].fd, name, ndir->slots[0].fd, newname,
		      flags) < 0)
		return -errno;
	/* Shadowed entries of the target name would come back. */
	r = afs_remove_other_providers(fs, ndir, newname, 0);
	if (r < 0)
		return r;
	/* ... and so would other providers of the source name. */
	r = afs_remove_other_providers(fs, dir, name, -1);
	if (r < 0)
		return r;
	if (S_ISDIR(sst->st_mode))
		afs_rename_dir_inode(fs, dir, name, ndir, newname, sst->st_dev,
				     sst->st_ino);
	else
		afs_rename_file_inode(fs, ndir, newname, sst->st_dev,
				      sst->st_ino);
	return 0;
}

/*
 * The rename under tree_lock (read, or write when @write_locked). A
 * directory's rename changes view paths, which needs the lock for writing:
 * then *@ret_need_wrlock is set and nothing is done, for the caller to
 * retry with @write_locked.
 */
static int afs_rename_locked(struct afs_fs *fs, struct afs_inode *dir,
			     const char *name, struct afs_inode *ndir,
			     const char *newname, unsigned int flags,
			     bool write_locked, bool *ret_need_wrlock)
{
	struct stat sst, tst;
	int s, t, r;
	bool same = dir == ndir && strcmp(name, newname) == 0;

	if (afs_is_alias_name(fs, dir, name) ||
	    afs_is_alias_name(fs, ndir, newname))
		return -EPERM;
	if (fs->ro)
		return -EROFS;
	r = afs_find_entry(fs, dir, name, &s, &sst);
	if (r < 0)
		return r;
	r = afs_find_entry(fs, ndir, newname, &t, &tst);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT)
		t = -1;
	if (same)
		return 0;
	if ((S_ISDIR(sst.st_mode) || (t >= 0 && S_ISDIR(tst.st_mode))) &&
	    !write_locked) {
		*ret_need_wrlock = true;
		return 0;
	}
	if ((flags & RENAME_NOREPLACE) && t >= 0)
		return -EEXIST;
	if ((flags & RENAME_EXCHANGE) && t < 0)
		return -ENOENT;
	r = afs_rename_dirs_movable(fs, dir, name, &sst, ndir, newname, t, &tst,
				    flags);
	if (r < 0)
		return r;
	if (flags & RENAME_EXCHANGE)
		r = afs_rename_exchange(fs, dir, name, s, &sst, ndir, newname,
					t, &tst);
	else
		r = afs_rename_move(fs, dir, name, s, &sst, ndir, newname, t,
				    &tst, flags);
	if (r < 0)
		return r;
	/* A name left a backing directory whose times the view may not
	 * show (afs_dir_touch_shown()). */
	if (dir->slots[s].fd != afs_dir_first_fd(dir))
		afs_dir_touch_shown(dir);
	if ((flags & RENAME_EXCHANGE) &&
	    ndir->slots[t].fd != afs_dir_first_fd(ndir))
		afs_dir_touch_shown(ndir);
	if (S_ISDIR(sst.st_mode) || (t >= 0 && S_ISDIR(tst.st_mode)))
		atomic_fetch_add(&fs->tree_gen, 1); /* paths changed */
	return 0;
}

void afs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname,
		   unsigned int flags)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, parent);
	struct afs_inode *ndir = afs_inode_get(req, newparent);
	bool need_wrlock = false;
	void *dpkg_token, *retain_token;
	int r;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	r = afs_prepare_dir(fs, dir);
	if (r >= 0)
		r = afs_prepare_dir(fs, ndir);
	if (r >= 0 && !(flags & RENAME_EXCHANGE))
		r = afs_dir_ensure_canonical(fs, ndir);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	afs_rdlock(fs);
	/* dpkg database view: dpkg renames P.list-new onto P.list. */
	dpkg_token =
		afs_dpkgdb_rename_begin(fs, dir, name, ndir, newname, flags);
	/* Retention: the target's file may be kept (retain.h). */
	retain_token = (flags & RENAME_EXCHANGE)
			       ? NULL
			       : afs_retain_begin(fs, ndir, newname);
	r = afs_rename_locked(fs, dir, name, ndir, newname, flags, false,
			      &need_wrlock);
	afs_unlock(fs);
	if (r >= 0 && need_wrlock) {
		afs_wrlock(fs);
		r = afs_rename_locked(fs, dir, name, ndir, newname, flags, true,
				      &need_wrlock);
		afs_unlock(fs);
	}
	if (r >= 0) {
		afs_dir_changed(dir);
		afs_dir_changed(ndir);
		afs_rdlock(fs);
		afs_decl_note_dir(fs, dir);
		afs_decl_note_dir(fs, ndir);
		/* Below a door (door.h): the target's deferred removal is
		 * moot, and the canonical spelling learns of both names. */
		if (afs_doors_active(fs)) {
			char *path = afs_path_join(ndir->path, newname);

			if (path)
				(void)afs_door_creating(fs, NULL, path,
							ndir->door_side);
			free(path);
		}
		afs_door_changed(fs, dir, name);
		afs_door_changed(fs, ndir, newname);
		afs_unlock(fs);
	}
	afs_dpkgdb_rename_end(fs, dpkg_token, r >= 0);
	afs_retain_end(fs, retain_token, r >= 0);
	fuse_reply_err(req, -r);
}
