/*
 * Attributes: getattr, setattr, readlink, statfs (attr.c).
 */
#ifndef AFS_ATTR_H
#define AFS_ATTR_H

#include <fuse_lowlevel.h>
#include <sys/stat.h>

void afs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		    int to_set, struct fuse_file_info *fi);
void afs_op_readlink(fuse_req_t req, fuse_ino_t ino);
void afs_op_statfs(fuse_req_t req, fuse_ino_t ino);

#endif /* AFS_ATTR_H */
