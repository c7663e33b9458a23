/*
 * aliasctl orderings: child processes (dpkg, cp, the daemon). Each child
 * gets its own process group, dies with the thread that started it
 * (PR_SET_PDEATHSIG, so a killed aliasctl leaves no dpkg or daemon), and
 * is waited for with a timeout that also ends when the run is aborted.
 */
#ifndef ALIASCTL_ORDERINGS_PROC_H
#define ALIASCTL_ORDERINGS_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct ord_proc_opts {
	char *const *argv; /* argv[0] is looked up in PATH */
	char *const *envp; /* NULL: this process's environment */
	int out_fd;	   /* stdout and stderr; -1: /dev/null */
	int deathsig;	   /* sent when the starting thread dies */
};

/*
 * The abort switch every wait listens to: an eventfd, made readable once
 * by ord_proc_abort() (from a signal-handling thread). Create it once,
 * before any thread. Returns 0 or -errno.
 */
int ord_proc_abort_init(void);
void ord_proc_abort(void);
bool ord_proc_aborted(void);
/* The eventfd, to poll beside other things. */
int ord_proc_abort_fd(void);

/* Start a child as @o says. Returns 0 and *ret_pid, or -errno (also when
 * the program cannot be executed: the child reports it). */
int ord_proc_spawn(const struct ord_proc_opts *o, pid_t *ret_pid);

/*
 * Wait for @pid for up to @timeout_ms (< 0: no limit). Returns 0 and the
 * wait status in *ret_status, -ETIMEDOUT, or -ECANCELED when the run was
 * aborted; the child then still runs.
 */
int ord_proc_wait(pid_t pid, int timeout_ms, int *ret_status);

/* Kill @pid's process group with SIGKILL and reap @pid. */
void ord_proc_kill(pid_t pid);

/*
 * Run to the end: spawn, wait up to @timeout_ms, on timeout or abort kill
 * the group. Returns 0 with *ret_rc (exit status; 128+N for a signal N),
 * -ETIMEDOUT or -ECANCELED (the child killed), or -errno.
 */
int ord_proc_run(const struct ord_proc_opts *o, int timeout_ms, int *ret_rc);

/* What a child wrote into @fd (a memfd given as its out_fd), at most @max
 * bytes, as a NUL-terminated string in *ret_text; unreadable output reads
 * as "". Closes @fd either way. Returns 0 or -ENOMEM. Every caller that
 * captures a command's output reads it back this way. */
int ord_proc_output(int fd, size_t max, char **ret_text);

/* Every process group started and not yet reaped, sent @sig (used to
 * unblock a run whose workers wait on a wedged child). */
void ord_proc_signal_all(int sig);

/* 'argv[0]' found in PATH (or as given with a '/')? */
bool ord_proc_have(const char *program);

#endif /* ALIASCTL_ORDERINGS_PROC_H */
