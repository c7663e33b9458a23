/*
 * Creating entries: create, mknod, mkdir, symlink, link (create.c).
 */
#ifndef AFS_CREATE_H
#define AFS_CREATE_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

/* The operations. */
void afs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		   mode_t mode, struct fuse_file_info *fi);
void afs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, dev_t rdev);
void afs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode);
void afs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name);
void afs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname);
/* Is @name in @dir an alias? Call with tree_lock held. */
bool afs_is_alias_name(struct afs_fs *fs, struct afs_inode *dir,
		       const char *name);

#endif /* AFS_CREATE_H */
