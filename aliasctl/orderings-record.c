/* The recorder: files, owners, lost and overwritten files, aliases. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "aliasdb.h"
#include "aliasctl/orderings-proc.h"
#include "aliasctl/orderings-record.h"

/* dpkg's package states in which its files are on disk. */
static const char *const rec_states[] = {
	"installed",	    "unpacked",		"half-configured",
	"triggers-awaited", "triggers-pending", NULL,
};

struct rec_pkg {
	char *name; /* "a", or "a:i386" for Multi-Arch: same */
	char *package;
	char *version;
	char *arch;
	char *listfile; /* info/NAME[:ARCH].list */
	char **paths;	/* canonical, sorted, unique */
	size_t n_paths;
	const struct ord_debinfo *deb;
};

struct rec_owner {
	const char *path;
	const char *pkg;
};

struct rec_diversion {
	char *from; /* canonical */
	char *to;
	char *by; /* ":" for a local diversion */
};

struct rec {
	const struct ord_record_in *in;
	struct ord_side *side;
	struct aliasdb_map *map;
	int rootfd;
	char **skip; /* alias paths, not files */
	size_t n_skip;
	struct rec_pkg *pkgs;
	size_t n_pkgs;
	struct rec_owner *owners;
	size_t n_owners;
	struct rec_diversion *divs;
	size_t n_divs;
	size_t files_cap;
	char *why;
};

