/*
 * Plans for convert and revert: the plan object, what both planners need
 * to look at a tree (never following a symlink in it), and the origins
 * list the journal reads back. Below both
 * planners (convert-merge.c, revert-split.c) and the journal; the entry
 * point that picks the planner is convert-planner.c.
 */
#define _GNU_SOURCE
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert-internal.h"
#include "sync-internal.h"

/* ---- the plan object ------------------------------------------------------ */

int cv_plan_new(int op, struct aliasdb_plan **ret_plan)
{
	struct aliasdb_plan *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->op = op;
	*ret_plan = p;
	return 0;
}

static void cv_step_clear(struct cv_step *s)
{
	free(s->src);
	free(s->dst);
	free(s->text);
	free(s->alias);
}

void aliasdb_plan_free(struct aliasdb_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_steps; i++)
		cv_step_clear(&plan->steps[i]);
	free(plan->steps);
	for (size_t i = 0; i < plan->n_items; i++) {
		free(plan->items[i].path);
		free(plan->items[i].other);
		free(plan->items[i].detail);
	}
	free(plan->items);
	cv_origins_free(plan->origins, plan->n_origins);
	for (size_t i = 0; i < plan->n_aliases; i++)
		free(plan->aliases[i]);
	free(plan->aliases);
	free(plan->prev_states);
	free(plan);
}

const struct aliasdb_plan_item *
aliasdb_plan_items(const struct aliasdb_plan *plan, size_t *ret_n)
{
	*ret_n = plan->n_items;
	return plan->items;
}

size_t aliasdb_plan_conflicts(const struct aliasdb_plan *plan)
{
	return plan->n_conflicts;
}

size_t aliasdb_plan_steps(const struct aliasdb_plan *plan)
{
	return plan->n_steps;
}

const char *aliasdb_plan_kind_name(enum aliasdb_plan_kind kind)
{
	switch (kind) {
	case ALIASDB_PLAN_MOVE:
		return "move";
	case ALIASDB_PLAN_MERGE:
		return "merge";
	case ALIASDB_PLAN_DEDUP:
		return "dedup";
	case ALIASDB_PLAN_DROP_LINK:
		return "drop-link";
	case ALIASDB_PLAN_REPLACE_LINK:
		return "replace-link";
	case ALIASDB_PLAN_QUARANTINE:
		return "quarantine";
	case ALIASDB_PLAN_SYMLINK:
		return "symlink";
	case ALIASDB_PLAN_MKDIR:
		return "mkdir";
	case ALIASDB_PLAN_COPY:
		return "copy";
	case ALIASDB_PLAN_LINK:
		return "link";
	case ALIASDB_PLAN_RMDIR:
		return "rmdir";
	case ALIASDB_PLAN_SKIP:
		return "skip";
	case ALIASDB_PLAN_NOTE:
		return "note";
	case ALIASDB_PLAN_CONFLICT:
		return "conflict";
	}
	return "?";
}

static int dup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (s && !(*ret = strdup(s)))
		return -ENOMEM;
	return 0;
}

