/*
 * readdir: the merged listing of a view directory (readdir.c).
 */
#ifndef AFS_READDIR_H
#define AFS_READDIR_H

#include <fuse_lowlevel.h>
#include <sys/stat.h>

void afs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void afs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi);
void afs_op_releasedir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);
void afs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi);

#endif /* AFS_READDIR_H */
