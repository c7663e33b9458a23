/*
 * aliasdb: retention rules (parsing, refusals, garbage and random input),
 * matching and retained paths, the rule directory, the index of retained
 * files, and the dpkg owner and version lookup.
 */
#define _XOPEN_SOURCE 700
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

static struct aliasdb_retain_rules *parse_str(const char *text)
{
	struct aliasdb_retain_rules *r = NULL;

	assert_int_equal(aliasdb_retain_parse(text, strlen(text), &r), 0);
	assert_non_null(r);
	return r;
}

static void test_parse_rules(void **state)
{
	struct aliasdb_retain_rules *r;

	(void)state;
	r = parse_str("# qemu modules\n\n"
		      "  /usr/lib/*/qemu/*.so\t/run/keep/<version>/ # why\r\n"
		      "/usr/lib/x/*.so /run/x\n");
	assert_int_equal(r->n_problems, 0);
	assert_int_equal(r->n_rules, 2);
	assert_string_equal(r->rules[0].pattern, "/usr/lib/*/qemu/*.so");
	assert_string_equal(r->rules[0].place, "/run/keep/<version>");
	assert_int_equal(r->rules[0].line, 3);
	assert_string_equal(r->rules[1].place, "/run/x");
	aliasdb_retain_rules_free(r);

	r = parse_str("/usr/lib/a.so\n/a /b /c\n");
	assert_int_equal(r->n_rules, 0);
	assert_int_equal(r->n_problems, 2);
	assert_non_null(strstr(r->problems[0].message, "missing PLACE"));
	assert_non_null(strstr(r->problems[1].message, "third field"));
	assert_null(r->problems[0].file);
	aliasdb_retain_rules_free(r);

	assert_int_equal(aliasdb_retain_parse(NULL, 0, &r), 0);
	assert_int_equal(r->n_rules + r->n_problems, 0);
	aliasdb_retain_rules_free(r);
	assert_int_equal(aliasdb_retain_parse(NULL, 3, &r), -EINVAL);
	aliasdb_retain_rules_free(NULL);
}

static void test_refusals(void **state)
{
	static const struct {
		const char *pattern, *place;
	} bad[] = {
		{"usr/lib/*.so", "/run/x"},
		{"/usr/lib/*.so", "run/x"},
		{"/usr/lib/*.so", "/"},
		{"/usr/lib/", "/run/x"},
		{"/usr/lib/*.so", "/usr/keep"},
		{"/usr/lib/*.so", "/etc/keep"},
		{"/usr/lib/*.so", "/proc/x"},
		{"/usr/lib/*.so", "/var/lib/dpkg/keep"},
		{"/usr/lib/*.so", "/var/lib/aliasfs/keep"},
		{"/opt/m/*.so", "/opt/m/keep/<version>"},
		{"/*/lib/a.so", "/run/x"},
		{"/usr/lib/../*.so", "/run/x"},
		{"/usr/lib/*.so", "/run/./x"},
		{"/usr/lib/*.so", "/run//x"},
		{"/usr/lib/\001.so", "/run/x"},
	};
	struct aliasdb_retain_rules *r;
	const char *why = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = aliasdb_retain_refusal(bad[i].pattern, bad[i].place);
		if (!why)
			fail_msg("accepted %s %s", bad[i].pattern,
				 bad[i].place);
	}
	assert_null(aliasdb_retain_refusal("/usr/lib/*.so", "/run/k"));
	assert_null(aliasdb_retain_refusal("/opt/m/*.so", "/opt/keep"));
	r = parse_str("/usr/lib/*.so /usr/keep\n");
	assert_int_equal(r->n_rules, 0);
	assert_int_equal(r->n_problems, 1);
	assert_non_null(strstr(r->problems[0].message, "refused"));
	assert_int_equal(aliasdb_retain_rules_add(r, "x", "/run", 0, &why),
			 -EINVAL);
	assert_non_null(strstr(why, "absolute"));
	aliasdb_retain_rules_free(r);
}

