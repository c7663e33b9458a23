/* aliasctl run: starting the daemon and the command, ending leftovers. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aliasctl/run-proc.h"

/* What a child that failed before its exec tells the parent. */
struct run_proc_failure {
	int step; /* index into run_proc_steps */
	int err;
};

static const char *const run_proc_steps[] = {"setup", "chroot", "chdir",
					     "exec"};

static void run_proc_fail(int fd, int step, int err)
{
	struct run_proc_failure f = {step, err};

	if (write(fd, &f, sizeof(f)) < 0) {
		/* The parent then sees end of file and a status of 127. */
	}
	_exit(127);
}

/*
 * In the child: die with the parent, which may already be gone, and
 * start from an empty signal mask (the runner blocks the signals it
 * reads from a signalfd; the dispositions are left as inherited, so a
 * signal the runner's caller ignored stays ignored).
 */
static void run_proc_child_common(pid_t parent, int fd)
{
	sigset_t none;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		run_proc_fail(fd, 0, errno);
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Fork; in the child run @body(@arg, pipe fd). Returns 0 and *ret_pid, or
 * -errno with *ret_step when the child failed before its exec. */
static int run_proc_fork(void (*body)(const void *arg, pid_t parent, int fd),
			 const void *arg, pid_t *ret_pid, const char **ret_step)
{
	struct run_proc_failure f;
	pid_t parent = getpid(), pid;
	int pipefd[2];
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return -e;
	}
	if (pid == 0) {
		close(pipefd[0]);
		body(arg, parent, pipefd[1]);
		_exit(127);
	}
	close(pipefd[1]);
	do
		n = read(pipefd[0], &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == (ssize_t)sizeof(f)) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (ret_step)
			*ret_step = f.step >= 0 && f.step < 4
					    ? run_proc_steps[f.step]
					    : "setup";
		return -(f.err ? f.err : ENOEXEC);
	}
	*ret_pid = pid;
	return 0;
}

static void run_proc_daemon_body(const void *arg, pid_t parent, int fd)
{
	char *const *argv = arg;
	int null;

	/* A session of its own: a ^C or a hangup of the terminal goes to
	 * the command, which decides; the daemon must serve it until the
	 * runner unmounts. */
	if (setsid() < 0)
		run_proc_fail(fd, 0, errno);
	run_proc_child_common(parent, fd);
	null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0)
		run_proc_fail(fd, 0, errno);
	if (null > 2)
		close(null);
	execv(argv[0], argv);
	run_proc_fail(fd, 3, errno);
}

int run_proc_spawn_daemon(char *const *argv, pid_t *ret_pid)
{
	return run_proc_fork(run_proc_daemon_body, argv, ret_pid, NULL);
}

static void run_proc_cmd_body(const void *arg, pid_t parent, int fd)
{
	const struct run_proc_cmd *c = arg;

	run_proc_child_common(parent, fd);
	if (c->chroot) {
		if (chroot(c->dir) < 0)
			run_proc_fail(fd, 1, errno);
		if (chdir("/") < 0)
			run_proc_fail(fd, 2, errno);
	} else if (chdir(c->dir) < 0) {
		run_proc_fail(fd, 2, errno);
	}
	execvp(c->argv[0], c->argv);
	run_proc_fail(fd, 3, errno);
}

int run_proc_spawn_cmd(const struct run_proc_cmd *c, pid_t *ret_pid,
		       const char **ret_step)
{
	return run_proc_fork(run_proc_cmd_body, c, ret_pid, ret_step);
}

int run_proc_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ? -errno : 0;
}

/* The parent of process @pid, from /proc/PID/stat; -1 if unknown. */
static pid_t run_proc_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "PID (COMM) STATE PPID ...": COMM may hold ')' itself. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* Is @pid one of the @n in @list? */
static bool run_proc_in(pid_t pid, const pid_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == pid)
			return true;
	return false;
}

/* Send @sig to our children listed in /proc/self/task/PID/children (a
 * kernel with CONFIG_PROC_CHILDREN: no scan of every process). Returns
 * how many, or -errno (-ENOENT: no such file). */
static int run_proc_signal_listed(const pid_t *except, size_t n_except, int sig)
{
	char path[64];
	int n = 0, pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children",
		 (int)getpid());
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%d", &pid) == 1)
		if (pid > 0 && !run_proc_in(pid, except, n_except) &&
		    kill(pid, sig) == 0)
			n++;
	fclose(f);
	return n;
}

int run_proc_signal_children(const pid_t *except, size_t n_except, int sig)
{
	pid_t self = getpid();
	struct dirent *e;
	int n = 0;
	DIR *d;

	n = run_proc_signal_listed(except, n_except, sig);
	if (n != -ENOENT)
		return n;
	n = 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || run_proc_in(pid, except, n_except) ||
		    run_proc_ppid(pid) != self)
			continue;
		if (kill(pid, sig) == 0)
			n++;
	}
	closedir(d);
	return n;
}

char *run_proc_find(const char *name, const char *fallback)
{
	const char *path = getenv("PATH"), *p, *end;
	char *cand;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	for (p = path ? path : ""; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p)
			continue;
		if (asprintf(&cand, "%.*s/%s", (int)(end - p), p, name) < 0)
			return NULL;
		if (access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	if (fallback && access(fallback, X_OK) == 0)
		return strdup(fallback);
	return NULL;
}
