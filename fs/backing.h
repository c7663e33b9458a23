/*
 * Reaching backing objects (backing.c): the /proc path of a descriptor,
 * and directories opened beneath the backing root.
 */
#ifndef AFS_BACKING_H
#define AFS_BACKING_H

#include <stddef.h>

struct afs_fs;

/* "/proc/self/fd/@fd" into @buf: 0, or -ENAMETOOLONG. */
int afs_proc_path(int fd, char *buf, size_t size);

/* Open directory @rel (relative to the backing root) O_PATH, without
 * following any symlink and without leaving the root: the descriptor,
 * or -errno (aliasdb_open_beneath(), the project's one rule). */
int afs_open_beneath(struct afs_fs *fs, const char *rel);

#endif /* AFS_BACKING_H */
