/*
 * The page cache rule for presented dpkg database files: the kernel may
 * keep a presented file's pages only while they can hold nothing but the
 * content the new open presents.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fs/dpkg-pages.h"

static void test_first_open_drops_then_keeps(void **state)
{
	struct afs_dpkg_pages p = {0};

	(void)state;
	assert_false(afs_dpkg_pages_open(&p, 1)); /* pages of unknown origin */
	assert_true(afs_dpkg_pages_open(&p, 1));  /* filled from version 1 */
	afs_dpkg_pages_close(&p, 1);
	afs_dpkg_pages_close(&p, 1);
	assert_true(afs_dpkg_pages_open(&p, 1));
}

static void test_new_version_drops(void **state)
{
	struct afs_dpkg_pages p = {0};

	(void)state;
	assert_false(afs_dpkg_pages_open(&p, 1));
	afs_dpkg_pages_close(&p, 1);
	assert_true(afs_dpkg_pages_open(&p, 1));
	afs_dpkg_pages_close(&p, 1);
	/* The claims changed: version 2. */
	assert_false(afs_dpkg_pages_open(&p, 2));
	assert_true(afs_dpkg_pages_open(&p, 2));
}

static void test_old_reader_blocks_keeping(void **state)
{
	struct afs_dpkg_pages p = {0};

	(void)state;
	assert_false(afs_dpkg_pages_open(&p, 1)); /* reader A, version 1 */
	/* Version 2 while A is still open: A's reads may refill the pages
	 * with version 1 after this open dropped them. */
	assert_false(afs_dpkg_pages_open(&p, 2));
	assert_false(afs_dpkg_pages_open(&p, 2));
	afs_dpkg_pages_close(&p, 1); /* A goes */
	/* Pages may still hold what A read: drop once more, then trust. */
	assert_false(afs_dpkg_pages_open(&p, 2));
	assert_true(afs_dpkg_pages_open(&p, 2));
}

static void test_raw_never_kept(void **state)
{
	struct afs_dpkg_pages p = {0};

	(void)state;
	assert_false(afs_dpkg_pages_open(&p, 1));
	assert_true(afs_dpkg_pages_open(&p, 1));
	p.raw = true; /* a writer opened it through the ordinary path */
	assert_false(afs_dpkg_pages_open(&p, 1));
	assert_false(afs_dpkg_pages_open(&p, 1));
	assert_false(afs_dpkg_pages_open(&p, 3));
}

static void test_close_of_unknown_is_harmless(void **state)
{
	struct afs_dpkg_pages p = {0};

	(void)state;
	afs_dpkg_pages_close(&p, 7);
	afs_dpkg_pages_close(&p, 0);
	assert_int_equal(p.cur, 0);
	assert_int_equal(p.old, 0);
	assert_false(afs_dpkg_pages_open(&p, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_open_drops_then_keeps),
		cmocka_unit_test(test_new_version_drops),
		cmocka_unit_test(test_old_reader_blocks_keeping),
		cmocka_unit_test(test_raw_never_kept),
		cmocka_unit_test(test_close_of_unknown_is_harmless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
