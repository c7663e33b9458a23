/*
 * Operations on an alias's own name. Programs that extract a split tree
 * (GNU tar, rsync, cpio) find a symlink where the tree has a directory,
 * unlink it and make the directory. Removing the alias for that would
 * break the merge, and refusing the mkdir makes tar retry for ever. So
 * (door.h): the unlink succeeds and is recorded for the program, the name
 * is then absent for it alone, and its mkdir gets a door, a directory
 * through which it reads and writes the alias's canonical directory. What
 * it then sets on the directory (mode, owner, times) is set on the
 * canonical directory, as busybox tar and cpio do natively when they
 * keep the symlink and write through it. When the program has exited,
 * everybody sees the alias again; an alias it unlinked without making a
 * directory goes if its canonical directory is empty (alias-unlink.c).
 *
 * Layer 6 (operations, fs/README.md): calls lookup.c in its layer and the
 * view services, directories, inode core, alias table and leaf helpers
 * below.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/afs.h"
#include "fs/alias-door.h"
#include "fs/alias-unlink.h"
#include "fs/dir.h"
#include "fs/door.h"
#include "fs/inode-stat.h"
#include "fs/inode.h"
#include "fs/lookup.h"
#include "fs/sources.h"
#include "fs/tree-lock.h"

/* The alias at @name in @dir: copies of its path and canonical path, or
 * -ENOENT when @name is no alias there. Call without tree_lock. */
static int afs_alias_at(struct afs_fs *fs, struct afs_inode *dir,
			const char *name, char **ret_alias,
			char **ret_canonical)
{
	int r, i;

	r = afs_prepare_dir(fs, dir);
	if (r < 0)
		return r;
	afs_rdlock(fs);
	i = afs_aliases_find_child(fs->aliases, dir->path, name);
	if (i < 0) {
		afs_unlock(fs);
		return -ENOENT;
	}
	*ret_alias = strdup(fs->aliases->entries[i].alias);
	*ret_canonical = strdup(fs->aliases->entries[i].canonical);
	afs_unlock(fs);
	if (!*ret_alias || !*ret_canonical) {
		free(*ret_alias);
		free(*ret_canonical);
		return -ENOMEM;
	}
	return 0;
}

void afs_alias_door_unlink(fuse_req_t req, struct afs_inode *dir,
			   const char *name)
{
	struct afs_fs *fs = afs_data(req);
	char *alias = NULL, *canonical = NULL;
	struct afs_caller caller;
	int r;

	if (fs->ro) {
		fuse_reply_err(req, EROFS);
		return;
	}
	afs_caller_of(req, &caller);
	afs_alias_reap(fs);
	r = afs_alias_at(fs, dir, name, &alias, &canonical);
	if (r == 0)
		r = afs_door_note_unlink(fs, &caller, alias, canonical);
	if (r == -EPERM)
		/* Whoever it is cannot be told from everybody else, so the
		 * name cannot be absent for it alone. */
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: unlink of alias %s refused: the caller "
			 "(pid %d here) cannot be followed; run it in the "
			 "daemon's pid namespace\n",
			 alias, (int)caller.tid);
	fuse_reply_err(req, -r);
	free(alias);
	free(canonical);
}

void afs_alias_door_rmdir(fuse_req_t req, struct afs_inode *dir,
			  const char *name)
{
	struct afs_fs *fs = afs_data(req);
	char *alias = NULL, *canonical = NULL;
	struct afs_caller caller;
	int r;

	if (fs->ro) {
		fuse_reply_err(req, EROFS);
		return;
	}
	afs_caller_of(req, &caller);
	afs_alias_reap(fs);
	r = afs_alias_at(fs, dir, name, &alias, &canonical);
	if (r < 0)
		goto out;
	/* Only the door's program sees a directory here; for others the
	 * kernel finds the symlink and refuses before asking. */
	if (!afs_door_unlinked(fs, &caller, alias)) {
		r = -ENOTDIR;
		goto out;
	}
	r = afs_alias_canonical_empty(fs, canonical);
	if (r == 0)
		r = -ENOTEMPTY;
	if (r > 0)
		r = afs_door_detach(fs, &caller, alias);
out:
	fuse_reply_err(req, -r);
	free(alias);
	free(canonical);
}

