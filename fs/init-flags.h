/*
 * INIT flags that libfuse 3.14 does not pass on to the kernel
 * (init-flags.c).
 */
#ifndef AFS_INIT_FLAGS_H
#define AFS_INIT_FLAGS_H

#include <fuse_lowlevel.h>

struct afs_fs;

/* Before the session runs: hook the INIT reply of @se. 0 or -errno. */
int afs_init_flags_install(struct afs_fs *fs, struct fuse_session *se);
/* From the init operation: the flags wanted of those @conn offers. */
void afs_init_flags_want(struct afs_fs *fs, struct fuse_conn_info *conn);

#endif /* AFS_INIT_FLAGS_H */
