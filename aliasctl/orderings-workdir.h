/*
 * aliasctl orderings: where a run keeps its backings, views and logs. All
 * runs of one user share one base directory; each run has a directory
 * there and a lock file it holds while alive, so the next run can tell a
 * dead run's leftovers (SIGKILL, power loss) and clean them: mounts,
 * files, the lock.
 */
#ifndef ALIASCTL_ORDERINGS_WORKDIR_H
#define ALIASCTL_ORDERINGS_WORKDIR_H

#include <stdbool.h>

/*
 * The base directory: @opt if given, else $XDG_RUNTIME_DIR/aliasctl-
 * orderings when $XDG_RUNTIME_DIR is a directory of ours, else
 * /var/tmp/aliasctl-orderings-UID. Created with mode 0700; it must be a
 * directory owned by us, not a symlink. Returns 0 and *ret_base (free()),
 * or -errno with *ret_why (free()).
 */
int ord_workdir_base(const char *opt, char **ret_base, char **ret_why);

/*
 * Remove what runs that are no longer alive left under @base: unmount
 * their views (lazily), remove their directories and locks. Returns the
 * number of dead runs cleaned, or -errno. Messages for what could not be
 * cleaned go to stderr.
 */
int ord_workdir_clean_stale(const char *base);

/* Set to the run's directory in every process a run starts, so that the
 * next run can find what a killed one left. */
#define ORD_WORKDIR_ENV "ALIASCTL_ORDERINGS_RUN"

struct ord_workdir {
	char *dir;  /* BASE/run.XXXXXX.d: the run's files */
	char *lock; /* BASE/run.XXXXXX: held while the run lives */
	int lock_fd;
};

/* Create and lock a run directory under @base. */
int ord_workdir_create(const char *base, struct ord_workdir **ret_wd);

/* Remove the run directory and the lock (unmounting nothing: views are
 * gone by then). Accepts NULL. */
void ord_workdir_remove(struct ord_workdir *wd);

/* Unmount @path lazily: umount2(MNT_DETACH) when allowed, else
 * fusermount3 -u -z. Returns 0 or -errno. */
int ord_unmount_lazy(const char *path);

#endif /* ALIASCTL_ORDERINGS_WORKDIR_H */
