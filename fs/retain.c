/*
 * Retention (retain.h): rules from the mount options and from the rule
 * directory, read again after it changed through the view, as a sync of
 * the declaration directory would be; the old file linked (or copied)
 * into its place in the backing before it is replaced, made read-only
 * once it is, and recorded in the index that aliasctl reads.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs/afs.h"
#include "aliasdb.h"
#include "fs/dir.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/lookup.h"
#include "fs/notify-queue.h"
#include "fs/path.h"
#include "fs/retain.h"
#include "fs/sources.h"

struct afs_retain {
	pthread_mutex_t lock;
	struct aliasdb_retain_rules *opt_rules; /* from the mount options */
	struct aliasdb_retain_rules *dir_rules; /* from the rule directory */
	uint64_t loaded; /* fs->retain_changes when dir_rules was read */
	bool read_once;
	uint64_t max; /* retain_max in bytes, 0: no bound */
};

/* What afs_retain_begin() did, for afs_retain_end(). */
struct afs_retain_token {
	char *target;	/* the retained view path */
	char *original; /* the canonical view path it was at */
	char *package;
	char *version;
	int dir_fd;   /* O_PATH: the backing directory of the original */
	char *name;   /* its name there */
	int place_fd; /* O_PATH: the backing directory of the target */
	char *base;   /* the target's name there */
	uint64_t size;
	bool copied; /* a copy, not a link: ours alone */
};

int afs_retain_option_add(struct afs_retain_options *o, const char *value)
{
	char **n = realloc(o->rules, (o->n_rules + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	o->rules = n;
	n[o->n_rules] = strdup(value);
	if (!n[o->n_rules])
		return -ENOMEM;
	o->n_rules++;
	return 0;
}

void afs_retain_options_free(struct afs_retain_options *o)
{
	size_t i;

	for (i = 0; i < o->n_rules; i++)
		free(o->rules[i]);
	free(o->rules);
	free(o->max);
}

void afs_retain_free(struct afs_retain *retain)
{
	if (!retain)
		return;
	aliasdb_retain_rules_free(retain->opt_rules);
	aliasdb_retain_rules_free(retain->dir_rules);
	pthread_mutex_destroy(&retain->lock);
	free(retain);
}

/* "SIZE" with an optional K, M, G or T (powers of 1024). */
static int afs_retain_parse_size(const char *s, uint64_t *ret_bytes)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -EINVAL;
	if (*end) {
		u = strchr(units, *end);
		if (!u || end[1] != '\0')
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*ret_bytes = (uint64_t)v << shift;
	return 0;
}

/* Forget what earlier mounts retained, as a reboot clears /run. */
static int afs_retain_drop_all(struct afs_fs *fs)
{
	struct aliasdb_retained_index *index;
	char path[ALIASDB_PATH_MAX];
	int lock, r;

	/* Nothing ever retained: no lock file is made, and no database
	 * directory in a backing that has none. */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", fs->db_dir,
			     ALIASDB_RETAINED_FILE) >= sizeof(path) ||
	    access(path, F_OK) < 0)
		return 0;
	lock = aliasdb_retained_open(fs->db_dir, &index);
	if (lock < 0)
		return lock;
	r = 0;
	if (index->n > 0) {
		/* An index of another tree names none of this one's files. */
		int root_fd =
			index->root && strcmp(index->root, fs->backing) == 0
				? fs->root_fd
				: -1;

		while (index->n > 0 && r == 0)
			r = aliasdb_retained_drop(index, 0, root_fd);
		if (r == 0)
			r = aliasdb_retained_save(fs->db_dir, index);
	}
	aliasdb_retained_index_free(index);
	close(lock);
	return r;
}

