/*
 * lookup and forget: resolving a name in a merged directory (lookup.c).
 */
#ifndef AFS_LOOKUP_H
#define AFS_LOOKUP_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

struct afs_fs;
struct afs_inode;
struct afs_caller;
struct afs_lookup_cache;

int afs_lookup_cache_new(struct afs_lookup_cache **ret_cache);
void afs_lookup_cache_free(struct afs_lookup_cache *cache);
int afs_do_lookup(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		  struct fuse_entry_param *ret_e);
int afs_do_lookup_by(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		     struct afs_caller *caller, struct fuse_entry_param *ret_e);
int afs_lookup_view_dir(struct afs_fs *fs, const char *path,
			struct afs_inode **ret_dir);
int afs_lookup_door_dir(struct afs_fs *fs, struct afs_inode *canonical,
			struct afs_inode **ret_door);
struct afs_inode *afs_alias_inode(struct afs_fs *fs, size_t alias_index);
void afs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void afs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void afs_op_forget_multi(fuse_req_t req, size_t count,
			 struct fuse_forget_data *forgets);
int afs_find_entry(struct afs_fs *fs, struct afs_inode *dir, const char *name,
		   int *ret_slot, struct stat *ret_st);

#endif /* AFS_LOOKUP_H */
