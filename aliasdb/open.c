/*
 * Opening a database: check its stores first (verify.c: a damaged one
 * would crash us once mapped), then the LMDB environment (db.c), and keep
 * a new database recoverable from the start (copy.c).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "aliasdb-internal.h"

int aliasdb_open(const char *dir, unsigned flags, struct aliasdb **ret_db)
{
	bool rdonly = flags & ALIASDB_OPEN_RDONLY;
	struct aliasdb *db;
	char data[PATH_MAX];
	struct stat st;
	int r;

	if (!dir || !*dir || !ret_db ||
	    (flags & ~(unsigned)(ALIASDB_OPEN_CREATE | ALIASDB_OPEN_RDONLY)))
		return -EINVAL;
	if (flags & ALIASDB_OPEN_CREATE) {
		r = aliasdb_db_make_dirs(dir);
		if (r < 0)
			return r;
	}
	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* Before LMDB maps anything: a damaged store would crash us. The
	 * claims live in the same directory and belong to the database. */
	r = aliasdb_verify_open(dir, 1u << ALIASDB_STORE_MAP |
					     1u << ALIASDB_STORE_CLAIMS);
	if (r < 0)
		return r;
	if (snprintf(data, sizeof(data), "%s/data.mdb", dir) >=
	    (int)sizeof(data))
		return -ENAMETOOLONG;
	if (stat(data, &st) == 0)
		return aliasdb_db_open_env(dir, rdonly, ret_db);
	if (errno != ENOENT || !(flags & ALIASDB_OPEN_CREATE))
		return -errno;

	r = aliasdb_db_open_env(dir, false, &db);
	if (r < 0)
		return r;
	/* Readers in other accounts need data.mdb readable and lock.mdb
	 * present, whatever our umask. */
	r = aliasdb_db_set_mode(dir, "data.mdb", 0644);
	if (r == 0)
		r = aliasdb_db_set_mode(dir, "lock.mdb", 0644);
	/* Recoverable from the start, even before the first write. */
	if (r == 0)
		(void)aliasdb_copy_write(db);
	if (r < 0 || rdonly) {
		aliasdb_close(db);
		return r < 0 ? r : aliasdb_db_open_env(dir, true, ret_db);
	}
	*ret_db = db;
	return 0;
}

void aliasdb_close(struct aliasdb *db)
{
	aliasdb_db_close(db);
}
