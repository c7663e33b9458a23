/*
 * aliasdb: the LMDB store — persistence, generation, idempotent add,
 * owners and disown, state, conflicts, schema, read-only opens.
 */
#define _XOPEN_SOURCE 700
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
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

struct fixture {
	char tmp[64];  /* removed at teardown */
	char dir[128]; /* the database directory, below tmp */
	struct aliasdb *db;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	mode_t old_umask;
	int r;

	if (!f)
		return -1;
	strcpy(f->tmp, "/tmp/test-aliasdb-store.XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/root/var/lib/aliasfs", f->tmp);
	/* A strict umask must not leave the directories unreadable. */
	old_umask = umask(077);
	r = aliasdb_open(f->dir, ALIASDB_OPEN_CREATE, &f->db);
	umask(old_umask);
	if (r < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	aliasdb_close(f->db);
	nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static uint64_t gen(struct aliasdb *db)
{
	uint64_t g = 0;

	assert_int_equal(aliasdb_generation(db, &g), 0);
	return g;
}

static void reopen(struct fixture *f, unsigned flags)
{
	aliasdb_close(f->db);
	f->db = NULL;
	assert_int_equal(aliasdb_open(f->dir, flags, &f->db), 0);
}

static void test_open_missing(void **state)
{
	struct fixture *f = *state;
	struct aliasdb *db = (struct aliasdb *)0x1;
	char path[256];
	struct stat st;

	/* CREATE made the parents with mode 0755. */
	snprintf(path, sizeof(path), "%s/root/var", f->tmp);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);

	/* No database and no CREATE: -ENOENT, nothing created. */
	snprintf(path, sizeof(path), "%s/none", f->tmp);
	assert_int_equal(aliasdb_open(path, 0, &db), -ENOENT);
	assert_int_equal(aliasdb_open(path, ALIASDB_OPEN_RDONLY, &db), -ENOENT);
	assert_ptr_equal(db, (struct aliasdb *)0x1);
	assert_int_equal(stat(path, &st), -1);
	/* An existing but empty directory is not a database either. */
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(aliasdb_open(path, 0, &db), -ENOENT);
	snprintf(path, sizeof(path), "%s/none/data.mdb", f->tmp);
	assert_int_equal(stat(path, &st), -1);
	/* A file where the directory should be. */
	snprintf(path, sizeof(path), "%s/file", f->tmp);
	fclose(fopen(path, "w"));
	assert_int_equal(aliasdb_open(path, 0, &db), -ENOTDIR);
	assert_int_equal(aliasdb_open("", 0, &db), -EINVAL);
	aliasdb_close(NULL);

	/* Files made under umask 077 (see setup) are readable anyway. */
	snprintf(path, sizeof(path), "%s/data.mdb", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	snprintf(path, sizeof(path), "%s/lock.mdb", f->dir);
	assert_int_equal(stat(path, &st), 0);

	/* CREATE with RDONLY: an empty database, opened read-only. */
	snprintf(path, sizeof(path), "%s/ro/db", f->tmp);
	db = NULL;
	assert_int_equal(aliasdb_open(path,
				      ALIASDB_OPEN_CREATE | ALIASDB_OPEN_RDONLY,
				      &db),
			 0);
	assert_int_equal(gen(db), 0);
	assert_int_equal(aliasdb_add(db, "/bin", "/usr/bin", NULL, NULL),
			 -EROFS);
	aliasdb_close(db);
}

static void test_persistence(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_alias **list = NULL, *a = NULL;
	struct aliasdb_conflict *conf = NULL;
	size_t n = 0;
	uint64_t g;

	assert_int_equal(aliasdb_add_arch_defaults(f->db, "amd64", NULL), 6);
	assert_int_equal(aliasdb_add(f->db, "/opt/q", "/srv/q", "q.conf", NULL),
			 1);
	assert_int_equal(aliasdb_set_state(f->db, "/opt/q",
					   ALIASDB_STATE_BLOCKED,
					   "would hide /opt/q/x"),
			 0);
	assert_int_equal(
		aliasdb_conflict_add(f->db, "/usr/bin/test", "/bin/test"), 1);
	g = gen(f->db);

	reopen(f, 0);
	assert_int_equal(gen(f->db), g);
	assert_int_equal(aliasdb_list(f->db, &list, &n), 0);
	assert_int_equal(n, 7);
	/* Sorted by alias path. */
	assert_string_equal(list[0]->alias, "/bin");
	assert_string_equal(list[0]->canonical, "/usr/bin");
	assert_int_equal(list[0]->state, ALIASDB_STATE_ACTIVE);
	assert_null(list[0]->reason);
	assert_int_equal(list[0]->n_owners, 0);
	assert_string_equal(list[1]->alias, "/lib");
	assert_string_equal(list[2]->alias, "/lib32");
	assert_string_equal(list[3]->alias, "/lib64");
	assert_string_equal(list[4]->alias, "/libx32");
	assert_string_equal(list[5]->alias, "/opt/q");
	assert_string_equal(list[6]->alias, "/sbin");
	aliasdb_alias_list_free(list, n);

	assert_int_equal(aliasdb_get(f->db, "/opt/q", &a), 0);
	assert_string_equal(a->canonical, "/srv/q");
	assert_int_equal(a->state, ALIASDB_STATE_BLOCKED);
	assert_string_equal(a->reason, "would hide /opt/q/x");
	assert_int_equal(a->n_owners, 1);
	assert_string_equal(a->owners[0], "q.conf");
	aliasdb_alias_free(a);

	assert_int_equal(aliasdb_conflict_list(f->db, &conf, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(conf[0].canonical, "/usr/bin/test");
	assert_string_equal(conf[0].shadowed, "/bin/test");
	aliasdb_conflict_list_free(conf, n);

	/* A reloaded map holds the active aliases only. */
	{
		struct aliasdb_map *map = NULL, *amd64 = NULL;

		assert_int_equal(aliasdb_map_load(f->db, &map), 0);
		assert_int_equal(aliasdb_map_generation(map), g);
		assert_int_equal(aliasdb_map_for_arch("amd64", &amd64), 0);
		assert_true(aliasdb_map_equal(map, amd64));
		aliasdb_map_free(map);
		aliasdb_map_free(amd64);
	}
}

static void test_generation(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_alias **list = NULL, *a = NULL;
	struct aliasdb_conflict *conf = NULL;
	struct aliasdb_map *map = NULL;
	enum aliasdb_rule rule;
	uint64_t g, g2;
	size_t n;

	g = gen(f->db);
	assert_int_equal(g, 0);

	/* Every write moves the generation ... */
	assert_int_equal(aliasdb_add(f->db, "/bin", "/usr/bin", NULL, NULL), 1);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;
	assert_int_equal(aliasdb_add(f->db, "/bin", "/usr/bin", "d1", NULL), 1);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;
	assert_int_equal(
		aliasdb_set_state(f->db, "/bin", ALIASDB_STATE_BLOCKED, "x"),
		0);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;
	assert_int_equal(
		aliasdb_set_state(f->db, "/bin", ALIASDB_STATE_ACTIVE, NULL),
		0);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;
	assert_int_equal(aliasdb_conflict_add(f->db, "/usr/bin/a", "/bin/a"),
			 1);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;
	assert_int_equal(aliasdb_conflict_remove(f->db, "/usr/bin/a", "/bin/a"),
			 0);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;
	assert_int_equal(aliasdb_disown(f->db, "/bin", "d1"), 0);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;
	assert_int_equal(aliasdb_remove(f->db, "/bin"), 0);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "arm64", NULL), 3);
	assert_true((g2 = gen(f->db)) != g);
	g = g2;

	/* ... and reads, no-op writes and refusals do not. */
	assert_int_equal(aliasdb_list(f->db, &list, &n), 0);
	aliasdb_alias_list_free(list, n);
	assert_int_equal(aliasdb_get(f->db, "/bin", &a), 0);
	aliasdb_alias_free(a);
	assert_int_equal(aliasdb_conflict_list(f->db, &conf, &n), 0);
	assert_int_equal(n, 0);
	assert_null(conf);
	assert_int_equal(aliasdb_map_load(f->db, &map), 0);
	assert_int_equal(aliasdb_map_generation(map), g);
	aliasdb_map_free(map);
	assert_int_equal(aliasdb_check(f->db, "/opt/a", "/srv/a", &rule), 0);
	assert_int_equal(aliasdb_add(f->db, "/bin", "/usr/bin", NULL, NULL), 0);
	assert_int_equal(aliasdb_add(f->db, "/bin", "/usr/sbin", NULL, NULL),
			 -EINVAL);
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "arm64", NULL), 0);
	assert_int_equal(aliasdb_remove(f->db, "/nope"), -ENOENT);
	assert_int_equal(
		aliasdb_set_state(f->db, "/bin", ALIASDB_STATE_ACTIVE, NULL),
		0);
	assert_int_equal(gen(f->db), g);
}

