/*
 * Run directories: where a command that mounts views (aliasctl run, and
 * aliasctl orderings once it moves here) keeps its mount points and
 * throw-away backings.
 *
 * All runs of one user and one command share one base directory; each run
 * has a directory there and a lock file it holds while alive, so the next
 * run can tell a dead run's leftovers (SIGKILL, power loss) and clean
 * them: its processes, its mounts, its files.
 *
 *   BASE/run.XXXXXX      the lock, held (flock) while the run lives
 *   BASE/run.XXXXXX.d/   the run's files
 *
 * Every process a run starts carries NAME=BASE/run.XXXXXX.d in its
 * environment (NAME chosen by the command), so the next run can find and
 * kill what a killed run left running.
 */
#ifndef ALIASCTL_RUNDIR_H
#define ALIASCTL_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The base directory of @tool's runs: @opt if given, else, when @runtime
 * and $XDG_RUNTIME_DIR is a directory of ours, $XDG_RUNTIME_DIR/aliasctl-
 * TOOL (a tmpfs: small, fast, gone at logout), else
 * $TMPDIR/aliasctl-TOOL-UID when TMPDIR is an absolute path, else
 * /var/tmp/aliasctl-TOOL-UID (a disk: room for whole systems). Created
 * with mode 0700; it must be a directory owned by us, not a symlink, not
 * writable by others. Returns 0 and *ret_base (absolute; free()), or
 * -errno with *ret_why (free(); may be NULL).
 */
int rundir_base(const char *tool, const char *opt, bool runtime,
		char **ret_base, char **ret_why);

struct rundir {
	char *dir;  /* BASE/run.XXXXXX.d: the run's files */
	char *lock; /* BASE/run.XXXXXX: held while the run lives */
	int lock_fd;
	pid_t guard_pid; /* rundir_guard()'s process, if started */
	int guard_fd;	 /* its pipe: -1 if none */
};

/* Create and lock a run directory (mode 0700) under @base. Returns 0 and
 * *ret_rd, or -errno. */
int rundir_create(const char *base, struct rundir **ret_rd);

/*
 * Start a guard: a process outside the run's namespaces (start it before
 * entering them) and out of its process group, holding its lock, that
 * waits for the run to end. If the run dies without rundir_remove()
 * (SIGKILL), the guard cleans it at once, as rundir_clean_stale() would:
 * kills the processes marked with @env_name, waits for them to end,
 * unmounts, removes the files and the lock. Its messages go to stderr,
 * prefixed with @who. rundir_remove() ends it; the caller must spare
 * rd->guard_pid when it ends its children. Returns 0 or -errno.
 */
int rundir_guard(struct rundir *rd, const char *env_name, const char *who);

/* Remove the run directory and the lock, without crossing into mounts
 * (unmount first). Returns 0 or the first -errno; the lock goes only if
 * the directory went. Ends the guard, if any (what is left is for the
 * next run). Accepts NULL. Frees @rd either way. */
int rundir_remove(struct rundir *rd);

/*
 * Clean what runs that are no longer alive left under @base: kill the
 * processes whose environment holds @env_name=THEIR-DIR, unmount their
 * mounts (lazily), remove their directories and locks. Messages for what
 * could not be cleaned go to stderr, prefixed with @who ("aliasctl run").
 * Returns the number of dead runs cleaned, or -errno.
 */
int rundir_clean_stale(const char *base, const char *env_name, const char *who);

/* Mount points at or under @dir in /proc/self/mountinfo, deepest first.
 * Returns 0 with the list (free each and the array), or -errno. */
int rundir_mounts_under(const char *dir, char ***ret_list, size_t *ret_n);

/* Is @path a mount point in /proc/self/mountinfo? Asks the kernel's
 * table, never the file system (a view whose daemon hangs or ended
 * answers nothing). */
bool rundir_is_mounted(const char *path);

/*
 * Unmount @path lazily: umount2(MNT_DETACH) when allowed, else
 * fusermount3 -u -z. @fusermount_first: a mount fusermount3 made, which
 * it also records (utab): fusermount3 first, even for root. Returns 0 or
 * -errno (-EINVAL: not a mount point).
 */
int rundir_unmount_lazy(const char *path, bool fusermount_first);

#endif /* ALIASCTL_RUNDIR_H */
