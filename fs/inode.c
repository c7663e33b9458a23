/*
 * Inodes of the view: lifetime (lookup counts and references), directory
 * source slots and their lazy recomputation, canonical parent creation.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs/afs.h"

void afs_rdlock(struct afs_fs *fs)
{
	pthread_rwlock_rdlock(&fs->tree_lock);
}

void afs_wrlock(struct afs_fs *fs)
{
	pthread_rwlock_wrlock(&fs->tree_lock);
}

void afs_unlock(struct afs_fs *fs)
{
	pthread_rwlock_unlock(&fs->tree_lock);
}

int afs_proc_path(int fd, char *buf, size_t size)
{
	int n = snprintf(buf, size, "/proc/self/fd/%d", fd);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

char *afs_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p;

	if (dl == 1 && dir[0] == '/')
		dl = 0;
	p = malloc(dl + nl + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl + 1);
	return p;
}

struct afs_inode *afs_inode_get(fuse_req_t req, fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return afs_data(req)->root;
	return (struct afs_inode *)(uintptr_t)ino;
}

void afs_slots_free(struct afs_slot *slots, unsigned n)
{
	unsigned i;

	if (!slots)
		return;
	for (i = 0; i < n; i++) {
		if (slots[i].fd >= 0)
			close(slots[i].fd);
		free(slots[i].bpath);
	}
	free(slots);
}

int afs_dir_first_fd(const struct afs_inode *dir)
{
	unsigned i;

	for (i = 0; i < dir->n_slots; i++)
		if (dir->slots[i].fd >= 0)
			return dir->slots[i].fd;
	return -1;
}

/* Call with table_lock held. */
void afs_dir_register_keys(struct afs_fs *fs, struct afs_inode *dir)
{
	unsigned i;

	for (i = 0; i < dir->n_slots; i++)
		if (dir->slots[i].fd >= 0)
			(void)afs_inode_table_put(
				fs->table,
				afs_dir_key_dev(dir, dir->slots[i].dev),
				dir->slots[i].ino, dir);
}

/* Call with table_lock held. */
void afs_dir_unregister_keys(struct afs_fs *fs, struct afs_inode *dir)
{
	unsigned i;

	for (i = 0; i < dir->n_slots; i++)
		if (dir->slots[i].fd >= 0)
			(void)afs_inode_table_remove(
				fs->table,
				afs_dir_key_dev(dir, dir->slots[i].dev),
				dir->slots[i].ino, dir);
}

static void afs_inode_destroy(struct afs_inode *inode)
{
	unsigned k;

	for (k = 0; k < inode->n_locs; k++)
		free(inode->locs[k].name);
	if (inode->fd >= 0)
		close(inode->fd);
	free(inode->open_fds);
	free(inode->dpkg_handles);
	afs_dir_listings_free(inode);
	afs_slots_free(inode->slots, inode->n_slots);
	free(inode->name);
	free(inode->path);
	free(inode->alias);
	free(inode->target);
	free(inode);
}

static void afs_inode_unlink_all(struct afs_fs *fs, struct afs_inode *inode)
{
	if (inode->prev_all)
		inode->prev_all->next_all = inode->next_all;
	else
		fs->all = inode->next_all;
	if (inode->next_all)
		inode->next_all->prev_all = inode->prev_all;
	else
		fs->all_tail = inode->prev_all;
	if (inode->kind == AFS_KIND_DIR)
		fs->n_dirs--;
}

/*
 * Drop @nlookup kernel lookups and @refs internal references; free the inode
 * when neither is left. Call with table_lock held.
 */
