/*
 * mount.aliasfs: entering mount(8)'s namespace and running the daemon.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-helper/run.h"

int mh_enter_namespace(const char *ns)
{
	char path[64];
	int fd, r;

	if (ns[0] && strspn(ns, "0123456789") == strlen(ns)) {
		if ((size_t)snprintf(path, sizeof(path), "/proc/%s/ns/mnt",
				     ns) >= sizeof(path))
			return -EINVAL;
		ns = path;
	}
	fd = open(ns, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = setns(fd, CLONE_NEWNS) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int mh_run(char *const argv[], int *ret_status)
{
	int pipefd[2], status, err = 0;
	ssize_t n;
	pid_t pid;

	/* The child reports a failed execv through this pipe; a successful
	 * one closes it (O_CLOEXEC), so the parent reads end-of-file. */
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return -err;
	}
	if (pid == 0) {
		close(pipefd[0]);
		execv(argv[0], argv);
		err = errno;
		if (write(pipefd[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	do
		n = read(pipefd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (n == (ssize_t)sizeof(err))
		return -err;
	*ret_status = status;
	return 0;
}