int afs_retain_setup(struct afs_fs *fs, const struct afs_retain_options *o)
{
	struct afs_retain *rt;
	size_t i;
	int r;

	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	pthread_mutex_init(&rt->lock, NULL);
	rt->opt_rules = calloc(1, sizeof(*rt->opt_rules));
	if (!rt->opt_rules) {
		afs_retain_free(rt);
		return -ENOMEM;
	}
	if (o->max && afs_retain_parse_size(o->max, &rt->max) < 0) {
		fprintf(stderr,
			"aliasfs: retain_max=%s: not a size (a number of "
			"bytes, with K, M, G or T)\n",
			o->max);
		afs_retain_free(rt);
		return -EINVAL;
	}
	for (i = 0; i < o->n_rules; i++) {
		char *pattern = strdup(o->rules[i]), *place;
		const char *why = "no ':' between PATTERN and PLACE";

		if (!pattern) {
			afs_retain_free(rt);
			return -ENOMEM;
		}
		place = strchr(pattern, ':');
		r = -EINVAL;
		if (place) {
			*place++ = '\0';
			r = aliasdb_retain_rules_add(rt->opt_rules, pattern,
						     place, 0, &why);
		}
		free(pattern);
		if (r == -EINVAL)
			fprintf(stderr,
				"aliasfs: retain=%s: refused: %s (expected "
				"retain=PATTERN:PLACE)\n",
				o->rules[i], why);
		if (r < 0) {
			afs_retain_free(rt);
			return r;
		}
	}
	if (!o->keep && !fs->ro) {
		r = afs_retain_drop_all(fs);
		if (r < 0)
			fprintf(stderr,
				"aliasfs: cannot drop what earlier mounts "
				"retained (index in %s): %s\n",
				fs->db_dir, strerror(-r));
	}
	fs->retain = rt;
	return 0;
}

/* Read the rule directory again if it changed. Call with rt->lock. */
static void afs_retain_reload(struct afs_fs *fs, struct afs_retain *rt)
{
	struct aliasdb_retain_rules *rules;
	uint64_t n = atomic_load(&fs->retain_changes);
	size_t i;
	int r;

	if (rt->read_once && n == rt->loaded)
		return;
	r = aliasdb_retain_read_dir(fs->root_fd, &rules);
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: retention: cannot read %s: %s\n",
			 ALIASDB_RETAIN_DIR, strerror(-r));
		return; /* the rules read before stay */
	}
	for (i = 0; i < rules->n_problems; i++)
		fuse_log(FUSE_LOG_WARNING, "aliasfs: retention: %s/%s:%u: %s\n",
			 ALIASDB_RETAIN_DIR, rules->problems[i].file,
			 rules->problems[i].line, rules->problems[i].message);
	aliasdb_retain_rules_free(rt->dir_rules);
	rt->dir_rules = rules;
	rt->loaded = n;
	rt->read_once = true;
}

/* The first rule matching @path, options first. Call with rt->lock. */
static const struct aliasdb_retain_rule *
afs_retain_rule_for(struct afs_retain *rt, const char *path)
{
	const struct aliasdb_retain_rules *sets[2] = {rt->opt_rules,
						      rt->dir_rules};
	size_t s, i;

	for (s = 0; s < 2; s++)
		for (i = 0; sets[s] && i < sets[s]->n_rules; i++)
			if (aliasdb_retain_matches(&sets[s]->rules[i], path))
				return &sets[s]->rules[i];
	return NULL;
}

/* Does a rule match canonical view path @path? Before anything costs a
 * backing call: most replacements match none. */
static bool afs_retain_wanted(struct afs_fs *fs, const char *path)
{
	struct afs_retain *rt = fs->retain;
	bool hit;

	pthread_mutex_lock(&rt->lock);
	afs_retain_reload(fs, rt);
	hit = afs_retain_rule_for(rt, path) != NULL;
	pthread_mutex_unlock(&rt->lock);
	return hit;
}

/* A number for a file that no package ships: the index's generation. */
static int afs_retain_next_gen(struct afs_fs *fs, char **ret_version)
{
	struct aliasdb_retained_index *index;
	int lock, r;

	lock = aliasdb_retained_open(fs->db_dir, &index);
	if (lock < 0)
		return lock;
	index->next_gen++;
	r = aliasdb_retained_save(fs->db_dir, index);
	if (r == 0 &&
	    asprintf(ret_version, "gen-%" PRIu64, index->next_gen) < 0)
		r = -ENOMEM;
	aliasdb_retained_index_free(index);
	close(lock);
	return r;
}

