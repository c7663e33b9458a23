/*
 * Canonical grouping: which (path, package) sets are alias conflicts,
 * which are same-path conflicts, and which are neither.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aliasdb.h"
#include "archive/conflict-finder.h"

static struct aliasdb_map *amd64(void)
{
	struct aliasdb_map *map = NULL;

	assert_int_equal(aliasdb_map_for_arch("amd64", &map), 0);
	return map;
}

static void add(struct conflict_finder *f, const char *path, const char *pkg)
{
	assert_int_equal(
		conflict_finder_add(f, path, strlen(path), pkg, strlen(pkg)),
		0);
}

static void test_alias_conflict(void **state)
{
	struct aliasdb_map *map = amd64();
	struct conflict_finder *f;
	struct conflict *list;
	size_t n;

	assert_int_equal(conflict_finder_new(map, 0, &f), 0);
	add(f, "/bin/test", "a");
	add(f, "/usr/bin/test", "b");
	add(f, "/usr/bin/unrelated", "c");
	add(f, "/lib/x86_64-linux-gnu/libz.so.1", "zlib1g");
	add(f, "/usr/share/doc/a/copyright", "a");
	assert_int_equal(conflict_finder_collect(f, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].kind, CONFLICT_ALIAS);
	assert_string_equal(list[0].canonical, "/usr/bin/test");
	assert_int_equal(list[0].n_ships, 2);
	assert_string_equal(list[0].ships[0].path, "/bin/test");
	assert_string_equal(list[0].ships[0].package, "a");
	assert_string_equal(list[0].ships[1].path, "/usr/bin/test");
	assert_string_equal(list[0].ships[1].package, "b");
	conflict_list_free(list, n);
	conflict_finder_free(f);
	aliasdb_map_free(map);
}

static void test_not_conflicts(void **state)
{
	struct aliasdb_map *map = amd64();
	struct conflict_finder *f;
	struct conflict *list;
	size_t n;

	assert_int_equal(conflict_finder_new(map, 0, &f), 0);
	/* One package, both spellings: no second package. */
	add(f, "/sbin/x", "one");
	add(f, "/usr/sbin/x", "one");
	/* Two packages, one spelling: same-path, not reported without
	 * --all. */
	add(f, "/usr/bin/same", "p");
	add(f, "/usr/bin/same", "q");
	/* Lookalikes that are not under an alias. */
	add(f, "/library/x", "p");
	add(f, "/usr/library/x", "q");
	add(f, "/lib64x/y", "p");
	add(f, "/usr/lib64x/y", "q");
	/* The same pair twice counts once. */
	add(f, "/bin/dup", "p");
	add(f, "/bin/dup", "p");
	assert_int_equal(conflict_finder_collect(f, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);
	conflict_finder_free(f);
	aliasdb_map_free(map);
}

static void test_all_and_normalization(void **state)
{
	struct aliasdb_map *map = amd64();
	struct conflict_finder *f;
	struct conflict *list;
	size_t n;

	assert_int_equal(conflict_finder_new(map, CONFLICT_FINDER_ALL, &f), 0);
	add(f, "/usr/share/x", "p");
	add(f, "/usr/share/x", "q");
	/* Spelled oddly: normalized before grouping. */
	add(f, "//lib64/./ld-linux-x86-64.so.2", "libc6");
	add(f, "/usr/lib/../lib64/ld-linux-x86-64.so.2", "other");
	/* A directory some other path lives under is not a conflict. */
	add(f, "/usr/share/dir", "p");
	add(f, "/usr/share/dir", "q");
	add(f, "/usr/share/dir/file", "p");
	assert_int_equal(conflict_finder_collect(f, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].kind, CONFLICT_ALIAS);
	assert_string_equal(list[0].canonical,
			    "/usr/lib64/ld-linux-x86-64.so.2");
	assert_string_equal(list[0].ships[0].path,
			    "/lib64/ld-linux-x86-64.so.2");
	assert_string_equal(list[0].ships[0].package, "libc6");
	assert_string_equal(list[0].ships[1].path,
			    "/usr/lib64/ld-linux-x86-64.so.2");
	assert_int_equal(list[1].kind, CONFLICT_SAME_PATH);
	assert_string_equal(list[1].canonical, "/usr/share/x");
	assert_int_equal(list[1].n_ships, 2);
	conflict_list_free(list, n);
	conflict_finder_free(f);
	aliasdb_map_free(map);
}

static void test_three_packages_sorted(void **state)
{
	struct aliasdb_map *map = amd64();
	struct conflict_finder *f;
	struct conflict *list;
	size_t n;

	assert_int_equal(conflict_finder_new(map, 0, &f), 0);
	add(f, "/usr/sbin/pm-suspend", "pm-utils");
	add(f, "/sbin/pm-suspend", "molly-guard");
	add(f, "/usr/sbin/pm-suspend", "bfh-container");
	add(f, "/bin/b", "x");
	add(f, "/usr/bin/b", "y");
	assert_int_equal(conflict_finder_collect(f, &list, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].canonical, "/usr/bin/b");
	assert_string_equal(list[1].canonical, "/usr/sbin/pm-suspend");
	assert_int_equal(list[1].n_ships, 3);
	assert_string_equal(list[1].ships[0].path, "/sbin/pm-suspend");
	assert_string_equal(list[1].ships[1].package, "bfh-container");
	assert_string_equal(list[1].ships[2].package, "pm-utils");
	conflict_list_free(list, n);
	conflict_finder_free(f);
	aliasdb_map_free(map);
}

static void test_scale_and_errors(void **state)
{
	struct aliasdb_map *map = amd64();
	struct conflict_finder *f;
	struct conflict *list;
	char path[64], pkg[32];
	size_t n;

	assert_int_equal(conflict_finder_new(map, CONFLICT_FINDER_ALL, &f), 0);
	/* Enough entries to grow every table several times; every 1000th
	 * path also comes under its alias spelling from another package. */
	for (int i = 0; i < 300000; i++) {
		snprintf(path, sizeof(path), "/usr/lib/d%d/f%d", i % 97, i);
		snprintf(pkg, sizeof(pkg), "p%d", i % 5000);
		add(f, path, pkg);
		if (i % 1000 == 0) {
			snprintf(path, sizeof(path), "/lib/d%d/f%d", i % 97, i);
			add(f, path, "other");
		}
	}
	assert_int_equal(conflict_finder_count(f), 300000);
	assert_int_equal(conflict_finder_collect(f, &list, &n), 0);
	assert_int_equal(n, 300);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(list[i].kind, CONFLICT_ALIAS);
	conflict_list_free(list, n);

	assert_int_equal(conflict_finder_add(f, "relative", 8, "p", 1),
			 -EINVAL);
	assert_int_equal(conflict_finder_add(f, "/usr/bin/x", 10, "", 0),
			 -EINVAL);
	conflict_finder_free(f);
	conflict_finder_free(NULL);
	conflict_list_free(NULL, 0);
	aliasdb_map_free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alias_conflict),
		cmocka_unit_test(test_not_conflicts),
		cmocka_unit_test(test_all_and_normalization),
		cmocka_unit_test(test_three_packages_sorted),
		cmocka_unit_test(test_scale_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
