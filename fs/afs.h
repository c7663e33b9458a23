/*
 * aliasfs daemon: shared internal definitions.
 *
 * Locking, outermost first:
 *  - fs->tree_lock (rwlock): every operation holds it for reading while it
 *    uses directory source slots, view paths and the alias map; slot
 *    recomputation, canonical parent creation, directory renames and map
 *    swaps hold it for writing.
 *  - fs->door_lock (mutex): the door records (door.c).
 *  - fs->table_lock (mutex): the inode table, lookup counts and references.
 *  - fs->cache_lock (mutex): the lookup cache.
 *  - fs->listing_lock (mutex): directory listings kept for readers.
 * Leaves, taken with none of the above held inside them: fs->stop_lock
 * (the watcher's wake-up) and fs->notify.lock (notify-queue.c).
 * The retention rules' lock (retain.h) comes after tree_lock, before
 * table_lock.
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

#include "aliasdb.h"
#include "fs/dpkg-pages.h"
#include "fs/inode-table.h"
#include "fs/notify-queue.h"
#include "fs/sources.h"

/* Synthetic inode numbers of alias symlinks live in this reserved range. */
#define AFS_ALIAS_INO_BASE 0xfffffff000000000ULL
/* ... and directories the view shows without any backing source (the
 * canonical directory of an alias, and its parents, in an empty tree). */
#define AFS_VIRTUAL_INO_BASE 0xffffffe000000000ULL
/* Directories reached through a door (door.h) are registered in the inode
 * table under their backing key with this bit set in the device number,
 * which no real device number has: the same backing directory is another
 * inode there than through its canonical spelling, as the kernel allows
 * no directory at two places. */
#define AFS_DOOR_KEY_BIT (1ULL << 63)

enum afs_kind {
	AFS_KIND_FILE, /* any non-directory backed by one O_PATH fd */
	AFS_KIND_DIR,  /* a merged directory with source slots */
	AFS_KIND_ALIAS /* synthetic alias symlink */
};

/* One backing directory providing (part of) a view directory. */
struct afs_slot {
	int fd; /* O_PATH|O_DIRECTORY, or -1 (slot 0 only) */
	dev_t dev;
	ino_t ino;
	char *bpath; /* backing path relative to the root (alias slots) */
};

#define AFS_MAX_LOCS 4

struct afs_loc {
	struct afs_inode *parent;
	char *name;
};

struct afs_inode {
	enum afs_kind kind;
	uint64_t nlookup; /* kernel lookup count, under table_lock */
	unsigned refs;	  /* internal references (children), table_lock */
	uint64_t serial;  /* unique per inode, keys the lookup cache */
	ino_t st_ino;	  /* the inode number the view reports */
	dev_t dev;	  /* primary key (files) */
	ino_t ino;
	/* Files: an O_PATH descriptor kept once the view removed a name of
	 * the file while the kernel still knew it: with file I/O by inode
	 * nothing tells whether it is still open (table_lock). */
	int fd;
	mode_t type; /* S_IFMT bits of a file */
	/* dpkg database view: the kernel was let cache the presented
	 * attributes, to be invalidated when the claims change
	 * (table_lock). */
	bool dpkg_attr_cached;
	/* dpkg database view: whether the kernel may keep the pages of a
	 * presented file across opens (dpkg-db-view.c, table_lock). */
	struct afs_dpkg_pages dpkg_pages;
	struct afs_dpkg_handle *dpkg_handles;
	unsigned n_dpkg_handles;
	bool persistent; /* virtual directory: lives as long as the mount */

	/* Directories (tree_lock). */
	struct afs_inode *parent; /* holds a reference; NULL for the root */
	char *name;
	char *path; /* view path, "/" for the root */
	struct afs_slot *slots;
	unsigned n_slots;
	uint64_t gen;		      /* tree generation the slots match */
	_Atomic uint64_t cache_gen;   /* bumped on every change in the dir */
	struct afs_listing *listings; /* readdir.c, listing_lock */
	uint32_t listing_gen;	      /* listing_lock */
	/* Reached through a door (door.h): the kernel caches nothing of it
	 * and the lookup cache is not used (set at creation). */
	bool door_side;

	/* Alias symlinks. */
	char *alias;  /* alias path */
	char *target; /* relative symlink text */

	/* Files: the names it was last seen under, most recent first (more
	 * than one for hard links), each holding a reference on its
	 * directory (table_lock). */
	struct afs_loc locs[AFS_MAX_LOCS];
	unsigned n_locs;
	/* While the file is open: a descriptor to reach it by when no name
	 * is left (open, then unlinked), table_lock. */
	int *open_fds; /* the handles' own descriptors, not copies */
	unsigned n_open;

