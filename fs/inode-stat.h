/*
 * Attributes of an inode as the view reports them (inode-stat.c).
 */
#ifndef AFS_INODE_STAT_H
#define AFS_INODE_STAT_H

#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

/* Attributes of @inode: 0 or -errno. Call with tree_lock held for
 * reading (directories). */
int afs_inode_stat(struct afs_fs *fs, struct afs_inode *inode,
		   struct stat *ret_st);

/* The attributes of alias symlink @alias (also the base of those of a
 * directory that exists only in the view): the backing root's owner and
 * times. */
void afs_fill_alias_stat(struct afs_fs *fs, const struct afs_inode *alias,
			 struct stat *st);

#endif /* AFS_INODE_STAT_H */
