/* Child processes with timeouts, process groups and an abort switch. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aliasctl/orderings-proc.h"

extern char **environ;

static int proc_abort_efd = -1;
static atomic_bool proc_abort_flag;

/* Live children, so an abort can reach them. Small: one per worker. */
#define PROC_MAX_LIVE 1024
static pthread_mutex_t proc_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t proc_live[PROC_MAX_LIVE];

int ord_proc_abort_init(void)
{
	if (proc_abort_efd >= 0)
		return 0;
	proc_abort_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return proc_abort_efd < 0 ? -errno : 0;
}

void ord_proc_abort(void)
{
	uint64_t one = 1;

	atomic_store(&proc_abort_flag, true);
	if (proc_abort_efd >= 0 &&
	    write(proc_abort_efd, &one, sizeof(one)) < 0) {
		/* Already signalled to the limit: readable anyway. */
	}
}

bool ord_proc_aborted(void)
{
	return atomic_load(&proc_abort_flag);
}

int ord_proc_abort_fd(void)
{
	return proc_abort_efd;
}

static void proc_register(pid_t pid, bool add)
{
	pthread_mutex_lock(&proc_lock);
	for (size_t i = 0; i < PROC_MAX_LIVE; i++) {
		if (add && proc_live[i] == 0) {
			proc_live[i] = pid;
			break;
		}
		if (!add && proc_live[i] == pid) {
			proc_live[i] = 0;
			break;
		}
	}
	pthread_mutex_unlock(&proc_lock);
}

void ord_proc_signal_all(int sig)
{
	pthread_mutex_lock(&proc_lock);
	for (size_t i = 0; i < PROC_MAX_LIVE; i++)
		if (proc_live[i] > 0)
			kill(-proc_live[i], sig);
	pthread_mutex_unlock(&proc_lock);
}

/*
 * In the child, between vfork and exec: system calls only, on memory
 * shared with the parent (which waits): the exec error goes to
 * *@ret_err, nothing else is written.
 */
static void proc_child(const struct ord_proc_opts *o, pid_t parent,
		       volatile int *ret_err)
{
	sigset_t none;
	int null;

	setpgid(0, 0);
	if (o->deathsig)
		prctl(PR_SET_PDEATHSIG, o->deathsig);
	/* The parent may have died before the line above. */
	if (getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	null = open("/dev/null", O_RDWR);
	if (null >= 0)
		dup2(null, 0);
	dup2(o->out_fd >= 0 ? o->out_fd : null, 1);
	dup2(o->out_fd >= 0 ? o->out_fd : null, 2);
	if (o->envp)
		execvpe(o->argv[0], o->argv, o->envp);
	else
		execvp(o->argv[0], o->argv);
	*ret_err = errno ? errno : ENOEXEC;
	_exit(127);
}

int ord_proc_spawn(const struct ord_proc_opts *o, pid_t *ret_pid)
{
	pid_t parent = getpid(), pid;
	volatile int err = 0;

	/* vfork: no copy of the parent's page tables (fork of this
	 * threaded, mapping-rich process was a noticeable share of a run);
	 * the parent resumes once the child has exec'd or died. */
	pid = vfork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		proc_child(o, parent, &err);
	if (err) {
		waitpid(pid, NULL, 0);
		return -err;
	}
	/* Also here, so a kill of the group cannot race the child's own
	 * setpgid. */
	setpgid(pid, pid);
	proc_register(pid, true);
	*ret_pid = pid;
	return 0;
}

static int proc_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static long proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int ord_proc_wait(pid_t pid, int timeout_ms, int *ret_status)
{
	long deadline = timeout_ms >= 0 ? proc_now_ms() + timeout_ms : -1;
	int pfd = proc_pidfd(pid), status;
	pid_t w;

	for (;;) {
		struct pollfd fds[2];
		long left;
		int wait_ms;

		siginfo_t info;

		/* Look without reaping: while the leader is a zombie its
		 * group id cannot be reused, so what it left in its group
		 * (a daemon a maintainer script started) can be killed
		 * safely first. */
		info.si_pid = 0;
		w = waitid(P_PID, (id_t)pid, &info,
			   WEXITED | WNOHANG | WNOWAIT) < 0
			    ? -1
			    : info.si_pid;
		if (w == pid) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			if (pfd >= 0)
				close(pfd);
			proc_register(pid, false);
			*ret_status = status;
			return 0;
		}
		if (w < 0 && errno != EINTR) {
			int e = errno;

			if (pfd >= 0)
				close(pfd);
			return -e;
		}
		if (ord_proc_aborted()) {
			if (pfd >= 0)
				close(pfd);
			return -ECANCELED;
		}
		left = deadline < 0 ? -1 : deadline - proc_now_ms();
		if (deadline >= 0 && left <= 0) {
			if (pfd >= 0)
				close(pfd);
			return -ETIMEDOUT;
		}
		/* Without a pidfd, look again every 10 ms. */
		wait_ms =
			pfd < 0 ? 10
				: (left < 0 || left > 1000 ? 1000 : (int)left);
		if (pfd < 0 && left >= 0 && left < wait_ms)
			wait_ms = (int)left;
		fds[0].fd = pfd;
		fds[0].events = POLLIN;
		fds[1].fd = proc_abort_efd;
		fds[1].events = POLLIN;
		poll(fds, 2, wait_ms);
	}
}

void ord_proc_kill(pid_t pid)
{
	int status;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	proc_register(pid, false);
}

int ord_proc_run(const struct ord_proc_opts *o, int timeout_ms, int *ret_rc)
{
	pid_t pid;
	int r, status;

	r = ord_proc_spawn(o, &pid);
	if (r < 0)
		return r;
	r = ord_proc_wait(pid, timeout_ms, &status);
	if (r < 0) {
		ord_proc_kill(pid);
		return r;
	}
	if (WIFEXITED(status))
		*ret_rc = WEXITSTATUS(status);
	else
		*ret_rc = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return 0;
}

bool ord_proc_have(const char *program)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(program, '/'))
		return access(program, X_OK) == 0;
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t len = colon ? (size_t)(colon - path) : strlen(path);

		if (len > 0 && len + strlen(program) + 2 < sizeof(buf)) {
			memcpy(buf, path, len);
			buf[len] = '/';
			strcpy(buf + len + 1, program);
			if (access(buf, X_OK) == 0)
				return true;
		}
		path += len;
		if (*path == ':')
			path++;
	}
	return false;
}

int ord_proc_output(int fd, size_t max, char **ret_text)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf;

	if (size < 0)
		size = 0;
	if ((uint64_t)size > max)
		size = (off_t)max;
	buf = malloc((size_t)size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	if (size > 0 && pread(fd, buf, (size_t)size, 0) != size)
		size = 0;
	buf[size] = '\0';
	close(fd);
	*ret_text = buf;
	return 0;
}