	/* Every live file and directory inode, to free them at unmount
	 * (table_lock). */
	struct afs_inode *prev_all;
	struct afs_inode *next_all;
};

struct afs_lookup_cache;
struct afs_listing;
struct afs_dpkg_handle;
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

/* The inode table key device of backing directory @dev as a source of
 * view directory @dir. */
static inline dev_t afs_dir_key_dev(const struct afs_inode *dir, dev_t dev)
{
	return dir->door_side ? (dev_t)(dev | AFS_DOOR_KEY_BIT) : dev;
}

static inline struct afs_fs *afs_data(fuse_req_t req)
{
	return (struct afs_fs *)fuse_req_userdata(req);
}

/* inode.c */
struct afs_inode *afs_inode_get(fuse_req_t req, fuse_ino_t ino);
int afs_inode_new_dir_root(struct afs_fs *fs, int root_fd);
void afs_inode_unref_locked(struct afs_fs *fs, struct afs_inode *inode,
			    uint64_t nlookup, unsigned refs);
void afs_inode_forget(struct afs_fs *fs, struct afs_inode *inode,
		      uint64_t nlookup);
void afs_inode_free_all(struct afs_fs *fs);
void afs_inode_link_all_locked(struct afs_fs *fs, struct afs_inode *inode);
int afs_dir_compute_slots(struct afs_fs *fs, struct afs_inode *parent,
			  const char *name, const char *path,
			  struct afs_slot **ret_slots, unsigned *ret_n);
void afs_slots_free(struct afs_slot *slots, unsigned n);
void afs_dir_register_keys(struct afs_fs *fs, struct afs_inode *dir);
void afs_dir_unregister_keys(struct afs_fs *fs, struct afs_inode *dir);
int afs_dir_refresh(struct afs_fs *fs, struct afs_inode *dir);
int afs_dir_ensure_canonical(struct afs_fs *fs, struct afs_inode *dir);
int afs_dir_first_fd(const struct afs_inode *dir);
int afs_file_open_path(struct afs_fs *fs, struct afs_inode *inode);
int afs_file_open(struct afs_fs *fs, struct afs_inode *inode, int flags);
void afs_file_opened(struct afs_fs *fs, struct afs_inode *inode, int fd);
void afs_file_closed(struct afs_fs *fs, struct afs_inode *inode, int fd);
void afs_file_keep_unlinked(struct afs_fs *fs, int dirfd, const char *name,
			    const struct stat *st);
void afs_file_relocate(struct afs_fs *fs, struct afs_inode *inode,
		       struct afs_inode *dir, const char *name);
int afs_inode_stat(struct afs_fs *fs, struct afs_inode *inode,
		   struct stat *ret_st);
char *afs_path_join(const char *dir, const char *name);
void afs_rdlock(struct afs_fs *fs);
void afs_wrlock(struct afs_fs *fs);
void afs_unlock(struct afs_fs *fs);
int afs_prepare_dir(struct afs_fs *fs, struct afs_inode *dir);
void afs_dir_changed(struct afs_inode *dir);
/* @dir's content changed only in backing sources other than the one whose
 * times the view shows (afs_dir_first_fd()): that one's mtime and ctime
 * change too, as one directory's would. Call with tree_lock held. */
void afs_dir_touch_shown(struct afs_inode *dir);
int afs_proc_path(int fd, char *buf, size_t size);
int afs_open_beneath(struct afs_fs *fs, const char *rel);
struct afs_inode *afs_virtual_dir(struct afs_fs *fs, struct afs_inode *dir,
				  const char *name, const char *path);
struct afs_inode *afs_virtual_find(struct afs_fs *fs, const char *path);

/* lookup.c */
int afs_lookup_cache_new(struct afs_lookup_cache **ret_cache);
void afs_lookup_cache_free(struct afs_lookup_cache *cache);
int afs_do_lookup(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		  struct fuse_entry_param *ret_e);
struct afs_caller;
int afs_do_lookup_by(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		     struct afs_caller *caller, struct fuse_entry_param *ret_e);
int afs_lookup_view_dir(struct afs_fs *fs, const char *path,
			struct afs_inode **ret_dir);
int afs_lookup_door_dir(struct afs_fs *fs, struct afs_inode *canonical,
			struct afs_inode **ret_door);
struct afs_inode *afs_alias_inode(struct afs_fs *fs, size_t alias_index);
void afs_fill_alias_stat(struct afs_fs *fs, const struct afs_inode *alias,
			 struct stat *st);
void afs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void afs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void afs_op_forget_multi(fuse_req_t req, size_t count,
			 struct fuse_forget_data *forgets);
int afs_find_entry(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		   int *ret_slot, struct stat *ret_st);

