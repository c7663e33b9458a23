/*
 * The tree lock: every operation holds fs->tree_lock for reading while it
 * uses directory source slots, view paths and the alias map; the changes
 * of those hold it for writing (the whole order is in afs.h).
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <pthread.h>

#include "fs/afs.h"
#include "fs/tree-lock.h"

void afs_rdlock(struct afs_fs *fs)
{
	pthread_rwlock_rdlock(&fs->tree_lock);
}

void afs_wrlock(struct afs_fs *fs)
{
	pthread_rwlock_wrlock(&fs->tree_lock);
}

void afs_unlock(struct afs_fs *fs)
{
	pthread_rwlock_unlock(&fs->tree_lock);
}
