/*
 * Doors: what a program that replaces an alias symlink with a directory
 * sees (tar, rsync, cpio extracting a split tree; DESIGN.md, view rule 9).
 *
 * Such a program P unlinks the alias (`lib`) and makes a directory of that
 * name. The view records the unlink for P instead of removing the alias
 * (the name is then absent for P only), and answers P's mkdir with a
 * *door*: a directory that shows, and writes to, the alias's canonical
 * directory (`usr/lib`). Everybody else goes on seeing the alias symlink.
 * P here is the thread group that unlinked the alias together with its
 * children (rsync's receiver is a child of the generator, which unlinks
 * and makes the directory); it is identified by a pidfd, so a record ends
 * exactly when P has exited, without timers, and a reused pid is never
 * taken for P.
 *
 * While its door is open, P sees the canonical directory's tree under two
 * spellings (`lib/x` and `usr/lib/x`); a name P deletes through one of
 * them only is hidden from P under that spelling and kept, and goes only
 * once P has deleted it through both (see afs_door_remove_rule()).
 *
 * This module keeps the records; alias-door.c implements the operations
 * on alias names with them. Locking: fs->door_lock comes after tree_lock
 * and before table_lock (afs.h).
 */
#ifndef AFS_DOOR_H
#define AFS_DOOR_H

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <sys/types.h>

struct afs_fs;
struct afs_inode;
struct afs_door;

/* Who made a request. */
struct afs_caller {
	pid_t tid;  /* the kernel's thread id; 0: outside our pid namespace */
	pid_t tgid; /* from /proc on demand; 0: not read yet, -1: unknown */
	pid_t ppid;
};

void afs_caller_of(fuse_req_t req, struct afs_caller *ret_caller);

/* The state, set up and freed with the daemon. */
void afs_doors_init(struct afs_fs *fs);
void afs_doors_free(struct afs_fs *fs);

/* Is there any record at all? One atomic load: hot paths ask first. */
bool afs_doors_active(struct afs_fs *fs);

/* What @caller sees at the name of alias @alias. */
enum afs_door_view {
	AFS_DOOR_NONE,	   /* the alias symlink */
	AFS_DOOR_VOLATILE, /* the alias symlink, not to be cached */
	AFS_DOOR_GONE,	   /* unlinked by the caller's P: absent, uncached */
	AFS_DOOR_OPEN,	   /* the door, uncached */
};

/* With AFS_DOOR_OPEN, *ret_dir is the door directory with one kernel
 * lookup counted for the caller. */
enum afs_door_view afs_door_alias_view(struct afs_fs *fs,
				       struct afs_caller *caller,
				       const char *alias,
				       struct afs_inode **ret_dir);

/* @caller's thread group unlinked alias @alias (canonical directory
 * @canonical): record it (again). 0, -EPERM for a caller the daemon
 * cannot follow (pid 0, no pidfd), -ENOMEM. */
int afs_door_note_unlink(struct afs_fs *fs, struct afs_caller *caller,
			 const char *alias, const char *canonical);

/* Has @caller's P unlinked @alias (door open or not)? */
bool afs_door_unlinked(struct afs_fs *fs, struct afs_caller *caller,
		       const char *alias);

/* Open the door of @caller's P on @alias with directory @dir, which the
 * record then holds a reference on. 0, or -EEXIST when P has not
 * unlinked the alias or already has a door. */
int afs_door_attach(struct afs_fs *fs, struct afs_caller *caller,
		    const char *alias, struct afs_inode *dir);

/* P removed its door again (rmdir): back to unlinked. 0 or -ENOENT. */
int afs_door_detach(struct afs_fs *fs, struct afs_caller *caller,
		    const char *alias);

/* P made the alias symlink again: forget its record. */
void afs_door_forget(struct afs_fs *fs, struct afs_caller *caller,
		     const char *alias);

/* Remove the records of exited programs. Returns the number of aliases
 * (in *ret_aliases, an array of strings, all the caller's to free) that
 * such a program unlinked without making a door and that nobody else has
 * a record on: usrmerge's `rm /lib32`, to remove if unused. -ENOMEM. */
int afs_doors_reap(struct afs_fs *fs, char ***ret_aliases);

/* How a name at view path @path (canonical spelling), reached through a
 * door directory (@door_side) or not, looks to @caller. */
enum afs_door_name {
	AFS_DOOR_NAME_PLAIN,	/* no door involved */
	AFS_DOOR_NAME_VOLATILE, /* below a door or pending: do not cache */
	AFS_DOOR_NAME_HIDDEN,	/* deleted by the caller's P this way */
};
enum afs_door_name afs_door_name_view(struct afs_fs *fs,
				      struct afs_caller *caller,
				      const char *path, bool door_side);

/*
 * @caller removes the name at @path through one spelling (@door_side).
 * Below a door of its P, the removal waits for the other spelling:
 * returns 1 (deferred: reply success, keep the entry, hidden from P this
 * way); once P removed it through both, or anywhere else, 0 (remove it
 * now). -ENOMEM.
 */
int afs_door_remove_rule(struct afs_fs *fs, struct afs_caller *caller,
			 const char *path, bool door_side);

/* A name is being created or replaced at @path (create, mkdir, link,
 * rename target). Returns 1 if it was hidden from @caller this way by a
 * deferred removal, which the caller must then carry out before it
 * creates the name; 0 otherwise. Either way the name's deferred removals
 * are forgotten. */
int afs_door_creating(struct afs_fs *fs, struct afs_caller *caller,
		      const char *path, bool door_side);

/* After a change of directory @dir's entry @name (NULL: of @dir's
 * attributes) made through a door directory: the same directory reached
 * through its canonical spelling is told too (the daemon's lookup cache
 * now, the kernel's caches through the watcher). Call with tree_lock
 * held; no-op for other directories. */
void afs_door_changed(struct afs_fs *fs, struct afs_inode *dir,
		      const char *name);

#endif /* AFS_DOOR_H */
