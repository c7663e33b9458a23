/*
 * Creating entries: create, mknod, mkdir, symlink, link. New entries are
 * always made at the canonical location in the backing (slot 0), whose
 * missing parents are created first.
 *
 * Layer 6 (operations, fs/README.md): calls lookup.c, file-io.c, alias-
 * door.c in its layer and the view services, directories, inode core, alias
 * table and leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/alias-door.h"
#include "fs/backing.h"
#include "fs/caller-umask.h"
#include "fs/create.h"
#include "fs/decl-sync.h"
#include "fs/dir-canonical.h"
#include "fs/dir.h"
#include "fs/door.h"
#include "fs/file-io.h"
#include "fs/inode-file.h"
#include "fs/inode.h"
#include "fs/lookup.h"
#include "fs/path.h"
#include "fs/sources.h"
#include "fs/tmpfile.h"
#include "fs/tree-lock.h"

/* Create as the caller, so new files get its owner and group. fsuid and
 * fsgid are per thread. */
static void afs_creds_enter(fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	if (!afs_data(req)->is_root)
		return;
	(void)setfsgid(ctx->gid);
	(void)setfsuid(ctx->uid);
}

static void afs_creds_leave(void)
{
	(void)setfsuid(0);
	(void)setfsgid(0);
}

/* Call with tree_lock held. */
bool afs_is_alias_name(struct afs_fs *fs, struct afs_inode *dir,
		       const char *name)
{
	return afs_aliases_find_child(fs->aliases, dir->path, name) >= 0;
}

/*
 * A name whose removal by @caller's door program was deferred (door.h) is
 * made again by it: the old entry goes now, as the program believes it
 * gone. Directories stay (the creation then finds one, as it would have
 * made). Call with tree_lock held.
 */
static void afs_create_over_deferred(struct afs_fs *fs,
				     struct afs_caller *caller,
				     struct afs_inode *dir, const char *name)
{
	char *path;
	unsigned j;

	if (!afs_doors_active(fs))
		return;
	path = afs_path_join(dir->path, name);
	if (!path)
		return;
	if (afs_door_creating(fs, caller, path, dir->door_side) == 1) {
		for (j = 0; j < dir->n_slots; j++) {
			struct stat st;

			if (dir->slots[j].fd < 0 ||
			    fstatat(dir->slots[j].fd, name, &st,
				    AT_SYMLINK_NOFOLLOW) < 0 ||
			    S_ISDIR(st.st_mode))
				continue;
			afs_file_keep_unlinked(fs, dir->slots[j].fd, name, &st);
			(void)unlinkat(dir->slots[j].fd, name, 0);
		}
		afs_dir_changed(dir);
	}
	free(path);
}

/*
 * Get @dir ready for a new entry @name and take tree_lock for reading.
 * On success returns the canonical backing dir fd; on failure -errno with
 * the lock not held.
 */
static int afs_create_begin(fuse_req_t req, struct afs_inode *dir,
			    const char *name)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_caller caller;
	int r;

	if (dir->kind != AFS_KIND_DIR)
		return -ENOTDIR;
	afs_caller_of(req, &caller);
	r = afs_prepare_dir(fs, dir);
	if (r < 0)
		return r;
	afs_rdlock(fs);
	if (afs_is_alias_name(fs, dir, name)) {
		r = afs_alias_door_create_error(fs, &caller, dir, name);
		afs_unlock(fs);
		return r;
	}
	if (fs->ro) {
		afs_unlock(fs);
		return -EROFS;
	}
	afs_create_over_deferred(fs, &caller, dir, name);
	if (dir->slots[0].fd >= 0)
		return dir->slots[0].fd;
	afs_unlock(fs);
	r = afs_dir_ensure_canonical(fs, dir);
	if (r < 0)
		return r;
	afs_rdlock(fs);
	if (dir->slots[0].fd < 0) {
		afs_unlock(fs);
		return -ENOENT;
	}
	return dir->slots[0].fd;
}

/* After a successful creation of @name in @dir (tree_lock held): the
 * entry for the reply, and the lock released. */
