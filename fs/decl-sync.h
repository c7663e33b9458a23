/*
 * Declared aliases (decl-sync.c): changes of the declaration directory
 * counted by request threads, synced by the watcher once quiet.
 */
#ifndef AFS_DECL_SYNC_H
#define AFS_DECL_SYNC_H

struct afs_fs;
struct afs_inode;

/* Something in @dir changed: counted when it is the declaration
 * directory. */
void afs_decl_note_dir(struct afs_fs *fs, const struct afs_inode *dir);
/* A handle of @inode opened with @flags was released: counted when it
 * was open for writing a file of the declaration directory. */
void afs_decl_note_released(struct afs_fs *fs, struct afs_inode *inode,
			    int flags);
/* The watcher, each tick: sync when the count has been quiet a tick. */
void afs_decl_tick(struct afs_fs *fs);

#endif /* AFS_DECL_SYNC_H */
