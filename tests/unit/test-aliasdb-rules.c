/*
 * aliasdb: every refusal rule, through aliasdb_check() without and with a
 * database, aliasdb_add() and the descriptions.
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

#include <cmocka.h>

#include "aliasdb.h"

struct rule_case {
	const char *alias;
	const char *canonical;
	enum aliasdb_rule rule;
};

/* Rules that need no other alias. */
static const struct rule_case static_cases[] = {
	{"/bin", "/usr/bin", ALIASDB_RULE_OK},
	{"/opt/x", "/srv/y", ALIASDB_RULE_OK},
	{"/usr/lib64", "/usr/lib", ALIASDB_RULE_OK},
	{"bin", "/usr/bin", ALIASDB_RULE_NOT_ABSOLUTE},
	{"/bin", "usr/bin", ALIASDB_RULE_NOT_ABSOLUTE},
	{"", "/usr/bin", ALIASDB_RULE_NOT_ABSOLUTE},
	{NULL, "/usr/bin", ALIASDB_RULE_NOT_ABSOLUTE},
	{"/bin/", "/usr/bin", ALIASDB_RULE_NOT_NORMALIZED},
	{"/bin", "/usr//bin", ALIASDB_RULE_NOT_NORMALIZED},
	{"/./bin", "/usr/bin", ALIASDB_RULE_NOT_NORMALIZED},
	{"/bin", "/usr/../usr/bin", ALIASDB_RULE_NOT_NORMALIZED},
	{"/bin/.", "/usr/bin", ALIASDB_RULE_NOT_NORMALIZED},
	{"//bin", "/usr/bin", ALIASDB_RULE_NOT_NORMALIZED},
	{"/", "/usr", ALIASDB_RULE_ROOT},
	{"/bin", "/", ALIASDB_RULE_ROOT},
	{"/usr", "/opt/usr", ALIASDB_RULE_USR},
	{"/etc", "/usr/etc", ALIASDB_RULE_ETC},
	{"/etc/alternatives", "/usr/etc/alt", ALIASDB_RULE_ETC},
	{"/etcetera", "/usr/etcetera", ALIASDB_RULE_OK},
	/* The protected subtrees hold for both sides, and for a path that
	 * contains one: the rules are about subtrees, not strings. */
	{"/opt", "/etc/opt", ALIASDB_RULE_ETC},
	{"/opt/x", "/etc", ALIASDB_RULE_ETC},
	{"/var", "/usr/var", ALIASDB_RULE_DPKG_DB},
	{"/var/lib", "/usr/var/lib", ALIASDB_RULE_DPKG_DB},
	{"/opt/v", "/var", ALIASDB_RULE_DPKG_DB},
	{"/opt/v", "/var/lib", ALIASDB_RULE_DPKG_DB},
	{"/var/cache", "/usr/var/cache", ALIASDB_RULE_OK},
	{"/var/lib/apt", "/usr/lib/apt-state", ALIASDB_RULE_OK},
	{"/var/lib/aliasfs", "/usr/aliasfs", ALIASDB_RULE_DATABASE},
	{"/var/lib/aliasfs/x", "/opt/x", ALIASDB_RULE_DATABASE},
	{"/opt/db", "/var/lib/aliasfs", ALIASDB_RULE_DATABASE},
	{"/var/lib/aliasfsx", "/opt/x", ALIASDB_RULE_OK},
	{"/usr/share", "/share", ALIASDB_RULE_DECL_DIR},
	{"/usr/share/aliasfs", "/opt/a", ALIASDB_RULE_DECL_DIR},
	{"/usr/share/aliasfs/aliases.d", "/opt/d", ALIASDB_RULE_DECL_DIR},
	{"/share", "/usr/share", ALIASDB_RULE_DECL_DIR},
	{"/opt/d", "/usr/share/aliasfs/aliases.d/x", ALIASDB_RULE_DECL_DIR},
	{"/usr/share/doc", "/opt/doc", ALIASDB_RULE_OK},
	{"/run", "/var/run", ALIASDB_RULE_RUNTIME},
	{"/var/run", "/run", ALIASDB_RULE_RUNTIME},
	{"/run/lock", "/opt/lock", ALIASDB_RULE_RUNTIME},
	{"/tmp", "/usr/tmp", ALIASDB_RULE_RUNTIME},
	{"/opt/t", "/tmp/t", ALIASDB_RULE_RUNTIME},
	{"/tmpfiles", "/usr/tmpfiles", ALIASDB_RULE_OK},
	{"/boot", "/usr/boot", ALIASDB_RULE_BOOT},
	{"/opt/k", "/boot/efi", ALIASDB_RULE_BOOT},
	{"/bin\n", "/usr/bin", ALIASDB_RULE_CONTROL_CHAR},
	{"/a\nb", "/usr/ab", ALIASDB_RULE_CONTROL_CHAR},
	{"/ab", "/usr/a\tb", ALIASDB_RULE_CONTROL_CHAR},
	{"/ab", "/usr/a\x01b", ALIASDB_RULE_CONTROL_CHAR},
	{"/a\x7f", "/usr/a", ALIASDB_RULE_CONTROL_CHAR},
	{"/a\x1f", "/usr/a", ALIASDB_RULE_CONTROL_CHAR},
	{"/caf\xc3\xa9", "/usr/caf\xc3\xa9", ALIASDB_RULE_OK},
	{"/a b", "/usr/a b", ALIASDB_RULE_OK},
	{"/var/lib/dpkg", "/usr/dpkg", ALIASDB_RULE_DPKG_DB},
	{"/var/lib/dpkg/info", "/usr/info", ALIASDB_RULE_DPKG_DB},
	{"/opt/db", "/var/lib/dpkg", ALIASDB_RULE_DPKG_DB},
	{"/opt/db", "/var/lib/dpkg/info", ALIASDB_RULE_DPKG_DB},
	{"/var/lib/dpkgx", "/opt/x", ALIASDB_RULE_OK},
	{"/proc", "/usr/proc", ALIASDB_RULE_PSEUDO_FS},
	{"/sys/kernel", "/opt/k", ALIASDB_RULE_PSEUDO_FS},
	{"/dev", "/usr/dev", ALIASDB_RULE_PSEUDO_FS},
	{"/opt/dev", "/dev/shm", ALIASDB_RULE_PSEUDO_FS},
	{"/opt/p", "/proc/self", ALIASDB_RULE_PSEUDO_FS},
	{"/opt/s", "/sys", ALIASDB_RULE_PSEUDO_FS},
	{"/devices", "/usr/devices", ALIASDB_RULE_OK},
	{"/bin", "/bin", ALIASDB_RULE_SAME},
	{"/bin", "/bin/real", ALIASDB_RULE_NESTED},
	{"/usr/bin/x", "/usr/bin", ALIASDB_RULE_NESTED},
	{"/opt/a/b", "/opt/a", ALIASDB_RULE_NESTED},
};

