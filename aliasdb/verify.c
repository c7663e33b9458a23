/*
 * Is a store damaged? Checked before anything in this process maps it.
 *
 * LMDB trusts its file, so reading a damaged one can crash the reader
 * (SIGBUS, SIGSEGV, an assertion). The check therefore runs in a child
 * process: it looks at the file with pread (lmdb-file.c), then opens it
 * read-only like any reader, walks every page list and every database,
 * touches every byte of every key and value, and decodes each record with
 * the decoders the library itself uses. The parent only reads the
 * child's verdict from a pipe: a signal, an assertion, a timeout or an
 * error while walking all mean "damaged", never a crash of the caller.
 *
 * A verdict is kept per (device, inode, size, mtime, ctime) of the file,
 * so that reopening an unchanged store (the daemon does, aliasctl opens
 * both stores) costs a stat, not another child.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sync-internal.h"

/* A walk of a large claims store takes well under a second; this only
 * ends a child that LMDB sent into a loop. */
#define VERIFY_TIMEOUT_MS (60 * 1000)
#define VERIFY_MAP_SIZE ((size_t)1 << 30)
#define VERIFY_MAX_DBS 64

enum verify_status {
	VERIFY_SOUND = 1,
	VERIFY_DAMAGED,
	VERIFY_ERROR, /* could not look: err says why */
};

/* What the child writes to the pipe, once. */
struct verify_msg {
	int status;
	int err;
	char why[ALIASDB_DAMAGE_REASON_MAX];
};

/* ---- The child ------------------------------------------------------- */

static int verify_out = -1;
static volatile unsigned char verify_sink;

static void verify_send(int status, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static void verify_send(int status, int err, const char *fmt, ...)
{
	struct verify_msg m;
	va_list ap;

	memset(&m, 0, sizeof(m));
	m.status = status;
	m.err = err;
	va_start(ap, fmt);
	vsnprintf(m.why, sizeof(m.why), fmt, ap);
	va_end(ap);
	(void)!write(verify_out, &m, sizeof(m));
	_exit(0);
}

/* LMDB calls this before abort() when it finds its own data impossible. */
static void verify_assert(MDB_env *env, const char *msg)
{
	(void)env;
	verify_send(VERIFY_DAMAGED, 0, "LMDB finds it inconsistent: %s", msg);
}

/* Read every byte, so a page past the end of the file faults here. */
static void verify_touch(const MDB_val *v)
{
	const unsigned char *p = v->mv_data;
	unsigned char s = 0;
	size_t i;

	for (i = 0; p && i < v->mv_size; i++)
		s = (unsigned char)(s + p[i]);
	verify_sink = (unsigned char)(verify_sink + s);
}

/* @key as printable text for a message. */
static const char *verify_key_text(const MDB_val *key, char *buf, size_t size)
{
	const unsigned char *p = key->mv_data;
	size_t i, o = 0;

	for (i = 0; i < key->mv_size && o + 5 < size; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			buf[o++] = (char)p[i];
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x",
					      p[i]);
	}
	if (i < key->mv_size && o + 4 < size)
		o += (size_t)snprintf(buf + o, size - o, "...");
	buf[o] = '\0';
	return buf;
}

int aliasdb_meta_record_check(const MDB_val *key, const MDB_val *val)
{
	static const struct {
		const char *prefix;
		int (*check)(const MDB_val *key, const MDB_val *val);
	} kinds[] = {
		{ALIASDB_META_DECL, aliasdb_decl_record_check},
		{ALIASDB_META_QUARANTINE, aliasdb_quarantine_record_check},
		{ALIASDB_META_REFUSED, aliasdb_decl_problems_record_check},
	};
	size_t i, plen;
	int r;

	if (!key || !key->mv_data || !val || (val->mv_size && !val->mv_data))
		return -EUCLEAN;
	r = aliasdb_db_meta_check(key, val);
	if (r <= 0)
		return r;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		plen = strlen(kinds[i].prefix);
		if (key->mv_size >= plen &&
		    memcmp(key->mv_data, kinds[i].prefix, plen) == 0)
			return kinds[i].check(key, val);
	}
	/* Keys of other modules (and of later versions of this one) are
	 * theirs to check. */
	return 0;
}

typedef int (*verify_check_fn)(const char *db, const MDB_val *key,
			       const MDB_val *val);

