/*
 * Directory listings kept for readers (listing.c): the merged entries of
 * a view directory as one readdir pass computed them, kept on the
 * directory inode so that readers going on by offset find theirs.
 */
#ifndef AFS_LISTING_H
#define AFS_LISTING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct afs_fs;
struct afs_inode;

struct afs_dirent {
	char *name;
	ino_t ino;
	unsigned char type;
};

struct afs_listing {
	struct afs_listing *next; /* the directory's list (listing_lock) */
	uint32_t gen;
	unsigned refs; /* one for the directory's list, one per reader */
	struct afs_dirent *ents;
	size_t n;
	size_t cap;
};

/* A listing not kept anywhere yet: NULL when out of memory. */
struct afs_listing *afs_listing_new(void);
/* Frees a listing never kept (afs_listing_keep()). */
void afs_listing_free(struct afs_listing *l);
/* Append an entry: 0 or -ENOMEM. */
int afs_listing_add(struct afs_listing *l, const char *name, ino_t ino,
		    unsigned char type);

/* Keep @l on @dir as its newest listing, with a reference for the
 * caller; the oldest beyond the few kept are dropped. */
void afs_listing_keep(struct afs_fs *fs, struct afs_inode *dir,
		      struct afs_listing *l);
/* The listing a reader at @off goes on with, referenced, or NULL. */
struct afs_listing *afs_listing_find(struct afs_fs *fs, struct afs_inode *dir,
				     off_t off);
/* Drops a reader's reference on @l. */
void afs_listing_put(struct afs_fs *fs, struct afs_listing *l);
/* The offset of the entry after @i: where a reader goes on. */
off_t afs_listing_off(const struct afs_listing *l, size_t i);
/* The entry index a reader at @off goes on at. */
size_t afs_listing_index(off_t off);

/* Frees the listings kept on a directory inode that goes away (no reader
 * can hold one then). */
void afs_listings_free(struct afs_listing *head);

#endif /* AFS_LISTING_H */
