/*
 * Conflicts: queued by lookups, compared and recorded by the watcher (conflicts.c).
 */
#ifndef AFS_CONFLICTS_H
#define AFS_CONFLICTS_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;
struct afs_conflicts;

int afs_conflicts_new(struct afs_conflicts **ret);
void afs_conflicts_free(struct afs_conflicts *c);
void afs_conflict_note(struct afs_fs *fs, const char *canonical_bpath,
		       const char *shadowed_bpath);
void afs_conflicts_process(struct afs_fs *fs);

#endif /* AFS_CONFLICTS_H */