static int afs_create_end(struct afs_fs *fs, struct afs_inode *dir,
			  const char *name, struct fuse_entry_param *ret_e)
{
	int r;

	afs_dir_changed(dir);
	afs_door_changed(fs, dir, name);
	afs_decl_note_dir(fs, dir);
	r = afs_do_lookup(fs, dir, name, ret_e);
	afs_unlock(fs);
	return r == -ENOENT ? -EIO : r;
}

enum afs_make_kind {
	AFS_MAKE_FILE,
	AFS_MAKE_NODE,
	AFS_MAKE_DIR,
	AFS_MAKE_SYMLINK,
	AFS_MAKE_TMPFILE /* an unnamed file in the directory (tmpfile.c) */
};

static int afs_make_call(int dfd, const char *name, enum afs_make_kind kind,
			 mode_t mode, dev_t rdev, const char *link, int oflags)
{
	int r;

	switch (kind) {
	case AFS_MAKE_FILE:
		return openat(dfd, name,
			      (oflags | O_CREAT | O_NOFOLLOW | O_CLOEXEC) &
				      ~O_PATH,
			      mode);
	case AFS_MAKE_TMPFILE:
		return openat(dfd, ".",
			      (oflags & ~(O_CREAT | O_PATH | O_NOCTTY)) |
				      O_TMPFILE | O_CLOEXEC,
			      mode);
	case AFS_MAKE_NODE:
		r = mknodat(dfd, name, mode, rdev);
		break;
	case AFS_MAKE_DIR:
		r = mkdirat(dfd, name, mode);
		break;
	default:
		r = symlinkat(link, dfd, name);
		break;
	}
	return r < 0 ? -1 : 0;
}

/* Give @name in @dfd (or the unnamed file @fd) to the caller of @req,
 * after the daemon made it as root: its group stays the setgid
 * directory's, and its set-ID bits, which root's chown clears, stay. */
static void afs_make_give(fuse_req_t req, int dfd, const char *name, int fd)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct stat dst, st;
	gid_t gid = ctx->gid;
	int r;

	if (fstat(dfd, &dst) == 0 && (dst.st_mode & S_ISGID))
		gid = (gid_t)-1; /* inherited from the setgid directory */
	r = fd >= 0 ? fstat(fd, &st)
		    : fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return;
	r = fd >= 0 ? fchown(fd, ctx->uid, gid)
		    : fchownat(dfd, name, ctx->uid, gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0 || !(st.st_mode & (S_ISUID | S_ISGID)) || S_ISLNK(st.st_mode))
		return;
	if (fd >= 0)
		(void)fchmod(fd, st.st_mode & 07777);
	else
		(void)fchmodat(dfd, name, st.st_mode & 07777, 0);
}

/*
 * Make @name in backing dir @dfd as the caller, with its umask
 * (caller-umask.c). Returns the open fd for AFS_MAKE_FILE and
 * AFS_MAKE_TMPFILE, 0 otherwise, or -errno.
 */
