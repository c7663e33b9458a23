/* Run directories: the base, a locked directory per run, stale cleanup. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aliasctl/rundir.h"
#include "aliasctl/rmtree.h"

#define RD_PREFIX "run."
#define RD_NEW_PREFIX ".new."

static char *rd_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *rd_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* A directory of ours, not a symlink, not writable by others. */
static int rd_check_dir(const char *path, char **ret_why)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		int e = errno;

		*ret_why = rd_printf("%s: %s", path, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 0022)) {
		*ret_why = rd_printf("%s is not a directory of uid %u writable "
				     "by it alone",
				     path, (unsigned)getuid());
		return -EPERM;
	}
	return 0;
}

int rundir_base(const char *tool, const char *opt, bool runtime,
		char **ret_base, char **ret_why)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	const char *tmpdir = getenv("TMPDIR");
	struct stat st;
	char *base, *abs;
	int r;

	*ret_why = NULL;
	if (opt)
		base = strdup(opt);
	else if (runtime && xdg && xdg[0] == '/' && stat(xdg, &st) == 0 &&
		 S_ISDIR(st.st_mode) && st.st_uid == getuid())
		base = rd_printf("%s/aliasctl-%s", xdg, tool);
	else
		base = rd_printf("%s/aliasctl-%s-%u",
				 tmpdir && tmpdir[0] == '/' ? tmpdir
							    : "/var/tmp",
				 tool, (unsigned)getuid());
	if (!base)
		return -ENOMEM;
	if (mkdir(base, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		*ret_why =
			rd_printf("cannot create %s: %s", base, strerror(-r));
		free(base);
		return r;
	}
	r = rd_check_dir(base, ret_why);
	if (r < 0) {
		free(base);
		return r;
	}
	/* Absolute: mount points and dpkg's --root must be. */
	abs = realpath(base, NULL);
	r = abs ? 0 : -errno;
	if (r < 0)
		*ret_why = rd_printf("%s: %s", base, strerror(-r));
	free(base);
	if (r < 0)
		return r;
	*ret_base = abs;
	return 0;
}

/* fusermount3 ARGS... to the end; its output to /dev/null. Returns its
 * exit status, or -errno. */
static int rd_fusermount(char *const argv[])
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int rundir_unmount_lazy(const char *path, bool fusermount_first)
{
	char *argv[] = {"fusermount3", "-u", "-z", "-q", (char *)path, NULL};
	int rc;

	if (fusermount_first && rd_fusermount(argv) == 0)
		return 0;
	if (umount2(path, MNT_DETACH) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOENT)
		return -errno;
	rc = rd_fusermount(argv);
	if (rc < 0)
		return rc;
	return rc == 0 ? 0 : -EBUSY;
}

#define RD_PATH_MAX 4096

/* Field 5 of a mountinfo line, its octal escapes decoded, into @mp. */
static bool rd_mountinfo_point(const char *line, char mp[RD_PATH_MAX])
{
	const char *in;
	char *out;

	if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
		return false;
	for (in = mp, out = mp; *in; in++, out++) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] &&
		    in[3]) {
			*out = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 +
				      (in[3] - '0'));
			in += 3;
		} else {
			*out = *in;
		}
	}
	*out = '\0';
	return true;
}

int rundir_mounts_under(const char *dir, char ***ret_list, size_t *ret_n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t dlen = strlen(dir), n = 0, cap = 0;
	char **list = NULL, *line = NULL, mp[RD_PATH_MAX];
	int r = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char **nl;

		if (!rd_mountinfo_point(line, mp) ||
		    strncmp(mp, dir, dlen) != 0 ||
		    (mp[dlen] != '/' && mp[dlen] != '\0'))
			continue;
		nl = realloc(list, (n + 1) * sizeof(*nl));
		if (!nl || !(nl[n] = strdup(mp))) {
			list = nl ? nl : list;
			r = -ENOMEM;
			break;
		}
		list = nl;
		n++;
	}
	free(line);
	fclose(f);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(list[i]);
		free(list);
		return r;
	}
	/* Deeper (longer) first, so nested mounts go before their
	 * parents. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i;
		     j > 0 && strlen(list[j]) > strlen(list[j - 1]); j--) {
			char *t = list[j];

			list[j] = list[j - 1];
			list[j - 1] = t;
		}
	*ret_list = list;
	*ret_n = n;
	return 0;
}

bool rundir_is_mounted(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, mp[RD_PATH_MAX];
	size_t cap = 0;
	bool found = false;

	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0)
		found = rd_mountinfo_point(line, mp) && strcmp(mp, path) == 0;
	free(line);
	fclose(f);
	return found;
}

/* Does the environment of process @pid hold @marker (NAME=VALUE)? */
static bool rd_environ_has(pid_t pid, const char *marker)
{
	size_t mlen = strlen(marker) + 1; /* with the NUL that ends it */
	size_t len = 0, cap = 0;
	char path[64], *env = NULL;
	bool found = false;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		char *ne;

		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			if (cap > 4 * 1024 * 1024)
				break;
			ne = realloc(env, cap);
			if (!ne)
				break;
			env = ne;
		}
		n = read(fd, env + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	for (size_t i = 0; env && i + mlen <= len;) {
		if (memcmp(env + i, marker, mlen) == 0) {
			found = true;
			break;
		}
		i += strnlen(env + i, len - i) + 1;
	}
	free(env);
	return found;
}

