/*
 * Activation and the quarantine: `activate --force` lets the canonical side
 * win and moves each shadowed alias-side entry into
 * <database dir>/quarantine/<alias-side path>, with renameat (a move, never
 * a copy, so nothing is lost or duplicated), recorded in the "meta"
 * database under "quarantine:<path inside the quarantine>":
 *   ALIAS NUL ORIGINAL NUL
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync-internal.h"

#define QUARANTINE_DIR "quarantine"

void aliasdb_activation_free(struct aliasdb_activation *activation)
{
	if (!activation)
		return;
	aliasdb_diff_list_free(activation->diffs, activation->n_diffs);
	aliasdb_quarantine_list_free(activation->moved, activation->n_moved);
	free(activation);
}

/* "<db dir>/quarantine" in a new string. */
static int quarantine_dir(struct aliasdb *db, char **ret_dir)
{
	const char *dir;
	char *s;
	int r;

	r = aliasdb_lmdb_error(mdb_env_get_path(db->env, &dir));
	if (r < 0)
		return r;
	if (asprintf(&s, "%s/%s", dir, QUARANTINE_DIR) < 0)
		return -ENOMEM;
	*ret_dir = s;
	return 0;
}

/* Open (creating, mode 0700: it holds whatever was shadowed) the directory
 * @rel below @dirfd, component by component, never following a symlink. */
static int quarantine_mkdirs(int dirfd, const char *rel)
{
	char *copy, *comp, *save = NULL;
	int fd, nfd;

	copy = strdup(rel);
	if (!copy)
		return -ENOMEM;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fd = -errno;
		free(copy);
		return fd;
	}
	for (comp = strtok_r(copy, "/", &save); comp && fd >= 0;
	     comp = strtok_r(NULL, "/", &save)) {
		if (mkdirat(fd, comp, 0700) < 0 && errno != EEXIST) {
			nfd = -errno;
		} else {
			nfd = openat(fd, comp,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			if (nfd < 0)
				nfd = -errno;
		}
		close(fd);
		fd = nfd;
	}
	free(copy);
	return fd;
}

struct quarantine_move {
	char *original; /* absolute path in the tree */
	char *rel;	/* path inside the quarantine directory, "/bin/x" */
};

static void quarantine_moves_free(struct quarantine_move *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].original);
		free(m[i].rel);
	}
	free(m);
}

/* Move the tree's @original into the quarantine at @qfd. On success
 * *ret_rel is where it went, relative to the quarantine directory. */
static int quarantine_move_one(int tree_fd, int qfd, const char *original,
			       char **ret_rel)
{
	const char *last, *slash = strrchr(original, '/');
	char *parent = NULL, *rel = NULL;
	struct stat st;
	int sfd, dfd = -1, r;
	unsigned i;

	sfd = aliasdb_tree_open_parent(tree_fd, original, &last);
	if (sfd < 0)
		return sfd;
	parent = strndup(original, (size_t)(slash - original));
	if (!parent) {
		r = -ENOMEM;
		goto out;
	}
	dfd = quarantine_mkdirs(qfd, parent);
	if (dfd < 0) {
		r = dfd;
		goto out;
	}
	/* A file quarantined before under the same path keeps its place. */
	for (i = 0;; i++) {
		char name[ALIASDB_PATH_MAX];

		if (i == 0)
			r = snprintf(name, sizeof(name), "%s", last);
		else
			r = snprintf(name, sizeof(name), "%s.%u", last, i);
		if (r < 0 || (size_t)r >= sizeof(name)) {
			r = -ENAMETOOLONG;
			goto out;
		}
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (errno != ENOENT) {
			r = -errno;
			goto out;
		}
		if (asprintf(&rel, "%s/%s", parent, name) < 0) {
			r = -ENOMEM;
			goto out;
		}
		/* RENAME_NOREPLACE would be nicer, but renameat is what
		 * every file system (FUSE included) supports; the name was
		 * checked free just above and the quarantine is ours. */
		if (renameat(sfd, last, dfd, name) < 0) {
			r = -errno;
			free(rel);
			rel = NULL;
			goto out;
		}
		r = 0;
		break;
	}
	*ret_rel = rel;
out:
	free(parent);
	if (dfd >= 0)
		close(dfd);
	close(sfd);
	return r;
}