static void test_add_idempotent(void **state)
{
	struct fixture *f = *state;
	enum aliasdb_rule rule = ALIASDB_RULE_NESTED;
	struct aliasdb_alias *a = NULL;

	assert_int_equal(
		aliasdb_add(f->db, "/lib64", "/usr/lib64", NULL, &rule), 1);
	assert_int_equal(rule, ALIASDB_RULE_OK);
	rule = ALIASDB_RULE_NESTED;
	assert_int_equal(
		aliasdb_add(f->db, "/lib64", "/usr/lib64", NULL, &rule), 0);
	assert_int_equal(rule, ALIASDB_RULE_OK);
	assert_int_equal(aliasdb_add(f->db, "/lib64", "/usr/lib64", "o", NULL),
			 1);
	assert_int_equal(aliasdb_add(f->db, "/lib64", "/usr/lib64", "o", NULL),
			 0);
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "amd64", NULL), 5);
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "amd64", NULL), 0);
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "hurd-i386", NULL),
			 -ENOENT);
	assert_int_equal(aliasdb_get(f->db, "/lib64", &a), 0);
	assert_int_equal(a->n_owners, 1);
	aliasdb_alias_free(a);
}

static void test_arch_defaults_refused(void **state)
{
	struct fixture *f = *state;
	enum aliasdb_rule rule = ALIASDB_RULE_OK;
	struct aliasdb_alias **list = NULL;
	uint64_t g;
	size_t n = 0;

	/* /lib64 pointing elsewhere: the whole set is refused, nothing
	 * written. */
	assert_int_equal(aliasdb_add(f->db, "/lib64", "/opt/lib64", NULL, NULL),
			 1);
	g = gen(f->db);
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "amd64", &rule),
			 -EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_DUPLICATE);
	assert_int_equal(gen(f->db), g);
	assert_int_equal(aliasdb_list(f->db, &list, &n), 0);
	assert_int_equal(n, 1);
	aliasdb_alias_list_free(list, n);
}

