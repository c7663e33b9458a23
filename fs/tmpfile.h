/*
 * O_TMPFILE through the view (tmpfile.c).
 */
#ifndef AFS_TMPFILE_H
#define AFS_TMPFILE_H

#include <fuse_lowlevel.h>
#include <stdbool.h>

struct afs_fs;

/* Before libfuse sees request @buf: a FUSE_TMPFILE becomes a create of
 * the name afs_tmpfile_name() recognizes. */
void afs_tmpfile_request(struct fuse_buf *buf);

/* Is @name, given to the create operation, an O_TMPFILE request? */
bool afs_tmpfile_name(const char *name);

/* The entry for the reply to an O_TMPFILE create: a new inode for the
 * unnamed backing file open as @fd, holding its own O_PATH descriptor
 * until the kernel forgets it (one lookup counted). 0 or -errno. */
int afs_tmpfile_entry(struct afs_fs *fs, int fd,
		      struct fuse_entry_param *ret_e);

#endif /* AFS_TMPFILE_H */
