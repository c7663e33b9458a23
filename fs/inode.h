/*
 * The inodes of the view (inode.c): the one struct for files, merged
 * directories and alias symlinks, and its lifetime: kernel lookup counts,
 * internal references, the list of live inodes freed at unmount.
 */
#ifndef AFS_INODE_H
#define AFS_INODE_H

#include <fuse_lowlevel.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs/dpkg-pages.h"

struct afs_listing;
struct afs_dpkg_handle;

/* Synthetic inode numbers of alias symlinks live in this reserved range. */
#define AFS_ALIAS_INO_BASE 0xfffffff000000000ULL
/* ... and directories the view shows without any backing source (the
 * canonical directory of an alias, and its parents, in an empty tree). */
#define AFS_VIRTUAL_INO_BASE 0xffffffe000000000ULL
/* Directories reached through a door (door.h) are registered in the inode
 * table under their backing key with this bit set in the device number,
 * which no real device number has: the same backing directory is another
 * inode there than through its canonical spelling, as the kernel allows
 * no directory at two places. */
#define AFS_DOOR_KEY_BIT (1ULL << 63)

enum afs_kind {
	AFS_KIND_FILE, /* any non-directory backed by one O_PATH fd */
	AFS_KIND_DIR,  /* a merged directory with source slots */
	AFS_KIND_ALIAS /* synthetic alias symlink */
};

/* One backing directory providing (part of) a view directory. */
struct afs_slot {
	int fd; /* O_PATH|O_DIRECTORY, or -1 (slot 0 only) */
	dev_t dev;
	ino_t ino;
	char *bpath; /* backing path relative to the root (alias slots) */
};

#define AFS_MAX_LOCS 4

struct afs_loc {
	struct afs_inode *parent;
	char *name;
};

struct afs_inode {
	enum afs_kind kind;
	uint64_t nlookup; /* kernel lookup count, under table_lock */
	unsigned refs;	  /* internal references (children), table_lock */
	uint64_t serial;  /* unique per inode, keys the lookup cache */
	ino_t st_ino;	  /* the inode number the view reports */
	dev_t dev;	  /* primary key (files) */
	ino_t ino;
	/* Files: an O_PATH descriptor kept once the view removed a name of
	 * the file while the kernel still knew it: with file I/O by inode
	 * nothing tells whether it is still open (table_lock). */
	int fd;
	mode_t type; /* S_IFMT bits of a file */
	/* dpkg database view: the kernel was let cache the presented
	 * attributes, to be invalidated when the claims change
	 * (table_lock). */
	bool dpkg_attr_cached;
	/* dpkg database view: whether the kernel may keep the pages of a
	 * presented file across opens (dpkg-db-view.c, table_lock). */
	struct afs_dpkg_pages dpkg_pages;
	struct afs_dpkg_handle *dpkg_handles;
	unsigned n_dpkg_handles;
	bool persistent; /* virtual directory: lives as long as the mount */

	/* Directories (tree_lock). */
	struct afs_inode *parent; /* holds a reference; NULL for the root */
	char *name;
	char *path; /* view path, "/" for the root */
	struct afs_slot *slots;
	unsigned n_slots;
	uint64_t gen;		      /* tree generation the slots match */
	_Atomic uint64_t cache_gen;   /* bumped on every change in the dir */
	struct afs_listing *listings; /* listing.c, listing_lock */
	uint32_t listing_gen;	      /* listing_lock */
	/* Reached through a door (door.h): the kernel caches nothing of it
	 * and the lookup cache is not used (set at creation). */
	bool door_side;

	/* Alias symlinks. */
	char *alias;  /* alias path */
	char *target; /* relative symlink text */

	/* Files: the names it was last seen under, most recent first (more
	 * than one for hard links), each holding a reference on its
	 * directory (table_lock). */
	struct afs_loc locs[AFS_MAX_LOCS];
	unsigned n_locs;
	/* While the file is open: a descriptor to reach it by when no name
	 * is left (open, then unlinked), table_lock. */
	int *open_fds; /* the handles' own descriptors, not copies */
	unsigned n_open;

	/* Every live file and directory inode, to free them at unmount
	 * (table_lock). */
	struct afs_inode *prev_all;
	struct afs_inode *next_all;
};

struct afs_fs;

/* The inode table key device of backing directory @dev as a source of
 * view directory @dir. */
static inline dev_t afs_dir_key_dev(const struct afs_inode *dir, dev_t dev)
{
	return dir->door_side ? (dev_t)(dev | AFS_DOOR_KEY_BIT) : dev;
}

/* The inode of node id @ino of a request. */
struct afs_inode *afs_inode_get(fuse_req_t req, fuse_ino_t ino);

/* The root directory inode over backing root @root_fd: 0 or -errno. */
int afs_inode_new_dir_root(struct afs_fs *fs, int root_fd);

/* Frees @inode and everything it owns; the caller has unlinked it from
 * every table and list. Accepts NULL. */
void afs_inode_destroy(struct afs_inode *inode);

/* Drop @nlookup kernel lookups and @refs internal references; free the
 * inode when neither is left. Dropping more than are held is a bug of
 * the daemon: it is logged and asserted. Call with table_lock held. */
void afs_inode_unref_locked(struct afs_fs *fs, struct afs_inode *inode,
			    uint64_t nlookup, unsigned refs);
/* The same, taking table_lock. */
void afs_inode_forget(struct afs_fs *fs, struct afs_inode *inode,
		      uint64_t nlookup);

/* Put a new file or directory inode on the list of live inodes. Call
 * with table_lock held. */
void afs_inode_link_all_locked(struct afs_fs *fs, struct afs_inode *inode);
/* At unmount: every inode left. */
void afs_inode_free_all(struct afs_fs *fs);

#endif /* AFS_INODE_H */