static int rec_fail(struct rec *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int rec_fail(struct rec *r, int err, const char *fmt, ...)
{
	va_list ap;

	if (r->why)
		return err;
	va_start(ap, fmt);
	if (vasprintf(&r->why, fmt, ap) < 0)
		r->why = NULL;
	va_end(ap);
	return err;
}

static int rec_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Canonical spelling of @path under the side's map, into @buf. */
static const char *rec_canon(struct rec *r, const char *path, char *buf,
			     size_t size)
{
	if (aliasdb_map_canon(r->map, path, buf, size) < 0)
		return NULL;
	return buf;
}

/* Read the file @path (relative to the root) whole; NULL and errno. */
static char *rec_read(struct rec *r, const char *path, size_t *ret_len)
{
	struct open_how how = {
		.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	fd = (int)syscall(SYS_openat2, r->rootfd, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(r->rootfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				close(fd);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

/* lstat of the absolute @path inside the root, never leaving it. */
static int rec_lstat(struct rec *r, const char *path, struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path[1] ? path + 1 : ".";
	int fd, e;

	fd = (int)syscall(SYS_openat2, r->rootfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		return fstatat(r->rootfd, rel, st, AT_SYMLINK_NOFOLLOW) < 0
			       ? -errno
			       : 0;
	if (fd < 0)
		return -errno;
	e = fstat(fd, st) < 0 ? -errno : 0;
	close(fd);
	return e;
}

/* ---- Aliases and the map ----------------------------------------- */

static int rec_aliases_view(struct rec *r)
{
	struct aliasdb_alias **list = NULL;
	struct aliasdb *db;
	size_t n = 0;
	int e;

	e = aliasdb_open(r->in->db_dir, ALIASDB_OPEN_RDONLY, &db);
	if (e < 0)
		return rec_fail(r, e, "cannot open the view's database %s: %s",
				r->in->db_dir, strerror(-e));
	e = aliasdb_list(db, &list, &n);
	if (e == 0)
		e = aliasdb_map_load(db, &r->map);
	aliasdb_close(db);
	if (e < 0) {
		aliasdb_alias_list_free(list, n);
		return rec_fail(r, e, "cannot read the view's aliases: %s",
				strerror(-e));
	}
	for (size_t i = 0; i < n && e == 0; i++) {
		struct ord_side *s = r->side;

		if (list[i]->state == ALIASDB_STATE_ACTIVE) {
			e = ord_strv_push(&s->aliases, &s->n_aliases,
					  list[i]->alias);
			if (e == 0)
				e = ord_strv_push(&r->skip, &r->n_skip,
						  list[i]->alias);
		} else {
			struct ord_blocked *b = realloc(
				s->blocked, (s->n_blocked + 1) * sizeof(*b));

			if (!b) {
				e = -ENOMEM;
				break;
			}
			s->blocked = b;
			b[s->n_blocked].alias = strdup(list[i]->alias);
			b[s->n_blocked].reason =
				strdup(list[i]->reason ? list[i]->reason : "");
			s->n_blocked++;
		}
	}
	aliasdb_alias_list_free(list, n);
	return e;
}

/* A plain directory's aliases are its top-level symlinks NAME ->
 * usr/NAME. */
static int rec_aliases_plain(struct rec *r)
{
	int dfd = openat(r->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;
	int err = 0;

	if (r->in->split)
		err = aliasdb_map_from_pairs(NULL, NULL, 0, &r->map, NULL);
	else
		err = aliasdb_map_for_arch(r->in->arch, &r->map);
	if (err < 0) {
		if (dfd >= 0)
			close(dfd);
		return rec_fail(r, err, "no alias set for %s: %s", r->in->arch,
				strerror(-err));
	}
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return rec_fail(r, -errno, "cannot list %s: %s", r->in->root,
				strerror(errno));
	}
	while ((e = readdir(d)) && err == 0) {
		char target[256], alias[300];
		ssize_t n;

		if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
			continue;
		n = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "usr/", 4) != 0 ||
		    strcmp(target + 4, e->d_name) != 0)
			continue;
		snprintf(alias, sizeof(alias), "/%s", e->d_name);
		err = ord_strv_push(&r->side->aliases, &r->side->n_aliases,
				    alias);
		if (err == 0)
			err = ord_strv_push(&r->skip, &r->n_skip, alias);
	}
	closedir(d);
	if (r->side->n_aliases > 1)
		qsort(r->side->aliases, r->side->n_aliases, sizeof(char *),
		      rec_strcmp);
	return err;
}

/* ---- Files present ------------------------------------------------ */

static bool rec_skipped(struct rec *r, const char *path)
{
	if (strcmp(path, "/var/lib/dpkg") == 0 ||
	    strcmp(path, "/" ALIASDB_DEFAULT_SUBDIR) == 0)
		return true;
	for (size_t i = 0; i < r->n_skip; i++)
		if (strcmp(r->skip[i], path) == 0)
			return true;
	return false;
}

static int rec_add_file(struct rec *r, const char *path, char type,
			const char *sha, const char *target)
{
	struct ord_side *s = r->side;
	struct ord_file *f;

	if (s->n_files == r->files_cap) {
		size_t cap = r->files_cap ? r->files_cap * 2 : 64;

		f = realloc(s->files, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		s->files = f;
		r->files_cap = cap;
	}
	f = &s->files[s->n_files];
	memset(f, 0, sizeof(*f));
	f->type = type;
	f->path = strdup(path);
	f->sha256 = sha ? strdup(sha) : NULL;
	f->target = target ? strdup(target) : NULL;
	if (!f->path || (sha && !f->sha256) || (target && !f->target)) {
		free(f->path);
		free(f->sha256);
		free(f->target);
		return -ENOMEM;
	}
	s->n_files++;
	return 0;
}

static char rec_type(mode_t m)
{
	return S_ISREG(m)    ? 'f'
	       : S_ISDIR(m)  ? 'd'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISCHR(m)  ? 'c'
	       : S_ISBLK(m)  ? 'b'
	       : S_ISFIFO(m) ? 'p'
	       : S_ISSOCK(m) ? 's'
			     : '?';
}

/* Walk the directory open at @fd, whose path is @path ("" for the
 * root). Takes @fd. */
static int rec_walk(struct rec *r, int fd, const char *path, unsigned depth)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d;
	int err = 0;

	if (depth > 256) {
		close(fd);
		return rec_fail(r, -ELOOP, "%s: deeper than 256 levels", path);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return rec_fail(r, -errno, "cannot list %s: %s", path,
				strerror(errno));
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		err = ord_strv_push(&names, &n, e->d_name);
		if (err < 0)
			break;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), rec_strcmp);
	for (size_t i = 0; i < n && err == 0; i++) {
		char sub[ALIASDB_PATH_MAX];
		struct stat st;

		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
				     names[i]) >= sizeof(sub) ||
		    rec_skipped(r, sub))
			continue;
		if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		if (S_ISDIR(st.st_mode)) {
			int sub_fd = openat(dirfd(d), names[i],
					    O_RDONLY | O_DIRECTORY |
						    O_NOFOLLOW | O_CLOEXEC);

			if (sub_fd < 0)
				err = rec_fail(r, -errno, "cannot open %s: %s",
					       sub, strerror(errno));
			else
				err = rec_walk(r, sub_fd, sub, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			char hex[ORD_SHA256_HEX];
			int ffd = openat(dirfd(d), names[i],
					 O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
						 O_CLOEXEC);

			if (ffd < 0) {
				err = rec_fail(r, -errno, "cannot read %s: %s",
					       sub, strerror(errno));
				break;
			}
			err = ord_sha256_fd(ffd, hex);
			close(ffd);
			if (err < 0)
				err = rec_fail(r, err, "cannot read %s: %s",
					       sub, strerror(-err));
			else
				err = rec_add_file(r, sub, 'f', hex, NULL);
		} else if (S_ISLNK(st.st_mode)) {
			char target[ALIASDB_PATH_MAX];
			ssize_t tl = readlinkat(dirfd(d), names[i], target,
						sizeof(target) - 1);

			target[tl > 0 ? tl : 0] = '\0';
			err = rec_add_file(r, sub, 'l', NULL, target);
		} else {
			err = rec_add_file(r, sub, rec_type(st.st_mode), NULL,
					   NULL);
		}
	}
	ord_strv_free(names, n);
	closedir(d);
	return err;
}

static struct ord_file *rec_file(struct rec *r, const char *path)
{
	size_t lo = 0, hi = r->side->n_files;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(r->side->files[mid].path, path);

		if (c == 0)
			return &r->side->files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int rec_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ord_file *)a)->path,
		      ((const struct ord_file *)b)->path);
}