/* Kill what a dead run left running: every process of ours whose
 * environment names the run's directory (a daemon, what the command left
 * behind). Not by process group: a dead run's group id may belong to
 * someone else by now. Returns how many were found. */
static int rd_kill_leftovers(const char *env_name, const char *dir)
{
	char *marker = rd_printf("%s=%s", env_name, dir);
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (!marker)
		return 0;
	d = opendir("/proc");
	if (!d) {
		free(marker);
		return 0;
	}
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid > 1 && pid != getpid() && rd_environ_has(pid, marker)) {
			kill(pid, SIGKILL);
			n++;
		}
	}
	closedir(d);
	free(marker);
	return n;
}

/* Kill, unmount, remove and unlock the dead run whose lock is @lock
 * (held by us) and whose files are in @dir. */
static int rd_clean_paths(const char *lock, const char *dir,
			  const char *env_name, const char *who)
{
	char **mounts = NULL;
	size_t n_mounts = 0;
	struct timespec tick = {0, 20 * 1000 * 1000};
	int r = 0;

	/* Until none is left (SIGKILL lands asynchronously), for up to
	 * 10 s: then its mounts are no longer in use. */
	for (int i = 0; i < 500 && rd_kill_leftovers(env_name, dir) > 0; i++)
		nanosleep(&tick, NULL);
	if (rundir_mounts_under(dir, &mounts, &n_mounts) == 0) {
		for (size_t i = 0; i < n_mounts; i++) {
			int u = rundir_unmount_lazy(mounts[i], true);

			if (u < 0) {
				fprintf(stderr,
					"%s: cannot unmount %s, left by a dead "
					"run: %s\n",
					who, mounts[i], strerror(-u));
				r = u;
			}
			free(mounts[i]);
		}
		free(mounts);
	}
	if (r == 0) {
		r = aliasctl_rmtree(dir);
		if (r < 0 && r != -ENOENT)
			fprintf(stderr,
				"%s: cannot remove %s, left by a dead run: "
				"%s\n",
				who, dir, strerror(-r));
		else
			r = 0;
	}
	if (r == 0)
		unlink(lock);
	return r;
}

/* The dead run whose lock is BASE/@name. */
static int rd_clean_one(const char *base, const char *name,
			const char *env_name, const char *who)
{
	char *lock = rd_printf("%s/%s", base, name);
	char *dir = rd_printf("%s/%s.d", base, name);
	int r = -ENOMEM;

	if (lock && dir)
		r = rd_clean_paths(lock, dir, env_name, who);
	free(lock);
	free(dir);
	return r;
}

int rundir_clean_stale(const char *base, const char *env_name, const char *who)
{
	DIR *d = opendir(base);
	struct dirent *e;
	int cleaned = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		size_t len = strlen(name);
		struct stat st;
		int fd;

		if (strncmp(name, RD_NEW_PREFIX, strlen(RD_NEW_PREFIX)) == 0) {
			/* A lock being made (renamed into place within
			 * microseconds); one older than an hour is a dead
			 * run's. */
			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) ==
				    0 &&
			    st.st_mtime < time(NULL) - 3600)
				unlinkat(dirfd(d), name, 0);
			continue;
		}
		if (strncmp(name, RD_PREFIX, strlen(RD_PREFIX)) != 0)
			continue;
		if (len > 2 && strcmp(name + len - 2, ".d") == 0) {
			/* A run directory without its lock: its run died
			 * while removing it. Take a lock of that name to
			 * clean it, as for any dead run. */
			char lockname[256];

			if (len - 2 >= sizeof(lockname))
				continue;
			memcpy(lockname, name, len - 2);
			lockname[len - 2] = '\0';
			fd = openat(dirfd(d), lockname,
				    O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC,
				    0600);
			if (fd >= 0) {
				if (flock(fd, LOCK_EX | LOCK_NB) == 0 &&
				    rd_clean_one(base, lockname, env_name,
						 who) == 0)
					cleaned++;
				close(fd);
			}
			continue;
		}
		fd = openat(dirfd(d), name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* Nobody holds it: its run is dead. */
			if (rd_clean_one(base, name, env_name, who) == 0)
				cleaned++;
		}
		close(fd);
	}
	closedir(d);
	return cleaned;
}

