/*
 * Canonical directories made real (dir-canonical.c).
 */
#ifndef AFS_DIR_CANONICAL_H
#define AFS_DIR_CANONICAL_H

struct afs_fs;
struct afs_inode;

/* Make sure @dir exists at its canonical location in the backing (slot
 * 0), creating missing canonical parents: 0 or -errno. Call without
 * tree_lock. */
int afs_dir_ensure_canonical(struct afs_fs *fs, struct afs_inode *dir);

#endif /* AFS_DIR_CANONICAL_H */
