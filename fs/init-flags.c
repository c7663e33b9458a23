/*
 * INIT flags that libfuse 3.14 does not pass on to the kernel.
 *
 * libfuse before 3.16 sets FUSE_CAP_HANDLE_KILLPRIV in conn->want but
 * never puts FUSE_HANDLE_KILLPRIV into its INIT reply (libfuse#861 fixed
 * the same omission for FUSE_PARALLEL_DIROPS), and 3.14 knows nothing of
 * FUSE_HANDLE_KILLPRIV_V2. Without the first, the kernel asks for fresh
 * attributes (a GETATTR round trip) before every chown of a file, to
 * clear set-user-ID bits itself: one request of the ten that tar sends
 * per extracted file. Without the second, it asks for security.capability
 * (a GETXATTR) before every write, also the hundredth to the same file:
 * with it, only before the first. With both, the daemon clears set-ID
 * bits (setid.c); the backing drops file capabilities on the daemon's
 * writes, truncations and chowns by itself.
 *
 * The session's messages go through these I/O functions (libfuse's
 * custom I/O, same descriptor); the first one it writes is the INIT
 * reply, whose flags get what the daemon asked for.
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/init-flags.h"

static ssize_t afs_io_read(int fd, void *buf, size_t len, void *userdata)
{
	(void)userdata;
	return read(fd, buf, len);
}

/* Adds fs->init_flags to the INIT reply in @iov, once. */
static void afs_init_reply_patch(struct afs_fs *fs, struct iovec *iov,
				 int count, struct fuse_init_out *copy)
{
	const struct fuse_out_header *out = iov[0].iov_base;
	uint32_t add = atomic_exchange(&fs->init_flags, 0);

	/* The INIT reply: a header without error, then fuse_init_out (or
	 * one of its shorter compatibility forms, which have no flags
	 * wanted here). */
	if (add == 0 || count != 2 || iov[0].iov_len != sizeof(*out) ||
	    out->error != 0 || iov[1].iov_len != sizeof(*copy))
		return;
	memcpy(copy, iov[1].iov_base, sizeof(*copy));
	copy->flags |= add;
	iov[1].iov_base = copy;
}

static ssize_t afs_io_writev(int fd, struct iovec *iov, int count,
			     void *userdata)
{
	struct afs_fs *fs = userdata;
	struct fuse_init_out copy;

	if (atomic_load_explicit(&fs->init_flags, memory_order_relaxed))
		afs_init_reply_patch(fs, iov, count, &copy);
	return writev(fd, iov, count);
}

static ssize_t afs_io_splice_receive(int fdin, off_t *offin, int fdout,
				     off_t *offout, size_t len,
				     unsigned int flags, void *userdata)
{
	(void)userdata;
	return splice(fdin, offin, fdout, offout, len, flags);
}

static ssize_t afs_io_splice_send(int fdin, off_t *offin, int fdout,
				  off_t *offout, size_t len, unsigned int flags,
				  void *userdata)
{
	(void)userdata;
	return splice(fdin, offin, fdout, offout, len, flags);
}

int afs_init_flags_install(struct afs_fs *fs, struct fuse_session *se)
{
	static const struct fuse_custom_io io = {
		.read = afs_io_read,
		.writev = afs_io_writev,
		.splice_receive = afs_io_splice_receive,
		.splice_send = afs_io_splice_send,
	};

	return fuse_session_custom_io(se, &io, fuse_session_fd(se));
}

void afs_init_flags_want(struct afs_fs *fs, struct fuse_conn_info *conn)
{
	uint32_t add = 0;

	/* The kernel offers it (3.14 tells through conn->capable). */
	if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV) {
		conn->want |= FUSE_CAP_HANDLE_KILLPRIV;
		add |= FUSE_HANDLE_KILLPRIV;
		/* Protocol 7.33 and later. */
		if (conn->proto_major == 7 && conn->proto_minor >= 33)
			add |= FUSE_HANDLE_KILLPRIV_V2;
	}
	fs->kill_setid = add != 0;
	atomic_store(&fs->init_flags, add);
}
