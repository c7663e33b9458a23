/*
 * The revert planner: split a merged tree back by its dpkg database.
 *
 * Each entry under a canonical directory goes to the spelling its
 * packages list it under, read raw from var/lib/dpkg (the backing keeps
 * what dpkg wrote): the info/PACKAGE.list files, both sides of each
 * diversion, and the links in alternatives/. An entry listed under both spellings (two
 * packages) is on both sides after the revert: a copy (a hard link when
 * the original tree had one inode there). Where dpkg says nothing, the
 * record of the last convert of this tree says how the original held it;
 * where that says nothing either, an entry follows its directory (so the
 * untracked files of a directory dpkg lists only under the alias
 * spelling, such as kernel module indexes, go with it) and otherwise
 * stays canonical. A directory whose whole content goes to the alias side
 * moves as one rename. An alias that was a symlink before the convert
 * stays one.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert-internal.h"
#include "dpkg-claims-internal.h"

/* An entry the last convert moved into the quarantine, to put back. */
struct split_back {
	char *original; /* where it was: alias or canonical spelling */
	char *canonical;
	const char *rel; /* in the quarantine (the origin's text) */
	const char *alias;
	bool alias_side;
	uint64_t ino;
};

struct split_node {
	char *name;
	struct stat st;
	const struct cv_origin *o;
	bool to_alias, to_canon; /* where this entry itself goes */
	bool sub_alias;		 /* something here or below needs the alias
				  * side */
	bool sub_canon;		 /* something here or below stays */
	bool whole;		 /* a directory that moves as one */
	const struct split_back *back; /* comes back from the quarantine */
	struct split_node *kids;
	size_t n_kids;
};

struct split {
	struct aliasdb_plan *p;
	const struct aliasdb_map *map;
	int tree_fd;
	struct dpkg_set want_alias; /* canonical paths listed by an alias
				     * spelling */
	struct dpkg_set want_canon; /* canonical paths listed as such */
	struct dpkg_set walk;	    /* directories with something for the
				     * alias side below them */
	struct cv_origin *origins;
	size_t n_origins;
	struct split_back *backs;
	size_t n_backs;
	bool have_dpkg;
};

/* ---- what dpkg lists ------------------------------------------------------ */

/* Add the ancestors of canonical @c (and @c) to the walk set. */
static int split_walk_add(struct split *s, const char *c)
{
	size_t n = strlen(c);
	int r;

	while (n > 1) {
		r = dpkg_set_add(&s->walk, c, n);
		if (r <= 0)
			return r; /* present: so are its ancestors */
		while (n > 0 && c[n - 1] != '/')
			n--;
		if (n > 1)
			n--;
	}
	return 0;
}

/* One path as dpkg wrote it. */
static int split_want(struct split *s, const char *path, size_t len)
{
	char raw[ALIASDB_PATH_MAX], norm[ALIASDB_PATH_MAX],
		canon[ALIASDB_PATH_MAX];
	ssize_t n;
	int r;

	if (len == 0 || len >= sizeof(raw) || path[0] != '/')
		return 0;
	memcpy(raw, path, len);
	raw[len] = '\0';
	if (aliasdb_path_normalize(raw, norm, sizeof(norm)) < 0 ||
	    strcmp(norm, "/") == 0)
		return 0;
	n = aliasdb_map_canon(s->map, norm, canon, sizeof(canon));
	if (n < 0)
		return 0;
	if (strcmp(canon, norm) == 0)
		return dpkg_set_add(&s->want_canon, canon, (size_t)n) < 0
			       ? -ENOMEM
			       : 0;
	r = dpkg_set_add(&s->want_alias, canon, (size_t)n);
	if (r < 0)
		return r;
	return split_walk_add(s, canon);
}

/* Each line of @text, or with @pick the lines whose number (0-based)
 * @pick accepts. */
