/*
 * Canonical extraction. Two phases per package:
 *
 *  1. Stage: read every member once; check its name and where it would
 *     land; write regular files, symlinks, hard links and nodes under
 *     numbered names into a staging directory inside the root (same file
 *     system, so phase 2 is renames only). Any refusal or read error
 *     removes the staging directory: the root is untouched.
 *  2. Commit: create the directories, rename every staged entry to its
 *     canonical place, then set the metadata of the package's directories
 *     as tar does (last, so that creating their entries does not change
 *     their mtime).
 *
 * Every lookup in the root goes through openat2(RESOLVE_BENEATH), so a
 * symlink already in the root that leads outside it (absolute, or with
 * "..") is never followed; where the kernel lacks openat2, no symlink at
 * all is followed in the middle of a path.
 *
 * The staging directory is locked with flock() for as long as it exists.
 * A lock dies with its process, so "nobody holds the lock" is how a later
 * run tells a dead run's directory from a live one's; a process id in the
 * name could have been reused by any other process since.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive/deb-reader.h"
#include "archive/extract.h"
#include "archive/path-map.h"

/* What a package shipped at a path so far (path_map values): the kind in
 * the low bits, the staged file number above. */
#define X_KIND_DIR 1u
#define X_KIND_FILE 2u	/* regular file: a hard link may point at it */
#define X_KIND_OTHER 3u /* symlink, node */
#define X_KIND(v) ((v)&3u)
#define X_STAGED(v) ((v) >> 2)

/* Staging directories: X_STAGE_PREFIX "PID.N" in the root. */
#define X_STAGE_PREFIX ".aliasctl-extract."
/* Staged entries are never directories: removing a stale staging
 * directory goes no deeper than this into whatever else is found there. */
#define X_REMOVE_DEPTH 8

struct extract_root {
	int fd;
	char *path;
	struct extract_options opts;
	struct arc_limits limits;
	unsigned counter; /* staging directory names */
	bool created;	  /* the root directory itself was made here */
	bool committed;	  /* something was moved into place */
};

/* One member of the package being extracted. */
struct x_op {
	char *path; /* canonical, relative to the root ("usr/bin/x") */
	unsigned kind;
	uint32_t staged; /* staged entry number (non-directories) */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec mtime;
};

struct x_pkg {
	struct extract_root *root;
	const char *deb;
	const char *pkg;
	struct arc_diag *diag;
	struct deb_reader *reader;
	char stage_name[64];
	int stage_fd; /* open for reading: it holds the flock */
	uint64_t staged_bytes;
	uint32_t n_staged;
	uint32_t n_moved; /* staged entries 0..n_moved-1 are in place */
	struct x_op *ops;
	size_t n_ops, cap_ops;
	struct path_map *seen;
	/* Parent directories phase 1 found safe (or to be created). */
	struct path_map *ok_parents;
	/* The last existing parent checked, open. */
	char *check_dir;
	int check_fd;
};

/* ---- Looking up paths without leaving the root ------------------------ */

/* "a/b/c" -> parent "a/b" (into @buf) and returns "c"; "c" -> "" and
 * "c". */
static const char *x_split(const char *rel, char *buf, size_t size)
{
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0;

	if (size == 0)
		return slash ? slash + 1 : rel;
	if (n >= size)
		n = size - 1;
	memcpy(buf, rel, n);
	buf[n] = '\0';
	return slash ? slash + 1 : rel;
}

/* Open directory @rel ("" = the root), creating missing components with
 * mode 0755. */
static int x_ensure_dir(struct extract_root *x, const char *rel)
{
	char parent[ALIASDB_PATH_MAX];
	const char *base;
	int fd, pfd;

	if (rel[0] == '\0') {
		fd = openat(x->fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	fd = aliasdb_open_beneath(x->fd, rel, O_PATH | O_DIRECTORY, 0);
	if (fd != -ENOENT)
		return fd;
	base = x_split(rel, parent, sizeof(parent));
	pfd = x_ensure_dir(x, parent);
	if (pfd < 0)
		return pfd;
	if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST) {
		fd = -errno;
		close(pfd);
		return fd;
	}
	close(pfd);
	return aliasdb_open_beneath(x->fd, rel, O_PATH | O_DIRECTORY, 0);
}

/* ---- The root: aliases as symlinks ------------------------------------ */

/* 1 if directory @fd is empty, 0 if not, -errno on error. Closes @fd. */
static int x_dir_is_empty(int fd)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int r = 1;

	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e) {
			if (errno)
				r = -errno;
			break;
		}
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			r = 0;
			break;
		}
	}
	closedir(d);
	return r;
}

