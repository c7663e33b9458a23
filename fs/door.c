/*
 * Doors: the records of programs that replace an alias symlink with a
 * directory (door.h).
 *
 * Layer 5 (view services, fs/README.md): calls the directories, inode core
 * and leaf helpers below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/dir-virtual.h"
#include "fs/dir.h"
#include "fs/door.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/notify-queue.h"

/* The spellings a deferred removal came through. */
#define AFS_WAY_DOOR 1u
#define AFS_WAY_CANONICAL 2u

static unsigned afs_way(bool door_side)
{
	return door_side ? AFS_WAY_DOOR : AFS_WAY_CANONICAL;
}

/* A name P removed through one spelling only. */
struct afs_pending {
	struct afs_pending *next;
	unsigned ways;
	char path[];
};

struct afs_door {
	struct afs_door *next;
	char *alias;
	char *canonical;
	pid_t owner; /* P's thread group id */
	int pidfd;   /* readable once P has exited */
	bool exited;
	bool open;		      /* a door directory was made */
	struct afs_inode *dir;	      /* the door, one internal reference */
	struct afs_pending **pending; /* hash by path */
	size_t n_buckets;
	size_t n_pending;
};

void afs_caller_of(fuse_req_t req, struct afs_caller *ret_caller)
{
	ret_caller->tid = fuse_req_ctx(req)->pid;
	ret_caller->tgid = 0;
	ret_caller->ppid = 0;
}

/* The caller's thread group and parent, from /proc/TID/status (a thread
 * id works there too). Left -1 when they cannot be read (the caller has
 * gone, or /proc is not this pid namespace's). */
static void afs_caller_resolve(struct afs_caller *c)
{
	char path[64], buf[1024];
	const char *p;
	ssize_t n;
	int fd;

	if (c->tgid != 0)
		return;
	c->tgid = -1;
	c->ppid = -1;
	if (c->tid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)c->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* "Name:" comes first and escapes newlines, so each field starts
	 * a line. */
	p = strstr(buf, "\nTgid:");
	if (p)
		c->tgid = (pid_t)strtol(p + 6, NULL, 10);
	p = strstr(buf, "\nPPid:");
	if (p)
		c->ppid = (pid_t)strtol(p + 6, NULL, 10);
	if (c->tgid <= 0)
		c->tgid = -1;
}

static int afs_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	long fd = syscall(SYS_pidfd_open, pid, 0);

	return fd < 0 ? -errno : (int)fd;
#else
	(void)pid;
	return -ENOSYS;
#endif
}

void afs_doors_init(struct afs_fs *fs)
{
	pthread_mutex_init(&fs->door_lock, NULL);
	fs->doors = NULL;
	atomic_store(&fs->n_doors, 0);
	afs_notify_queue_init(&fs->notify);
}

static void afs_pending_clear(struct afs_door *d)
{
	size_t i;

	for (i = 0; i < d->n_buckets; i++) {
		struct afs_pending *p, *next;

		for (p = d->pending[i]; p; p = next) {
			next = p->next;
			free(p);
		}
	}
	free(d->pending);
	d->pending = NULL;
	d->n_buckets = 0;
	d->n_pending = 0;
}

/* Free a record that is off the list; its door directory's reference is
 * dropped unless @keep_dir (unmount: inodes are freed on their own). */
static void afs_door_free(struct afs_fs *fs, struct afs_door *d, bool keep_dir)
{
	if (d->dir && !keep_dir) {
		pthread_mutex_lock(&fs->table_lock);
		afs_inode_unref_locked(fs, d->dir, 0, 1);
		pthread_mutex_unlock(&fs->table_lock);
	}
	if (d->pidfd >= 0)
		close(d->pidfd);
	afs_pending_clear(d);
	free(d->alias);
	free(d->canonical);
	free(d);
}

void afs_doors_free(struct afs_fs *fs)
{
	struct afs_door *d, *next;

	for (d = fs->doors; d; d = next) {
		next = d->next;
		afs_door_free(fs, d, true);
	}
	fs->doors = NULL;
	pthread_mutex_destroy(&fs->door_lock);
	afs_notify_queue_destroy(&fs->notify);
}

bool afs_doors_active(struct afs_fs *fs)
{
	return atomic_load(&fs->n_doors) > 0;
}

/* Has P exited? Never blocks (poll with no timeout). Call with
 * door_lock held. */
static bool afs_door_exited(struct afs_door *d)
{
	struct pollfd pfd = {.fd = d->pidfd, .events = POLLIN};

	if (!d->exited && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN))
		d->exited = true;
	return d->exited;
}

/*
 * Is @c P, one of its threads or one of its children? P is alive when
 * this is asked (the caller checks afs_door_exited() first), so its
 * number is its own, and so is a child's parent number. Call with
 * door_lock held.
 */
