/*
 * Unit tests for fs/inode-table.c: the daemon's (st_dev, st_ino) -> inode
 * hash table.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fs/inode-table.h"

static void *val(uintptr_t v)
{
	return (void *)v;
}

static void test_insert_get_remove(void **state)
{
	struct afs_inode_table *t;

	(void)state;
	assert_int_equal(afs_inode_table_new(&t), 0);
	assert_null(afs_inode_table_get(t, 1, 2));
	assert_int_equal(afs_inode_table_put(t, 1, 2, val(10)), 0);
	assert_ptr_equal(afs_inode_table_get(t, 1, 2), val(10));
	/* Same inode number on another device is another key. */
	assert_null(afs_inode_table_get(t, 2, 2));
	assert_int_equal(afs_inode_table_put(t, 2, 2, val(20)), 0);
	assert_int_equal(afs_inode_table_count(t), 2);
	/* Replacing keeps the count. */
	assert_int_equal(afs_inode_table_put(t, 1, 2, val(11)), 0);
	assert_ptr_equal(afs_inode_table_get(t, 1, 2), val(11));
	assert_int_equal(afs_inode_table_count(t), 2);
	assert_int_equal(afs_inode_table_remove(t, 1, 2, NULL), 0);
	assert_null(afs_inode_table_get(t, 1, 2));
	assert_ptr_equal(afs_inode_table_get(t, 2, 2), val(20));
	assert_int_equal(afs_inode_table_remove(t, 1, 2, NULL), -ENOENT);
	assert_int_equal(afs_inode_table_count(t), 1);
	afs_inode_table_free(t);
	afs_inode_table_free(NULL);
}

static void test_remove_only_matching_value(void **state)
{
	struct afs_inode_table *t;

	(void)state;
	assert_int_equal(afs_inode_table_new(&t), 0);
	assert_int_equal(afs_inode_table_put(t, 7, 7, val(1)), 0);
	/* A stale owner must not remove a key taken over by another. */
	assert_int_equal(afs_inode_table_remove(t, 7, 7, val(2)), -ENOENT);
	assert_ptr_equal(afs_inode_table_get(t, 7, 7), val(1));
	assert_int_equal(afs_inode_table_remove(t, 7, 7, val(1)), 0);
	assert_int_equal(afs_inode_table_count(t), 0);
	afs_inode_table_free(t);
}

static void test_multi_key(void **state)
{
	struct afs_inode_table *t;

	(void)state;
	/* One directory inode registered under the keys of its sources. */
	assert_int_equal(afs_inode_table_new(&t), 0);
	assert_int_equal(afs_inode_table_put(t, 1, 100, val(5)), 0);
	assert_int_equal(afs_inode_table_put(t, 1, 200, val(5)), 0);
	assert_int_equal(afs_inode_table_put(t, 3, 300, val(5)), 0);
	assert_ptr_equal(afs_inode_table_get(t, 1, 100), val(5));
	assert_ptr_equal(afs_inode_table_get(t, 1, 200), val(5));
	assert_ptr_equal(afs_inode_table_get(t, 3, 300), val(5));
	assert_int_equal(afs_inode_table_count(t), 3);
	assert_int_equal(afs_inode_table_remove(t, 1, 200, val(5)), 0);
	assert_ptr_equal(afs_inode_table_get(t, 1, 100), val(5));
	assert_null(afs_inode_table_get(t, 1, 200));
	afs_inode_table_free(t);
}

static void test_many(void **state)
{
	struct afs_inode_table *t;
	const uintptr_t n = 100000;
	uintptr_t i;

	(void)state;
	assert_int_equal(afs_inode_table_new(&t), 0);
	for (i = 1; i <= n; i++)
		assert_int_equal(afs_inode_table_put(t, (dev_t)(i % 3),
						     (ino_t)i, val(i)),
				 0);
	assert_int_equal(afs_inode_table_count(t), n);
	for (i = 1; i <= n; i++)
		assert_ptr_equal(
			afs_inode_table_get(t, (dev_t)(i % 3), (ino_t)i),
			val(i));
	/* Remove every other key, check the rest survive the shifts. */
	for (i = 1; i <= n; i += 2)
		assert_int_equal(afs_inode_table_remove(t, (dev_t)(i % 3),
							(ino_t)i, val(i)),
				 0);
	for (i = 1; i <= n; i++) {
		void *v = afs_inode_table_get(t, (dev_t)(i % 3), (ino_t)i);

		if (i % 2)
			assert_null(v);
		else
			assert_ptr_equal(v, val(i));
	}
	for (i = 2; i <= n; i += 2)
		assert_int_equal(afs_inode_table_remove(t, (dev_t)(i % 3),
							(ino_t)i, NULL),
				 0);
	assert_int_equal(afs_inode_table_count(t), 0);
	for (i = 1; i <= n; i++)
		assert_null(afs_inode_table_get(t, (dev_t)(i % 3), (ino_t)i));
	afs_inode_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_get_remove),
		cmocka_unit_test(test_remove_only_matching_value),
		cmocka_unit_test(test_multi_key),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
