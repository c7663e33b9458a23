/*
 * Conflicts (conflicts.c): candidates queued by lookups, compared by
 * the watcher thread with aliasdb_entries_same() and recorded.
 */
#ifndef AFS_CONFLICTS_H
#define AFS_CONFLICTS_H

struct afs_fs;
struct afs_conflicts;

/* The queue, made and freed with the daemon: 0 or -ENOMEM. Free
 * accepts NULL. */
int afs_conflicts_new(struct afs_conflicts **ret);
void afs_conflicts_free(struct afs_conflicts *c);
/* Backing entries @canonical_bpath and @shadowed_bpath (relative to the
 * root) provide one view name: queue the pair once (cheap, any thread). */
void afs_conflict_note(struct afs_fs *fs, const char *canonical_bpath,
		       const char *shadowed_bpath);
/* The watcher: compare the queued pairs and record those that differ. */
void afs_conflicts_process(struct afs_fs *fs);

#endif /* AFS_CONFLICTS_H */