int cv_plan_step(struct aliasdb_plan *p, uint8_t kind, uint8_t batch,
		 uint8_t src_root, const char *src, uint8_t dst_root,
		 const char *dst, uint64_t ino, const struct stat *meta,
		 const char *text, const char *alias, uint32_t flags)
{
	struct cv_step *s;

	if (p->n_steps == p->cap_steps) {
		size_t ncap = p->cap_steps ? p->cap_steps * 2 : 64;

		s = realloc(p->steps, ncap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		p->steps = s;
		p->cap_steps = ncap;
	}
	s = &p->steps[p->n_steps];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->batch = batch;
	s->src_root = src_root;
	s->dst_root = dst_root;
	s->flags = flags;
	s->ino = ino;
	if (meta) {
		s->mode = meta->st_mode & 07777;
		s->uid = meta->st_uid;
		s->gid = meta->st_gid;
	}
	if (dup_or_null(src, &s->src) < 0 || dup_or_null(dst, &s->dst) < 0 ||
	    dup_or_null(text, &s->text) < 0 ||
	    dup_or_null(alias, &s->alias) < 0) {
		cv_step_clear(s);
		return -ENOMEM;
	}
	p->n_steps++;
	return 0;
}

int cv_plan_item(struct aliasdb_plan *p, enum aliasdb_plan_kind kind,
		 const char *path, const char *other, const char *detail)
{
	struct aliasdb_plan_item *it;

	if (p->n_items == p->cap_items) {
		size_t ncap = p->cap_items ? p->cap_items * 2 : 64;

		it = realloc(p->items, ncap * sizeof(*it));
		if (!it)
			return -ENOMEM;
		p->items = it;
		p->cap_items = ncap;
	}
	it = &p->items[p->n_items];
	it->kind = kind;
	if (dup_or_null(path, &it->path) < 0 ||
	    dup_or_null(other, &it->other) < 0 ||
	    dup_or_null(detail, &it->detail) < 0) {
		free(it->path);
		free(it->other);
		free(it->detail);
		return -ENOMEM;
	}
	p->n_items++;
	if (kind == ALIASDB_PLAN_CONFLICT)
		p->n_conflicts++;
	return 0;
}

int cv_plan_origin(struct aliasdb_plan *p, const char *path, uint8_t kind,
		   const struct stat *meta, const char *text)
{
	struct cv_origin *o;

	if (p->n_origins == p->cap_origins) {
		size_t ncap = p->cap_origins ? p->cap_origins * 2 : 64;

		o = realloc(p->origins, ncap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		p->origins = o;
		p->cap_origins = ncap;
	}
	o = &p->origins[p->n_origins];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	if (meta) {
		o->mode = meta->st_mode & 07777;
		o->uid = meta->st_uid;
		o->gid = meta->st_gid;
	}
	if (dup_or_null(path, &o->path) < 0 ||
	    dup_or_null(text, &o->text) < 0) {
		free(o->path);
		free(o->text);
		return -ENOMEM;
	}
	p->n_origins++;
	return 0;
}

int cv_plan_aliases_alloc(struct aliasdb_plan *p, size_t n)
{
	p->aliases = calloc(n ? n : 1, sizeof(*p->aliases));
	return p->aliases ? 0 : -ENOMEM;
}

int cv_plan_add_alias(struct aliasdb_plan *p, const char *alias)
{
	char *s = strdup(alias);

	if (!s)
		return -ENOMEM;
	p->aliases[p->n_aliases++] = s;
	return 0;
}

int cv_quarantine_path(struct aliasdb *db, char *buf, size_t size)
{
	const char *dir;

	if (mdb_env_get_path(db->env, &dir) != 0)
		return -EIO;
	if ((size_t)snprintf(buf, size, "%s/quarantine", dir) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int cv_plan_staging_name(struct aliasdb_plan *p, const char *what,
			 char **ret_path)
{
	if (asprintf(ret_path, "%s/%s%u", CV_STAGING, what, ++p->counter) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- looking at the tree -------------------------------------------------- */

char *cv_join(const char *dir, const char *name)
{
	char *s;

	if (asprintf(&s, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, name) < 0)
		return NULL;
	return s;
}

int cv_lstat(int root_fd, const char *path, struct stat *ret_st)
{
	const char *last;
	int pfd, r = 0;

	if (strcmp(path, "/") == 0)
		return fstat(root_fd, ret_st) < 0 ? -errno : 0;
	pfd = aliasdb_tree_open_parent(root_fd, path, &last);
	if (pfd < 0)
		return pfd;
	if (fstatat(pfd, last, ret_st, AT_SYMLINK_NOFOLLOW) < 0)
		r = errno == ENOTDIR ? -ENOENT : -errno;
	close(pfd);
	return r;
}

int cv_open_dir(int root_fd, const char *path)
{
	const char *last;
	int pfd, fd;

	if (strcmp(path, "/") == 0)
		fd = openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else {
		pfd = aliasdb_tree_open_parent(root_fd, path, &last);
		if (pfd < 0)
			return pfd;
		fd = openat(pfd, last,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(pfd);
	}
	return fd < 0 ? -errno : fd;
}

int cv_readlink(int root_fd, const char *path, char *buf, size_t size)
{
	const char *last;
	ssize_t n;
	int pfd, r = 0;

	pfd = aliasdb_tree_open_parent(root_fd, path, &last);
	if (pfd < 0)
		return pfd;
	n = readlinkat(pfd, last, buf, size - 1);
	if (n < 0)
		r = -errno;
	else
		buf[n] = '\0';
	close(pfd);
	return r;
}

int cv_link_target(const struct aliasdb_map *map, const char *at,
		   const char *text, char *buf, size_t size)
{
	char joined[2 * ALIASDB_PATH_MAX], norm[ALIASDB_PATH_MAX];
	const char *slash = strrchr(at, '/');
	size_t dlen = slash ? (size_t)(slash - at) : 0;
	ssize_t n;

	if (text[0] == '/') {
		n = aliasdb_path_normalize(text, norm, sizeof(norm));
	} else {
		if (dlen + 1 + strlen(text) + 1 > sizeof(joined))
			return -ENAMETOOLONG;
		memcpy(joined, at, dlen);
		joined[dlen] = '/';
		strcpy(joined + dlen + 1, text);
		n = aliasdb_path_normalize(joined, norm, sizeof(norm));
	}
	if (n < 0)
		return (int)n;
	if (!map) {
		if ((size_t)n >= size)
			return -ENAMETOOLONG;
		memcpy(buf, norm, (size_t)n + 1);
		return 0;
	}
	n = aliasdb_map_canon(map, norm, buf, size);
	return n < 0 ? (int)n : 0;
}

int cv_relative(const char *from, const char *to, char **ret_text)
{
	const char *slash = strrchr(from, '/');
	size_t dlen = slash ? (size_t)(slash - from) : 0, common = 0, i;
	size_t ups = 0, tlen = strlen(to);
	char *s, *q;

	/* The longest common prefix of from's directory and @to that ends
	 * on a component boundary. */
	for (i = 0; i <= dlen && i <= tlen; i++) {
		bool end_d = i == dlen || from[i] == '/';
		bool end_t = i == tlen || to[i] == '/';

		if (end_d && end_t)
			common = i;
		if (i == dlen || i == tlen || from[i] != to[i])
			break;
	}
	for (i = common; i < dlen; i++)
		if (from[i] == '/')
			ups++;
	s = malloc(3 * ups + tlen + 2);
	if (!s)
		return -ENOMEM;
	q = s;
	for (i = 0; i < ups; i++) {
		memcpy(q, "../", 3);
		q += 3;
	}
	if (to[common] == '/')
		common++;
	strcpy(q, to + common);
	if (*s == '\0')
		strcpy(s, ".");
	/* A trailing "/" after the last "../" would name the same place. */
	*ret_text = s;
	return 0;
}

/* ---- mount points ---------------------------------------------------------- */

/* Undo mountinfo's octal escapes (\040 for a blank) in place. */
static void cv_unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

static bool cv_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

int cv_check_mounts(struct aliasdb_plan *p, int tree_fd, const char *alias,
		    const char *canonical)
{
	char self[64], tree[ALIASDB_PATH_MAX], *line = NULL;
	char *full_a = NULL, *full_c = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int r = 0;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", tree_fd);
	n = readlink(self, tree, sizeof(tree) - 1);
	if (n <= 0)
		return 0; /* no /proc: the renames report EXDEV instead */
	tree[n] = '\0';
	if (asprintf(&full_a, "%s%s", strcmp(tree, "/") ? tree : "", alias) <
		    0 ||
	    asprintf(&full_c, "%s%s", strcmp(tree, "/") ? tree : "",
		     canonical) < 0) {
		free(full_a);
		return -ENOMEM;
	}
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		goto out;
	while (r == 0 && getline(&line, &cap, f) > 0) {
		char *field = line, *mp = NULL;

		/* id parent major:minor root MOUNT-POINT ... */
		for (int i = 0; i < 5 && field; i++) {
			mp = field;
			field = strchr(field, ' ');
			if (field)
				*field++ = '\0';
		}
		if (!field || !mp)
			continue;
		cv_unescape(mp);
		if (!cv_under(mp, tree) || strcmp(mp, tree) == 0)
			continue;
		/* Any mount point at or above an alias or its target, or
		 * inside either, separates what the renames join. */
		if (cv_under(mp, full_a) || cv_under(full_a, mp))
			r = cv_plan_item(p, ALIASDB_PLAN_CONFLICT, alias, mp,
					 "a mount point: renames cannot cross "
					 "file systems (unmount it first)");
		else if (cv_under(mp, full_c) || cv_under(full_c, mp))
			r = cv_plan_item(p, ALIASDB_PLAN_CONFLICT, canonical,
					 mp,
					 "a mount point: renames cannot cross "
					 "file systems (unmount it first)");
	}
	fclose(f);
out:
	free(line);
	free(full_a);
	free(full_c);
	return r;
}

/* ---- origins: what the journal recorded of a converted tree ------------- */

void cv_origins_free(struct cv_origin *list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++) {
		free(list[i].path);
		free(list[i].text);
	}
	free(list);
}

const struct cv_origin *cv_origin_find(const struct cv_origin *list, size_t n,
				       const char *path)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(list[mid].path, path);

		if (c == 0)
			return &list[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
