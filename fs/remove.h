/*
 * Removing names: unlink, rmdir (remove.c).
 */
#ifndef AFS_REMOVE_H
#define AFS_REMOVE_H

#include <fuse_lowlevel.h>

struct afs_fs;
struct afs_inode;

void afs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void afs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
/* Remove @name from every slot of @dir except @keep_slot (-1: none):
 * non-directories are unlinked, directories removed if empty. The number
 * removed, or -errno. Call with tree_lock held. */
int afs_remove_other_providers(struct afs_fs *fs, struct afs_inode *dir,
			       const char *name, int keep_slot);

#endif /* AFS_REMOVE_H */
