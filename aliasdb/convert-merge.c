/*
 * The convert planner: how each entry of an alias directory reaches its
 * canonical place, and what happens where both spellings hold something.
 *
 * Cases (A: the alias-side entry, C: the canonical one), in the order they
 * are tried; the cases usrmerge's convert-usrmerge resolves by itself are
 * resolved the same way here, without its copies:
 *  - C absent: A moves (a directory moves whole, one rename).
 *  - both directories: merged recursively; A's emptied directory goes.
 *  - the same file (aliasdb_entries_same() with ALIASDB_SAME_METADATA):
 *    one copy goes; the kept one is the one other hard links point to.
 *  - A is a symlink naming C: A goes (it would name itself).
 *  - C is a symlink naming A: A replaces it (convert-usrmerge: "S").
 *  - both symlinks naming the same target, spelled differently: A goes.
 *  - one side a dangling symlink, the other not: the dangling one goes to
 *    the quarantine (convert-usrmerge renames it to *.usrmerge-broken and
 *    then deletes it with the alias directory).
 *  - /lib/udev/hwdb.bin, which systemd-hwdb regenerates under /usr: the
 *    alias copy goes to the quarantine (convert-usrmerge deletes it).
 *  - anything else differs: a conflict, unless --prefer names the side
 *    that stays; the other goes to the quarantine.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "convert-internal.h"

/* Regenerated under /usr by its tools: the alias copy is stale. */
static const char *const merge_generated[] = {
	"/lib/udev/hwdb.bin",
	NULL,
};

struct merge {
	struct aliasdb_plan *p;
	const struct aliasdb_map *map;
	const struct aliasdb_convert_opts *opts;
	int tree_fd;
	int qfd; /* the quarantine directory, -1 if none yet */
	dev_t tree_dev;
	const char *alias; /* the alias being planned */
	char **qnames;	   /* quarantine names taken by this plan */
	size_t n_qnames;
	bool quarantined;
};

static const char *merge_type(mode_t m)
{
	if (S_ISDIR(m))
		return "directory";
	if (S_ISLNK(m))
		return "symlink";
	if (S_ISREG(m))
		return "file";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "device";
	if (S_ISFIFO(m))
		return "fifo";
	return "socket";
}

static bool merge_qname_taken(struct merge *m, const char *rel)
{
	struct stat st;

	for (size_t i = 0; i < m->n_qnames; i++)
		if (strcmp(m->qnames[i], rel) == 0)
			return true;
	return m->qfd >= 0 && cv_lstat(m->qfd, rel, &st) == 0;
}

/* A free name in the quarantine for @original: the same path, or with a
 * ".N" suffix (as `activate --force` names them). */
static int merge_qname(struct merge *m, const char *original, char **ret)
{
	char **nn;
	char *rel;

	for (unsigned i = 0;; i++) {
		if (i == 0)
			rel = strdup(original);
		else if (asprintf(&rel, "%s.%u", original, i) < 0)
			rel = NULL;
		if (!rel)
			return -ENOMEM;
		if (!merge_qname_taken(m, rel))
			break;
		free(rel);
	}
	nn = realloc(m->qnames, (m->n_qnames + 1) * sizeof(*nn));
	if (!nn) {
		free(rel);
		return -ENOMEM;
	}
	m->qnames = nn;
	m->qnames[m->n_qnames++] = rel;
	*ret = rel;
	return 0;
}

/* Move @path (inode @ino) into the quarantine in @batch. */
static int merge_quarantine(struct merge *m, const char *path, uint64_t ino,
			    uint8_t batch, const char *why)
{
	char *rel, *shown;
	int r;

	r = merge_qname(m, path, &rel);
	if (r < 0)
		return r;
	r = cv_plan_step(m->p, CV_MOVE, batch, CV_TREE, path, CV_QUARANTINE,
			 rel, ino, NULL, NULL, m->alias, 0);
	if (r == 0 && asprintf(&shown, "%s%s", CV_ORIGIN_Q, path) < 0)
		r = -ENOMEM;
	if (r == 0) {
		/* revert brings it back from there */
		r = cv_plan_origin(m->p, shown, CV_O_QUARANTINED, NULL, rel);
		free(shown);
	}
	if (r == 0 && asprintf(&shown, "quarantine%s", rel) < 0)
		r = -ENOMEM;
	if (r == 0) {
		r = cv_plan_item(m->p, ALIASDB_PLAN_QUARANTINE, path, shown,
				 why);
		free(shown);
	}
	m->quarantined = true;
	return r;
}