static void test_parse_garbage(void **state)
{
	static const char bin[] = "\x7f"
				  "ELF\x01\x02\0\0\n/usr/lib/*.so /run/k\n"
				  "\xff\xfe zz\n";
	struct aliasdb_retain_rules *r = NULL;
	unsigned seed = 18;
	char *big;
	size_t i, j;

	(void)state;
	assert_int_equal(aliasdb_retain_parse(bin, sizeof(bin) - 1, &r), 0);
	assert_int_equal(r->n_rules, 1);
	assert_int_equal(r->n_problems, 2);
	assert_non_null(strstr(r->problems[0].message, "NUL"));
	assert_int_equal(r->problems[1].line, 3);
	aliasdb_retain_rules_free(r);

	/* A huge field: refused with a short message. */
	big = malloc(100000);
	assert_non_null(big);
	memset(big, 'a', 99999);
	big[0] = '/';
	big[99999] = '\0';
	r = parse_str(big);
	assert_int_equal(r->n_rules, 0);
	assert_int_equal(r->n_problems, 1);
	assert_true(strlen(r->problems[0].message) < 200);
	aliasdb_retain_rules_free(r);

	/* Random bytes, biased to the syntax's own: never a crash, every
	 * rule kept passes the rules. */
	for (i = 0; i < 3000; i++) {
		static const char alphabet[] = "/ \t\n#*?[<>.a\r\0\x01\xff";
		size_t len = (size_t)(rand_r(&seed) % 200);

		for (j = 0; j < len; j++)
			big[j] = rand_r(&seed) % 4
					 ? alphabet[rand_r(&seed) %
						    (sizeof(alphabet) - 1)]
					 : (char)rand_r(&seed);
		assert_int_equal(aliasdb_retain_parse(big, len, &r), 0);
		for (j = 0; j < r->n_rules; j++)
			assert_null(aliasdb_retain_refusal(r->rules[j].pattern,
							   r->rules[j].place));
		aliasdb_retain_rules_free(r);
	}
	free(big);
}

static void test_match_and_target(void **state)
{
	struct aliasdb_retain_rule rule = {
		.pattern = "/usr/lib/x86_64-linux-gnu/qemu/*.so",
		.place = "/run/aliasfs/retained/qemu/<version>",
	};
	char *p = NULL;

	(void)state;
	assert_true(aliasdb_retain_matches(
		&rule, "/usr/lib/x86_64-linux-gnu/qemu/block-rbd.so"));
	assert_false(aliasdb_retain_matches(
		&rule, "/usr/lib/x86_64-linux-gnu/qemu/sub/block-rbd.so"));
	assert_false(aliasdb_retain_matches(
		&rule, "/usr/lib/x86_64-linux-gnu/qemu/block-rbd.so.dpkg-new"));
	assert_false(aliasdb_retain_matches(
		&rule, "/usr/lib/x86_64-linux-gnu/qemu/.hidden.so"));
	assert_int_equal(aliasdb_retain_target(&rule, "1:8.2+dfsg-1",
					       "/usr/lib/q/block-rbd.so", &p),
			 0);
	assert_string_equal(
		p, "/run/aliasfs/retained/qemu/1:8.2+dfsg-1/block-rbd.so");
	free(p);
	rule.place = "/run/<version>/x/<version>";
	assert_int_equal(aliasdb_retain_target(&rule, "../a/b", "/a.so", &p),
			 0);
	assert_string_equal(p, "/run/_._a_b/x/_._a_b/a.so");
	free(p);
}

/* ---- files ---------------------------------------------------------- */

static char tree[64];

static int tree_setup(void **state)
{
	(void)state;
	strcpy(tree, "/tmp/aliasdb-retain.XXXXXX");
	return mkdtemp(tree) ? 0 : -1;
}

static int tree_teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"", tree,
		 rel);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int tree_fd(void)
{
	int fd = open(tree, O_PATH | O_DIRECTORY);

	assert_true(fd >= 0);
	return fd;
}

static void test_read_dir(void **state)
{
	struct aliasdb_retain_rules *r;
	char link[512];
	int fd = tree_fd();

	(void)state;
	assert_int_equal(aliasdb_retain_read_dir(fd, &r), 0);
	assert_int_equal(r->n_rules + r->n_problems, 0); /* no directory */
	aliasdb_retain_rules_free(r);
	put(ALIASDB_RETAIN_DIR "/b", "/usr/lib/*.so /run/b\n");
	put(ALIASDB_RETAIN_DIR "/a", "/usr/lib/*.so /run/a\nbad\n");
	put(ALIASDB_RETAIN_DIR "/a.dpkg-new", "/usr/lib/*.so /run/n\n");
	put(ALIASDB_RETAIN_DIR "/c~", "/usr/lib/*.so /run/n\n");
	assert_int_equal(aliasdb_retain_read_dir(fd, &r), 0);
	assert_int_equal(r->n_rules, 2);
	assert_string_equal(r->rules[0].place, "/run/a");
	assert_string_equal(r->rules[1].place, "/run/b");
	assert_int_equal(r->n_problems, 1);
	assert_string_equal(r->problems[0].file, "a");
	assert_int_equal(r->problems[0].line, 2);
	aliasdb_retain_rules_free(r);

	/* A symlink on the way is never followed. */
	snprintf(link, sizeof(link), "%s/usr/share/aliasfs", tree);
	{
		char moved[512];

		snprintf(moved, sizeof(moved), "%s/elsewhere", tree);
		assert_int_equal(rename(link, moved), 0);
		assert_int_equal(symlink(moved, link), 0);
	}
	assert_true(aliasdb_retain_read_dir(fd, &r) < 0);
	close(fd);
}