/*
 * The alias @alias exists in the root as the non-symlink @st (its parent
 * open as @pfd, its name @base). An empty directory (a fresh tree) may
 * become the alias (and is removed here if @create); anything else would
 * need a conversion: -EEXIST. Other -errno when it cannot be read or
 * removed. Sets @diag on failure.
 */
static int x_replace_alias_dir(struct extract_root *x, int pfd,
			       const char *base, const char *alias,
			       const char *target, const struct stat *st,
			       bool create, struct arc_diag *diag)
{
	int fd, r;

	if (S_ISDIR(st->st_mode)) {
		fd = openat(pfd, base,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = fd < 0 ? -errno : x_dir_is_empty(fd);
		if (r < 0) {
			arc_diag_set(diag, "%s%s: cannot read: %s", x->path,
				     alias, strerror(-r));
			return r;
		}
		if (r == 0) {
			arc_diag_set(diag,
				     "%s%s is a non-empty directory, not "
				     "the alias symlink to %s (extract "
				     "needs a merged or empty root)",
				     x->path, alias, target);
			return -EEXIST;
		}
		if (create && unlinkat(pfd, base, AT_REMOVEDIR) < 0) {
			r = -errno;
			arc_diag_set(diag,
				     "%s%s: cannot replace the empty "
				     "directory with the alias symlink: %s",
				     x->path, alias, strerror(-r));
			return r;
		}
		return 0;
	}
	arc_diag_set(diag,
		     "%s%s exists and is not the alias symlink to %s "
		     "(extract needs a merged or empty root)",
		     x->path, alias, target);
	return -EEXIST;
}

/*
 * Does symlink text @have at @alias lead to @canonical (lexically)? Our
 * own text, the absolute path, and the longer "../../usr/bin" form that
 * extract wrote before it used aliasdb_alias_link_text() all do.
 */
static bool x_link_leads_to(const char *alias, const char *have,
			    const char *canonical)
{
	char joined[ALIASDB_PATH_MAX], norm[ALIASDB_PATH_MAX];
	const char *slash = strrchr(alias, '/');
	int n;

	if (have[0] == '/')
		n = snprintf(joined, sizeof(joined), "%s", have);
	else
		n = snprintf(joined, sizeof(joined), "%.*s/%s",
			     (int)(slash - alias), alias, have);
	if (n < 0 || (size_t)n >= sizeof(joined))
		return false;
	if (aliasdb_path_normalize(joined, norm, sizeof(norm)) < 0)
		return false;
	return strcmp(norm, canonical) == 0;
}

/*
 * Check (@create false) or make (@create true) the alias @alias as a
 * relative symlink to @canonical. Checking writes nothing, so a root whose
 * every package is refused stays as it was.
 */
static int x_make_alias(struct extract_root *x, const char *alias,
			const char *canonical, bool create,
			struct arc_diag *diag)
{
	char target[ALIASDB_PATH_MAX], have[ALIASDB_PATH_MAX];
	char parent[ALIASDB_PATH_MAX];
	const char *base;
	struct stat st;
	int fd, pfd, r;
	ssize_t n;

	n = aliasdb_alias_link_text(alias, canonical, target, sizeof(target));
	r = n < 0 ? (int)n : 0;
	if (r < 0) {
		arc_diag_set(diag, "alias %s -> %s: symlink text: %s", alias,
			     canonical, strerror(-r));
		return r;
	}
	base = x_split(alias + 1, parent, sizeof(parent));
	if (create) {
		fd = x_ensure_dir(x, canonical + 1);
		if (fd < 0) {
			arc_diag_set(diag, "%s: cannot create %s: %s", x->path,
				     canonical, strerror(-fd));
			return fd;
		}
		close(fd);
		pfd = x_ensure_dir(x, parent);
	} else {
		pfd = parent[0] ? aliasdb_open_beneath(x->fd, parent,
						       O_PATH | O_DIRECTORY, 0)
				: openat(x->fd, ".",
					 O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (pfd == -ENOENT)
			return 0;
	}
	if (pfd < 0) {
		arc_diag_set(diag, "%s: cannot open the parent of %s: %s",
			     x->path, alias, strerror(-pfd));
		return pfd;
	}
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = errno == ENOENT ? 0 : -errno;
		if (r < 0)
			arc_diag_set(diag, "%s%s: %s", x->path, alias,
				     strerror(-r));
	} else if (S_ISLNK(st.st_mode)) {
		n = readlinkat(pfd, base, have, sizeof(have) - 1);
		if (n < 0) {
			r = -errno;
			arc_diag_set(diag, "%s%s: cannot read the symlink: %s",
				     x->path, alias, strerror(-r));
			goto out;
		}
		have[n] = '\0';
		r = 0;
		if (x_link_leads_to(alias, have, canonical))
			goto out; /* the alias already: nothing to create */
		arc_diag_set(diag, "%s%s is a symlink to %s, not to %s",
			     x->path, alias, have, target);
		r = -EEXIST;
		goto out;
	} else {
		r = x_replace_alias_dir(x, pfd, base, alias, target, &st,
					create, diag);
	}
	if (r == 0 && create && symlinkat(target, pfd, base) < 0) {
		r = -errno;
		arc_diag_set(diag, "%s%s: cannot create the alias: %s", x->path,
			     alias, strerror(-r));
	}
out:
	close(pfd);
	return r;
}

static int x_make_aliases(struct extract_root *x, bool create,
			  struct arc_diag *diag)
{
	const struct aliasdb_map *map = x->opts.map;

	for (size_t i = 0; i < aliasdb_map_count(map); i++) {
		int r = x_make_alias(x, aliasdb_map_alias(map, i),
				     aliasdb_map_canonical(map, i), create,
				     diag);

		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- Staging directories ---------------------------------------------- */

/* Remove what directory @fd holds, without following symlinks, and close
 * it. Best effort: what cannot be removed stays. */
static void x_remove_contents(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		int sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0 || errno != EISDIR ||
		    depth >= X_REMOVE_DEPTH)
			continue;
		sub = openat(dirfd(d), e->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		x_remove_contents(sub, depth + 1);
		unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/*
 * Remove the staging directory @name if no run holds its lock. A held
 * lock is a live run's. Where the file system has no locks at all, a run
 * cannot lock its own either, so nothing tells a dead run's directory
 * from a live one's: it stays.
 */
static void x_remove_if_stale(struct extract_root *x, const char *name)
{
	int fd = openat(x->fd, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int list;

	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		/* A second descriptor to list with: the lock stays on @fd
		 * until the directory is gone. */
		list = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (list >= 0)
			x_remove_contents(list, 0);
		unlinkat(x->fd, name, AT_REMOVEDIR);
	}
	close(fd);
}

static void x_clean_stale(struct extract_root *x)
{
	int fd = openat(x->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, X_STAGE_PREFIX,
			    sizeof(X_STAGE_PREFIX) - 1) != 0 ||
		    (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		x_remove_if_stale(x, e->d_name);
	}
	closedir(d);
}

/* Does @name in the root still name the directory open as @fd? */
static bool x_same_dir(struct extract_root *x, const char *name, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 &&
	       fstatat(x->fd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Make and lock the package's staging directory. Another run cleaning the
 * root may find it between mkdir and flock, unlocked, and remove it:
 * then it is either locked by that run or no longer the one named, and a
 * new name is tried.
 */
static int x_stage_create(struct x_pkg *p)
{
	struct extract_root *x = p->root;
	int fd, r;

	for (unsigned tries = 0; tries < 1000; tries++) {
		snprintf(p->stage_name, sizeof(p->stage_name),
			 X_STAGE_PREFIX "%ld.%u", (long)getpid(), x->counter++);
		if (mkdirat(x->fd, p->stage_name, 0700) < 0) {
			if (errno == EEXIST)
				continue;
			r = -errno;
			arc_diag_set(
				p->diag,
				"%s: cannot create a staging directory: %s",
				x->path, strerror(-r));
			return r;
		}
		fd = openat(x->fd, p->stage_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			if (r == -ENOENT)
				continue;
			unlinkat(x->fd, p->stage_name, AT_REMOVEDIR);
			arc_diag_set(p->diag, "%s/%s: %s", x->path,
				     p->stage_name, strerror(-r));
			return r;
		}
		/* Without locks (EINVAL, ENOLCK, ...) go on unlocked: see
		 * x_remove_if_stale(). */
		if ((flock(fd, LOCK_EX | LOCK_NB) < 0 &&
		     errno == EWOULDBLOCK) ||
		    !x_same_dir(x, p->stage_name, fd)) {
			close(fd);
			continue;
		}
		p->stage_fd = fd;
		return 0;
	}
	arc_diag_set(p->diag,
		     "%s: cannot create a staging directory: every "
		     "name tried is taken",
		     x->path);
	return -EEXIST;
}

int extract_root_open(const char *root, const struct extract_options *opts,
		      struct extract_root **ret_root, struct arc_diag *diag)
{
	struct extract_root *x;
	int r;

	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->fd = -1;
	x->opts = *opts;
	if (opts->limits)
		x->limits = *opts->limits;
	else
		arc_limits_default(&x->limits);
	x->opts.limits = &x->limits;
	x->path = strdup(root);
	if (!x->path) {
		free(x);
		return -ENOMEM;
	}
	/* Messages print root + "/usr/bin": no trailing slash. */
	for (size_t n = strlen(x->path); n > 1 && x->path[n - 1] == '/'; n--)
		x->path[n - 1] = '\0';
	if (mkdir(root, 0755) == 0)
		x->created = true;
	else if (errno != EEXIST) {
		r = -errno;
		arc_diag_set(diag, "%s: cannot create: %s", root,
			     strerror(errno));
		goto fail;
	}
	x->fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->fd < 0) {
		r = -errno;
		arc_diag_set(diag, "%s: %s", root, strerror(errno));
		goto fail;
	}
	x_clean_stale(x);
	r = x_make_aliases(x, false, diag);
	if (r < 0)
		goto fail;
	*ret_root = x;
	return 0;
fail:
	extract_root_close(x);
	return r;
}

void extract_root_close(struct extract_root *x)
{
	if (!x)
		return;
	if (x->fd >= 0)
		close(x->fd);
	/* Every package refused: leave no empty root behind either. */
	if (x->created && !x->committed)
		rmdir(x->path);
	free(x->path);
	free(x);
}

/* ---- Phase 1: checking and staging ------------------------------------ */

static int x_refuse(struct x_pkg *p, const char *member, int err,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int x_refuse(struct x_pkg *p, const char *member, int err,
		    const char *fmt, ...)
{
	char why[ALIASDB_PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	arc_diag_set(p->diag, "%s: member %s refused: %s", p->deb, member, why);
	return err;
}

/*
 * Member name @name -> normalized absolute spelling (@norm) and canonical
 * path (@canon). Refuses absolute names and any ".." component: a package
 * has no business naming either, whatever it resolves to. @what says
 * which name of @member this is, for messages.
 */
static int x_member_path(struct x_pkg *p, const char *member, const char *what,
			 const char *name, char *norm, char *canon, size_t size)
{
	char tmp[ALIASDB_PATH_MAX + 1];
	ssize_t n;

	if (name[0] == '/')
		return x_refuse(p, member, -EPERM, "absolute %s", what);
	for (const char *c = name; *c;) {
		size_t len = strcspn(c, "/");

		if (len == 2 && c[0] == '.' && c[1] == '.')
			return x_refuse(p, member, -EPERM, "\"..\" in the %s",
					what);
		c += len;
		while (*c == '/')
			c++;
	}
	if (snprintf(tmp, sizeof(tmp), "/%s", name) >= (int)sizeof(tmp))
		return x_refuse(p, member, -ENAMETOOLONG, "%s too long", what);
	n = aliasdb_path_normalize(tmp, norm, size);
	if (n < 0)
		return x_refuse(p, member, (int)n, "%s: %s", what,
				strerror((int)-n));
	n = aliasdb_map_canon(p->root->opts.map, norm, canon, size);
	if (n < 0)
		return x_refuse(p, member, (int)n, "%s: %s", what,
				strerror((int)-n));
	return 0;
}

/*
 * Would @canon ("/usr/lib/x/y") be written through something this
 * package already shipped as a non-directory (a symlink above all)?
 */
static int x_check_own_parents(struct x_pkg *p, const char *member,
			       const char *canon)
{
	char buf[ALIASDB_PATH_MAX];
	uint32_t v;

	snprintf(buf, sizeof(buf), "%s", canon);
	for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (path_map_get(p->seen, buf + 1, &v) &&
		    X_KIND(v) != X_KIND_DIR)
			return x_refuse(
				p, member, -EPERM,
				"would be written through %s, which the "
				"package ships as a symlink or file",
				buf);
		*s = '/';
	}
	return 0;
}

static int x_sys_error(struct x_pkg *p, const char *member, const char *what,
		       int err)
{
	arc_diag_set(p->diag, "%s: member %s: %s: %s", p->deb, member, what,
		     strerror(-err));
	return err;
}

/*
 * Open the deepest existing directory of @probe (modified in place to
 * that directory) without leaving the root; @missing gets the name of the
 * first missing component below it ("" if none). Returns the descriptor
 * or -errno (refused with a message: a symlink leading outside, a
 * non-directory).
 */
static int x_open_deepest(struct x_pkg *p, const char *member, char *probe,
			  char *missing)
{
	struct extract_root *x = p->root;
	char up[ALIASDB_PATH_MAX];
	int fd;

	for (;;) {
		if (probe[0] == '\0') {
			fd = openat(x->fd, ".",
				    O_PATH | O_DIRECTORY | O_CLOEXEC);
			return fd < 0 ? x_sys_error(p, member, "open", -errno)
				      : fd;
		}
		fd = aliasdb_open_beneath(x->fd, probe, O_PATH | O_DIRECTORY,
					  0);
		if (fd >= 0)
			return fd;
		if (fd == -EXDEV || fd == -ELOOP)
			return x_refuse(p, member, -EXDEV,
					"/%s is or goes through a symlink "
					"leading outside the root",
					probe);
		if (fd == -ENOTDIR)
			return x_refuse(p, member, -EPERM,
					"/%s is not a directory", probe);
		if (fd != -ENOENT)
			return x_refuse(p, member, fd, "%s", strerror(-fd));
		{
			const char *b = x_split(probe, up, sizeof(up));
			size_t bl = strnlen(b, NAME_MAX);

			memcpy(missing, b, bl);
			missing[bl] = '\0';
		}
		memcpy(probe, up, sizeof(up));
	}
}

/*
 * Is directory @parent (relative) safe to write into? Sets *ret_v to
 * 1 (it exists in the root) or 2 (it is to be created by this package),
 * remembered in ok_parents: members come grouped by directory, so each is
 * probed once. Returns 0 or -errno (refused).
 */
static int x_probe_parent(struct x_pkg *p, const char *member,
			  const char *parent, uint32_t *ret_v)
{
	char probe[ALIASDB_PATH_MAX], missing[NAME_MAX + 1] = "";
	struct stat st;
	int fd;

	if (path_map_get(p->ok_parents, parent, ret_v))
		return 0;
	snprintf(probe, sizeof(probe), "%s", parent);
	fd = x_open_deepest(p, member, probe, missing);
	if (fd < 0)
		return fd;
	/* The first missing component must really be missing, not
	 * a dangling symlink that mkdir would trip over. */
	if (missing[0] && fstatat(fd, missing, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		close(fd);
		return x_refuse(p, member, -EPERM,
				"/%s%s%s is a dangling symlink or not a "
				"directory",
				probe, probe[0] ? "/" : "", missing);
	}
	close(fd);
	*ret_v = missing[0] ? 2 : 1;
	if (path_map_put(p->ok_parents, parent, *ret_v) < 0)
		return -ENOMEM;
	return 0;
}

/* Open the existing directory @parent as p->check_fd (kept for the next
 * member in the same directory). */
static int x_check_dir(struct x_pkg *p, const char *parent)
{
	struct extract_root *x = p->root;

	if (p->check_dir && strcmp(p->check_dir, parent) == 0)
		return 0;
	if (p->check_fd >= 0)
		close(p->check_fd);
	free(p->check_dir);
	p->check_dir = strdup(parent);
	p->check_fd = parent[0] ? aliasdb_open_beneath(x->fd, parent,
						       O_PATH | O_DIRECTORY, 0)
				: openat(x->fd, ".",
					 O_PATH | O_DIRECTORY | O_CLOEXEC);
	return p->check_dir ? 0 : -ENOMEM;
}

/*
 * Check where @rel would land in the root as it is: the deepest existing
 * ancestor must be reachable without leaving the root, and an existing
 * entry must be replaceable by a @kind.
 */
static int x_check_root(struct x_pkg *p, const char *member, const char *rel,
			unsigned kind)
{
	char parent[ALIASDB_PATH_MAX];
	const char *base = x_split(rel, parent, sizeof(parent));
	struct stat st;
	uint32_t v;
	int fd, r;

	r = x_probe_parent(p, member, parent, &v);
	if (r < 0)
		return r;
	if (v == 2)
		return 0; /* the parent is new: nothing in the way */
	r = x_check_dir(p, parent);
	if (r < 0)
		return r;
	if (p->check_fd < 0 ||
	    fstatat(p->check_fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (kind == X_KIND_DIR && !S_ISDIR(st.st_mode)) {
		/* dpkg keeps a symlink to a directory in place of a
		 * directory; so do we, if it stays inside the root. */
		fd = S_ISLNK(st.st_mode)
			     ? aliasdb_open_beneath(p->root->fd, rel,
						    O_PATH | O_DIRECTORY, 0)
			     : -ENOTDIR;
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		return x_refuse(p, member, fd == -EXDEV ? -EXDEV : -EPERM,
				"/%s exists and is not a directory (or a "
				"symlink to one inside the root)",
				rel);
	}
	if (kind != X_KIND_DIR && S_ISDIR(st.st_mode))
		return x_refuse(p, member, -EPERM,
				"/%s is a directory in the root", rel);
	return 0;
}

static int x_add_op(struct x_pkg *p, const char *rel, unsigned kind,
		    struct archive_entry *entry, struct x_op **ret_op)
{
	struct x_op *op;

	if (p->n_ops == p->cap_ops) {
		size_t cap = p->cap_ops ? p->cap_ops * 2 : 64;
		struct x_op *ops = realloc(p->ops, cap * sizeof(*ops));

		if (!ops)
			return -ENOMEM;
		p->ops = ops;
		p->cap_ops = cap;
	}
	op = &p->ops[p->n_ops];
	memset(op, 0, sizeof(*op));
	op->path = strdup(rel);
	if (!op->path)
		return -ENOMEM;
	op->kind = kind;
	op->mode = archive_entry_mode(entry) & 07777;
	op->uid = (uid_t)archive_entry_uid(entry);
	op->gid = (gid_t)archive_entry_gid(entry);
	op->mtime.tv_sec = archive_entry_mtime(entry);
	op->mtime.tv_nsec = archive_entry_mtime_nsec(entry);
	p->n_ops++;
	*ret_op = op;
	return 0;
}

/* Write the current member's data into staged file @name, with its
 * metadata. */
static int x_stage_file(struct x_pkg *p, const char *member,
			struct archive_entry *entry, const char *name,
			const struct x_op *op)
{
	struct timespec ts[2] = {op->mtime, op->mtime};
	const char *xname;
	const void *xval;
	size_t xsize;
	int64_t end = 0;
	int fd, r;

	fd = openat(p->stage_fd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return x_sys_error(p, member, "cannot create", -errno);
	for (;;) {
		const void *buf;
		size_t len;
		int64_t off;

		r = deb_reader_data(p->reader, &buf, &len, &off, p->diag);
		if (r <= 0)
			break;
		while (len > 0) {
			ssize_t w = pwrite(fd, buf, len, (off_t)off);

			if (w < 0) {
				r = x_sys_error(p, member, "write", -errno);
				goto out;
			}
			buf = (const char *)buf + w;
			len -= (size_t)w;
			off += w;
			p->staged_bytes += (uint64_t)w;
		}
		if (p->root->opts.progress)
			p->root->opts.progress(p->root->opts.progress_ctx,
					       p->staged_bytes, 0);
		if (off > end)
			end = off;
	}
	if (r < 0)
		goto out;
	/* Sparse files may end in a hole that no block covers. */
	if (archive_entry_size_is_set(entry) &&
	    end < (int64_t)archive_entry_size(entry) &&
	    ftruncate(fd, (off_t)archive_entry_size(entry)) < 0) {
		r = x_sys_error(p, member, "truncate", -errno);
		goto out;
	}
	if (p->root->opts.same_owner && fchown(fd, op->uid, op->gid) < 0) {
		r = x_sys_error(p, member, "chown", -errno);
		goto out;
	}
	/* After chown, which clears set-id bits. */
	if (fchmod(fd, op->mode) < 0) {
		r = x_sys_error(p, member, "chmod", -errno);
		goto out;
	}
	archive_entry_xattr_reset(entry);
	while (archive_entry_xattr_next(entry, &xname, &xval, &xsize) ==
	       ARCHIVE_OK) {
		if (fsetxattr(fd, xname, xval, xsize, 0) < 0 &&
		    errno != ENOTSUP) {
			r = x_sys_error(p, member, xname, -errno);
			goto out;
		}
	}
	if (futimens(fd, ts) < 0)
		r = x_sys_error(p, member, "set times", -errno);
out:
	close(fd);
	return r < 0 ? r : 0;
}

/* Metadata of a staged non-regular entry (symlink, node). */
static int x_stage_meta(struct x_pkg *p, const char *member, const char *name,
			const struct x_op *op, bool is_link)
{
	struct timespec ts[2] = {op->mtime, op->mtime};

	if (p->root->opts.same_owner &&
	    fchownat(p->stage_fd, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW) <
		    0)
		return x_sys_error(p, member, "chown", -errno);
	if (!is_link && fchmodat(p->stage_fd, name, op->mode, 0) < 0)
		return x_sys_error(p, member, "chmod", -errno);
	if (utimensat(p->stage_fd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return x_sys_error(p, member, "set times", -errno);
	return 0;
}

/* The normalized (@norm) and canonical (@canon) paths of @member.
 * Returns 1 for the root itself (nothing to do), 0, -errno (refused). */
static int x_member_paths(struct x_pkg *p, const char *member, char *norm,
			  char *canon, size_t size)
{
	const char *m = member;

	while (m[0] == '.' && m[1] == '/')
		m += 2;
	if (m[0] == '\0' || strcmp(m, ".") == 0)
		return 1;
	return x_member_path(p, member, "member name", m, norm, canon, size);
}

/* What @entry is (X_KIND_*), or -EPERM for a file type not extracted. */
static int x_member_kind(struct x_pkg *p, const char *member,
			 struct archive_entry *entry)
{
	mode_t type = archive_entry_filetype(entry);

	if (archive_entry_hardlink(entry))
		return X_KIND_FILE;
	if (type == AE_IFDIR)
		return X_KIND_DIR;
	if (type == AE_IFREG)
		return X_KIND_FILE;
	if (type != AE_IFLNK && type != AE_IFIFO && type != AE_IFCHR &&
	    type != AE_IFBLK)
		return x_refuse(p, member, -EPERM, "%s",
				"unsupported file type");
	return X_KIND_OTHER;
}

/*
 * May @member (@norm, canonical @canon) of kind @kind be staged: not
 * through something the package ships as a non-directory, not both a
 * directory and not, not in the way of the root? Records it with the
 * conflict finder. Returns 1 to skip it (an alias itself, "/"), 0, -errno.
 */
static int x_member_check(struct x_pkg *p, const char *member, const char *norm,
			  const char *canon, unsigned kind)
{
	const struct aliasdb_map *map = p->root->opts.map;
	uint32_t v;
	int idx, r;

	/* The alias itself: it exists already, as the symlink. */
	idx = aliasdb_map_find_alias(map, norm);
	if (idx >= 0 &&
	    strcmp(norm, aliasdb_map_alias(map, (size_t)idx)) == 0 &&
	    kind != X_KIND_DIR)
		return 1;
	if (strcmp(canon, "/") == 0)
		return 1;
	r = x_check_own_parents(p, member, canon);
	if (r < 0)
		return r;
	if (path_map_get(p->seen, canon + 1, &v) &&
	    (X_KIND(v) == X_KIND_DIR) != (kind == X_KIND_DIR))
		return x_refuse(p, member, -EPERM,
				"the package ships %s as both a directory and "
				"a non-directory",
				canon);
	r = x_check_root(p, member, canon + 1, kind);
	if (r < 0)
		return r;
	if (kind != X_KIND_DIR && p->root->opts.finder) {
		r = conflict_finder_add(p->root->opts.finder, norm,
					strlen(norm), p->pkg, strlen(p->pkg));
		if (r < 0)
			return x_sys_error(p, member, "record", r);
	}
	return 0;
}

/* Stage hard link @member to @link (an earlier file of the package) as
 * staged entry @name. */
static int x_stage_hardlink(struct x_pkg *p, const char *member,
			    const char *link, const char *name)
{
	char lnorm[ALIASDB_PATH_MAX], lcanon[ALIASDB_PATH_MAX];
	char lname[16];
	const char *l = link;
	uint32_t v;
	int r;

	while (l[0] == '.' && l[1] == '/')
		l += 2;
	r = x_member_path(p, member, "hard link target", l, lnorm, lcanon,
			  sizeof(lnorm));
	if (r < 0)
		return r;
	if (!path_map_get(p->seen, lcanon + 1, &v) || X_KIND(v) != X_KIND_FILE)
		return x_refuse(p, member, -EPERM,
				"hard link to %s, which is not an "
				"earlier file of the package",
				link);
	snprintf(lname, sizeof(lname), "%u", X_STAGED(v));
	if (linkat(p->stage_fd, lname, p->stage_fd, name, 0) < 0)
		return x_sys_error(p, member, "link", -errno);
	return 0;
}

/* Write non-directory @entry into the staging directory as @name. */
static int x_stage_entry(struct x_pkg *p, const char *member,
			 struct archive_entry *entry, const char *name,
			 const struct x_op *op)
{
	const char *link = archive_entry_hardlink(entry);
	mode_t type = archive_entry_filetype(entry);

	if (link)
		return x_stage_hardlink(p, member, link, name);
	if (type == AE_IFREG)
		return x_stage_file(p, member, entry, name, op);
	if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(entry);

		if (!target || !target[0])
			return x_refuse(p, member, -EPERM, "%s",
					"symlink without a target");
		if (symlinkat(target, p->stage_fd, name) < 0)
			return x_sys_error(p, member, "symlink", -errno);
		return x_stage_meta(p, member, name, op, true);
	}
	if (mknodat(p->stage_fd, name, type | op->mode,
		    archive_entry_rdev(entry)) < 0)
		return x_sys_error(p, member, "mknod", -errno);
	return x_stage_meta(p, member, name, op, false);
}

/* Check and stage one member. */
static int x_stage_member(struct x_pkg *p, struct archive_entry *entry)
{
	char norm[ALIASDB_PATH_MAX], canon[ALIASDB_PATH_MAX];
	char name[16];
	const char *member = archive_entry_pathname(entry);
	struct x_op *op;
	int kind, r;

	if (!member)
		return x_refuse(p, "(unnamed)", -EPERM, "%s", "no name");
	r = x_member_paths(p, member, norm, canon, sizeof(norm));
	if (r != 0)
		return r < 0 ? r : 0;
	kind = x_member_kind(p, member, entry);
	if (kind < 0)
		return kind;
	r = x_member_check(p, member, norm, canon, (unsigned)kind);
	if (r != 0)
		return r < 0 ? r : 0;
	r = x_add_op(p, canon + 1, (unsigned)kind, entry, &op);
	if (r < 0)
		return r;
	if (kind == X_KIND_DIR)
		return path_map_put(p->seen, canon + 1, X_KIND_DIR) < 0
			       ? -ENOMEM
			       : 0;
	op->staged = p->n_staged++;
	snprintf(name, sizeof(name), "%u", op->staged);
	r = x_stage_entry(p, member, entry, name, op);
	if (r < 0)
		return r;
	/* A hard link is a file: another may point at it. */
	if (path_map_put(p->seen, canon + 1,
			 (op->staged << 2) | (unsigned)kind) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- Phase 2: moving into place --------------------------------------- */

static int x_commit(struct x_pkg *p)
{
	struct extract_root *x = p->root;
	char parent[ALIASDB_PATH_MAX], last[ALIASDB_PATH_MAX] = "";
	int pfd = -1, r = 0;

	for (size_t i = 0; i < p->n_ops; i++) {
		struct x_op *op = &p->ops[i];
		const char *base;
		char name[16];

		if (op->kind == X_KIND_DIR) {
			int fd = x_ensure_dir(x, op->path);

			if (fd < 0) {
				r = x_sys_error(p, op->path, "mkdir", fd);
				break;
			}
			close(fd);
			continue;
		}
		base = x_split(op->path, parent, sizeof(parent));
		if (pfd < 0 || strcmp(parent, last) != 0) {
			if (pfd >= 0)
				close(pfd);
			pfd = x_ensure_dir(x, parent);
			if (pfd < 0) {
				r = x_sys_error(p, op->path, "mkdir", pfd);
				break;
			}
			snprintf(last, sizeof(last), "%s", parent);
		}
		snprintf(name, sizeof(name), "%u", op->staged);
		if (renameat(p->stage_fd, name, pfd, base) < 0) {
			r = x_sys_error(p, op->path, "rename", -errno);
			break;
		}
		/* Staged in member order: every earlier one is moved. */
		p->n_moved = op->staged + 1;
	}
	if (pfd >= 0)
		close(pfd);
	/* Directory metadata last, deepest first: entries created in a
	 * directory change its mtime. */
	for (size_t i = p->n_ops; r == 0 && i-- > 0;) {
		struct x_op *op = &p->ops[i];
		struct timespec ts[2] = {op->mtime, op->mtime};
		int fd;

		if (op->kind != X_KIND_DIR)
			continue;
		fd = aliasdb_open_beneath(x->fd, op->path,
					  O_RDONLY | O_DIRECTORY, 0);
		if (fd < 0) {
			r = x_sys_error(p, op->path, "open", fd);
			break;
		}
		if ((x->opts.same_owner && fchown(fd, op->uid, op->gid) < 0) ||
		    fchmod(fd, op->mode) < 0 || futimens(fd, ts) < 0)
			r = x_sys_error(p, op->path, "set metadata", -errno);
		close(fd);
	}
	return r;
}

/* Remove the staging directory and whatever is still staged in it. */
static void x_unstage(struct x_pkg *p)
{
	char name[16];

	if (p->stage_fd < 0)
		return;
	/* After a whole commit every entry has been moved out. */
	for (uint32_t i = p->n_moved; i < p->n_staged; i++) {
		snprintf(name, sizeof(name), "%u", i);
		unlinkat(p->stage_fd, name, 0);
	}
	/* Gone before its lock is released. */
	unlinkat(p->root->fd, p->stage_name, AT_REMOVEDIR);
	close(p->stage_fd);
	p->stage_fd = -1;
}

int extract_deb(struct extract_root *x, const char *deb, struct arc_diag *diag)
{
	struct x_pkg p = {.root = x,
			  .deb = deb,
			  .diag = diag,
			  .stage_fd = -1,
			  .check_fd = -1};
	struct archive_entry *entry;
	int r;

	r = deb_reader_open(deb, x->opts.limits, &p.reader, diag);
	if (r < 0)
		return r;
	p.pkg = deb_reader_package(p.reader);
	r = path_map_new(&p.seen);
	if (r == 0)
		r = path_map_new(&p.ok_parents);
	if (r < 0)
		goto out;
	r = x_stage_create(&p);
	if (r < 0)
		goto out;
	while ((r = deb_reader_next(p.reader, &entry, diag)) > 0) {
		r = x_stage_member(&p, entry);
		if (r < 0)
			break;
	}
	if (r >= 0 && !x->committed) {
		r = x_make_aliases(x, true, diag);
		x->committed = r >= 0;
	}
	if (r >= 0)
		r = x_commit(&p);
out:
	x_unstage(&p);
	for (size_t i = 0; i < p.n_ops; i++)
		free(p.ops[i].path);
	free(p.ops);
	path_map_free(p.ok_parents);
	free(p.check_dir);
	if (p.check_fd >= 0)
		close(p.check_fd);
	path_map_free(p.seen);
	deb_reader_free(p.reader);
	return r < 0 ? r : 0;
}