static int split_lines(struct split *s, const char *text, size_t len,
		       bool (*pick)(size_t line, const char *l, size_t n,
				    void *state),
		       void *state)
{
	size_t line = 0, pos = 0;
	int r = 0;

	while (r == 0 && pos < len) {
		const char *l = text + pos, *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;

		if (!pick || pick(line, l, n, state))
			r = split_want(s, l, n);
		pos += n + 1;
		line++;
	}
	return r;
}

/* diversions: "from", "to", "package" lines: both paths. */
static bool split_pick_diversion(size_t line, const char *l, size_t n,
				 void *state)
{
	(void)l;
	(void)n;
	(void)state;
	return line % 3 != 2;
}

/* alternatives/NAME: mode, master link, then slave name/link pairs up to
 * a blank line. */
static bool split_pick_alternative(size_t line, const char *l, size_t n,
				   void *state)
{
	bool *done = state;

	(void)l;
	if (*done)
		return false;
	if (line >= 2 && n == 0) {
		*done = true;
		return false;
	}
	return line == 1 || (line >= 3 && line % 2 == 1);
}

static int split_read_dir(struct split *s, const char *dir, const char *suffix,
			  bool (*pick)(size_t, const char *, size_t, void *))
{
	char **names = NULL;
	size_t n = 0, sl = suffix ? strlen(suffix) : 0;
	int dfd, r;

	dfd = cv_open_dir(s->tree_fd, dir);
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0)
		return dfd;
	r = aliasdb_dir_names(dfd, &names, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		size_t nl = strlen(names[i]);
		bool done = false;
		char *text;
		size_t len;

		if (suffix && (nl <= sl || strcmp(names[i] + nl - sl, suffix)))
			continue;
		if (aliasdb_read_file_at(dfd, names[i], SIZE_MAX, &text, &len) <
		    0)
			continue;
		s->have_dpkg = true;
		r = split_lines(s, text, len, pick, &done);
		free(text);
	}
	aliasdb_dir_names_free(names, n);
	close(dfd);
	return r;
}

static int split_read_dpkg(struct split *s)
{
	char *text;
	size_t len;
	int fd, r;

	r = split_read_dir(s, "/var/lib/dpkg/info", ".list", NULL);
	if (r == 0)
		r = split_read_dir(s, "/var/lib/dpkg/alternatives", NULL,
				   split_pick_alternative);
	if (r < 0)
		return r;
	fd = cv_open_dir(s->tree_fd, "/var/lib/dpkg");
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	if (aliasdb_read_file_at(fd, "diversions", SIZE_MAX, &text, &len) ==
	    0) {
		r = split_lines(s, text, len, split_pick_diversion, NULL);
		free(text);
	}
	close(fd);
	return r;
}

/* ---- deciding ---------------------------------------------------------------- */

static void split_node_clear(struct split_node *n)
{
	for (size_t i = 0; i < n->n_kids; i++)
		split_node_clear(&n->kids[i]);
	free(n->kids);
	free(n->name);
}

static bool split_has(const struct dpkg_set *set, const char *c)
{
	return set->slots && dpkg_set_has(set, c, strlen(c));
}

/* Where entry @c goes by itself (not counting what lies below it). */
static void split_place(struct split *s, struct split_node *n, const char *c,
			bool parent_alias)
{
	bool da = split_has(&s->want_alias, c),
	     dc = split_has(&s->want_canon, c);
	bool dir = S_ISDIR(n->st.st_mode);
	const struct cv_origin *o = n->o;

	if (da || dc) {
		n->to_alias = da;
		n->to_canon = dc;
		/* The original had both: dpkg lists one of two copies. */
		if (o && (o->kind == CV_O_DUP || o->kind == CV_O_DUP_LINKED ||
			  (dir && o->kind == CV_O_DIR)))
			n->to_alias = n->to_canon = true;
		return;
	}
	if (o) {
		switch (o->kind) {
		case CV_O_MOVED:
		case CV_O_MOVED_WHOLE:
		case CV_O_CANON_LINK:
			n->to_alias = true;
			return;
		case CV_O_DUP:
		case CV_O_DUP_LINKED:
		case CV_O_DIR:
			n->to_alias = n->to_canon = true;
			return;
		case CV_O_ALIAS_LINK:
			n->to_canon = true;
			return;
		default:
			break;
		}
	}
	n->to_alias = parent_alias;
	n->to_canon = !parent_alias;
}