static void test_static_rules(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(static_cases) / sizeof(static_cases[0]); i++) {
		const struct rule_case *c = &static_cases[i];
		enum aliasdb_rule rule = (enum aliasdb_rule) - 1;
		int r = aliasdb_check(NULL, c->alias, c->canonical, &rule);

		if (rule != c->rule)
			fail_msg("%s -> %s: rule %d, expected %d",
				 c->alias ? c->alias : "(null)", c->canonical,
				 rule, c->rule);
		assert_int_equal(r, c->rule == ALIASDB_RULE_OK ? 0 : -EINVAL);
	}
}

static void test_too_long(void **state)
{
	char *big = malloc(ALIASDB_PATH_MAX + 1);
	enum aliasdb_rule rule = ALIASDB_RULE_OK;

	assert_non_null(big);
	memset(big, 'a', ALIASDB_PATH_MAX);
	big[0] = '/';
	big[ALIASDB_PATH_MAX] = '\0';
	assert_int_equal(aliasdb_check(NULL, big, "/usr/x", &rule), -EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_TOO_LONG);
	assert_int_equal(aliasdb_check(NULL, "/x", big, &rule), -EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_TOO_LONG);
	/* Exactly ALIASDB_PATH_MAX - 1 bytes is still accepted. */
	big[ALIASDB_PATH_MAX - 1] = '\0';
	assert_int_equal(aliasdb_check(NULL, big, "/usr/x", &rule), 0);
	assert_int_equal(rule, ALIASDB_RULE_OK);
	free(big);
}

