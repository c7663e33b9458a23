/*
 * The dpkg database view: dpkg's lists, diversions, statoverrides and file
 * triggers are presented with every spelling of each claimed path (see
 * aliasdb.h, "dpkg database claims"), so dpkg treats /bin/x and
 * /usr/bin/x as one file. The backing keeps exactly what dpkg wrote.
 *
 * The hooks the other operations call are small: stat results and entries
 * get the presented size (and no attribute caching), a read-only open gets
 * a private copy of the presented content, and a rename onto / write to /
 * unlink of a database file teaches the claims what dpkg did.
 */
#ifndef AFS_DPKG_DB_VIEW_H
#define AFS_DPKG_DB_VIEW_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

enum afs_dpkgdb_policy {
	AFS_DPKGDB_CLAIMS = 0, /* default: the dpkg-aware view */
	AFS_DPKGDB_RAW,	       /* dpkg's database as the backing has it */
};

/* Parse a dpkgdb= option value. Returns 0 and *ret_policy, or -EINVAL. */
int afs_dpkgdb_parse_policy(const char *value,
			    enum afs_dpkgdb_policy *ret_policy);

/* After daemonizing: open the claims store (a failure is logged and the
 * view falls back to presenting without memory of releases). */
void afs_dpkgdb_start(struct afs_fs *fs);
void afs_dpkgdb_stop(struct afs_fs *fs);

/* Is @inode a presented dpkg database file? tree_lock held. */
bool afs_dpkgdb_presented(struct afs_fs *fs, struct afs_inode *inode);

/* Would the file @name of view directory @dir_path be presented? Its
 * attributes then cost computing its content. */
bool afs_dpkgdb_presents(struct afs_fs *fs, const char *dir_path,
			 const char *name);

/*
 * Stat results of @inode: the presented size. The kernel may cache it:
 * every claims or alias map change invalidates what it was given (see
 * afs_dpkgdb_inval_attrs). Call with tree_lock held for reading.
 */
void afs_dpkgdb_fix_stat(struct afs_fs *fs, struct afs_inode *inode,
			 struct stat *st, double *timeout);

/*
 * Open @inode for reading through the view: 1 and *ret_fd (a sealed copy
 * of the presented content, the caller's) when it is a presented file
 * opened read-only, with whether the kernel may keep the inode's pages
 * (*ret_keep_cache); 0 when the ordinary open applies, -errno.
 * Call with tree_lock held for reading.
 */
int afs_dpkgdb_open(struct afs_fs *fs, struct afs_inode *inode, int flags,
		    int *ret_fd, bool *ret_keep_cache);

/*
 * A read of @inode without a handle (file I/O by inode): 1 and *ret_fd (a
 * sealed copy of the presented content as it is now, the caller's) when
 * it is a presented file, 0 when the backing file is read, -errno. The
 * kernel keeps the pages of such reads; it drops them when the presented
 * size or modification time changes (afs_dpkgdb_fix_stat).
 * Call with tree_lock held for reading.
 */
int afs_dpkgdb_read_fd(struct afs_fs *fs, struct afs_inode *inode, int *ret_fd);

/* Handle @fd of @inode is being released (any handle: only presented
 * ones are counted). */
void afs_dpkgdb_closed(struct afs_fs *fs, struct afs_inode *inode, int fd);

/* @inode's content changed other than through a handle (truncate): the
 * kernel's pages of it are never trusted to be presented content. */
void afs_dpkgdb_pages_changed(struct afs_fs *fs, struct afs_inode *inode);

/* The claims or the alias map changed: the kernel forgets the attributes
 * of every presented file it was given (attributes only, so this never
 * waits for a page a read holds). Takes table_lock; any other lock may be
 * held. */
void afs_dpkgdb_inval_attrs(struct afs_fs *fs);

/* A handle of @inode opened with @flags is being released: if it wrote a
 * presented file, learn from what it wrote. */
void afs_dpkgdb_released(struct afs_fs *fs, struct afs_inode *inode, int flags);

/*
 * A rename (@flags) of @dir/@name onto @ndir/@newname is about to happen:
 * remember what dpkg was shown there (the claims may not know), and when
 * dpkg replaces a file it rewrites whole, have @name hold what dpkg would
 * have written natively. Returns an opaque token for
 * afs_dpkgdb_rename_end() (NULL when nothing to do). Call with tree_lock
 * held for reading.
 */
void *afs_dpkgdb_rename_begin(struct afs_fs *fs, struct afs_inode *dir,
			      const char *name, struct afs_inode *ndir,
			      const char *newname, unsigned int flags);

/* The rename succeeded (@ok) or not; consumes @token. Call without locks
 * and after replying: it may notify the kernel. */
void afs_dpkgdb_rename_end(struct afs_fs *fs, void *token, bool ok);

/* Backing file @st, named @name in view directory @dir, is being
 * unlinked: if that removes its last name, forget its presented copy.
 * Call with tree_lock held. */
void afs_dpkgdb_removing(struct afs_fs *fs, struct afs_inode *dir,
			 const char *name, const struct stat *st);

/* @dir/@name was unlinked: forget its claims. Call with tree_lock held. */
void afs_dpkgdb_unlinked(struct afs_fs *fs, struct afs_inode *dir,
			 const char *name);

#endif /* AFS_DPKG_DB_VIEW_H */