static bool afs_door_family(struct afs_door *d, struct afs_caller *c)
{
	if (c->tid <= 0)
		return false;
	if (c->tid == d->owner)
		return true;
	afs_caller_resolve(c);
	return c->tgid == d->owner || c->ppid == d->owner;
}

/* The newest live record on @alias of @c's P, or NULL; *ret_any: is
 * there any live record on it. Call with door_lock held. */
static struct afs_door *afs_door_find(struct afs_fs *fs, struct afs_caller *c,
				      const char *alias, bool *ret_any)
{
	struct afs_door *d;
	bool any = false;

	for (d = fs->doors; d; d = d->next) {
		if (strcmp(d->alias, alias) != 0 || afs_door_exited(d))
			continue;
		any = true;
		if (afs_door_family(d, c))
			break;
	}
	if (ret_any)
		*ret_any = any;
	return d;
}

enum afs_door_view afs_door_alias_view(struct afs_fs *fs,
				       struct afs_caller *caller,
				       const char *alias,
				       struct afs_inode **ret_dir)
{
	enum afs_door_view v = AFS_DOOR_NONE;
	struct afs_door *d;
	bool any;

	if (!afs_doors_active(fs))
		return v;
	pthread_mutex_lock(&fs->door_lock);
	d = afs_door_find(fs, caller, alias, &any);
	if (d && d->open) {
		pthread_mutex_lock(&fs->table_lock);
		d->dir->nlookup++;
		pthread_mutex_unlock(&fs->table_lock);
		*ret_dir = d->dir;
		v = AFS_DOOR_OPEN;
	} else if (d) {
		v = AFS_DOOR_GONE;
	} else if (any) {
		v = AFS_DOOR_VOLATILE;
	}
	pthread_mutex_unlock(&fs->door_lock);
	return v;
}

int afs_door_note_unlink(struct afs_fs *fs, struct afs_caller *caller,
			 const char *alias, const char *canonical)
{
	struct afs_door *d, *n;
	struct afs_inode *old_dir = NULL;
	pid_t owner;
	int pidfd;

	if (caller->tid <= 0)
		return -EPERM;
	afs_caller_resolve(caller);
	owner = caller->tgid > 0 ? caller->tgid : caller->tid;
	/* Without /proc only a thread group leader is known for sure:
	 * pidfd_open() refuses any other thread. */
	pidfd = afs_pidfd_open(owner);
	if (pidfd < 0)
		return -EPERM;
	n = calloc(1, sizeof(*n));
	if (n) {
		n->alias = strdup(alias);
		n->canonical = strdup(canonical);
	}
	if (!n || !n->alias || !n->canonical) {
		if (n) {
			free(n->alias);
			free(n->canonical);
			free(n);
		}
		close(pidfd);
		return -ENOMEM;
	}
	n->owner = owner;
	n->pidfd = pidfd;
	pthread_mutex_lock(&fs->door_lock);
	for (d = fs->doors; d; d = d->next)
		if (d->owner == owner && strcmp(d->alias, alias) == 0 &&
		    !afs_door_exited(d))
			break;
	if (d) {
		/* Unlinked again: a door it had is gone, and with it what
		 * it deferred. */
		old_dir = d->dir;
		d->dir = NULL;
		d->open = false;
		afs_pending_clear(d);
	} else {
		n->next = fs->doors;
		fs->doors = n;
		atomic_fetch_add(&fs->n_doors, 1);
		n = NULL;
	}
	pthread_mutex_unlock(&fs->door_lock);
	if (n)
		afs_door_free(fs, n, false);
	if (old_dir) {
		pthread_mutex_lock(&fs->table_lock);
		afs_inode_unref_locked(fs, old_dir, 0, 1);
		pthread_mutex_unlock(&fs->table_lock);
	}
	return 0;
}

bool afs_door_unlinked(struct afs_fs *fs, struct afs_caller *caller,
		       const char *alias)
{
	bool r;

	if (!afs_doors_active(fs))
		return false;
	pthread_mutex_lock(&fs->door_lock);
	r = afs_door_find(fs, caller, alias, NULL) != NULL;
	pthread_mutex_unlock(&fs->door_lock);
	return r;
}

int afs_door_attach(struct afs_fs *fs, struct afs_caller *caller,
		    const char *alias, struct afs_inode *dir)
{
	struct afs_door *d;
	int r = 0;

	pthread_mutex_lock(&fs->door_lock);
	d = afs_door_find(fs, caller, alias, NULL);
	if (!d || d->open) {
		r = -EEXIST;
	} else {
		d->open = true;
		d->dir = dir;
		pthread_mutex_lock(&fs->table_lock);
		dir->refs++;
		pthread_mutex_unlock(&fs->table_lock);
	}
	pthread_mutex_unlock(&fs->door_lock);
	return r;
}

