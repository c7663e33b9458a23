/*
 * Extended attributes, passed through to the backing object. Paths go
 * through /proc/self/fd only for O_PATH fds that are not symlinks, so the
 * daemon never follows a backing symlink.
 *
 * Layer 6 (operations, fs/README.md): calls the inode core and leaf helpers
 * below.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/backing.h"
#include "fs/dir-slots.h"
#include "fs/inode-file.h"
#include "fs/inode.h"
#include "fs/tree-lock.h"
#include "fs/xattr.h"

/* An O_PATH fd to read attributes from (the caller closes it),
 * or -1 for symlinks and aliases. Call with tree_lock held. */
static int afs_xattr_get_fd(struct afs_fs *fs, struct afs_inode *inode)
{
	if (inode->kind == AFS_KIND_DIR) {
		int fd = afs_dir_first_fd(inode);

		return fd < 0 ? -1 : dup(fd);
	}
	if (inode->kind == AFS_KIND_FILE && inode->type != S_IFLNK) {
		int fd = afs_file_open_path(fs, inode);

		return fd < 0 ? -1 : fd;
	}
	return -1;
}

/* getxattr of @name, or listxattr when @name is NULL: @size 0 asks for
 * the length only. */
static void afs_xattr_read(fuse_req_t req, fuse_ino_t ino, const char *name,
			   size_t size)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *inode = afs_inode_get(req, ino);
	char proc[64], *buf = NULL;
	ssize_t n;
	int fd;

	afs_rdlock(fs);
	fd = afs_xattr_get_fd(fs, inode);
	if (fd < 0) {
		/* Symlinks and aliases: no attribute, an empty list. */
		afs_unlock(fs);
		if (name)
			fuse_reply_err(req, ENODATA);
		else if (size == 0)
			fuse_reply_xattr(req, 0);
		else
			fuse_reply_buf(req, NULL, 0);
		return;
	}
	(void)afs_proc_path(fd, proc, sizeof(proc));
	if (size > 0 && !(buf = malloc(size))) {
		n = -ENOMEM;
	} else {
		n = name ? getxattr(proc, name, buf, size)
			 : listxattr(proc, buf, size);
		if (n < 0)
			n = -errno;
	}
	close(fd);
	afs_unlock(fs);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

void afs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     size_t size)
{
	afs_xattr_read(req, ino, name, size);
}

void afs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	afs_xattr_read(req, ino, NULL, size);
}

/* Set (@value non-NULL) or remove an attribute on every source. */
static int afs_xattr_change(struct afs_fs *fs, struct afs_inode *inode,
			    const char *name, const char *value, size_t size,
			    int flags)
{
	char proc[64];
	unsigned j;
	int r = 0, done = 0;

	if (fs->ro)
		return -EROFS;
	if (inode->kind == AFS_KIND_FILE && inode->type != S_IFLNK) {
		int fd = afs_file_open_path(fs, inode);

		if (fd < 0)
			return fd;
		(void)afs_proc_path(fd, proc, sizeof(proc));
		r = value ? setxattr(proc, name, value, size, flags)
			  : removexattr(proc, name);
		r = r < 0 ? -errno : 0;
		close(fd);
		return r;
	}
	if (inode->kind != AFS_KIND_DIR)
		return -EPERM;
	for (j = 0; j < inode->n_slots; j++) {
		if (inode->slots[j].fd < 0)
			continue;
		(void)afs_proc_path(inode->slots[j].fd, proc, sizeof(proc));
		r = value ? setxattr(proc, name, value, size, flags)
			  : removexattr(proc, name);
		if (r < 0) {
			/* Later sources may lack the attribute: only the
			 * first one decides the result. */
			if (done == 0)
				return -errno;
			continue;
		}
		done++;
	}
	return 0;
}

void afs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags)
{
	struct afs_fs *fs = afs_data(req);
	int r;

	afs_rdlock(fs);
	r = afs_xattr_change(fs, afs_inode_get(req, ino), name, value, size,
			     flags);
	afs_unlock(fs);
	fuse_reply_err(req, -r);
}

void afs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct afs_fs *fs = afs_data(req);
	int r;

	afs_rdlock(fs);
	r = afs_xattr_change(fs, afs_inode_get(req, ino), name, NULL, 0, 0);
	afs_unlock(fs);
	fuse_reply_err(req, -r);
}
