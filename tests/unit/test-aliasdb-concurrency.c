/*
 * aliasdb across processes: a reader never sees half a write, and a writer
 * killed with SIGKILL leaves the previous state behind.
 */
#define _XOPEN_SOURCE 700
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "aliasdb.h"
#include "aliasdb-internal.h"

#define BASE_COUNT 6 /* amd64 defaults */

struct fixture {
	char dir[64];
	uint64_t gen0;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct aliasdb *db = NULL;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test-aliasdb-conc.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	if (aliasdb_open(f->dir, ALIASDB_OPEN_CREATE, &db) < 0)
		return -1;
	if (aliasdb_add_arch_defaults(db, "amd64", NULL) != BASE_COUNT ||
	    aliasdb_generation(db, &f->gen0) < 0) {
		aliasdb_close(db);
		return -1;
	}
	/* No handle is open across fork(): LMDB environments must not be
	 * shared with a child. */
	aliasdb_close(db);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* @n pairs /opt/<tag>-<i> -> /srv/<tag>-<i>, in malloc'ed storage. */
struct batch {
	char (*alias)[32];
	char (*canonical)[32];
	const char **a;
	const char **c;
	size_t n;
};

static void batch_make(struct batch *b, const char *tag, size_t n)
{
	size_t i;

	b->alias = calloc(n, sizeof(*b->alias));
	b->canonical = calloc(n, sizeof(*b->canonical));
	b->a = calloc(n, sizeof(*b->a));
	b->c = calloc(n, sizeof(*b->c));
	assert_non_null(b->alias);
	assert_non_null(b->canonical);
	assert_non_null(b->a);
	assert_non_null(b->c);
	for (i = 0; i < n; i++) {
		snprintf(b->alias[i], sizeof(b->alias[i]), "/opt/%s-%zu", tag,
			 i);
		snprintf(b->canonical[i], sizeof(b->canonical[i]),
			 "/srv/%s-%zu", tag, i);
		b->a[i] = b->alias[i];
		b->c[i] = b->canonical[i];
	}
	b->n = n;
}

static void batch_free(struct batch *b)
{
	free(b->alias);
	free(b->canonical);
	free(b->a);
	free(b->c);
}

struct hook {
	int ready_fd; /* written once the batch is in the open txn */
	int go_fd;    /* read before committing; -1: wait forever */
};

static void hook_before_commit(void *userdata)
{
	struct hook *h = userdata;
	char c = 'r';

	if (write(h->ready_fd, &c, 1) != 1)
		_exit(20);
	if (h->go_fd < 0)
		for (;;)
			pause(); /* until SIGKILL */
	if (read(h->go_fd, &c, 1) != 1)
		_exit(21);
}

/* Child: add @b in one transaction, calling the hook before commit. */
static pid_t spawn_batch_writer(const char *dir, struct batch *b,
				struct hook *h)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct aliasdb *db = NULL;

		if (aliasdb_open(dir, 0, &db) < 0)
			_exit(22);
		if (aliasdb_debug_add_batch(db, b->a, b->c, b->n,
					    hook_before_commit, h) < 0)
			_exit(23);
		aliasdb_close(db);
		_exit(0);
	}
	return pid;
}

static void expect_state(const char *dir, size_t count, uint64_t generation)
{
	struct aliasdb *db = NULL;
	struct aliasdb_alias **list = NULL;
	struct aliasdb_map *map = NULL;
	size_t n = 0;
	uint64_t g = 0;

	assert_int_equal(aliasdb_open(dir, ALIASDB_OPEN_RDONLY, &db), 0);
	assert_int_equal(aliasdb_generation(db, &g), 0);
	assert_int_equal(g, generation);
	assert_int_equal(aliasdb_list(db, &list, &n), 0);
	assert_int_equal(n, count);
	aliasdb_alias_list_free(list, n);
	assert_int_equal(aliasdb_map_load(db, &map), 0);
	assert_int_equal(aliasdb_map_count(map), count);
	aliasdb_map_free(map);
	aliasdb_close(db);
}