/* Move @path out of the tree into the staging directory, where it is
 * deleted once the run is complete. */
static int merge_drop(struct merge *m, const char *path, uint64_t ino,
		      uint8_t batch)
{
	char *dst;
	int r;

	r = cv_plan_staging_name(m->p, "drop", &dst);
	if (r < 0)
		return r;
	r = cv_plan_step(m->p, CV_MOVE, batch, CV_TREE, path, CV_TREE, dst, ino,
			 NULL, NULL, NULL, 0);
	free(dst);
	return r;
}

/* Does the symlink @text at @at lead nowhere in the tree, under either
 * spelling of its target? Resolved as in a chroot of the tree
 * (RESOLVE_IN_ROOT), so it never leaves it. Unknown counts as not. */
static bool merge_dangling(struct merge *m, const char *at, const char *text)
{
	char lex[ALIASDB_PATH_MAX], canon[ALIASDB_PATH_MAX];
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *try[2] = {lex, canon};

	if (cv_link_target(NULL, at, text, lex, sizeof(lex)) < 0 ||
	    cv_link_target(m->map, at, text, canon, sizeof(canon)) < 0)
		return false;
	for (int i = 0; i < 2; i++) {
		long fd = syscall(SYS_openat2, m->tree_fd,
				  try[i][1] ? try[i] + 1 : ".", &how,
				  sizeof(how));

		if (fd >= 0) {
			close((int)fd);
			return false;
		}
		if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
			return false;
	}
	return true;
}

/* A relative symlink that moves from the alias side to the canonical side
 * is read from another directory: say so if it names something else
 * there. */
static int merge_check_relative(struct merge *m, const char *from,
				const char *to)
{
	char text[ALIASDB_PATH_MAX], before[ALIASDB_PATH_MAX],
		after[ALIASDB_PATH_MAX], *detail;
	int r;

	r = cv_readlink(m->tree_fd, from, text, sizeof(text));
	if (r < 0 || text[0] == '/')
		return 0;
	if (cv_link_target(m->map, from, text, before, sizeof(before)) < 0 ||
	    cv_link_target(m->map, to, text, after, sizeof(after)) < 0 ||
	    strcmp(before, after) == 0)
		return 0;
	if (asprintf(&detail,
		     "relative symlink to %s names %s from its new place",
		     before, after) < 0)
		return -ENOMEM;
	r = cv_plan_item(m->p, ALIASDB_PLAN_NOTE, from, to, detail);
	free(detail);
	return r;
}

static bool merge_meta_differs(const struct stat *a, const struct stat *b)
{
	return (a->st_mode & 07777) != (b->st_mode & 07777) ||
	       a->st_uid != b->st_uid || a->st_gid != b->st_gid;
}

static int merge_dirs(struct merge *m, const char *a, const char *c);

/* The alias side's entry takes the canonical place, after what is there
 * went by @clear (merge_drop() or merge_quarantine() of @cp, already
 * planned): move, origin, item. */
static int merge_alias_wins(struct merge *m, int clear, const char *ap,
			    const char *cp, const struct stat *sa)
{
	int r = clear;

	if (r == 0)
		r = cv_plan_step(m->p, CV_MOVE, CV_B_MOVE, CV_TREE, ap, CV_TREE,
				 cp, sa->st_ino, NULL, NULL, NULL, 0);
	if (r == 0)
		r = cv_plan_origin(m->p, cp, CV_O_MOVED, NULL, NULL);
	return r ? r : cv_plan_item(m->p, ALIASDB_PLAN_MOVE, ap, cp, NULL);
}

