/*
 * View directories kept current (dir.c).
 */
#ifndef AFS_DIR_H
#define AFS_DIR_H

struct afs_fs;
struct afs_inode;

/* Refresh @dir if the tree changed since its slots were computed: 0,
 * -ENOTDIR for an inode that is no directory, -errno. Call without
 * tree_lock. */
int afs_prepare_dir(struct afs_fs *fs, struct afs_inode *dir);
/* Bring @dir's path and slots up to the current tree generation. Call
 * with tree_lock held for writing. */
int afs_dir_refresh_locked(struct afs_fs *fs, struct afs_inode *dir);

/* Something in @dir changed: what the lookup cache holds of it is stale. */
void afs_dir_changed(struct afs_inode *dir);
/* @dir's content changed only in backing sources other than the one whose
 * times the view shows (afs_dir_first_fd()): that one's mtime and ctime
 * change too, as one directory's would. Call with tree_lock held. */
void afs_dir_touch_shown(struct afs_inode *dir);

#endif /* AFS_DIR_H */