static int verify_map_record(const char *db, const MDB_val *key,
			     const MDB_val *val)
{
	if (strcmp(db, "aliases") == 0)
		return aliasdb_record_check(key, val);
	if (strcmp(db, "conflicts") == 0)
		return aliasdb_conflict_check(key, val);
	if (strcmp(db, "meta") == 0)
		return aliasdb_meta_record_check(key, val);
	return 0;
}

/* Every record of @dbi, checked by @check (NULL: bytes only). Returns
 * the number of records. */
static size_t verify_walk(MDB_txn *txn, MDB_dbi dbi, const char *name,
			  verify_check_fn check)
{
	MDB_cursor *cur;
	MDB_stat st;
	MDB_val key, val;
	size_t n = 0;
	char text[96];
	int rc;

	rc = mdb_stat(txn, dbi, &st);
	if (rc == 0)
		rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		verify_send(VERIFY_DAMAGED, 0, "database '%s': %s", name,
			    mdb_strerror(rc));
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		verify_touch(&key);
		verify_touch(&val);
		if (++n > st.ms_entries)
			verify_send(VERIFY_DAMAGED, 0,
				    "database '%s' holds more records than "
				    "its header says (%zu)",
				    name, st.ms_entries);
		if (check && check(name, &key, &val) < 0)
			verify_send(VERIFY_DAMAGED, 0,
				    "database '%s': the record '%s' cannot be "
				    "decoded",
				    name,
				    verify_key_text(&key, text, sizeof(text)));
	}
	if (rc != MDB_NOTFOUND)
		verify_send(VERIFY_DAMAGED, 0, "database '%s': %s", name,
			    mdb_strerror(rc));
	if (n != st.ms_entries)
		verify_send(VERIFY_DAMAGED, 0,
			    "database '%s' holds %zu records where its header "
			    "says %zu",
			    name, n, st.ms_entries);
	mdb_cursor_close(cur);
	return n;
}

/* The free-page lists: each page number must be one LMDB could use.
 * Returns the number of free pages. */
static size_t verify_free_pages(MDB_txn *txn, size_t last_pgno)
{
	MDB_cursor *cur;
	MDB_val key, val;
	size_t free_pages = 0;
	int rc;

	rc = mdb_cursor_open(txn, 0, &cur);
	if (rc != 0)
		verify_send(VERIFY_DAMAGED, 0, "free-page list: %s",
			    mdb_strerror(rc));
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		const size_t *ids = val.mv_data;
		size_t n, i;

		if (key.mv_size != sizeof(size_t) ||
		    val.mv_size < sizeof(size_t) ||
		    val.mv_size % sizeof(size_t) != 0)
			verify_send(VERIFY_DAMAGED, 0,
				    "free-page list: a record of %zu bytes",
				    val.mv_size);
		/* Unaligned in the map is possible: copy each word. */
		memcpy(&n, ids, sizeof(n));
		if (n != val.mv_size / sizeof(size_t) - 1)
			verify_send(VERIFY_DAMAGED, 0,
				    "free-page list: a record says %zu pages "
				    "in %zu bytes",
				    n, val.mv_size);
		for (i = 1; i <= n; i++) {
			size_t pg;

			memcpy(&pg, (const char *)val.mv_data + i * sizeof(pg),
			       sizeof(pg));
			if (pg < 2 || pg > last_pgno)
				verify_send(VERIFY_DAMAGED, 0,
					    "free-page list: page %zu is "
					    "outside the file",
					    pg);
		}
		free_pages += n;
	}
	if (rc != MDB_NOTFOUND)
		verify_send(VERIFY_DAMAGED, 0, "free-page list: %s",
			    mdb_strerror(rc));
	mdb_cursor_close(cur);
	return free_pages;
}

