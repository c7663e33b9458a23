/*
 * File I/O: open, read (spliced from the backing fd), write, flush,
 * release, fsync, fallocate, lseek, copy_file_range.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/dpkg-db-view.h"

bool afs_noflush(const struct afs_fs *fs, int flags)
{
	/* Writes go straight through to the backing, so a close has
	 * nothing left to report there, unless the backing is a network
	 * file system that reports delayed write errors at close. */
	return (flags & O_ACCMODE) == O_RDONLY || !fs->backing_remote;
}

void afs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *inode = afs_inode_get(req, ino);
	bool keep = false;
	int fd, r;

	if (inode->kind != AFS_KIND_FILE) {
		fuse_reply_err(req,
			       inode->kind == AFS_KIND_DIR ? EISDIR : ELOOP);
		return;
	}
	if (inode->type == S_IFLNK) {
		fuse_reply_err(req, ELOOP);
		return;
	}
	afs_rdlock(fs);
	/* dpkg database view: a read-only open of a presented file reads
	 * a private copy of the presented content. */
	r = afs_dpkgdb_open(fs, inode, fi->flags, &fd, &keep);
	if (r != 0) {
		afs_unlock(fs);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
		fi->fh = (uint64_t)fd;
		fi->keep_cache = keep; /* unless the claims changed it */
		fi->noflush = 1;       /* a private read-only copy */
		if (fuse_reply_open(req, fi) == -ENOENT) {
			afs_dpkgdb_closed(fs, inode, fd);
			close(fd);
		}
		return;
	}
	fd = afs_file_open(fs, inode, fi->flags);
	afs_unlock(fs);
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	afs_file_opened(fs, inode, fd);
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 1;
	fi->noflush = afs_noflush(fs, fi->flags);
	if (fuse_reply_open(req, fi) == -ENOENT) {
		afs_file_closed(fs, inode, fd);
		close(fd);
	}
}

void afs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi)
{
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);

	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = (int)fi->fh;
	buf.buf[0].pos = off;
	fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void afs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in,
		      off_t off, struct fuse_file_info *fi)
{
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in));
	ssize_t n;

	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = (int)fi->fh;
	out.buf[0].pos = off;
	n = fuse_buf_copy(&out, in, 0);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

void afs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* close() of a dup reports delayed write errors (NFS and the like)
	 * without closing our handle. */
	int fd = dup((int)fi->fh);

	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	fuse_reply_err(req, close(fd) < 0 ? errno : 0);
}

void afs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* dpkg database view: learn from a presented file written in
	 * place. */
	afs_dpkgdb_released(afs_data(req), afs_inode_get(req, ino), fi->flags);
	/* A declaration written: sync (in the watcher thread). */
	afs_decl_note_released(afs_data(req), afs_inode_get(req, ino),
			       fi->flags);
	afs_file_closed(afs_data(req), afs_inode_get(req, ino), (int)fi->fh);
	afs_dpkgdb_closed(afs_data(req), afs_inode_get(req, ino), (int)fi->fh);
	close((int)fi->fh);
	fuse_reply_err(req, 0);
}

void afs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		  struct fuse_file_info *fi)
{
	int r = datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh);

	fuse_reply_err(req, r < 0 ? errno : 0);
}

void afs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
		      off_t length, struct fuse_file_info *fi)
{
	int r = fallocate((int)fi->fh, mode, offset, length);

	fuse_reply_err(req, r < 0 ? errno : 0);
}

void afs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi)
{
	off_t r = lseek((int)fi->fh, off, whence);

	if (r < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_lseek(req, r);
}

void afs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			    struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			    off_t off_out, struct fuse_file_info *fi_out,
			    size_t len, int flags)
{
	ssize_t n = copy_file_range((int)fi_in->fh, &off_in, (int)fi_out->fh,
				    &off_out, len, (unsigned)flags);

	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_write(req, (size_t)n);
}
