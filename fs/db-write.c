/*
 * Writing the alias database from the daemon (conflict records, alias
 * deactivation). Without a database the view shows the architecture's
 * default set, so a database the daemon creates starts with that set, or
 * the watcher would drop every alias on its next look.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>

#include "fs/afs.h"

/* Serializes "missing? create it and add the defaults" between the
 * watcher thread and the FUSE workers: two creators would both add the
 * defaults, and one could bring back an alias the other just removed. */
static pthread_mutex_t afs_db_create_lock = PTHREAD_MUTEX_INITIALIZER;

int afs_db_open_write(struct afs_fs *fs, struct aliasdb **ret_db)
{
	enum aliasdb_rule rule;
	struct aliasdb *db;
	int r;

	if (fs->ro)
		return -EROFS;
	pthread_mutex_lock(&afs_db_create_lock);
	r = aliasdb_open(fs->db_dir, 0, &db);
	if (r == -ENOENT) {
		r = aliasdb_open(fs->db_dir, ALIASDB_OPEN_CREATE, &db);
		if (r < 0)
			goto out;
		r = aliasdb_add_arch_defaults(db, fs->arch, &rule);
		if (r == -ENOENT) /* no default set (hurd-*): none shown */
			r = 0;
		if (r < 0) {
			aliasdb_close(db);
			goto out;
		}
	}
	if (r >= 0) {
		*ret_db = db;
		r = 0;
	}
out:
	pthread_mutex_unlock(&afs_db_create_lock);
	return r;
}