/* readdir.c */
void afs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void afs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi);
void afs_op_releasedir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);
void afs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi);
void afs_dir_listings_free(struct afs_inode *dir);
int afs_dir_union_empty(struct afs_fs *fs, struct afs_slot *slots, unsigned n,
			const char *path);

/* attr.c */
void afs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		    int to_set, struct fuse_file_info *fi);
void afs_op_readlink(fuse_req_t req, fuse_ino_t ino);
void afs_op_statfs(fuse_req_t req, fuse_ino_t ino);

/* file-io.c */
bool afs_noflush(const struct afs_fs *fs, int flags);
void afs_io_written(struct afs_fs *fs, struct afs_inode *inode);
void afs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi);
void afs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in,
		      off_t off, struct fuse_file_info *fi);
void afs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		  struct fuse_file_info *fi);
void afs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
		      off_t length, struct fuse_file_info *fi);
void afs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi);
void afs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			    struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			    off_t off_out, struct fuse_file_info *fi_out,
			    size_t len, int flags);

/* create.c */
void afs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		   mode_t mode, struct fuse_file_info *fi);
void afs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, dev_t rdev);
void afs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode);
void afs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name);
void afs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname);
bool afs_is_alias_name(struct afs_fs *fs, struct afs_inode *dir,
		       const char *name);
void afs_creds_enter(fuse_req_t req);
void afs_creds_leave(void);

/* remove.c */
void afs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void afs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
int afs_remove_other_providers(struct afs_fs *fs, struct afs_inode *dir,
			       const char *name, int keep_slot);

/* rename.c */
void afs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname,
		   unsigned int flags);

/* xattr.c */
void afs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags);
void afs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     size_t size);
void afs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void afs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

/* alias-watch.c */
int afs_aliases_initial(struct afs_fs *fs);
int afs_watch_start(struct afs_fs *fs);
void afs_watch_stop(struct afs_fs *fs);

/* alias-unlink.c: an alias unlinked by a program that has exited without
 * replacing it (door.h) goes when its canonical directory is empty in
 * the union. Call without tree_lock. */
int afs_alias_remove_if_unused(struct afs_fs *fs, const char *alias);
/* Is the view directory @canonical empty? 1, 0, or -errno. */
int afs_alias_canonical_empty(struct afs_fs *fs, const char *canonical);
void afs_alias_reap(struct afs_fs *fs);
fuse_ino_t afs_view_nodeid(struct afs_fs *fs, const char *path);
void afs_alias_retired_free(struct afs_fs *fs);

/* db-handle.c: the daemon's one alias database handle. afs_db_acquire()
 * returns it with db_lock held (release with afs_db_release()), opened,
 * or reopened read-write when @write wants it; a database missing is
 * -ENOENT for a read, and created with the architecture's default set
 * (what the view showed) for a write. */
int afs_db_acquire(struct afs_fs *fs, bool write, struct aliasdb **ret_db);
void afs_db_release(struct afs_fs *fs);
void afs_db_close(struct afs_fs *fs);

/* fd-pressure.c */
void afs_fd_pressure_relieve(struct afs_fs *fs);
void afs_fd_pressure_check(struct afs_fs *fs);

/* decl-sync.c */
void afs_decl_note_dir(struct afs_fs *fs, const struct afs_inode *dir);
void afs_decl_note_released(struct afs_fs *fs, struct afs_inode *inode,
			    int flags);
void afs_decl_tick(struct afs_fs *fs);

/* conflicts.c */
int afs_conflicts_new(struct afs_conflicts **ret);
void afs_conflicts_free(struct afs_conflicts *c);
void afs_conflict_note(struct afs_fs *fs, const char *canonical_bpath,
		       const char *shadowed_bpath);
void afs_conflicts_process(struct afs_fs *fs);

/* init-flags.c */
int afs_init_flags_install(struct afs_fs *fs, struct fuse_session *se);
void afs_init_flags_want(struct afs_fs *fs, struct fuse_conn_info *conn);

/* setid.c: what changed a file, for which bits go. */
enum afs_setid_change {
	AFS_SETID_WRITE, /* write, truncation, allocation */
	AFS_SETID_CHOWN, /* owner or group */
};
/* After @change through backing descriptor @fd (any kind): clears the
 * bits the caller of @req could not keep. 1 if it cleared some (the
 * kernel then needs afs_setid_notify() unless the reply has the new
 * attributes), 0 if not, -errno. @before: the file's stat before a
 * chown, else NULL. */
int afs_setid_clear(fuse_req_t req, int fd, enum afs_setid_change change,
		    const struct stat *before);
void afs_setid_notify(struct afs_fs *fs, fuse_ino_t ino);

#endif /* AFS_H */
