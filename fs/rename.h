/*
 * rename across the alias boundary (rename.c).
 */
#ifndef AFS_RENAME_H
#define AFS_RENAME_H

#include <fuse_lowlevel.h>

void afs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname,
		   unsigned int flags);

#endif /* AFS_RENAME_H */
