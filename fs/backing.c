/*
 * Reaching backing objects: the /proc path through which an O_PATH
 * descriptor is reopened, and directories opened beneath the backing
 * root without following a symlink (the rule lives in aliasdb).
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "aliasdb.h"
#include "fs/afs.h"
#include "fs/backing.h"

int afs_proc_path(int fd, char *buf, size_t size)
{
	int n = snprintf(buf, size, "/proc/self/fd/%d", fd);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int afs_open_beneath(struct afs_fs *fs, const char *rel)
{
	return aliasdb_open_beneath(fs->root_fd, rel,
				    O_PATH | O_DIRECTORY | O_NOFOLLOW,
				    ALIASDB_BENEATH_NO_SYMLINKS);
}
