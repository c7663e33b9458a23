/* Privilege modes, the user-namespace probe, and mounting views. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aliasctl/namespaces.h"
#include "aliasctl/orderings-mount.h"
#include "aliasctl/orderings-proc.h"
#include "aliasctl/orderings-workdir.h"

static const char *const mount_modes[] = {
	[ORD_MODE_AUTO] = "auto",
	[ORD_MODE_ROOT] = "root",
	[ORD_MODE_USERNS] = "userns",
	[ORD_MODE_FAKEROOT] = "fakeroot",
};

const char *ord_mode_name(enum ord_mode m)
{
	return m <= ORD_MODE_FAKEROOT ? mount_modes[m] : "?";
}

int ord_mode_parse(const char *s, enum ord_mode *ret)
{
	for (size_t i = 0; i <= ORD_MODE_FAKEROOT; i++)
		if (strcmp(s, mount_modes[i]) == 0) {
			*ret = (enum ord_mode)i;
			return 0;
		}
	return -EINVAL;
}

int ord_mode_probe_userns(char **ret_why)
{
	char dir[] = "/tmp/aliasctl-probe.XXXXXX";
	int pipefd[2], status;
	char msg[512] = "";
	pid_t pid;
	ssize_t n;

	*ret_why = NULL;
	if (!mkdtemp(dir))
		return -errno;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		int e = errno;

		rmdir(dir);
		return -e;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(pipefd[0]);
		close(pipefd[1]);
		rmdir(dir);
		return -e;
	}
	if (pid == 0) {
		const char *step;
		char opts[128];
		int r, fd;

		close(pipefd[0]);
		r = ns_enter_user_steps(&step);
		if (r == 0) {
			step = "opening /dev/fuse";
			fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
			r = fd < 0 ? -errno : 0;
		}
		if (r == 0) {
			step = "mounting FUSE";
			snprintf(opts, sizeof(opts),
				 "fd=%d,rootmode=40000,user_id=0,group_id=0",
				 fd);
			if (mount("aliasctl-probe", dir, "fuse",
				  MS_NOSUID | MS_NODEV, opts) < 0)
				r = -errno;
			else
				umount2(dir, MNT_DETACH);
		}
		if (r < 0) {
			dprintf(pipefd[1], "%s: %s", step, strerror(-r));
			_exit(1);
		}
		_exit(0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], msg, sizeof(msg) - 1);
	close(pipefd[0]);
	msg[n > 0 ? n : 0] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rmdir(dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	*ret_why = strdup(msg[0] ? msg : "the probe failed");
	return -EPERM;
}

int ord_mode_enter(enum ord_mode m, char **ret_why)
{
	const char *step;
	int r;

	*ret_why = NULL;
	switch (m) {
	case ORD_MODE_ROOT:
		/* Best effort: without it the mounts are global, and the
		 * stale-run cleanup finds them. */
		if (unshare(CLONE_NEWNS) == 0)
			mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		return 0;
	case ORD_MODE_USERNS:
		r = ns_enter_user_steps(&step);
		if (r < 0 &&
		    asprintf(ret_why, "%s: %s", step, strerror(-r)) < 0)
			*ret_why = NULL;
		return r;
	default:
		return 0;
	}
}

bool ord_is_mountpoint(const char *path)
{
	struct stat a, b;
	char *parent;
	bool r = false;

	if (asprintf(&parent, "%s/..", path) < 0)
		return false;
	if (stat(path, &a) == 0 && stat(parent, &b) == 0)
		r = a.st_dev != b.st_dev;
	free(parent);
	return r;
}