int afs_door_detach(struct afs_fs *fs, struct afs_caller *caller,
		    const char *alias)
{
	struct afs_inode *dir = NULL;
	struct afs_door *d;
	int r = -ENOENT;

	pthread_mutex_lock(&fs->door_lock);
	d = afs_door_find(fs, caller, alias, NULL);
	if (d && d->open) {
		dir = d->dir;
		d->dir = NULL;
		d->open = false;
		afs_pending_clear(d);
		r = 0;
	}
	pthread_mutex_unlock(&fs->door_lock);
	if (dir) {
		pthread_mutex_lock(&fs->table_lock);
		afs_inode_unref_locked(fs, dir, 0, 1);
		pthread_mutex_unlock(&fs->table_lock);
	}
	return r;
}

/* Take @d off the list. Call with door_lock held. */
static void afs_door_unlist(struct afs_fs *fs, struct afs_door *d)
{
	struct afs_door **pp;

	for (pp = &fs->doors; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			atomic_fetch_sub(&fs->n_doors, 1);
			return;
		}
}

void afs_door_forget(struct afs_fs *fs, struct afs_caller *caller,
		     const char *alias)
{
	struct afs_door *d;

	pthread_mutex_lock(&fs->door_lock);
	d = afs_door_find(fs, caller, alias, NULL);
	if (d)
		afs_door_unlist(fs, d);
	pthread_mutex_unlock(&fs->door_lock);
	if (d)
		afs_door_free(fs, d, false);
}

int afs_doors_reap(struct afs_fs *fs, char ***ret_aliases)
{
	struct afs_door *d, *next, *dead = NULL, *o;
	char **aliases = NULL;
	size_t n = 0;
	int r = 0;

	*ret_aliases = NULL;
	if (!afs_doors_active(fs))
		return 0;
	pthread_mutex_lock(&fs->door_lock);
	for (d = fs->doors; d; d = next) {
		next = d->next;
		if (!afs_door_exited(d))
			continue;
		afs_door_unlist(fs, d);
		d->next = dead;
		dead = d;
	}
	for (d = dead; d && r == 0; d = d->next) {
		char **grown;

		if (d->open)
			continue;
		/* Another program's record on it (or a second one of the
		 * same alias among the dead) decides later, or already. */
		for (o = fs->doors; o; o = o->next)
			if (strcmp(o->alias, d->alias) == 0)
				break;
		if (!o)
			for (o = dead; o != d; o = o->next)
				if (strcmp(o->alias, d->alias) == 0)
					break;
		if (o && o != d)
			continue;
		grown = realloc(aliases, (n + 1) * sizeof(*grown));
		if (!grown || !(grown[n] = strdup(d->alias))) {
			aliases = grown ? grown : aliases;
			r = -ENOMEM;
			break;
		}
		aliases = grown;
		n++;
	}
	pthread_mutex_unlock(&fs->door_lock);
	for (d = dead; d; d = next) {
		next = d->next;
		afs_door_free(fs, d, false);
	}
	if (r < 0) {
		while (n > 0)
			free(aliases[--n]);
		free(aliases);
		return r;
	}
	*ret_aliases = aliases;
	return (int)n;
}

/* --- deferred removals --- */

static size_t afs_path_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

static struct afs_pending **afs_pending_slot(struct afs_door *d,
					     const char *path)
{
	struct afs_pending **pp;

	if (d->n_buckets == 0)
		return NULL;
	pp = &d->pending[afs_path_hash(path) & (d->n_buckets - 1)];
	for (; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->path, path) == 0)
			return pp;
	return pp; /* the empty end of the chain */
}

static struct afs_pending *afs_pending_find(struct afs_door *d,
					    const char *path)
{
	struct afs_pending **pp = afs_pending_slot(d, path);

	return pp ? *pp : NULL;
}

static void afs_pending_remove(struct afs_door *d, const char *path)
{
	struct afs_pending **pp = afs_pending_slot(d, path), *p;

	if (!pp || !*pp)
		return;
	p = *pp;
	*pp = p->next;
	free(p);
	d->n_pending--;
}

static int afs_pending_grow(struct afs_door *d)
{
	size_t nb = d->n_buckets ? d->n_buckets * 2 : 64, i;
	struct afs_pending **b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (i = 0; i < d->n_buckets; i++) {
		struct afs_pending *p, *next;

		for (p = d->pending[i]; p; p = next) {
			size_t k = afs_path_hash(p->path) & (nb - 1);

			next = p->next;
			p->next = b[k];
			b[k] = p;
		}
	}
	free(d->pending);
	d->pending = b;
	d->n_buckets = nb;
	return 0;
}

static struct afs_pending *afs_pending_add(struct afs_door *d, const char *path)
{
	struct afs_pending *p = afs_pending_find(d, path), **pp;
	size_t len = strlen(path);

