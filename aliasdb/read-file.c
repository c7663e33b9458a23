/*
 * Reading a whole small file into memory. The kept copy of the database
 * (copy.c) and dpkg's files read by revert (revert-split.c) both need it;
 * one function keeps the rules (no symlink followed, regular files only,
 * a size bound, EINTR retried) the same for both.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasdb-internal.h"

int aliasdb_read_file_at(int dfd, const char *name, size_t max, char **ret_text,
			 size_t *ret_len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd, r = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return -EUCLEAN;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 0;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[got] = '\0';
	*ret_text = buf;
	*ret_len = got;
	return 0;
}
