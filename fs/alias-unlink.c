/*
 * Removing an alias a program unlinked and left unused. On a real merged
 * system `rm /lib32` removes the link, and maintainer scripts rely on it
 * (usrmerge's postinst drops unowned biarch links). Through the view such
 * an unlink is only recorded (door.h); once the program has exited without
 * making a directory of that name, the alias is removed from the database
 * and from the map if its canonical directory is empty in the union, so
 * neither /lib32 nor an empty /usr/lib32 kept alive only by the alias is
 * shown any more. With content below the canonical directory the alias
 * stays: removing it would change what the view shows, which is
 * `aliasctl remove`'s job.
 *
 * Layer 5 (view services, fs/README.md): calls door.c, dpkg-db-view.c in its
 * layer and the directories, inode core, alias table and leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliasdb.h"
#include "fs/afs.h"
#include "fs/alias-unlink.h"
#include "fs/backing.h"
#include "fs/db-handle.h"
#include "fs/dir-slots.h"
#include "fs/dir-virtual.h"
#include "fs/door.h"
#include "fs/dpkg-db-view.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/notify-queue.h"
#include "fs/path.h"
#include "fs/sources.h"
#include "fs/tree-lock.h"

/* FUSE node id of the view directory at @path if the kernel may know it,
 * 0 otherwise. Call without tree_lock. */
fuse_ino_t afs_view_nodeid(struct afs_fs *fs, const char *path)
{
	struct afs_inode *x;
	struct stat st;
	int fd;

	if (strcmp(path, "/") == 0)
		return FUSE_ROOT_ID;
	fd = afs_open_beneath(fs, path + 1);
	if (fd < 0) {
		afs_rdlock(fs);
		x = afs_virtual_find(fs, path);
		afs_unlock(fs);
		return (fuse_ino_t)(uintptr_t)x;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return 0;
	}
	close(fd);
	pthread_mutex_lock(&fs->table_lock);
	x = afs_inode_table_get(fs->table, st.st_dev, st.st_ino);
	if (x && x->kind != AFS_KIND_DIR)
		x = NULL;
	pthread_mutex_unlock(&fs->table_lock);
	/* Only a number for the kernel: a forgotten inode makes it ignore
	 * the notification. */
	if (!x)
		return 0;
	return x == fs->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)x;
}

/*
 * The backing directories that provide view directory @path, found from
 * the map alone: itself, then the alias side of every alias it lies at or
 * below (/lib32 for /usr/lib32). A symlink or nothing at a spelling is no
 * source (a merged backing has /lib32 -> usr/lib32); *ret_blocked is set
 * when something else than a directory sits at @path itself. Call with
 * tree_lock held.
 */
