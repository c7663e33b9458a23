/*
 * Removing names: unlink and rmdir remove every backing entry that
 * provides the name, so nothing shadowed reappears. Below a door (door.h)
 * its program's removals through one spelling wait for the other.
 *
 * Layer 6 (operations, fs/README.md): calls lookup.c, alias-door.c, create.c
 * in its layer and the view services, directories, inode core, alias table
 * and leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/alias-door.h"
#include "fs/backing.h"
#include "fs/create.h"
#include "fs/decl-sync.h"
#include "fs/dir-slots.h"
#include "fs/dir.h"
#include "fs/door.h"
#include "fs/dpkg-db-view.h"
#include "fs/inode-file.h"
#include "fs/inode.h"
#include "fs/lookup.h"
#include "fs/path.h"
#include "fs/remove.h"
#include "fs/retain.h"
#include "fs/sources.h"
#include "fs/tree-lock.h"

/*
 * Remove @name from every slot of @dir except @keep_slot (-1: none):
 * non-directories are unlinked, directories removed if empty. Call with
 * tree_lock held. Returns the number removed or -errno.
 */
int afs_remove_other_providers(struct afs_fs *fs, struct afs_inode *dir,
			       const char *name, int keep_slot)
{
	unsigned j;
	int n = 0;

	for (j = 0; j < dir->n_slots; j++) {
		struct stat st;
		int flags;

		if ((int)j == keep_slot || dir->slots[j].fd < 0)
			continue;
		if (fstatat(dir->slots[j].fd, name, &st, AT_SYMLINK_NOFOLLOW) <
		    0)
			continue;
		flags = S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0;
		if (unlinkat(dir->slots[j].fd, name, flags) < 0)
			return -errno;
		n++;
	}
	return n;
}

/*
 * The door rule (door.h) for @caller removing existing entry @name from
 * @dir: 1 when the removal is deferred and only reported, 0 when it is
 * carried out now, -errno. Call with tree_lock held.
 */
static int afs_remove_deferred(struct afs_fs *fs, struct afs_caller *caller,
			       struct afs_inode *dir, const char *name)
{
	char *path;
	int r;

	if (!afs_doors_active(fs))
		return 0;
	path = afs_path_join(dir->path, name);
	if (!path)
		return -ENOMEM;
	r = afs_door_remove_rule(fs, caller, path, dir->door_side);
	free(path);
	return r;
}

void afs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, parent);
	struct afs_caller caller;
	struct stat st;
	unsigned j;
	int r, found = 0;
	bool shown = false; /* removed from the source whose times show */
	void *retain_token;

	afs_caller_of(req, &caller);
	r = afs_prepare_dir(fs, dir);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	afs_rdlock(fs);
	if (afs_is_alias_name(fs, dir, name)) {
		/* Recorded for the caller, never removed at once
		 * (alias-door.c). */
		afs_unlock(fs);
		afs_alias_door_unlink(req, dir, name);
		return;
	}
	if (afs_doors_active(fs)) {
		r = afs_find_entry(fs, dir, name, NULL, &st);
		if (r == 0 && S_ISDIR(st.st_mode))
			r = -EISDIR;
		if (r == 0)
			r = afs_remove_deferred(fs, &caller, dir, name);
		if (r != 0) {
			afs_unlock(fs);
			fuse_reply_err(req, r < 0 ? -r : 0);
			return;
		}
	}
	retain_token = afs_retain_begin(fs, dir, name); /* retain.h */
	for (j = 0; j < dir->n_slots; j++) {
		if (dir->slots[j].fd < 0)
			continue;
		if (fstatat(dir->slots[j].fd, name, &st, AT_SYMLINK_NOFOLLOW) <
		    0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (!found) {
				r = -EISDIR;
				goto out;
			}
			continue;
		}
		afs_dpkgdb_removing(fs, dir, name, &st);
		afs_file_keep_unlinked(fs, dir->slots[j].fd, name, &st);
		if (unlinkat(dir->slots[j].fd, name, 0) < 0) {
			r = -errno;
			goto out;
		}
		shown |= dir->slots[j].fd == afs_dir_first_fd(dir);
		found++;
	}
	r = found ? 0 : -ENOENT;
	if (found && !shown)
		afs_dir_touch_shown(dir);
	if (found) /* dpkg database view: a purged package's list */
		afs_dpkgdb_unlinked(fs, dir, name);
	if (found) /* a declaration removed: sync */
		afs_decl_note_dir(fs, dir);
out:
	if (found) {
		afs_dir_changed(dir);
		afs_door_changed(fs, dir, name);
	}
	afs_unlock(fs);
	afs_retain_end(fs, retain_token, r == 0);
	fuse_reply_err(req, -r);
}

