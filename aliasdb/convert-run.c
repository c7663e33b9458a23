/*
 * Making a journaled plan, finishing it after a crash, or undoing it.
 *
 * Order of writes (this is the durability argument):
 *  1. The whole plan (every step, with its paths and the inode it moves)
 *     is committed to the journal, synced, before anything in the tree
 *     changes.
 *  2. Batches run in order. Within a batch, each step is first looked at
 *     (made already? see step_state), then made if not. After the batch,
 *     the tree's file system is synced (syncfs) and only then the journal
 *     records the batch as complete (synced). So a batch the journal calls
 *     complete is on disk, and a crash leaves at most the current batch
 *     partly made, which step_state sorts out step by step.
 *  3. When every batch is complete, the records (quarantine, alias
 *     states) go to the alias database, the journal says so, the staging
 *     directory is deleted, and the journal forgets the run.
 * A rollback undoes the current batch and then every earlier one, each
 * step only if it was made, with the same sync before the journal moves
 * to the previous batch.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "convert-internal.h"
#include "sync-internal.h"

struct run {
	struct aliasdb *db;
	struct cv_journal *j;
	int tree_fd;
	int qfd; /* <db dir>/quarantine, opened when first needed */
	const struct aliasdb_convert_opts *opts;
	struct aliasdb_convert_status *status;
};

static void run_event(struct run *run)
{
	run->status->events++;
	if (run->opts->event)
		run->opts->event(run->opts->userdata, run->status->events);
}

static int run_where(struct run *run, const char *path, int r)
{
	snprintf(run->status->where, sizeof(run->status->where), "%s",
		 path ? path : "");
	return r;
}

static int run_root(struct run *run, uint8_t root, int *ret_fd)
{
	char q[ALIASDB_PATH_MAX];
	int r;

	if (root == CV_TREE) {
		*ret_fd = run->tree_fd;
		return 0;
	}
	if (run->qfd < 0) {
		r = cv_quarantine_path(run->db, q, sizeof(q));
		if (r < 0)
			return r;
		if (mkdir(q, 0700) < 0 && errno != EEXIST)
			return -errno;
		run->qfd = open(q, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					   O_CLOEXEC);
		if (run->qfd < 0)
			return -errno;
	}
	*ret_fd = run->qfd;
	return 0;
}

/* Create (mode 0700) the missing directories above @path below @fd: the
 * quarantine's own tree. */
static int run_mkdirs(int fd, const char *path)
{
	char buf[ALIASDB_PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i < n; i++) {
		struct stat st;

		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdirat(fd, buf + 1, 0700) < 0 && errno != EEXIST)
			return -errno;
		if (fstatat(fd, buf + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		buf[i] = '/';
	}
	return 0;
}

/* 1 when @path exists (its lstat in *st), 0 when absent, -errno. */
static int run_look(struct run *run, uint8_t root, const char *path,
		    struct stat *st)
{
	int fd, r;

	r = run_root(run, root, &fd);
	if (r < 0)
		return r;
	r = cv_lstat(fd, path, st);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : 1;
}

/*
 * Is @s made? 1 made, 0 not made, -errno when the tree is in neither state
 * (something else changed it): status->where names the path.
 */
static int step_state(struct run *run, const struct cv_step *s)
{
	struct stat ss, ds;
	int hs = 0, hd;

	hd = run_look(run, s->dst_root, s->dst, &ds);
	if (hd < 0)
		return run_where(run, s->dst, hd);
	if (s->kind != CV_MOVE) /* made in staging, not moved on yet */
		return hd;
	hs = run_look(run, s->src_root, s->src, &ss);
	if (hs < 0)
		return run_where(run, s->src, hs);
	if (hd && (s->ino ? ds.st_ino == s->ino : !hs))
		return 1;
	if (hs && !hd && (!s->ino || ss.st_ino == s->ino))
		return 0;
	if (hs && hd)
		return run_where(run, s->dst, -EEXIST);
	return run_where(run, s->src, -ENOENT);
}

/* Does directory @fd (at @path) hold anything but directories? */
static int run_only_dirs(struct run *run, int fd, const char *path)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = aliasdb_dir_names(fd, &names, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat st;
		char *sub = cv_join(path, names[i]);
		int sfd;

		if (!sub) {
			r = -ENOMEM;
			break;
		}
		if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = -errno;
		} else if (!S_ISDIR(st.st_mode)) {
			r = run_where(run, sub, -ENOTEMPTY);
		} else {
			sfd = openat(fd, names[i],
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
			r = sfd < 0 ? -errno : run_only_dirs(run, sfd, sub);
			if (sfd >= 0)
				close(sfd);
		}
		free(sub);
	}
	aliasdb_dir_names_free(names, n);
	return r;
}

