/*
 * The alias map: initial load, and a watcher thread that polls the
 * database generation (cheap) and swaps in a changed map while mounted,
 * then tells the kernel which names and directories changed. The same
 * thread records queued conflicts.
 *
 * Layer 7 (daemon, fs/README.md): calls the view services, alias table and
 * leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aliasdb.h"
#include "fs/afs.h"
#include "fs/alias-unlink.h"
#include "fs/alias-watch.h"
#include "fs/conflicts.h"
#include "fs/db-handle.h"
#include "fs/decl-sync.h"
#include "fs/dpkg-db-view.h"
#include "fs/fd-pressure.h"
#include "fs/inode.h"
#include "fs/notify-queue.h"
#include "fs/sources.h"
#include "fs/tree-lock.h"

#define AFS_WATCH_INTERVAL_MS 200

/* The architecture's default set, shown while there is no database. */
static int afs_default_map(struct afs_fs *fs, struct aliasdb_map **ret_map)
{
	int r;

	r = aliasdb_map_for_arch(fs->arch, ret_map);
	if (r == -ENOENT && strncmp(fs->arch, "hurd-", 5) == 0)
		/* an architecture without merged /usr */
		r = aliasdb_map_from_pairs(NULL, NULL, 0, ret_map, NULL);
	return r;
}

int afs_aliases_initial(struct afs_fs *fs)
{
	struct aliasdb_map *map;
	struct aliasdb *db;
	int r;

	r = afs_db_acquire(fs, false, &db);
	if (r == -ENOENT) {
		fs->db_defaults = true;
		r = afs_default_map(fs, &map);
	} else if (r == 0) {
		r = aliasdb_generation(db, &fs->db_generation);
		if (r == 0)
			r = aliasdb_map_load(db, &map);
		afs_db_release(fs);
	}
	if (r < 0)
		return r;
	return afs_aliases_new(map, &fs->aliases);
}

/* Node id of the alias symlink @alias if the kernel may know it. */
static fuse_ino_t afs_alias_nodeid(struct afs_fs *fs, const char *alias)
{
	fuse_ino_t p = 0;
	size_t i;

	pthread_mutex_lock(&fs->alias_lock);
	for (i = 0; i < fs->n_alias_inodes; i++)
		if (strcmp(fs->alias_inodes[i]->alias, alias) == 0)
			p = (fuse_ino_t)(uintptr_t)fs->alias_inodes[i];
	pthread_mutex_unlock(&fs->alias_lock);
	return p;
}

/* Tell the kernel to forget what it cached about @a's names and dirs. */
static void afs_invalidate_aliases(struct afs_fs *fs,
				   const struct afs_aliases *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		const struct afs_alias_entry *e = &a->entries[i];
		const char *slash = strrchr(e->canonical, '/');
		char *cparent;
		fuse_ino_t p;

		/* The alias name in its parent. */
		p = afs_view_nodeid(fs, e->parent);
		if (p)
			(void)fuse_lowlevel_notify_inval_entry(
				fs->se, p, e->name, strlen(e->name));
		/* The canonical dir's entry and its attributes/listing,
		 * reached through either backing spelling. */
		cparent = strndup(e->canonical, (size_t)(slash - e->canonical));
		if (cparent) {
			p = afs_view_nodeid(fs, cparent[0] ? cparent : "/");
			if (p)
				(void)fuse_lowlevel_notify_inval_entry(
					fs->se, p, slash + 1,
					strlen(slash + 1));
			free(cparent);
		}
		p = afs_view_nodeid(fs, e->canonical);
		if (p)
			(void)fuse_lowlevel_notify_inval_inode(fs->se, p, 0, 0);
		p = afs_view_nodeid(fs, e->alias);
		if (p)
			(void)fuse_lowlevel_notify_inval_inode(fs->se, p, 0, 0);
		/* The alias symlink itself: its cached target. */
		p = afs_alias_nodeid(fs, e->alias);
		if (p)
			(void)fuse_lowlevel_notify_inval_inode(fs->se, p, 0, 0);
	}
}