void afs_inode_unref_locked(struct afs_fs *fs, struct afs_inode *inode,
			    uint64_t nlookup, unsigned refs)
{
	while (inode) {
		struct afs_inode *parent;

		if (inode->kind == AFS_KIND_ALIAS || inode == fs->root ||
		    inode->persistent)
			return; /* live for the mount's life */
		inode->nlookup -=
			nlookup < inode->nlookup ? nlookup : inode->nlookup;
		inode->refs -= refs < inode->refs ? refs : inode->refs;
		if (inode->nlookup > 0 || inode->refs > 0)
			return;
		if (inode->kind == AFS_KIND_DIR)
			afs_dir_unregister_keys(fs, inode);
		else
			(void)afs_inode_table_remove(fs->table, inode->dev,
						     inode->ino, inode);
		if (inode->kind == AFS_KIND_FILE) {
			unsigned k;

			afs_inode_unlink_all(fs, inode);
			for (k = 0; k < inode->n_locs; k++)
				afs_inode_unref_locked(
					fs, inode->locs[k].parent, 0, 1);
			afs_inode_destroy(inode);
			return;
		}
		parent = inode->parent;
		afs_inode_unlink_all(fs, inode);
		afs_inode_destroy(inode);
		inode = parent;
		nlookup = 0;
		refs = 1;
	}
}

void afs_inode_forget(struct afs_fs *fs, struct afs_inode *inode,
		      uint64_t nlookup)
{
	pthread_mutex_lock(&fs->table_lock);
	afs_inode_unref_locked(fs, inode, nlookup, 0);
	pthread_mutex_unlock(&fs->table_lock);
}

int afs_inode_new_dir_root(struct afs_fs *fs, int root_fd)
{
	struct afs_inode *root = calloc(1, sizeof(*root));
	struct stat st;

	if (!root)
		return -ENOMEM;
	root->slots = calloc(1, sizeof(*root->slots));
	root->path = strdup("/");
	root->name = strdup("");
	if (!root->slots || !root->path || !root->name) {
		afs_inode_destroy(root);
		return -ENOMEM;
	}
	if (fstat(root_fd, &st) < 0) {
		int r = -errno;

		afs_inode_destroy(root);
		return r;
	}
	root->kind = AFS_KIND_DIR;
	root->fd = -1;
	root->n_slots = 1;
	root->slots[0].fd = root_fd;
	root->slots[0].dev = st.st_dev;
	root->slots[0].ino = st.st_ino;
	root->st_ino = st.st_ino;
	root->nlookup = 1;
	root->serial = atomic_fetch_add(&fs->next_serial, 1);
	pthread_mutex_lock(&fs->table_lock);
	afs_dir_register_keys(fs, root);
	pthread_mutex_unlock(&fs->table_lock);
	fs->root = root;
	return 0;
}

void afs_inode_link_all_locked(struct afs_fs *fs, struct afs_inode *inode)
{
	inode->prev_all = NULL;
	inode->next_all = fs->all;
	if (fs->all)
		fs->all->prev_all = inode;
	else
		fs->all_tail = inode;
	fs->all = inode;
	if (inode->kind == AFS_KIND_DIR)
		fs->n_dirs++;
}

void afs_inode_free_all(struct afs_fs *fs)
{
	size_t i;

	while (fs->all) {
		struct afs_inode *next = fs->all->next_all;

		afs_inode_destroy(fs->all);
		fs->all = next;
	}
	fs->all_tail = NULL;
	fs->n_dirs = 0;
	/* At unmount the kernel has forgotten everything it may; what is
	 * left is released with the table. The root's fd is fs->root_fd. */
	if (fs->root) {
		fs->root->slots[0].fd = -1;
		afs_inode_destroy(fs->root);
		fs->root = NULL;
	}
	for (i = 0; i < fs->n_alias_inodes; i++)
		afs_inode_destroy(fs->alias_inodes[i]);
	for (i = 0; i < fs->n_virtual_inodes; i++) {
		struct afs_inode *v = fs->virtual_inodes[i];

		if (v->parent) /* the parent is freed on its own */
			v->parent = NULL;
		afs_inode_destroy(v);
	}
	free(fs->virtual_inodes);
	fs->virtual_inodes = NULL;
	fs->n_virtual_inodes = 0;
	free(fs->alias_inodes);
	fs->alias_inodes = NULL;
	fs->n_alias_inodes = 0;
}

/* Open directory @rel under the backing root without following any
 * symlink and without leaving the root. */
int afs_open_beneath(struct afs_fs *fs, const char *rel)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, fs->root_fd, rel, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