static int afs_make_entry(fuse_req_t req, int dfd, const char *name,
			  enum afs_make_kind kind, mode_t mode, dev_t rdev,
			  const char *link, int oflags)
{
	struct afs_fs *fs = afs_data(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	int r;

	mode = afs_umask_enter(req, mode);
	afs_creds_enter(req);
	r = afs_make_call(dfd, name, kind, mode, rdev, link, oflags);
	if (r < 0)
		r = -errno;
	afs_creds_leave();
	if (r == -EACCES && fs->is_root && !fs->no_default_permissions &&
	    ctx->uid != 0) {
		/* The kernel already allowed this with the caller's full
		 * credentials (default_permissions); the backing refused
		 * only for lack of the caller's supplementary groups on
		 * this thread. Make it as root and give it to the caller. */
		r = afs_make_call(dfd, name, kind, mode, rdev, link, oflags);
		if (r < 0)
			r = -errno;
		else
			afs_make_give(req, dfd, name,
				      kind == AFS_MAKE_TMPFILE ? r : -1);
	}
	afs_umask_leave();
	return r;
}

void afs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		   mode_t mode, struct fuse_file_info *fi)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, parent);
	struct fuse_entry_param e;
	bool tmpfile = afs_tmpfile_name(name);
	int dfd, fd, r;

	dfd = afs_create_begin(req, dir, name);
	if (dfd < 0) {
		fuse_reply_err(req, -dfd);
		return;
	}
	fd = afs_make_entry(req, dfd, name,
			    tmpfile ? AFS_MAKE_TMPFILE : AFS_MAKE_FILE, mode, 0,
			    NULL, fi->flags);
	r = fd < 0 ? fd : 0;
	if (r < 0) {
		afs_unlock(fs);
		fuse_reply_err(req, -r);
		return;
	}
	if (tmpfile) {
		/* No name: the directory is unchanged. */
		r = afs_tmpfile_entry(fs, fd, &e);
		afs_unlock(fs);
	} else {
		r = afs_create_end(fs, dir, name, &e);
	}
	if (r < 0) {
		close(fd);
		fuse_reply_err(req, -r);
		return;
	}
	if (fs->inode_io) {
		/* Once opens are declined the kernel sends no release, not
		 * even for a created file: it is reached by inode too. */
		close(fd);
		fi->fh = 0;
		fi->keep_cache = 1;
		fi->noflush = 1;
		fuse_reply_create(req, &e, fi);
		return;
	}
	afs_file_opened(fs, (struct afs_inode *)(uintptr_t)e.ino, fd);
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 1;
	fi->noflush = afs_noflush(fs, fi->flags);
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		afs_file_closed(fs, (struct afs_inode *)(uintptr_t)e.ino, fd);
		close(fd);
	}
}

/* mknod, mkdir and symlink share everything but the system call. */

static void afs_make(fuse_req_t req, fuse_ino_t parent, const char *name,
		     enum afs_make_kind kind, mode_t mode, dev_t rdev,
		     const char *link)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, parent);
	struct fuse_entry_param e;
	int dfd, r;

	dfd = afs_create_begin(req, dir, name);
	if (dfd < 0) {
		fuse_reply_err(req, -dfd);
		return;
	}
	r = afs_make_entry(req, dfd, name, kind, mode, rdev, link, 0);
	if (r < 0) {
		afs_unlock(fs);
		fuse_reply_err(req, -r);
		return;
	}
	r = afs_create_end(fs, dir, name, &e);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

void afs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, dev_t rdev)
{
	afs_make(req, parent, name, AFS_MAKE_NODE, mode, rdev, NULL);
}

void afs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode)
{
	/* At an alias's name: a door for the program that unlinked it. */
	if (afs_alias_door_mkdir(req, afs_inode_get(req, parent), name))
		return;
	afs_make(req, parent, name, AFS_MAKE_DIR, mode, 0, NULL);
}

void afs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		    const char *name)
{
	/* At an alias's name: the alias again, for that program. */
	if (afs_alias_door_symlink(req, link, afs_inode_get(req, parent), name))
		return;
	afs_make(req, parent, name, AFS_MAKE_SYMLINK, 0, 0, link);
}

void afs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *inode = afs_inode_get(req, ino);
	struct afs_inode *dir = afs_inode_get(req, newparent);
	struct fuse_entry_param e;
	int dfd, r;

	if (inode->kind != AFS_KIND_FILE) {
		fuse_reply_err(req, EPERM);
		return;
	}
	dfd = afs_create_begin(req, dir, newname);
	if (dfd < 0) {
		fuse_reply_err(req, -dfd);
		return;
	}
	{
		int fd = afs_file_open_path(fs, inode);

		if (fd < 0) {
			errno = -fd;
			r = -1;
		} else if (fs->is_root) {
			r = linkat(fd, "", dfd, newname, AT_EMPTY_PATH);
		} else if (inode->type != S_IFLNK) {
			char proc[64];

			(void)afs_proc_path(fd, proc, sizeof(proc));
			r = linkat(AT_FDCWD, proc, dfd, newname,
				   AT_SYMLINK_FOLLOW);
		} else {
			errno = EPERM;
			r = -1;
		}
		if (fd >= 0) {
			int saved = errno;

			close(fd);
			errno = saved;
		}
	}
	if (r < 0) {
		r = -errno;
		afs_unlock(fs);
		fuse_reply_err(req, -r);
		return;
	}
	r = afs_create_end(fs, dir, newname, &e);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}
