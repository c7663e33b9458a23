/*
 * File I/O: open, read (spliced from the backing fd), write, flush,
 * release, fsync, fallocate, lseek, copy_file_range.
 *
 * Two ways, chosen per mount (-o handles=). By inode, the default for
 * root on a local backing: the first open is declined, so the kernel
 * opens files without asking and sends no open, flush or release for
 * them (nor a release for a created file), one round trip less per open
 * and per close; each request then reaches the backing file by its inode
 * (fh 0), opening it for that request. Per open: each open gets its own
 * backing descriptor, closed on release; a daemon that is not root needs
 * this (a file created read-only stays writable through its creating
 * descriptor only), and so does a network file system, to report
 * delayed write errors at close.
 *
 * Layer 6 (operations, fs/README.md): calls the view services, inode core
 * and leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/decl-sync.h"
#include "fs/retain.h"
#include "fs/dpkg-db-view.h"
#include "fs/file-io.h"
#include "fs/inode-file.h"
#include "fs/inode.h"
#include "fs/setid.h"
#include "fs/tree-lock.h"

bool afs_noflush(const struct afs_fs *fs, int flags)
{
	/* Writes go straight through to the backing, so a close has
	 * nothing left to report there, unless the backing is a network
	 * file system that reports delayed write errors at close. */
	return (flags & O_ACCMODE) == O_RDONLY || !fs->backing_remote;
}

/*
 * The backing descriptor a request on @inode works on: its handle's, or
 * with file I/O by inode (fh 0) one opened now with @flags, to be closed
 * by the caller (*ret_close). -errno if it cannot be reached.
 */
static int afs_io_fd(struct afs_fs *fs, struct afs_inode *inode,
		     const struct fuse_file_info *fi, int flags,
		     bool *ret_close)
{
	int fd;

	*ret_close = false;
	if (fi && fi->fh != 0)
		return (int)fi->fh;
	afs_rdlock(fs);
	fd = afs_file_open(fs, inode, flags);
	afs_unlock(fs);
	*ret_close = fd >= 0;
	return fd;
}

/* afs_io_fd() for request @req on @ino; on failure it replies the error
 * and returns -1. */
static int afs_io_begin(fuse_req_t req, fuse_ino_t ino,
			const struct fuse_file_info *fi, int flags,
			bool *ret_close)
{
	int fd = afs_io_fd(afs_data(req), afs_inode_get(req, ino), fi, flags,
			   ret_close);

	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return -1;
	}
	return fd;
}

/* The end of what afs_io_begin() started. */
static void afs_io_end(int fd, bool close_it)
{
	if (close_it)
		close(fd);
}

/* What a write by inode keeps of the writer's open flags. */
static int afs_io_write_flags(const struct fuse_file_info *fi)
{
	return O_WRONLY | (fi->flags & (O_APPEND | O_SYNC | O_DSYNC));
}

/* A write by inode changed @inode: what its release would have told. */
void afs_io_written(struct afs_fs *fs, struct afs_inode *inode)
{
	afs_dpkgdb_released(fs, inode, O_WRONLY);
	afs_decl_note_released(fs, inode, O_WRONLY);
}

/* After the reply to a change of @ino's content: tell the kernel its
 * set-ID bits went (@setid, from afs_setid_clear()), and learn from a
 * successful write by inode (@by_inode). */
static void afs_io_changed(struct afs_fs *fs, fuse_ino_t ino,
			   struct afs_inode *inode, bool setid, bool by_inode)
{
	if (setid)
		afs_setid_notify(fs, ino);
	if (by_inode)
		afs_io_written(fs, inode);
}

void afs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *inode = afs_inode_get(req, ino);
	bool keep = false, setid;
	int fd, r;

	if (fs->inode_io) {
		/* The kernel remembers this for the connection: no more
		 * opens, flushes or releases of the files it opens. */
		fuse_reply_err(req, ENOSYS);
		return;
	}
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
	if (fi->flags & O_TRUNC) /* retention (retain.h) */
		afs_retain_truncating(fs, inode, 0);
	fd = afs_file_open(fs, inode, fi->flags);
	afs_unlock(fs);
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	afs_file_opened(fs, inode, fd);
	/* The truncation of an atomic O_TRUNC open. */
	setid = (fi->flags & O_TRUNC) &&
		afs_setid_clear(req, fd, AFS_SETID_WRITE, NULL) > 0;
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 1;
	fi->noflush = afs_noflush(fs, fi->flags);
	if (fuse_reply_open(req, fi) == -ENOENT) {
		afs_file_closed(fs, inode, fd);
		close(fd);
	} else if (setid) {
		afs_setid_notify(fs, ino);
	}
}

