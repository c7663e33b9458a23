/*
 * Canonical directories made real: a write below a directory that has no
 * canonical backing source (only alias sides, or only the view) first
 * creates it, and its missing parents, at the canonical place, with the
 * owner, mode, ACLs and times the view showed.
 *
 * Layer 4 (directories, fs/README.md): calls dir.c in its layer and the
 * inode core and leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/backing.h"
#include "fs/dir-canonical.h"
#include "fs/dir-slots.h"
#include "fs/dir.h"
#include "fs/inode-stat.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/tree-lock.h"

/* The POSIX ACLs of directory @from (an O_PATH descriptor's /proc path)
 * onto @to: a default ACL decides the modes of what is created in it. */
static void afs_dir_copy_acls(const char *from, const char *to)
{
	static const char *const names[] = {"system.posix_acl_access",
					    "system.posix_acl_default"};
	char buf[4096];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ssize_t n = getxattr(from, names[i], buf, sizeof(buf));

		if (n >= 0)
			(void)setxattr(to, names[i], buf, (size_t)n, 0);
	}
}

static int afs_dir_ensure_canonical_locked(struct afs_fs *fs,
					   struct afs_inode *dir)
{
	struct afs_inode *parent = dir->parent;
	struct stat st;
	bool created;
	int r, fd, src = afs_dir_first_fd(dir);

	if (dir->n_slots > 0 && dir->slots[0].fd >= 0)
		return 0;
	if (!parent)
		return -ENOENT;
	r = afs_dir_ensure_canonical_locked(fs, parent);
	if (r < 0)
		return r;
	if (src < 0 || fstat(src, &st) < 0) {
		/* Only in the view: 0755 and the backing root's owner, as
		 * the view showed it (afs_inode_stat()). */
		afs_fill_alias_stat(fs, dir, &st);
		st.st_mode = 0755;
		src = -1;
	}
	created = mkdirat(parent->slots[0].fd, dir->name, st.st_mode & 07777) ==
		  0;
	if (!created && errno != EEXIST)
		return -errno;
	fd = openat(parent->slots[0].fd, dir->name,
		    O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (src < 0 && created) {
		/* A daemon running as root made it as root; an ordinary
		 * user's daemon made it as that user, who normally owns the
		 * backing root already (and may not give it away). */
		(void)fchownat(fd, "", st.st_uid, st.st_gid,
			       AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	} else if (src >= 0) {
		char proc[64], src_proc[64];
		struct timespec ts[2] = {st.st_atim, st.st_mtim};

		/* The alias side's owner, mode, ACLs and times, so the
		 * merged directory looks and behaves as before. */
		(void)fchownat(fd, "", st.st_uid, st.st_gid,
			       AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
		if (afs_proc_path(fd, proc, sizeof(proc)) == 0) {
			(void)chmod(proc, st.st_mode & 07777);
			if (afs_proc_path(src, src_proc, sizeof(src_proc)) == 0)
				afs_dir_copy_acls(src_proc, proc);
		}
		(void)utimensat(fd, "", ts, AT_EMPTY_PATH);
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (dir->n_slots == 0) {
		dir->slots = calloc(1, sizeof(*dir->slots));
		if (!dir->slots) {
			close(fd);
			return -ENOMEM;
		}
		dir->n_slots = 1;
	}
	dir->slots[0].fd = fd;
	dir->slots[0].dev = st.st_dev;
	dir->slots[0].ino = st.st_ino;
	pthread_mutex_lock(&fs->table_lock);
	(void)afs_inode_table_put(fs->table, afs_dir_key_dev(dir, st.st_dev),
				  st.st_ino, dir);
	pthread_mutex_unlock(&fs->table_lock);
	afs_dir_changed(parent);
	/* With a door open (door.h) the directory may have a second inode,
	 * through the other spelling, whose sources now miss it. */
	if (atomic_load(&fs->n_doors) > 0)
		atomic_fetch_add(&fs->tree_gen, 1);
	return 0;
}

/* Make sure @dir exists at its canonical location in the backing (slot 0),
 * creating missing canonical parents. Call without tree_lock. */
int afs_dir_ensure_canonical(struct afs_fs *fs, struct afs_inode *dir)
{
	int r;

	if (dir->n_slots > 0 && dir->slots[0].fd >= 0)
		return 0;
	afs_wrlock(fs);
	r = afs_dir_refresh_locked(fs, dir);
	if (r >= 0)
		r = afs_dir_ensure_canonical_locked(fs, dir);
	afs_unlock(fs);
	return r;
}
