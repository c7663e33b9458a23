/*
 * Kernel cache invalidations queued for the watcher thread.
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs/afs.h"
#include "fs/notify-queue.h"

struct afs_notify {
	struct afs_notify *next;
	fuse_ino_t parent;
	bool entry; /* drop entry name[] of parent; else parent's caches */
	char name[];
};

void afs_notify_queue_init(struct afs_notify_queue *q)
{
	pthread_mutex_init(&q->lock, NULL);
	q->head = NULL;
	q->tail = NULL;
}

void afs_notify_queue_destroy(struct afs_notify_queue *q)
{
	struct afs_notify *n, *next;

	for (n = q->head; n; n = next) {
		next = n->next;
		free(n);
	}
	q->head = NULL;
	q->tail = NULL;
	pthread_mutex_destroy(&q->lock);
}

void afs_notify_later(struct afs_fs *fs, fuse_ino_t parent, const char *name)
{
	struct afs_notify_queue *q = &fs->notify;
	size_t len = name ? strlen(name) : 0;
	struct afs_notify *n;

	if (parent == 0)
		return;
	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return;
	n->next = NULL;
	n->parent = parent;
	n->entry = name != NULL;
	memcpy(n->name, name ? name : "", len + 1);
	pthread_mutex_lock(&q->lock);
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	pthread_mutex_unlock(&q->lock);
	/* The watcher checks the queue under stop_lock before it sleeps:
	 * no wake-up is lost. */
	pthread_mutex_lock(&fs->stop_lock);
	pthread_cond_signal(&fs->stop_cond);
	pthread_mutex_unlock(&fs->stop_lock);
}

bool afs_notify_pending(struct afs_fs *fs)
{
	bool pending;

	pthread_mutex_lock(&fs->notify.lock);
	pending = fs->notify.head != NULL;
	pthread_mutex_unlock(&fs->notify.lock);
	return pending;
}

void afs_notify_flush(struct afs_fs *fs)
{
	struct afs_notify *n, *next;

	pthread_mutex_lock(&fs->notify.lock);
	n = fs->notify.head;
	fs->notify.head = NULL;
	fs->notify.tail = NULL;
	pthread_mutex_unlock(&fs->notify.lock);
	for (; n; n = next) {
		next = n->next;
		/* A node id the kernel has forgotten is ignored by it. */
		if (n->entry)
			(void)fuse_lowlevel_notify_inval_entry(
				fs->se, n->parent, n->name, strlen(n->name));
		else
			(void)fuse_lowlevel_notify_inval_inode(fs->se,
							       n->parent, 0, 0);
		free(n);
	}
}