/* mkdir -p of view directory @path (absolute) in the backing, through no
 * symlink. Returns an O_PATH descriptor of it or -errno. */
static int afs_retain_make_dirs(struct afs_fs *fs, const char *path)
{
	char *copy = strdup(path), *comp, *save = NULL;
	int fd, next;

	if (!copy)
		return -ENOMEM;
	fd = openat(fs->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	for (comp = strtok_r(copy, "/", &save); comp && fd >= 0;
	     comp = strtok_r(NULL, "/", &save)) {
		next = 0;
		if (mkdirat(fd, comp, 0755) < 0 && errno != EEXIST)
			next = -errno;
		if (next == 0)
			next = openat(fd, comp,
				      O_PATH | O_DIRECTORY | O_NOFOLLOW |
					      O_CLOEXEC);
		if (next == -1)
			next = -errno;
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
}

/* Copy regular file @name of @dir_fd to a new file @base of @place_fd,
 * read-only. */
static int afs_retain_copy(int dir_fd, const char *name, int place_fd,
			   const char *base, const struct stat *st)
{
	int in, out, r = 0;
	loff_t left = st->st_size;

	in = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = openat(place_fd, base,
		     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     st->st_mode & 0555);
	if (out < 0) {
		r = -errno;
		close(in);
		return r;
	}
	while (left > 0 && r == 0) {
		ssize_t n =
			copy_file_range(in, NULL, out, NULL, (size_t)left, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		else if (n == 0)
			break; /* shorter than it was: keep what there is */
		else
			left -= n;
	}
	(void)fchown(out, st->st_uid, st->st_gid);
	(void)fchmod(out, st->st_mode & 0555);
	if (close(out) < 0 && r == 0)
		r = -errno;
	close(in);
	if (r < 0)
		(void)unlinkat(place_fd, base, 0);
	return r;
}

static void afs_retain_token_free(struct afs_retain_token *t)
{
	if (!t)
		return;
	free(t->target);
	free(t->original);
	free(t->package);
	free(t->version);
	free(t->name);
	free(t->base);
	if (t->dir_fd >= 0)
		close(t->dir_fd);
	if (t->place_fd >= 0)
		close(t->place_fd);
	free(t);
}

/*
 * Retain regular file @name of backing directory @dir_fd (@st), shown at
 * canonical view path @path: link it (or with @copy, copy it) to its
 * place. Returns 1 and *ret_token, 0 when no rule wants it, -errno. Call
 * with tree_lock held for reading.
 */
static int afs_retain_take(struct afs_fs *fs, const char *path, int dir_fd,
			   const char *name, const struct stat *st, bool copy,
			   struct afs_retain_token **ret_token)
{
	struct afs_retain *rt = fs->retain;
	const struct aliasdb_retain_rule *rule;
	struct afs_retain_token *t;
	struct stat old;
	char *slash;
	int r;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->dir_fd = t->place_fd = -1;
	pthread_mutex_lock(&rt->lock);
	afs_retain_reload(fs, rt);
	rule = afs_retain_rule_for(rt, path);
	if (!rule) {
		pthread_mutex_unlock(&rt->lock);
		afs_retain_token_free(t);
		return 0;
	}
	r = aliasdb_dpkg_owner_version(fs->root_fd, fs->aliases->map, path,
				       &t->package, &t->version);
	if (r == -ENOENT) {
		t->package = strdup("");
		r = t->package ? afs_retain_next_gen(fs, &t->version) : -ENOMEM;
	}
	if (r == 0)
		r = aliasdb_retain_target(rule, t->version, path, &t->target);
	pthread_mutex_unlock(&rt->lock);
	if (r == 0) {
		t->original = strdup(path);
		t->name = strdup(name);
		slash = strrchr(t->target, '/');
		t->base = strdup(slash + 1);
		*slash = '\0';
		r = !t->original || !t->name || !t->base ? -ENOMEM : 0;
	}
	if (r == 0) {
		r = afs_retain_make_dirs(fs, t->target);
		t->place_fd = r;
		*slash = '/';
	}
	if (r >= 0 &&
	    fstatat(t->place_fd, t->base, &old, AT_SYMLINK_NOFOLLOW) == 0) {
		/* This version's file is already kept. */
		afs_retain_token_free(t);
		return 0;
	}
	if (r >= 0) {
		t->dir_fd =
			openat(dir_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		r = t->dir_fd < 0 ? -errno : 0;
	}
	if (r == 0 && !copy &&
	    linkat(dir_fd, name, t->place_fd, t->base, 0) < 0) {
		r = -errno;
		/* Across file systems, or links refused: a copy. */
		if (r == -EXDEV || r == -EPERM || r == -EMLINK ||
		    r == -EOPNOTSUPP) {
			copy = true;
			r = 0;
		}
	}
	if (r == 0 && copy)
		r = afs_retain_copy(dir_fd, name, t->place_fd, t->base, st);
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: retention: cannot keep %s: %s\n", path,
			 strerror(-r));
		afs_retain_token_free(t);
		return r;
	}
	t->size = (uint64_t)st->st_size;
	t->copied = copy;
	*ret_token = t;
	return 1;
}

void *afs_retain_begin(struct afs_fs *fs, struct afs_inode *dir,
		       const char *name)
{
	struct afs_retain_token *t = NULL;
	char path[ALIASDB_PATH_MAX];
	struct stat st;
	char *view;
	int slot, r;

	if (!fs->retain || fs->ro || dir->kind != AFS_KIND_DIR)
		return NULL;
	view = afs_path_join(dir->path, name);
	if (!view)
		return NULL;
	r = aliasdb_map_canon(fs->aliases->map, view, path, sizeof(path));
	free(view);
	if (r < 0 || !afs_retain_wanted(fs, path))
		return NULL;
	if (afs_find_entry(fs, dir, name, &slot, &st) < 0 ||
	    !S_ISREG(st.st_mode) || dir->slots[slot].fd < 0)
		return NULL;
	if (afs_retain_take(fs, path, dir->slots[slot].fd, name, &st, false,
			    &t) <= 0)
		return NULL;
	return t;
}

/* The backing directory at view path @dir (absolute) changed under the
 * view's feet: the daemon's lookup cache and the kernel's entry @name in
 * it go. */
static void afs_retain_invalidate(struct afs_fs *fs, const char *dir,
				  const char *name)
{
	struct afs_inode *x;
	fuse_ino_t node = 0;
	struct stat st;
	int fd;

	if (!dir[1]) { /* the root lives as long as the mount */
		afs_dir_changed(fs->root);
		afs_notify_later(fs, FUSE_ROOT_ID, name);
		return;
	}
	fd = aliasdb_open_beneath(fs->root_fd, dir + 1, O_PATH | O_DIRECTORY,
				  ALIASDB_BENEATH_NO_SYMLINKS);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0) {
		pthread_mutex_lock(&fs->table_lock);
		x = afs_inode_table_get(fs->table, st.st_dev, st.st_ino);
		if (x && x->kind == AFS_KIND_DIR) {
			afs_dir_changed(x);
			node = x == fs->root ? FUSE_ROOT_ID
					     : (fuse_ino_t)(uintptr_t)x;
		}
		pthread_mutex_unlock(&fs->table_lock);
	}
	close(fd);
	if (node)
		afs_notify_later(fs, node, name);
}

/* Every directory on the way to @target, and @target itself. */
static void afs_retain_invalidate_path(struct afs_fs *fs, const char *target)
{
	size_t i, start = 1;
	char *dir, *name;

	for (i = 1;; i++) {
		if (target[i] != '/' && target[i] != '\0')
			continue;
		dir = strndup(target, start > 1 ? start - 1 : 1);
		name = strndup(target + start, i - start);
		if (dir && name)
			afs_retain_invalidate(fs, dir, name);
		free(dir);
		free(name);
		if (target[i] == '\0')
			break;
		start = i + 1;
	}
}

/* The retained file is the only name of its content (or dpkg's backup
 * of the name it was replaced at is the other): it can go read-only
 * without changing a file that is still installed. */
static bool afs_retain_may_seal(const struct afs_retain_token *t,
				const struct stat *st)
{
	char backup[NAME_MAX + 1];
	struct stat b;

	if (t->copied || st->st_nlink <= 1)
		return true;
	if (st->st_nlink != 2 ||
	    (size_t)snprintf(backup, sizeof(backup), "%s.dpkg-tmp", t->name) >=
		    sizeof(backup))
		return false;
	return fstatat(t->dir_fd, backup, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       b.st_dev == st->st_dev && b.st_ino == st->st_ino;
}

/* Record @t in the index, trimmed to retain_max, oldest first. */
static int afs_retain_record(struct afs_fs *fs,
			     const struct afs_retain_token *t)
{
	struct aliasdb_retained_index *index;
	struct aliasdb_retained e = {
		.path = t->target,
		.original = t->original,
		.package = t->package,
		.version = t->version,
		.size = t->size,
		.since = (int64_t)time(NULL),
	};
	int lock, r;

	lock = aliasdb_retained_open(fs->db_dir, &index);
	if (lock < 0)
		return lock;
	if (!index->root || strcmp(index->root, fs->backing) != 0) {
		free(index->root);
		index->root = strdup(fs->backing);
	}
	r = index->root ? aliasdb_retained_append(index, &e) : -ENOMEM;
	while (r == 0 && fs->retain->max &&
	       aliasdb_retained_total(index) > fs->retain->max) {
		fuse_log(FUSE_LOG_INFO,
			 "aliasfs: retention: over retain_max, dropped %s\n",
			 index->entries[0].path);
		r = aliasdb_retained_drop(index, 0, fs->root_fd);
	}
	if (r == 0)
		r = aliasdb_retained_save(fs->db_dir, index);
	aliasdb_retained_index_free(index);
	close(lock);
	return r;
}

void afs_retain_end(struct afs_fs *fs, void *token, bool ok)
{
	struct afs_retain_token *t = token;
	struct stat st;
	int r;

	if (!t)
		return;
	if (!ok) {
		(void)unlinkat(t->place_fd, t->base, 0);
		afs_retain_token_free(t);
		return;
	}
	if (fstatat(t->place_fd, t->base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    afs_retain_may_seal(t, &st))
		(void)fchmodat(t->place_fd, t->base, st.st_mode & 07555, 0);
	r = afs_retain_record(fs, t);
	if (r < 0)
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: retention: cannot record %s in %s/%s: %s\n",
			 t->target, fs->db_dir, ALIASDB_RETAINED_FILE,
			 strerror(-r));
	else
		fuse_log(FUSE_LOG_INFO, "aliasfs: retained %s (%s%s%s) at %s\n",
			 t->original, t->package, t->package[0] ? " " : "",
			 t->version, t->target);
	afs_retain_invalidate_path(fs, t->target);
	afs_retain_token_free(t);
}

void afs_retain_truncating(struct afs_fs *fs, struct afs_inode *inode,
			   off_t size)
{
	struct afs_retain_token *t = NULL;
	char path[ALIASDB_PATH_MAX];
	struct afs_inode *dir = NULL;
	char *view = NULL, *name = NULL;
	struct stat st;
	int slot;

	if (!fs->retain || fs->ro || inode->kind != AFS_KIND_FILE ||
	    inode->type != S_IFREG)
		return;
	pthread_mutex_lock(&fs->table_lock);
	if (inode->n_locs > 0) {
		dir = inode->locs[0].parent;
		name = strdup(inode->locs[0].name);
		view = name ? afs_path_join(dir->path, name) : NULL;
	}
	pthread_mutex_unlock(&fs->table_lock);
	if (view &&
	    aliasdb_map_canon(fs->aliases->map, view, path, sizeof(path)) >=
		    0 &&
	    afs_retain_wanted(fs, path) &&
	    afs_find_entry(fs, dir, name, &slot, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size > size &&
	    st.st_ino == inode->ino && dir->slots[slot].fd >= 0 &&
	    afs_retain_take(fs, path, dir->slots[slot].fd, name, &st, true,
			    &t) > 0)
		afs_retain_end(fs, t, true);
	free(view);
	free(name);
}