static void afs_swap_map(struct afs_fs *fs, struct aliasdb_map *map)
{
	struct afs_aliases *na, *old;
	size_t i, k;
	int r;

	r = afs_aliases_new(map, &na);
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR, "aliasfs: cannot use the new map: %s\n",
			 strerror(-r));
		return;
	}
	afs_wrlock(fs);
	old = fs->aliases;
	fs->aliases = na;
	atomic_fetch_add(&fs->tree_gen, 1);
	/* Presented dpkg database files spell paths by the map. */
	afs_dpkgdb_inval_attrs(fs);
	/* An alias kept with a new target keeps its inode number. */
	pthread_mutex_lock(&fs->alias_lock);
	for (i = 0; i < fs->n_alias_inodes; i++) {
		struct afs_inode *ai = fs->alias_inodes[i];

		for (k = 0; k < na->n; k++) {
			if (strcmp(na->entries[k].alias, ai->alias) != 0 ||
			    strcmp(na->entries[k].target, ai->target) == 0)
				continue;
			char *t = strdup(na->entries[k].target);

			if (t) {
				free(ai->target);
				ai->target = t;
			}
		}
	}
	pthread_mutex_unlock(&fs->alias_lock);
	afs_unlock(fs);

	fuse_log(FUSE_LOG_INFO, "aliasfs: alias map changed (%zu aliases)\n",
		 na->n);
	/* Outside every lock: the kernel may call us back. */
	afs_invalidate_aliases(fs, old);
	afs_invalidate_aliases(fs, na);
	afs_aliases_free(old);
}

static void afs_watch_tick(struct afs_fs *fs)
{
	struct aliasdb_map *map;
	struct aliasdb *db;
	uint64_t gen;
	bool changed;
	int r;

	afs_conflicts_process(fs);
	afs_fd_pressure_relieve(fs);
	/* Before the generation check, so a sync shows in this tick. */
	afs_decl_tick(fs);
	/* The database may have been created since (aliasctl, or our own
	 * conflict record). */
	if (afs_db_acquire(fs, false, &db) < 0)
		return;
	if (fs->db_defaults) {
		fs->db_defaults = false;
		fs->db_generation = (uint64_t)-1;
	}
	r = aliasdb_generation(db, &gen);
	changed = r == 0 && gen != fs->db_generation;
	if (changed)
		r = aliasdb_map_load(db, &map);
	afs_db_release(fs);
	if (!changed)
		return;
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: cannot load the alias map: %s\n",
			 strerror(-r));
		return;
	}
	fs->db_generation = gen;
	if (aliasdb_map_equal(map, fs->aliases->map)) {
		aliasdb_map_free(map);
		return;
	}
	afs_swap_map(fs, map);
}

static bool afs_time_reached(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec &&
		now.tv_nsec >= deadline->tv_nsec);
}

/* Every tick, and at once whenever kernel notifications are queued
 * (notify-queue.c): requests leave them to this thread. */
static void *afs_watch_main(void *arg)
{
	struct afs_fs *fs = arg;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&fs->stop_lock);
	while (!fs->stopping) {
		if (afs_time_reached(&ts)) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += AFS_WATCH_INTERVAL_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
		}
		if (!afs_notify_pending(fs))
			pthread_cond_timedwait(&fs->stop_cond, &fs->stop_lock,
					       &ts);
		if (fs->stopping)
			break;
		pthread_mutex_unlock(&fs->stop_lock);
		afs_notify_flush(fs);
		if (afs_time_reached(&ts)) {
			/* Programs that replaced an alias and exited while
			 * nobody looked: the database learns of it too. */
			afs_alias_reap(fs);
			afs_watch_tick(fs);
			afs_notify_flush(fs);
		}
		pthread_mutex_lock(&fs->stop_lock);
	}
	pthread_mutex_unlock(&fs->stop_lock);
	return NULL;
}

int afs_watch_start(struct afs_fs *fs)
{
	pthread_condattr_t ca;
	int r;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fs->stop_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&fs->stop_lock, NULL);
	r = pthread_create(&fs->watcher, NULL, afs_watch_main, fs);
	if (r != 0)
		return -r;
	fs->watcher_started = true;
	return 0;
}

void afs_watch_stop(struct afs_fs *fs)
{
	if (!fs->watcher_started)
		return;
	pthread_mutex_lock(&fs->stop_lock);
	fs->stopping = true;
	pthread_cond_signal(&fs->stop_cond);
	pthread_mutex_unlock(&fs->stop_lock);
	pthread_join(fs->watcher, NULL);
	fs->watcher_started = false;
	/* Conflicts queued in the last moments still get recorded. */
	afs_conflicts_process(fs);
}
