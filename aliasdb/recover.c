/*
 * Recovery of a damaged database directory: the damaged stores are moved
 * aside (never deleted), a damaged alias map is created anew and the dump
 * (normally the copy kept beside it) restored into it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aliasdb-internal.h"

void aliasdb_recovery_free(struct aliasdb_recovery *recovery)
{
	size_t i;

	if (!recovery)
		return;
	free(recovery->moved_to);
	for (i = 0; i < recovery->n_moved; i++)
		free(recovery->moved[i]);
	free(recovery->moved);
	aliasdb_restore_report_free(recovery->restore);
	free(recovery);
}

/* <dir>/damaged-<UTC time>[.N], new. */
static int recover_aside_dir(const char *dir, char **ret_path)
{
	char stamp[32], *path;
	struct tm tm;
	time_t now = time(NULL);
	unsigned i;

	if (!gmtime_r(&now, &tm) ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		return -EINVAL;
	for (i = 0; i < 1000; i++) {
		int n = i ? asprintf(&path, "%s/damaged-%s.%u", dir, stamp, i)
			  : asprintf(&path, "%s/damaged-%s", dir, stamp);

		if (n < 0)
			return -ENOMEM;
		if (mkdir(path, 0700) == 0) {
			*ret_path = path;
			return 0;
		}
		n = errno;
		free(path);
		if (n != EEXIST)
			return -n;
	}
	return -EEXIST;
}

/* Move @dir/@name into @aside; a missing file is fine when @optional. */
static int recover_move(struct aliasdb_recovery *rec, const char *dir,
			const char *name, bool optional)
{
	char *from = NULL, *to = NULL, **nm;
	int r = 0;

	if (asprintf(&from, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	if (asprintf(&to, "%s/%s", rec->moved_to, name) < 0) {
		free(from);
		return -ENOMEM;
	}
	if (rename(from, to) < 0) {
		r = errno == ENOENT && optional ? 0 : -errno;
		free(to);
		to = NULL;
	}
	free(from);
	if (!to)
		return r;
	nm = realloc(rec->moved, (rec->n_moved + 1) * sizeof(*nm));
	if (!nm) {
		free(to);
		return -ENOMEM;
	}
	rec->moved = nm;
	rec->moved[rec->n_moved++] = to;
	return 0;
}

/* Keep the copy the recovery started from with the damaged files: the new
 * database rewrites it. */
static int recover_keep_copy(struct aliasdb_recovery *rec, const char *dir)
{
	char from[ALIASDB_PATH_MAX], to[ALIASDB_PATH_MAX], buf[65536];
	int in, out, r = 0;
	ssize_t n;

	snprintf(from, sizeof(from), "%s/%s", dir, ALIASDB_COPY_FILE);
	snprintf(to, sizeof(to), "%s/%s", rec->moved_to, ALIASDB_COPY_FILE);
	in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return errno == ENOENT ? 0 : -errno;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	while (r == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0)
			r = errno == EINTR ? 0 : -errno;
		else if (write(out, buf, (size_t)n) != n)
			r = -EIO;
	}
	if (r == 0 && fsync(out) < 0)
		r = -errno;
	close(in);
	if (close(out) < 0 && r == 0)
		r = -errno;
	return r;
}

static const char *recover_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int aliasdb_recover(const char *dir, const struct aliasdb_damage *damaged,
		    size_t n_damaged, const struct aliasdb_dump *dump,
		    struct aliasdb_recovery **ret_recovery)
{
	struct aliasdb_recovery *rec;
	bool map = false, claims = false;
	struct aliasdb *db;
	size_t i;
	int r;

	if (!dir || !ret_recovery || (n_damaged && !damaged))
		return -EINVAL;
	for (i = 0; i < n_damaged; i++) {
		const char *base = recover_base(damaged[i].file);

		if (strcmp(base, "data.mdb") == 0)
			map = true;
		else if (strcmp(base, ALIASDB_CLAIMS_FILE) == 0)
			claims = true;
		else
			return -EINVAL;
	}
	if (map && !dump)
		return -EINVAL;
	rec = calloc(1, sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	r = n_damaged ? recover_aside_dir(dir, &rec->moved_to) : 0;
	if (r == 0 && map)
		r = recover_keep_copy(rec, dir);
	/* The lock files go too: they belong to the damaged files. */
	if (r == 0 && map)
		r = recover_move(rec, dir, "data.mdb", false);
	if (r == 0 && map)
		r = recover_move(rec, dir, "lock.mdb", true);
	if (r == 0 && claims)
		r = recover_move(rec, dir, ALIASDB_CLAIMS_FILE, false);
	if (r == 0 && claims)
		r = recover_move(rec, dir, ALIASDB_CLAIMS_FILE "-lock", true);
	if (r == 0 && map) {
		r = aliasdb_open(dir, ALIASDB_OPEN_CREATE, &db);
		if (r == 0) {
			r = aliasdb_restore(db, dump, &rec->restore);
			aliasdb_close(db);
		}
	}
	if (r < 0) {
		aliasdb_recovery_free(rec);
		return r;
	}
	*ret_recovery = rec;
	return 0;
}
