/*
 * lookup and forget: resolve a name in a merged directory, with a lookup
 * cache (negative results too) so repeated misses cost no backing syscall.
 *
 * Layer 6 (operations, fs/README.md): calls the view services, directories,
 * inode core, alias table and leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/alias-unlink.h"
#include "fs/conflicts.h"
#include "fs/dir-slots.h"
#include "fs/dir-virtual.h"
#include "fs/dir.h"
#include "fs/door.h"
#include "fs/dpkg-db-view.h"
#include "fs/fd-pressure.h"
#include "fs/inode-file.h"
#include "fs/inode-stat.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/lookup.h"
#include "fs/path.h"
#include "fs/sources.h"
#include "fs/tree-lock.h"

#define AFS_LCACHE_SIZE 16384 /* power of two; direct-mapped */

struct afs_lcache_entry {
	uint64_t serial;
	uint64_t dir_gen;
	uint64_t tree_gen;
	char *name; /* NULL: empty */
	bool negative;
	dev_t dev;
	ino_t ino;
};

struct afs_lookup_cache {
	pthread_mutex_t lock;
	struct afs_lcache_entry entries[AFS_LCACHE_SIZE];
};

int afs_lookup_cache_new(struct afs_lookup_cache **ret_cache)
{
	struct afs_lookup_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->lock, NULL);
	*ret_cache = c;
	return 0;
}

void afs_lookup_cache_free(struct afs_lookup_cache *cache)
{
	size_t i;

	if (!cache)
		return;
	for (i = 0; i < AFS_LCACHE_SIZE; i++)
		free(cache->entries[i].name);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

static size_t afs_lcache_index(uint64_t serial, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (serial * 0x9e3779b97f4a7c15ULL);

	while (*name) {
		h ^= (unsigned char)*name++;
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 32)) & (AFS_LCACHE_SIZE - 1);
}

/* Returns 1 on a valid hit (*ret_entry filled, name not copied), else 0. */
static int afs_lcache_get(struct afs_lookup_cache *c, uint64_t serial,
			  uint64_t dir_gen, uint64_t tree_gen, const char *name,
			  struct afs_lcache_entry *ret_entry)
{
	struct afs_lcache_entry *e;
	int hit = 0;

