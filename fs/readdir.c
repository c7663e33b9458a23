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

/* An entry named @name listed and remembered as seen: 0 or -ENOMEM. */
static int afs_dir_list_add(struct afs_listing *h, struct afs_name_set *seen,
			    const char *name, ino_t ino, unsigned char type)
{
	int r = afs_listing_add(h, name, ino, type);

	return r < 0 ? r : afs_name_set_add(seen, h->ents[h->n - 1].name);
}

/* The alias symlinks of @dir, which replace whatever the backing holds at
 * their names. */
static int afs_dir_list_aliases(struct afs_fs *fs, struct afs_inode *dir,
				struct afs_listing *h,
				struct afs_name_set *seen)
{
	size_t i;
	int r = 0;

	for (i = 0; r >= 0 && i < fs->aliases->n; i++) {
		struct afs_inode *a;

		if (strcmp(fs->aliases->entries[i].parent, dir->path) != 0)
			continue;
		a = afs_alias_inode(fs, i);
		if (!a)
			return -ENOMEM;
		r = afs_dir_list_add(h, seen, fs->aliases->entries[i].name,
				     a->st_ino, DT_LNK);
	}
	return r;
}

/* Hidden like in lookup: a non-directory where the view needs a
 * canonical directory. */
static bool afs_dir_entry_hidden(struct afs_fs *fs, struct afs_inode *dir,
				 int slot_fd, const char *name,
				 unsigned char type)
{
	struct stat cst;

	if (type == DT_DIR ||
	    !afs_aliases_has_junction_child(fs->aliases, dir->path, name))
		return false;
	return type != DT_UNKNOWN ||
	       fstatat(slot_fd, name, &cst, AT_SYMLINK_NOFOLLOW) < 0 ||
	       !S_ISDIR(cst.st_mode);
}

/* A merged directory keeps the inode number it was first seen with. */
static ino_t afs_dir_entry_ino(struct afs_fs *fs, dev_t dev, ino_t ino)
{
	struct afs_inode *x;

	pthread_mutex_lock(&fs->table_lock);
	x = afs_inode_table_get(fs->table, dev, ino);
	if (x && x->kind == AFS_KIND_DIR)
		ino = x->st_ino;
	pthread_mutex_unlock(&fs->table_lock);
	return ino;
}

/* The entries of source slot @j of @dir not seen yet (first provider
 * wins). */
