/*
 * Tree comparison: would activating ALIAS -> CANONICAL hide a differing
 * file? Both backing directories are walked relative to the tree's root fd
 * with O_NOFOLLOW and AT_SYMLINK_NOFOLLOW, so a symlink in the tree never
 * leads the walk outside it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync-internal.h"

struct cmp_list {
	struct aliasdb_diff *items;
	size_t n, cap;
};

void aliasdb_diff_list_free(struct aliasdb_diff *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++) {
		free(list[i].alias_path);
		free(list[i].canonical_path);
	}
	free(list);
}

static int cmp_add(struct cmp_list *l, const char *apath, const char *cpath)
{
	struct aliasdb_diff *d;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 8;

		d = realloc(l->items, ncap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		l->items = d;
		l->cap = ncap;
	}
	d = &l->items[l->n];
	d->alias_path = strdup(apath);
	d->canonical_path = strdup(cpath);
	if (!d->alias_path || !d->canonical_path) {
		free(d->alias_path);
		free(d->canonical_path);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

/* "@dir/@name" in a new string. */
static char *cmp_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + 1 + b + 1);

	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

static int cmp_same_content(int dirfd_a, const char *name_a, int dirfd_b,
			    const char *name_b, off_t size)
{
	char ba[65536], bb[65536];
	int fa, fb, r = 1;
	off_t off = 0;

	fa = openat(dirfd_a, name_a, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fa < 0)
		return -errno;
	fb = openat(dirfd_b, name_b, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fb < 0) {
		r = -errno;
		close(fa);
		return r;
	}
	while (off < size) {
		ssize_t na = pread(fa, ba, sizeof(ba), off);
		ssize_t nb = pread(fb, bb, sizeof(bb), off);

		if (na < 0 || nb < 0) {
			r = -errno;
			break;
		}
		if (na == 0 || na != nb || memcmp(ba, bb, (size_t)na) != 0) {
			r = 0;
			break;
		}
		off += na;
	}
	close(fa);
	close(fb);
	return r;
}

/*
 * The project's one rule for "the same file" (see aliasdb.h). An entry
 * that cannot be read counts as differing: hiding or dropping a file we
 * could not compare is not safe.
 */
int aliasdb_entries_same(int dirfd_a, const char *name_a, const struct stat *sa,
			 int dirfd_b, const char *name_b, const struct stat *sb,
			 unsigned flags)
{
	if (sa->st_dev == sb->st_dev && sa->st_ino == sb->st_ino)
		return 1;
	if ((sa->st_mode & S_IFMT) != (sb->st_mode & S_IFMT))
		return 0;
	if ((flags & ALIASDB_SAME_METADATA) &&
	    ((sa->st_mode & 07777) != (sb->st_mode & 07777) ||
	     sa->st_uid != sb->st_uid || sa->st_gid != sb->st_gid))
		return 0;
	if (S_ISREG(sa->st_mode)) {
		if (sa->st_size != sb->st_size)
			return 0;
		return cmp_same_content(dirfd_a, name_a, dirfd_b, name_b,
					sa->st_size) == 1;
	}
	if (S_ISLNK(sa->st_mode)) {
		char la[ALIASDB_PATH_MAX], lb[ALIASDB_PATH_MAX];
		ssize_t na = readlinkat(dirfd_a, name_a, la, sizeof(la));
		ssize_t nb = readlinkat(dirfd_b, name_b, lb, sizeof(lb));

		return na >= 0 && na == nb && memcmp(la, lb, (size_t)na) == 0;
	}
	if (S_ISCHR(sa->st_mode) || S_ISBLK(sa->st_mode))
		return sa->st_rdev == sb->st_rdev;
	return 1; /* directories are compared by their entries; fifos and
		   * sockets carry no content */
}

static int cmp_dirs(int afd, int cfd, const char *apath, const char *cpath,
		    struct cmp_list *out)
{
	char **names = NULL;
	size_t n = 0, i;
	int r;