/* Undo a move (best effort: a failure leaves the file in quarantine,
 * still not lost). */
static void quarantine_move_back(int tree_fd, int qfd,
				 const struct quarantine_move *m)
{
	const char *last;
	int sfd;

	sfd = aliasdb_tree_open_parent(tree_fd, m->original, &last);
	if (sfd < 0)
		return;
	(void)renameat(qfd, m->rel + 1, sfd, last);
	close(sfd);
}

static int quarantine_record(struct aliasdb *db, MDB_txn *txn,
			     const char *alias, const struct quarantine_move *m)
{
	return aliasdb_quarantine_record_put(db, txn, m->rel, alias,
					     m->original);
}

/* The moves, recorded, and the alias active: all or nothing. */
static int quarantine_commit(struct aliasdb *db, const char *alias,
			     const struct quarantine_move *moves, size_t n)
{
	MDB_txn *txn;
	size_t i;
	int r;

	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	for (i = 0; i < n && r == 0; i++)
		r = quarantine_record(db, txn, alias, &moves[i]);
	if (r == 0)
		r = aliasdb_store_set_state_txn(db, txn, alias,
						ALIASDB_STATE_ACTIVE, NULL);
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_commit(db, txn);
}

static int quarantine_moved_list(struct aliasdb *db, const char *alias,
				 const struct quarantine_move *moves, size_t n,
				 struct aliasdb_activation *act)
{
	char *qdir;
	size_t i;
	int r;

	r = quarantine_dir(db, &qdir);
	if (r < 0)
		return r;
	act->moved = calloc(n, sizeof(*act->moved));
	if (!act->moved) {
		free(qdir);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct aliasdb_quarantined *q = &act->moved[i];

		act->n_moved = i + 1;
		q->alias = strdup(alias);
		q->original = strdup(moves[i].original);
		if (asprintf(&q->stored, "%s%s", qdir, moves[i].rel) < 0)
			q->stored = NULL;
		if (!q->alias || !q->original || !q->stored) {
			r = -ENOMEM;
			break;
		}
	}
	free(qdir);
	return r;
}

/* Move each difference's alias side away, record it, activate. */
static int quarantine_force(struct aliasdb *db, int tree_fd, const char *alias,
			    struct aliasdb_activation *act)
{
	struct quarantine_move *moves;
	size_t n = 0, i;
	char *qdir = NULL;
	int qfd = -1, r;