/* ---- dpkg's database ------------------------------------------------ */

/* Value of the field starting at @line ("Field: value"), up to the end
 * of the line. */
static char *rec_field(const char *line, const char *field)
{
	size_t n = strlen(field);
	const char *v, *end;

	if (strncasecmp(line, field, n) != 0 || line[n] != ':')
		return NULL;
	v = line + n + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	end = strchr(v, '\n');
	return strndup(v, end ? (size_t)(end - v) : strlen(v));
}

static bool rec_state_has_files(const char *status)
{
	const char *state = status ? strrchr(status, ' ') : NULL;

	if (!state)
		return false;
	for (size_t i = 0; rec_states[i]; i++)
		if (strcmp(state + 1, rec_states[i]) == 0)
			return true;
	return false;
}

static const struct ord_debinfo *rec_find_deb(struct rec *r,
					      const struct rec_pkg *p)
{
	for (size_t i = 0; i < r->in->n_debs; i++) {
		const struct ord_debinfo *d = r->in->debs[i];

		if (strcmp(d->name, p->package) == 0 &&
		    strcmp(d->version, p->version) == 0 &&
		    strcmp(d->arch, p->arch) == 0)
			return d;
	}
	return NULL;
}

static int rec_pkg_add(struct rec *r, char *package, char *version, char *arch,
		       char *multiarch)
{
	struct rec_pkg *np, *p;
	bool same = multiarch && strcmp(multiarch, "same") == 0;

	np = realloc(r->pkgs, (r->n_pkgs + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	r->pkgs = np;
	p = &np[r->n_pkgs++];
	memset(p, 0, sizeof(*p));
	p->package = package;
	p->version = version;
	p->arch = arch;
	if (same) {
		if (asprintf(&p->name, "%s:%s", package, arch) < 0)
			p->name = NULL;
	} else {
		p->name = strdup(package);
	}
	if (asprintf(&p->listfile, "var/lib/dpkg/info/%s.list", p->name) < 0)
		p->listfile = NULL;
	if (!p->name || !p->listfile)
		return -ENOMEM;
	p->deb = rec_find_deb(r, p);
	return 0;
}

/* Installed packages from the status file. */
static int rec_status(struct rec *r)
{
	char *text, *line, *pkg = NULL, *ver = NULL, *arch = NULL, *ma = NULL,
			   *status = NULL;
	size_t len;
	int err = 0;

	text = rec_read(r, "var/lib/dpkg/status", &len);
	if (!text)
		return rec_fail(r, -errno, "cannot read dpkg's status: %s",
				strerror(errno));
	for (line = text;; line = strchr(line, '\n') + 1) {
		bool end = *line == '\n' || *line == '\0';
		char *v;

		if (end && pkg) {
			if (rec_state_has_files(status) && ver && arch) {
				err = rec_pkg_add(r, pkg, ver, arch, ma);
				pkg = ver = arch = NULL;
			}
			free(pkg);
			free(ver);
			free(arch);
			free(ma);
			free(status);
			pkg = ver = arch = ma = status = NULL;
			if (err < 0)
				break;
		}
		if (*line == '\0' || !strchr(line, '\n'))
			break;
		if ((v = rec_field(line, "Package"))) {
			free(pkg);
			pkg = v;
		} else if ((v = rec_field(line, "Version"))) {
			free(ver);
			ver = v;
		} else if ((v = rec_field(line, "Architecture"))) {
			free(arch);
			arch = v;
		} else if ((v = rec_field(line, "Multi-Arch"))) {
			free(ma);
			ma = v;
		} else if ((v = rec_field(line, "Status"))) {
			free(status);
			status = v;
		}
	}
	free(pkg);
	free(ver);
	free(arch);
	free(ma);
	free(status);
	free(text);
	return err;
}

/* Each package's list, canonical, and the owners table. */
static int rec_lists(struct rec *r)
{
	for (size_t i = 0; i < r->n_pkgs; i++) {
		struct rec_pkg *p = &r->pkgs[i];
		char *text, *line, *save = NULL;
		size_t len, k = 0;

		text = rec_read(r, p->listfile, &len);
		if (!text) {
			if (errno == ENOENT)
				continue; /* dpkg -s says installed, no list */
			return rec_fail(r, -errno, "cannot read %s: %s",
					p->listfile, strerror(errno));
		}
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char buf[ALIASDB_PATH_MAX];

			if (line[0] != '/' ||
			    !rec_canon(r, line, buf, sizeof(buf)))
				continue;
			if (ord_strv_push(&p->paths, &p->n_paths, buf) < 0) {
				free(text);
				return -ENOMEM;
			}
		}
		free(text);
		if (p->n_paths > 1)
			qsort(p->paths, p->n_paths, sizeof(char *), rec_strcmp);
		/* Unique: the view lists every spelling of a path. */
		for (size_t j = 0; j < p->n_paths; j++) {
			if (k > 0 &&
			    strcmp(p->paths[k - 1], p->paths[j]) == 0) {
				free(p->paths[j]);
				continue;
			}
			p->paths[k++] = p->paths[j];
		}
		p->n_paths = k;
	}
	for (size_t i = 0; i < r->n_pkgs; i++) {
		struct rec_owner *no;

		no = realloc(r->owners, (r->n_owners + r->pkgs[i].n_paths + 1) *
						sizeof(*no));
		if (!no)
			return -ENOMEM;
		r->owners = no;
		for (size_t j = 0; j < r->pkgs[i].n_paths; j++) {
			no[r->n_owners].path = r->pkgs[i].paths[j];
			no[r->n_owners].pkg = r->pkgs[i].name;
			r->n_owners++;
		}
	}
	return 0;
}

static int rec_owner_cmp(const void *a, const void *b)
{
	const struct rec_owner *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : strcmp(x->pkg, y->pkg);
}

static int rec_diversions(struct rec *r)
{
	char *text, *lines[3], *save = NULL;
	size_t len;
	int k = 0;

	text = rec_read(r, "var/lib/dpkg/diversions", &len);
	if (!text)
		return errno == ENOENT ? 0
				       : rec_fail(r, -errno,
						  "cannot read diversions: %s",
						  strerror(errno));
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		lines[k++] = l;
		if (k < 3)
			continue;
		k = 0;
		{
			char from[ALIASDB_PATH_MAX], to[ALIASDB_PATH_MAX];
			struct rec_diversion *nd;

			if (!rec_canon(r, lines[0], from, sizeof(from)) ||
			    !rec_canon(r, lines[1], to, sizeof(to)))
				continue;
			nd = realloc(r->divs, (r->n_divs + 1) * sizeof(*nd));
			if (!nd) {
				free(text);
				return -ENOMEM;
			}
			r->divs = nd;
			nd[r->n_divs].from = strdup(from);
			nd[r->n_divs].to = strdup(to);
			nd[r->n_divs].by = strdup(lines[2]);
			r->n_divs++;
		}
	}
	free(text);
	return 0;
}