/* Does the map store's schema say its records are ours to decode? */
static bool verify_map_schema_ours(MDB_txn *txn)
{
	MDB_val key = {6, (void *)"schema"}, val;
	const unsigned char *b;
	uint64_t v = 0;
	MDB_dbi dbi;
	int i;

	if (mdb_dbi_open(txn, "meta", 0, &dbi) != 0 ||
	    mdb_get(txn, dbi, &key, &val) != 0 || val.mv_size != 8)
		return true; /* the walk tells what is wrong */
	b = val.mv_data;
	for (i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	/* A newer schema is refused by aliasdb_open, not damaged. */
	return v <= ALIASDB_SCHEMA_VERSION;
}

static void verify_child(const char *file, const char *env_path,
			 enum aliasdb_store store) __attribute__((noreturn));

static void verify_child(const char *file, const char *env_path,
			 enum aliasdb_store store)
{
	static const char *const map_dbs[] = {"meta", "aliases", "conflicts",
					      NULL};
	static const char *const claims_dbs[] = {"files", "owners", "meta",
						 NULL};
	const char *const *required =
		store == ALIASDB_STORE_MAP ? map_dbs : claims_dbs;
	verify_check_fn check = store == ALIASDB_STORE_MAP
					? verify_map_record
					: aliasdb_claims_record_check;
	char why[ALIASDB_DAMAGE_REASON_MAX], **names = NULL;
	size_t n_names = 0, free_pages, pages, i;
	MDB_envinfo info;
	MDB_stat est;
	MDB_cursor *cur;
	MDB_val key, val;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi main_dbi;
	struct stat st;
	int fd, rc, r;

	/* A fault must end this process with its signal, whatever handler
	 * the caller (or a sanitizer) installed. */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGABRT, SIG_DFL);

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		verify_send(VERIFY_ERROR, errno, "%s", strerror(errno));
	r = aliasdb_lmdb_file_check(fd, why, sizeof(why));
	if (r == -EUCLEAN)
		verify_send(VERIFY_DAMAGED, 0, "%s", why);
	if (r < 0)
		verify_send(VERIFY_ERROR, -r, "%s", strerror(-r));
	if (fstat(fd, &st) < 0)
		verify_send(VERIFY_ERROR, errno, "%s", strerror(errno));
	close(fd);

	rc = mdb_env_create(&env);
	if (rc == 0)
		rc = mdb_env_set_maxdbs(env, VERIFY_MAX_DBS);
	if (rc == 0)
		rc = mdb_env_set_mapsize(env, VERIFY_MAP_SIZE);
	if (rc == 0)
		rc = mdb_env_set_assert(env, verify_assert);
	if (rc == 0)
		rc = mdb_env_open(env, env_path,
				  MDB_RDONLY | MDB_NOTLS |
					  (store == ALIASDB_STORE_CLAIMS
						   ? MDB_NOSUBDIR
						   : 0),
				  0644);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
	if (rc != 0) {
		r = aliasdb_lmdb_error(rc);
		if (r == -EUCLEAN)
			verify_send(VERIFY_DAMAGED, 0, "%s", mdb_strerror(rc));
		verify_send(VERIFY_ERROR, -r, "%s", mdb_strerror(rc));
	}
	if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &est) != 0)
		verify_send(VERIFY_DAMAGED, 0, "its header cannot be read");

	free_pages = verify_free_pages(txn, info.me_last_pgno);
	/* Pages LMDB never wrote past the end of the file are free ones. */
	pages = (size_t)st.st_size / est.ms_psize;
	if (info.me_last_pgno + 1 > pages + free_pages)
		verify_send(VERIFY_DAMAGED, 0,
			    "truncated: %zu pages in use, %zu in the file",
			    info.me_last_pgno + 1 - free_pages, pages);

	rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
	if (rc != 0)
		verify_send(VERIFY_DAMAGED, 0, "main database: %s",
			    mdb_strerror(rc));
	verify_walk(txn, main_dbi, "main", NULL);
	/* Its keys name the databases; a name LMDB cannot open as one is
	 * a plain record (none of ours). */
	rc = mdb_cursor_open(txn, main_dbi, &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		char **nn;

		if (key.mv_size == 0 || key.mv_size > 511 ||
		    memchr(key.mv_data, '\0', key.mv_size))
			continue;
		nn = realloc(names, (n_names + 1) * sizeof(*nn));
		if (!nn || !(nn[n_names] = strndup(key.mv_data, key.mv_size)))
			verify_send(VERIFY_ERROR, ENOMEM, "out of memory");
		names = nn;
		n_names++;
	}
	if (store == ALIASDB_STORE_MAP && !verify_map_schema_ours(txn))
		check = NULL;
	for (i = 0; i < n_names; i++) {
		MDB_dbi dbi;

		rc = mdb_dbi_open(txn, names[i], 0, &dbi);
		if (rc == MDB_INCOMPATIBLE)
			continue;
		if (rc != 0)
			verify_send(VERIFY_DAMAGED, 0, "database '%s': %s",
				    names[i], mdb_strerror(rc));
		verify_walk(txn, dbi, names[i], check);
	}
	for (i = 0; required[i]; i++) {
		MDB_dbi dbi;

		if (mdb_dbi_open(txn, required[i], 0, &dbi) != 0)
			verify_send(VERIFY_DAMAGED, 0,
				    "its database '%s' is missing",
				    required[i]);
	}
	verify_send(VERIFY_SOUND, 0, "sound");
}

