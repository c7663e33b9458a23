/*
 * INIT flags that libfuse 3.14 does not pass on to the kernel (init-flags.c).
 */
#ifndef AFS_INIT_FLAGS_H
#define AFS_INIT_FLAGS_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

int afs_init_flags_install(struct afs_fs *fs, struct fuse_session *se);
void afs_init_flags_want(struct afs_fs *fs, struct fuse_conn_info *conn);

#endif /* AFS_INIT_FLAGS_H */