bool afs_alias_door_mkdir(fuse_req_t req, struct afs_inode *dir,
			  const char *name)
{
	struct afs_fs *fs = afs_data(req);
	char *alias = NULL, *canonical = NULL;
	struct afs_inode *c, *d = NULL;
	struct fuse_entry_param e;
	struct afs_caller caller;
	int r;

	if (dir->kind != AFS_KIND_DIR ||
	    afs_alias_at(fs, dir, name, &alias, &canonical) < 0)
		return false;
	afs_caller_of(req, &caller);
	if (fs->ro) {
		r = -EROFS;
		goto out;
	}
	afs_alias_reap(fs);
	if (!afs_door_unlinked(fs, &caller, alias)) {
		r = -EEXIST; /* the alias symlink is there */
		goto out;
	}
	r = afs_lookup_view_dir(fs, canonical, &c);
	if (r < 0)
		goto out;
	r = afs_lookup_door_dir(fs, c, &d);
	afs_inode_forget(fs, c, 1);
	if (r < 0)
		goto out;
	r = afs_door_attach(fs, &caller, alias, d);
	pthread_mutex_lock(&fs->table_lock);
	if (r == 0)
		d->nlookup++; /* the kernel's, for the reply */
	else
		afs_inode_unref_locked(fs, d, 0, 0);
	pthread_mutex_unlock(&fs->table_lock);
	if (r < 0)
		goto out;
	memset(&e, 0, sizeof(e));
	afs_rdlock(fs);
	r = afs_inode_stat(fs, d, &e.attr);
	afs_unlock(fs);
	if (r < 0) {
		afs_inode_forget(fs, d, 1);
		goto out;
	}
	e.ino = (fuse_ino_t)(uintptr_t)d;
	/* Others see the alias: the kernel must ask on every walk. */
	e.attr_timeout = 0;
	e.entry_timeout = 0;
	fuse_log(FUSE_LOG_INFO,
		 "aliasfs: pid %d replaced alias %s with a directory: it "
		 "works in %s through it until it exits\n",
		 (int)caller.tid, alias, canonical);
	if (fuse_reply_entry(req, &e) == -ENOENT)
		afs_inode_forget(fs, d, 1); /* interrupted */
	free(alias);
	free(canonical);
	return true;
out:
	fuse_reply_err(req, -r);
	free(alias);
	free(canonical);
	return true;
}

/*
 * Normalize absolute @path lexically in place ("." and empty components
 * dropped, ".." climbs, never above the root). Returns @path.
 */
static char *afs_lexical(char *path)
{
	char *out = path, *p = path;

	while (*p) {
		char *end;
		size_t len;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 1 && p[0] == '.') {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (out > path && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, p, len);
			out += len;
		}
		p += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
	return path;
}

/* Does a symlink at @alias with text @link point at @canonical? */
static bool afs_link_names(const char *alias, const char *canonical,
			   const char *link)
{
	const char *slash = strrchr(alias, '/');
	size_t plen = (size_t)(slash - alias), llen = strlen(link);
	char *full = malloc(plen + llen + 3);
	bool same;

	if (!full)
		return false;
	if (link[0] == '/') {
		memcpy(full, link, llen + 1);
	} else {
		memcpy(full, alias, plen);
		full[plen] = '/';
		memcpy(full + plen + 1, link, llen + 1);
	}
	same = strcmp(afs_lexical(full), canonical) == 0;
	free(full);
	return same;
}

bool afs_alias_door_symlink(fuse_req_t req, const char *link,
			    struct afs_inode *dir, const char *name)
{
	struct afs_fs *fs = afs_data(req);
	char *alias = NULL, *canonical = NULL;
	struct fuse_entry_param e;
	struct afs_caller caller;
	int r;

	if (dir->kind != AFS_KIND_DIR ||
	    afs_alias_at(fs, dir, name, &alias, &canonical) < 0)
		return false;
	afs_caller_of(req, &caller);
	afs_alias_reap(fs);
	if (!afs_door_unlinked(fs, &caller, alias)) {
		r = -EEXIST;
		goto out;
	}
	/* A merged tree's archive has the alias as a symlink: the program
	 * unlinked ours to make its own. The same link is the alias. */
	if (!afs_link_names(alias, canonical, link)) {
		r = -EPERM;
		goto out;
	}
	afs_door_forget(fs, &caller, alias);
	r = afs_prepare_dir(fs, dir);
	if (r < 0)
		goto out;
	afs_rdlock(fs);
	r = afs_do_lookup_by(fs, dir, name, &caller, &e);
	afs_unlock(fs);
	if (r == -ENOENT)
		r = -EIO;
	if (r < 0)
		goto out;
	fuse_reply_entry(req, &e);
	free(alias);
	free(canonical);
	return true;
out:
	fuse_reply_err(req, -r);
	free(alias);
	free(canonical);
	return true;
}

int afs_alias_door_create_error(struct afs_fs *fs, struct afs_caller *caller,
				struct afs_inode *dir, const char *name)
{
	int i = afs_aliases_find_child(fs->aliases, dir->path, name);

	if (i >= 0 && caller &&
	    afs_door_unlinked(fs, caller, fs->aliases->entries[i].alias))
		return -EPERM;
	return -EEXIST;
}
