/*
 * aliasdb: lexical normalization, canonicalization through a map, and the
 * per-architecture default sets.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aliasdb.h"

struct norm_case {
	const char *in;
	const char *out; /* NULL: expect @err */
	int err;
};

static const struct norm_case norm_cases[] = {
	{"/", "/", 0},
	{"//", "/", 0},
	{"/..", "/", 0},
	{"/../..", "/", 0},
	{"/.", "/", 0},
	{"/./", "/", 0},
	{"/bin", "/bin", 0},
	{"/bin/", "/bin", 0},
	{"//bin//./sh", "/bin/sh", 0},
	{"/bin/../lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2",
	 0},
	{"/a/b/../../c", "/c", 0},
	{"/a/b/../../../c", "/c", 0},
	{"/usr/share/doc/foo/../bar", "/usr/share/doc/bar", 0},
	{"/...", "/...", 0},
	{"/..a/.b/c.", "/..a/.b/c.", 0},
	{"/a/./b/./", "/a/b", 0},
	{"", NULL, -EINVAL},
	{"bin/sh", NULL, -EINVAL},
	{"./bin", NULL, -EINVAL},
	{"../x", NULL, -EINVAL},
};

static void test_normalize_table(void **state)
{
	char buf[ALIASDB_PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		const struct norm_case *c = &norm_cases[i];
		ssize_t r = aliasdb_path_normalize(c->in, buf, sizeof(buf));

		if (!c->out) {
			assert_int_equal(r, c->err);
			continue;
		}
		assert_true(r >= 0);
		assert_string_equal(buf, c->out);
		assert_int_equal((size_t)r, strlen(c->out));
	}
	assert_int_equal(aliasdb_path_normalize(NULL, buf, sizeof(buf)),
			 -EINVAL);
}

static void test_normalize_size(void **state)
{
	char buf[8];

	/* "/abcdef" needs 8 bytes with its NUL. */
	assert_int_equal(aliasdb_path_normalize("/abcdef", buf, 8), 7);
	assert_string_equal(buf, "/abcdef");
	assert_int_equal(aliasdb_path_normalize("/abcdefg", buf, 8),
			 -ENAMETOOLONG);
	assert_int_equal(aliasdb_path_normalize("/a/b/c/d", buf, 8),
			 -ENAMETOOLONG);
	/* Long input that shrinks fits. */
	assert_int_equal(
		aliasdb_path_normalize("/aaaaaaaaaaaaaaaaaa/../b", buf, 8), 2);
	assert_string_equal(buf, "/b");
	assert_int_equal(aliasdb_path_normalize("/", buf, 1), -ENAMETOOLONG);
	assert_int_equal(aliasdb_path_normalize("/", buf, 2), 1);
}

struct canon_case {
	const char *in;
	const char *out;
};

static const struct canon_case amd64_cases[] = {
	{"/bin", "/usr/bin"},
	{"/bin/", "/usr/bin"},
	{"/bin/sh", "/usr/bin/sh"},
	{"//bin//./sh", "/usr/bin/sh"},
	{"/bin/../lib64/ld-linux-x86-64.so.2",
	 "/usr/lib64/ld-linux-x86-64.so.2"},
	{"/lib64", "/usr/lib64"},
	{"/lib64/ld-linux-x86-64.so.2", "/usr/lib64/ld-linux-x86-64.so.2"},
	{"/lib", "/usr/lib"},
	{"/lib/x86_64-linux-gnu/libc.so.6",
	 "/usr/lib/x86_64-linux-gnu/libc.so.6"},
	{"/lib32/x", "/usr/lib32/x"},
	{"/libx32/x", "/usr/libx32/x"},
	{"/libo32/x", "/libo32/x"}, /* not in amd64's set */
	{"/library/x", "/library/x"},
	{"/lib6", "/lib6"},
	{"/binx", "/binx"},
	{"/sbin/ldconfig", "/usr/sbin/ldconfig"},
	{"/usr/bin/sh", "/usr/bin/sh"},
	{"/usr/lib/x86_64-linux-gnu/libc.so.6",
	 "/usr/lib/x86_64-linux-gnu/libc.so.6"},
	{"/usr/share/doc/foo/../bar", "/usr/share/doc/bar"},
	{"/usr/../bin/ls", "/usr/bin/ls"},
	{"/..", "/"},
	{"/", "/"},
	{"/etc/passwd", "/etc/passwd"},
	{"/x/bin", "/x/bin"},
};

static void check_link_text(const char *alias, const char *canonical,
			    const char *expected)
{
	char buf[256];
	ssize_t n = aliasdb_alias_link_text(alias, canonical, buf, sizeof(buf));

	assert_true(n >= 0);
	assert_string_equal(buf, expected);
	assert_int_equal((size_t)n, strlen(expected));
}