static int afs_slot_append(struct afs_slot **slots, unsigned *n, int fd,
			   const char *bpath)
{
	struct afs_slot *ns;
	struct stat st;
	unsigned i;

	if (fd >= 0) {
		if (fstat(fd, &st) < 0) {
			close(fd);
			fd = -1;
		} else {
			/* The same backing dir reached twice (a bind mount,
			 * an alias and its target on one inode): once. */
			for (i = 0; i < *n; i++)
				if ((*slots)[i].fd >= 0 &&
				    (*slots)[i].dev == st.st_dev &&
				    (*slots)[i].ino == st.st_ino) {
					close(fd);
					return 0;
				}
		}
	}
	if (fd < 0 && *n > 0)
		return 0;
	ns = realloc(*slots, (*n + 1) * sizeof(**slots));
	if (!ns) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	*slots = ns;
	ns[*n].fd = fd;
	ns[*n].dev = fd >= 0 ? st.st_dev : 0;
	ns[*n].ino = fd >= 0 ? st.st_ino : 0;
	ns[*n].bpath = NULL;
	if (bpath) {
		ns[*n].bpath = strdup(bpath);
		if (!ns[*n].bpath) {
			if (fd >= 0)
				close(fd);
			return -ENOMEM;
		}
	}
	(*n)++;
	return 0;
}

/*
 * Source slots of the view directory @path, child @name of @parent:
 * slot 0 the canonical backing dir (fd -1 if absent), then every alias-side
 * dir that exists, then at a junction each alias's own backing dir.
 * Call with tree_lock held (read or write).
 */
int afs_dir_compute_slots(struct afs_fs *fs, struct afs_inode *parent,
			  const char *name, const char *path,
			  struct afs_slot **ret_slots, unsigned *ret_n)
{
	struct afs_slot *slots = NULL;
	unsigned n = 0, j;
	int r = 0, i;

	for (j = 0; j < parent->n_slots; j++) {
		int fd = -1;
		char *bpath = NULL;

		if (parent->slots[j].fd >= 0) {
			fd = openat(parent->slots[j].fd, name,
				    O_PATH | O_NOFOLLOW | O_DIRECTORY |
					    O_CLOEXEC);
			/* Absent or not a directory: no slot. Out of
			 * descriptors or memory: an error, never "absent". */
			if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
				       errno == ENOMEM)) {
				r = -errno;
				goto fail;
			}
		}
		if (j > 0 && fd >= 0) {
			bpath = afs_path_join(parent->slots[j].bpath, name);
			if (!bpath) {
				close(fd);
				r = -ENOMEM;
				goto fail;
			}
		}
		r = afs_slot_append(&slots, &n, fd, bpath);
		free(bpath);
		if (r < 0)
			goto fail;
	}
	for (i = afs_aliases_find_junction(fs->aliases, path, 0); i >= 0;
	     i = afs_aliases_find_junction(fs->aliases, path, (size_t)i + 1)) {
		const char *rel = fs->aliases->entries[i].alias + 1;
		int fd = afs_open_beneath(fs, rel);

		if (fd == -EMFILE || fd == -ENFILE || fd == -ENOMEM) {
			r = fd;
			goto fail;
		}
		if (fd < 0)
			continue;
		r = afs_slot_append(&slots, &n, fd, rel);
		if (r < 0)
			goto fail;
	}
	*ret_slots = slots;
	*ret_n = n;
	return 0;
fail:
	afs_slots_free(slots, n);
	return r;
}

/* Bring @dir's path and slots up to the current tree generation. Call
 * with tree_lock held for writing. */
static int afs_dir_refresh_locked(struct afs_fs *fs, struct afs_inode *dir)
{
	uint64_t gen = atomic_load(&fs->tree_gen);
	struct afs_slot *slots;
	unsigned n;
	char *path;
	int r;

	if (dir == fs->root || dir->gen == gen || !dir->parent)
		return 0;
	r = afs_dir_refresh_locked(fs, dir->parent);
	if (r < 0)
		return r;
	path = afs_path_join(dir->parent->path, dir->name);
	if (!path)
		return -ENOMEM;
	r = afs_dir_compute_slots(fs, dir->parent, dir->name, path, &slots, &n);
	if (r < 0) {
		free(path);
		return r;
	}
	pthread_mutex_lock(&fs->table_lock);
	afs_dir_unregister_keys(fs, dir);
	afs_slots_free(dir->slots, dir->n_slots);
	dir->slots = slots;
	dir->n_slots = n;
	afs_dir_register_keys(fs, dir);
	pthread_mutex_unlock(&fs->table_lock);
	free(dir->path);
	dir->path = path;
	dir->gen = gen;
	atomic_fetch_add(&dir->cache_gen, 1);
	return 0;
}

