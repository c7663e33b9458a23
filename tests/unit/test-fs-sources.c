/*
 * Unit tests for fs/sources.c (alias facts for the view: alias names in a
 * directory, junctions) and fs/name-set.c.
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

#include "fs/name-set.h"
#include "fs/sources.h"

static void test_path_is_child(void **state)
{
	(void)state;
	assert_true(afs_path_is_child("/bin", "/", "bin"));
	assert_true(afs_path_is_child("/opt/x", "/opt", "x"));
	assert_false(afs_path_is_child("/opt/x", "/op", "x"));
	assert_false(afs_path_is_child("/opt/xy", "/opt", "x"));
	assert_false(afs_path_is_child("/bin", "/usr", "bin"));
}

static struct afs_aliases *make_aliases(void)
{
	const char *const alias[] = {"/bin", "/lib", "/opt/x", "/sbin"};
	const char *const canonical[] = {"/usr/bin", "/usr/lib", "/usr/x",
					 "/usr/sbin"};
	struct aliasdb_map *map;
	struct afs_aliases *a;

	assert_int_equal(
		aliasdb_map_from_pairs(alias, canonical, 4, &map, NULL), 0);
	assert_int_equal(afs_aliases_new(map, &a), 0);
	return a;
}

static void test_aliases(void **state)
{
	struct afs_aliases *a = make_aliases();
	int i;

	(void)state;
	assert_int_equal(a->n, 4);
	i = afs_aliases_find_child(a, "/", "bin");
	assert_true(i >= 0);
	assert_string_equal(a->entries[i].alias, "/bin");
	assert_string_equal(a->entries[i].target, "usr/bin");
	assert_string_equal(a->entries[i].parent, "/");
	i = afs_aliases_find_child(a, "/opt", "x");
	assert_true(i >= 0);
	assert_string_equal(a->entries[i].target, "../usr/x");
	assert_int_equal(afs_aliases_find_child(a, "/usr", "bin"), -ENOENT);
	assert_int_equal(afs_aliases_find_child(a, "/", "x"), -ENOENT);

	/* Junctions: the view dir equal to an alias's canonical path. */
	i = afs_aliases_find_junction(a, "/usr/bin", 0);
	assert_true(i >= 0);
	assert_string_equal(a->entries[i].alias, "/bin");
	assert_int_equal(
		afs_aliases_find_junction(a, "/usr/bin", (size_t)i + 1),
		-ENOENT);
	assert_int_equal(afs_aliases_find_junction(a, "/usr", 0), -ENOENT);
	assert_int_equal(afs_aliases_find_junction(a, "/bin", 0), -ENOENT);

	assert_true(afs_aliases_dir_has_alias(a, "/"));
	assert_true(afs_aliases_dir_has_alias(a, "/opt"));
	assert_false(afs_aliases_dir_has_alias(a, "/usr"));
	afs_aliases_free(a);
	afs_aliases_free(NULL);
}

static void test_virtual_dirs(void **state)
{
	struct afs_aliases *a = make_aliases();
	char name[64];
	size_t i;
	int found_usr = 0, found_x = 0;

	(void)state;
	/* Canonical dirs and their parents exist even in an empty tree. */
	assert_true(afs_aliases_needs_dir(a, "/usr"));
	assert_true(afs_aliases_needs_dir(a, "/usr/bin"));
	assert_true(afs_aliases_needs_dir(a, "/usr/x"));
	assert_false(afs_aliases_needs_dir(a, "/usr/bin/sub"));
	assert_false(afs_aliases_needs_dir(a, "/opt"));
	assert_false(afs_aliases_needs_dir(a, "/us"));
	assert_true(afs_aliases_has_junction_child(a, "/usr", "bin"));
	assert_false(afs_aliases_has_junction_child(a, "/", "usr"));
	assert_false(afs_aliases_has_junction_child(a, "/usr", "bi"));
	assert_false(afs_aliases_has_junction_child(a, "/usr", "share"));
	assert_false(afs_aliases_has_junction_child(a, "/", "opt"));
	assert_true(afs_aliases_has_below(a, "/"));
	assert_true(afs_aliases_has_below(a, "/usr"));
	assert_false(afs_aliases_has_below(a, "/usr/bin"));

	/* The children of / and /usr on the way to canonical dirs. */
	for (i = 0; i < a->n; i++) {
		if (afs_aliases_child_towards(a, i, "/", name, sizeof(name)) ==
		    1) {
			assert_string_equal(name, "usr");
			found_usr++;
		}
		if (afs_aliases_child_towards(a, i, "/usr", name,
					      sizeof(name)) == 1 &&
		    strcmp(name, "x") == 0)
			found_x++;
		assert_int_equal(afs_aliases_child_towards(a, i, "/usr/bin",
							   name, sizeof(name)),
				 0);
	}
	assert_int_equal(found_usr, 4);
	assert_int_equal(found_x, 1);
	assert_int_equal(afs_aliases_child_towards(a, 0, "/", name, 2),
			 -ENAMETOOLONG);
	afs_aliases_free(a);
}

static void test_empty_map(void **state)
{
	struct aliasdb_map *map;
	struct afs_aliases *a;

	(void)state;
	assert_int_equal(aliasdb_map_from_pairs(NULL, NULL, 0, &map, NULL), 0);
	assert_int_equal(afs_aliases_new(map, &a), 0);
	assert_int_equal(a->n, 0);
	assert_int_equal(afs_aliases_find_child(a, "/", "bin"), -ENOENT);
	assert_int_equal(afs_aliases_find_junction(a, "/usr/bin", 0), -ENOENT);
	afs_aliases_free(a);
}

static void test_name_set(void **state)
{
	struct afs_name_set *s;
	char name[32];
	int i;

	(void)state;
	assert_int_equal(afs_name_set_new(true, &s), 0);
	assert_false(afs_name_set_contains(s, "a"));
	assert_int_equal(afs_name_set_add(s, "a"), 1);
	assert_int_equal(afs_name_set_add(s, "a"), 0);
	assert_true(afs_name_set_contains(s, "a"));
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(afs_name_set_add(s, name), 1);
	}
	assert_int_equal(afs_name_set_count(s), 10001);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_true(afs_name_set_contains(s, name));
	}
	assert_false(afs_name_set_contains(s, "n10000"));
	afs_name_set_free(s);
	afs_name_set_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_is_child),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_virtual_dirs),
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_name_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