	r = aliasdb_dir_names(afd, &names, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n && r == 0; i++) {
		struct stat sa, sc;
		char *ap, *cp;

		if (fstatat(afd, names[i], &sa, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile: hides nothing */
		if (fstatat(cfd, names[i], &sc, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				r = -errno;
			continue; /* alias side only: the union shows it */
		}
		ap = cmp_join(apath, names[i]);
		cp = cmp_join(cpath, names[i]);
		if (!ap || !cp) {
			r = -ENOMEM;
		} else if (S_ISDIR(sa.st_mode) && S_ISDIR(sc.st_mode)) {
			int a2, c2;

			a2 = openat(afd, names[i],
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC);
			c2 = openat(cfd, names[i],
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					    O_CLOEXEC);
			if (a2 < 0 || c2 < 0)
				r = cmp_add(out, ap, cp);
			else
				r = cmp_dirs(a2, c2, ap, cp, out);
			if (a2 >= 0)
				close(a2);
			if (c2 >= 0)
				close(c2);
		} else if (!aliasdb_entries_same(afd, names[i], &sa, cfd,
						 names[i], &sc, 0)) {
			r = cmp_add(out, ap, cp);
		}
		free(ap);
		free(cp);
	}
	aliasdb_dir_names_free(names, n);
	return r;
}

/*
 * Open the parent directory of absolute @path below @tree_fd, never
 * following a symlink. Returns the fd and *ret_last (points into @path),
 * -ENOENT when a component is missing, or is a symlink or a non-directory
 * (the view never reaches through one either), other -errno.
 */
int aliasdb_tree_open_parent(int tree_fd, const char *path,
			     const char **ret_last)
{
	char comp[ALIASDB_PATH_MAX];
	const char *p = path, *slash;
	int fd, nfd;

	fd = openat(tree_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (*p == '/')
		p++;
	for (;;) {
		size_t len;

		slash = strchr(p, '/');
		if (!slash)
			break;
		len = (size_t)(slash - p);
		if (len >= sizeof(comp)) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		nfd = openat(fd, comp,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (nfd < 0)
			return errno == ELOOP || errno == ENOTDIR ? -ENOENT
								  : -errno;
		fd = nfd;
		p = slash + 1;
	}
	*ret_last = p;
	return fd;
}

/* Does symlink @target, found at absolute @at, name @canonical? */
static bool cmp_link_names(const char *at, const char *target,
			   const char *canonical)
{
	char joined[2 * ALIASDB_PATH_MAX], norm[ALIASDB_PATH_MAX];
	const char *slash = strrchr(at, '/');
	size_t dlen = slash ? (size_t)(slash - at) : 0;

	if (target[0] == '/') {
		if (aliasdb_path_normalize(target, norm, sizeof(norm)) < 0)
			return false;
	} else {
		if (dlen + 1 + strlen(target) + 1 > sizeof(joined))
			return false;
		memcpy(joined, at, dlen);
		joined[dlen] = '/';
		strcpy(joined + dlen + 1, target);
		if (aliasdb_path_normalize(joined, norm, sizeof(norm)) < 0)
			return false;
	}
	return strcmp(norm, canonical) == 0;
}

/*
 * Look at one side: 0 when absent, 1 when present, -errno. *ret_st gets its
 * lstat, *ret_fd an open directory (or -1 for anything else) and, for a
 * symlink, @target its target.
 */
static int cmp_open_side(int tree_fd, const char *path, int *ret_fd,
			 struct stat *ret_st, char *target, size_t size)
{
	const char *last;
	int pfd, fd = -1, r = 1;

	pfd = aliasdb_tree_open_parent(tree_fd, path, &last);
	if (pfd == -ENOENT)
		return 0;
	if (pfd < 0)
		return pfd;
	if (fstatat(pfd, last, ret_st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = errno == ENOENT ? 0 : -errno;
	} else if (S_ISDIR(ret_st->st_mode)) {
		fd = openat(pfd, last,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			r = -errno;
	} else if (S_ISLNK(ret_st->st_mode)) {
		ssize_t n = readlinkat(pfd, last, target, size - 1);

		if (n < 0)
			r = -errno;
		else
			target[n] = '\0';
	}
	close(pfd);
	if (r == 1)
		*ret_fd = fd;
	return r;
}

int aliasdb_tree_compare(int tree_fd, const char *alias, const char *canonical,
			 struct aliasdb_diff **ret_list, size_t *ret_n)
{
	char atarget[ALIASDB_PATH_MAX], ctarget[ALIASDB_PATH_MAX];
	struct cmp_list out = {NULL, 0, 0};
	struct stat sa, sc;
	int afd = -1, cfd = -1, ra, rc, r = 0;

	if (tree_fd < 0 || !alias || !canonical || alias[0] != '/' ||
	    canonical[0] != '/')
		return -EINVAL;
	ra = cmp_open_side(tree_fd, alias, &afd, &sa, atarget, sizeof(atarget));
	if (ra < 0)
		return ra;
	rc = cmp_open_side(tree_fd, canonical, &cfd, &sc, ctarget,
			   sizeof(ctarget));
	if (rc < 0) {
		r = rc;
		goto out;
	}
	if (ra == 0) {
		/* Nothing under the alias spelling: nothing to hide. */
	} else if (S_ISLNK(sa.st_mode)) {
		/* An already merged tree: the view's own symlink replaces a
		 * backing one only harmlessly when both name the same. */
		if (!cmp_link_names(alias, atarget, canonical))
			r = cmp_add(&out, alias, canonical);
	} else if (afd < 0) {
		/* A file where the alias directory goes: hidden. */
		r = cmp_add(&out, alias, canonical);
	} else if (rc == 0) {
		/* No canonical directory: the view shows the alias side's
		 * content there, nothing is hidden. */
	} else if (cfd < 0) {
		r = cmp_add(&out, alias, canonical);
	} else {
		r = cmp_dirs(afd, cfd, alias, canonical, &out);
	}
out:
	if (afd >= 0)
		close(afd);
	if (cfd >= 0)
		close(cfd);
	if (r < 0) {
		aliasdb_diff_list_free(out.items, out.n);
		return r;
	}
	if (out.n == 0) {
		free(out.items);
		out.items = NULL;
	}
	*ret_list = out.items;
	*ret_n = out.n;
	return 0;
}
