/*
 * Who else uses a tree: the convert lock on the tree's root directory,
 * and a probe for processes that have its database open.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "aliasdb.h"

int aliasdb_tree_lock(int tree_fd)
{
	if (flock(tree_fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
	return 0;
}

/* Does another process hold a lock on byte 0 of @path? LMDB holds a read
 * lock there for as long as a process has the environment open. */
static int lock_probe(const char *path, pid_t *ret_pid)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 1,
	};
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fcntl(fd, F_GETLK, &fl) < 0) {
		r = -errno;
	} else if (fl.l_type != F_UNLCK) {
		if (ret_pid)
			*ret_pid = fl.l_pid;
		r = 1;
	}
	close(fd);
	return r;
}

int aliasdb_db_in_use(const char *dir, pid_t *ret_pid)
{
	static const char *const files[] = {
		"lock.mdb",
		ALIASDB_CLAIMS_FILE "-lock",
	};
	char path[ALIASDB_PATH_MAX];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int r;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     files[i]) >= sizeof(path))
			return -ENAMETOOLONG;
		r = lock_probe(path, ret_pid);
		if (r != 0)
			return r;
	}
	return 0;
}