void afs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi)
{
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
	struct afs_fs *fs = afs_data(req);
	int fd = (int)fi->fh, r = 0;

	if (fi->fh == 0) {
		struct afs_inode *inode = afs_inode_get(req, ino);

		afs_rdlock(fs);
		/* dpkg database view: the presented content as it is now. */
		r = afs_dpkgdb_read_fd(fs, inode, &fd);
		if (r == 0)
			r = fd = afs_file_open(fs, inode, O_RDONLY);
		afs_unlock(fs);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
	}
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = fd;
	buf.buf[0].pos = off;
	fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
	if (fi->fh == 0)
		close(fd);
}

void afs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in,
		      off_t off, struct fuse_file_info *fi)
{
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in));
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *inode = afs_inode_get(req, ino);
	bool by_inode, setid;
	ssize_t n;
	int fd;

	fd = afs_io_begin(req, ino, fi, afs_io_write_flags(fi), &by_inode);
	if (fd < 0)
		return;
	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = fd;
	out.buf[0].pos = off;
	n = fuse_buf_copy(&out, in, 0);
	setid = n > 0 && afs_setid_clear(req, fd, AFS_SETID_WRITE, NULL) > 0;
	afs_io_end(fd, by_inode);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
	afs_io_changed(fs, ino, inode, setid, n > 0 && by_inode);
}

void afs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* close() of a dup reports delayed write errors (NFS and the like)
	 * without closing our handle. */
	int fd;

	if (fi->fh == 0) {
		/* By inode: nothing is held open, nothing to flush; the
		 * kernel stops sending flushes. */
		fuse_reply_err(req, ENOSYS);
		return;
	}
	fd = dup((int)fi->fh);
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	fuse_reply_err(req, close(fd) < 0 ? errno : 0);
}

void afs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (fi->fh == 0) { /* the open that was declined */
		fuse_reply_err(req, 0);
		return;
	}
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
	bool by_inode;
	int fd, r;

	fd = afs_io_begin(req, ino, fi, O_RDONLY, &by_inode);
	if (fd < 0)
		return;
	r = (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? errno : 0;
	afs_io_end(fd, by_inode);
	fuse_reply_err(req, r);
}

void afs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
		      off_t length, struct fuse_file_info *fi)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *inode = afs_inode_get(req, ino);
	bool by_inode, setid;
	int fd, r;

	fd = afs_io_begin(req, ino, fi, afs_io_write_flags(fi), &by_inode);
	if (fd < 0)
		return;
	r = fallocate(fd, mode, offset, length) < 0 ? errno : 0;
	setid = r == 0 && afs_setid_clear(req, fd, AFS_SETID_WRITE, NULL) > 0;
	afs_io_end(fd, by_inode);
	fuse_reply_err(req, r);
	afs_io_changed(fs, ino, inode, setid, r == 0 && by_inode);
}

void afs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi)
{
	bool by_inode;
	off_t r;
	int fd, e;

	fd = afs_io_begin(req, ino, fi, O_RDONLY, &by_inode);
	if (fd < 0)
		return;
	r = lseek(fd, off, whence);
	e = errno;
	afs_io_end(fd, by_inode);
	if (r < 0)
		fuse_reply_err(req, e);
	else
		fuse_reply_lseek(req, r);
}

void afs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			    struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			    off_t off_out, struct fuse_file_info *fi_out,
			    size_t len, int flags)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *out = afs_inode_get(req, ino_out);
	bool in_by_inode, out_by_inode, setid;
	ssize_t n;
	int in_fd, out_fd, e;

	in_fd = afs_io_begin(req, ino_in, fi_in, O_RDONLY, &in_by_inode);
	if (in_fd < 0)
		return;
	out_fd = afs_io_fd(fs, out, fi_out, afs_io_write_flags(fi_out),
			   &out_by_inode);
	if (out_fd < 0) {
		afs_io_end(in_fd, in_by_inode);
		fuse_reply_err(req, -out_fd);
		return;
	}
	n = copy_file_range(in_fd, &off_in, out_fd, &off_out, len,
			    (unsigned)flags);
	e = errno;
	setid = n > 0 &&
		afs_setid_clear(req, out_fd, AFS_SETID_WRITE, NULL) > 0;
	afs_io_end(in_fd, in_by_inode);
	afs_io_end(out_fd, out_by_inode);
	if (n < 0)
		fuse_reply_err(req, e);
	else
		fuse_reply_write(req, (size_t)n);
	afs_io_changed(fs, ino_out, out, setid, n > 0 && out_by_inode);
}