static void expect_owners(struct aliasdb *db, const char *alias, size_t n,
			  const char *const *owners)
{
	struct aliasdb_alias *a = NULL;
	size_t i;

	assert_int_equal(aliasdb_get(db, alias, &a), 0);
	assert_int_equal(a->n_owners, n);
	for (i = 0; i < n; i++)
		assert_string_equal(a->owners[i], owners[i]);
	aliasdb_alias_free(a);
}

static void test_owners(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_alias *a = NULL;
	const char *const abc[] = {"a", "b", "c"};
	const char *const ac[] = {"a", "c"};
	const char *const c[] = {"c"};
	uint64_t g;

	/* Owned by declarations only: sorted owner list. */
	assert_int_equal(aliasdb_add(f->db, "/sbin", "/usr/sbin", "c", NULL),
			 1);
	assert_int_equal(aliasdb_add(f->db, "/sbin", "/usr/sbin", "a", NULL),
			 1);
	assert_int_equal(aliasdb_add(f->db, "/sbin", "/usr/sbin", "b", NULL),
			 1);
	expect_owners(f->db, "/sbin", 3, abc);
	/* The arch defaults add the 2 others and adopt /sbin by hand. */
	g = gen(f->db);
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "arm64", NULL), 2);
	assert_true(gen(f->db) != g);
	expect_owners(f->db, "/sbin", 3, abc);
	assert_int_equal(aliasdb_remove(f->db, "/bin"), 0);
	assert_int_equal(aliasdb_remove(f->db, "/lib"), 0);
	assert_int_equal(aliasdb_disown(f->db, "/sbin", "a"), 0);
	assert_int_equal(aliasdb_disown(f->db, "/sbin", "b"), 0);
	assert_int_equal(aliasdb_disown(f->db, "/sbin", "c"), 0);
	/* Still there: by hand. Start over declaration-only. */
	assert_int_equal(aliasdb_remove(f->db, "/sbin"), 0);
	assert_int_equal(aliasdb_add(f->db, "/sbin", "/usr/sbin", "c", NULL),
			 1);
	assert_int_equal(aliasdb_add(f->db, "/sbin", "/usr/sbin", "a", NULL),
			 1);
	assert_int_equal(aliasdb_add(f->db, "/sbin", "/usr/sbin", "b", NULL),
			 1);
	assert_int_equal(aliasdb_disown(f->db, "/sbin", "b"), 0);
	expect_owners(f->db, "/sbin", 2, ac);
	assert_int_equal(aliasdb_disown(f->db, "/sbin", "b"), -ENOENT);
	assert_int_equal(aliasdb_disown(f->db, "/nope", "a"), -ENOENT);
	assert_int_equal(aliasdb_disown(f->db, "/sbin", "a"), 0);
	expect_owners(f->db, "/sbin", 1, c);
	/* Last owner gone and never added by hand: the alias goes. */
	assert_int_equal(aliasdb_disown(f->db, "/sbin", "c"), 1);
	assert_int_equal(aliasdb_get(f->db, "/sbin", &a), -ENOENT);

	/* Added by hand too: stays when its declarations go. */
	assert_int_equal(aliasdb_add(f->db, "/bin", "/usr/bin", "c", NULL), 1);
	assert_int_equal(aliasdb_add(f->db, "/bin", "/usr/bin", NULL, NULL), 1);
	assert_int_equal(aliasdb_disown(f->db, "/bin", "c"), 0);
	assert_int_equal(aliasdb_get(f->db, "/bin", &a), 0);
	assert_int_equal(a->n_owners, 0);
	aliasdb_alias_free(a);
	assert_int_equal(aliasdb_disown(f->db, "/bin", "c"), -ENOENT);

	/* By hand first, then a declaration: same. */
	assert_int_equal(aliasdb_add(f->db, "/lib", "/usr/lib", NULL, NULL), 1);
	assert_int_equal(aliasdb_add(f->db, "/lib", "/usr/lib", "d", NULL), 1);
	assert_int_equal(aliasdb_disown(f->db, "/lib", "d"), 0);
	assert_int_equal(aliasdb_get(f->db, "/lib", &a), 0);
	aliasdb_alias_free(a);

	/* remove drops it whatever the owners. */
	assert_int_equal(aliasdb_add(f->db, "/lib", "/usr/lib", "e", NULL), 1);
	assert_int_equal(aliasdb_remove(f->db, "/lib"), 0);
	assert_int_equal(aliasdb_get(f->db, "/lib", &a), -ENOENT);
	assert_int_equal(aliasdb_remove(f->db, "/lib"), -ENOENT);
	/* Re-added after removal, by a declaration only: not by hand any
	 * more. */
	assert_int_equal(aliasdb_add(f->db, "/lib", "/usr/lib", "e", NULL), 1);
	assert_int_equal(aliasdb_disown(f->db, "/lib", "e"), 1);
}

