/*
 * Attributes of an inode as the view reports them: a file's backing
 * attributes with the view's inode number, a directory's first source,
 * and the synthetic attributes of alias symlinks and of directories that
 * exist only in the view (the backing root's owner and times).
 *
 * Layer 3 (inode core, fs/README.md): calls dir-slots.c, inode-file.c in its
 * layer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/dir-slots.h"
#include "fs/inode-file.h"
#include "fs/inode-stat.h"
#include "fs/inode.h"

void afs_fill_alias_stat(struct afs_fs *fs, const struct afs_inode *alias,
			 struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = alias->st_ino;
	st->st_mode = S_IFLNK | 0777;
	st->st_nlink = 1;
	st->st_size = alias->target ? (off_t)strlen(alias->target) : 0;
	st->st_blksize = 4096;
	/* Stable times, and the owner: the backing root's. A view an
	 * ordinary user mounts over their own tree must let them write
	 * where the tree's owner may (a directory that exists only in the
	 * view is shown with these too). */
	{
		struct stat rst;

		if (fstat(fs->root_fd, &rst) == 0) {
			st->st_uid = rst.st_uid;
			st->st_gid = rst.st_gid;
			st->st_atim = rst.st_atim;
			st->st_mtim = rst.st_mtim;
			st->st_ctim = rst.st_ctim;
		}
	}
}

/* Attributes of @inode as the view reports them. Call with tree_lock
 * held for reading (directories). */
int afs_inode_stat(struct afs_fs *fs, struct afs_inode *inode,
		   struct stat *ret_st)
{
	struct stat st;
	int fd, r;

	switch (inode->kind) {
	case AFS_KIND_ALIAS:
		afs_fill_alias_stat(fs, inode, ret_st);
		return 0;
	case AFS_KIND_DIR:
		fd = afs_dir_first_fd(inode);
		if (fd < 0) {
			/* No backing source (yet): a plain directory of
			 * the backing root's owner, created for real on
			 * first write (afs_dir_ensure_canonical()). */
			afs_fill_alias_stat(fs, inode, ret_st);
			ret_st->st_mode = S_IFDIR | 0755;
			ret_st->st_nlink = 2;
			ret_st->st_size = 4096;
			return 0;
		}
		break;
	default:
		r = afs_file_stat(fs, inode, &st);
		if (r < 0)
			return r;
		st.st_ino = inode->st_ino;
		*ret_st = st;
		return 0;
	}
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	st.st_ino = inode->st_ino;
	*ret_st = st;
	return 0;
}