/* ---- The verdict cache ---------------------------------------------- */

struct verify_cached {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	int verdict; /* 0 or -EUCLEAN */
	char why[ALIASDB_DAMAGE_REASON_MAX];
};

#define VERIFY_CACHE 8
static struct verify_cached verify_cache[VERIFY_CACHE];
static unsigned verify_cache_next;
static pthread_mutex_t verify_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool verify_same(const struct verify_cached *c, const struct stat *st)
{
	return c->dev == st->st_dev && c->ino == st->st_ino &&
	       c->size == st->st_size &&
	       c->mtime.tv_sec == st->st_mtim.tv_sec &&
	       c->mtime.tv_nsec == st->st_mtim.tv_nsec &&
	       c->ctime.tv_sec == st->st_ctim.tv_sec &&
	       c->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static bool verify_cache_get(const struct stat *st, int *ret_verdict, char *why,
			     size_t why_size)
{
	bool hit = false;
	unsigned i;

	pthread_mutex_lock(&verify_cache_lock);
	for (i = 0; i < VERIFY_CACHE && !hit; i++) {
		if (verify_cache[i].ino == 0 ||
		    !verify_same(&verify_cache[i], st))
			continue;
		*ret_verdict = verify_cache[i].verdict;
		snprintf(why, why_size, "%s", verify_cache[i].why);
		hit = true;
	}
	pthread_mutex_unlock(&verify_cache_lock);
	return hit;
}

static void verify_cache_put(const struct stat *st, int verdict,
			     const char *why)
{
	struct verify_cached *c;

	pthread_mutex_lock(&verify_cache_lock);
	c = &verify_cache[verify_cache_next++ % VERIFY_CACHE];
	c->dev = st->st_dev;
	c->ino = st->st_ino;
	c->size = st->st_size;
	c->mtime = st->st_mtim;
	c->ctime = st->st_ctim;
	c->verdict = verdict;
	snprintf(c->why, sizeof(c->why), "%s", why);
	pthread_mutex_unlock(&verify_cache_lock);
}

/* ---- The parent ------------------------------------------------------ */

/* Read the child's message within the time limit: 1 when whole, 0 when
 * the child ended without one, -ETIMEDOUT, -errno. */
static int verify_read(int fd, struct verify_msg *m)
{
	struct timespec start, now;
	size_t got = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (got < sizeof(*m)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long left;
		ssize_t n;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = VERIFY_TIMEOUT_MS -
		       (long)((now.tv_sec - start.tv_sec) * 1000 +
			      (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, (char *)m + got, sizeof(*m) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		got += (size_t)n;
	}
	return 1;
}

int aliasdb_verify_store(const char *dir, enum aliasdb_store store, char *why,
			 size_t why_size)
{
	const char *name =
		store == ALIASDB_STORE_MAP ? "data.mdb" : ALIASDB_CLAIMS_FILE;
	char file[ALIASDB_PATH_MAX];
	struct verify_msg m;
	struct stat st;
	int fds[2], status, r, verdict;
	pid_t pid;

	if ((size_t)snprintf(file, sizeof(file), "%s/%s", dir, name) >=
	    sizeof(file))
		return -ENAMETOOLONG;
	if (stat(file, &st) < 0)
		return -errno;
	if (verify_cache_get(&st, &verdict, why, why_size))
		return verdict;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid == 0) {
		close(fds[0]);
		verify_out = fds[1];
		verify_child(file, store == ALIASDB_STORE_MAP ? dir : file,
			     store);
	}
	close(fds[1]);
	memset(&m, 0, sizeof(m));
	r = verify_read(fds[0], &m);
	close(fds[0]);
	if (r == -ETIMEDOUT)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (r == 1 && m.status == VERIFY_SOUND) {
		verdict = 0;
		why[0] = '\0';
	} else if (r == 1 && m.status == VERIFY_DAMAGED) {
		verdict = -EUCLEAN;
		m.why[sizeof(m.why) - 1] = '\0';
		snprintf(why, why_size, "%s", m.why);
	} else if (r == 1 && m.status == VERIFY_ERROR && m.err > 0) {
		/* Could not look (permissions, no memory): no verdict. */
		return -m.err;
	} else if (r == -ETIMEDOUT) {
		verdict = -EUCLEAN;
		snprintf(why, why_size,
			 "reading it did not end within %d seconds",
			 VERIFY_TIMEOUT_MS / 1000);
	} else if (r < 0) {
		return r;
	} else if (WIFSIGNALED(status)) {
		verdict = -EUCLEAN;
		snprintf(why, why_size, "reading it crashes (%s)",
			 strsignal(WTERMSIG(status)));
	} else {
		verdict = -EUCLEAN;
		snprintf(why, why_size,
			 "reading it ends the reader (exit status %d)",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	verify_cache_put(&st, verdict, why);
	return verdict;
}

/* ---- What the last failed open found --------------------------------- */

/* Every store of a database directory, in the order they are checked. */
static const struct {
	enum aliasdb_store store;
	const char *name;
} verify_stores[] = {
	{ALIASDB_STORE_MAP, "data.mdb"},
	{ALIASDB_STORE_CLAIMS, ALIASDB_CLAIMS_FILE},
};
#define VERIFY_N_STORES (sizeof(verify_stores) / sizeof(verify_stores[0]))

static _Thread_local char damaged_file[ALIASDB_PATH_MAX];
static _Thread_local char damage_reason[ALIASDB_DAMAGE_REASON_MAX];

void aliasdb_damage_note(const char *file, const char *why)
{
	snprintf(damaged_file, sizeof(damaged_file), "%s", file ? file : "");
	snprintf(damage_reason, sizeof(damage_reason), "%s", why ? why : "");
}

const char *aliasdb_open_damaged_file(void)
{
	return damaged_file[0] ? damaged_file : NULL;
}

const char *aliasdb_open_damage_reason(void)
{
	return damaged_file[0] ? damage_reason : NULL;
}

int aliasdb_verify_open(const char *dir, unsigned stores)
{
	char why[ALIASDB_DAMAGE_REASON_MAX], file[ALIASDB_PATH_MAX];
	size_t i;
	int r;

	aliasdb_damage_note(NULL, NULL);
	for (i = 0; i < VERIFY_N_STORES; i++) {
		if (!(stores & (1u << verify_stores[i].store)))
			continue;
		r = aliasdb_verify_store(dir, verify_stores[i].store, why,
					 sizeof(why));
		if (r == -ENOENT)
			continue;
		if (r == -EUCLEAN) {
			snprintf(file, sizeof(file), "%s/%s", dir,
				 verify_stores[i].name);
			aliasdb_damage_note(file, why);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

void aliasdb_damage_list_free(struct aliasdb_damage *list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++) {
		free(list[i].file);
		free(list[i].reason);
	}
	free(list);
}

int aliasdb_verify(const char *dir, struct aliasdb_damage **ret_list,
		   size_t *ret_n)
{
	struct aliasdb_damage *list = NULL;
	char why[ALIASDB_DAMAGE_REASON_MAX];
	size_t n = 0, i;
	int r;

	if (!dir || !*dir || !ret_list || !ret_n)
		return -EINVAL;
	for (i = 0; i < VERIFY_N_STORES; i++) {
		struct aliasdb_damage *nl;

		r = aliasdb_verify_store(dir, verify_stores[i].store, why,
					 sizeof(why));
		if (r == 0 || r == -ENOENT)
			continue;
		if (r != -EUCLEAN) {
			aliasdb_damage_list_free(list, n);
			return r;
		}
		nl = realloc(list, (n + 1) * sizeof(*nl));
		if (!nl) {
			aliasdb_damage_list_free(list, n);
			return -ENOMEM;
		}
		list = nl;
		list[n].reason = strdup(why);
		if (asprintf(&list[n].file, "%s/%s", dir,
			     verify_stores[i].name) < 0)
			list[n].file = NULL;
		n++;
		if (!list[n - 1].file || !list[n - 1].reason) {
			aliasdb_damage_list_free(list, n);
			return -ENOMEM;
		}
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}
