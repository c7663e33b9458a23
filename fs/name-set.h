/*
 * afs_name_set: a set of strings (hash table, open addressing). Used to
 * merge directory listings in O(n) and to remember conflicts already
 * queued. Not thread-safe.
 */
#ifndef AFS_NAME_SET_H
#define AFS_NAME_SET_H

#include <stdbool.h>
#include <stddef.h>

struct afs_name_set;

/* @copy: the set keeps its own copies of added strings; otherwise the
 * caller keeps them alive as long as the set. Returns 0 or -ENOMEM. */
int afs_name_set_new(bool copy, struct afs_name_set **ret_set);

/* Free the set (and its copies). Accepts NULL. */
void afs_name_set_free(struct afs_name_set *set);

/* Returns 1 if @name was added, 0 if already present, -ENOMEM. */
int afs_name_set_add(struct afs_name_set *set, const char *name);

/* Is @name in the set? */
bool afs_name_set_contains(const struct afs_name_set *set, const char *name);

size_t afs_name_set_count(const struct afs_name_set *set);

#endif /* AFS_NAME_SET_H */
