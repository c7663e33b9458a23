/*
 * Virtual directories (dir-virtual.c).
 */
#ifndef AFS_DIR_VIRTUAL_H
#define AFS_DIR_VIRTUAL_H

struct afs_fs;
struct afs_inode;

/* The persistent directory inode for view path @path (child @name of
 * @dir) that the view shows even without a backing source; NULL when out
 * of memory. Call with tree_lock held. */
struct afs_inode *afs_virtual_dir(struct afs_fs *fs, struct afs_inode *dir,
				  const char *name, const char *path);
/* The virtual directory inode at view path @path, or NULL. Call with
 * tree_lock held. */
struct afs_inode *afs_virtual_find(struct afs_fs *fs, const char *path);

#endif /* AFS_DIR_VIRTUAL_H */
