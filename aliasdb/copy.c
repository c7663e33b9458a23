/*
 * The plain-text copy kept beside the database (ALIASDB_COPY_FILE): a dump
 * of the current state, rewritten after every committed write, so that a
 * damaged database can be rebuilt without the user having saved anything.
 *
 * It is written under LMDB's writer lock (a write transaction that is
 * never committed): two writers' copies then land in the order of their
 * commits, and the last one renamed is the latest state. Temporary file,
 * fsync, rename, fsync of the directory: a crash leaves the old copy or
 * the new one, never half of one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasdb-internal.h"

/* A copy is a few KiB; more than this is not one. */
#define COPY_MAX_SIZE (64u << 20)

int aliasdb_write_file_replace(const char *dir, const char *name,
			       const char *text, size_t len)
{
	char tmp[ALIASDB_PATH_MAX], final[ALIASDB_PATH_MAX];
	size_t done = 0;
	int fd, dfd, r = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >=
		    sizeof(tmp) ||
	    (size_t)snprintf(final, sizeof(final), "%s/%s", dir, name) >=
		    sizeof(final))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0)
		return -errno;
	/* Readable by whoever may read the database, whatever our umask. */
	if (fchmod(fd, 0644) < 0)
		r = -errno;
	while (r == 0 && done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		else
			done += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, final) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
}

int aliasdb_copy_write(struct aliasdb *db)
{
	const char *dir;
	MDB_txn *txn;
	char *text = NULL;
	size_t len = 0;
	int r;

	r = aliasdb_lmdb_error(mdb_env_get_path(db->env, &dir));
	if (r < 0)
		return r;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_dump_txn(db, txn, &text, &len);
	if (r == 0)
		r = aliasdb_write_file_replace(dir, ALIASDB_COPY_FILE, text,
					       len);
	mdb_txn_abort(txn);
	free(text);
	return r;
}

int aliasdb_commit(struct aliasdb *db, MDB_txn *txn)
{
	int r = aliasdb_db_write_commit(db, txn);

	if (r == 0)
		(void)aliasdb_copy_write(db);
	return r;
}

static int copy_load(const char *dir, char **ret_text, size_t *ret_len)
{
	char path[ALIASDB_PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     ALIASDB_COPY_FILE) >= sizeof(path))
		return -ENAMETOOLONG;
	return aliasdb_read_file_at(AT_FDCWD, path, COPY_MAX_SIZE, ret_text,
				    ret_len);
}

int aliasdb_copy_read(const char *dir, struct aliasdb_dump_error *err,
		      struct aliasdb_dump **ret_dump)
{
	char *text;
	size_t len;
	int r;

	if (!dir || !ret_dump)
		return -EINVAL;
	r = copy_load(dir, &text, &len);
	if (r == -EUCLEAN) {
		if (err) {
			err->line = 0;
			snprintf(err->why, sizeof(err->why),
				 "not a regular file of a dump's size");
		}
		r = -EINVAL;
	}
	if (r < 0)
		return r;
	r = aliasdb_dump_parse(text, len, err, ret_dump);
	free(text);
	return r;
}

int aliasdb_copy_generation(const char *dir, uint64_t *ret_generation)
{
	struct aliasdb_dump *dump;
	int r;

	if (!ret_generation)
		return -EINVAL;
	r = aliasdb_copy_read(dir, NULL, &dump);
	if (r == -EINVAL || r == -EPROTO)
		return -EUCLEAN;
	if (r < 0)
		return r;
	*ret_generation = dump->generation;
	aliasdb_dump_free(dump);
	return 0;
}
