/*
 * File inodes and their backing file (inode-file.c).
 */
#ifndef AFS_INODE_FILE_H
#define AFS_INODE_FILE_H

#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

/* The backing attributes of file inode @inode: 0 or -errno (-ENOENT when
 * no name of it is left). Call with tree_lock held. */
int afs_file_stat(struct afs_fs *fs, struct afs_inode *inode,
		  struct stat *ret_st);
/* An O_PATH descriptor of file inode @inode (the caller closes it), or
 * -errno. Call with tree_lock held. */
int afs_file_open_path(struct afs_fs *fs, struct afs_inode *inode);
/* @inode opened with @flags: a descriptor (the caller's), or -errno.
 * Call with tree_lock held. */
int afs_file_open(struct afs_fs *fs, struct afs_inode *inode, int flags);

/* Remember open descriptor @fd of @inode until afs_file_closed(). */
void afs_file_opened(struct afs_fs *fs, struct afs_inode *inode, int fd);
void afs_file_closed(struct afs_fs *fs, struct afs_inode *inode, int fd);

/* Regular file @name in @dirfd (@st) is about to lose that name through
 * the view: keep a descriptor of it while the kernel knows the file (file
 * I/O by inode). Call with tree_lock held. */
void afs_file_keep_unlinked(struct afs_fs *fs, int dirfd, const char *name,
			    const struct stat *st);

/* @inode was just seen as @name in @dir: remember that spelling first. */
void afs_file_relocate(struct afs_fs *fs, struct afs_inode *inode,
		       struct afs_inode *dir, const char *name);

#endif /* AFS_INODE_FILE_H */
