/*
 * The caller's umask for what the daemon creates on its behalf.
 *
 * A native create applies the creating process's umask, unless the
 * parent directory has a default POSIX ACL: then the ACL decides and the
 * umask is not applied at all. The kernel can apply the umask before it
 * sends the request, but it does not know the backing's ACLs, so a
 * parent with a default ACL would get both. Asked for FUSE_DONT_MASK
 * (afs_op_init), it sends the mode as the caller gave it and the
 * caller's umask beside it, and the daemon makes the backing file system
 * decide exactly as for a native create: each worker thread has its own
 * umask (unshare(CLONE_FS) at its start: umask, root and working
 * directory become per thread; the daemon uses no relative paths from
 * its working directory), set to the caller's for the creating system
 * call and back to the daemon's after it. A caller whose umask is the
 * daemon's (022 for most) costs nothing; any other costs two umask()
 * calls, two of the dozens of system calls a create makes.
 *
 * The alternatives were worse: masking the mode by hand is wrong under
 * a default ACL, and reading the parent's ACL first costs a getxattr per
 * create and races with setfacl. The daemon's own files (its database,
 * canonical parent directories) keep the daemon's umask.
 *
 * A thread that cannot have its own umask (unshare refused by a seccomp
 * filter) masks the mode by hand, with the shared umask cleared (the
 * daemon's own files are made with explicit modes): right except under
 * a default ACL.
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/afs.h"
#include "fs/caller-umask.h"

static _Thread_local bool afs_umask_own;
static _Thread_local bool afs_umask_changed;
static _Thread_local mode_t afs_umask_daemon;

int afs_umask_thread_init(void)
{
	if (unshare(CLONE_FS) < 0) {
		int r = -errno;

		umask(0);
		return r;
	}
	afs_umask_own = true;
	afs_umask_daemon = umask(022);
	umask(afs_umask_daemon);
	return 0;
}

mode_t afs_umask_enter(fuse_req_t req, mode_t mode)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	/* Without FUSE_DONT_MASK the kernel has masked the mode already. */
	mode_t caller = afs_data(req)->dont_mask ? ctx->umask & 0777 : 0;

	if (!afs_umask_own)
		return mode & ~caller;
	if (caller != afs_umask_daemon) {
		umask(caller);
		afs_umask_changed = true;
	}
	return mode;
}

void afs_umask_leave(void)
{
	if (afs_umask_changed) {
		umask(afs_umask_daemon);
		afs_umask_changed = false;
	}
}
