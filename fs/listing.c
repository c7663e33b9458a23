/*
 * Directory listings kept for readers. The kernel is told not to send
 * opendir/releasedir, so there is no handle to keep a listing in: listings
 * hang off the directory inode instead (readdir.c says why they stay after
 * a reader reached the end). The offsets handed out carry the listing's
 * generation in their upper 32 bits and the entry index in the lower.
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs/afs.h"
#include "fs/inode.h"
#include "fs/listing.h"

/* Listings kept per directory for readers that are still going. */
#define AFS_LISTINGS_KEPT 4

struct afs_listing *afs_listing_new(void)
{
	return calloc(1, sizeof(struct afs_listing));
}

void afs_listing_free(struct afs_listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->ents[i].name);
	free(l->ents);
	free(l);
}

/* Call with fs->listing_lock held; frees @l with its last reference. */
static void afs_listing_unref_locked(struct afs_listing *l)
{
	if (--l->refs == 0)
		afs_listing_free(l);
}

void afs_listings_free(struct afs_listing *head)
{
	struct afs_listing *l, *next;

	for (l = head; l; l = next) {
		next = l->next;
		afs_listing_free(l);
	}
}

int afs_listing_add(struct afs_listing *h, const char *name, ino_t ino,
		    unsigned char type)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct afs_dirent *ne = realloc(h->ents, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		h->ents = ne;
		h->cap = cap;
	}
	h->ents[h->n].name = strdup(name);
	if (!h->ents[h->n].name)
		return -ENOMEM;
	h->ents[h->n].ino = ino;
	h->ents[h->n].type = type;
	h->n++;
	return 0;
}

off_t afs_listing_off(const struct afs_listing *l, size_t i)
{
	return (off_t)(((uint64_t)l->gen << 32) | (uint64_t)(i + 1));
}

size_t afs_listing_index(off_t off)
{
	return (size_t)((uint64_t)off & 0xffffffffu);
}

void afs_listing_keep(struct afs_fs *fs, struct afs_inode *dir,
		      struct afs_listing *l)
{
	struct afs_listing **pp;
	unsigned kept = 0;

	pthread_mutex_lock(&fs->listing_lock);
	l->gen = ++dir->listing_gen;
	l->refs = 2;
	l->next = dir->listings;
	dir->listings = l;
	for (pp = &l->next; *pp;) {
		struct afs_listing *old = *pp;

		if (++kept < AFS_LISTINGS_KEPT) {
			pp = &old->next;
			continue;
		}
		*pp = old->next;
		afs_listing_unref_locked(old);
	}
	pthread_mutex_unlock(&fs->listing_lock);
}

struct afs_listing *afs_listing_find(struct afs_fs *fs, struct afs_inode *dir,
				     off_t off)
{
	uint32_t gen = (uint32_t)((uint64_t)off >> 32);
	struct afs_listing *l;

	if (off == 0)
		return NULL;
	pthread_mutex_lock(&fs->listing_lock);
	for (l = dir->listings; l && l->gen != gen; l = l->next)
		;
	if (l)
		l->refs++;
	pthread_mutex_unlock(&fs->listing_lock);
	return l;
}

void afs_listing_put(struct afs_fs *fs, struct afs_listing *l)
{
	pthread_mutex_lock(&fs->listing_lock);
	afs_listing_unref_locked(l);
	pthread_mutex_unlock(&fs->listing_lock);
}
