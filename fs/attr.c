/*
 * Attributes: getattr, setattr, readlink, statfs.
 *
 * Layer 6 (operations, fs/README.md): calls file-io.c in its layer and the
 * view services, directories, inode core and leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/attr.h"
#include "fs/backing.h"
#include "fs/dir-canonical.h"
#include "fs/dir-slots.h"
#include "fs/dir.h"
#include "fs/door.h"
#include "fs/dpkg-db-view.h"
#include "fs/file-io.h"
#include "fs/inode-file.h"
#include "fs/inode-stat.h"
#include "fs/inode.h"
#include "fs/retain.h"
#include "fs/setid.h"
#include "fs/tree-lock.h"

/* Attributes, through the open file when there is one (it may have no
 * name left). Call with tree_lock held. */
static int afs_getattr_fi(struct afs_fs *fs, struct afs_inode *inode,
			  struct fuse_file_info *fi, struct stat *ret_st)
{
	/* A presented dpkg database file's handle is a private copy: its
	 * attributes come from the file itself. Without a handle (file I/O
	 * by inode, fh 0) the file is found by its names. */
	if (fi && fi->fh != 0 && inode->kind == AFS_KIND_FILE &&
	    !afs_dpkgdb_presented(fs, inode)) {
		if (fstat((int)fi->fh, ret_st) < 0)
			return -errno;
		ret_st->st_ino = inode->st_ino;
		return 0;
	}
	return afs_inode_stat(fs, inode, ret_st);
}

void afs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *inode = afs_inode_get(req, ino);
	struct stat st;
	double timeout = fs->attr_timeout;
	int r;

	if (inode->kind == AFS_KIND_DIR) {
		r = afs_prepare_dir(fs, inode);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
	}
	afs_rdlock(fs);
	r = afs_getattr_fi(fs, inode, fi, &st);
	if (r >= 0) /* dpkg database view: presented size */
		afs_dpkgdb_fix_stat(fs, inode, &st, &timeout);
	afs_unlock(fs);
	if (inode->door_side) /* door.h: changes come the other way */
		timeout = 0;
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, timeout);
}

