/*
 * Extended attributes, passed through to the backing object (xattr.c).
 */
#ifndef AFS_XATTR_H
#define AFS_XATTR_H

#include <fuse_lowlevel.h>

void afs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags);
void afs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     size_t size);
void afs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void afs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

#endif /* AFS_XATTR_H */