int afs_dir_refresh(struct afs_fs *fs, struct afs_inode *dir)
{
	int r;

	afs_wrlock(fs);
	r = afs_dir_refresh_locked(fs, dir);
	afs_unlock(fs);
	return r;
}

/* Refresh @dir if the tree changed since its slots were computed. Call
 * without tree_lock. */
int afs_prepare_dir(struct afs_fs *fs, struct afs_inode *dir)
{
	if (dir->kind != AFS_KIND_DIR)
		return -ENOTDIR;
	if (dir == fs->root || dir->gen == atomic_load(&fs->tree_gen))
		return 0;
	return afs_dir_refresh(fs, dir);
}

void afs_dir_changed(struct afs_inode *dir)
{
	atomic_fetch_add(&dir->cache_gen, 1);
}

void afs_dir_touch_shown(struct afs_inode *dir)
{
	/* mtime now (and so ctime), atime alone, as an unlink does. */
	static const struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
	int fd = afs_dir_first_fd(dir);

	if (fd >= 0)
		(void)utimensat(fd, "", ts, AT_EMPTY_PATH);
}

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

/*
 * The persistent directory inode for view path @path (child @name of
 * @dir) that the view shows even without a backing source. Call with
 * tree_lock held. Returns NULL when out of memory.
 */
struct afs_inode *afs_virtual_dir(struct afs_fs *fs, struct afs_inode *dir,
				  const char *name, const char *path)
{
	struct afs_inode *v = NULL, **grown;
	size_t i;

	pthread_mutex_lock(&fs->alias_lock);
	for (i = 0; i < fs->n_virtual_inodes; i++) {
		v = fs->virtual_inodes[i];
		if (v->parent == dir && strcmp(v->name, name) == 0)
			goto out;
	}
	v = NULL;
	grown = realloc(fs->virtual_inodes,
			(fs->n_virtual_inodes + 1) * sizeof(*grown));
	if (!grown)
		goto out;
	fs->virtual_inodes = grown;
	v = calloc(1, sizeof(*v));
	if (!v)
		goto out;
	v->kind = AFS_KIND_DIR;
	v->fd = -1;
	v->persistent = true;
	v->name = strdup(name);
	v->path = strdup(path);
	if (!v->name || !v->path ||
	    afs_dir_compute_slots(fs, dir, name, path, &v->slots, &v->n_slots) <
		    0) {
		afs_inode_destroy(v);
		v = NULL;
		goto out;
	}
	v->parent = dir;
	v->gen = atomic_load(&fs->tree_gen);
	v->st_ino = (ino_t)(AFS_VIRTUAL_INO_BASE + fs->n_virtual_inodes);
	v->serial = atomic_fetch_add(&fs->next_serial, 1);
	pthread_mutex_lock(&fs->table_lock);
	dir->refs++;
	afs_dir_register_keys(fs, v);
	pthread_mutex_unlock(&fs->table_lock);
	fs->virtual_inodes[fs->n_virtual_inodes++] = v;
out:
	pthread_mutex_unlock(&fs->alias_lock);
	return v;
}

/* The virtual directory inode at view path @path, or NULL. Call with
 * tree_lock held. */
struct afs_inode *afs_virtual_find(struct afs_fs *fs, const char *path)
{
	struct afs_inode *v = NULL;
	size_t i;

	pthread_mutex_lock(&fs->alias_lock);
	for (i = 0; i < fs->n_virtual_inodes; i++)
		if (strcmp(fs->virtual_inodes[i]->path, path) == 0) {
			v = fs->virtual_inodes[i];
			break;
		}
	pthread_mutex_unlock(&fs->alias_lock);
	return v;
}

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
		r = afs_file_locate(fs, inode, O_PATH, NULL, &st);
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