/* The last line of the daemon's log, for a message. */
static char *mount_log_tail(const char *log)
{
	char buf[4096], *nl, *start;
	ssize_t n;
	off_t size;
	int fd = open(log, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	size = lseek(fd, 0, SEEK_END);
	if (size > (off_t)sizeof(buf) - 1)
		lseek(fd, size - (off_t)sizeof(buf) + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	nl = strrchr(buf, '\n');
	start = nl ? nl + 1 : buf;
	return *start ? strdup(start) : NULL;
}

static void mount_sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int ord_view_mount(enum ord_mode m, const char *backing, const char *mountpoint,
		   const char *log, struct ord_view *ret_view, char **ret_why)
{
	char *argv[] = {"aliasfs", "-f", (char *)backing, (char *)mountpoint,
			NULL};
	struct ord_proc_opts o = {.argv = argv, .deathsig = SIGTERM};
	long waited = 0, step = 1;
	siginfo_t info;
	pid_t pid;
	int fd, r;

	(void)m;
	*ret_why = NULL;
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	o.out_fd = fd;
	r = ord_proc_spawn(&o, &pid);
	close(fd);
	if (r < 0) {
		if (asprintf(ret_why, "cannot run aliasfs: %s", strerror(-r)) <
		    0)
			*ret_why = NULL;
		return r;
	}
	for (;;) {
		if (ord_is_mountpoint(mountpoint))
			break;
		info.si_pid = 0;
		if (waitid(P_PID, (id_t)pid, &info,
			   WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    info.si_pid == pid) {
			char *tail = mount_log_tail(log);
			int status;

			ord_proc_wait(pid, -1, &status);
			if (asprintf(ret_why, "aliasfs exited: %s",
				     tail ? tail : "(no message)") < 0)
				*ret_why = NULL;
			free(tail);
			return -EIO;
		}
		if (ord_proc_aborted() || waited > 30000) {
			bool aborted = ord_proc_aborted();

			ord_proc_kill(pid);
			ord_unmount_lazy(mountpoint);
			if (!aborted &&
			    asprintf(ret_why,
				     "the view did not appear on %s "
				     "within 30 s",
				     mountpoint) < 0)
				*ret_why = NULL;
			return aborted ? -ECANCELED : -ETIMEDOUT;
		}
		mount_sleep_ms(step);
		waited += step;
		if (step < 16)
			step *= 2;
	}
	ret_view->daemon = pid;
	ret_view->mountpoint = strdup(mountpoint);
	if (!ret_view->mountpoint) {
		ord_unmount_lazy(mountpoint);
		ord_proc_kill(pid);
		return -ENOMEM;
	}
	return 0;
}

static int mount_unmount_now(enum ord_mode m, const char *mp)
{
	if (m == ORD_MODE_FAKEROOT) {
		char *argv[] = {"fusermount3", "-u", "-q", (char *)mp, NULL};
		struct ord_proc_opts o = {.argv = argv, .out_fd = -1};
		int rc, r = ord_proc_run(&o, 30000, &rc);

		return r < 0 ? r : rc == 0 ? 0 : -EBUSY;
	}
	return umount2(mp, 0) < 0 ? -errno : 0;
}

int ord_view_unmount(enum ord_mode m, struct ord_view *view)
{
	int r = 0, status;

	if (!view->mountpoint)
		return 0;
	/* A plain unmount first: the kernel then lets the daemon finish
	 * every request; retried while something still holds the mount
	 * (a process dpkg left behind, going away). */
	for (int i = 0; i < 50; i++) {
		r = mount_unmount_now(m, view->mountpoint);
		if (r != -EBUSY || ord_proc_aborted())
			break;
		mount_sleep_ms(20);
	}
	if (r < 0 && r != -EINVAL && r != -ENOENT)
		ord_unmount_lazy(view->mountpoint);
	if (ord_proc_wait(view->daemon, 10000, &status) < 0) {
		kill(view->daemon, SIGTERM);
		if (ord_proc_wait(view->daemon, 5000, &status) < 0)
			ord_proc_kill(view->daemon);
		r = r < 0 ? r : -ETIMEDOUT;
	}
	if (r == -EINVAL)
		r = 0; /* the daemon unmounted already */
	free(view->mountpoint);
	view->mountpoint = NULL;
	view->daemon = 0;
	return r;
}