static void test_state(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_map *map = NULL;
	struct aliasdb_alias *a = NULL;
	char buf[64];

	assert_int_equal(aliasdb_add_arch_defaults(f->db, "i386", NULL), 5);
	assert_int_equal(
		aliasdb_set_state(f->db, "/lib64", ALIASDB_STATE_BLOCKED, NULL),
		-EINVAL);
	assert_int_equal(
		aliasdb_set_state(f->db, "/lib64", ALIASDB_STATE_BLOCKED, ""),
		-EINVAL);
	assert_int_equal(
		aliasdb_set_state(f->db, "/lib64", (enum aliasdb_state)7, "x"),
		-EINVAL);
	assert_int_equal(
		aliasdb_set_state(f->db, "/nope", ALIASDB_STATE_BLOCKED, "x"),
		-ENOENT);
	assert_int_equal(
		aliasdb_set_state(f->db, "/lib64", ALIASDB_STATE_BLOCKED,
				  "/lib64/x differs from /usr/lib64/x"),
		0);
	/* A blocked alias is not in the map: /lib64 stays as it is. */
	assert_int_equal(aliasdb_map_load(f->db, &map), 0);
	assert_int_equal(aliasdb_map_count(map), 4);
	assert_true(aliasdb_map_canon(map, "/lib64/x", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "/lib64/x");
	assert_true(aliasdb_map_canon(map, "/libx32/x", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "/usr/libx32/x");
	aliasdb_map_free(map);
	/* Re-adding keeps the state. */
	assert_int_equal(aliasdb_add(f->db, "/lib64", "/usr/lib64", NULL, NULL),
			 0);
	assert_int_equal(aliasdb_get(f->db, "/lib64", &a), 0);
	assert_int_equal(a->state, ALIASDB_STATE_BLOCKED);
	aliasdb_alias_free(a);
	/* Activating drops the reason. */
	assert_int_equal(aliasdb_set_state(f->db, "/lib64",
					   ALIASDB_STATE_ACTIVE, "ignored"),
			 0);
	assert_int_equal(aliasdb_get(f->db, "/lib64", &a), 0);
	assert_int_equal(a->state, ALIASDB_STATE_ACTIVE);
	assert_null(a->reason);
	aliasdb_alias_free(a);
}

static void test_conflicts(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_conflict *list = NULL;
	size_t n = 0;

	assert_int_equal(
		aliasdb_conflict_add(f->db, "/usr/bin/test", "/bin/test"), 1);
	assert_int_equal(
		aliasdb_conflict_add(f->db, "/usr/bin/test", "/bin/test"), 0);
	assert_int_equal(aliasdb_conflict_add(f->db, "/usr/bin/a", "/bin/a"),
			 1);
	assert_int_equal(
		aliasdb_conflict_add(f->db, "/usr/bin/test", "/sbin/test"), 1);
	assert_int_equal(aliasdb_conflict_add(f->db, "usr/x", "/x"), -EINVAL);
	assert_int_equal(aliasdb_conflict_add(f->db, "/usr/x", "/x/"), -EINVAL);
	assert_int_equal(aliasdb_conflict_list(f->db, &list, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].canonical, "/usr/bin/a");
	assert_string_equal(list[1].canonical, "/usr/bin/test");
	assert_string_equal(list[1].shadowed, "/bin/test");
	assert_string_equal(list[2].canonical, "/usr/bin/test");
	assert_string_equal(list[2].shadowed, "/sbin/test");
	aliasdb_conflict_list_free(list, n);
	assert_int_equal(
		aliasdb_conflict_remove(f->db, "/usr/bin/test", "/bin/test"),
		0);
	assert_int_equal(
		aliasdb_conflict_remove(f->db, "/usr/bin/test", "/bin/test"),
		-ENOENT);
	assert_int_equal(aliasdb_conflict_list(f->db, &list, &n), 0);
	assert_int_equal(n, 2);
	aliasdb_conflict_list_free(list, n);
	aliasdb_conflict_list_free(NULL, 0);
}

static void test_schema_newer(void **state)
{
	struct fixture *f = *state;
	struct aliasdb *db = NULL;

	assert_int_equal(aliasdb_add(f->db, "/bin", "/usr/bin", NULL, NULL), 1);
	assert_int_equal(
		aliasdb_debug_set_schema(f->db, ALIASDB_SCHEMA_VERSION + 1), 0);
	aliasdb_close(f->db);
	f->db = NULL;
	assert_int_equal(aliasdb_open(f->dir, 0, &db), -EPROTO);
	assert_null(db);
	assert_int_equal(aliasdb_open_schema_found(),
			 ALIASDB_SCHEMA_VERSION + 1);
	assert_int_equal(aliasdb_open(f->dir, ALIASDB_OPEN_RDONLY, &db),
			 -EPROTO);
	assert_int_equal(aliasdb_open(f->dir, ALIASDB_OPEN_CREATE, &db),
			 -EPROTO);
	assert_null(db);
}

static void test_rdonly(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_alias **list = NULL;
	enum aliasdb_rule rule;
	uint64_t g;
	size_t n = 0;

	assert_int_equal(aliasdb_add_arch_defaults(f->db, "amd64", NULL), 6);
	g = gen(f->db);
	reopen(f, ALIASDB_OPEN_RDONLY);
	assert_int_equal(gen(f->db), g);
	assert_int_equal(aliasdb_add(f->db, "/opt/a", "/srv/a", NULL, &rule),
			 -EROFS);
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "i386", NULL),
			 -EROFS);
	assert_int_equal(aliasdb_remove(f->db, "/bin"), -EROFS);
	assert_int_equal(aliasdb_disown(f->db, "/bin", "x"), -EROFS);
	assert_int_equal(
		aliasdb_set_state(f->db, "/bin", ALIASDB_STATE_BLOCKED, "x"),
		-EROFS);
	assert_int_equal(aliasdb_conflict_add(f->db, "/usr/a", "/a"), -EROFS);
	assert_int_equal(aliasdb_conflict_remove(f->db, "/usr/a", "/a"),
			 -EROFS);
	assert_int_equal(aliasdb_list(f->db, &list, &n), 0);
	assert_int_equal(n, 6);
	aliasdb_alias_list_free(list, n);
	assert_int_equal(gen(f->db), g);
}

