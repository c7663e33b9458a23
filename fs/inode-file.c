/*
 * File inodes and their backing file: found again by the names they were
 * seen under (checked by dev and ino), or by a descriptor kept while the
 * file is open or was unlinked through the view; opened for I/O.
 *
 * Layer 3 (inode core, fs/README.md): calls inode.c in its layer and the
 * leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/backing.h"
#include "fs/inode-file.h"
#include "fs/inode-table.h"
#include "fs/inode.h"

/*
 * Find file inode @inode's backing entry: by the names it was seen under,
 * in their directories' slots, checked by (dev, ino). With @ret_fd, open
 * it O_PATH (caller closes); else only stat it. Call with tree_lock held.
 */
static int afs_file_locate(struct afs_fs *fs, struct afs_inode *inode,
			   int oflags, int *ret_fd, struct stat *ret_st)
{
	char names[AFS_MAX_LOCS][NAME_MAX + 1];
	struct afs_inode *parents[AFS_MAX_LOCS];
	unsigned n, k, j;
	int r = -ENOENT;

	pthread_mutex_lock(&fs->table_lock);
	n = inode->n_locs;
	for (k = 0; k < n; k++) {
		parents[k] = inode->locs[k].parent;
		parents[k]->refs++;
		snprintf(names[k], sizeof(names[k]), "%s", inode->locs[k].name);
	}
	pthread_mutex_unlock(&fs->table_lock);
	for (k = 0; k < n && r < 0; k++) {
		struct afs_inode *parent = parents[k];

		for (j = 0; j < parent->n_slots; j++) {
			struct stat st;
			int fd = -1;

			if (parent->slots[j].fd < 0)
				continue;
			if (ret_fd) {
				fd = openat(parent->slots[j].fd, names[k],
					    oflags | O_NOFOLLOW | O_CLOEXEC);
				if (fd < 0)
					continue;
				if (fstat(fd, &st) < 0) {
					close(fd);
					continue;
				}
			} else if (fstatat(parent->slots[j].fd, names[k], &st,
					   AT_SYMLINK_NOFOLLOW) < 0) {
				continue;
			}
			if (st.st_dev == inode->dev &&
			    st.st_ino == inode->ino) {
				if (ret_fd)
					*ret_fd = fd;
				if (ret_st)
					*ret_st = st;
				r = 0;
				break;
			}
			if (fd >= 0)
				close(fd);
		}
	}
	pthread_mutex_lock(&fs->table_lock);
	for (k = 0; k < n; k++)
		afs_inode_unref_locked(fs, parents[k], 0, 1);
	if (r < 0 && (inode->n_open > 0 || inode->fd >= 0) &&
	    (!ret_fd || oflags == O_PATH)) {
		/* No name left, but still open (unlinked while open), or
		 * kept when the view removed its name. */
		int kept = inode->n_open > 0 ? inode->open_fds[0] : inode->fd;
		struct stat st;

		if (fstat(kept, &st) == 0) {
			r = 0;
			if (ret_st)
				*ret_st = st;
			if (ret_fd) {
				*ret_fd = fcntl(kept, F_DUPFD_CLOEXEC, 0);
				if (*ret_fd < 0)
					r = -errno;
			}
		}
	}
	pthread_mutex_unlock(&fs->table_lock);
	return r;
}

/*
 * Regular file @name in @dirfd (@st) is about to lose that name through
 * the view. With file I/O by inode nothing tells whether the kernel still
 * has it open, so if the kernel knows the file, keep an O_PATH descriptor
 * of it until the kernel forgets it: reads and writes of an open file
 * whose last name went keep working, as on any file system. Call with
 * tree_lock held.
 */
void afs_file_keep_unlinked(struct afs_fs *fs, int dirfd, const char *name,
			    const struct stat *st)
{
	struct afs_inode *inode;
	struct stat now;
	int fd;

	if (!fs->inode_io || !S_ISREG(st->st_mode))
		return;
	pthread_mutex_lock(&fs->table_lock);
	inode = afs_inode_table_get(fs->table, st->st_dev, st->st_ino);
	if (!inode || inode->kind != AFS_KIND_FILE || inode->fd >= 0) {
		pthread_mutex_unlock(&fs->table_lock);
		return;
	}
	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &now) == 0 && now.st_dev == st->st_dev &&
	    now.st_ino == st->st_ino) {
		inode->fd = fd;
		fd = -1;
	}
	pthread_mutex_unlock(&fs->table_lock);
	if (fd >= 0)
		close(fd);
}

