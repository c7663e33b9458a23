/*
 * The cache of presented dpkg database content: every file a dpkg -S
 * reads stays cached; a full set gives up its least recently used entry.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fs/dpkg-cache.h"

/* Fill (dev, ino)'s entry with content naming it. */
static void fill(struct afs_dpkg_cache *cache, dev_t dev, ino_t ino)
{
	struct afs_dpkg_cached *e = afs_dpkg_cache_claim(cache, dev, ino);

	assert_non_null(e);
	assert_null(e->text); /* a new entry holds nothing */
	e->text = malloc(32);
	assert_non_null(e->text);
	e->len = (size_t)snprintf(e->text, 32, "%lu", (unsigned long)ino);
}

static void assert_holds(struct afs_dpkg_cache *cache, dev_t dev, ino_t ino)
{
	struct afs_dpkg_cached *e = afs_dpkg_cache_find(cache, dev, ino);
	char want[32];

	assert_non_null(e);
	snprintf(want, sizeof(want), "%lu", (unsigned long)ino);
	assert_string_equal(e->text, want);
}

/* A dpkg -S on a system of 2000 packages: every list stays cached, so
 * none is computed again on the next run. Inode numbers as tmpfs and
 * ext4 hand them out, dense and strided. */
static void test_many_files_all_kept(void **state)
{
	struct afs_dpkg_cache cache;
	ino_t i;

	(void)state;
	assert_int_equal(afs_dpkg_cache_init(&cache), 0);
	for (i = 0; i < 2000; i++)
		fill(&cache, 42, 100000 + i);
	for (i = 0; i < 300; i++)
		fill(&cache, 43, 7 + i * 4096);
	for (i = 0; i < 2000; i++)
		assert_holds(&cache, 42, 100000 + i);
	for (i = 0; i < 300; i++)
		assert_holds(&cache, 43, 7 + i * 4096);
	afs_dpkg_cache_fini(&cache);
}

static void test_same_inode_other_device(void **state)
{
	struct afs_dpkg_cache cache;

	(void)state;
	assert_int_equal(afs_dpkg_cache_init(&cache), 0);
	fill(&cache, 1, 500);
	assert_null(afs_dpkg_cache_find(&cache, 2, 500));
	fill(&cache, 2, 500);
	assert_holds(&cache, 1, 500);
	assert_holds(&cache, 2, 500);
	afs_dpkg_cache_fini(&cache);
}

/* Claiming an entry that exists returns it with its content. */
static void test_claim_existing_keeps_it(void **state)
{
	struct afs_dpkg_cache cache;
	struct afs_dpkg_cached *e;

	(void)state;
	assert_int_equal(afs_dpkg_cache_init(&cache), 0);
	fill(&cache, 1, 9);
	e = afs_dpkg_cache_claim(&cache, 1, 9);
	assert_non_null(e->text);
	assert_ptr_equal(e, afs_dpkg_cache_find(&cache, 1, 9));
	afs_dpkg_cache_fini(&cache);
}

/* Past capacity, what was used last survives, and what was used least
 * recently goes first. */
static void test_overflow_evicts_least_recently_used(void **state)
{
	struct afs_dpkg_cache cache;
	const ino_t n = 20000;
	ino_t i, kept = 0;

	(void)state;
	assert_int_equal(afs_dpkg_cache_init(&cache), 0);
	fill(&cache, 1, 1);
	for (i = 2; i <= n; i++) {
		fill(&cache, 1, i);
		/* Inode 1 is used all along: never the least recent. */
		assert_holds(&cache, 1, 1);
	}
	for (i = 2; i <= n; i++)
		kept += afs_dpkg_cache_find(&cache, 1, i) != NULL;
	assert_true(kept > 0 && kept < n - 1);
	/* The last ones filled are all there. */
	for (i = n - 100; i <= n; i++)
		assert_holds(&cache, 1, i);
	afs_dpkg_cache_fini(&cache);
}

/* A dropped file's entry is gone and its content freed; the others stay,
 * and dropping what is not cached does nothing. */
static void test_drop(void **state)
{
	struct afs_dpkg_cache cache;
	ino_t i;

	(void)state;
	assert_int_equal(afs_dpkg_cache_init(&cache), 0);
	for (i = 1; i <= 100; i++)
		fill(&cache, 1, i);
	for (i = 1; i <= 100; i += 2)
		afs_dpkg_cache_drop(&cache, 1, i);
	afs_dpkg_cache_drop(&cache, 1, 5000);
	afs_dpkg_cache_drop(&cache, 2, 2);
	for (i = 1; i <= 100; i++) {
		if (i % 2)
			assert_null(afs_dpkg_cache_find(&cache, 1, i));
		else
			assert_holds(&cache, 1, i);
	}
	/* A dropped file cached again starts empty. */
	fill(&cache, 1, 1);
	assert_holds(&cache, 1, 1);
	afs_dpkg_cache_fini(&cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_files_all_kept),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_same_inode_other_device),
		cmocka_unit_test(test_claim_existing_keeps_it),
		cmocka_unit_test(test_overflow_evicts_least_recently_used),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
