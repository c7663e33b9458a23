/*
 * The daemon's one handle on the alias database (db-handle.c).
 */
#ifndef AFS_DB_HANDLE_H
#define AFS_DB_HANDLE_H

#include <stdbool.h>

struct afs_fs;
struct aliasdb;

/* The handle, with db_lock held (release with afs_db_release()): opened,
 * or reopened read-write when @write wants it. A database missing is
 * -ENOENT for a read, and created with the architecture's default set
 * (what the view showed) for a write. 0 or -errno (no lock held then). */
int afs_db_acquire(struct afs_fs *fs, bool write, struct aliasdb **ret_db);
void afs_db_release(struct afs_fs *fs);
/* Close it (before fork, and at unmount). */
void afs_db_close(struct afs_fs *fs);

#endif /* AFS_DB_HANDLE_H */