/* The same file, metadata included, under both spellings: one goes. */
static int merge_same(struct merge *m, const char *ap, const char *cp,
		      const struct stat *sa, const struct stat *sc)
{
	int r;

	if (sa->st_ino == sc->st_ino) {
		r = merge_drop(m, ap, sa->st_ino, CV_B_MOVE);
		if (r == 0)
			r = cv_plan_origin(m->p, cp, CV_O_DUP_LINKED, NULL,
					   NULL);
		return r ? r
			 : cv_plan_item(m->p, ALIASDB_PLAN_DEDUP, ap, cp,
					"hard links of one file");
	}
	if (sa->st_nlink > 1 && sc->st_nlink == 1) {
		/* Keep the inode other names share. */
		r = cv_plan_origin(m->p, cp, CV_O_DUP_ALIAS_KEPT, NULL, NULL);
		if (r == 0)
			r = merge_drop(m, cp, sc->st_ino, CV_B_CLEAR);
		if (r == 0)
			r = cv_plan_step(m->p, CV_MOVE, CV_B_MOVE, CV_TREE, ap,
					 CV_TREE, cp, sa->st_ino, NULL, NULL,
					 NULL, 0);
		return r ? r
			 : cv_plan_item(m->p, ALIASDB_PLAN_DEDUP, cp, ap,
					"the same file; the alias side's copy "
					"stays: it has other hard links");
	}
	r = cv_plan_origin(m->p, cp, CV_O_DUP, NULL, NULL);
	if (r == 0)
		r = merge_drop(m, ap, sa->st_ino, CV_B_MOVE);
	if (r == 0)
		r = cv_plan_item(m->p, ALIASDB_PLAN_DEDUP, ap, cp,
				 "the same file");
	if (r == 0 && sa->st_nlink > 1 && sc->st_nlink > 1)
		r = cv_plan_item(m->p, ALIASDB_PLAN_NOTE, ap, cp,
				 "both copies have other hard links: the "
				 "alias side's other names keep their own "
				 "inode");
	return r;
}

/* Symlinks that settle the pair: one names the other's place, both name
 * one target, or one dangles. 1 when they settle nothing, else 0 or
 * -errno. The texts read are left in @la and @lc. */
static int merge_links(struct merge *m, const char *ap, const char *cp,
		       const struct stat *sa, const struct stat *sc, char *la,
		       char *lc)
{
	char ta[ALIASDB_PATH_MAX], tc[ALIASDB_PATH_MAX];
	bool link_a = S_ISLNK(sa->st_mode), link_c = S_ISLNK(sc->st_mode);
	bool read_a = link_a &&
		      cv_readlink(m->tree_fd, ap, la, ALIASDB_PATH_MAX) == 0;
	bool read_c = link_c &&
		      cv_readlink(m->tree_fd, cp, lc, ALIASDB_PATH_MAX) == 0;
	bool to_a =
		read_a && cv_link_target(m->map, ap, la, ta, sizeof(ta)) == 0;
	bool to_c =
		read_c && cv_link_target(m->map, cp, lc, tc, sizeof(tc)) == 0;
	bool da, dc;
	int r;

	if (to_a && strcmp(ta, cp) == 0) {
		r = merge_drop(m, ap, sa->st_ino, CV_B_MOVE);
		if (r == 0)
			r = cv_plan_origin(m->p, cp, CV_O_ALIAS_LINK, sa, la);
		return r ? r
			 : cv_plan_item(m->p, ALIASDB_PLAN_DROP_LINK, ap, cp,
					"a symlink to its canonical twin");
	}
	if (to_c && strcmp(tc, cp) == 0) {
		r = merge_drop(m, cp, sc->st_ino, CV_B_CLEAR);
		if (r == 0)
			r = cv_plan_step(m->p, CV_MOVE, CV_B_MOVE, CV_TREE, ap,
					 CV_TREE, cp, sa->st_ino, NULL, NULL,
					 NULL, 0);
		if (r == 0)
			r = cv_plan_origin(m->p, cp, CV_O_CANON_LINK, sc, lc);
		return r ? r
			 : cv_plan_item(m->p, ALIASDB_PLAN_REPLACE_LINK, ap, cp,
					"the canonical side is a symlink to "
					"it");
	}
	if (to_a && to_c && strcmp(ta, tc) == 0) {
		r = merge_drop(m, ap, sa->st_ino, CV_B_MOVE);
		if (r == 0)
			r = cv_plan_origin(m->p, cp, CV_O_ALIAS_LINK, sa, la);
		return r ? r
			 : cv_plan_item(m->p, ALIASDB_PLAN_DROP_LINK, ap, cp,
					"both symlinks name the same target");
	}
	da = read_a && merge_dangling(m, ap, la);
	dc = read_c && merge_dangling(m, cp, lc);

	if (da && !dc)
		return merge_quarantine(m, ap, sa->st_ino, CV_B_MOVE,
					"a dangling symlink facing an entry "
					"of the same name");
	if (dc && !da)
		return merge_alias_wins(
			m,
			merge_quarantine(m, cp, sc->st_ino, CV_B_CLEAR,
					 "a dangling symlink facing an entry "
					 "of the same name"),
			ap, cp, sa);
	return 1;
}

