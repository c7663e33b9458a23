/*
 * aliasdb convert/revert: the path helpers the planners rely on, the one
 * identity rule with and without metadata, the journal's round trip of a
 * plan, and a plan made, killed halfway (by failing a step) and rolled
 * back on a small tree.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aliasdb.h"
#include "convert-internal.h"

struct fixture {
	char tmp[64];
	char tree[128];
	char dbdir[192];
	int tree_fd;
	struct aliasdb *db;
	struct aliasdb_map *map;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void mk(const char *root, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup(void **state)
{
	static const char *const al[] = {"/bin", "/lib64"};
	static const char *const ca[] = {"/usr/bin", "/usr/lib64"};
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->tmp, "/tmp/test-aliasdb-convert.XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	snprintf(f->tree, sizeof(f->tree), "%s/tree", f->tmp);
	snprintf(f->dbdir, sizeof(f->dbdir), "%s/var/lib/aliasfs", f->tree);
	if (mkdir(f->tree, 0755) < 0)
		return -1;
	mk(f->tree, "bin");
	mk(f->tree, "usr");
	mk(f->tree, "usr/bin");
	mk(f->tree, "lib64");
	put(f->tree, "bin/ls", "ls\n");
	put(f->tree, "bin/same", "same\n");
	put(f->tree, "usr/bin/same", "same\n");
	put(f->tree, "usr/bin/env", "env\n");
	put(f->tree, "lib64/ld.so", "ld\n");
	if (aliasdb_open(f->dbdir, ALIASDB_OPEN_CREATE, &f->db) < 0 ||
	    aliasdb_map_from_pairs(al, ca, 2, &f->map, NULL) < 0)
		return -1;
	f->tree_fd = open(f->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = f;
	return f->tree_fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->tree_fd);
	aliasdb_map_free(f->map);
	aliasdb_close(f->db);
	nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void test_relative(void **state)
{
	char *t;

	(void)state;
	assert_int_equal(cv_relative("/bin", "/usr/bin", &t), 0);
	assert_string_equal(t, "usr/bin");
	free(t);
	assert_int_equal(cv_relative("/a/b", "/a/c/d", &t), 0);
	assert_string_equal(t, "c/d");
	free(t);
	assert_int_equal(cv_relative("/x/y/z", "/w", &t), 0);
	assert_string_equal(t, "../../w");
	free(t);
	/* "/usr" is not a prefix of "/usrx" on components */
	assert_int_equal(cv_relative("/usr/l", "/usrx/y", &t), 0);
	assert_string_equal(t, "../usrx/y");
	free(t);
}

