/*
 * O_TMPFILE through the view.
 *
 * The kernel sends FUSE_TMPFILE (protocol 7.37) for open(dir, O_TMPFILE);
 * libfuse 3.14 has no operation for it and answers ENOSYS, which the
 * kernel turns into EOPNOTSUPP for good. Its arguments and its reply are
 * those of FUSE_CREATE, with the name "/" (the kernel's name for the
 * unnamed dentry), which no real name can be: the request loop hands it
 * to libfuse as a create of "/", and the create operation makes an
 * O_TMPFILE file in the canonical backing directory (create.c). libfuse
 * 3.16 and later have a tmpfile operation of their own; with this they
 * never see the opcode either.
 *
 * The unnamed file is an inode without names that keeps an O_PATH
 * descriptor of its backing file (as a file unlinked while open does)
 * until the kernel forgets it: reads and writes by inode and linkat()
 * reach it through that. It is not open for writing, so a program that
 * links the file and then executes it does not meet ETXTBSY.
 *
 * Layer 5 (view services, fs/README.md): calls the inode core and leaf
 * helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/backing.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/tmpfile.h"

void afs_tmpfile_request(struct fuse_buf *buf)
{
	struct fuse_in_header *in = buf->mem;

	if ((buf->flags & FUSE_BUF_IS_FD) || buf->size < sizeof(*in) ||
	    in->opcode != FUSE_TMPFILE)
		return;
	in->opcode = FUSE_CREATE;
}

bool afs_tmpfile_name(const char *name)
{
	return strcmp(name, "/") == 0;
}

int afs_tmpfile_entry(struct afs_fs *fs, int fd, struct fuse_entry_param *ret_e)
{
	struct afs_inode *inode;
	struct stat st;
	char proc[64];
	int pfd, r;

	if (fstat(fd, &st) < 0)
		return -errno;
	r = afs_proc_path(fd, proc, sizeof(proc));
	if (r < 0)
		return r;
	pfd = open(proc, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	inode = calloc(1, sizeof(*inode));
	if (!inode) {
		close(pfd);
		return -ENOMEM;
	}
	inode->kind = AFS_KIND_FILE;
	inode->fd = pfd;
	inode->dev = st.st_dev;
	inode->ino = st.st_ino;
	inode->st_ino = st.st_ino;
	inode->type = S_IFREG;
	inode->nlookup = 1;
	inode->serial = atomic_fetch_add(&fs->next_serial, 1);
	pthread_mutex_lock(&fs->table_lock);
	if (afs_inode_table_put(fs->table, st.st_dev, st.st_ino, inode) < 0) {
		pthread_mutex_unlock(&fs->table_lock);
		close(pfd);
		free(inode);
		return -ENOMEM;
	}
	afs_inode_link_all_locked(fs, inode);
	pthread_mutex_unlock(&fs->table_lock);
	memset(ret_e, 0, sizeof(*ret_e));
	ret_e->ino = (fuse_ino_t)(uintptr_t)inode;
	ret_e->attr = st;
	ret_e->attr_timeout = fs->attr_timeout;
	ret_e->entry_timeout = fs->entry_timeout;
	return 0;
}
