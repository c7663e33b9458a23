/*
 * Descriptor pressure (fd-pressure.c): near RLIMIT_NOFILE, the kernel
 * is asked to forget the oldest directories.
 */
#ifndef AFS_FD_PRESSURE_H
#define AFS_FD_PRESSURE_H

struct afs_fs;

/* After a directory inode was added, table_lock held: wake the watcher
 * when the high mark is crossed. */
void afs_fd_pressure_check(struct afs_fs *fs);
/* The watcher: ask the kernel to drop the oldest directory entries. */
void afs_fd_pressure_relieve(struct afs_fs *fs);

#endif /* AFS_FD_PRESSURE_H */