static void test_index(void **state)
{
	struct aliasdb_retained_index *idx;
	struct aliasdb_retained e = {
		.path = "/run/k/1/a.so",
		.original = "/usr/lib/a.so",
		.package = "q",
		.version = "1",
		.size = 3,
		.since = 100,
	};
	char db[512], path[512];
	int fd = tree_fd(), lock;

	(void)state;
	snprintf(db, sizeof(db), "%s/var/lib/aliasfs", tree);
	assert_int_equal(aliasdb_retained_load(db, &idx), 0); /* none yet */
	assert_int_equal(idx->n, 0);
	lock = aliasdb_retained_lock(db);
	assert_true(lock >= 0);
	idx->root = strdup(tree);
	idx->next_gen = 7;
	assert_int_equal(aliasdb_retained_append(idx, &e), 0);
	e.path = "/run/k/2/a.so";
	e.version = "2";
	e.size = 5;
	assert_int_equal(aliasdb_retained_append(idx, &e), 0);
	e.original = "/usr/lib/a\tb.so";
	assert_int_equal(aliasdb_retained_append(idx, &e), -EINVAL);
	assert_int_equal(aliasdb_retained_total(idx), 8);
	assert_int_equal(aliasdb_retained_save(db, idx), 0);
	aliasdb_retained_index_free(idx);
	close(lock);

	put("run/k/1/a.so", "one");
	put("run/k/2/a.so", "two");
	assert_int_equal(aliasdb_retained_load(db, &idx), 0);
	assert_int_equal(idx->n, 2);
	assert_string_equal(idx->root, tree);
	assert_int_equal(idx->next_gen, 7);
	assert_string_equal(idx->entries[1].version, "2");
	assert_string_equal(idx->entries[0].package, "q");
	assert_int_equal(idx->entries[0].since, 100);
	/* Dropping removes the file and its emptied directory. */
	assert_int_equal(aliasdb_retained_drop(idx, 0, fd), 0);
	assert_int_equal(idx->n, 1);
	snprintf(path, sizeof(path), "%s/run/k/1", tree);
	assert_int_equal(access(path, F_OK), -1);
	/* A file already gone, or forgetting only. */
	snprintf(path, sizeof(path), "%s/run/k/2/a.so", tree);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(aliasdb_retained_drop(idx, 0, fd), 0);
	assert_int_equal(idx->n, 0);
	aliasdb_retained_index_free(idx);

	/* Not an index. */
	put("var/lib/aliasfs/retained", "something else\n");
	assert_int_equal(aliasdb_retained_load(db, &idx), -EUCLEAN);
	close(fd);
}

static void test_dpkg_owner(void **state)
{
	static const char *const alias[] = {"/lib"};
	static const char *const canonical[] = {"/usr/lib"};
	struct aliasdb_map *map;
	char *pkg = NULL, *ver = NULL;
	int fd = tree_fd();

	(void)state;
	assert_int_equal(
		aliasdb_map_from_pairs(alias, canonical, 1, &map, NULL), 0);
	assert_int_equal(aliasdb_dpkg_owner_version(fd, map, "/usr/lib/m/a.so",
						    &pkg, &ver),
			 -ENOENT);
	put("var/lib/dpkg/info/p.list", "/.\n/usr\n/usr/lib/m/b.so\n");
	put("var/lib/dpkg/info/q:amd64.list",
	    "/.\n/lib\n/lib/m\n/lib/m/a.so\n");
	put("var/lib/dpkg/status",
	    "Package: q\nArchitecture: i386\nVersion: 9\n\n"
	    "Package: q\nStatus: install ok installed\nArchitecture: amd64\n"
	    "Version: 1\n\nPackage: p\nVersion: 3\n");
	assert_int_equal(aliasdb_dpkg_owner_version(fd, map, "/usr/lib/m/a.so",
						    &pkg, &ver),
			 0);
	assert_string_equal(pkg, "q:amd64");
	assert_string_equal(ver, "1");
	free(pkg);
	free(ver);
	/* dpkg's journal is newer than the status. */
	put("var/lib/dpkg/updates/0000",
	    "Package: q\nArchitecture: amd64\nVersion: 2~rc1\n");
	assert_int_equal(aliasdb_dpkg_owner_version(fd, map, "/usr/lib/m/a.so",
						    &pkg, &ver),
			 0);
	assert_string_equal(ver, "2~rc1");
	free(pkg);
	free(ver);
	/* Without the map, the alias spelling is another path. */
	assert_int_equal(aliasdb_dpkg_owner_version(fd, NULL, "/usr/lib/m/a.so",
						    &pkg, &ver),
			 -ENOENT);
	assert_int_equal(aliasdb_dpkg_owner_version(fd, NULL, "/usr/lib/m/b.so",
						    &pkg, &ver),
			 0);
	assert_string_equal(pkg, "p");
	assert_string_equal(ver, "3");
	free(pkg);
	free(ver);
	aliasdb_map_free(map);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rules),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_match_and_target),
		cmocka_unit_test_setup_teardown(test_read_dir, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_index, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_dpkg_owner, tree_setup,
						tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