/* rename without replacing anything, on file systems without
 * RENAME_NOREPLACE too (the name was checked free; we hold the tree). */
static int run_rename(int sfd, const char *sname, int dfd, const char *dname)
{
	struct stat st;

	if (renameat2(sfd, sname, dfd, dname, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (fstatat(dfd, dname, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	return renameat(sfd, sname, dfd, dname) < 0 ? -errno : 0;
}

/* rename src -> dst of @s (@back: dst -> src). */
static int run_move(struct run *run, const struct cv_step *s, bool back)
{
	uint8_t fr = back ? s->dst_root : s->src_root;
	uint8_t tr = back ? s->src_root : s->dst_root;
	const char *from = back ? s->dst : s->src, *to = back ? s->src : s->dst;
	const char *flast, *tlast;
	int ffd, tfd, fp, tp, r;

	r = run_root(run, fr, &ffd);
	if (r == 0)
		r = run_root(run, tr, &tfd);
	if (r == 0 && tr == CV_QUARANTINE)
		r = run_mkdirs(tfd, to);
	if (r < 0)
		return run_where(run, to, r);
	fp = aliasdb_tree_open_parent(ffd, from, &flast);
	if (fp < 0)
		return run_where(run, from, fp);
	tp = aliasdb_tree_open_parent(tfd, to, &tlast);
	if (tp < 0) {
		close(fp);
		return run_where(run, to, tp);
	}
	if (!back && (s->flags & CV_F_ONLY_DIRS)) {
		int dfd =
			openat(fp, flast,
			       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		r = dfd < 0 ? run_where(run, from, -errno)
			    : run_only_dirs(run, dfd, from);
		if (dfd >= 0)
			close(dfd);
	}
	if (r == 0) {
		r = run_rename(fp, flast, tp, tlast);
		if (r < 0)
			run_where(run, from, r);
	}
	close(fp);
	close(tp);
	return r;
}

static int run_copy_xattrs(int from, int to)
{
	char names[65536], value[65536];
	ssize_t n = flistxattr(from, names, sizeof(names));

	if (n < 0)
		return errno == ENOTSUP ? 0 : -errno;
	for (char *name = names; name < names + n; name += strlen(name) + 1) {
		ssize_t v = fgetxattr(from, name, value, sizeof(value));

		if (v < 0)
			return -errno;
		if (fsetxattr(to, name, value, (size_t)v, 0) < 0)
			return -errno;
	}
	return 0;
}

/* A copy of regular file @sfd (stat @st) as the new file @tfd. */
static int run_copy_data(int sfd, int tfd, const struct stat *st)
{
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	char buf[65536];
	ssize_t n;
	int r;

	for (;;) {
		n = copy_file_range(sfd, NULL, tfd, NULL, 1 << 30, 0);
		if (n > 0)
			continue;
		if (n == 0)
			break;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return -errno;
		/* No copy_file_range here: plain reads and writes. */
		while ((n = read(sfd, buf, sizeof(buf))) > 0)
			if (write(tfd, buf, (size_t)n) != n)
				return errno ? -errno : -EIO;
		if (n < 0)
			return -errno;
		break;
	}
	if (fchown(tfd, st->st_uid, st->st_gid) < 0 ||
	    fchmod(tfd, st->st_mode & 07777) < 0)
		return -errno;
	r = run_copy_xattrs(sfd, tfd);
	if (r == 0 && futimens(tfd, times) < 0)
		r = -errno;
	/* Data on disk before the rename that publishes it. */
	if (r == 0 && fsync(tfd) < 0)
		r = -errno;
	return r;
}

/* Make @s's new object at its staging path, atomically (built under a
 * temporary name, then renamed). */
/* A copy of @slast in @sp (any type but a directory) as @tmp in @pfd,
 * with its owner and mode. 0 or -errno. */
static int run_copy_entry(int sp, const char *slast, int pfd, const char *tmp)
{
	char text[ALIASDB_PATH_MAX];
	struct stat st;
	int sfd, tfd, r = 0;
	ssize_t n;

	if (fstatat(sp, slast, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode)) {
		sfd = openat(sp, slast, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		tfd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			     0600);
		r = sfd < 0 || tfd < 0 ? -errno : run_copy_data(sfd, tfd, &st);
		if (sfd >= 0)
			close(sfd);
		if (tfd >= 0)
			close(tfd);
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(sp, slast, text, sizeof(text) - 1);
		if (n < 0)
			return -errno;
		text[n] = '\0';
		if (symlinkat(text, pfd, tmp) < 0 ||
		    fchownat(pfd, tmp, st.st_uid, st.st_gid,
			     AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		return 0;
	}
	if (mknodat(pfd, tmp, st.st_mode, st.st_rdev) < 0 ||
	    fchownat(pfd, tmp, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(pfd, tmp, st.st_mode & 07777, 0) < 0)
		return -errno;
	return 0;
}

/* What step @s makes, as @tmp in @pfd. 0 or -errno. */
static int run_make_tmp(struct run *run, const struct cv_step *s, int pfd,
			const char *tmp)
{
	const char *slast;
	int sp, r = 0;

	switch (s->kind) {
	case CV_MKDIR:
		if (mkdirat(pfd, tmp, 0700) < 0 ||
		    fchownat(pfd, tmp, s->uid, s->gid, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    fchmodat(pfd, tmp, s->mode, 0) < 0)
			return -errno;
		return 0;
	case CV_SYMLINK:
		if (symlinkat(s->text, pfd, tmp) < 0 ||
		    fchownat(pfd, tmp, s->uid, s->gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		return 0;
	case CV_LINK:
	case CV_COPY:
		sp = aliasdb_tree_open_parent(run->tree_fd, s->src, &slast);
		if (sp < 0)
			return sp;
		if (s->kind == CV_COPY)
			r = run_copy_entry(sp, slast, pfd, tmp);
		else if (linkat(sp, slast, pfd, tmp, 0) < 0)
			r = -errno;
		close(sp);
		return r;
	default:
		return -EINVAL;
	}
}

static int run_create(struct run *run, const struct cv_step *s)
{
	const char *last;
	char tmp[ALIASDB_PATH_MAX];
	int pfd, r;

	pfd = aliasdb_tree_open_parent(run->tree_fd, s->dst, &last);
	if (pfd < 0)
		return run_where(run, s->dst, pfd);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", last) >= sizeof(tmp)) {
		close(pfd);
		return run_where(run, s->dst, -ENAMETOOLONG);
	}
	/* Left over by a crash in this very step: ours, unpublished. */
	if (unlinkat(pfd, tmp, 0) < 0 && errno == EISDIR)
		(void)unlinkat(pfd, tmp, AT_REMOVEDIR);
	r = run_make_tmp(run, s, pfd, tmp);
	if (r == 0 && renameat(pfd, tmp, pfd, last) < 0)
		r = -errno;
	close(pfd);
	return r < 0 ? run_where(run, s->dst, r) : 0;
}

static int run_make(struct run *run, const struct cv_step *s)
{
	return s->kind == CV_MOVE ? run_move(run, s, false)
				  : run_create(run, s);
}

/* Everything one batch wrote, on disk. */
static int run_sync(struct run *run)
{
	if (syncfs(run->tree_fd) < 0)
		return -errno;
	if (run->qfd >= 0 && syncfs(run->qfd) < 0)
		return -errno;
	return 0;
}

/* Delete the staging directory: what steps took out of the tree and new
 * objects no step used. Never follows a symlink. */
static int run_rm_tree(int pfd, const char *name)
{
	char **names = NULL;
	size_t n = 0;
	int fd, r;

	if (unlinkat(pfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = aliasdb_dir_names(fd, &names, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = run_rm_tree(fd, names[i]);
	aliasdb_dir_names_free(names, n);
	close(fd);
	if (r == 0 && unlinkat(pfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

static int run_cleanup(struct run *run)
{
	int r = run_rm_tree(run->tree_fd, CV_STAGING + 1);

	if (r < 0)
		return run_where(run, CV_STAGING, r);
	if (fsync(run->tree_fd) < 0)
		return -errno;
	run_event(run);
	return 0;
}

/* The alias database's part: quarantined files recorded, merged aliases
 * active. Idempotent, so a crash before the journal notes it is
 * harmless. */
static int run_records(struct run *run, const struct aliasdb_plan *p)
{
	MDB_txn *txn;
	int r;

	r = aliasdb_db_write_begin(run->db, &txn);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < p->n_steps; i++) {
		const struct cv_step *s = &p->steps[i];

		if (s->kind == CV_MOVE && s->dst_root == CV_QUARANTINE)
			r = aliasdb_quarantine_record_txn(
				run->db, txn, s->alias ? s->alias : "", s->src,
				s->dst);
		else if (s->kind == CV_MOVE && s->src_root == CV_QUARANTINE)
			r = aliasdb_quarantine_unrecord_txn(run->db, txn,
							    s->src);
	}
	for (size_t i = 0;
	     r == 0 && p->op == ALIASDB_OP_CONVERT && i < p->n_aliases; i++) {
		r = aliasdb_store_set_state_txn(run->db, txn, p->aliases[i],
						ALIASDB_STATE_ACTIVE, NULL);
		if (r == -ENOENT)
			r = 0;
	}
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_commit(run->db, txn);
}

/* Undo run_records(): quarantine records of the moves the rollback put
 * back go, the aliases get their states from before the run. Idempotent,
 * and harmless when run_records() never ran. */
static int run_unrecord(struct run *run, const struct aliasdb_plan *p)
{
	const char *q = p->prev_states, *end = q ? q + p->prev_len : NULL;
	MDB_txn *txn;
	int r;

	r = aliasdb_db_write_begin(run->db, &txn);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i < p->n_steps; i++) {
		const struct cv_step *s = &p->steps[i];

		if (s->kind == CV_MOVE && s->dst_root == CV_QUARANTINE)
			r = aliasdb_quarantine_unrecord_txn(run->db, txn,
							    s->dst);
		else if (s->kind == CV_MOVE && s->src_root == CV_QUARANTINE)
			r = aliasdb_quarantine_record_txn(
				run->db, txn, s->alias ? s->alias : "", s->dst,
				s->src);
	}
	while (r == 0 && q && q < end) {
		const char *alias = q, *state, *reason;

		state = memchr(q, '\0', (size_t)(end - q));
		reason = state ? memchr(state + 1, '\0',
					(size_t)(end - state - 1))
			       : NULL;
		q = reason ? memchr(reason + 1, '\0',
				    (size_t)(end - reason - 1))
			   : NULL;
		if (!q) {
			r = -EIO;
			break;
		}
		state++;
		reason++;
		q++;
		r = aliasdb_store_set_state_txn(run->db, txn, alias,
						*state == '1'
							? ALIASDB_STATE_BLOCKED
							: ALIASDB_STATE_ACTIVE,
						*state == '1' ? reason : NULL);
		if (r == -ENOENT || r == -EINVAL)
			r = 0;
	}
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_commit(run->db, txn);
}

/* The states of @p's aliases now, for run_unrecord(). */
static int run_save_states(struct run *run, struct aliasdb_plan *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r = 0;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_aliases; i++) {
		struct aliasdb_alias *a;

		r = aliasdb_get(run->db, p->aliases[i], &a);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		fprintf(f, "%s%c%c%c%s%c", a->alias, 0,
			a->state == ALIASDB_STATE_BLOCKED ? '1' : '0', 0,
			a->reason ? a->reason : "", 0);
		aliasdb_alias_free(a);
	}
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	free(p->prev_states);
	p->prev_states = buf;
	p->prev_len = len;
	return 0;
}

/* Records written: from here the run can only be finished. */
static int run_finish(struct run *run, const struct aliasdb_plan *p)
{
	int r;

	r = run_records(run, p);
	if (r < 0)
		return r;
	run_event(run);
	r = cv_journal_set(run->j, CV_S_CLEANING, CV_B_COUNT);
	if (r < 0)
		return r;
	run_event(run);
	r = run_cleanup(run);
	if (r == 0)
		r = cv_journal_finish(run->j, true);
	if (r == 0)
		run_event(run);
	return r;
}

/* Make batches @from.. of @p, then commit and clean up. */
static int run_forward(struct run *run, const struct aliasdb_plan *p,
		       uint32_t from)
{
	size_t i = 0;
	int r;

	if (mkdirat(run->tree_fd, CV_STAGING + 1, 0700) < 0 && errno != EEXIST)
		return run_where(run, CV_STAGING, -errno);
	for (uint32_t b = from; b < CV_B_COUNT; b++) {
		bool any = false;

		while (i < p->n_steps && p->steps[i].batch < b)
			i++;
		for (; i < p->n_steps && p->steps[i].batch == b; i++) {
			const struct cv_step *s = &p->steps[i];

			any = true;
			r = step_state(run, s);
			if (r == 0) {
				r = run_make(run, s);
				if (r < 0)
					return r;
				run->status->made++;
				run_event(run);
			}
			if (r < 0)
				return r;
		}
		if (!any)
			continue;
		r = run_sync(run);
		if (r == 0)
			r = cv_journal_set(run->j, CV_S_RUNNING, b + 1);
		if (r < 0)
			return r;
		run_event(run);
	}
	r = cv_journal_set(run->j, CV_S_COMMITTING, CV_B_COUNT);
	if (r < 0)
		return r;
	run_event(run);
	return run_finish(run, p);
}

/* Every step undone: the records too, then the staging directory. */
static int run_rolled_back(struct run *run, const struct aliasdb_plan *p)
{
	int r;

	r = run_unrecord(run, p);
	if (r == 0)
		r = run_cleanup(run);
	if (r == 0)
		r = cv_journal_finish(run->j, false);
	if (r == 0)
		run_event(run);
	return r;
}

/* Undo batch @from and every earlier one, then clean up. */
static int run_backward(struct run *run, const struct aliasdb_plan *p,
			uint32_t from)
{
	int r;

	for (int64_t b = from; b >= 0; b--) {
		bool any = false;

		for (size_t k = p->n_steps; k > 0; k--) {
			const struct cv_step *s = &p->steps[k - 1];

			if (s->batch != b)
				continue;
			any = true;
			r = step_state(run, s);
			if (r < 0)
				return r;
			if (r == 0 || s->kind != CV_MOVE)
				continue; /* staging objects go with it */
			r = run_move(run, s, true);
			if (r < 0)
				return r;
			run->status->undone++;
			run_event(run);
		}
		if (!any)
			continue;
		r = run_sync(run);
		if (r == 0)
			r = cv_journal_set(run->j,
					   b ? CV_S_ROLLBACK : CV_S_ROLLED_BACK,
					   b ? (uint32_t)(b - 1) : 0);
		if (r < 0)
			return r;
		run_event(run);
	}
	r = cv_journal_set(run->j, CV_S_ROLLED_BACK, 0);
	if (r == 0)
		r = run_rolled_back(run, p);
	return r;
}

/* Group the steps by batch, keeping the planned order within each (a
 * counting sort: qsort is not stable). */
static int run_sort_steps(struct aliasdb_plan *p)
{
	struct cv_step *sorted;
	size_t k = 0;

	sorted = malloc((p->n_steps ? p->n_steps : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (uint8_t b = 0; b < CV_B_COUNT; b++)
		for (size_t i = 0; i < p->n_steps; i++)
			if (p->steps[i].batch == b)
				sorted[k++] = p->steps[i];
	if (k != p->n_steps) {
		free(sorted);
		return -EINVAL;
	}
	free(p->steps);
	p->steps = sorted;
	p->cap_steps = p->n_steps;
	return 0;
}

static void run_init(struct run *run, struct aliasdb *db, int tree_fd,
		     const struct aliasdb_convert_opts *opts,
		     struct aliasdb_convert_status *status)
{
	static const struct aliasdb_convert_opts none;

	memset(status, 0, sizeof(*status));
	run->db = db;
	run->j = NULL;
	run->tree_fd = tree_fd;
	run->qfd = -1;
	run->opts = opts ? opts : &none;
	run->status = status;
}

static void run_done(struct run *run)
{
	cv_journal_close(run->j);
	if (run->qfd >= 0)
		close(run->qfd);
}

int aliasdb_convert_execute(struct aliasdb *db, int tree_fd,
			    struct aliasdb_plan *plan,
			    const struct aliasdb_convert_opts *opts,
			    struct aliasdb_convert_status *status)
{
	struct cv_journal_state st;
	struct stat ts;
	struct run run;
	int r;

	if (!db || tree_fd < 0 || !plan || !status)
		return -EINVAL;
	run_init(&run, db, tree_fd, opts, status);
	if (db->rdonly)
		return -EROFS;
	if (plan->n_conflicts)
		return -EINVAL;
	if (fstat(tree_fd, &ts) < 0)
		return -errno;
	if ((uint64_t)ts.st_dev != plan->tree_dev ||
	    (uint64_t)ts.st_ino != plan->tree_ino)
		return -ESTALE;
	if (plan->n_steps == 0)
		return 0;
	r = cv_journal_open(db, true, &run.j);
	if (r == 0)
		r = cv_journal_state(run.j, &st);
	if (r == 0 && st.state != CV_S_IDLE)
		r = -EBUSY;
	if (r == 0)
		r = run_sort_steps(plan);
	if (r == 0)
		r = run_save_states(&run, plan);
	if (r == 0)
		r = cv_journal_begin(run.j, plan);
	if (r == 0) {
		run_event(&run);
		r = run_forward(&run, plan, 0);
	}
	run_done(&run);
	return r;
}

int aliasdb_convert_pending(struct aliasdb *db, enum aliasdb_convert_op *ret_op,
			    enum aliasdb_pending *ret_pending)
{
	struct cv_journal_state st = {0};
	struct cv_journal *j;
	enum aliasdb_pending pending = ALIASDB_PENDING_NONE;
	int r;

	if (!db || !ret_op || !ret_pending)
		return -EINVAL;
	r = cv_journal_open(db, false, &j);
	if (r == -ENOENT) {
		*ret_op = ALIASDB_OP_NONE;
		*ret_pending = ALIASDB_PENDING_NONE;
		return 0;
	}
	if (r < 0)
		return r;
	r = cv_journal_state(j, &st);
	cv_journal_close(j);
	if (r < 0)
		return r;
	switch (st.state) {
	case CV_S_IDLE:
		break;
	case CV_S_RUNNING:
		pending = ALIASDB_PENDING_RUN;
		break;
	case CV_S_ROLLBACK:
	case CV_S_ROLLED_BACK:
		pending = ALIASDB_PENDING_ROLLBACK;
		break;
	case CV_S_COMMITTING:
	case CV_S_CLEANING:
		pending = ALIASDB_PENDING_CLEANUP;
		break;
	}
	*ret_op = pending ? (enum aliasdb_convert_op)st.op : ALIASDB_OP_NONE;
	*ret_pending = pending;
	return 0;
}

/* Open the journal of a pending run on this very tree and load it. */
static int run_load(struct run *run, struct cv_journal_state *st,
		    struct aliasdb_plan **ret_plan)
{
	struct stat ts;
	int r;

	if (run->db->rdonly)
		return -EROFS;
	if (fstat(run->tree_fd, &ts) < 0)
		return -errno;
	r = cv_journal_open(run->db, false, &run->j);
	if (r == -ENOENT) {
		st->state = CV_S_IDLE;
		return 0;
	}
	if (r == 0)
		r = cv_journal_state(run->j, st);
	if (r < 0 || st->state == CV_S_IDLE)
		return r;
	if ((uint64_t)ts.st_dev != st->tree_dev ||
	    (uint64_t)ts.st_ino != st->tree_ino)
		return -ESTALE;
	return cv_journal_load(run->j, ret_plan);
}

/* Resume and rollback both pick up the run the journal left: check the
 * arguments, set the run up, load the journal's state and plan on this
 * very tree, let @step go on from that state (only when a plan is
 * pending), and free it all. */
static int run_from_journal(struct aliasdb *db, int tree_fd,
			    const struct aliasdb_convert_opts *opts,
			    struct aliasdb_convert_status *status,
			    int (*step)(struct run *run, struct aliasdb_plan *p,
					const struct cv_journal_state *st))
{
	struct cv_journal_state st = {0};
	struct aliasdb_plan *p = NULL;
	struct run run;
	int r;

	if (!db || tree_fd < 0 || !status)
		return -EINVAL;
	run_init(&run, db, tree_fd, opts, status);
	r = run_load(&run, &st, &p);
	if (r == 0 && p)
		r = step(&run, p, &st);
	aliasdb_plan_free(p);
	run_done(&run);
	return r;
}

static int run_resume(struct run *run, struct aliasdb_plan *p,
		      const struct cv_journal_state *st)
{
	switch (st->state) {
	case CV_S_RUNNING:
		return run_forward(run, p, st->batch);
	case CV_S_COMMITTING:
	case CV_S_CLEANING:
		return run_finish(run, p);
	default:
		return -EBUSY;
	}
}

int aliasdb_convert_resume(struct aliasdb *db, int tree_fd,
			   const struct aliasdb_convert_opts *opts,
			   struct aliasdb_convert_status *status)
{
	return run_from_journal(db, tree_fd, opts, status, run_resume);
}

/* The last batch that may have started when the journal says batches
 * below @batch are complete. */
static uint32_t run_started(const struct aliasdb_plan *p, uint32_t batch)
{
	uint32_t last = 0;

	for (size_t i = 0; i < p->n_steps; i++) {
		if (p->steps[i].batch >= batch)
			return p->steps[i].batch;
		last = p->steps[i].batch;
	}
	return last;
}

static int run_rollback(struct run *run, struct aliasdb_plan *p,
			const struct cv_journal_state *st)
{
	uint32_t from;
	int r;

	switch (st->state) {
	case CV_S_RUNNING:
	case CV_S_COMMITTING:
		/* The batch in progress may be partly made: the first one
		 * with steps from the first one not known complete on.
		 * Later ones never started. */
		from = run_started(p, st->state == CV_S_RUNNING ? st->batch
								: CV_B_COUNT);
		r = cv_journal_set(run->j, CV_S_ROLLBACK, from);
		if (r == 0) {
			run_event(run);
			r = run_backward(run, p, from);
		}
		return r;
	case CV_S_ROLLBACK:
		return run_backward(run, p, st->batch);
	case CV_S_ROLLED_BACK:
		return run_rolled_back(run, p);
	default:
		return -EALREADY;
	}
}

int aliasdb_convert_rollback(struct aliasdb *db, int tree_fd,
			     const struct aliasdb_convert_opts *opts,
			     struct aliasdb_convert_status *status)
{
	return run_from_journal(db, tree_fd, opts, status, run_rollback);
}