/* Why two entries of one name count as different, into @detail. */
static void merge_detail(int afd, int cfd, const char *name,
			 const struct stat *sa, const struct stat *sc,
			 const char *la, const char *lc, char *detail,
			 size_t size)
{
	if (S_ISREG(sa->st_mode) && S_ISREG(sc->st_mode) &&
	    aliasdb_entries_same(afd, name, sa, cfd, name, sc, 0) == 1)
		snprintf(detail, size,
			 "same content, different mode or owner (%04o "
			 "%u:%u, %04o %u:%u)",
			 (unsigned)(sa->st_mode & 07777), (unsigned)sa->st_uid,
			 (unsigned)sa->st_gid, (unsigned)(sc->st_mode & 07777),
			 (unsigned)sc->st_uid, (unsigned)sc->st_gid);
	else if (S_ISLNK(sa->st_mode) && S_ISLNK(sc->st_mode))
		snprintf(detail, size, "symlinks to different targets (%s, %s)",
			 la, lc);
	else if ((sa->st_mode & S_IFMT) == (sc->st_mode & S_IFMT))
		snprintf(detail, size, "%ss that differ",
			 merge_type(sa->st_mode));
	else
		snprintf(detail, size, "%s facing a %s",
			 merge_type(sa->st_mode), merge_type(sc->st_mode));
}

/* Both spellings hold non-directories or one of each: which stays. */
static int merge_pair(struct merge *m, int afd, int cfd, const char *name,
		      const char *ap, const char *cp, const struct stat *sa,
		      const struct stat *sc)
{
	char la[ALIASDB_PATH_MAX] = "", lc[ALIASDB_PATH_MAX] = "";
	char detail[2 * ALIASDB_PATH_MAX + 128];
	int r;

	if (!S_ISDIR(sa->st_mode) && !S_ISDIR(sc->st_mode) &&
	    aliasdb_entries_same(afd, name, sa, cfd, name, sc,
				 ALIASDB_SAME_METADATA) == 1)
		return merge_same(m, ap, cp, sa, sc);
	r = merge_links(m, ap, cp, sa, sc, la, lc);
	if (r != 1)
		return r;
	for (size_t i = 0; merge_generated[i]; i++)
		if (strcmp(ap, merge_generated[i]) == 0)
			return merge_quarantine(m, ap, sa->st_ino, CV_B_MOVE,
						"generated; its tool rebuilds "
						"the canonical copy");
	merge_detail(afd, cfd, name, sa, sc, la, lc, detail, sizeof(detail));
	switch (m->opts->prefer) {
	case ALIASDB_PREFER_CANONICAL:
		return merge_quarantine(m, ap, sa->st_ino, CV_B_MOVE, detail);
	case ALIASDB_PREFER_ALIAS:
		return merge_alias_wins(
			m,
			merge_quarantine(m, cp, sc->st_ino, CV_B_CLEAR, detail),
			ap, cp, sa);
	case ALIASDB_PREFER_NONE:
		break;
	}
	return cv_plan_item(m->p, ALIASDB_PLAN_CONFLICT, ap, cp, detail);
}

