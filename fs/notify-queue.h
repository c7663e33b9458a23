/*
 * afs_notify_queue: kernel cache invalidations sent later, by the watcher
 * thread. The kernel takes a directory's lock to drop one of its entries,
 * and a request may be waiting for us with that lock held; a worker that
 * sent the notification itself could then wait for a request that only
 * a free worker can answer (with -o threads=1, always). The watcher
 * answers no request, so it can wait.
 */
#ifndef AFS_NOTIFY_QUEUE_H
#define AFS_NOTIFY_QUEUE_H

#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>

struct afs_fs;
struct afs_notify;

struct afs_notify_queue {
	pthread_mutex_t lock;
	struct afs_notify *head;
	struct afs_notify *tail;
};

void afs_notify_queue_init(struct afs_notify_queue *q);
/* Drops what was never sent. */
void afs_notify_queue_destroy(struct afs_notify_queue *q);

/* Queue dropping entry @name of directory @parent (a node id, 0: none),
 * or, with @name NULL, the attributes and cached pages (a directory's
 * listing) of @parent; then wake the watcher. Out of memory: dropped
 * (the kernel's caches then expire by their timeouts). */
void afs_notify_later(struct afs_fs *fs, fuse_ino_t parent, const char *name);

/* Send everything queued (the watcher). Call without any lock. */
void afs_notify_flush(struct afs_fs *fs);

/* Anything queued? */
bool afs_notify_pending(struct afs_fs *fs);

#endif /* AFS_NOTIFY_QUEUE_H */