	pthread_mutex_lock(&c->lock);
	e = &c->entries[afs_lcache_index(serial, name)];
	if (e->name && e->serial == serial && e->dir_gen == dir_gen &&
	    e->tree_gen == tree_gen && strcmp(e->name, name) == 0) {
		*ret_entry = *e;
		hit = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

static void afs_lcache_put(struct afs_lookup_cache *c, uint64_t serial,
			   uint64_t dir_gen, uint64_t tree_gen,
			   const char *name, bool negative, dev_t dev,
			   ino_t ino)
{
	struct afs_lcache_entry *e;
	char *copy = strdup(name);

	if (!copy)
		return;
	pthread_mutex_lock(&c->lock);
	e = &c->entries[afs_lcache_index(serial, name)];
	free(e->name);
	e->name = copy;
	e->serial = serial;
	e->dir_gen = dir_gen;
	e->tree_gen = tree_gen;
	e->negative = negative;
	e->dev = dev;
	e->ino = ino;
	pthread_mutex_unlock(&c->lock);
}

/* The persistent inode of alias @alias_index. Call with tree_lock held. */
struct afs_inode *afs_alias_inode(struct afs_fs *fs, size_t alias_index)
{
	const struct afs_alias_entry *a = &fs->aliases->entries[alias_index];
	struct afs_inode *inode = NULL, **grown;
	size_t i;

	pthread_mutex_lock(&fs->alias_lock);
	for (i = 0; i < fs->n_alias_inodes; i++)
		if (strcmp(fs->alias_inodes[i]->alias, a->alias) == 0) {
			inode = fs->alias_inodes[i];
			goto out;
		}
	grown = realloc(fs->alias_inodes,
			(fs->n_alias_inodes + 1) * sizeof(*grown));
	if (!grown)
		goto out;
	fs->alias_inodes = grown;
	inode = calloc(1, sizeof(*inode));
	if (!inode)
		goto out;
	inode->kind = AFS_KIND_ALIAS;
	inode->fd = -1;
	inode->alias = strdup(a->alias);
	inode->target = strdup(a->target);
	if (!inode->alias || !inode->target) {
		free(inode->alias);
		free(inode->target);
		free(inode);
		inode = NULL;
		goto out;
	}
	inode->st_ino = (ino_t)(AFS_ALIAS_INO_BASE + fs->n_alias_inodes);
	inode->serial = atomic_fetch_add(&fs->next_serial, 1);
	fs->alias_inodes[fs->n_alias_inodes++] = inode;
out:
	pthread_mutex_unlock(&fs->alias_lock);
	return inode;
}

static void afs_entry_fill(struct afs_fs *fs, struct afs_inode *inode,
			   const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = (fuse_ino_t)(uintptr_t)inode;
	e->attr = *st;
	e->attr.st_ino = inode->st_ino;
	e->attr_timeout = fs->attr_timeout;
	e->entry_timeout = fs->entry_timeout;
	/* dpkg database view: presented size, never cached. */
	afs_dpkgdb_fix_stat(fs, inode, &e->attr, &e->attr_timeout);
}

/* The first slot of @dir providing @name. Call with tree_lock held. */
int afs_find_entry(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		   int *ret_slot, struct stat *ret_st)
{
	unsigned j;

	for (j = 0; j < dir->n_slots; j++) {
		struct stat st;

		if (dir->slots[j].fd < 0)
			continue;
		if (fstatat(dir->slots[j].fd, name, &st, AT_SYMLINK_NOFOLLOW) ==
		    0) {
			if (ret_slot)
				*ret_slot = (int)j;
			if (ret_st)
				*ret_st = st;
			return 0;
		}
		if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
	}
	return -ENOENT;
}

/* Backing path (relative to the root) of @name in slot @j of @dir. */
static char *afs_slot_bpath(struct afs_inode *dir, unsigned j, const char *name)
{
	const char *base = j == 0 ? dir->path : dir->slots[j].bpath;
	char *p = afs_path_join(base, name);
	char *rel;

	if (!p || p[0] != '/')
		return p;
	rel = strdup(p + 1);
	free(p);
	return rel;
}

static void afs_note_conflict(struct afs_fs *fs, struct afs_inode *dir,
			      unsigned winner, unsigned other, const char *name)
{
	char *a = afs_slot_bpath(dir, winner, name);
	char *b = afs_slot_bpath(dir, other, name);

	if (a && b)
		afs_conflict_note(fs, a, b);
	free(a);
	free(b);
}

/* The virtual directory @path, child @name of @dir, with one lookup
 * counted; takes @path on success. */
static int afs_lookup_virtual(struct afs_fs *fs, struct afs_inode *dir,
			      const char *name, char *path,
			      struct afs_inode **ret_inode, struct stat *ret_st)
{
	struct afs_inode *v = afs_virtual_dir(fs, dir, name, path);
	int r;

	if (!v)
		return -ENOMEM;
	pthread_mutex_lock(&fs->table_lock);
	v->nlookup++;
	pthread_mutex_unlock(&fs->table_lock);
	r = afs_inode_stat(fs, v, ret_st);
	if (r < 0)
		return r;
	free(path);
	*ret_inode = v;
	return 0;
}

/* The directory inode already registered for one of @slots as child
 * @name of @dir, or NULL. Call with table_lock held. */
static struct afs_inode *
afs_lookup_dir_known(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		     const struct afs_slot *slots, unsigned n)
{
	unsigned j;

	for (j = 0; j < n; j++) {
		struct afs_inode *x;

		if (slots[j].fd < 0)
			continue;
		x = afs_inode_table_get(fs->table,
					afs_dir_key_dev(dir, slots[j].dev),
					slots[j].ino);
		if (x && x->kind == AFS_KIND_DIR && x->parent == dir &&
		    strcmp(x->name, name) == 0)
			return x;
	}
	return NULL;
}

/* A new directory inode for @path, child @name of @dir, with one lookup
 * counted; it takes @path and @slots. NULL when out of memory. Call with
 * table_lock held. */
static struct afs_inode *afs_lookup_dir_new(struct afs_fs *fs,
					    struct afs_inode *dir,
					    const char *name, char *path,
					    struct afs_slot *slots, unsigned n,
					    ino_t st_ino, uint64_t tree_gen)
{
	struct afs_inode *inode = calloc(1, sizeof(*inode));

	if (!inode || !(inode->name = strdup(name))) {
		free(inode);
		return NULL;
	}
	inode->kind = AFS_KIND_DIR;
	inode->fd = -1;
	inode->parent = dir;
	dir->refs++;
	inode->path = path;
	inode->slots = slots;
	inode->n_slots = n;
	inode->gen = tree_gen;
	inode->door_side = dir->door_side;
	inode->st_ino = st_ino;
	inode->nlookup = 1;
	inode->serial = atomic_fetch_add(&fs->next_serial, 1);
	afs_dir_register_keys(fs, inode);
	afs_inode_link_all_locked(fs, inode);
	afs_fd_pressure_check(fs);
	return inode;
}

/* Directory @path, child @name of @dir, with one lookup counted; takes
 * @path on success. */
static int afs_lookup_dir(struct afs_fs *fs, struct afs_inode *dir,
			  const char *name, char *path, uint64_t tree_gen,
			  struct afs_inode **ret_inode, struct stat *ret_st)
{
	struct afs_slot *slots;
	struct afs_inode *inode;
	ino_t st_ino;
	unsigned n, j;
	int r, first = -1;

	r = afs_dir_compute_slots(fs, dir, name, path, &slots, &n);
	if (r < 0)
		return r;
	for (j = 0; j < n && first < 0; j++)
		if (slots[j].fd >= 0)
			first = (int)j;
	if (first < 0 && !afs_aliases_needs_dir(fs->aliases, path)) {
		r = -ENOENT;
		goto fail;
	}
	if (first < 0 && !dir->door_side) {
		afs_slots_free(slots, n);
		return afs_lookup_virtual(fs, dir, name, path, ret_inode,
					  ret_st);
	}
	if (first >= 0) {
		if (fstatat(slots[first].fd, "", ret_st,
			    AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
			goto fail;
		}
		st_ino = slots[first].ino;
	} else {
		/* Door side, where the canonical side shows a virtual
		 * directory: the same number. */
		struct afs_inode *v = afs_virtual_find(fs, path);

		st_ino = v ? v->st_ino : (ino_t)(AFS_VIRTUAL_INO_BASE - 1);
	}
	pthread_mutex_lock(&fs->table_lock);
	inode = afs_lookup_dir_known(fs, dir, name, slots, n);
	if (inode) {
		inode->nlookup++;
		pthread_mutex_unlock(&fs->table_lock);
		afs_slots_free(slots, n);
		free(path);
		*ret_inode = inode;
		return 0;
	}
	inode = afs_lookup_dir_new(fs, dir, name, path, slots, n, st_ino,
				   tree_gen);
	pthread_mutex_unlock(&fs->table_lock);
	if (!inode) {
		r = -ENOMEM;
		goto fail;
	}
	*ret_inode = inode;
	if (first < 0) /* door side, no source yet: as a virtual dir */
		return afs_inode_stat(fs, inode, ret_st);
	return 0;
fail:
	afs_slots_free(slots, n);
	return r;
}

static int afs_lookup_file(struct afs_fs *fs, struct afs_inode *dir,
			   const char *name, const struct stat *st,
			   struct afs_inode **ret_inode)
{
	struct afs_inode *inode, *x;

	pthread_mutex_lock(&fs->table_lock);
	x = afs_inode_table_get(fs->table, st->st_dev, st->st_ino);
	/*
	 * Files hold no descriptor, so the backing may have reused the
	 * inode number of a file the kernel still remembers (dpkg renames
	 * a new symlink over an old file): a different type is a different
	 * file, which gets an inode of its own; the put below replaces the
	 * stale mapping, and forgetting the stale inode leaves it alone.
	 */
	if (x && x->kind == AFS_KIND_FILE &&
	    x->type == (st->st_mode & S_IFMT)) {
		x->nlookup++;
		pthread_mutex_unlock(&fs->table_lock);
		afs_file_relocate(fs, x, dir, name);
		*ret_inode = x;
		return 0;
	}
	inode = calloc(1, sizeof(*inode));
	if (!inode || !(inode->locs[0].name = strdup(name))) {
		pthread_mutex_unlock(&fs->table_lock);
		free(inode);
		return -ENOMEM;
	}
	inode->locs[0].parent = dir;
	inode->n_locs = 1;
	inode->kind = AFS_KIND_FILE;
	inode->fd = -1;
	inode->dev = st->st_dev;
	inode->ino = st->st_ino;
	inode->st_ino = st->st_ino;
	inode->type = st->st_mode & S_IFMT;
	inode->nlookup = 1;
	inode->serial = atomic_fetch_add(&fs->next_serial, 1);
	if (afs_inode_table_put(fs->table, st->st_dev, st->st_ino, inode) < 0) {
		pthread_mutex_unlock(&fs->table_lock);
		free(inode->locs[0].name);
		free(inode);
		return -ENOMEM;
	}
	dir->refs++;
	afs_inode_link_all_locked(fs, inode);
	pthread_mutex_unlock(&fs->table_lock);
	*ret_inode = inode;
	return 0;
}

/* A cached positive result: the inode is still known and alive. */
static int afs_lookup_cached(struct afs_fs *fs, struct afs_inode *dir,
			     const char *name, const struct afs_lcache_entry *c,
			     struct fuse_entry_param *ret_e)
{
	struct afs_inode *x;
	struct stat st;

	pthread_mutex_lock(&fs->table_lock);
	x = afs_inode_table_get(fs->table, c->dev, c->ino);
	if (!x || (x->kind == AFS_KIND_DIR &&
		   (x->parent != dir || strcmp(x->name, name) != 0))) {
		pthread_mutex_unlock(&fs->table_lock);
		return -EAGAIN;
	}
	x->nlookup++;
	pthread_mutex_unlock(&fs->table_lock);
	if (x->kind == AFS_KIND_FILE)
		afs_file_relocate(fs, x, dir, name);
	/* A reused inode number of another type is another file. */
	if (afs_inode_stat(fs, x, &st) < 0 ||
	    (x->kind == AFS_KIND_FILE && x->type != (st.st_mode & S_IFMT))) {
		afs_inode_forget(fs, x, 1);
		return -EAGAIN;
	}
	afs_entry_fill(fs, x, &st, ret_e);
	return 0;
}

/* The slot of @dir whose entry @name the view shows: *ret_winner, -1 for
 * none, with its lstat in *ret_st. A second provider is noted as a
 * conflict candidate. 0 or -errno. */
static int afs_lookup_provider(struct afs_fs *fs, struct afs_inode *dir,
			       const char *name, int *ret_winner,
			       struct stat *ret_st)
{
	struct stat st;
	unsigned j;
	int winner = -1;

	for (j = 0; j < dir->n_slots; j++) {
		if (dir->slots[j].fd < 0)
			continue;
		if (fstatat(dir->slots[j].fd, name, &st, AT_SYMLINK_NOFOLLOW) <
		    0) {
			if (errno != ENOENT && errno != ENOTDIR)
				return -errno;
			continue;
		}
		if (winner < 0) {
			winner = (int)j;
			*ret_st = st;
			continue;
		}
		/* A second provider: identical entries are one, anything
		 * else is a conflict the background thread checks. */
		if (winner == 0 &&
		    !(S_ISDIR(ret_st->st_mode) && S_ISDIR(st.st_mode)) &&
		    !(st.st_dev == ret_st->st_dev &&
		      st.st_ino == ret_st->st_ino))
			afs_note_conflict(fs, dir, 0, j, name);
	}
	if (winner >= 0 && !S_ISDIR(ret_st->st_mode) &&
	    afs_aliases_has_junction_child(fs->aliases, dir->path, name))
		/* A canonical directory must be a directory: a backing
		 * symlink there (usr/bin -> /bin) would make the alias
		 * loop. Hide it. Its parents (usr -> x) stay as the
		 * backing has them. */
		winner = -1;
	*ret_winner = winner;
	return 0;
}

/* Subdirectory @name of @dir (provided by slot @winner, or by none),
 * with one lookup counted. */
static int afs_lookup_subdir(struct afs_fs *fs, struct afs_inode *dir,
			     const char *name, int winner, uint64_t tree_gen,
			     struct afs_inode **ret_inode, struct stat *ret_st)
{
	char *path = afs_path_join(dir->path, name);
	int r;

	if (!path)
		return -ENOMEM;
	if (winner < 0 && !afs_aliases_needs_dir(fs->aliases, path))
		r = -ENOENT;
	else
		r = afs_lookup_dir(fs, dir, name, path, tree_gen, ret_inode,
				   ret_st);
	if (r < 0)
		free(path);
	return r;
}

/* The backing entries of @name in @dir; the lookup cache is used only
 * with @cached. */
static int afs_lookup_backing(struct afs_fs *fs, struct afs_inode *dir,
			      const char *name, bool cached,
			      struct fuse_entry_param *ret_e)
{
	uint64_t dir_gen = atomic_load(&dir->cache_gen);
	uint64_t tree_gen = atomic_load(&fs->tree_gen);
	struct afs_lcache_entry c;
	struct afs_inode *inode = NULL;
	struct stat st;
	int r, winner = -1;

	if (cached && afs_lcache_get(fs->lcache, dir->serial, dir_gen, tree_gen,
				     name, &c)) {
		if (c.negative)
			return -ENOENT;
		if (afs_lookup_cached(fs, dir, name, &c, ret_e) == 0)
			return 0;
	}
	r = afs_lookup_provider(fs, dir, name, &winner, &st);
	if (r < 0)
		return r;
	if (winner >= 0 && !S_ISDIR(st.st_mode))
		r = afs_lookup_file(fs, dir, name, &st, &inode);
	else
		r = afs_lookup_subdir(fs, dir, name, winner, tree_gen, &inode,
				      &st);
	if (r == -ENOENT && cached)
		afs_lcache_put(fs->lcache, dir->serial, dir_gen, tree_gen, name,
			       true, 0, 0);
	if (r < 0)
		return r;
	afs_entry_fill(fs, inode, &st, ret_e);
	if (cached)
		afs_lcache_put(fs->lcache, dir->serial, dir_gen, tree_gen, name,
			       false, st.st_dev, st.st_ino);
	return 0;
}

/* Alias @i's name, as @caller sees it (door.h). */
static int afs_lookup_alias(struct afs_fs *fs, size_t i,
			    struct afs_caller *caller,
			    struct fuse_entry_param *ret_e)
{
	struct afs_inode *inode = NULL;
	enum afs_door_view v;
	struct stat st;
	int r;

	v = afs_door_alias_view(fs, caller, fs->aliases->entries[i].alias,
				&inode);
	switch (v) {
	case AFS_DOOR_GONE:
		ret_e->entry_timeout = 0;
		return -ENOENT;
	case AFS_DOOR_OPEN:
		r = afs_inode_stat(fs, inode, &st);
		if (r < 0) {
			afs_inode_forget(fs, inode, 1);
			return r;
		}
		break;
	default:
		inode = afs_alias_inode(fs, i);
		if (!inode)
			return -ENOMEM;
		afs_fill_alias_stat(fs, inode, &st);
		break;
	}
	afs_entry_fill(fs, inode, &st, ret_e);
	if (v != AFS_DOOR_NONE) {
		/* Others see the alias, the program its door: every walk
		 * asks again. */
		ret_e->entry_timeout = 0;
		ret_e->attr_timeout = 0;
	}
	return 0;
}

/*
 * Look @name up in @dir (prepared, tree_lock held for reading) for
 * @caller (NULL: a caller that has no door). Returns 0 and *ret_e with one
 * lookup counted, -ENOENT (a negative entry, *ret_e holds its timeout),
 * -errno.
 */
int afs_do_lookup_by(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		     struct afs_caller *caller, struct fuse_entry_param *ret_e)
{
	struct afs_caller anonymous = {0};
	bool uncached = dir->door_side;
	int i, r;

	memset(ret_e, 0, sizeof(*ret_e));
	ret_e->entry_timeout = fs->negative_timeout;
	if (!caller)
		caller = &anonymous;
	i = afs_aliases_find_child(fs->aliases, dir->path, name);
	if (i >= 0)
		return afs_lookup_alias(fs, (size_t)i, caller, ret_e);
	if (afs_doors_active(fs)) {
		char *path = afs_path_join(dir->path, name);
		enum afs_door_name v;

		if (!path)
			return -ENOMEM;
		v = afs_door_name_view(fs, caller, path, dir->door_side);
		free(path);
		if (v == AFS_DOOR_NAME_HIDDEN) {
			ret_e->entry_timeout = 0;
			return -ENOENT;
		}
		uncached |= v == AFS_DOOR_NAME_VOLATILE;
	}
	r = afs_lookup_backing(fs, dir, name, !uncached, ret_e);
	if (uncached) {
		/* Below a door, or deleted for its program only: the kernel
		 * must ask on every walk. */
		ret_e->entry_timeout = 0;
		if (r == 0 &&
		    ((struct afs_inode *)(uintptr_t)ret_e->ino)->door_side)
			ret_e->attr_timeout = 0;
	}
	return r;
}

int afs_do_lookup(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		  struct fuse_entry_param *ret_e)
{
	return afs_do_lookup_by(fs, dir, name, NULL, ret_e);
}

/*
 * The view directory at @path (absolute, canonical: no alias on the way),
 * walked from the root as the kernel would. Returns 0 and *ret_dir with
 * one lookup counted (release with afs_inode_forget(); none for the
 * root, which is never freed), or -errno. Call without tree_lock.
 */
int afs_lookup_view_dir(struct afs_fs *fs, const char *path,
			struct afs_inode **ret_dir)
{
	struct afs_inode *cur = fs->root;
	const char *p = path;
	char name[NAME_MAX + 1];

	while (*p == '/')
		p++;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		struct fuse_entry_param e;
		struct afs_inode *next;
		int r;

		if (len > NAME_MAX) {
			afs_inode_forget(fs, cur, 1);
			return -ENAMETOOLONG;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		r = afs_prepare_dir(fs, cur);
		if (r >= 0) {
			afs_rdlock(fs);
			r = afs_do_lookup(fs, cur, name, &e);
			afs_unlock(fs);
		}
		/* A child directory holds a reference on its parent. */
		afs_inode_forget(fs, cur, 1);
		if (r < 0)
			return r;
		next = (struct afs_inode *)(uintptr_t)e.ino;
		if (next->kind != AFS_KIND_DIR) {
			afs_inode_forget(fs, next, 1);
			return -ENOTDIR;
		}
		cur = next;
		p += len;
		while (*p == '/')
			p++;
	}
	*ret_dir = cur;
	return 0;
}

/*
 * A new door directory (door.h) for view directory @canonical: the same
 * sources and place in the tree, but its own inode, which the kernel
 * sees under the alias's name. No lookup or reference counted yet: the
 * caller takes one, or frees it with afs_inode_unref_locked(fs, d, 0, 0).
 * Call without tree_lock.
 */
int afs_lookup_door_dir(struct afs_fs *fs, struct afs_inode *canonical,
			struct afs_inode **ret_door)
{
	struct afs_inode *c = canonical, *d;
	struct afs_slot *slots = NULL;
	uint64_t gen;
	unsigned n = 0;
	int r;

	if (c == fs->root || c->door_side)
		return -EINVAL;
	r = afs_prepare_dir(fs, c);
	if (r < 0)
		return r;
	afs_rdlock(fs);
	gen = atomic_load(&fs->tree_gen);
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(c->name)) ||
	    !(d->path = strdup(c->path))) {
		r = -ENOMEM;
		goto fail;
	}
	r = afs_dir_compute_slots(fs, c->parent, c->name, c->path, &slots, &n);
	if (r < 0)
		goto fail;
	d->kind = AFS_KIND_DIR;
	d->fd = -1;
	d->door_side = true;
	d->slots = slots;
	d->n_slots = n;
	d->gen = gen;
	d->st_ino = c->st_ino;
	d->serial = atomic_fetch_add(&fs->next_serial, 1);
	pthread_mutex_lock(&fs->table_lock);
	d->parent = c->parent;
	d->parent->refs++;
	afs_dir_register_keys(fs, d);
	afs_inode_link_all_locked(fs, d);
	afs_fd_pressure_check(fs);
	pthread_mutex_unlock(&fs->table_lock);
	afs_unlock(fs);
	*ret_door = d;
	return 0;
fail:
	afs_unlock(fs);
	if (d) {
		free(d->name);
		free(d->path);
		free(d);
	}
	return r;
}

void afs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, parent);
	struct afs_caller caller;
	struct fuse_entry_param e;
	int r;

	afs_caller_of(req, &caller);
	/* A program that replaced an alias may have exited: what it left
	 * is settled before anyone sees the name (alias-unlink.c). */
	if (afs_doors_active(fs))
		afs_alias_reap(fs);
	r = afs_prepare_dir(fs, dir);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	afs_rdlock(fs);
	r = afs_do_lookup_by(fs, dir, name, &caller, &e);
	afs_unlock(fs);
	if (r == -ENOENT) {
		fuse_reply_entry(req, &e);
	} else if (r < 0) {
		fuse_reply_err(req, -r);
	} else {
		fuse_reply_entry(req, &e);
	}
}

void afs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	afs_inode_forget(afs_data(req), afs_inode_get(req, ino), nlookup);
	fuse_reply_none(req);
}

void afs_op_forget_multi(fuse_req_t req, size_t count,
			 struct fuse_forget_data *forgets)
{
	struct afs_fs *fs = afs_data(req);
	size_t i;

	pthread_mutex_lock(&fs->table_lock);
	for (i = 0; i < count; i++)
		afs_inode_unref_locked(fs, afs_inode_get(req, forgets[i].ino),
				       forgets[i].nlookup, 0);
	pthread_mutex_unlock(&fs->table_lock);
	fuse_reply_none(req);
}
