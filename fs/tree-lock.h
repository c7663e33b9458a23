/*
 * The tree lock (tree-lock.c): fs->tree_lock, the outermost lock (afs.h).
 */
#ifndef AFS_TREE_LOCK_H
#define AFS_TREE_LOCK_H

struct afs_fs;

void afs_rdlock(struct afs_fs *fs);
void afs_wrlock(struct afs_fs *fs);
void afs_unlock(struct afs_fs *fs);

#endif /* AFS_TREE_LOCK_H */
