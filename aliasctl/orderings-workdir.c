/* The runs' base directory, run directories with locks, stale cleanup. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aliasctl/orderings-proc.h"
#include "aliasctl/orderings-workdir.h"
#include "aliasctl/rmtree.h"

#define WD_PREFIX "run."
#define WD_NEW_PREFIX ".new."

/* A directory of ours, not a symlink, not writable by others. */
static int wd_check_dir(const char *path, char **ret_why)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		int e = errno;

		if (asprintf(ret_why, "%s: %s", path, strerror(e)) < 0)
			*ret_why = NULL;
		return -e;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 0022)) {
		if (asprintf(ret_why,
			     "%s is not a directory of uid %u writable by it "
			     "alone",
			     path, (unsigned)getuid()) < 0)
			*ret_why = NULL;
		return -EPERM;
	}
	return 0;
}

int ord_workdir_base(const char *opt, char **ret_base, char **ret_why)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	char *base = NULL;
	int r;

	*ret_why = NULL;
	if (opt) {
		base = strdup(opt);
	} else if (xdg && xdg[0] == '/' && stat(xdg, &st) == 0 &&
		   S_ISDIR(st.st_mode) && st.st_uid == getuid()) {
		if (asprintf(&base, "%s/aliasctl-orderings", xdg) < 0)
			base = NULL;
	} else if (asprintf(&base, "/var/tmp/aliasctl-orderings-%u",
			    (unsigned)getuid()) < 0) {
		base = NULL;
	}
	if (!base)
		return -ENOMEM;
	if (mkdir(base, 0700) < 0 && errno != EEXIST) {
		r = -errno;
		if (asprintf(ret_why, "cannot create %s: %s", base,
			     strerror(-r)) < 0)
			*ret_why = NULL;
		free(base);
		return r;
	}
	r = wd_check_dir(base, ret_why);
	if (r < 0) {
		free(base);
		return r;
	}
	/* Absolute: dpkg's --root and DPKG_ROOT must be. */
	{
		char *abs = realpath(base, NULL);

		free(base);
		if (!abs)
			return -errno;
		base = abs;
	}
	*ret_base = base;
	return 0;
}

int ord_unmount_lazy(const char *path)
{
	char *argv[] = {"fusermount3", "-u", "-z", "-q", (char *)path, NULL};
	struct ord_proc_opts o = {.argv = argv, .out_fd = -1};
	int rc, r;

	if (umount2(path, MNT_DETACH) == 0)
		return 0;
	if (errno == EINVAL || errno == ENOENT)
		return -errno;
	r = ord_proc_run(&o, 30000, &rc);
	if (r < 0)
		return r;
	return rc == 0 ? 0 : -EBUSY;
}

/* Mount points at or under @dir, deepest first. */
static int wd_mounts_under(const char *dir, char ***ret_list, size_t *ret_n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t dlen = strlen(dir), n = 0;
	char **list = NULL, *line = NULL;
	size_t cap = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char mp[4096], *out, **nl;
		const char *in;

		/* Field 5 is the mount point, with octal escapes. */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		for (in = mp, out = mp; *in; in++, out++) {
			if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' &&
			    in[2] && in[3]) {
				*out = (char)((in[1] - '0') * 64 +
					      (in[2] - '0') * 8 +
					      (in[3] - '0'));
				in += 3;
			} else {
				*out = *in;
			}
		}
		*out = '\0';
		if (strncmp(mp, dir, dlen) != 0 ||
		    (mp[dlen] != '/' && mp[dlen] != '\0'))
			continue;
		nl = realloc(list, (n + 1) * sizeof(*nl));
		if (!nl)
			break;
		list = nl;
		if ((list[n] = strdup(mp)))
			n++;
	}
	free(line);
	fclose(f);
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

/* Kill what a dead run left running: every process of ours whose
 * environment names the run's directory (dpkg, a maintainer script's
 * child, a daemon). Not by process group: a dead run's group id may
 * belong to someone else by now. */
static void wd_kill_leftovers(const char *dir)
{
	char *marker = NULL;
	size_t mlen;
	DIR *d;
	struct dirent *e;

	if (asprintf(&marker, "%s=%s", ORD_WORKDIR_ENV, dir) < 0)
		return;
	mlen = strlen(marker) + 1; /* with the NUL that ends it */
	d = opendir("/proc");
	if (!d) {
		free(marker);
		return;
	}
	while ((e = readdir(d))) {
		char path[64], *env = NULL;
		size_t len = 0, cap = 0;
		ssize_t n;
		pid_t pid = (pid_t)atoi(e->d_name);
		int fd;

		if (pid <= 1 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
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
			if ((i == 0 || env[i - 1] == '\0') &&
			    memcmp(env + i, marker, mlen) == 0) {
				kill(pid, SIGKILL);
				break;
			}
			i += strnlen(env + i, len - i) + 1;
		}
		free(env);
	}
	closedir(d);
	free(marker);
}