	if (p)
		return p;
	if (d->n_pending >= d->n_buckets && afs_pending_grow(d) < 0)
		return NULL;
	p = calloc(1, sizeof(*p) + len + 1);
	if (!p)
		return NULL;
	memcpy(p->path, path, len + 1);
	pp = &d->pending[afs_path_hash(path) & (d->n_buckets - 1)];
	p->next = *pp;
	*pp = p;
	d->n_pending++;
	return p;
}

/* Is @path strictly below @dir? */
static bool afs_path_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return strncmp(path, dir, len) == 0 && path[len] == '/' &&
	       path[len + 1] != '\0';
}

enum afs_door_name afs_door_name_view(struct afs_fs *fs,
				      struct afs_caller *caller,
				      const char *path, bool door_side)
{
	enum afs_door_name v = AFS_DOOR_NAME_PLAIN;
	struct afs_door *d;

	if (!afs_doors_active(fs))
		return v;
	pthread_mutex_lock(&fs->door_lock);
	for (d = fs->doors; d && v != AFS_DOOR_NAME_HIDDEN; d = d->next) {
		struct afs_pending *p;

		if (!d->open || d->n_pending == 0 ||
		    !afs_path_below(path, d->canonical) || afs_door_exited(d))
			continue;
		p = afs_pending_find(d, path);
		if (!p)
			continue;
		v = AFS_DOOR_NAME_VOLATILE;
		if ((p->ways & afs_way(door_side)) &&
		    afs_door_family(d, caller))
			v = AFS_DOOR_NAME_HIDDEN;
	}
	pthread_mutex_unlock(&fs->door_lock);
	return v;
}

int afs_door_remove_rule(struct afs_fs *fs, struct afs_caller *caller,
			 const char *path, bool door_side)
{
	unsigned way = afs_way(door_side);
	struct afs_door *d;
	int r = 0;

	if (!afs_doors_active(fs))
		return 0;
	pthread_mutex_lock(&fs->door_lock);
	for (d = fs->doors; d; d = d->next) {
		struct afs_pending *p;

		if (!d->open || !afs_path_below(path, d->canonical) ||
		    afs_door_exited(d) || !afs_door_family(d, caller))
			continue;
		p = afs_pending_find(d, path);
		if (p && (p->ways & ~way)) {
			/* Through both spellings now: it goes. */
			afs_pending_remove(d, path);
			r = 0;
		} else {
			p = afs_pending_add(d, path);
			if (!p) {
				r = -ENOMEM;
			} else {
				p->ways |= way;
				r = 1;
			}
		}
		break;
	}
	pthread_mutex_unlock(&fs->door_lock);
	return r;
}

int afs_door_creating(struct afs_fs *fs, struct afs_caller *caller,
		      const char *path, bool door_side)
{
	struct afs_door *d;
	int r = 0;

	if (!afs_doors_active(fs))
		return 0;
	pthread_mutex_lock(&fs->door_lock);
	for (d = fs->doors; d; d = d->next) {
		struct afs_pending *p;

		if (d->n_pending == 0 || !afs_path_below(path, d->canonical))
			continue;
		p = afs_pending_find(d, path);
		if (!p)
			continue;
		if ((p->ways & afs_way(door_side)) && caller &&
		    !afs_door_exited(d) && afs_door_family(d, caller))
			r = 1;
		afs_pending_remove(d, path);
	}
	pthread_mutex_unlock(&fs->door_lock);
	return r;
}

void afs_door_changed(struct afs_fs *fs, struct afs_inode *dir,
		      const char *name)
{
	struct afs_inode *x = NULL;
	fuse_ino_t nodeid = 0;
	unsigned j;

	if (!dir->door_side)
		return;
	pthread_mutex_lock(&fs->table_lock);
	for (j = 0; j < dir->n_slots && !x; j++) {
		if (dir->slots[j].fd < 0)
			continue;
		x = afs_inode_table_get(fs->table, dir->slots[j].dev,
					dir->slots[j].ino);
		if (x && (x->kind != AFS_KIND_DIR || x->door_side ||
			  strcmp(x->path, dir->path) != 0))
			x = NULL;
	}
	if (x) {
		afs_dir_changed(x);
		nodeid =
			x == fs->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)x;
	}
	pthread_mutex_unlock(&fs->table_lock);
	if (!x) {
		/* A directory shown without any backing source yet. */
		x = afs_virtual_find(fs, dir->path);
		if (x) {
			afs_dir_changed(x);
			nodeid = (fuse_ino_t)(uintptr_t)x;
		}
	}
	if (!nodeid)
		return;
	if (name)
		afs_notify_later(fs, nodeid, name);
	afs_notify_later(fs, nodeid, NULL);
}