/* Apply the requested changes to one backing object @fd (O_PATH). */
static int afs_setattr_fd(int fd, bool is_symlink, bool is_dir,
			  const struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	char proc[64];
	int r = afs_proc_path(fd, proc, sizeof(proc));

	if (r < 0)
		return r;
	if (to_set & FUSE_SET_ATTR_MODE) {
		if (is_symlink)
			return -EOPNOTSUPP;
		r = fi ? fchmod((int)fi->fh, attr->st_mode)
		       : chmod(proc, attr->st_mode);
		if (r < 0)
			return -errno;
	}
	if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		uid_t uid =
			(to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
		gid_t gid =
			(to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;

		if (fchownat(fd, "", uid, gid,
			     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (is_dir)
			return -EISDIR;
		if (is_symlink)
			return -EINVAL;
		r = fi ? ftruncate((int)fi->fh, attr->st_size)
		       : truncate(proc, attr->st_size);
		if (r < 0)
			return -errno;
	}
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
		struct timespec ts[2];

		ts[0].tv_sec = 0;
		ts[0].tv_nsec = UTIME_OMIT;
		ts[1] = ts[0];
		if (to_set & FUSE_SET_ATTR_ATIME_NOW)
			ts[0].tv_nsec = UTIME_NOW;
		else if (to_set & FUSE_SET_ATTR_ATIME)
			ts[0] = attr->st_atim;
		if (to_set & FUSE_SET_ATTR_MTIME_NOW)
			ts[1].tv_nsec = UTIME_NOW;
		else if (to_set & FUSE_SET_ATTR_MTIME)
			ts[1] = attr->st_mtim;
		r = fi ? futimens((int)fi->fh, ts)
		       : utimensat(fd, "", ts,
				   AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		if (r < 0)
			return -errno;
	}
	/* chown(path, -1, -1) reaches the daemon as a SETATTR that sets
	 * nothing; on the backing it updates ctime: do that. */
	if (!(to_set &
	      (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID |
	       FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
	       FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)) &&
	    fchownat(fd, "", (uid_t)-1, (gid_t)-1,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/* afs_setattr_fd() on a file, and the set-ID bits that the change may
 * cost (setid.c). The reply carries the mode that results. */
static int afs_setattr_file(fuse_req_t req, int fd, struct afs_inode *inode,
			    const struct stat *attr, int to_set,
			    struct fuse_file_info *fi)
{
	struct stat before;
	bool chown = to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID);
	int r;

	if (chown && fstat(fd, &before) < 0)
		return -errno;
	r = afs_setattr_fd(fd, inode->type == S_IFLNK, false, attr, to_set, fi);
	/* An explicit mode is the caller's to choose. */
	if (r < 0 || (to_set & FUSE_SET_ATTR_MODE))
		return r;
	if (to_set & FUSE_SET_ATTR_SIZE)
		r = afs_setid_clear(req, fd, AFS_SETID_WRITE, NULL);
	if (r >= 0 && chown)
		r = afs_setid_clear(req, fd, AFS_SETID_CHOWN, &before);
	return r < 0 ? r : 0;
}

/*
 * setattr of an alias's link: the view makes it, owned by root, with the
 * times of its root. A program that puts it back as it was (tar extracting
 * a merged tree's `bin -> usr/bin`) sets root as owner and its own times:
 * accepted, the times not kept, as on a file system without link times.
 * Anything else is the alias map's business. Replies to @req.
 */
static void afs_setattr_alias(fuse_req_t req, struct afs_fs *fs,
			      struct afs_inode *inode, const struct stat *attr,
			      int to_set)
{
	struct stat st;

	if ((to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_SIZE)) ||
	    ((to_set & FUSE_SET_ATTR_UID) && attr->st_uid != 0) ||
	    ((to_set & FUSE_SET_ATTR_GID) && attr->st_gid != 0)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	afs_fill_alias_stat(fs, inode, &st);
	fuse_reply_attr(req, &st, fs->attr_timeout);
}

/* Make directory @dir ready for setattr. Call without tree_lock. */
static int afs_setattr_dir_prepare(struct afs_fs *fs, struct afs_inode *dir)
{
	bool only_in_view;
	int r;

	r = afs_prepare_dir(fs, dir);
	afs_rdlock(fs);
	only_in_view = afs_dir_first_fd(dir) < 0;
	afs_unlock(fs);
	/* A directory that exists only in the view keeps a change only once
	 * it exists in the backing: create it, as a write in it would. */
	if (r >= 0 && only_in_view)
		r = afs_dir_ensure_canonical(fs, dir);
	return r;
}

/* setattr of directory @dir; *@timeout becomes 0 when the reply must not
 * be cached. Call with tree_lock held. */
static int afs_setattr_dir(struct afs_fs *fs, struct afs_inode *dir,
			   const struct stat *attr, int to_set, double *timeout)
{
	unsigned j;
	int r = 0;

	/* Every source of a merged directory, so they agree. */
	for (j = 0; j < dir->n_slots && r >= 0; j++)
		if (dir->slots[j].fd >= 0)
			r = afs_setattr_fd(dir->slots[j].fd, false, true, attr,
					   to_set, NULL);
	/* Set through a door (door.h): the canonical spelling's cached
	 * attributes go. */
	if (dir->door_side) {
		afs_door_changed(fs, dir, NULL);
		*timeout = 0;
	}
	return r;
}

/* setattr of a non-directory @inode, through handle @fi when not NULL;
 * *@ret_by_inode is set for a truncation by inode (no handle), which the
 * caller learns from as from a write. Call with tree_lock held. */
static int afs_setattr_nondir(fuse_req_t req, struct afs_fs *fs,
			      struct afs_inode *inode, const struct stat *attr,
			      int to_set, struct fuse_file_info *fi,
			      bool *ret_by_inode)
{
	int fd, r;

	if (to_set & FUSE_SET_ATTR_SIZE) {
		afs_retain_truncating(fs, inode, attr->st_size);
		afs_dpkgdb_pages_changed(fs, inode);
		*ret_by_inode = fs->inode_io && !fi;
	}
	fd = fi ? (int)fi->fh : afs_file_open_path(fs, inode);
	if (fd < 0)
		return fd;
	r = afs_setattr_file(req, fd, inode, attr, to_set, fi);
	if (!fi)
		close(fd);
	return r;
}

void afs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		    int to_set, struct fuse_file_info *fi)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *inode = afs_inode_get(req, ino);
	struct stat st;
	double timeout = fs->attr_timeout;
	bool by_inode = false;
	int r;

	if (fi && fi->fh == 0) /* file I/O by inode: no handle */
		fi = NULL;
	if (inode->kind == AFS_KIND_ALIAS) {
		afs_setattr_alias(req, fs, inode, attr, to_set);
		return;
	}
	if (inode->kind == AFS_KIND_DIR) {
		r = afs_setattr_dir_prepare(fs, inode);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
	}
	afs_rdlock(fs);
	if (inode->kind == AFS_KIND_DIR) {
		r = afs_setattr_dir(fs, inode, attr, to_set, &timeout);
	} else {
		/* dpkg database view: a read handle is a private copy;
		 * changes go to the backing file. */
		if (fi && afs_dpkgdb_presented(fs, inode))
			fi = NULL;
		r = afs_setattr_nondir(req, fs, inode, attr, to_set, fi,
				       &by_inode);
	}
	if (r >= 0)
		r = afs_getattr_fi(fs, inode, fi, &st);
	if (r >= 0) /* dpkg database view: presented size */
		afs_dpkgdb_fix_stat(fs, inode, &st, &timeout);
	afs_unlock(fs);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	fuse_reply_attr(req, &st, timeout);
	/* A truncating open by inode: learn as from a write. */
	if (by_inode)
		afs_io_written(fs, inode);
}

void afs_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct afs_inode *inode = afs_inode_get(req, ino);
	char buf[4097];
	ssize_t n;

	if (inode->kind == AFS_KIND_ALIAS) {
		struct afs_fs *fs = afs_data(req);

		afs_rdlock(fs);
		fuse_reply_readlink(req, inode->target);
		afs_unlock(fs);
		return;
	}
	if (inode->kind != AFS_KIND_FILE || inode->type != S_IFLNK) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	{
		struct afs_fs *fs = afs_data(req);
		int fd;

		afs_rdlock(fs);
		fd = afs_file_open_path(fs, inode);
		afs_unlock(fs);
		if (fd < 0) {
			fuse_reply_err(req, -fd);
			return;
		}
		n = readlinkat(fd, "", buf, sizeof(buf) - 1);
		if (n < 0)
			n = -errno;
		close(fd);
	}
	if (n < 0) {
		fuse_reply_err(req, (int)-n);
		return;
	}
	buf[n] = '\0';
	fuse_reply_readlink(req, buf);
}

void afs_op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct afs_fs *fs = afs_data(req);
	struct statvfs sv;

	if (fstatvfs(fs->root_fd, &sv) < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	fuse_reply_statfs(req, &sv);
}
