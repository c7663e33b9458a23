/*
 * Removing an alias a program unlinked and left unused
 * (alias-unlink.c).
 */
#ifndef AFS_ALIAS_UNLINK_H
#define AFS_ALIAS_UNLINK_H

#include <fuse_lowlevel.h>

struct afs_fs;

/* An alias unlinked by a program that has exited without replacing it
 * (door.h) goes when its canonical directory is empty in the union: 1
 * removed, 0 kept, -errno. Call without tree_lock. */
int afs_alias_remove_if_unused(struct afs_fs *fs, const char *alias);
/* Is the view directory @canonical empty? 1, 0, or -errno. */
int afs_alias_canonical_empty(struct afs_fs *fs, const char *canonical);
/* Remove the aliases of programs that have exited (door records). Call
 * without tree_lock. */
void afs_alias_reap(struct afs_fs *fs);
/* FUSE node id of the view directory at @path if the kernel may know
 * it, 0 otherwise. Call without tree_lock. */
fuse_ino_t afs_view_nodeid(struct afs_fs *fs, const char *path);
/* At unmount: the maps replaced by alias removals. */
void afs_alias_retired_free(struct afs_fs *fs);

#endif /* AFS_ALIAS_UNLINK_H */
