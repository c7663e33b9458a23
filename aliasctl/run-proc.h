/*
 * aliasctl run: the processes of a sandbox. The daemon and the command
 * are children of the runner that die with it (PR_SET_PDEATHSIG), so a
 * runner killed with SIGKILL leaves neither; the runner is their
 * subreaper, so whatever the command leaves running comes back to it to
 * be ended.
 */
#ifndef ALIASCTL_RUN_PROC_H
#define ALIASCTL_RUN_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* Where the command starts. */
struct run_proc_cmd {
	char *const *argv; /* argv[0] looked up in PATH (inside a chroot) */
	const char *dir;   /* the working directory, or the new root */
	bool chroot;	   /* chroot into @dir, start at its / */
};

/*
 * Start the daemon: @argv[0] is run as given (a path); in a session of
 * its own (no terminal signal reaches it), stdin /dev/null, stdout to
 * our stderr, killed with SIGKILL when the runner dies. Returns 0 and
 * *ret_pid, or -errno (also when exec fails).
 */
int run_proc_spawn_daemon(char *const *argv, pid_t *ret_pid);

/*
 * Start the command: in our process group (the terminal's foreground,
 * if we are), with our stdin, stdout and stderr, the signal mask
 * emptied, killed with SIGKILL when the runner dies. Returns 0 and
 * *ret_pid, or -errno with *ret_step ("chroot", "chdir", "exec") when
 * the child could not get as far as running the command.
 */
int run_proc_spawn_cmd(const struct run_proc_cmd *c, pid_t *ret_pid,
		       const char **ret_step);

/* Become the subreaper of every descendant. Returns 0 or -errno. */
int run_proc_subreaper(void);

/* Our children other than the @n_except in @except, from /proc (a
 * subreaper's children include the orphans it inherited). Returns how
 * many were sent @sig, or -errno. */
int run_proc_signal_children(const pid_t *except, size_t n_except, int sig);

/* Look up @name: in PATH if it has no '/', then @fallback if not NULL.
 * Returns a path to free() or NULL. */
char *run_proc_find(const char *name, const char *fallback);

#endif /* ALIASCTL_RUN_PROC_H */
