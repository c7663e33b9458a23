/*
 * afs_inode_table: a hash table from a backing (st_dev, st_ino) key to an
 * inode pointer. Open addressing with linear probing and backward-shift
 * deletion, so removals leave no tombstones and lookups stay O(1).
 * Not thread-safe: the daemon serializes access with its table lock.
 */
#ifndef AFS_INODE_TABLE_H
#define AFS_INODE_TABLE_H

#include <stddef.h>
#include <sys/types.h>

struct afs_inode_table;

/* Returns 0 and *ret_table, or -ENOMEM. */
int afs_inode_table_new(struct afs_inode_table **ret_table);

/* Free the table (not the values). Accepts NULL. */
void afs_inode_table_free(struct afs_inode_table *table);

/* The value stored for (dev, ino), or NULL. */
void *afs_inode_table_get(const struct afs_inode_table *table, dev_t dev,
			  ino_t ino);

/* Store @value (non-NULL) for (dev, ino), replacing any previous value.
 * Returns 0 or -ENOMEM (the table is then unchanged). */
int afs_inode_table_put(struct afs_inode_table *table, dev_t dev, ino_t ino,
			void *value);

/* Remove (dev, ino) if it maps to @value (any value if @value is NULL).
 * Returns 0, or -ENOENT if no such mapping. */
int afs_inode_table_remove(struct afs_inode_table *table, dev_t dev, ino_t ino,
			   const void *value);

/* Number of keys stored. */
size_t afs_inode_table_count(const struct afs_inode_table *table);

#endif /* AFS_INODE_TABLE_H */