/* Remove the alias-side backing directory of junction slot @slot. */
static int afs_rmdir_junction(struct afs_fs *fs, const struct afs_slot *slot)
{
	const char *slash = strrchr(slot->bpath, '/');
	int pfd, r = 0;

	if (!slash)
		return unlinkat(fs->root_fd, slot->bpath, AT_REMOVEDIR) < 0
			       ? -errno
			       : 0;
	{
		char *parent =
			strndup(slot->bpath, (size_t)(slash - slot->bpath));

		if (!parent)
			return -ENOMEM;
		pfd = afs_open_beneath(fs, parent);
		free(parent);
	}
	if (pfd < 0)
		return pfd;
	if (unlinkat(pfd, slash + 1, AT_REMOVEDIR) < 0)
		r = -errno;
	close(pfd);
	return r;
}

/*
 * May @caller remove @dir/@name (view path @path) with rmdir? 0 when it
 * is to be removed now, 1 when the removal is deferred below a door and
 * only reported (afs_remove_deferred()), -errno. Call with tree_lock held.
 */
static int afs_rmdir_target(struct afs_fs *fs, struct afs_caller *caller,
			    struct afs_inode *dir, const char *name,
			    const char *path)
{
	struct stat st;
	int r;

	r = afs_find_entry(fs, dir, name, NULL, &st);
	/* A directory the alias map needs exists in the view even with no
	 * backing source. */
	if (r == -ENOENT && afs_aliases_needs_dir(fs->aliases, path))
		st.st_mode = S_IFDIR, r = 0;
	if (r < 0)
		return r;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return afs_remove_deferred(fs, caller, dir, name);
}

/* Remove the directory @name from every slot of @dir that has one;
 * *@shown tells whether one was the source whose times the view shows.
 * Call with tree_lock held. */
static int afs_rmdir_sources(struct afs_inode *dir, const char *name,
			     bool *shown)
{
	struct stat st;
	unsigned j;

	for (j = 0; j < dir->n_slots; j++) {
		if (dir->slots[j].fd < 0)
			continue;
		if (fstatat(dir->slots[j].fd, name, &st, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (unlinkat(dir->slots[j].fd, name, AT_REMOVEDIR) < 0)
			return -errno;
		*shown |= dir->slots[j].fd == afs_dir_first_fd(dir);
	}
	return 0;
}

/* Is backing path @bpath the alias side of a junction at view path @path? */
static bool afs_rmdir_is_junction(struct afs_fs *fs, const char *path,
				  const char *bpath)
{
	int i;

	for (i = afs_aliases_find_junction(fs->aliases, path, 0); i >= 0;
	     i = afs_aliases_find_junction(fs->aliases, path, (size_t)i + 1))
		if (strcmp(fs->aliases->entries[i].alias + 1, bpath) == 0)
			return true;
	return false;
}

/* Remove the junction directories among @slots, the sources of view
 * directory @path; one already gone is fine. Call with tree_lock held. */
static int afs_rmdir_junctions(struct afs_fs *fs, const char *path,
			       const struct afs_slot *slots, unsigned n)
{
	unsigned j;
	int r;

	for (j = 0; j < n; j++) {
		if (slots[j].fd < 0 || !slots[j].bpath ||
		    !afs_rmdir_is_junction(fs, path, slots[j].bpath))
			continue;
		r = afs_rmdir_junction(fs, &slots[j]);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return 0;
}

void afs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_inode *dir = afs_inode_get(req, parent);
	struct afs_slot *slots = NULL;
	struct afs_caller caller;
	unsigned n = 0;
	char *path = NULL;
	bool shown = false; /* removed from the source whose times show */
	int r;

	afs_caller_of(req, &caller);
	r = afs_prepare_dir(fs, dir);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	afs_rdlock(fs);
	if (afs_is_alias_name(fs, dir, name)) {
		/* Only a door's program sees a directory there. */
		afs_unlock(fs);
		afs_alias_door_rmdir(req, dir, name);
		return;
	}
	path = afs_path_join(dir->path, name);
	if (!path) {
		r = -ENOMEM;
		goto out;
	}
	r = afs_rmdir_target(fs, &caller, dir, name, path);
	if (r != 0) { /* an error, or deferred: reported as done */
		r = r < 0 ? r : 0;
		goto out;
	}
	r = afs_dir_compute_slots(fs, dir, name, path, &slots, &n);
	if (r < 0)
		goto out;
	r = afs_dir_union_empty(fs, slots, n, path);
	if (r == 0)
		r = -ENOTEMPTY;
	if (r < 0)
		goto out;
	/* The sources below the parent's slots, then junction dirs. */
	r = afs_rmdir_sources(dir, name, &shown);
	if (r == 0)
		r = afs_rmdir_junctions(fs, path, slots, n);
	if (r == 0 && !shown)
		afs_dir_touch_shown(dir);
	afs_dir_changed(dir);
	if (r == 0)
		afs_door_changed(fs, dir, name);
	/* A directory the view must show anyway (an alias's canonical
	 * directory, as dpkg removes /usr/bin with the last package listing
	 * it) lives on as a virtual one: its inode must drop the removed
	 * backing source, or creating in it again fails. */
	if (r == 0 && afs_aliases_needs_dir(fs->aliases, path))
		atomic_fetch_add(&fs->tree_gen, 1);
out:
	afs_unlock(fs);
	afs_slots_free(slots, n);
	free(path);
	fuse_reply_err(req, -r);
}
