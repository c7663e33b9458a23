/*
 * readdir: the merged listing of a view directory (union of the source
 * slots, first provider wins, alias symlinks replace whatever the backing
 * holds at their names), served by index so offsets stay stable in
 * directories of any size.
 *
 * The kernel is told not to send opendir/releasedir (two round trips per
 * directory walked), so there is no handle to keep a listing in: listings
 * hang off the directory inode instead. A read from offset 0 makes a new
 * one; the offsets handed out carry its generation in their upper 32 bits,
 * so a reader that goes on finds the listing it started with even when
 * another reader started a newer one meanwhile. That includes readers the
 * kernel served from its own cache of a listing, which go on here when
 * the cache is dropped: so a listing stays after a reader reached its
 * end, until newer ones push it out or the inode goes.
 *
 * Layer 6 (operations, fs/README.md): calls lookup.c in its layer and the
 * view services, directories, inode core, alias table and leaf helpers
 * below.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/alias-unlink.h"
#include "fs/dir-slots.h"
#include "fs/dir-virtual.h"
#include "fs/dir.h"
#include "fs/dpkg-db-view.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/listing.h"
#include "fs/lookup.h"
#include "fs/name-set.h"
#include "fs/path.h"
#include "fs/readdir.h"
#include "fs/sources.h"
#include "fs/tree-lock.h"

/* Inode number of a directory child that no slot of @dir lists (a
 * junction's alias side, or a virtual directory), as lookup reports it. */
static int afs_missing_child_ino(struct afs_fs *fs, struct afs_inode *dir,
				 const char *name, ino_t *ret_ino)
{
	struct afs_slot *slots;
	struct afs_inode *x = NULL;
	unsigned n, j;
	char *path = afs_path_join(dir->path, name);
	int r;

	if (!path)
		return -ENOMEM;
	r = afs_dir_compute_slots(fs, dir, name, path, &slots, &n);
	if (r < 0) {
		free(path);
		return r;
	}
	for (j = 0; j < n; j++) {
		if (slots[j].fd < 0)
			continue;
		pthread_mutex_lock(&fs->table_lock);
		x = afs_inode_table_get(fs->table, slots[j].dev, slots[j].ino);
		if (x && x->kind == AFS_KIND_DIR)
			*ret_ino = x->st_ino;
		else
			*ret_ino = slots[j].ino;
		pthread_mutex_unlock(&fs->table_lock);
		break;
	}
	afs_slots_free(slots, n);
	if (j == n) {
		x = afs_virtual_dir(fs, dir, name, path);
		if (!x) {
			free(path);
			return -ENOMEM;
		}
		*ret_ino = x->st_ino;
	}
	free(path);
	return 0;
}

/* Call with tree_lock held for reading. */
static int afs_dir_list(struct afs_fs *fs, struct afs_inode *dir,
			struct afs_listing *h)
{
	struct afs_name_set *seen;
	size_t i;
	unsigned j;
	int r;

	r = afs_name_set_new(false, &seen);
	if (r < 0)
		return r;
	r = afs_listing_add(h, ".", dir->st_ino, DT_DIR);
	if (r >= 0)
		r = afs_listing_add(h, "..",
				    dir->parent ? dir->parent->st_ino
						: dir->st_ino,
				    DT_DIR);
	for (i = 0; r >= 0 && i < fs->aliases->n; i++) {
		struct afs_inode *a;

		if (strcmp(fs->aliases->entries[i].parent, dir->path) != 0)
			continue;
		a = afs_alias_inode(fs, i);
		if (!a) {
			r = -ENOMEM;
			break;
		}
		r = afs_listing_add(h, fs->aliases->entries[i].name, a->st_ino,
				    DT_LNK);
		if (r >= 0)
			r = afs_name_set_add(seen,
					     fs->aliases->entries[i].name);
	}
	for (j = 0; r >= 0 && j < dir->n_slots; j++) {
		struct dirent *de;
		DIR *d;
		int fd;

		if (dir->slots[j].fd < 0)
			continue;
		fd = openat(dir->slots[j].fd, ".",
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			break;
		}
		d = fdopendir(fd);
		if (!d) {
			r = -errno;
			close(fd);
			break;
		}
		while (r >= 0 && (errno = 0, de = readdir(d))) {
			const char *name = de->d_name;
			ino_t ino = de->d_ino;
			unsigned char type = de->d_type;

			if (name[0] == '.' &&
			    (name[1] == '\0' ||
			     (name[1] == '.' && name[2] == '\0')))
				continue;
			if (afs_name_set_contains(seen, name))
				continue;
			/* Hidden like in lookup: a non-directory where the
			 * view needs a canonical directory. */
			if (type != DT_DIR &&
			    afs_aliases_has_junction_child(fs->aliases,
							   dir->path, name)) {
				struct stat cst;

				if (type != DT_UNKNOWN ||
				    fstatat(dir->slots[j].fd, name, &cst,
					    AT_SYMLINK_NOFOLLOW) < 0 ||
				    !S_ISDIR(cst.st_mode))
					continue;
			}
			if (type == DT_DIR || type == DT_UNKNOWN) {
				struct afs_inode *x;

				/* A merged directory keeps the inode number
				 * it was first seen with. */
				pthread_mutex_lock(&fs->table_lock);
				x = afs_inode_table_get(fs->table,
							dir->slots[j].dev, ino);
				if (x && x->kind == AFS_KIND_DIR)
					ino = x->st_ino;
				pthread_mutex_unlock(&fs->table_lock);
			}
			r = afs_listing_add(h, name, ino, type);
			if (r >= 0)
				r = afs_name_set_add(seen,
						     h->ents[h->n - 1].name);
		}
		if (r >= 0 && errno != 0)
			r = -errno;
		closedir(d);
	}
	/* Directories on the way to a canonical directory exist in the view
	 * even where the backing has nothing there. */
	for (i = 0; r >= 0 && i < fs->aliases->n; i++) {
		char name[256];
		ino_t ino = 0;

		if (afs_aliases_child_towards(fs->aliases, i, dir->path, name,
					      sizeof(name)) != 1 ||
		    afs_name_set_contains(seen, name))
			continue;
		r = afs_missing_child_ino(fs, dir, name, &ino);
		if (r < 0)
			break;
		r = afs_listing_add(h, name, ino, DT_DIR);
		if (r >= 0)
			r = afs_name_set_add(seen, h->ents[h->n - 1].name);
	}
	afs_name_set_free(seen);
	return r < 0 ? r : 0;
}