/* Where @pkg's file @path is: diverted away unless @pkg diverts it. */
static const char *rec_location(struct rec *r, const struct rec_pkg *p,
				const char *path)
{
	for (size_t i = 0; i < r->n_divs; i++)
		if (r->divs[i].from && strcmp(r->divs[i].from, path) == 0 &&
		    (!r->divs[i].by || strcmp(r->divs[i].by, p->package) != 0))
			return r->divs[i].to ? r->divs[i].to : path;
	return path;
}

static bool rec_reported(struct rec *r, const char *path)
{
	for (size_t i = 0; i < r->in->n_reported; i++) {
		char buf[ALIASDB_PATH_MAX];

		if (rec_canon(r, r->in->reported[i], buf, sizeof(buf)) &&
		    strcmp(buf, path) == 0)
			return true;
	}
	return false;
}

static bool rec_has(char **v, size_t n, const char *s)
{
	return n > 0 && bsearch(&s, v, n, sizeof(char *), rec_strcmp);
}

static int rec_push_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	return ord_strv_push(v, n, s);
}

static int rec_verdicts(struct rec *r)
{
	struct ord_side *s = r->side;
	int err = 0;

	for (size_t i = 0; i < r->n_pkgs && err == 0; i++) {
		const struct rec_pkg *p = &r->pkgs[i];

		for (size_t j = 0; j < p->n_paths && err == 0; j++) {
			const char *at = rec_location(r, p, p->paths[j]);
			struct stat st;

			int e = rec_lstat(r, at, &st);

			if (e == -ENOENT || e == -ENOTDIR)
				err = rec_push_unique(&s->lost, &s->n_lost,
						      p->paths[j]);
		}
		if (!p->deb)
			continue;
		for (size_t j = 0; j < p->deb->n_members && err == 0; j++) {
			const struct ord_deb_member *m = &p->deb->members[j];
			char buf[ALIASDB_PATH_MAX];
			const struct ord_file *f;
			const char *c;
			bool same;

			if (m->type != 'f' && m->type != 'l')
				continue;
			c = rec_canon(r, m->path, buf, sizeof(buf));
			/* Not p's any more (taken over with Replaces):
			 * nothing p may expect there. */
			if (!c || !rec_has(p->paths, p->n_paths, c))
				continue;
			f = rec_file(r, rec_location(r, p, c));
			if (!f)
				continue; /* absent: lost, above */
			same = m->type == 'f'
				       ? f->type == 'f' && f->sha256 &&
						 strcmp(f->sha256, m->sha256) ==
							 0
				       : f->type == 'l' && f->target &&
						 strcmp(f->target, m->target) ==
							 0;
			if (!same && !rec_reported(r, c))
				err = rec_push_unique(&s->overwritten,
						      &s->n_overwritten, c);
		}
	}
	if (s->n_lost > 1)
		qsort(s->lost, s->n_lost, sizeof(char *), rec_strcmp);
	if (s->n_overwritten > 1)
		qsort(s->overwritten, s->n_overwritten, sizeof(char *),
		      rec_strcmp);
	return err;
}

