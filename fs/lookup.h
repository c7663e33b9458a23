/*
 * lookup and forget (lookup.c): resolving a name in a merged directory,
 * with a lookup cache of positive and negative results.
 */
#ifndef AFS_LOOKUP_H
#define AFS_LOOKUP_H

#include <fuse_lowlevel.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;
struct afs_caller;
struct afs_lookup_cache;

/* The lookup cache, made and freed with the daemon: 0 or -ENOMEM. */
int afs_lookup_cache_new(struct afs_lookup_cache **ret_cache);
void afs_lookup_cache_free(struct afs_lookup_cache *cache);

/* Look @name up in @dir (prepared, tree_lock held for reading) for
 * @caller (NULL: a caller that has no door). 0 and *ret_e with one lookup
 * counted, -ENOENT (a negative entry, *ret_e holds its timeout), -errno.
 * afs_do_lookup() is the same for a caller without a door. */
int afs_do_lookup_by(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		     struct afs_caller *caller, struct fuse_entry_param *ret_e);
int afs_do_lookup(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		  struct fuse_entry_param *ret_e);

/* The view directory at @path (absolute, canonical), walked from the
 * root: 0 and *ret_dir with one lookup counted (none for the root), or
 * -errno. Call without tree_lock. */
int afs_lookup_view_dir(struct afs_fs *fs, const char *path,
			struct afs_inode **ret_dir);
/* A new door directory (door.h) for view directory @canonical, with no
 * lookup or reference counted yet: 0 or -errno. Call without tree_lock. */
int afs_lookup_door_dir(struct afs_fs *fs, struct afs_inode *canonical,
			struct afs_inode **ret_door);
/* The persistent inode of alias @alias_index, NULL when out of memory.
 * Call with tree_lock held. */
struct afs_inode *afs_alias_inode(struct afs_fs *fs, size_t alias_index);
/* The first slot of @dir providing @name: 0 with *ret_slot and its lstat,
 * -ENOENT, or -errno. Call with tree_lock held. */
int afs_find_entry(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		   int *ret_slot, struct stat *ret_st);

/* The operations. */
void afs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void afs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void afs_op_forget_multi(fuse_req_t req, size_t count,
			 struct fuse_forget_data *forgets);

#endif /* AFS_LOOKUP_H */
