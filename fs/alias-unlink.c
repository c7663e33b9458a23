/*
 * Unlinking an alias symlink. On a real merged system `rm /lib32` removes
 * the link, and maintainer scripts rely on it (usrmerge's postinst drops
 * unowned biarch links). The view allows it when the alias's canonical
 * directory is empty in the union: the alias is then removed from the
 * database and from the map, so neither /lib32 nor an empty /usr/lib32
 * kept alive only by the alias is shown any more. With content below the
 * canonical directory the link stays (EPERM): removing the alias would
 * change what the view shows, which is `aliasctl remove`'s job.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/dpkg-db-view.h"

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
 * Is the view directory @canonical empty? Its sources are the backing
 * directory of each spelling: itself, the alias side of every alias it
 * lies at or below (/lib32 for /usr/lib32). A symlink or nothing at an
 * alias spelling is no content (a merged backing has /lib32 -> usr/lib32);
 * anything but a directory at the canonical spelling is. Returns 1, 0, or
 * -errno. Call with tree_lock held.
 */
static int afs_canonical_empty(struct afs_fs *fs, const char *canonical)
{
	const struct afs_aliases *a = fs->aliases;
	struct afs_slot *slots;
	size_t i, len;
	unsigned n = 0;
	int r, fd;

	slots = calloc(a->n + 1, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	fd = afs_open_beneath(fs, canonical + 1);
	if (fd < 0 && fd != -ENOENT) {
		r = fd == -ELOOP || fd == -ENOTDIR ? 0 : fd;
		goto out;
	}
	slots[n++].fd = fd < 0 ? -1 : fd;
	for (i = 0; i < a->n; i++) {
		const char *c = a->entries[i].canonical;
		char *spelling;

		len = strlen(c);
		if (strncmp(canonical, c, len) != 0 ||
		    (canonical[len] != '\0' && canonical[len] != '/'))
			continue;
		spelling = afs_path_join(a->entries[i].alias,
					 canonical[len] ? canonical + len + 1
							: "");
		if (!spelling) {
			r = -ENOMEM;
			goto out;
		}
		fd = afs_open_beneath(fs, spelling + 1);
		free(spelling);
		if (fd == -EMFILE || fd == -ENFILE || fd == -ENOMEM) {
			r = fd;
			goto out;
		}
		slots[n++].fd = fd < 0 ? -1 : fd;
	}
	r = afs_dir_union_empty(fs, slots, n, canonical);
out:
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

/* Drop what the kernel cached of @canonical's entry and its parent's
 * listing. Call without any lock. */
static void afs_canonical_invalidate(struct afs_fs *fs, const char *canonical)
{
	const char *slash = strrchr(canonical, '/');
	char *cparent = strndup(canonical, (size_t)(slash - canonical));
	fuse_ino_t p;

	if (!cparent)
		return;
	p = afs_view_nodeid(fs, cparent[0] ? cparent : "/");
	if (p) {
		(void)fuse_lowlevel_notify_inval_entry(fs->se, p, slash + 1,
						       strlen(slash + 1));
		(void)fuse_lowlevel_notify_inval_inode(fs->se, p, 0, 0);
	}
	free(cparent);
}

void afs_alias_unlink(fuse_req_t req, struct afs_inode *dir, const char *name)
{
	struct afs_fs *fs = afs_data(req);
	char *alias = NULL, *canonical = NULL, *cparent = NULL;
	bool same_parent = false, kept = false;
	int r, i;

	if (fs->ro) {
		fuse_reply_err(req, EROFS);
		return;
	}
	/* Under the write lock with @dir's slots current: nothing may
	 * appear in the canonical directory between the check and the
	 * removal. */
	for (;;) {
		r = afs_prepare_dir(fs, dir);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
		afs_wrlock(fs);
		if (dir == fs->root || dir->gen == atomic_load(&fs->tree_gen))
			break;
		afs_unlock(fs);
	}
	i = afs_aliases_find_child(fs->aliases, dir->path, name);
	if (i < 0) {
		r = -ENOENT; /* removed meanwhile */
		goto out;
	}
	alias = strdup(fs->aliases->entries[i].alias);
	canonical = strdup(fs->aliases->entries[i].canonical);
	if (!alias || !canonical) {
		r = -ENOMEM;
		goto out;
	}
	r = afs_canonical_empty(fs, canonical);
	if (r == 0) {
		/*
		 * Its directory holds files: removing the link would cut
		 * them off, as it breaks a merged system. Scripts that drop
		 * links they believe unowned (usrmerge's postinst) and dpkg
		 * purging the last package that lists the alias must not
		 * fail for it, so the unlink succeeds and the alias stays,
		 * as if something had recreated it at once.
		 */
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: unlink of alias %s kept the alias: %s is "
			 "not empty; use `aliasctl remove %s` to drop it\n",
			 alias, canonical, alias);
		kept = true;
		goto out;
	}
	if (r < 0)
		goto out;
	/* What the backing has at the alias name (a symlink of a merged
	 * backing, an empty alias-side directory) would show once the
	 * alias is gone: it goes with it, as unlink removes every
	 * provider. */
	r = afs_remove_other_providers(fs, dir, name, -1);
	if (r < 0)
		goto out;
	r = afs_alias_deactivate_locked(fs, alias);
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: cannot remove alias %s from %s: %s\n", alias,
			 fs->db_dir, strerror(-r));
		goto out;
	}
	afs_dir_changed(dir);
	cparent = strndup(canonical,
			  (size_t)(strrchr(canonical, '/') - canonical));
	same_parent =
		cparent && strcmp(cparent[0] ? cparent : "/", dir->path) == 0;
	fuse_log(FUSE_LOG_INFO,
		 "aliasfs: alias %s removed (unlinked; %s is empty)\n", alias,
		 canonical);
out:
	afs_unlock(fs);
	/*
	 * The canonical directory was shown only for the alias: the kernel
	 * must forget it before the unlink returns, or `[ -e /usr/lib32 ]`
	 * right after still succeeds from its cache. The kernel holds the
	 * alias's parent locked until we reply, so a canonical directory
	 * in that same parent is invalidated after the reply instead.
	 */
	if (r == 0 && !kept && !same_parent)
		afs_canonical_invalidate(fs, canonical);
	fuse_reply_err(req, -r);
	if (r == 0 && !kept && same_parent)
		afs_canonical_invalidate(fs, canonical);
	free(cparent);
	free(alias);
	free(canonical);
}