/* One text for the view and for extract: relative to the alias's parent
 * and as short as on a native merged-/usr system (ln -sr). */
static void test_alias_link_text(void **state)
{
	char small[4];

	(void)state;
	check_link_text("/bin", "/usr/bin", "usr/bin");
	check_link_text("/lib64", "/usr/lib64", "usr/lib64");
	/* Not "../../usr/bin", which extract used to write. */
	check_link_text("/usr/local/bin", "/usr/bin", "../bin");
	check_link_text("/opt/x", "/usr/x", "../usr/x");
	check_link_text("/a/b/x", "/a/c", "../c");
	check_link_text("/a/b/x", "/a/b/y/z", "y/z");
	check_link_text("/usrx/y", "/usr/y", "../usr/y");
	assert_int_equal(aliasdb_alias_link_text("bin", "/usr/bin", small,
						 sizeof(small)),
			 -EINVAL);
	assert_int_equal(aliasdb_alias_link_text("/bin", "/usr/bin", small,
						 sizeof(small)),
			 -ENAMETOOLONG);
}

static void test_canon_amd64(void **state)
{
	struct aliasdb_map *map = NULL;
	char buf[ALIASDB_PATH_MAX];
	size_t i;

	assert_int_equal(aliasdb_map_for_arch("amd64", &map), 0);
	assert_int_equal(aliasdb_map_count(map), 6);
	assert_int_equal(aliasdb_map_generation(map), 0);
	for (i = 0; i < sizeof(amd64_cases) / sizeof(amd64_cases[0]); i++) {
		ssize_t r = aliasdb_map_canon(map, amd64_cases[i].in, buf,
					      sizeof(buf));

		assert_true(r >= 0);
		assert_string_equal(buf, amd64_cases[i].out);
		assert_int_equal((size_t)r, strlen(amd64_cases[i].out));
	}
	assert_int_equal(aliasdb_map_canon(map, "bin/sh", buf, sizeof(buf)),
			 -EINVAL);
	assert_int_equal(aliasdb_map_canon(map, "", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(aliasdb_map_canon(map, "../bin", buf, sizeof(buf)),
			 -EINVAL);
	aliasdb_map_free(map);
}

static void test_canon_sizes(void **state)
{
	const char *a[] = {"/opt/a-very-long-alias-name"};
	const char *c[] = {"/s"};
	struct aliasdb_map *map = NULL, *amd64 = NULL;
	char buf[16];

	assert_int_equal(aliasdb_map_from_pairs(a, c, 1, &map, NULL), 0);
	/* The input does not fit @buf but the shorter result does. */
	assert_int_equal(aliasdb_map_canon(map, "/opt/a-very-long-alias-name/x",
					   buf, sizeof(buf)),
			 4);
	assert_string_equal(buf, "/s/x");
	assert_int_equal(aliasdb_map_canon(map, "/opt/other-long-name/xx", buf,
					   sizeof(buf)),
			 -ENAMETOOLONG);

	assert_int_equal(aliasdb_map_for_arch("amd64", &amd64), 0);
	/* "/bin/abc" fits 9 bytes, "/usr/bin/abc" needs 13. */
	assert_int_equal(aliasdb_map_canon(amd64, "/bin/abc", buf, 12),
			 -ENAMETOOLONG);
	assert_int_equal(aliasdb_map_canon(amd64, "/bin/abc", buf, 13), 12);
	assert_string_equal(buf, "/usr/bin/abc");
	aliasdb_map_free(amd64);
	aliasdb_map_free(map);
}

static void test_canon_empty_map(void **state)
{
	struct aliasdb_map *map = NULL;
	char buf[64];

	assert_int_equal(aliasdb_map_from_pairs(NULL, NULL, 0, &map, NULL), 0);
	assert_int_equal(aliasdb_map_count(map), 0);
	assert_int_equal(aliasdb_map_canon(map, "/bin/./sh", buf, sizeof(buf)),
			 7);
	assert_string_equal(buf, "/bin/sh");
	assert_int_equal(aliasdb_map_find_alias(map, "/bin"), -ENOENT);
	aliasdb_map_free(map);
}

static void test_map_find_and_equal(void **state)
{
	const char *a[] = {"/sbin", "/bin", "/lib"};
	const char *c[] = {"/usr/sbin", "/usr/bin", "/usr/lib"};
	const char *a2[] = {"/bin", "/lib", "/sbin", "/bin"};
	const char *c2[] = {"/usr/bin", "/usr/lib", "/usr/sbin", "/usr/bin"};
	struct aliasdb_map *m1 = NULL, *m2 = NULL, *m3 = NULL;
	enum aliasdb_rule rule = ALIASDB_RULE_OK;
	int i;

	assert_int_equal(aliasdb_map_from_pairs(a, c, 3, &m1, &rule), 0);
	assert_int_equal(rule, ALIASDB_RULE_OK);
	/* Sorted by alias path. */
	assert_string_equal(aliasdb_map_alias(m1, 0), "/bin");
	assert_string_equal(aliasdb_map_alias(m1, 1), "/lib");
	assert_string_equal(aliasdb_map_alias(m1, 2), "/sbin");
	assert_string_equal(aliasdb_map_canonical(m1, 2), "/usr/sbin");
	assert_null(aliasdb_map_alias(m1, 3));

	i = aliasdb_map_find_alias(m1, "/lib/x86_64-linux-gnu");
	assert_true(i >= 0);
	assert_string_equal(aliasdb_map_alias(m1, (size_t)i), "/lib");
	i = aliasdb_map_find_alias(m1, "/bin");
	assert_true(i >= 0);
	assert_string_equal(aliasdb_map_alias(m1, (size_t)i), "/bin");
	assert_int_equal(aliasdb_map_find_alias(m1, "/lib64"), -ENOENT);
	assert_int_equal(aliasdb_map_find_alias(m1, "/library"), -ENOENT);
	assert_int_equal(aliasdb_map_find_alias(m1, "/usr/bin"), -ENOENT);

	/* Same pairs, other order, one repeated: equal maps. */
	assert_int_equal(aliasdb_map_from_pairs(a2, c2, 4, &m2, NULL), 0);
	assert_int_equal(aliasdb_map_count(m2), 3);
	assert_true(aliasdb_map_equal(m1, m2));
	assert_int_equal(aliasdb_map_from_pairs(a2, c2, 2, &m3, NULL), 0);
	assert_false(aliasdb_map_equal(m1, m3));
	aliasdb_map_free(m1);
	aliasdb_map_free(m2);
	aliasdb_map_free(m3);
	aliasdb_map_free(NULL);
}

static void test_map_from_pairs_refused(void **state)
{
	const char *a[] = {"/bin", "/usr/bin/x"};
	const char *c[] = {"/usr/bin", "/opt/x"};
	const char *a2[] = {"/bin", "/bin"};
	const char *c2[] = {"/usr/bin", "/usr/sbin"};
	const char *a3[] = {"/etc"};
	const char *c3[] = {"/usr/etc"};
	struct aliasdb_map *map = NULL;
	enum aliasdb_rule rule = ALIASDB_RULE_OK;

	assert_int_equal(aliasdb_map_from_pairs(a, c, 2, &map, &rule), -EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_CHAIN);
	assert_null(map);
	assert_int_equal(aliasdb_map_from_pairs(a2, c2, 2, &map, &rule),
			 -EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_DUPLICATE);
	assert_int_equal(aliasdb_map_from_pairs(a3, c3, 1, &map, &rule),
			 -EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_ETC);
	assert_int_equal(aliasdb_map_from_pairs(a3, c3, 1, &map, NULL),
			 -EINVAL);
	assert_null(map);
}

struct arch_case {
	const char *arch;
	const char *extra; /* space separated, after bin sbin lib */
};

static const struct arch_case arch_cases[] = {
	{"amd64", "lib32 lib64 libx32"},
	{"i386", "lib64 libx32"},
	{"x32", "lib32 lib64 libx32"},
	{"mips", "lib32 lib64"},
	{"mipsel", "lib32 lib64"},
	{"mips64", "lib32 lib64 libo32"},
	{"mips64el", "lib32 lib64 libo32"},
	{"mips64r6el", "lib32 lib64 libo32"},
	{"mipsn32", "lib32 lib64 libo32"},
	{"mipsn32el", "lib32 lib64 libo32"},
	{"mipsn32r6el", "lib32 lib64 libo32"},
	{"loong64", "lib32 lib64"},
	{"powerpc", "lib64"},
	{"ppc64", "lib32 lib64"},
	{"ppc64el", "lib64"},
	{"s390x", "lib32"},
	{"sparc", "lib64"},
	{"sparc64", "lib32 lib64"},
	{"arm64", ""},
	{"armel", ""},
	{"armhf", ""},
	{"riscv64", ""},
	{"alpha", ""},
	{"hppa", ""},
	{"m68k", ""},
	{"sh4", ""},
	{"ia64", ""},
	{"mips64r6", "lib32 lib64 libo32"},
	{"mipsn32r6", "lib32 lib64 libo32"},
	{"mipsr6", ""},
	{"mipsr6el", ""},
	{"powerpcspe", ""},
	{"s390", ""},
	{"arc", ""},
	{"arm", ""},
	{"armeb", ""},
	{"or1k", ""},
	{"sh3", ""},
};

static void check_arch_set(const char *arch, const char *extra)
{
	const char *const *names = NULL;
	char expect[128], got[128] = "";
	struct aliasdb_map *map = NULL;
	char path[64], buf[64];
	int n, i;

	snprintf(expect, sizeof(expect), "bin sbin lib%s%s", *extra ? " " : "",
		 extra);
	n = aliasdb_arch_defaults(arch, &names);
	assert_true(n >= 3);
	assert_null(names[n]);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, names[i]);
	}
	assert_string_equal(got, expect);

	/* The map of the set canonicalizes each /N/x to /usr/N/x. */
	assert_int_equal(aliasdb_map_for_arch(arch, &map), 0);
	assert_int_equal(aliasdb_map_count(map), (size_t)n);
	for (i = 0; i < n; i++) {
		char want[64];

		snprintf(path, sizeof(path), "/%s/./x/", names[i]);
		snprintf(want, sizeof(want), "/usr/%s/x", names[i]);
		assert_true(aliasdb_map_canon(map, path, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, want);
	}
	aliasdb_map_free(map);
}

static void test_arch_sets(void **state)
{
	const char *const *names = NULL;
	const char *const *known;
	size_t i, k;

	for (i = 0; i < sizeof(arch_cases) / sizeof(arch_cases[0]); i++)
		check_arch_set(arch_cases[i].arch, arch_cases[i].extra);

	/* Every known architecture has a valid set and a map. */
	known = aliasdb_arch_known();
	for (k = 0; known[k]; k++) {
		struct aliasdb_map *map = NULL;

		assert_true(aliasdb_arch_defaults(known[k], &names) >= 3);
		assert_int_equal(aliasdb_map_for_arch(known[k], &map), 0);
		aliasdb_map_free(map);
	}
	/* ... and the table above covers each of them exactly. */
	assert_int_equal(k, sizeof(arch_cases) / sizeof(arch_cases[0]));
	for (k = 0; known[k]; k++) {
		for (i = 0; i < sizeof(arch_cases) / sizeof(arch_cases[0]); i++)
			if (strcmp(arch_cases[i].arch, known[k]) == 0)
				break;
		if (i == sizeof(arch_cases) / sizeof(arch_cases[0]))
			fail_msg("architecture %s not in the test table",
				 known[k]);
	}

	assert_int_equal(aliasdb_arch_defaults("hurd-i386", &names), -ENOENT);
	assert_int_equal(aliasdb_arch_defaults("hurd-amd64", &names), -ENOENT);
	assert_int_equal(aliasdb_arch_defaults("nonsense", &names), -ENOENT);
	assert_int_equal(aliasdb_arch_defaults("", &names), -ENOENT);
	{
		struct aliasdb_map *map = NULL;

		assert_int_equal(aliasdb_map_for_arch("hurd-i386", &map),
				 -ENOENT);
		assert_null(map);
	}
}

static void test_host_arch(void **state)
{
	const char *const *names;
	char *arch = NULL;

	assert_int_equal(aliasdb_host_arch(&arch), 0);
	assert_non_null(arch);
	/* This machine is a Debian system we build on: its architecture is
	 * one we know. */
	assert_true(aliasdb_arch_defaults(arch, &names) >= 3);
	free(arch);
}

struct canon_thread {
	const struct aliasdb_map *map;
	int bad;
};

static void *canon_thread_run(void *arg)
{
	struct canon_thread *t = arg;
	char buf[ALIASDB_PATH_MAX];
	size_t i, k;

	for (k = 0; k < 20000; k++) {
		i = k % (sizeof(amd64_cases) / sizeof(amd64_cases[0]));
		if (aliasdb_map_canon(t->map, amd64_cases[i].in, buf,
				      sizeof(buf)) < 0 ||
		    strcmp(buf, amd64_cases[i].out) != 0)
			t->bad++;
	}
	return NULL;
}

/* One map, read by several threads at once with no locking. */
static void test_canon_threads(void **state)
{
	struct canon_thread t[4];
	pthread_t th[4];
	struct aliasdb_map *map = NULL;
	int i;

	assert_int_equal(aliasdb_map_for_arch("amd64", &map), 0);
	for (i = 0; i < 4; i++) {
		t[i].map = map;
		t[i].bad = 0;
		assert_int_equal(
			pthread_create(&th[i], NULL, canon_thread_run, &t[i]),
			0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(t[i].bad, 0);
	}
	aliasdb_map_free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_table),
		cmocka_unit_test(test_normalize_size),
		cmocka_unit_test(test_alias_link_text),
		cmocka_unit_test(test_canon_amd64),
		cmocka_unit_test(test_canon_sizes),
		cmocka_unit_test(test_canon_empty_map),
		cmocka_unit_test(test_canon_threads),
		cmocka_unit_test(test_map_find_and_equal),
		cmocka_unit_test(test_map_from_pairs_refused),
		cmocka_unit_test(test_arch_sets),
		cmocka_unit_test(test_host_arch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