/* Read-only open by an unprivileged user in a directory it cannot write:
 * the lock file exists (and is writable to it, as LMDB readers need). */
static void test_rdonly_unwritable_dir(void **state)
{
	struct fixture *f = *state;
	char path[256];
	pid_t pid;
	int status;

	if (geteuid() != 0)
		skip();
	assert_int_equal(aliasdb_add_arch_defaults(f->db, "amd64", NULL), 6);
	aliasdb_close(f->db);
	f->db = NULL;
	assert_int_equal(chmod(f->tmp, 0755), 0);
	assert_int_equal(chmod(f->dir, 0555), 0);
	snprintf(path, sizeof(path), "%s/lock.mdb", f->dir);
	assert_int_equal(chmod(path, 0666), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct aliasdb *db = NULL;
		struct aliasdb_map *map = NULL;
		int r;

		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		/* really unprivileged: cannot create a file there */
		snprintf(path, sizeof(path), "%s/probe", f->dir);
		if (fopen(path, "w"))
			_exit(11);
		if (aliasdb_open(f->dir, 0, &db) != -EACCES)
			_exit(12);
		r = aliasdb_open(f->dir, ALIASDB_OPEN_RDONLY, &db);
		if (r < 0)
			_exit(13);
		if (aliasdb_map_load(db, &map) < 0 ||
		    aliasdb_map_count(map) != 6)
			_exit(14);
		if (aliasdb_add(db, "/opt/a", "/srv/a", NULL, NULL) != -EROFS)
			_exit(15);
		aliasdb_map_free(map);
		aliasdb_close(db);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(chmod(f->dir, 0755), 0);
}

static void test_long_paths(void **state)
{
	struct fixture *f = *state;
	char *big = malloc(ALIASDB_PATH_MAX);
	enum aliasdb_rule rule = ALIASDB_RULE_OK;
	struct aliasdb_alias *a = NULL;

	/* Beyond LMDB's key size but within ALIASDB_PATH_MAX: refused as
	 * too long, lookups simply find nothing. */
	assert_non_null(big);
	memset(big, 'a', 1000);
	big[0] = '/';
	big[1000] = '\0';
	assert_int_equal(aliasdb_add(f->db, big, "/srv/x", NULL, &rule),
			 -EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_TOO_LONG);
	assert_int_equal(aliasdb_check(f->db, big, "/srv/x", &rule), -EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_TOO_LONG);
	assert_int_equal(aliasdb_get(f->db, big, &a), -ENOENT);
	assert_int_equal(aliasdb_remove(f->db, big), -ENOENT);
	assert_int_equal(aliasdb_conflict_add(f->db, big, "/x"), -ENAMETOOLONG);
	free(big);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_missing),
		T(test_persistence),
		T(test_generation),
		T(test_add_idempotent),
		T(test_arch_defaults_refused),
		T(test_owners),
		T(test_state),
		T(test_conflicts),
		T(test_schema_newer),
		T(test_rdonly),
		T(test_rdonly_unwritable_dir),
		T(test_long_paths),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