/* The guard process: waits for the run to say it is done, or to die
 * (end of file), and cleans after a dead one. */
static void rd_guard_body(struct rundir *rd, int fd, const char *env_name,
			  const char *who)
{
	char c = 0;
	ssize_t n;
	int null;

	/* Out of the terminal's reach and the run's process group: a ^C
	 * or a hangup ends the run, not its cleaner. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(0);
	/* We hold the run's lock (the same open file), so no other run
	 * cleans it at the same time. */
	_exit(rd_clean_paths(rd->lock, rd->dir, env_name, who) < 0);
}

int rundir_guard(struct rundir *rd, const char *env_name, const char *who)
{
	int pipefd[2];
	pid_t pid;

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
		close(pipefd[1]);
		rd_guard_body(rd, pipefd[0], env_name, who);
	}
	close(pipefd[0]);
	rd->guard_pid = pid;
	rd->guard_fd = pipefd[1];
	return 0;
}

/* Tell the guard the run cleaned after itself, and wait for it to end. */
static void rd_guard_done(struct rundir *rd)
{
	char c = 'd';

	if (rd->guard_fd < 0)
		return;
	if (write(rd->guard_fd, &c, 1) < 0) {
		/* It is gone already: nothing to tell. */
	}
	close(rd->guard_fd);
	rd->guard_fd = -1;
	while (waitpid(rd->guard_pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int rundir_create(const char *base, struct rundir **ret_rd)
{
	struct rundir *rd = calloc(1, sizeof(*rd));
	const char *suffix;
	char *tmp;
	int r;

	if (!rd)
		return -ENOMEM;
	rd->lock_fd = -1;
	rd->guard_fd = -1;
	/* Made under a name the cleaner skips, locked, then renamed into
	 * place: the cleaner never sees an unlocked lock of a live run. */
	tmp = rd_printf("%s/" RD_NEW_PREFIX "XXXXXX", base);
	if (!tmp) {
		free(rd);
		return -ENOMEM;
	}
	rd->lock_fd = mkostemp(tmp, O_CLOEXEC);
	if (rd->lock_fd < 0) {
		r = -errno;
		goto fail;
	}
	if (flock(rd->lock_fd, LOCK_EX) < 0) {
		r = -errno;
		unlink(tmp);
		goto fail;
	}
	suffix = tmp + strlen(base) + 1 + strlen(RD_NEW_PREFIX);
	rd->lock = rd_printf("%s/" RD_PREFIX "%s", base, suffix);
	rd->dir = rd->lock ? rd_printf("%s.d", rd->lock) : NULL;
	if (!rd->dir) {
		r = -ENOMEM;
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, rd->lock) < 0) {
		r = -errno;
		unlink(tmp);
		goto fail;
	}
	if (mkdir(rd->dir, 0700) < 0) {
		r = -errno;
		unlink(rd->lock);
		goto fail;
	}
	free(tmp);
	*ret_rd = rd;
	return 0;
fail:
	free(tmp);
	if (rd->lock_fd >= 0)
		close(rd->lock_fd);
	free(rd->lock);
	free(rd->dir);
	free(rd);
	return r;
}

int rundir_remove(struct rundir *rd)
{
	int r = 0;

	if (!rd)
		return 0;
	if (rd->dir) {
		r = aliasctl_rmtree(rd->dir);
		if (r == -ENOENT)
			r = 0;
	}
	/* A directory left behind is cleaned by the next run, which needs
	 * the lock gone to know this run is dead: closing it is enough. */
	if (r == 0 && rd->lock)
		unlink(rd->lock);
	rd_guard_done(rd);
	if (rd->lock_fd >= 0)
		close(rd->lock_fd);
	free(rd->lock);
	free(rd->dir);
	free(rd);
	return r;
}