static void test_describe(void **state)
{
	int r;

	assert_non_null(strstr(aliasdb_rule_describe(ALIASDB_RULE_ETC),
			       "/etc and everything under it"));
	assert_non_null(
		strstr(aliasdb_rule_describe(ALIASDB_RULE_USR), "/usr"));
	assert_non_null(strstr(aliasdb_rule_describe(ALIASDB_RULE_DPKG_DB),
			       "/var/lib/dpkg"));
	assert_non_null(strstr(aliasdb_rule_describe(ALIASDB_RULE_DATABASE),
			       "/var/lib/aliasfs"));
	assert_non_null(strstr(aliasdb_rule_describe(ALIASDB_RULE_DECL_DIR),
			       "/" ALIASDB_DECL_DIR));
	assert_non_null(
		strstr(aliasdb_rule_describe(ALIASDB_RULE_RUNTIME), "/tmp"));
	assert_non_null(
		strstr(aliasdb_rule_describe(ALIASDB_RULE_BOOT), "/boot"));
	assert_non_null(strstr(aliasdb_rule_describe(ALIASDB_RULE_CONTROL_CHAR),
			       "control characters"));
	assert_non_null(
		strstr(aliasdb_rule_describe(ALIASDB_RULE_CHAIN), "chain"));
	assert_non_null(strstr(aliasdb_rule_describe(ALIASDB_RULE_DUPLICATE),
			       "different target"));
	/* Every rule has its own text; unknown ones a generic text. */
	for (r = ALIASDB_RULE_OK; r <= ALIASDB_RULE_CONTROL_CHAR; r++) {
		int s;

		assert_non_null(aliasdb_rule_describe((enum aliasdb_rule)r));
		for (s = ALIASDB_RULE_OK; s < r; s++)
			assert_string_not_equal(
				aliasdb_rule_describe((enum aliasdb_rule)r),
				aliasdb_rule_describe((enum aliasdb_rule)s));
	}
	assert_non_null(aliasdb_rule_describe((enum aliasdb_rule)999));
}

/* ---- rules relating a new alias to existing ones ---- */

struct fixture {
	char dir[64];
	struct aliasdb *db;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return remove(path);
}

static int setup_db(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test-aliasdb-rules.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	if (aliasdb_open(f->dir, ALIASDB_OPEN_CREATE, &f->db) < 0)
		return -1;
	/* amd64 defaults plus one alias outside /usr */
	if (aliasdb_add_arch_defaults(f->db, "amd64", NULL) != 6)
		return -1;
	if (aliasdb_add(f->db, "/opt/tools", "/srv/tools", NULL, NULL) != 1)
		return -1;
	*state = f;
	return 0;
}