/* Plan the entries of directory @a (alias side) into @c (canonical). */
static int merge_dirs(struct merge *m, const char *a, const char *c)
{
	char **names = NULL;
	size_t n = 0;
	int afd, cfd, r;

	afd = cv_open_dir(m->tree_fd, a);
	if (afd < 0)
		return afd;
	cfd = cv_open_dir(m->tree_fd, c);
	if (cfd < 0) {
		close(afd);
		return cfd;
	}
	r = aliasdb_dir_names(afd, &names, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat sa, sc;
		char *ap = cv_join(a, names[i]), *cp = cv_join(c, names[i]);

		if (!ap || !cp) {
			r = -ENOMEM;
		} else if (fstatat(afd, names[i], &sa, AT_SYMLINK_NOFOLLOW) <
			   0) {
			r = -errno;
		} else if (sa.st_dev != m->tree_dev) {
			r = cv_plan_item(m->p, ALIASDB_PLAN_CONFLICT, ap, NULL,
					 "a mount point: renames cannot "
					 "cross file systems");
		} else if (fstatat(cfd, names[i], &sc, AT_SYMLINK_NOFOLLOW) <
			   0) {
			if (errno != ENOENT) {
				r = -errno;
			} else {
				r = cv_plan_step(m->p, CV_MOVE, CV_B_MOVE,
						 CV_TREE, ap, CV_TREE, cp,
						 sa.st_ino, NULL, NULL, NULL,
						 0);
				if (r == 0)
					r = cv_plan_origin(m->p, cp, CV_O_MOVED,
							   NULL, NULL);
				if (r == 0)
					r = cv_plan_item(m->p,
							 ALIASDB_PLAN_MOVE, ap,
							 cp, NULL);
				if (r == 0 && S_ISLNK(sa.st_mode))
					r = merge_check_relative(m, ap, cp);
			}
		} else if (S_ISDIR(sa.st_mode) && S_ISDIR(sc.st_mode)) {
			if (sc.st_dev != m->tree_dev)
				r = cv_plan_item(m->p, ALIASDB_PLAN_CONFLICT,
						 cp, NULL,
						 "a mount point: renames "
						 "cannot cross file systems");
			else
				r = cv_plan_origin(m->p, cp, CV_O_DIR, &sa,
						   NULL);
			if (r == 0)
				r = cv_plan_item(m->p, ALIASDB_PLAN_MERGE, ap,
						 cp, NULL);
			if (r == 0 && merge_meta_differs(&sa, &sc))
				r = cv_plan_item(m->p, ALIASDB_PLAN_NOTE, ap,
						 cp,
						 "directories with different "
						 "mode or owner: the "
						 "canonical one's stay");
			if (r == 0)
				r = merge_dirs(m, ap, cp);
		} else {
			r = merge_pair(m, afd, cfd, names[i], ap, cp, &sa, &sc);
		}
		free(ap);
		free(cp);
	}
	aliasdb_dir_names_free(names, n);
	close(afd);
	close(cfd);
	return r;
}

/* The alias @a becomes a symlink to @c (made in staging, then moved). */
static int merge_link(struct merge *m, const char *a, const char *c,
		      const struct stat *owner)
{
	char *text = NULL, *tmp = NULL;
	int r;

	r = cv_relative(a, c, &text);
	if (r == 0)
		r = cv_plan_staging_name(m->p, "link", &tmp);
	if (r == 0)
		r = cv_plan_step(m->p, CV_SYMLINK, CV_B_PREP, CV_TREE, NULL,
				 CV_TREE, tmp, 0, owner, text, NULL, 0);
	if (r == 0)
		r = cv_plan_step(m->p, CV_MOVE, CV_B_LINK, CV_TREE, tmp,
				 CV_TREE, a, 0, NULL, NULL, NULL, 0);
	if (r == 0)
		r = cv_plan_item(m->p, ALIASDB_PLAN_SYMLINK, a, NULL, text);
	free(text);
	free(tmp);
	return r;
}

/* Make the missing directories above @c (built in staging with @meta's
 * mode and owner, then moved in place as one). */
