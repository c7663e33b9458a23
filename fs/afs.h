/*
 * aliasfs daemon: the filesystem struct every module shares, the request
 * accessor, and the daemon's whole lock order. Each module declares its
 * own functions in its own header (fs/README.md shows the layers).
 *
 * Locks, outermost first. A thread holding one takes only locks listed
 * after it, never one before it:
 *  1. fs->tree_lock (rwlock, tree-lock.c): every operation holds it for
 *     reading while it uses directory source slots, view paths and the
 *     alias map; slot recomputation, canonical parent creation, directory
 *     renames, map swaps and alias removal hold it for writing.
 *  2. fs->db_lock (mutex, db-handle.c): the one database handle, held
 *     while it is in use (alias removal takes it under tree_lock held for
 *     writing; the watcher, conflict records and the declaration sync
 *     with no other lock). Nothing of the daemon is locked inside it.
 *  3. fs->alias_lock (mutex): the inodes that live as long as the mount,
 *     fs->alias_inodes (lookup.c, alias-watch.c) and fs->virtual_inodes
 *     (dir-virtual.c).
 *     fs->door_lock (mutex, door.c): the door records.
 *     These two are never held together.
 *  4. the retention rules' lock (retain.h): the rules and the store.
 *  5. fs->table_lock (mutex): the inode table, lookup counts and
 *     references, the list of live inodes, a file inode's names, kept
 *     and open descriptors and dpkg page state.
 * Leaves: taken under any of the above or none, with nothing taken
 * inside them:
 *  - fs->listing_lock (listing.c): directory listings kept for readers;
 *  - the lookup cache's lock (fs->lcache, lookup.c);
 *  - the dpkg view's lock (fs->dpkg, dpkg-db-view.c): its cache of
 *    presented content and its claims handle;
 *  - the conflict queue's lock (fs->conflicts, conflicts.c);
 *  - fs->notify.lock (notify-queue.c): notifications for the watcher;
 *  - fs->stop_lock with fs->stop_cond (alias-watch.c): the watcher's
 *    wake-up.
 */
#ifndef AFS_H
#define AFS_H

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fs/notify-queue.h"

struct aliasdb;
struct afs_inode;
struct afs_inode_table;
struct afs_aliases;
struct afs_lookup_cache;
struct afs_conflicts;
struct afs_dpkgdb;
struct afs_door;
struct afs_retain;

struct afs_fs {
	/* Options. */
	char *backing;
	char *mountpoint;
	char *db_dir;
	char *arch;
	int ro;
	int no_default_permissions;
	double entry_timeout;
	double attr_timeout;
	double negative_timeout;
	int threads;
	int foreground;
	int debug;

	int root_fd;
	bool is_root;	     /* running as uid 0 */
	bool backing_remote; /* a network file system: close may fail */
	struct fuse_session *se;
	bool no_opendir; /* the kernel sends no opendir/releasedir */
	/* File I/O by inode (file-io.c): the kernel sends no open, flush
	 * or release for files, created ones included. */
	bool inode_io;
	/* INIT flags libfuse does not send, added to its reply
	 * (init-flags.c), and whether the daemon clears set-user-ID and
	 * set-group-ID bits itself (setid.c). */
	_Atomic uint32_t init_flags;
	bool kill_setid;
	/* The kernel sends modes unmasked with the caller's umask
	 * (FUSE_DONT_MASK, caller-umask.c). */
	bool dont_mask;

	pthread_rwlock_t tree_lock;
	pthread_mutex_t table_lock;
	struct afs_inode_table *table;
	struct afs_inode *root;
	pthread_mutex_t listing_lock;
	struct afs_inode *all; /* list of live inodes (table_lock) */
	struct afs_inode *all_tail;
	size_t n_dirs;		     /* live directory inodes (table_lock) */
	size_t nofile_limit;	     /* RLIMIT_NOFILE */
	atomic_bool pressure_kicked; /* the watcher was woken for it */
	_Atomic uint64_t tree_gen;   /* bumped on map swap and dir rename */
	_Atomic uint64_t next_serial;

	/* Alias map (tree_lock). */
	struct afs_aliases *aliases;
	struct afs_inode **alias_inodes; /* for the mount's life */
	size_t n_alias_inodes;
	struct afs_inode **virtual_inodes; /* for the mount's life */
	size_t n_virtual_inodes;
	pthread_mutex_t alias_lock;

	/* Programs replacing an alias with a directory (door.c). */
	pthread_mutex_t door_lock;
	struct afs_door *doors;
	_Atomic unsigned n_doors;
	/* Kernel notifications the watcher sends (notify-queue.c). */
	struct afs_notify_queue notify;

	/* Maps replaced by alias-unlink.c: the watcher reads fs->aliases
	 * without tree_lock, so they are freed at unmount (rare, small). */
	struct afs_aliases **retired_aliases;
	size_t n_retired_aliases;

	/* The one handle on the alias database, db_lock held while in use
	 * (db-handle.c); NULL while there is none. */
	struct aliasdb *db;
	bool db_rw; /* opened read-write */
	pthread_mutex_t db_lock;
	bool db_defaults; /* no database yet: arch default set in use */
	uint64_t db_generation;

	/* Declaration directory changes seen through the view (decl-sync.c):
	 * counted by request threads, synced by the watcher. */
	_Atomic uint64_t decl_changes;
	uint64_t decl_seen;   /* watcher only */
	uint64_t decl_synced; /* watcher only */
	/* Retention rule directory changes, counted the same way and read
	 * by retain.c when it next needs its rules. */
	_Atomic uint64_t retain_changes;

	struct afs_lookup_cache *lcache;
	struct afs_conflicts *conflicts;

	/* dpkg database view (dpkg-db-view.c): enum afs_dpkgdb_policy, and
	 * its state, NULL when dpkg's database is shown raw. */
	int dpkgdb_policy;
	struct afs_dpkgdb *dpkg;

	/* Retention of replaced files (retain.h), NULL before setup. */
	struct afs_retain *retain;

	pthread_t watcher;
	bool watcher_started;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;
	bool stopping;
};

static inline struct afs_fs *afs_data(fuse_req_t req)
{
	return (struct afs_fs *)fuse_req_userdata(req);
}

#endif /* AFS_H */