static int rec_owners_to_files(struct rec *r)
{
	size_t k = 0;

	if (r->n_owners > 1)
		qsort(r->owners, r->n_owners, sizeof(*r->owners),
		      rec_owner_cmp);
	for (size_t i = 0; i < r->side->n_files; i++) {
		struct ord_file *f = &r->side->files[i];
		int c = -1;

		while (k < r->n_owners &&
		       (c = strcmp(r->owners[k].path, f->path)) < 0)
			k++;
		for (;
		     k < r->n_owners && strcmp(r->owners[k].path, f->path) == 0;
		     k++)
			if (ord_strv_push(&f->owners, &f->n_owners,
					  r->owners[k].pkg) < 0)
				return -ENOMEM;
		(void)c;
	}
	return 0;
}

static int rec_audit(struct rec *r)
{
	char *root_opt = NULL;
	int fd, rc, e;

	if (asprintf(&root_opt, "--root=%s", r->in->root) < 0)
		return -ENOMEM;
	{
		char *argv[] = {"dpkg", root_opt, "--audit", NULL};
		struct ord_proc_opts o = {
			.argv = argv, .envp = r->in->envp, .deathsig = SIGKILL};

		fd = memfd_create("aliasctl-audit", MFD_CLOEXEC);
		if (fd < 0) {
			free(root_opt);
			return -errno;
		}
		o.out_fd = fd;
		e = ord_proc_run(&o, r->in->timeout_ms, &rc);
	}
	free(root_opt);
	if (e < 0) {
		close(fd);
		return rec_fail(r, e, "dpkg --audit: %s", strerror(-e));
	}
	e = ord_proc_output(fd, 1024 * 1024, &r->side->audit);
	if (e < 0)
		return e;
	r->side->audit_rc = rc;
	return 0;
}

