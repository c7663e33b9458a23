/*
 * Declared aliases synced when the declaration directory changes (decl-sync.c).
 */
#ifndef AFS_DECL_SYNC_H
#define AFS_DECL_SYNC_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

void afs_decl_note_dir(struct afs_fs *fs, const struct afs_inode *dir);
void afs_decl_note_released(struct afs_fs *fs, struct afs_inode *inode,
			    int flags);
void afs_decl_tick(struct afs_fs *fs);

#endif /* AFS_DECL_SYNC_H */
