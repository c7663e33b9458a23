/*
 * Descriptor pressure: every directory the kernel remembers holds an O_PATH
 * descriptor per backing source. When they near RLIMIT_NOFILE (a tree with
 * more directories than the limit, and no right to raise it), ask the
 * kernel to drop the oldest directory entries; its FORGETs then close the
 * descriptors through the normal path. Nothing is closed under a user.
 *
 * Layer 5 (view services, fs/README.md): calls the leaf helpers below.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs/afs.h"
#include "fs/fd-pressure.h"
#include "fs/inode.h"
#include "fs/tree-lock.h"

/* Act above 60% of the limit, bring it down to 40%. */
#define AFS_PRESSURE_HIGH(limit) ((limit)*3 / 5)
#define AFS_PRESSURE_LOW(limit) ((limit)*2 / 5)
/* Bound the work of one pass over the inode list. */
#define AFS_PRESSURE_MAX_STEPS 500000

struct afs_drop {
	fuse_ino_t parent;
	char *name;
};

/*
 * Called with table_lock held after a directory inode was added: wake the
 * watcher thread when the high mark is crossed. Never notify the kernel
 * from here: the request being served may hold the lock the kernel needs.
 */
void afs_fd_pressure_check(struct afs_fs *fs)
{
	if (fs->nofile_limit == 0 ||
	    fs->n_dirs <= AFS_PRESSURE_HIGH(fs->nofile_limit) ||
	    atomic_exchange(&fs->pressure_kicked, true))
		return;
	pthread_cond_signal(&fs->stop_cond);
}

void afs_fd_pressure_relieve(struct afs_fs *fs)
{
	struct afs_drop *drops;
	struct afs_inode *x;
	size_t want, n = 0, steps = 0, i;

	if (fs->nofile_limit == 0)
		return;
	atomic_store(&fs->pressure_kicked, false);
	pthread_mutex_lock(&fs->table_lock);
	if (fs->n_dirs <= AFS_PRESSURE_HIGH(fs->nofile_limit)) {
		pthread_mutex_unlock(&fs->table_lock);
		return;
	}
	want = fs->n_dirs - AFS_PRESSURE_LOW(fs->nofile_limit);
	pthread_mutex_unlock(&fs->table_lock);
	drops = calloc(want, sizeof(*drops));
	if (!drops)
		return;

	/* Directory names are under tree_lock, the list under table_lock. */
	afs_rdlock(fs);
	pthread_mutex_lock(&fs->table_lock);
	for (x = fs->all_tail; x && n < want && steps < AFS_PRESSURE_MAX_STEPS;
	     x = x->prev_all, steps++) {
		if (x->kind != AFS_KIND_DIR || x->persistent || !x->parent)
			continue;
		drops[n].name = strdup(x->name);
		if (!drops[n].name)
			break;
		drops[n].parent = x->parent == fs->root
					  ? FUSE_ROOT_ID
					  : (fuse_ino_t)(uintptr_t)x->parent;
		n++;
	}
	pthread_mutex_unlock(&fs->table_lock);
	afs_unlock(fs);

	fuse_log(FUSE_LOG_INFO,
		 "aliasfs: %zu directories known, asking the kernel to drop "
		 "%zu\n",
		 fs->n_dirs, n);
	/* Outside every lock: the kernel may call us back. A parent forgotten
	 * meanwhile only makes the kernel ignore the request. */
	for (i = 0; i < n; i++) {
		(void)fuse_lowlevel_notify_inval_entry(fs->se, drops[i].parent,
						       drops[i].name,
						       strlen(drops[i].name));
		free(drops[i].name);
	}
	free(drops);
}
