/*
 * The cache of presented dpkg database content (dpkg-cache.c): one entry
 * per backing file, keyed by (st_dev, st_ino). Set-associative with
 * least-recently-used eviction inside a set, so the few hundred lists a
 * `dpkg -S` reads stay cached together instead of evicting each other
 * as a direct-mapped table would. Not thread-safe: the caller locks.
 */
#ifndef AFS_DPKG_CACHE_H
#define AFS_DPKG_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct afs_dpkg_cached {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;
	uint64_t tree_gen;
	uint64_t claims_gen;
	char *text; /* NULL: no content (yet) */
	size_t len;
	int memfd;     /* the sealed copy readers get a dup of, or -1 */
	uint64_t ver;  /* names this content for the page cache rule */
	uint64_t used; /* clock of the last use; 0: empty entry */
};

struct afs_dpkg_cache {
	struct afs_dpkg_cached *entries;
	uint64_t clock;
};

/* Returns 0 or -ENOMEM. */
int afs_dpkg_cache_init(struct afs_dpkg_cache *cache);

/* Frees every entry's content and closes its memfd. */
void afs_dpkg_cache_fini(struct afs_dpkg_cache *cache);

/* The entry of backing file (dev, ino), marked as used, or NULL. */
struct afs_dpkg_cached *afs_dpkg_cache_find(struct afs_dpkg_cache *cache,
					    dev_t dev, ino_t ino);

/* The entry of (dev, ino), made if there is none: an empty entry of its
 * set, or else the set's least recently used one, emptied (text freed,
 * memfd closed). Marked as used. Never NULL. */
struct afs_dpkg_cached *afs_dpkg_cache_claim(struct afs_dpkg_cache *cache,
					     dev_t dev, ino_t ino);

/* Drop what @e holds (text, memfd); it stays the entry of its file. */
void afs_dpkg_cached_clear(struct afs_dpkg_cached *e);

/* The file (dev, ino) is gone: its entry, if any, is emptied and freed
 * for another file, so a removed file holds no memory or memfd until its
 * set overflows. */
void afs_dpkg_cache_drop(struct afs_dpkg_cache *cache, dev_t dev, ino_t ino);

#endif /* AFS_DPKG_CACHE_H */
