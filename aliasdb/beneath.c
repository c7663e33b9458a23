/*
 * Opening beneath a directory: the one way every part of aliasfs (the
 * daemon, extract, the sync) opens a path below the root it works on, so a
 * symlink in a hostile tree can never lead it outside.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "aliasdb.h"

/* Does the kernel have openat2? -1 not known yet, 0 no, 1 yes. Shared by
 * every thread: the answer is the same for all. */
static atomic_int have_openat2 = -1;

/* One openat2() try. Returns the descriptor, -errno, or -ENOSYS when
 * openat2 is not there (then the caller walks instead). */
static int beneath_openat2(int dirfd, const char *rel, int flags, unsigned how)
{
	struct open_how oh = {
		.flags = (uint64_t)flags | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (how & ALIASDB_BENEATH_NO_SYMLINKS)
		oh.resolve |= RESOLVE_NO_SYMLINKS;
	fd = syscall(SYS_openat2, dirfd, rel, &oh, sizeof(oh));
	if (fd >= 0) {
		atomic_store(&have_openat2, 1);
		return (int)fd;
	}
	if (errno != ENOSYS && errno != EPERM) {
		atomic_store(&have_openat2, 1);
		return -errno;
	}
	/* EPERM from a kernel that has openat2 is a real answer. */
	if (atomic_load(&have_openat2) == 1)
		return -errno;
	/* ENOSYS, or EPERM from a seccomp filter that does not know
	 * openat2: walk component by component instead. */
	atomic_store(&have_openat2, 0);
	return -ENOSYS;
}

/* Without openat2: one component at a time with O_NOFOLLOW, so no symlink
 * at all is followed (ELOOP, or ENOTDIR with O_DIRECTORY), and no "..". */
static int beneath_walk(int dirfd, const char *rel, int flags)
{
	char buf[ALIASDB_PATH_MAX];
	char *p = buf, *slash;
	int fd, nfd;

	if (rel[0] == '/')
		return -EXDEV;
	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	fd = openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (strcmp(p, "..") == 0) {
			close(fd);
			return -EXDEV;
		}
		nfd = openat(fd, p,
			     (slash ? O_PATH | O_DIRECTORY : flags) |
				     O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0)
			nfd = -errno;
		close(fd);
		if (nfd < 0 || !slash)
			return nfd;
		fd = nfd;
		p = slash + 1;
	}
}

int aliasdb_open_beneath(int dirfd, const char *rel, int flags, unsigned how)
{
	if (atomic_load(&have_openat2) != 0) {
		int fd = beneath_openat2(dirfd, rel, flags, how);

		if (fd != -ENOSYS || atomic_load(&have_openat2) == 1)
			return fd;
	}
	return beneath_walk(dirfd, rel, flags);
}
