/*
 * The alias map: initial load and the watcher thread (alias-watch.c).
 */
#ifndef AFS_ALIAS_WATCH_H
#define AFS_ALIAS_WATCH_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

int afs_aliases_initial(struct afs_fs *fs);
int afs_watch_start(struct afs_fs *fs);
void afs_watch_stop(struct afs_fs *fs);

#endif /* AFS_ALIAS_WATCH_H */
