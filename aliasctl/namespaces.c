/* Private mount namespaces, user namespaces, and the FUSE probe. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aliasctl/namespaces.h"

static int ns_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;
	size_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		r = -errno;
	close(fd);
	return r;
}

static int ns_why(char **ret_why, const char *step, int r)
{
	if (asprintf(ret_why, "%s: %s", step, strerror(-r)) < 0)
		*ret_why = NULL;
	return r;
}

/* Mounts made from here on stay in this namespace, and the host's do not
 * come in either. */
static int ns_private_mounts(void)
{
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? -errno
								     : 0;
}

int ns_enter_user_steps(const char **ret_step)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];
	int r;

	*ret_step = "unshare(CLONE_NEWUSER | CLONE_NEWNS)";
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -errno;
	*ret_step = "writing /proc/self/setgroups";
	r = ns_write_file("/proc/self/setgroups", "deny");
	if (r < 0 && r != -ENOENT)
		return r;
	*ret_step = "writing /proc/self/uid_map";
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	r = ns_write_file("/proc/self/uid_map", map);
	if (r < 0)
		return r;
	*ret_step = "writing /proc/self/gid_map";
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	r = ns_write_file("/proc/self/gid_map", map);
	if (r < 0)
		return r;
	*ret_step = "making the mounts private";
	return ns_private_mounts();
}

int ns_enter_user(char **ret_why)
{
	const char *step;
	int r;

	*ret_why = NULL;
	r = ns_enter_user_steps(&step);
	return r < 0 ? ns_why(ret_why, step, r) : 0;
}

int ns_enter_mount(char **ret_why)
{
	int r;

	*ret_why = NULL;
	if (unshare(CLONE_NEWNS) < 0)
		return ns_why(ret_why, "unshare(CLONE_NEWNS)", -errno);
	r = ns_private_mounts();
	return r < 0 ? ns_why(ret_why, "making the mounts private", r) : 0;
}

/* The probe's child: exits 0 if FUSE mounts, else writes why to @fd. */
static void ns_probe_child(const char *dir, int fd)
{
	const char *step;
	char opts[128];
	int r, fuse = -1;

	r = ns_enter_user_steps(&step);
	if (r == 0) {
		step = "opening /dev/fuse";
		fuse = open("/dev/fuse", O_RDWR | O_CLOEXEC);
		r = fuse < 0 ? -errno : 0;
	}
	if (r == 0) {
		step = "mounting FUSE";
		snprintf(opts, sizeof(opts),
			 "fd=%d,rootmode=40000,user_id=0,group_id=0", fuse);
		if (mount("aliasctl-probe", dir, "fuse", MS_NOSUID | MS_NODEV,
			  opts) < 0)
			r = -errno;
		else
			umount2(dir, MNT_DETACH);
	}
	if (r < 0) {
		dprintf(fd, "%s: %s", step, strerror(-r));
		_exit(1);
	}
	_exit(0);
}

int ns_probe_user_fuse(char **ret_why)
{
	char dir[] = "/tmp/aliasctl-probe.XXXXXX";
	char msg[512] = "";
	int pipefd[2], status = 0, e;
	ssize_t n;
	pid_t pid;

	*ret_why = NULL;
	if (!mkdtemp(dir))
		return ns_why(ret_why, "creating a probe directory in /tmp",
			      -errno);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		e = errno;
		rmdir(dir);
		return -e;
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		rmdir(dir);
		return -e;
	}
	if (pid == 0) {
		close(pipefd[0]);
		ns_probe_child(dir, pipefd[1]);
	}
	close(pipefd[1]);
	do
		n = read(pipefd[0], msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
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
