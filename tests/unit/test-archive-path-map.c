/* The per-package path map of extraction: put, replace, get, clear. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "archive/path-map.h"

static void test_put_get(void **state)
{
	struct path_map *m;
	uint32_t v = 0;
	char key[64];

	assert_int_equal(path_map_new(&m), 0);
	assert_int_equal(path_map_get(m, "usr/bin/x", &v), 0);
	assert_int_equal(path_map_put(m, "usr/bin/x", 7), 1);
	assert_int_equal(path_map_get(m, "usr/bin/x", &v), 1);
	assert_int_equal(v, 7);
	assert_int_equal(path_map_put(m, "usr/bin/x", 9), 0);
	assert_int_equal(path_map_get(m, "usr/bin/x", &v), 1);
	assert_int_equal(v, 9);
	assert_int_equal(path_map_get(m, "usr/bin", &v), 0);

	/* Growth keeps every key. */
	for (uint32_t i = 0; i < 50000; i++) {
		snprintf(key, sizeof(key), "usr/lib/f%u", i);
		assert_int_equal(path_map_put(m, key, i), 1);
	}
	for (uint32_t i = 0; i < 50000; i += 7) {
		snprintf(key, sizeof(key), "usr/lib/f%u", i);
		assert_int_equal(path_map_get(m, key, &v), 1);
		assert_int_equal(v, i);
	}
	path_map_clear(m);
	assert_int_equal(path_map_get(m, "usr/lib/f7", &v), 0);
	assert_int_equal(path_map_put(m, "usr/lib/f7", 1), 1);
	path_map_free(m);
	path_map_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
