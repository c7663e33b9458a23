/*
 * aliasctl orderings: how views get mounted, with or without root.
 *
 *  root      as root: mounts straight from the daemon, in a mount
 *            namespace of the run's own when one can be made (the
 *            mounts then vanish with the run, however it ends);
 *  userns    as an ordinary user, in a user namespace where the user is
 *            uid 0 and the kernel lets it mount FUSE (checked at run time
 *            by a trial mount in a child);
 *  fakeroot  as an ordinary user otherwise: the daemon mounts through the
 *            setuid fusermount3, dpkg runs under fakeroot.
 */
#ifndef ALIASCTL_ORDERINGS_MOUNT_H
#define ALIASCTL_ORDERINGS_MOUNT_H

#include <stdbool.h>
#include <sys/types.h>

enum ord_mode {
	ORD_MODE_AUTO = 0,
	ORD_MODE_ROOT,
	ORD_MODE_USERNS,
	ORD_MODE_FAKEROOT,
};

const char *ord_mode_name(enum ord_mode m);
int ord_mode_parse(const char *s, enum ord_mode *ret);

/*
 * Can a user namespace mount FUSE here? Tries in a child process (this
 * process is left as it was). Returns 0 if so, else -errno with *ret_why
 * (free()) saying which step failed.
 */
int ord_mode_probe_userns(char **ret_why);

/*
 * Enter the mode @m in this process, which must still be single-threaded
 * (a user namespace cannot be entered by a threaded process). root: a
 * private mount namespace if possible; userns: a new user and mount
 * namespace, with this uid and gid mapped to 0; fakeroot: nothing.
 * Returns 0 or -errno with *ret_why.
 */
int ord_mode_enter(enum ord_mode m, char **ret_why);

/* A mounted view: the daemon runs in the foreground as our child. */
struct ord_view {
	pid_t daemon;
	char *mountpoint;
};

/*
 * Mount the backing @backing on @mountpoint (an empty directory) with the
 * aliasfs daemon found in PATH, its messages appended to @log. Waits up
 * to 30 s for the mount to appear. Returns 0, -ECANCELED (aborted), or
 * -errno with *ret_why.
 */
int ord_view_mount(enum ord_mode m, const char *backing, const char *mountpoint,
		   const char *log, struct ord_view *ret_view, char **ret_why);

/*
 * Unmount and wait for the daemon to exit, so that everything it wrote
 * is in the backing. Falls back to a lazy unmount and SIGTERM, then
 * SIGKILL. Returns 0 or -errno.
 */
int ord_view_unmount(enum ord_mode m, struct ord_view *view);

/* Is @path the root of a mount other than its parent's? */
bool ord_is_mountpoint(const char *path);

#endif /* ALIASCTL_ORDERINGS_MOUNT_H */
