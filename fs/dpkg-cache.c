/*
 * Set-associative cache of presented dpkg database content. 512 sets of
 * 8 entries: a system of a few thousand packages keeps every list it
 * reads, and a set overflows only when nine of them hash alike.
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs/dpkg-cache.h"

#define AFS_DPKG_CACHE_SETS 512
#define AFS_DPKG_CACHE_WAYS 8

int afs_dpkg_cache_init(struct afs_dpkg_cache *cache)
{
	size_t i, n = AFS_DPKG_CACHE_SETS * AFS_DPKG_CACHE_WAYS;

	cache->clock = 0;
	cache->entries = calloc(n, sizeof(*cache->entries));
	if (!cache->entries)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		cache->entries[i].memfd = -1;
	return 0;
}

void afs_dpkg_cached_clear(struct afs_dpkg_cached *e)
{
	free(e->text);
	e->text = NULL;
	e->len = 0;
	if (e->memfd >= 0)
		close(e->memfd);
	e->memfd = -1;
}

void afs_dpkg_cache_fini(struct afs_dpkg_cache *cache)
{
	size_t i, n = AFS_DPKG_CACHE_SETS * AFS_DPKG_CACHE_WAYS;

	if (!cache->entries)
		return;
	for (i = 0; i < n; i++)
		afs_dpkg_cached_clear(&cache->entries[i]);
	free(cache->entries);
	cache->entries = NULL;
}

static struct afs_dpkg_cached *afs_dpkg_cache_set(struct afs_dpkg_cache *cache,
						  dev_t dev, ino_t ino)
{
	uint64_t h =
		((uint64_t)ino ^ ((uint64_t)dev << 40)) * 0x9e3779b97f4a7c15ULL;

	return &cache->entries[(h >> 32) % AFS_DPKG_CACHE_SETS *
			       AFS_DPKG_CACHE_WAYS];
}

struct afs_dpkg_cached *afs_dpkg_cache_find(struct afs_dpkg_cache *cache,
					    dev_t dev, ino_t ino)
{
	struct afs_dpkg_cached *set = afs_dpkg_cache_set(cache, dev, ino);
	unsigned w;

	for (w = 0; w < AFS_DPKG_CACHE_WAYS; w++) {
		if (set[w].used && set[w].dev == dev && set[w].ino == ino) {
			set[w].used = ++cache->clock;
			return &set[w];
		}
	}
	return NULL;
}

void afs_dpkg_cache_drop(struct afs_dpkg_cache *cache, dev_t dev, ino_t ino)
{
	struct afs_dpkg_cached *e = afs_dpkg_cache_find(cache, dev, ino);

	if (!e)
		return;
	afs_dpkg_cached_clear(e);
	e->used = 0;
}

struct afs_dpkg_cached *afs_dpkg_cache_claim(struct afs_dpkg_cache *cache,
					     dev_t dev, ino_t ino)
{
	struct afs_dpkg_cached *set, *victim;
	unsigned w;

	victim = afs_dpkg_cache_find(cache, dev, ino);
	if (victim)
		return victim;
	set = afs_dpkg_cache_set(cache, dev, ino);
	victim = &set[0];
	for (w = 0; w < AFS_DPKG_CACHE_WAYS; w++) {
		if (set[w].used < victim->used)
			victim = &set[w]; /* empty entries have used == 0 */
	}
	afs_dpkg_cached_clear(victim);
	victim->dev = dev;
	victim->ino = ino;
	victim->used = ++cache->clock;
	return victim;
}
