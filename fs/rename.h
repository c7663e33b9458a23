/*
 * rename across the alias boundary (rename.c).
 */
#ifndef AFS_RENAME_H
#define AFS_RENAME_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

void afs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname,
		   unsigned int flags);

#endif /* AFS_RENAME_H */