void afs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	/* Kernels that can do without opendir never ask again. */
	if (afs_data(req)->no_opendir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	/* Older kernels: no handle either; what the kernel would assume. */
	fi->fh = 0;
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

/* A new listing of @dir, kept on the directory with a reference for the
 * caller. */
static int afs_listing_make(struct afs_fs *fs, struct afs_inode *dir,
			    struct afs_listing **ret)
{
	struct afs_listing *l = afs_listing_new();
	int r;

	if (!l)
		return -ENOMEM;
	/* An alias unlinked by a program that has exited may go before it
	 * is listed (alias-unlink.c). */
	if (atomic_load(&fs->n_doors) > 0)
		afs_alias_reap(fs);
	r = afs_prepare_dir(fs, dir);
	if (r >= 0) {
		afs_rdlock(fs);
		r = afs_dir_list(fs, dir, l);
		afs_unlock(fs);
	}
	if (r < 0) {
		afs_listing_free(l);
		return r;
	}
	afs_listing_keep(fs, dir, l);
	*ret = l;
	return 0;
}

static void afs_readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size,
			       off_t off, struct fuse_file_info *fi, bool plus)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, ino);
	struct afs_listing *h;
	char *buf, *p;
	size_t rem = size, i, start;
	int r = 0;

	(void)fi;
	/* An unknown generation (pushed out, or from before a remount of
	 * the listing): go on by index in a new listing, as any file
	 * system whose directory changed between two reads. */
	h = afs_listing_find(fs, dir, off);
	if (!h) {
		r = afs_listing_make(fs, dir, &h);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
	}
	start = afs_listing_index(off);
	buf = calloc(1, size);
	if (!buf) {
		afs_listing_put(fs, h);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	p = buf;
	if (plus) {
		r = afs_prepare_dir(fs, dir);
		if (r < 0) {
			afs_listing_put(fs, h);
			free(buf);
			fuse_reply_err(req, -r);
			return;
		}
		afs_rdlock(fs);
	}
	for (i = start; i < h->n; i++) {
		struct afs_dirent *d = &h->ents[i];
		size_t entsize;

		if (plus) {
			struct fuse_entry_param e;
			bool dot = d->name[0] == '.' &&
				   (d->name[1] == '\0' ||
				    (d->name[1] == '.' && d->name[2] == '\0'));

			/* No attributes (node id 0) for the dots, and for
			 * presented dpkg files: computing the content of
			 * every list in info/ each time dpkg scans it for
			 * one package's files cost more than the scan. */
			if (dot ||
			    afs_dpkgdb_presents(fs, dir->path, d->name)) {
				memset(&e, 0, sizeof(e));
				e.attr.st_ino = d->ino;
				e.attr.st_mode = (mode_t)d->type << 12;
			} else {
				r = afs_do_lookup(fs, dir, d->name, &e);
				if (r == -ENOENT) {
					/* Gone since opendir: a plain entry
					 * without attributes. */
					memset(&e, 0, sizeof(e));
					e.attr.st_ino = d->ino;
					e.attr.st_mode = (mode_t)d->type << 12;
					r = 0;
				} else if (r < 0) {
					break;
				}
			}
			entsize =
				fuse_add_direntry_plus(req, p, rem, d->name, &e,
						       afs_listing_off(h, i));
			if (entsize > rem) {
				/* Did not fit: the kernel never sees this
				 * lookup, so undo it. */
				if (e.ino != 0)
					afs_inode_forget(
						fs,
						(struct afs_inode *)(uintptr_t)
							e.ino,
						1);
				break;
			}
		} else {
			struct stat st;

			memset(&st, 0, sizeof(st));
			st.st_ino = d->ino;
			st.st_mode = (mode_t)d->type << 12;
			entsize = fuse_add_direntry(req, p, rem, d->name, &st,
						    afs_listing_off(h, i));
			if (entsize > rem)
				break;
		}
		p += entsize;
		rem -= entsize;
	}
	if (plus)
		afs_unlock(fs);
	afs_listing_put(fs, h);
	/* An error after some entries: return those, the caller asks
	 * again and gets the error then. */
	if (r < 0 && p == buf)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, buf, size - rem);
	free(buf);
}

void afs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	afs_readdir_common(req, ino, size, off, fi, false);
}

void afs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	afs_readdir_common(req, ino, size, off, fi, true);
}

void afs_op_releasedir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	/* Nothing is held per open directory. */
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

void afs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, ino);
	unsigned j;
	int r = 0;

	afs_rdlock(fs);
	for (j = 0; j < dir->n_slots && r == 0; j++) {
		int fd;

		if (dir->slots[j].fd < 0)
			continue;
		fd = openat(dir->slots[j].fd, ".",
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			break;
		}
		if ((datasync ? fdatasync(fd) : fsync(fd)) < 0)
			r = -errno;
		close(fd);
	}
	afs_unlock(fs);
	fuse_reply_err(req, -r);
}