static void test_link_target(void **state)
{
	struct fixture *f = *state;
	char buf[ALIASDB_PATH_MAX];

	assert_int_equal(
		cv_link_target(f->map, "/bin/x", "y", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/usr/bin/y");
	assert_int_equal(cv_link_target(f->map, "/usr/bin/touch", "/bin/touch",
					buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/usr/bin/touch");
	assert_int_equal(cv_link_target(NULL, "/bin/x", "../usr/bin/y", buf,
					sizeof(buf)),
			 0);
	assert_string_equal(buf, "/usr/bin/y");
	/* '..' above the root stays at the root */
	assert_int_equal(cv_link_target(NULL, "/bin/x", "../../../etc", buf,
					sizeof(buf)),
			 0);
	assert_string_equal(buf, "/etc");
}

static void test_entries_same(void **state)
{
	struct fixture *f = *state;
	struct stat a, b;
	int bin = openat(f->tree_fd, "bin", O_RDONLY | O_DIRECTORY);
	int ubin = openat(f->tree_fd, "usr/bin", O_RDONLY | O_DIRECTORY);

	assert_true(bin >= 0 && ubin >= 0);
	assert_int_equal(fstatat(bin, "same", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(ubin, "same", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(
		aliasdb_entries_same(bin, "same", &a, ubin, "same", &b, 0), 1);
	assert_int_equal(aliasdb_entries_same(bin, "same", &a, ubin, "same", &b,
					      ALIASDB_SAME_METADATA),
			 1);
	assert_int_equal(fchmodat(ubin, "same", 0700, 0), 0);
	assert_int_equal(fstatat(ubin, "same", &b, AT_SYMLINK_NOFOLLOW), 0);
	/* The view's rule ignores the mode, convert's does not. */
	assert_int_equal(
		aliasdb_entries_same(bin, "same", &a, ubin, "same", &b, 0), 1);
	assert_int_equal(aliasdb_entries_same(bin, "same", &a, ubin, "same", &b,
					      ALIASDB_SAME_METADATA),
			 0);
	assert_int_equal(fstatat(ubin, "env", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(
		aliasdb_entries_same(bin, "ls", &a, ubin, "env", &b, 0), 0);
	close(bin);
	close(ubin);
}

static void test_plan_and_journal(void **state)
{
	struct fixture *f = *state;
	const struct aliasdb_plan_item *items;
	struct aliasdb_convert_status st;
	struct aliasdb_plan *p, *back;
	struct cv_journal *j;
	enum aliasdb_convert_op op;
	enum aliasdb_pending pending;
	size_t n;

	assert_int_equal(aliasdb_convert_plan(f->db, f->map, f->tree_fd,
					      ALIASDB_OP_CONVERT, NULL, &p),
			 0);
	assert_int_equal(aliasdb_plan_conflicts(p), 0);
	assert_true(aliasdb_plan_steps(p) > 0);
	items = aliasdb_plan_items(p, &n);
	assert_true(n > 0);
	assert_int_equal(items[0].kind, ALIASDB_PLAN_MERGE);
	assert_string_equal(items[0].path, "/bin");

	/* The journal gives back what it was given. */
	assert_int_equal(cv_journal_open(f->db, true, &j), 0);
	assert_int_equal(cv_journal_begin(j, p), 0);
	assert_int_equal(cv_journal_load(j, &back), 0);
	assert_int_equal(back->n_steps, p->n_steps);
	for (size_t i = 0; i < p->n_steps; i++) {
		assert_int_equal(back->steps[i].kind, p->steps[i].kind);
		assert_int_equal(back->steps[i].batch, p->steps[i].batch);
		assert_int_equal(back->steps[i].ino, p->steps[i].ino);
		assert_string_equal(back->steps[i].dst, p->steps[i].dst);
	}
	assert_int_equal(back->n_aliases, 2);
	assert_string_equal(back->aliases[1], "/lib64");
	aliasdb_plan_free(back);
	assert_int_equal(aliasdb_convert_pending(f->db, &op, &pending), 0);
	assert_int_equal(op, ALIASDB_OP_CONVERT);
	assert_int_equal(pending, ALIASDB_PENDING_RUN);
	/* Nothing was made yet: a rollback undoes nothing and forgets it. */
	cv_journal_close(j);
	assert_int_equal(aliasdb_convert_rollback(f->db, f->tree_fd, NULL, &st),
			 0);
	assert_int_equal(st.undone, 0);
	assert_int_equal(aliasdb_convert_pending(f->db, &op, &pending), 0);
	assert_int_equal(pending, ALIASDB_PENDING_NONE);
	aliasdb_plan_free(p);
}

static void test_execute_and_revert(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_convert_status st;
	struct aliasdb_plan *p;
	char buf[64];
	ssize_t n;

	assert_int_equal(aliasdb_convert_plan(f->db, f->map, f->tree_fd,
					      ALIASDB_OP_CONVERT, NULL, &p),
			 0);
	assert_int_equal(
		aliasdb_convert_execute(f->db, f->tree_fd, p, NULL, &st), 0);
	assert_int_equal(st.made, aliasdb_plan_steps(p));
	aliasdb_plan_free(p);
	n = readlinkat(f->tree_fd, "bin", buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "usr/bin");
	assert_int_equal(faccessat(f->tree_fd, "usr/bin/ls", F_OK, 0), 0);
	assert_int_equal(faccessat(f->tree_fd, "usr/lib64/ld.so", F_OK, 0), 0);
	assert_int_equal(faccessat(f->tree_fd, CV_STAGING + 1, F_OK, 0), -1);

	/* No dpkg database: the record of the convert alone splits it. */
	assert_int_equal(aliasdb_convert_plan(f->db, f->map, f->tree_fd,
					      ALIASDB_OP_REVERT, NULL, &p),
			 0);
	assert_int_equal(
		aliasdb_convert_execute(f->db, f->tree_fd, p, NULL, &st), 0);
	aliasdb_plan_free(p);
	assert_int_equal(faccessat(f->tree_fd, "bin/ls", F_OK, 0), 0);
	assert_int_equal(faccessat(f->tree_fd, "bin/same", F_OK, 0), 0);
	assert_int_equal(faccessat(f->tree_fd, "usr/bin/same", F_OK, 0), 0);
	assert_int_equal(faccessat(f->tree_fd, "usr/bin/ls", F_OK, 0), -1);
	assert_int_equal(faccessat(f->tree_fd, "lib64/ld.so", F_OK, 0), 0);
	assert_int_equal(faccessat(f->tree_fd, "usr/lib64", F_OK, 0), -1);
}

static void test_lock(void **state)
{
	struct fixture *f = *state;
	int other = open(f->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid_t pid = 0;

	assert_true(other >= 0);
	assert_int_equal(aliasdb_tree_lock(f->tree_fd), 0);
	/* A second open file description is another holder. */
	assert_int_equal(aliasdb_tree_lock(other), -EWOULDBLOCK);
	close(other);
	/* Only this process has the database open. */
	assert_int_equal(aliasdb_db_in_use(f->dbdir, &pid), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative),
		cmocka_unit_test_setup_teardown(test_link_target, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_entries_same, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_plan_and_journal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_execute_and_revert, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