static const struct split_back *split_back_find(const struct split *s,
						const char *c)
{
	for (size_t i = 0; i < s->n_backs; i++)
		if (strcmp(s->backs[i].canonical, c) == 0)
			return &s->backs[i];
	return NULL;
}

/* Decide @n (at canonical @c) and, for a directory worth it, below. */
static int split_decide(struct split *s, struct split_node *n, const char *c,
			bool parent_alias)
{
	char **names = NULL;
	size_t count = 0;
	int fd, r = 0;

	n->o = cv_origin_find(s->origins, s->n_origins, c);
	n->back = split_back_find(s, c);
	split_place(s, n, c, parent_alias);
	if (n->back) {
		/* The quarantined side takes its place back; what the tree
		 * holds now goes to the other side. */
		n->to_alias = !n->back->alias_side;
		n->to_canon = n->back->alias_side;
	}
	n->sub_alias = n->to_alias;
	n->sub_canon = n->to_canon;
	if (n->o && n->o->kind == CV_O_CANON_LINK && !n->to_canon)
		n->sub_canon = true; /* the symlink comes back */
	if (n->o && n->o->kind == CV_O_ALIAS_LINK && !n->to_alias)
		n->sub_alias = true;
	if (!S_ISDIR(n->st.st_mode))
		return 0;
	if (!n->to_alias && !split_has(&s->walk, c))
		return 0; /* nothing below goes anywhere */
	if (n->st.st_dev != (dev_t)s->p->tree_dev)
		return cv_plan_item(s->p, ALIASDB_PLAN_CONFLICT, c, NULL,
				    "a mount point: renames cannot cross "
				    "file systems");
	fd = cv_open_dir(s->tree_fd, c);
	if (fd < 0)
		return fd;
	r = aliasdb_dir_names(fd, &names, &count);
	if (r == 0 && count) {
		n->kids = calloc(count, sizeof(*n->kids));
		if (!n->kids)
			r = -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < count; i++) {
		struct split_node *k = &n->kids[i];
		char *kc = cv_join(c, names[i]);

		if (!kc) {
			r = -ENOMEM;
			break;
		}
		k->name = names[i];
		names[i] = NULL;
		n->n_kids++;
		if (fstatat(fd, k->name, &k->st, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
		else
			r = split_decide(s, k, kc, n->to_alias && !n->to_canon);
		free(kc);
		if (r == 0) {
			n->sub_alias |= k->sub_alias ||
					(k->back && k->back->alias_side);
			n->sub_canon |= k->sub_canon ||
					(k->back && !k->back->alias_side);
		}
	}
	aliasdb_dir_names_free(names, count);
	close(fd);
	if (r == 0 && n->back && n->back->alias_side && n->sub_alias) {
		/* Something now goes where the quarantined entry was. */
		r = cv_plan_item(s->p, ALIASDB_PLAN_NOTE, n->back->original,
				 n->back->rel,
				 "stays in the quarantine: its place is taken");
		n->back = NULL;
	}
	n->whole = n->sub_alias && !n->sub_canon;
	return r;
}

/* ---- emitting steps ----------------------------------------------------------- */

/* A symlink recreated at @at (tree path) from origin @o, after what held
 * that name moved away. */
static int split_relink(struct split *s, const struct cv_origin *o,
			const char *at)
{
	struct stat meta = {.st_uid = o->uid, .st_gid = o->gid};
	char *tmp;
	int r;

	r = cv_plan_staging_name(s->p, "link", &tmp);
	if (r < 0)
		return r;
	r = cv_plan_step(s->p, CV_SYMLINK, CV_B_PREP, CV_TREE, NULL, CV_TREE,
			 tmp, 0, &meta, o->text, NULL, 0);
	if (r == 0)
		r = cv_plan_step(s->p, CV_MOVE, CV_B_FILL, CV_TREE, tmp,
				 CV_TREE, at, 0, NULL, NULL, NULL, 0);
	if (r == 0)
		r = cv_plan_item(s->p, ALIASDB_PLAN_SYMLINK, at, NULL, o->text);
	free(tmp);
	return r;
}

/* The mode and owner a new alias-side directory gets. */
static struct stat split_dir_meta(const struct split_node *n)
{
	struct stat meta = n->st;

	if (n->o && n->o->kind == CV_O_DIR) {
		meta.st_mode = (meta.st_mode & S_IFMT) | n->o->mode;
		meta.st_uid = n->o->uid;
		meta.st_gid = n->o->gid;
	}
	return meta;
}

/* Put the quarantined entry @b back at its place. */
static int split_unquarantine(struct split *s, const struct split_back *b)
{
	int r;

	r = cv_plan_step(s->p, CV_MOVE, CV_B_FILL, CV_QUARANTINE, b->rel,
			 CV_TREE, b->original, b->ino, NULL, NULL, b->alias, 0);
	return r ? r
		 : cv_plan_item(s->p, ALIASDB_PLAN_MOVE, b->rel, b->original,
				"back from the quarantine");
}

/* A copy (or hard link) of @c made in staging: its staging path. */
static int split_copy(struct split *s, const char *c, bool linked,
		      char **ret_tmp)
{
	int r;

	r = cv_plan_staging_name(s->p, "copy", ret_tmp);
	if (r == 0)
		r = cv_plan_step(s->p, linked ? CV_LINK : CV_COPY, CV_B_PREP,
				 CV_TREE, c, CV_TREE, *ret_tmp, 0, NULL, NULL,
				 NULL, 0);
	return r;
}

/* Emit @n, at canonical @c, alias spelling @a. @skel: where @a's new
 * directory is built in staging (NULL: not a new directory). */
static int split_emit(struct split *s, const struct split_node *n,
		      const char *c, const char *a, const char *skel)
{
	int kind = n->o ? n->o->kind : 0;
	int r = 0;

	if (n->back) {
		r = split_unquarantine(s, n->back);
		if (r < 0)
			return r;
	}

	if (S_ISDIR(n->st.st_mode) && n->whole) {
		r = cv_plan_step(s->p, CV_MOVE, CV_B_MOVE, CV_TREE, c, CV_TREE,
				 a, n->st.st_ino, NULL, NULL, NULL, 0);
		return r ? r
			 : cv_plan_item(s->p, ALIASDB_PLAN_MOVE, c, a, NULL);
	}
	if (S_ISDIR(n->st.st_mode)) {
		struct stat meta = split_dir_meta(n);

		if (!n->sub_alias)
			return 0;
		r = cv_plan_step(s->p, CV_MKDIR, CV_B_PREP, CV_TREE, NULL,
				 CV_TREE, skel, 0, &meta, NULL, NULL, 0);
		if (r == 0)
			r = cv_plan_item(s->p, ALIASDB_PLAN_MKDIR, a, NULL,
					 NULL);
		for (size_t i = 0; r == 0 && i < n->n_kids; i++) {
			const struct split_node *k = &n->kids[i];
			char *kc = cv_join(c, k->name),
			     *ka = cv_join(a, k->name);
			char *ks = cv_join(skel, k->name);

			if (!kc || !ka || !ks)
				r = -ENOMEM;
			else
				r = split_emit(s, k, kc, ka, ks);
			free(kc);
			free(ka);
			free(ks);
		}
		return r;
	}
	if (n->to_alias && n->to_canon && kind == CV_O_ALIAS_LINK &&
	    n->o->text) {
		/* The alias side was a symlink to this one. */
		r = split_relink(s, n->o, a);
	} else if (n->to_alias && n->to_canon && kind == CV_O_CANON_LINK &&
		   n->o->text) {
		/* The canonical side was a symlink to this one. */
		r = cv_plan_step(s->p, CV_MOVE, CV_B_MOVE, CV_TREE, c, CV_TREE,
				 a, n->st.st_ino, NULL, NULL, NULL, 0);
		if (r == 0)
			r = cv_plan_item(s->p, ALIASDB_PLAN_MOVE, c, a, NULL);
		if (r == 0)
			r = split_relink(s, n->o, c);
	} else if (n->to_alias && n->to_canon && kind == CV_O_DUP_ALIAS_KEPT) {
		/* This inode was the alias side's (it has other names
		 * there); the canonical side gets the copy. */
		char *tmp = NULL;

		r = split_copy(s, c, false, &tmp);
		if (r == 0)
			r = cv_plan_step(s->p, CV_MOVE, CV_B_MOVE, CV_TREE, c,
					 CV_TREE, a, n->st.st_ino, NULL, NULL,
					 NULL, 0);
		if (r == 0)
			r = cv_plan_step(s->p, CV_MOVE, CV_B_FILL, CV_TREE, tmp,
					 CV_TREE, c, 0, NULL, NULL, NULL, 0);
		if (r == 0)
			r = cv_plan_item(s->p, ALIASDB_PLAN_COPY, a, c,
					 "the same file under both spellings");
		free(tmp);
	} else if (n->to_alias && n->to_canon) {
		bool linked = kind == CV_O_DUP_LINKED;
		char *tmp = NULL;

		r = split_copy(s, c, linked, &tmp);
		if (r == 0)
			r = cv_plan_step(s->p, CV_MOVE, CV_B_MOVE, CV_TREE, tmp,
					 CV_TREE, a, 0, NULL, NULL, NULL, 0);
		if (r == 0)
			r = cv_plan_item(s->p,
					 linked ? ALIASDB_PLAN_LINK
						: ALIASDB_PLAN_COPY,
					 c, a, "under both spellings");
		free(tmp);
	} else if (n->to_alias) {
		r = cv_plan_step(s->p, CV_MOVE, CV_B_MOVE, CV_TREE, c, CV_TREE,
				 a, n->st.st_ino, NULL, NULL, NULL, 0);
		if (r == 0)
			r = cv_plan_item(s->p, ALIASDB_PLAN_MOVE, c, a, NULL);
	}
	if (r == 0 && kind == CV_O_CANON_LINK && !n->to_canon && n->o->text &&
	    !n->back)
		r = split_relink(s, n->o, c);
	if (r == 0 && kind == CV_O_ALIAS_LINK && !n->to_alias && n->o->text &&
	    !n->back)
		r = split_relink(s, n->o, a);
	return r;
}

/* Plan one alias @a -> @c. */
static int split_alias(struct split *s, const char *a, const char *c)
{
	const struct cv_origin *oc =
		cv_origin_find(s->origins, s->n_origins, c);
	char text[ALIASDB_PATH_MAX], target[ALIASDB_PATH_MAX];
	struct split_node root = {0};
	struct stat sa;
	char *old = NULL, *skel = NULL;
	int ra, r;

	r = cv_check_mounts(s->p, s->tree_fd, a, c);
	if (r < 0)
		return r;
	if (oc && oc->kind == CV_O_ALIAS_LINKED)
		return cv_plan_item(s->p, ALIASDB_PLAN_SKIP, a, c,
				    "a symlink already before the last "
				    "convert");
	ra = cv_lstat(s->tree_fd, a, &sa);
	if (ra < 0 && ra != -ENOENT)
		return ra;
	r = cv_lstat(s->tree_fd, c, &root.st);
	if (r == -ENOENT)
		return cv_plan_item(s->p, ALIASDB_PLAN_SKIP, a, c,
				    "no canonical directory");
	if (r < 0)
		return r;
	if (!S_ISDIR(root.st.st_mode))
		return cv_plan_item(s->p, ALIASDB_PLAN_SKIP, a, c,
				    "the canonical side is not a directory");
	if (ra == 0 && S_ISDIR(sa.st_mode))
		return cv_plan_item(s->p, ALIASDB_PLAN_SKIP, a, c,
				    "already a directory");
	if (ra == 0 && !S_ISLNK(sa.st_mode))
		return cv_plan_item(s->p, ALIASDB_PLAN_CONFLICT, a, c,
				    "neither a symlink nor a directory");
	if (ra == 0) {
		r = cv_readlink(s->tree_fd, a, text, sizeof(text));
		if (r == 0)
			r = cv_link_target(NULL, a, text, target,
					   sizeof(target));
		if (r < 0)
			return r;
		if (strcmp(target, c) != 0)
			return cv_plan_item(s->p, ALIASDB_PLAN_CONFLICT, a, c,
					    "a symlink to somewhere else");
		if (sa.st_dev != root.st.st_dev)
			return cv_plan_item(s->p, ALIASDB_PLAN_CONFLICT, a, c,
					    "on different file systems");
	}
	r = split_decide(s, &root, c, false);
	if (r < 0)
		goto out;
	if (ra == 0) {
		r = cv_plan_staging_name(s->p, "old", &old);
		if (r == 0)
			r = cv_plan_step(s->p, CV_MOVE, CV_B_SWAP1, CV_TREE, a,
					 CV_TREE, old, sa.st_ino, NULL, NULL,
					 NULL, 0);
		if (r < 0)
			goto out;
	}
	if (oc && oc->kind == CV_O_ALIAS_ABSENT && !root.sub_alias) {
		r = ra == 0 ? cv_plan_item(s->p, ALIASDB_PLAN_RMDIR, a, NULL,
					   "the symlink goes: no alias path "
					   "before the last convert")
			    : 0;
		goto out;
	}
	if (root.whole) {
		r = cv_plan_step(s->p, CV_MOVE, CV_B_SWAP2, CV_TREE, c, CV_TREE,
				 a, root.st.st_ino, NULL, NULL, NULL, 0);
		if (r == 0)
			r = cv_plan_item(s->p, ALIASDB_PLAN_MOVE, c, a,
					 "replaces the symlink");
		goto out;
	}
	/* The alias directory is built in staging and put in place whole,
	 * then the entries move into it. */
	root.sub_alias = true;
	r = cv_plan_staging_name(s->p, "dir", &skel);
	if (r == 0)
		r = split_emit(s, &root, c, a, skel);
	if (r == 0)
		r = cv_plan_step(s->p, CV_MOVE, CV_B_SWAP2, CV_TREE, skel,
				 CV_TREE, a, 0, NULL, NULL, NULL, 0);
out:
	split_node_clear(&root);
	free(old);
	free(skel);
	return r;
}

/*
 * The entries the last convert moved into the quarantine and that are
 * still there: revert puts them back. One that was the alias directory
 * itself stays (the alias becomes a directory).
 */
static int split_load_backs(struct split *s, struct aliasdb *db)
{
	size_t ql = strlen(CV_ORIGIN_Q);
	char q[ALIASDB_PATH_MAX], canon[ALIASDB_PATH_MAX];
	int qfd = -1, r = 0;

	if (!db || cv_quarantine_path(db, q, sizeof(q)) < 0)
		return 0;
	for (size_t i = 0; r == 0 && i < s->n_origins; i++) {
		const struct cv_origin *o = &s->origins[i];
		const char *orig = o->path + ql;
		struct split_back *b, *nb;
		struct stat st;
		int ai;

		if (strncmp(o->path, CV_ORIGIN_Q, ql) != 0 ||
		    o->kind != CV_O_QUARANTINED || !o->text)
			continue;
		if (qfd < 0) {
			qfd = open(q, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (qfd < 0)
				break;
		}
		if (cv_lstat(qfd, o->text, &st) < 0)
			continue; /* taken out of the quarantine since */
		ai = aliasdb_map_find_alias(s->map, orig);
		if ((ai >= 0 &&
		     strcmp(aliasdb_map_alias(s->map, ai), orig) == 0) ||
		    aliasdb_map_canon(s->map, orig, canon, sizeof(canon)) < 0) {
			r = cv_plan_item(s->p, ALIASDB_PLAN_NOTE, orig, o->text,
					 "stays in the quarantine: the alias "
					 "becomes a directory");
			continue;
		}
		nb = realloc(s->backs, (s->n_backs + 1) * sizeof(*nb));
		if (!nb) {
			r = -ENOMEM;
			break;
		}
		s->backs = nb;
		b = &s->backs[s->n_backs];
		memset(b, 0, sizeof(*b));
		b->original = strdup(orig);
		b->canonical = strdup(canon);
		if (!b->original || !b->canonical) {
			free(b->original);
			free(b->canonical);
			r = -ENOMEM;
			break;
		}
		b->rel = o->text;
		b->alias_side = ai >= 0;
		/* The alias the entry belongs to, for its quarantine
		 * record if a rollback puts it back there. */
		for (size_t k = 0; k < aliasdb_map_count(s->map); k++) {
			const char *c = aliasdb_map_canonical(s->map, k);
			size_t cl = strlen(c);

			if (strncmp(canon, c, cl) == 0 && canon[cl] == '/')
				b->alias = aliasdb_map_alias(s->map, k);
		}
		b->ino = st.st_ino;
		s->n_backs++;
	}
	if (qfd >= 0)
		close(qfd);
	return r;
}

int cv_plan_revert(struct aliasdb *db, const struct aliasdb_map *map,
		   int tree_fd, const struct aliasdb_convert_opts *opts,
		   struct aliasdb_plan *p)
{
	struct split s = {
		.p = p,
		.map = map,
		.tree_fd = tree_fd,
	};
	size_t n = aliasdb_map_count(map);
	struct cv_journal *j = NULL;
	int r;

	r = cv_plan_aliases_alloc(p, n);
	if (r < 0)
		return r;
	r = dpkg_set_init(&s.want_alias, 1024);
	if (r == 0)
		r = dpkg_set_init(&s.want_canon, 1024);
	if (r == 0)
		r = dpkg_set_init(&s.walk, 1024);
	if (r == 0 && db && !(opts->flags & ALIASDB_REVERT_DPKG_ONLY)) {
		r = cv_journal_open(db, false, &j);
		if (r == 0)
			r = cv_journal_origins(j, &s.origins, &s.n_origins);
		else if (r == -ENOENT)
			r = 0;
		cv_journal_close(j);
	}
	if (r == 0)
		r = split_load_backs(&s, db);
	for (size_t i = 0; r == 0 && i < s.n_origins; i++)
		if (strncmp(s.origins[i].path, CV_ORIGIN_Q,
			    strlen(CV_ORIGIN_Q)) != 0)
			r = split_walk_add(&s, s.origins[i].path);
	for (size_t i = 0; r == 0 && i < s.n_backs; i++)
		r = split_walk_add(&s, s.backs[i].canonical);
	if (r == 0)
		r = split_read_dpkg(&s);
	if (r == 0 && !s.have_dpkg)
		r = cv_plan_item(p, ALIASDB_PLAN_NOTE, "/var/lib/dpkg", NULL,
				 s.n_origins ? "no dpkg database: entries go "
					       "where the last convert found "
					       "them"
					     : "no dpkg database and no record "
					       "of a convert: every entry "
					       "stays canonical");
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = cv_plan_add_alias(p, aliasdb_map_alias(map, i));
		if (r == 0)
			r = split_alias(&s, aliasdb_map_alias(map, i),
					aliasdb_map_canonical(map, i));
	}
	dpkg_set_free(&s.want_alias);
	dpkg_set_free(&s.want_canon);
	dpkg_set_free(&s.walk);
	for (size_t i = 0; i < s.n_backs; i++) {
		free(s.backs[i].original);
		free(s.backs[i].canonical);
	}
	free(s.backs);
	cv_origins_free(s.origins, s.n_origins);
	return r;
}
