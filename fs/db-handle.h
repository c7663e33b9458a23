/*
 * The daemon's one handle on the alias database (db-handle.c).
 */
#ifndef AFS_DB_HANDLE_H
#define AFS_DB_HANDLE_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;
struct aliasdb;

/* the daemon's one alias database handle. afs_db_acquire()
 * returns it with db_lock held (release with afs_db_release()), opened,
 * or reopened read-write when @write wants it; a database missing is
 * -ENOENT for a read, and created with the architecture's default set
 * (what the view showed) for a write. */
int afs_db_acquire(struct afs_fs *fs, bool write, struct aliasdb **ret_db);
void afs_db_release(struct afs_fs *fs);
void afs_db_close(struct afs_fs *fs);

#endif /* AFS_DB_HANDLE_H */
