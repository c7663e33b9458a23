/*
 * Operations on an alias's own name (alias-door.c): what a program that
 * replaces the alias symlink with a directory gets (door.h).
 */
#ifndef AFS_ALIAS_DOOR_H
#define AFS_ALIAS_DOOR_H

#include <fuse_lowlevel.h>
#include <stdbool.h>

struct afs_fs;
struct afs_inode;
struct afs_caller;

/* unlink and rmdir of alias @name in @dir. Reply to @req. */
void afs_alias_door_unlink(fuse_req_t req, struct afs_inode *dir,
			   const char *name);
void afs_alias_door_rmdir(fuse_req_t req, struct afs_inode *dir,
			  const char *name);

/* mkdir and symlink: when @name is an alias in @dir, handle the request
 * (reply to @req) and return true; false otherwise. Call without
 * tree_lock. */
bool afs_alias_door_mkdir(fuse_req_t req, struct afs_inode *dir,
			  const char *name);
bool afs_alias_door_symlink(fuse_req_t req, const char *link,
			    struct afs_inode *dir, const char *name);

/* The error for creating anything else at alias @name of @dir: -EPERM
 * for the program that unlinked it (the alias cannot be replaced; EEXIST
 * would make tar unlink and retry for ever), -EEXIST for others. Call
 * with tree_lock held. */
int afs_alias_door_create_error(struct afs_fs *fs, struct afs_caller *caller,
				struct afs_inode *dir, const char *name);

#endif /* AFS_ALIAS_DOOR_H */
