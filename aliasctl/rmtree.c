/*
 * Removing a tree of aliasctl's own (an orderings state, a run directory)
 * without ever crossing into a mount still inside it. A leaf: libc only.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasctl/rmtree.h"

/* Remove the contents of the directory open at @fd (device @dev). */
static int rm_contents(int fd, dev_t dev)
{
	DIR *d;
	struct dirent *e;
	int first = 0;

	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d))) {
		struct stat st;
		int r = 0;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub;

			if (st.st_dev != dev) {
				r = -EBUSY; /* a mount: never go in */
			} else {
				if ((st.st_mode & 0700) != 0700)
					fchmodat(dirfd(d), e->d_name, 0700, 0);
				sub = openat(dirfd(d), e->d_name,
					     O_RDONLY | O_DIRECTORY |
						     O_NOFOLLOW | O_CLOEXEC);
				r = sub < 0 ? -errno : rm_contents(sub, dev);
				if (r == 0 && unlinkat(dirfd(d), e->d_name,
						       AT_REMOVEDIR) < 0)
					r = -errno;
			}
		} else if (unlinkat(dirfd(d), e->d_name, 0) < 0) {
			r = -errno;
		}
		if (r < 0 && first == 0)
			first = r;
	}
	closedir(d);
	return first;
}

int aliasctl_rmtree(const char *path)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	if ((st.st_mode & 0700) != 0700)
		chmod(path, 0700);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = rm_contents(fd, st.st_dev);
	if (r == 0 && rmdir(path) < 0)
		r = -errno;
	return r;
}
