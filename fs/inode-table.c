/*
 * afs_inode_table: open addressing hash table keyed by (st_dev, st_ino).
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "fs/inode-table.h"

struct afs_inode_table_entry {
	dev_t dev;
	ino_t ino;
	void *value; /* NULL: empty bucket */
};

struct afs_inode_table {
	struct afs_inode_table_entry *buckets;
	size_t mask; /* capacity - 1; capacity is a power of two */
	size_t count;
};

#define AFS_INODE_TABLE_MIN 64

static size_t afs_inode_table_hash(dev_t dev, ino_t ino)
{
	/* splitmix64 finalizer: inode numbers are often sequential, so mix
	 * every bit into the low ones used for the bucket index. */
	uint64_t x = (uint64_t)ino ^ ((uint64_t)dev * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (size_t)x;
}

int afs_inode_table_new(struct afs_inode_table **ret_table)
{
	struct afs_inode_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->buckets = calloc(AFS_INODE_TABLE_MIN, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return -ENOMEM;
	}
	t->mask = AFS_INODE_TABLE_MIN - 1;
	*ret_table = t;
	return 0;
}

void afs_inode_table_free(struct afs_inode_table *table)
{
	if (!table)
		return;
	free(table->buckets);
	free(table);
}

static struct afs_inode_table_entry *
afs_inode_table_find(const struct afs_inode_table *t, dev_t dev, ino_t ino)
{
	size_t i = afs_inode_table_hash(dev, ino) & t->mask;

	for (;;) {
		struct afs_inode_table_entry *e = &t->buckets[i];

		if (!e->value)
			return NULL;
		if (e->dev == dev && e->ino == ino)
			return e;
		i = (i + 1) & t->mask;
	}
}

void *afs_inode_table_get(const struct afs_inode_table *table, dev_t dev,
			  ino_t ino)
{
	struct afs_inode_table_entry *e = afs_inode_table_find(table, dev, ino);

	return e ? e->value : NULL;
}

static void afs_inode_table_insert_new(struct afs_inode_table_entry *buckets,
				       size_t mask, dev_t dev, ino_t ino,
				       void *value)
{
	size_t i = afs_inode_table_hash(dev, ino) & mask;

	while (buckets[i].value)
		i = (i + 1) & mask;
	buckets[i].dev = dev;
	buckets[i].ino = ino;
	buckets[i].value = value;
}

static int afs_inode_table_resize(struct afs_inode_table *t, size_t capacity)
{
	struct afs_inode_table_entry *nb = calloc(capacity, sizeof(*nb));
	size_t i;

	if (!nb)
		return -ENOMEM;
	for (i = 0; i <= t->mask; i++)
		if (t->buckets[i].value)
			afs_inode_table_insert_new(
				nb, capacity - 1, t->buckets[i].dev,
				t->buckets[i].ino, t->buckets[i].value);
	free(t->buckets);
	t->buckets = nb;
	t->mask = capacity - 1;
	return 0;
}

int afs_inode_table_put(struct afs_inode_table *table, dev_t dev, ino_t ino,
			void *value)
{
	struct afs_inode_table_entry *e = afs_inode_table_find(table, dev, ino);

	if (e) {
		e->value = value;
		return 0;
	}
	/* Keep the load factor at most 1/2 so probe sequences stay short. */
	if ((table->count + 1) * 2 > table->mask + 1) {
		int r = afs_inode_table_resize(table, (table->mask + 1) * 2);

		if (r < 0)
			return r;
	}
	afs_inode_table_insert_new(table->buckets, table->mask, dev, ino,
				   value);
	table->count++;
	return 0;
}

int afs_inode_table_remove(struct afs_inode_table *table, dev_t dev, ino_t ino,
			   const void *value)
{
	struct afs_inode_table_entry *e = afs_inode_table_find(table, dev, ino);
	size_t i, j;

	if (!e || (value && e->value != value))
		return -ENOENT;
	i = (size_t)(e - table->buckets);
	table->buckets[i].value = NULL;
	table->count--;
	/* Backward-shift deletion: move later members of the probe run back
	 * into the hole when their home bucket allows it. */
	j = i;
	for (;;) {
		size_t home;

		j = (j + 1) & table->mask;
		if (!table->buckets[j].value)
			break;
		home = afs_inode_table_hash(table->buckets[j].dev,
					    table->buckets[j].ino) &
		       table->mask;
		/* Leave entry j in place if its home lies cyclically in
		 * (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		table->buckets[i] = table->buckets[j];
		table->buckets[j].value = NULL;
		i = j;
	}
	/* Shrink when mostly empty so a burst of inodes does not pin
	 * memory for the mount's life. */
	if (table->mask + 1 > AFS_INODE_TABLE_MIN &&
	    table->count * 8 < table->mask + 1)
		(void)afs_inode_table_resize(table, (table->mask + 1) / 2);
	return 0;
}

size_t afs_inode_table_count(const struct afs_inode_table *table)
{
	return table->count;
}