static int merge_parents(struct merge *m, const char *c,
			 const struct stat *meta)
{
	char *top = NULL, *tmp = NULL, *parent = strdup(c), *slash;
	struct stat st;
	int r = 0;

	if (!parent)
		return -ENOMEM;
	/* Find the highest missing ancestor. */
	for (;;) {
		slash = strrchr(parent, '/');
		if (!slash || slash == parent)
			break;
		*slash = '\0';
		if (cv_lstat(m->tree_fd, parent, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				r = cv_plan_item(m->p, ALIASDB_PLAN_CONFLICT,
						 parent, c,
						 "not a directory, above the "
						 "canonical directory");
			break;
		}
		free(top);
		top = strdup(parent);
		if (!top) {
			r = -ENOMEM;
			break;
		}
	}
	if (r == 0 && top) {
		size_t tl = strlen(top);
		const char *q = c + tl;

		r = cv_plan_staging_name(m->p, "dir", &tmp);
		if (r == 0)
			r = cv_plan_step(m->p, CV_MKDIR, CV_B_PREP, CV_TREE,
					 NULL, CV_TREE, tmp, 0, meta, NULL,
					 NULL, 0);
		if (r == 0)
			r = cv_plan_item(m->p, ALIASDB_PLAN_MKDIR, top, NULL,
					 NULL);
		/* Below the top, each missing level up to c's parent. */
		while (r == 0 && (q = strchr(q + 1, '/')) != NULL) {
			char *sub = NULL, *shown = strndup(c, (size_t)(q - c));

			if (!shown ||
			    asprintf(&sub, "%s%.*s", tmp, (int)(q - (c + tl)),
				     c + tl) < 0) {
				free(shown);
				r = -ENOMEM;
				break;
			}
			r = cv_plan_step(m->p, CV_MKDIR, CV_B_PREP, CV_TREE,
					 NULL, CV_TREE, sub, 0, meta, NULL,
					 NULL, 0);
			if (r == 0)
				r = cv_plan_item(m->p, ALIASDB_PLAN_MKDIR,
						 shown, NULL, NULL);
			free(sub);
			free(shown);
		}
		if (r == 0)
			r = cv_plan_step(m->p, CV_MOVE, CV_B_PARENTS, CV_TREE,
					 tmp, CV_TREE, top, 0, NULL, NULL, NULL,
					 0);
	}
	free(top);
	free(tmp);
	free(parent);
	return r;
}

/* Alias directory @a, where canonical @c does not exist: the whole
 * directory moves, and the alias link takes its place. */
static int merge_alias_move(struct merge *m, const char *a, const char *c,
			    const struct stat *sa)
{
	int r = merge_parents(m, c, sa);

	if (r == 0)
		r = cv_plan_step(m->p, CV_MOVE, CV_B_MOVE, CV_TREE, a, CV_TREE,
				 c, sa->st_ino, NULL, NULL, NULL, 0);
	if (r == 0)
		r = cv_plan_origin(m->p, c, CV_O_MOVED_WHOLE, sa, NULL);
	if (r == 0)
		r = cv_plan_item(m->p, ALIASDB_PLAN_MOVE, a, c, NULL);
	return r ? r : merge_link(m, a, c, sa);
}

/* Both spellings directories: the alias side's entries merge into the
 * canonical one, the emptied alias directory retires, the link takes its
 * place. */
static int merge_alias_dirs(struct merge *m, const char *a, const char *c,
			    const struct stat *sa, const struct stat *sc)
{
	char *old;
	int r;

	if (sa->st_dev != sc->st_dev)
		return cv_plan_item(m->p, ALIASDB_PLAN_CONFLICT, a, c,
				    "on different file systems: renames "
				    "cannot join them");
	r = cv_plan_origin(m->p, c, CV_O_DIR, sa, NULL);
	if (r == 0)
		r = cv_plan_item(m->p, ALIASDB_PLAN_MERGE, a, c, NULL);
	if (r == 0)
		r = merge_dirs(m, a, c);
	if (r == 0)
		r = cv_plan_staging_name(m->p, "old", &old);
	if (r < 0)
		return r;
	r = cv_plan_step(m->p, CV_MOVE, CV_B_RETIRE, CV_TREE, a, CV_TREE, old,
			 sa->st_ino, NULL, NULL, NULL, CV_F_ONLY_DIRS);
	free(old);
	return r ? r : merge_link(m, a, c, sa);
}

/* Plan one alias @a -> @c. */
static int merge_alias(struct merge *m, const char *a, const char *c)
{
	char text[ALIASDB_PATH_MAX], target[ALIASDB_PATH_MAX];
	char detail[2 * ALIASDB_PATH_MAX];
	struct stat sa, sc;
	int ra, rc, r;

	m->alias = a;
	r = cv_check_mounts(m->p, m->tree_fd, a, c);
	if (r < 0)
		return r;
	ra = cv_lstat(m->tree_fd, a, &sa);
	rc = cv_lstat(m->tree_fd, c, &sc);
	if ((ra < 0 && ra != -ENOENT) || (rc < 0 && rc != -ENOENT))
		return ra < 0 && ra != -ENOENT ? ra : rc;
	if (rc == 0 && !S_ISDIR(sc.st_mode))
		return cv_plan_item(m->p, ALIASDB_PLAN_CONFLICT, c, a,
				    "the canonical directory is not a "
				    "directory");
	if (ra == -ENOENT) {
		if (rc == -ENOENT)
			return cv_plan_item(m->p, ALIASDB_PLAN_SKIP, a, c,
					    "neither spelling exists");
		r = cv_plan_origin(m->p, c, CV_O_ALIAS_ABSENT, NULL, NULL);
		return r ? r : merge_link(m, a, c, &sc);
	}
	if (S_ISLNK(sa.st_mode)) {
		r = cv_readlink(m->tree_fd, a, text, sizeof(text));
		if (r == 0)
			r = cv_link_target(NULL, a, text, target,
					   sizeof(target));
		if (r < 0)
			return r;
		if (strcmp(target, c) == 0) {
			r = cv_plan_origin(m->p, c, CV_O_ALIAS_LINKED, &sa,
					   text);
			return r ? r
				 : cv_plan_item(m->p, ALIASDB_PLAN_SKIP, a, c,
						rc == 0 ? "already a symlink "
							  "to it"
							: "already a symlink "
							  "to it (which does "
							  "not exist)");
		}
		snprintf(detail, sizeof(detail), "a symlink to %s", text);
	} else if (!S_ISDIR(sa.st_mode)) {
		snprintf(detail, sizeof(detail), "a %s, not a directory",
			 merge_type(sa.st_mode));
	} else if (rc == -ENOENT) {
		return merge_alias_move(m, a, c, &sa);
	} else {
		return merge_alias_dirs(m, a, c, &sa, &sc);
	}
	/* A symlink elsewhere or a non-directory at the alias path. */
	if (rc != 0 || m->opts->prefer != ALIASDB_PREFER_CANONICAL)
		return cv_plan_item(m->p, ALIASDB_PLAN_CONFLICT, a, c, detail);
	r = merge_quarantine(m, a, sa.st_ino, CV_B_MOVE, detail);
	return r ? r : merge_link(m, a, c, &sc);
}

/* The quarantine must take renames from the tree: same file system. */
static int merge_check_quarantine(struct merge *m, struct aliasdb *db)
{
	const char *dir;
	struct stat st;

	if (!m->quarantined || !db)
		return 0;
	if (mdb_env_get_path(db->env, &dir) != 0 || stat(dir, &st) < 0)
		return -EIO;
	if (st.st_dev != m->tree_dev)
		return cv_plan_item(m->p, ALIASDB_PLAN_CONFLICT, dir, NULL,
				    "the quarantine is on another file "
				    "system than the tree");
	return 0;
}

int cv_plan_convert(struct aliasdb *db, const struct aliasdb_map *map,
		    int tree_fd, const struct aliasdb_convert_opts *opts,
		    struct aliasdb_plan *p)
{
	struct merge m = {
		.p = p,
		.map = map,
		.opts = opts,
		.tree_fd = tree_fd,
		.qfd = -1,
		.tree_dev = (dev_t)p->tree_dev,
	};
	size_t n = aliasdb_map_count(map);
	int r = 0;

	r = cv_plan_aliases_alloc(p, n);
	if (r < 0)
		return r;
	if (db) {
		char q[ALIASDB_PATH_MAX];

		if (cv_quarantine_path(db, q, sizeof(q)) == 0)
			m.qfd = open(q, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		r = cv_plan_add_alias(p, aliasdb_map_alias(map, i));
		if (r == 0)
			r = merge_alias(&m, aliasdb_map_alias(map, i),
					aliasdb_map_canonical(map, i));
	}
	if (r == 0)
		r = merge_check_quarantine(&m, db);
	for (size_t i = 0; i < m.n_qnames; i++)
		free(m.qnames[i]);
	free(m.qnames);
	if (m.qfd >= 0)
		close(m.qfd);
	return r;
}