/* Unmount, remove and unlock the run whose lock is @lock (held by us). */
static int wd_clean_one(const char *base, const char *name)
{
	char *lock = NULL, *dir = NULL, **mounts = NULL;
	size_t n_mounts = 0;
	int r = 0;

	if (asprintf(&lock, "%s/%s", base, name) < 0)
		return -ENOMEM;
	if (asprintf(&dir, "%s/%s.d", base, name) < 0) {
		free(lock);
		return -ENOMEM;
	}
	wd_kill_leftovers(dir);
	if (wd_mounts_under(dir, &mounts, &n_mounts) == 0) {
		for (size_t i = 0; i < n_mounts; i++) {
			int u = ord_unmount_lazy(mounts[i]);

			if (u < 0) {
				fprintf(stderr,
					"aliasctl orderings: cannot unmount "
					"%s, left by a dead run: %s\n",
					mounts[i], strerror(-u));
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
				"aliasctl orderings: cannot remove %s, left "
				"by a dead run: %s\n",
				dir, strerror(-r));
		else
			r = 0;
	}
	if (r == 0)
		unlink(lock);
	free(lock);
	free(dir);
	return r;
}

int ord_workdir_clean_stale(const char *base)
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

		if (strncmp(name, WD_NEW_PREFIX, strlen(WD_NEW_PREFIX)) == 0) {
			/* A lock being made (renamed into place within
			 * microseconds); one older than an hour is a dead
			 * run's. */
			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) ==
				    0 &&
			    st.st_mtime < time(NULL) - 3600)
				unlinkat(dirfd(d), name, 0);
			continue;
		}
		if (strncmp(name, WD_PREFIX, strlen(WD_PREFIX)) != 0)
			continue;
		if (len > 2 && strcmp(name + len - 2, ".d") == 0) {
			/* A run directory whose lock is gone: its run
			 * finished removing everything but this. */
			char lockname[256];

			if (len - 2 >= sizeof(lockname))
				continue;
			memcpy(lockname, name, len - 2);
			lockname[len - 2] = '\0';
			if (faccessat(dirfd(d), lockname, F_OK,
				      AT_SYMLINK_NOFOLLOW) < 0 &&
			    errno == ENOENT) {
				int fd2 = openat(dirfd(d), lockname,
						 O_CREAT | O_EXCL | O_RDWR |
							 O_CLOEXEC,
						 0600);

				if (fd2 >= 0) {
					flock(fd2, LOCK_EX);
					if (wd_clean_one(base, lockname) == 0)
						cleaned++;
					close(fd2);
				}
			}
			continue;
		}
		fd = openat(dirfd(d), name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* Nobody holds it: its run is dead. */
			if (wd_clean_one(base, name) == 0)
				cleaned++;
		}
		close(fd);
	}
	closedir(d);
	return cleaned;
}

int ord_workdir_create(const char *base, struct ord_workdir **ret_wd)
{
	struct ord_workdir *wd = calloc(1, sizeof(*wd));
	char *tmp = NULL;
	const char *suffix;
	int r;

	if (!wd)
		return -ENOMEM;
	wd->lock_fd = -1;
	/* Made under a name the cleaner skips, locked, then renamed into
	 * place: the cleaner never sees an unlocked lock of a live run. */
	if (asprintf(&tmp, "%s/" WD_NEW_PREFIX "XXXXXX", base) < 0) {
		free(wd);
		return -ENOMEM;
	}
	wd->lock_fd = mkostemp(tmp, O_CLOEXEC);
	if (wd->lock_fd < 0) {
		r = -errno;
		goto fail;
	}
	if (flock(wd->lock_fd, LOCK_EX) < 0) {
		r = -errno;
		unlink(tmp);
		goto fail;
	}
	suffix = tmp + strlen(base) + 1 + strlen(WD_NEW_PREFIX);
	if (asprintf(&wd->lock, "%s/" WD_PREFIX "%s", base, suffix) < 0 ||
	    asprintf(&wd->dir, "%s.d", wd->lock) < 0) {
		r = -ENOMEM;
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, wd->lock) < 0) {
		r = -errno;
		unlink(tmp);
		goto fail;
	}
	if (mkdir(wd->dir, 0700) < 0) {
		r = -errno;
		unlink(wd->lock);
		goto fail;
	}
	free(tmp);
	*ret_wd = wd;
	return 0;
fail:
	free(tmp);
	if (wd->lock_fd >= 0)
		close(wd->lock_fd);
	free(wd->lock);
	free(wd->dir);
	free(wd);
	return r;
}

void ord_workdir_remove(struct ord_workdir *wd)
{
	if (!wd)
		return;
	if (wd->dir)
		aliasctl_rmtree(wd->dir);
	if (wd->lock)
		unlink(wd->lock);
	if (wd->lock_fd >= 0)
		close(wd->lock_fd);
	free(wd->lock);
	free(wd->dir);
	free(wd);
}