static int afs_path_sources(struct afs_fs *fs, const char *path,
			    struct afs_slot **ret_slots, unsigned *ret_n,
			    bool *ret_blocked)
{
	const struct afs_aliases *a = fs->aliases;
	struct afs_slot *slots;
	size_t i, len;
	unsigned n = 0;
	int r, fd;

	*ret_blocked = false;
	slots = calloc(a->n + 1, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	if (strcmp(path, "/") == 0) {
		fd = fcntl(fs->root_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			fd = -errno;
	} else {
		fd = afs_open_beneath(fs, path + 1);
	}
	if (fd < 0 && fd != -ENOENT) {
		if (fd != -ELOOP && fd != -ENOTDIR) {
			r = fd;
			goto fail;
		}
		*ret_blocked = true;
	}
	slots[n++].fd = fd < 0 ? -1 : fd;
	for (i = 0; i < a->n; i++) {
		const char *c = a->entries[i].canonical;
		char *spelling;

		len = strlen(c);
		if (strncmp(path, c, len) != 0 ||
		    (path[len] != '\0' && path[len] != '/'))
			continue;
		spelling = afs_path_join(a->entries[i].alias,
					 path[len] ? path + len + 1 : "");
		if (!spelling) {
			r = -ENOMEM;
			goto fail;
		}
		fd = afs_open_beneath(fs, spelling + 1);
		free(spelling);
		if (fd == -EMFILE || fd == -ENFILE || fd == -ENOMEM) {
			r = fd;
			goto fail;
		}
		slots[n++].fd = fd < 0 ? -1 : fd;
	}
	*ret_slots = slots;
	*ret_n = n;
	return 0;
fail:
	afs_slots_free(slots, n);
	return r;
}

/* Is the view directory @canonical empty? 1, 0, or -errno. Call with
 * tree_lock held. */
static int afs_canonical_empty(struct afs_fs *fs, const char *canonical)
{
	struct afs_slot *slots;
	bool blocked;
	unsigned n;
	int r;

	r = afs_path_sources(fs, canonical, &slots, &n, &blocked);
	if (r < 0)
		return r;
	r = blocked ? 0 : afs_dir_union_empty(fs, slots, n, canonical);
	afs_slots_free(slots, n);
	return r;
}

int afs_alias_canonical_empty(struct afs_fs *fs, const char *canonical)
{
	int r;

	afs_rdlock(fs);
	r = afs_canonical_empty(fs, canonical);
	afs_unlock(fs);
	return r;
}

/* Remove what the backing has at @name in view directory @dir_path (a
 * symlink of a merged backing, an empty alias-side directory): once the
 * alias is gone it would show. Call with tree_lock held for writing. */
static int afs_remove_backing_at(struct afs_fs *fs, const char *dir_path,
				 const char *name)
{
	struct afs_slot *slots;
	bool blocked;
	unsigned n, j;
	int r;

	r = afs_path_sources(fs, dir_path, &slots, &n, &blocked);
	if (r < 0)
		return r;
	for (j = 0; j < n && r == 0; j++) {
		struct stat st;

		if (slots[j].fd < 0 ||
		    fstatat(slots[j].fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (unlinkat(slots[j].fd, name,
			     S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
			r = -errno;
	}
	afs_slots_free(slots, n);
	return r;
}

/* Make room to retire one more map, so nothing fails after the
 * database write. */
static int afs_retired_reserve(struct afs_fs *fs)
{
	struct afs_aliases **grown;

	grown = realloc(fs->retired_aliases,
			(fs->n_retired_aliases + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	fs->retired_aliases = grown;
	return 0;
}

void afs_alias_retired_free(struct afs_fs *fs)
{
	size_t i;

	for (i = 0; i < fs->n_retired_aliases; i++)
		afs_aliases_free(fs->retired_aliases[i]);
	free(fs->retired_aliases);
	fs->retired_aliases = NULL;
	fs->n_retired_aliases = 0;
}

/* Remove @alias from the database and show the resulting map. Call with
 * tree_lock held for writing. */
static int afs_alias_deactivate_locked(struct afs_fs *fs, const char *alias)
{
	struct afs_aliases *na = NULL;
	struct aliasdb_map *map;
	struct aliasdb *db;
	int r;

	r = afs_retired_reserve(fs);
	if (r < 0)
		return r;
	r = afs_db_acquire(fs, true, &db);
	if (r < 0)
		return r;
	r = aliasdb_remove(db, alias);
	if (r == -ENOENT) /* the map was older than the database */
		r = 0;
	if (r == 0)
		r = aliasdb_map_load(db, &map);
	afs_db_release(fs);
	if (r == 0)
		r = afs_aliases_new(map, &na);
	if (r < 0)
		return r;
	fs->retired_aliases[fs->n_retired_aliases++] = fs->aliases;
	fs->aliases = na;
	/* Every directory recomputes its sources; the watcher finds the
	 * database's new generation matching this map and swaps nothing. */
	atomic_fetch_add(&fs->tree_gen, 1);
	afs_dpkgdb_inval_attrs(fs);
	return 0;
}

/* Have the kernel drop what it cached of @path's entry in its parent and
 * of the parent's listing. Call without tree_lock. */
static void afs_invalidate_entry(struct afs_fs *fs, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *parent = strndup(path, (size_t)(slash - path));
	fuse_ino_t p;

	if (!parent)
		return;
	p = afs_view_nodeid(fs, parent[0] ? parent : "/");
	afs_notify_later(fs, p, slash + 1);
	afs_notify_later(fs, p, NULL);
	free(parent);
}

int afs_alias_remove_if_unused(struct afs_fs *fs, const char *alias)
{
	char *canonical = NULL, *parent = NULL;
	const char *name;
	int r, i;

	if (fs->ro)
		return 0;
	/* Under the write lock: nothing may appear in the canonical
	 * directory between the check and the removal. */
	afs_wrlock(fs);
	for (i = 0; i < (int)fs->aliases->n; i++)
		if (strcmp(fs->aliases->entries[i].alias, alias) == 0)
			break;
	if (i == (int)fs->aliases->n) {
		r = 0; /* removed meanwhile */
		goto out;
	}
	canonical = strdup(fs->aliases->entries[i].canonical);
	parent = strdup(fs->aliases->entries[i].parent);
	if (!canonical || !parent) {
		r = -ENOMEM;
		goto out;
	}
	name = strrchr(alias, '/') + 1;
	r = afs_canonical_empty(fs, canonical);
	if (r == 0) {
		fuse_log(FUSE_LOG_INFO,
			 "aliasfs: alias %s was unlinked and stays: %s is "
			 "not empty; use `aliasctl remove %s` to drop it\n",
			 alias, canonical, alias);
		goto out;
	}
	if (r < 0)
		goto out;
	/* What the backing has at the alias name would show once the alias
	 * is gone: it goes with it, as unlink removes every provider. */
	r = afs_remove_backing_at(fs, parent, name);
	if (r < 0)
		goto out;
	r = afs_alias_deactivate_locked(fs, alias);
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: cannot remove alias %s from %s: %s\n", alias,
			 fs->db_dir, strerror(-r));
		goto out;
	}
	fuse_log(FUSE_LOG_INFO,
		 "aliasfs: alias %s removed (unlinked; %s is empty)\n", alias,
		 canonical);
	r = 1;
out:
	afs_unlock(fs);
	if (r == 1) {
		/* The canonical directory was shown only for the alias, and
		 * the alias's name may be cached. */
		afs_invalidate_entry(fs, canonical);
		afs_invalidate_entry(fs, alias);
	}
	free(canonical);
	free(parent);
	return r;
}

void afs_alias_reap(struct afs_fs *fs)
{
	char **aliases;
	int n, i;

	n = afs_doors_reap(fs, &aliases);
	for (i = 0; i < n; i++) {
		(void)afs_alias_remove_if_unused(fs, aliases[i]);
		free(aliases[i]);
	}
	if (n > 0)
		free(aliases);
}