/* Remember open descriptor @fd of @inode until afs_file_closed(). */
void afs_file_opened(struct afs_fs *fs, struct afs_inode *inode, int fd)
{
	int *grown;

	pthread_mutex_lock(&fs->table_lock);
	/* Its pages may now hold what this handle reads or writes. */
	inode->dpkg_pages.raw = true;
	grown = realloc(inode->open_fds, (inode->n_open + 1) * sizeof(int));
	if (grown) {
		inode->open_fds = grown;
		inode->open_fds[inode->n_open++] = fd;
	}
	pthread_mutex_unlock(&fs->table_lock);
}

void afs_file_closed(struct afs_fs *fs, struct afs_inode *inode, int fd)
{
	unsigned k;

	pthread_mutex_lock(&fs->table_lock);
	for (k = 0; k < inode->n_open; k++)
		if (inode->open_fds[k] == fd) {
			inode->open_fds[k] = inode->open_fds[--inode->n_open];
			break;
		}
	pthread_mutex_unlock(&fs->table_lock);
}

int afs_file_stat(struct afs_fs *fs, struct afs_inode *inode,
		  struct stat *ret_st)
{
	return afs_file_locate(fs, inode, O_PATH, NULL, ret_st);
}

/* An O_PATH descriptor of file inode @inode (the caller closes it), or
 * -errno. Call with tree_lock held. */
int afs_file_open_path(struct afs_fs *fs, struct afs_inode *inode)
{
	int fd, r;

	r = afs_file_locate(fs, inode, O_PATH, &fd, NULL);
	return r < 0 ? r : fd;
}

int afs_file_open(struct afs_fs *fs, struct afs_inode *inode, int flags)
{
	char proc[64];
	int fd, pfd, r;

	flags &= ~(O_NOFOLLOW | O_CREAT | O_EXCL);
	/* A regular file opens in place: the identity check after the
	 * open catches a name that now holds something else, and
	 * O_NONBLOCK keeps such a thing (a FIFO) from blocking. Opening
	 * has no effect on a regular file, bar O_TRUNC. */
	if (inode->type == S_IFREG && !(flags & O_TRUNC)) {
		r = afs_file_locate(fs, inode, flags | O_NONBLOCK, &fd, NULL);
		if (r >= 0)
			return fd;
		/* Not found by name, or the open itself failed: the path
		 * below finds it also when open but unlinked, and reports
		 * the open's own error. */
	}
	r = afs_file_locate(fs, inode, O_PATH, &pfd, NULL);
	if (r < 0)
		return r;
	(void)afs_proc_path(pfd, proc, sizeof(proc));
	/* The O_PATH fd is never a symlink here, so reopening it through
	 * /proc cannot leave the backing. */
	fd = open(proc, flags | O_CLOEXEC);
	r = fd < 0 ? -errno : fd;
	close(pfd);
	return r;
}

/* @inode was just seen as @name in @dir: remember that spelling first. */
void afs_file_relocate(struct afs_fs *fs, struct afs_inode *inode,
		       struct afs_inode *dir, const char *name)
{
	struct afs_loc loc;
	unsigned k;

	pthread_mutex_lock(&fs->table_lock);
	for (k = 0; k < inode->n_locs; k++)
		if (inode->locs[k].parent == dir &&
		    strcmp(inode->locs[k].name, name) == 0)
			break;
	if (k == 0 && inode->n_locs > 0) {
		pthread_mutex_unlock(&fs->table_lock);
		return;
	}
	if (k < inode->n_locs) {
		loc = inode->locs[k];
	} else {
		loc.name = strdup(name);
		if (!loc.name) {
			pthread_mutex_unlock(&fs->table_lock);
			return;
		}
		loc.parent = dir;
		dir->refs++;
		if (inode->n_locs == AFS_MAX_LOCS) {
			struct afs_loc *last = &inode->locs[AFS_MAX_LOCS - 1];

			free(last->name);
			afs_inode_unref_locked(fs, last->parent, 0, 1);
			inode->n_locs--;
		}
		k = inode->n_locs++;
	}
	memmove(&inode->locs[1], &inode->locs[0], k * sizeof(loc));
	inode->locs[0] = loc;
	pthread_mutex_unlock(&fs->table_lock);
}
