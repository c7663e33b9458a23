/*
 * The alias map (alias-watch.c): its initial load, and the watcher
 * thread that swaps in a changed map and runs the background work.
 */
#ifndef AFS_ALIAS_WATCH_H
#define AFS_ALIAS_WATCH_H

struct afs_fs;

/* Before mounting: the map from the database, or the architecture's
 * default set without one. 0 or -errno (-EUCLEAN: damaged, -EPROTO:
 * newer schema). */
int afs_aliases_initial(struct afs_fs *fs);
/* Start the watcher thread (after fork): 0 or -errno. Stop and join it. */
int afs_watch_start(struct afs_fs *fs);
void afs_watch_stop(struct afs_fs *fs);

#endif /* AFS_ALIAS_WATCH_H */