static int afs_dir_list_slot(struct afs_fs *fs, struct afs_inode *dir,
			     unsigned j, struct afs_listing *h,
			     struct afs_name_set *seen)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = openat(dir->slots[j].fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while (r >= 0 && (errno = 0, de = readdir(d))) {
		const char *name = de->d_name;
		ino_t ino = de->d_ino;

		if (name[0] == '.' &&
		    (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		if (afs_name_set_contains(seen, name) ||
		    afs_dir_entry_hidden(fs, dir, dir->slots[j].fd, name,
					 de->d_type))
			continue;
		if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)
			ino = afs_dir_entry_ino(fs, dir->slots[j].dev, ino);
		r = afs_dir_list_add(h, seen, name, ino, de->d_type);
	}
	if (r >= 0 && errno != 0)
		r = -errno;
	closedir(d);
	return r;
}

/* Directories on the way to a canonical directory exist in the view even
 * where the backing has nothing there. */
static int afs_dir_list_towards(struct afs_fs *fs, struct afs_inode *dir,
				struct afs_listing *h,
				struct afs_name_set *seen)
{
	size_t i;
	int r = 0;

	for (i = 0; r >= 0 && i < fs->aliases->n; i++) {
		char name[256];
		ino_t ino = 0;

		if (afs_aliases_child_towards(fs->aliases, i, dir->path, name,
					      sizeof(name)) != 1 ||
		    afs_name_set_contains(seen, name))
			continue;
		r = afs_missing_child_ino(fs, dir, name, &ino);
		if (r >= 0)
			r = afs_dir_list_add(h, seen, name, ino, DT_DIR);
	}
	return r;
}

/* The merged listing of @dir into @h. Call with tree_lock held for
 * reading. */
static int afs_dir_list(struct afs_fs *fs, struct afs_inode *dir,
			struct afs_listing *h)
{
	struct afs_name_set *seen;
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
	if (r >= 0)
		r = afs_dir_list_aliases(fs, dir, h, seen);
	for (j = 0; r >= 0 && j < dir->n_slots; j++)
		if (dir->slots[j].fd >= 0)
			r = afs_dir_list_slot(fs, dir, j, h, seen);
	if (r >= 0)
		r = afs_dir_list_towards(fs, dir, h, seen);
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

/* The attributes of listed entry @d for readdirplus: a lookup the kernel
 * then holds, or none (node id 0) for the dots, for presented dpkg files
 * (computing the content of every list in info/ each time dpkg scans it
 * for one package's files cost more than the scan) and for an entry gone
 * since it was listed. 0 or -errno. */
static int afs_readdir_plus_attr(struct afs_fs *fs, struct afs_inode *dir,
				 const struct afs_dirent *d,
				 struct fuse_entry_param *ret_e)
{
	bool dot = d->name[0] == '.' &&
		   (d->name[1] == '\0' ||
		    (d->name[1] == '.' && d->name[2] == '\0'));

	if (!dot && !afs_dpkgdb_presents(fs, dir->path, d->name)) {
		int r = afs_do_lookup(fs, dir, d->name, ret_e);

		if (r != -ENOENT)
			return r;
	}
	memset(ret_e, 0, sizeof(*ret_e));
	ret_e->attr.st_ino = d->ino;
	ret_e->attr.st_mode = (mode_t)d->type << 12;
	return 0;
}

/* Entry @i of @h into the reply at @p, @rem bytes left: its size (more
 * than @rem when it did not fit, then nothing is held for it), or -errno.
 * With @plus, call with tree_lock held for reading. */
static ssize_t afs_readdir_add(fuse_req_t req, struct afs_inode *dir,
			       const struct afs_listing *h, size_t i, char *p,
			       size_t rem, bool plus)
{
	struct afs_fs *fs = afs_data(req);
	const struct afs_dirent *d = &h->ents[i];
	struct fuse_entry_param e;
	size_t entsize;
	int r;

	if (!plus) {
		struct stat st;

		memset(&st, 0, sizeof(st));
		st.st_ino = d->ino;
		st.st_mode = (mode_t)d->type << 12;
		return (ssize_t)fuse_add_direntry(req, p, rem, d->name, &st,
						  afs_listing_off(h, i));
	}
	r = afs_readdir_plus_attr(fs, dir, d, &e);
	if (r < 0)
		return r;
	entsize = fuse_add_direntry_plus(req, p, rem, d->name, &e,
					 afs_listing_off(h, i));
	/* Did not fit: the kernel never sees this lookup, so undo it. */
	if (entsize > rem && e.ino != 0)
		afs_inode_forget(fs, (struct afs_inode *)(uintptr_t)e.ino, 1);
	return (ssize_t)entsize;
}

static void afs_readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size,
			       off_t off, struct fuse_file_info *fi, bool plus)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, ino);
	struct afs_listing *h;
	char *buf, *p;
	size_t rem = size, i;
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
	p = buf = calloc(1, size);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	if (plus) {
		r = afs_prepare_dir(fs, dir);
		if (r < 0)
			goto out;
		afs_rdlock(fs);
	}
	for (i = afs_listing_index(off); i < h->n; i++) {
		ssize_t n = afs_readdir_add(req, dir, h, i, p, rem, plus);

		if (n < 0)
			r = (int)n;
		if (n < 0 || (size_t)n > rem)
			break;
		p += n;
		rem -= (size_t)n;
	}
	if (plus)
		afs_unlock(fs);
out:
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