static int teardown_db(void **state)
{
	struct fixture *f = *state;

	aliasdb_close(f->db);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static const struct rule_case db_cases[] = {
	/* accepted */
	{"/bin", "/usr/bin", ALIASDB_RULE_OK}, /* exists, same target */
	{"/libo32", "/usr/libo32", ALIASDB_RULE_OK},
	{"/opt/other", "/srv/other", ALIASDB_RULE_OK},
	{"/opt/toolsx", "/srv/toolsx", ALIASDB_RULE_OK},
	{"/usr/sbin2", "/usr/bin", ALIASDB_RULE_OK}, /* shared target */
	/* DUPLICATE */
	{"/bin", "/usr/sbin", ALIASDB_RULE_DUPLICATE},
	{"/opt/tools", "/srv/other", ALIASDB_RULE_DUPLICATE},
	/* CHAIN: target is an alias or under one */
	{"/opt/x", "/bin", ALIASDB_RULE_CHAIN},
	{"/opt/x", "/lib/x86_64-linux-gnu", ALIASDB_RULE_CHAIN},
	{"/srv/y", "/opt/tools/y", ALIASDB_RULE_CHAIN},
	/* CHAIN: target is an ancestor of an alias */
	{"/srv/z", "/opt", ALIASDB_RULE_CHAIN},
	/* CHAIN: alias under an existing alias */
	{"/bin/x", "/usr/x", ALIASDB_RULE_CHAIN},
	{"/opt/tools/a", "/srv/a", ALIASDB_RULE_CHAIN},
	/* CHAIN: alias is an ancestor of an existing alias */
	{"/opt", "/srv/opt", ALIASDB_RULE_CHAIN},
	/* CHAIN: alias is an existing target, under one, or an ancestor */
	{"/usr/bin", "/opt/bin", ALIASDB_RULE_CHAIN},
	{"/usr/lib/x86_64-linux-gnu", "/opt/l", ALIASDB_RULE_CHAIN},
	{"/srv", "/opt/srv", ALIASDB_RULE_CHAIN},
	{"/srv/tools", "/opt/t", ALIASDB_RULE_CHAIN},
	/* CHAIN rather than ETC etc. only after the static rules */
	{"/etc", "/bin", ALIASDB_RULE_ETC},
};

static void test_db_rules(void **state)
{
	struct fixture *f = *state;
	uint64_t gen0, gen1;
	size_t i;

	assert_int_equal(aliasdb_generation(f->db, &gen0), 0);
	for (i = 0; i < sizeof(db_cases) / sizeof(db_cases[0]); i++) {
		const struct rule_case *c = &db_cases[i];
		enum aliasdb_rule rule = (enum aliasdb_rule) - 1;
		int r = aliasdb_check(f->db, c->alias, c->canonical, &rule);

		if (rule != c->rule)
			fail_msg("%s -> %s: rule %d, expected %d", c->alias,
				 c->canonical, rule, c->rule);
		assert_int_equal(r, c->rule == ALIASDB_RULE_OK ? 0 : -EINVAL);

		/* aliasdb_add refuses the same way and writes nothing. */
		if (c->rule != ALIASDB_RULE_OK) {
			rule = ALIASDB_RULE_OK;
			assert_int_equal(aliasdb_add(f->db, c->alias,
						     c->canonical, "decl",
						     &rule),
					 -EINVAL);
			assert_int_equal(rule, c->rule);
		}
	}
	/* Checks are reads: the generation did not move. */
	assert_int_equal(aliasdb_generation(f->db, &gen1), 0);
	assert_int_equal(gen0, gen1);
}

static void test_add_static_refusals(void **state)
{
	struct fixture *f = *state;
	enum aliasdb_rule rule;
	size_t i;

	for (i = 0; i < sizeof(static_cases) / sizeof(static_cases[0]); i++) {
		const struct rule_case *c = &static_cases[i];

		if (c->rule == ALIASDB_RULE_OK)
			continue;
		rule = ALIASDB_RULE_OK;
		assert_int_equal(
			aliasdb_add(f->db, c->alias, c->canonical, NULL, &rule),
			-EINVAL);
		assert_int_equal(rule, c->rule);
		/* @ret_rule may be NULL */
		assert_int_equal(
			aliasdb_add(f->db, c->alias, c->canonical, NULL, NULL),
			-EINVAL);
	}
}

static void test_bad_owner(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"", "a/b", "tab\there", "nl\n", "del\x7f"};
	char longname[300];
	enum aliasdb_rule rule;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rule = ALIASDB_RULE_OK;
		assert_int_equal(aliasdb_add(f->db, "/opt/new", "/srv/new",
					     bad[i], &rule),
				 -EINVAL);
		assert_int_equal(rule, ALIASDB_RULE_BAD_OWNER);
	}
	memset(longname, 'o', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(
		aliasdb_add(f->db, "/opt/new", "/srv/new", longname, &rule),
		-EINVAL);
	assert_int_equal(rule, ALIASDB_RULE_BAD_OWNER);
	assert_int_equal(aliasdb_add(f->db, "/opt/new", "/srv/new",
				     "qemu-user.conf", &rule),
			 1);
	assert_int_equal(rule, ALIASDB_RULE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_rules),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_describe),
		cmocka_unit_test_setup_teardown(test_db_rules, setup_db,
						teardown_db),
		cmocka_unit_test_setup_teardown(test_add_static_refusals,
						setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_bad_owner, setup_db,
						teardown_db),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