	moves = calloc(act->n_diffs, sizeof(*moves));
	if (!moves)
		return -ENOMEM;
	r = quarantine_dir(db, &qdir);
	if (r == 0 && mkdir(qdir, 0700) < 0 && errno != EEXIST)
		r = -errno;
	if (r == 0) {
		qfd = open(qdir,
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (qfd < 0)
			r = -errno;
	}
	for (i = 0; i < act->n_diffs && r == 0; i++) {
		moves[n].original = strdup(act->diffs[i].alias_path);
		if (!moves[n].original) {
			r = -ENOMEM;
			break;
		}
		r = quarantine_move_one(tree_fd, qfd, moves[n].original,
					&moves[n].rel);
		if (r < 0) {
			free(moves[n].original);
			moves[n].original = NULL;
			break;
		}
		n++;
	}
	if (r == 0)
		r = quarantine_commit(db, alias, moves, n);
	if (r < 0) {
		/* Put everything back where it was, last first. */
		while (n > 0)
			quarantine_move_back(tree_fd, qfd, &moves[--n]);
	} else {
		r = quarantine_moved_list(db, alias, moves, n, act);
		act->activated = 1;
	}
	quarantine_moves_free(moves, act->n_diffs);
	if (qfd >= 0)
		close(qfd);
	free(qdir);
	return r;
}

/* Write @alias's state (and reason) in its own transaction. */
static int quarantine_set_state(struct aliasdb *db, const char *alias,
				const struct aliasdb_activation *act)
{
	char *reason = NULL;
	MDB_txn *txn;
	int r;

	if (act->n_diffs) {
		reason = aliasdb_sync_blocked_reason(act->diffs, act->n_diffs);
		if (!reason)
			return -ENOMEM;
	}
	r = aliasdb_db_write_begin(db, &txn);
	if (r == 0) {
		r = aliasdb_store_set_state_txn(db, txn, alias,
						reason ? ALIASDB_STATE_BLOCKED
						       : ALIASDB_STATE_ACTIVE,
						reason);
		if (r > 0)
			r = aliasdb_commit(db, txn);
		else
			mdb_txn_abort(txn);
	}
	free(reason);
	return r < 0 ? r : 0;
}

int aliasdb_activate(struct aliasdb *db, int tree_fd, const char *alias,
		     unsigned flags, struct aliasdb_activation **ret_activation)
{
	struct aliasdb_activation *act;
	struct aliasdb_alias *a;
	int r;

	if (!db || !alias || tree_fd < 0 || !ret_activation)
		return -EINVAL;
	if (db->rdonly)
		return -EROFS;
	r = aliasdb_get(db, alias, &a);
	if (r < 0)
		return r;
	act = calloc(1, sizeof(*act));
	if (!act) {
		aliasdb_alias_free(a);
		return -ENOMEM;
	}
	r = aliasdb_tree_compare(tree_fd, a->alias, a->canonical, &act->diffs,
				 &act->n_diffs);
	if (r == 0 && act->n_diffs > 0 && (flags & ALIASDB_ACTIVATE_FORCE)) {
		r = quarantine_force(db, tree_fd, a->alias, act);
	} else if (r == 0 && a->state == ALIASDB_STATE_ACTIVE) {
		/* Checking never blocks an alias the view already shows. */
		act->activated = 1;
	} else if (r == 0) {
		r = quarantine_set_state(db, a->alias, act);
		act->activated = act->n_diffs == 0;
	}
	aliasdb_alias_free(a);
	if (r < 0) {
		aliasdb_activation_free(act);
		return r;
	}
	*ret_activation = act;
	return 0;
}

int aliasdb_quarantine_list(struct aliasdb *db,
			    struct aliasdb_quarantined **ret_list,
			    size_t *ret_n)
{
	const size_t plen = sizeof(ALIASDB_META_QUARANTINE) - 1;
	struct aliasdb_quarantined *list = NULL, *nl;
	size_t n = 0;
	char *qdir = NULL;
	MDB_cursor *cur = NULL;
	MDB_val key = {plen, (void *)ALIASDB_META_QUARANTINE}, val;
	MDB_txn *txn;
	int r, rc;

	if (!db || !ret_list || !ret_n)
		return -EINVAL;
	r = quarantine_dir(db, &qdir);
	if (r < 0)
		return r;
	r = aliasdb_db_read_begin(db, &txn);
	if (r < 0) {
		free(qdir);
		return r;
	}
	r = aliasdb_lmdb_error(mdb_cursor_open(txn, db->meta, &cur));
	for (rc = r ? MDB_NOTFOUND
		    : mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
	     rc == 0; rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		const char *v = val.mv_data, *orig;
		struct aliasdb_quarantined *q;

		if (key.mv_size < plen ||
		    memcmp(key.mv_data, ALIASDB_META_QUARANTINE, plen) != 0)
			break;
		if (aliasdb_quarantine_record_check(&key, &val) < 0) {
			r = -EUCLEAN;
			break;
		}
		orig = memchr(v, '\0', val.mv_size) + 1;
		nl = realloc(list, (n + 1) * sizeof(*nl));
		if (!nl) {
			r = -ENOMEM;
			break;
		}
		list = nl;
		q = &list[n++];
		q->alias = strdup(v);
		q->original = strdup(orig);
		if (asprintf(&q->stored, "%s%.*s", qdir,
			     (int)(key.mv_size - plen),
			     (const char *)key.mv_data + plen) < 0)
			q->stored = NULL;
		if (!q->alias || !q->original || !q->stored) {
			r = -ENOMEM;
			break;
		}
	}
	if (r == 0 && rc != 0 && rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
	if (cur)
		mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	free(qdir);
	if (r < 0) {
		aliasdb_quarantine_list_free(list, n);
		return r;
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}
