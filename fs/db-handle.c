/*
 * The daemon's one handle on the alias database. LMDB wants one
 * environment per process: closing a second one on the same files drops
 * the process's locks of the first, and another process (aliasctl) could
 * then reset the reader table under it. So the watcher's reads, the
 * conflict records, alias deactivation and the declaration sync all use
 * fs->db, taken in turn under fs->db_lock.
 *
 * It is opened read-write when it may be (read-only mounts and trees the
 * daemon may not write get a read-only one, reopened read-write when a
 * write needs it). Without a database the view shows the architecture's
 * default set, so a database the daemon creates starts with that set, or
 * the watcher would drop every alias on its next look.
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>

#include "aliasdb.h"
#include "fs/afs.h"
#include "fs/db-handle.h"

/* Open fs->db (NULL so far): read-write if it may be, created with the
 * default set if @write and missing. db_lock held. */
static int afs_db_open(struct afs_fs *fs, bool write)
{
	enum aliasdb_rule rule;
	int r = -EROFS;

	if (!fs->ro) {
		r = aliasdb_open(fs->db_dir, 0, &fs->db);
		if (r == -ENOENT && write) {
			r = aliasdb_open(fs->db_dir, ALIASDB_OPEN_CREATE,
					 &fs->db);
			if (r < 0)
				goto out;
			r = aliasdb_add_arch_defaults(fs->db, fs->arch, &rule);
			if (r == -ENOENT) /* no default set (hurd-*) */
				r = 0;
			if (r < 0) {
				aliasdb_close(fs->db);
				goto out;
			}
		}
		fs->db_rw = r >= 0;
	}
	if (r < 0 && r != -ENOENT && !write)
		r = aliasdb_open(fs->db_dir, ALIASDB_OPEN_RDONLY, &fs->db);
out:
	if (r < 0)
		fs->db = NULL;
	return r < 0 ? r : 0;
}

int afs_db_acquire(struct afs_fs *fs, bool write, struct aliasdb **ret_db)
{
	int r = 0;

	pthread_mutex_lock(&fs->db_lock);
	if (write && fs->ro) {
		r = -EROFS;
	} else if (!fs->db || (write && !fs->db_rw)) {
		/* A read-only handle is closed before the read-write one
		 * opens: never two at a time. */
		aliasdb_close(fs->db);
		fs->db = NULL;
		r = afs_db_open(fs, write);
	}
	if (r < 0) {
		pthread_mutex_unlock(&fs->db_lock);
		return r;
	}
	*ret_db = fs->db;
	return 0;
}

void afs_db_release(struct afs_fs *fs)
{
	pthread_mutex_unlock(&fs->db_lock);
}

void afs_db_close(struct afs_fs *fs)
{
	pthread_mutex_lock(&fs->db_lock);
	aliasdb_close(fs->db);
	fs->db = NULL;
	pthread_mutex_unlock(&fs->db_lock);
}
