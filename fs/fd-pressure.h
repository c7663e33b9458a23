/*
 * Descriptor pressure (fd-pressure.c).
 */
#ifndef AFS_FD_PRESSURE_H
#define AFS_FD_PRESSURE_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

void afs_fd_pressure_relieve(struct afs_fs *fs);
void afs_fd_pressure_check(struct afs_fs *fs);

#endif /* AFS_FD_PRESSURE_H */