static void test_reader_sees_old_or_new(void **state)
{
	struct fixture *f = *state;
	int ready[2], go[2], status;
	struct batch b;
	struct hook h;
	char c;
	pid_t pid;

	batch_make(&b, "batch", 300);
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	h.ready_fd = ready[1];
	h.go_fd = go[0];
	pid = spawn_batch_writer(f->dir, &b, &h);

	/* The writer holds an open transaction with 300 new aliases: this
	 * process sees none of them. */
	assert_int_equal(read(ready[0], &c, 1), 1);
	expect_state(f->dir, BASE_COUNT, f->gen0);

	c = 'g';
	assert_int_equal(write(go[1], &c, 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Committed: all of them, one generation later. */
	expect_state(f->dir, BASE_COUNT + 300, f->gen0 + 1);

	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	batch_free(&b);
}

#define ROUNDS 40
#define PER_ROUND 10

/* A reader process polling while this process commits batches: every
 * snapshot is whole (count matches its generation). */
static void test_reader_stress(void **state)
{
	struct fixture *f = *state;
	uint64_t final = f->gen0 + ROUNDS;
	struct aliasdb *db = NULL;
	int status, i;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct aliasdb *rdb = NULL;
		long iter;

		if (aliasdb_open(f->dir, ALIASDB_OPEN_RDONLY, &rdb) < 0)
			_exit(30);
		/* Bounded: the writer finishes long before this. */
		for (iter = 0; iter < 10000000; iter++) {
			struct aliasdb_map *map = NULL;
			uint64_t g;
			size_t n;

			if (aliasdb_map_load(rdb, &map) < 0)
				_exit(31);
			g = aliasdb_map_generation(map);
			n = aliasdb_map_count(map);
			aliasdb_map_free(map);
			if (g < f->gen0 || g > final ||
			    n != BASE_COUNT + PER_ROUND * (g - f->gen0))
				_exit(32);
			if (g == final) {
				aliasdb_close(rdb);
				_exit(0);
			}
		}
		_exit(33);
	}

	assert_int_equal(aliasdb_open(f->dir, 0, &db), 0);
	for (i = 0; i < ROUNDS; i++) {
		struct batch b;
		char tag[16];

		snprintf(tag, sizeof(tag), "r%d", i);
		batch_make(&b, tag, PER_ROUND);
		assert_int_equal(
			aliasdb_debug_add_batch(db, b.a, b.c, b.n, NULL, NULL),
			0);
		batch_free(&b);
	}
	aliasdb_close(db);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_writer_killed_in_txn(void **state)
{
	struct fixture *f = *state;
	struct aliasdb *db = NULL;
	int ready[2], status;
	struct batch b;
	struct hook h;
	char c;
	pid_t pid;

	batch_make(&b, "killed", 500);
	assert_int_equal(pipe(ready), 0);
	h.ready_fd = ready[1];
	h.go_fd = -1;
	pid = spawn_batch_writer(f->dir, &b, &h);
	assert_int_equal(read(ready[0], &c, 1), 1);
	/* The child holds LMDB's writer lock and 500 uncommitted adds. */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	expect_state(f->dir, BASE_COUNT, f->gen0);
	/* The dead writer's lock is recovered: writing works again. */
	assert_int_equal(aliasdb_open(f->dir, 0, &db), 0);
	assert_int_equal(
		aliasdb_add(db, "/opt/after", "/srv/after", NULL, NULL), 1);
	aliasdb_close(db);
	expect_state(f->dir, BASE_COUNT + 1, f->gen0 + 1);

	close(ready[0]);
	close(ready[1]);
	batch_free(&b);
}

/* Kill a writer at an arbitrary point of a stream of commits (possibly
 * inside one): the database reopens with whole batches only. */
static void test_writer_killed_anywhere(void **state)
{
	struct fixture *f = *state;
	struct aliasdb *db = NULL;
	struct aliasdb_map *map = NULL;
	int status, polls;
	uint64_t g = 0;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct aliasdb *wdb = NULL;
		int i;

		if (aliasdb_open(f->dir, 0, &wdb) < 0)
			_exit(40);
		for (i = 0;; i++) {
			struct batch b;
			char tag[16];

			snprintf(tag, sizeof(tag), "k%d", i);
			batch_make(&b, tag, PER_ROUND);
			if (aliasdb_debug_add_batch(wdb, b.a, b.c, b.n, NULL,
						    NULL) < 0)
				_exit(41);
			batch_free(&b);
		}
	}

	/* Wait (bounded) until the writer has committed a few batches. */
	assert_int_equal(aliasdb_open(f->dir, ALIASDB_OPEN_RDONLY, &db), 0);
	for (polls = 0; polls < 10000000; polls++) {
		assert_int_equal(aliasdb_generation(db, &g), 0);
		if (g >= f->gen0 + 5)
			break;
	}
	assert_true(g >= f->gen0 + 5);
	aliasdb_close(db);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));

	assert_int_equal(aliasdb_open(f->dir, 0, &db), 0);
	assert_int_equal(aliasdb_map_load(db, &map), 0);
	g = aliasdb_map_generation(map);
	assert_true(g >= f->gen0 + 5);
	assert_int_equal(aliasdb_map_count(map),
			 BASE_COUNT + PER_ROUND * (g - f->gen0));
	aliasdb_map_free(map);
	assert_int_equal(
		aliasdb_add(db, "/opt/after", "/srv/after", NULL, NULL), 1);
	aliasdb_close(db);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_reader_sees_old_or_new),
		T(test_reader_stress),
		T(test_writer_killed_in_txn),
		T(test_writer_killed_anywhere),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
