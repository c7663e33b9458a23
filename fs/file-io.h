/*
 * File I/O operations (file-io.c).
 */
#ifndef AFS_FILE_IO_H
#define AFS_FILE_IO_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;

/* Does a handle opened with @flags skip flush (nothing to report at
 * close)? */
bool afs_noflush(const struct afs_fs *fs, int flags);
/* A write by inode changed @inode: what its release would have told. */
void afs_io_written(struct afs_fs *fs, struct afs_inode *inode);

/* The operations. */
void afs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi);
void afs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in,
		      off_t off, struct fuse_file_info *fi);
void afs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void afs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		  struct fuse_file_info *fi);
void afs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
		      off_t length, struct fuse_file_info *fi);
void afs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi);
void afs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			    struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			    off_t off_out, struct fuse_file_info *fi_out,
			    size_t len, int flags);

#endif /* AFS_FILE_IO_H */