int ord_record(const struct ord_record_in *in, struct ord_side *side,
	       char **ret_why)
{
	struct rec r = {.in = in, .side = side, .rootfd = -1};
	int err;

	*ret_why = NULL;
	r.rootfd = open(in->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.rootfd < 0) {
		err = rec_fail(&r, -errno, "cannot open %s: %s", in->root,
			       strerror(errno));
		goto out;
	}
	err = in->db_dir ? rec_aliases_view(&r) : rec_aliases_plain(&r);
	if (err == 0)
		err = rec_walk(&r, dup(r.rootfd), "", 0);
	if (err == 0 && side->n_files > 1)
		qsort(side->files, side->n_files, sizeof(*side->files),
		      rec_file_cmp);
	if (err == 0)
		err = rec_status(&r);
	if (err == 0)
		err = rec_lists(&r);
	if (err == 0)
		err = rec_diversions(&r);
	if (err == 0)
		err = rec_owners_to_files(&r);
	if (err == 0)
		err = rec_verdicts(&r);
	if (err == 0)
		err = rec_audit(&r);
out:
	if (err < 0 && !r.why)
		rec_fail(&r, err, "recording %s: %s", in->root, strerror(-err));
	if (r.rootfd >= 0)
		close(r.rootfd);
	aliasdb_map_free(r.map);
	ord_strv_free(r.skip, r.n_skip);
	for (size_t i = 0; i < r.n_pkgs; i++) {
		free(r.pkgs[i].name);
		free(r.pkgs[i].package);
		free(r.pkgs[i].version);
		free(r.pkgs[i].arch);
		free(r.pkgs[i].listfile);
		ord_strv_free(r.pkgs[i].paths, r.pkgs[i].n_paths);
	}
	free(r.pkgs);
	free(r.owners);
	for (size_t i = 0; i < r.n_divs; i++) {
		free(r.divs[i].from);
		free(r.divs[i].to);
		free(r.divs[i].by);
	}
	free(r.divs);
	if (err < 0)
		*ret_why = r.why;
	else
		free(r.why);
	return err;
}

/* ---- dpkg's output -------------------------------------------------- */

static bool rec_starts_error(const char *line)
{
	return strncmp(line, "dpkg: error", 11) == 0 ||
	       strncmp(line, "dpkg-deb: error", 15) == 0 ||
	       strncmp(line, "dpkg: dependency problems", 25) == 0 ||
	       strncmp(line, "dpkg: unrecoverable", 19) == 0;
}

int ord_record_parse_output(const char *output, char ***errors,
			    size_t *n_errors, char ***reported,
			    size_t *n_reported)
{
	const char *line;

	/* Every mention of an overwrite, in any line. */
	for (const char *tw = output;
	     (tw = strstr(tw, "trying to overwrite '"));) {
		const char *p = tw + 21, *q = strchr(p, '\'');
		const char *nl = strchr(p, '\n');

		tw = p;
		if (!q || (nl && nl < q))
			continue;
		{
			char *path = strndup(p, (size_t)(q - p));

			if (!path ||
			    ord_strv_push(reported, n_reported, path) < 0) {
				free(path);
				return -ENOMEM;
			}
			free(path);
		}
	}
	for (line = output; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len > 0 && rec_starts_error(line)) {
			/* The message: this line after "dpkg: " and the
			 * indented lines that follow. */
			char *msg = NULL;
			size_t mlen = 0;
			FILE *f = open_memstream(&msg, &mlen);
			const char *colon = memchr(line, ':', len);
			const char *start = colon ? colon + 2 : line;

			if (!f)
				return -ENOMEM;
			if (start > line + len)
				start = line + len;
			fwrite(start, 1, len - (size_t)(start - line), f);
			while (nl && nl[1] == ' ') {
				const char *l2 = nl + 1;
				const char *nl2 = strchr(l2, '\n');
				size_t len2 =
					nl2 ? (size_t)(nl2 - l2) : strlen(l2);

				/* dpkg indents continuation lines with one
				 * space; deeper ones tell dependency
				 * chains. */
				while (len2 > 0 && *l2 == ' ') {
					l2++;
					len2--;
				}
				fputc(' ', f);
				fwrite(l2, 1, len2, f);
				nl = nl2;
			}
			if (fclose(f) != 0) {
				free(msg);
				return -ENOMEM;
			}
			if (ord_strv_push(errors, n_errors, msg) < 0) {
				free(msg);
				return -ENOMEM;
			}
			free(msg);
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}
