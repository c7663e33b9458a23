/*
 * aliasdb: dpkg database claims — presentation of each database kind,
 * and what an absorb releases (Replaces transfer, upgrade, Multi-Arch:
 * same, directories, diversions, statoverrides), persistence, bad input.
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
#include <unistd.h>

#include <cmocka.h>

#include "aliasdb.h"

#define INFO "/var/lib/dpkg/info/"

struct fixture {
	char tmp[64];
	char dir[128];
	struct aliasdb_claims *claims;
	struct aliasdb_map *map;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	static const char *const alias[] = {"/bin", "/lib", "/sbin"};
	static const char *const canon[] = {"/usr/bin", "/usr/lib",
					    "/usr/sbin"};
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->tmp, "/tmp/test-aliasdb-claims.XXXXXX");
	if (!mkdtemp(f->tmp))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/var/lib/aliasfs", f->tmp);
	if (aliasdb_claims_open(f->dir, ALIASDB_OPEN_CREATE, &f->claims) < 0)
		return -1;
	if (aliasdb_map_from_pairs(alias, canon, 3, &f->map, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	aliasdb_claims_close(f->claims);
	aliasdb_map_free(f->map);
	nftw(f->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Present @backing as @kind with @released; compare to @want. */
static void assert_present(const struct aliasdb_map *map,
			   enum aliasdb_dpkg_db kind, const char *backing,
			   const char *released, const char *want)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(aliasdb_claims_present(map, kind, backing,
						strlen(backing), released,
						strlen(released), &text, &len),
			 0);
	assert_int_equal(len, strlen(text));
	assert_string_equal(text, want);
	free(text);
}

/* Present what the claims say about list @file with backing @backing. */
static char *presented(struct fixture *f, const char *file, const char *backing)
{
	char *rel = NULL, *text = NULL;
	size_t rlen, len;

	assert_int_equal(
		aliasdb_claims_get_released(f->claims, file, &rel, &rlen), 0);
	assert_int_equal(aliasdb_claims_present(f->map, ALIASDB_DPKG_LIST,
						backing, strlen(backing), rel,
						rlen, &text, &len),
			 0);
	free(rel);
	return text;
}

static int absorb(struct fixture *f, const char *file, const char *text)
{
	return aliasdb_claims_absorb(f->claims, f->map, ALIASDB_DPKG_LIST, file,
				     text, strlen(text), NULL, 0, NULL, NULL);
}

/* Directories are what ends in "dir" or is a bare alias target. */
static int fake_is_dir(const char *path, void *userdata)
{
	size_t n = strlen(path);

	(void)userdata;
	return n >= 3 && strcmp(path + n - 3, "dir") == 0;
}

static void test_present_list(void **state)
{
	struct fixture *f = *state;

	/* Each claimed path under every spelling, canonical first, in
	 * dpkg's order; the alias itself (/bin) is never listed; paths
	 * outside the aliases and "/." stay as they are. */
	assert_present(f->map, ALIASDB_DPKG_LIST,
		       "/.\n/bin\n/bin/foo\n/usr\n/usr/bin/bar\n/etc/x\n", "",
		       "/.\n/usr/bin\n/usr/bin/foo\n/bin/foo\n/usr\n"
		       "/usr/bin/bar\n/bin/bar\n/etc/x\n");
	/* Both spellings listed already: once each. */
	assert_present(f->map, ALIASDB_DPKG_LIST, "/usr/bin/foo\n/bin/foo\n",
		       "", "/usr/bin/foo\n/bin/foo\n");
	/* Released: every spelling hidden. */
	assert_present(f->map, ALIASDB_DPKG_LIST, "/bin/foo\n/bin/bar\n",
		       "k/usr/bin/foo\n", "/usr/bin/bar\n/bin/bar\n");
	/* "/library" is not under "/lib". */
	assert_present(f->map, ALIASDB_DPKG_LIST, "/library/x\n", "",
		       "/library/x\n");
}

static void test_present_bad_input(void **state)
{
	struct fixture *f = *state;

	/* No final newline: shown with one. Garbage lines pass through. */
	assert_present(f->map, ALIASDB_DPKG_LIST, "/bin/foo", "",
		       "/usr/bin/foo\n/bin/foo\n");
	assert_present(f->map, ALIASDB_DPKG_LIST,
		       "garbage\n\n\x01\x02/bin\n/bin/a\n", "",
		       "garbage\n\n\x01\x02/bin\n/usr/bin/a\n/bin/a\n");
	/* An incomplete diversion passes through as it is. */
	assert_present(f->map, ALIASDB_DPKG_DIVERSIONS, "/bin/x\n/bin/x.d\n",
		       "", "/bin/x\n/bin/x.d\n");
	/* A short statoverride line has no path: as it is. */
	assert_present(f->map, ALIASDB_DPKG_STATOVERRIDE, "root root\n", "",
		       "root root\n");
	/* No map at all: nothing to expand. */
	assert_present(NULL, ALIASDB_DPKG_LIST, "/bin/foo\n", "", "/bin/foo\n");
	assert_present(f->map, ALIASDB_DPKG_LIST, "", "", "");
}

static void test_present_tables(void **state)
{
	struct fixture *f = *state;

	/* A diversion under each spelling; the diverted-to path follows
	 * the spelling when it is in the same aliased directory. */
	assert_present(f->map, ALIASDB_DPKG_DIVERSIONS,
		       "/bin/test\n/bin/test.distrib\ndv\n"
		       "/usr/sbin/x\n/usr/share/x\n:\n",
		       "",
		       "/usr/bin/test\n/usr/bin/test.distrib\ndv\n"
		       "/bin/test\n/bin/test.distrib\ndv\n"
		       "/usr/sbin/x\n/usr/share/x\n:\n"
		       "/sbin/x\n/usr/share/x\n:\n");
	assert_present(f->map, ALIASDB_DPKG_STATOVERRIDE,
		       "root root 0700 /bin/test\n", "",
		       "root root 0700 /usr/bin/test\n"
		       "root root 0700 /bin/test\n");
	assert_present(f->map, ALIASDB_DPKG_FILE_TRIGGERS, "/usr/lib/trg pkg\n",
		       "", "/usr/lib/trg pkg\n/lib/trg pkg\n");
	/* A superseded record is hidden, the other one shown. */
	assert_present(f->map, ALIASDB_DPKG_STATOVERRIDE,
		       "root root 0700 /usr/bin/x\nroot root 0755 /bin/x\n",
		       "sroot root 0700 /usr/bin/x\n",
		       "root root 0755 /usr/bin/x\nroot root 0755 /bin/x\n");
}

/* P1: b takes /usr/bin/foo over from a (Replaces), dpkg writes b's list,
 * then a's without the spelling b took: a releases the file. */
static void test_absorb_transfer(void **state)
{
	struct fixture *f = *state;
	const char *a1 = "/.\n/bin\n/bin/foo\n/usr\n";
	char *p;

	assert_int_equal(absorb(f, INFO "a.list", a1), 0);
	p = presented(f, INFO "a.list", a1);
	assert_string_equal(p, "/.\n/usr/bin\n/usr/bin/foo\n/bin/foo\n/usr\n");
	free(p);
	assert_int_equal(absorb(f, INFO "b.list",
				"/.\n/usr\n/usr/bin\n"
				"/usr/bin/foo\n"),
			 0);
	/* What dpkg writes for a: the presented list minus the taken
	 * spelling. */
	assert_int_equal(
		absorb(f, INFO "a.list", "/.\n/usr/bin\n/bin/foo\n/usr\n"), 1);
	p = presented(f, INFO "a.list", "/.\n/usr/bin\n/bin/foo\n/usr\n");
	assert_string_equal(p, "/.\n/usr/bin\n/usr\n");
	free(p);
}

/* An upgrade that ships the other spelling, with no other owner: kept. */
static void test_absorb_upgrade_keeps(void **state)
{
	struct fixture *f = *state;
	char *p;

	assert_int_equal(absorb(f, INFO "m.list", "/bin/mv\n"), 0);
	assert_int_equal(absorb(f, INFO "m.list", "/usr/bin/mv\n"), 0);
	p = presented(f, INFO "m.list", "/usr/bin/mv\n");
	assert_string_equal(p, "/usr/bin/mv\n/bin/mv\n");
	free(p);
	/* and the same version again, listing only /bin/mv */
	assert_int_equal(absorb(f, INFO "m.list", "/bin/mv\n"), 0);
	p = presented(f, INFO "m.list", "/bin/mv\n");
	assert_string_equal(p, "/usr/bin/mv\n/bin/mv\n");
	free(p);
}

/* Instances of one Multi-Arch: same package share files: no transfer. */
static void test_absorb_multiarch(void **state)
{
	struct fixture *f = *state;
	char *p;

	assert_int_equal(absorb(f, INFO "mm:amd64.list", "/lib/f\n"), 0);
	assert_int_equal(absorb(f, INFO "mm:i386.list", "/lib/f\n"), 0);
	assert_int_equal(absorb(f, INFO "mm:amd64.list", "/usr/lib/f\n"), 0);
	p = presented(f, INFO "mm:amd64.list", "/usr/lib/f\n");
	assert_string_equal(p, "/usr/lib/f\n/lib/f\n");
	free(p);
}

/* Directories are shared, never transferred. */
static void test_absorb_directories(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(absorb(f, INFO "x.list", "/lib/adir\n"), 0);
	assert_int_equal(absorb(f, INFO "y.list", "/usr/lib/adir\n"), 0);
	assert_int_equal(aliasdb_claims_absorb(f->claims, f->map,
					       ALIASDB_DPKG_LIST, INFO "x.list",
					       "/lib/adir\n", 10, NULL, 0,
					       fake_is_dir, NULL),
			 0);
}

/* A path the package ships again after it was taken is claimed again. */
static void test_absorb_reclaim(void **state)
{
	struct fixture *f = *state;
	char *p;

	assert_int_equal(absorb(f, INFO "a.list", "/bin/foo\n"), 0);
	assert_int_equal(absorb(f, INFO "b.list", "/usr/bin/foo\n"), 0);
	assert_int_equal(absorb(f, INFO "a.list", "/bin/foo\n"), 1);
	p = presented(f, INFO "a.list", "/bin/foo\n");
	assert_string_equal(p, "");
	free(p);
	/* b is purged, a ships foo anew (dpkg was shown nothing). */
	assert_int_equal(aliasdb_claims_forget(f->claims, INFO "b.list"), 0);
	assert_int_equal(absorb(f, INFO "a.list", "/usr/bin/foo\n"), 0);
	p = presented(f, INFO "a.list", "/usr/bin/foo\n");
	assert_string_equal(p, "/usr/bin/foo\n/bin/foo\n");
	free(p);
}

/* The fallback "shown" text stands in for a list never recorded. */
static void test_absorb_shown(void **state)
{
	struct fixture *f = *state;
	const char *shown = "/usr/bin/foo\n/bin/foo\n";

	assert_int_equal(absorb(f, INFO "b.list", "/usr/bin/foo\n"), 0);
	assert_int_equal(aliasdb_claims_absorb(f->claims, f->map,
					       ALIASDB_DPKG_LIST, INFO "a.list",
					       "/bin/foo\n", 9, shown,
					       strlen(shown), NULL, NULL),
			 1);
}

static int absorb_kind(struct fixture *f, enum aliasdb_dpkg_db kind,
		       const char *file, const char *text)
{
	return aliasdb_claims_absorb(f->claims, f->map, kind, file, text,
				     strlen(text), NULL, 0, NULL, NULL);
}

/* dpkg-divert --remove drops the spelling it was given: released. */
static void test_absorb_diversion_removed(void **state)
{
	struct fixture *f = *state;
	const char *file = "/var/lib/dpkg/diversions";
	char *rel = NULL, *text = NULL;
	size_t rlen, len;

	assert_int_equal(absorb_kind(f, ALIASDB_DPKG_DIVERSIONS, file,
				     "/bin/t\n/bin/t.d\ndv\n"),
			 0);
	assert_int_equal(absorb_kind(f, ALIASDB_DPKG_DIVERSIONS, file,
				     "/usr/bin/t\n/usr/bin/t.d\ndv\n"),
			 1);
	assert_int_equal(
		aliasdb_claims_get_released(f->claims, file, &rel, &rlen), 0);
	assert_int_equal(
		aliasdb_claims_present(f->map, ALIASDB_DPKG_DIVERSIONS,
				       "/usr/bin/t\n/usr/bin/t.d\ndv\n", 27,
				       rel, rlen, &text, &len),
		0);
	assert_string_equal(text, "");
	free(rel);
	free(text);
}

/* statoverride --update: the new record wins over the old spelling. */
static void test_absorb_statoverride_update(void **state)
{
	struct fixture *f = *state;
	const char *file = "/var/lib/dpkg/statoverride";
	const char *now = "root root 0755 /bin/x\nroot root 0700 /usr/bin/x\n";
	char *rel = NULL, *text = NULL;
	size_t rlen, len;

	assert_int_equal(absorb_kind(f, ALIASDB_DPKG_STATOVERRIDE, file,
				     "root root 0700 /usr/bin/x\n"),
			 0);
	assert_int_equal(absorb_kind(f, ALIASDB_DPKG_STATOVERRIDE, file, now),
			 0);
	assert_int_equal(
		aliasdb_claims_get_released(f->claims, file, &rel, &rlen), 0);
	assert_int_equal(
		aliasdb_claims_present(f->map, ALIASDB_DPKG_STATOVERRIDE, now,
				       strlen(now), rel, rlen, &text, &len),
		0);
	assert_string_equal(text, "root root 0755 /usr/bin/x\n"
				  "root root 0755 /bin/x\n");
	free(rel);
	free(text);
}

static void test_presented_and_persistence(void **state)
{
	struct fixture *f = *state;
	uint64_t g1, g2;
	char *text = NULL;
	size_t len;

	assert_int_equal(aliasdb_claims_get_presented(f->claims, INFO "q.list",
						      &text, &len),
			 -ENOENT);
	assert_int_equal(absorb(f, INFO "q.list", "/bin/q\n"), 0);
	assert_int_equal(aliasdb_claims_generation(f->claims, &g1), 0);
	assert_int_equal(aliasdb_claims_set_presented(f->claims, INFO "q.list",
						      "/x\n", 3),
			 1);
	assert_int_equal(aliasdb_claims_set_presented(f->claims, INFO "q.list",
						      "/x\n", 3),
			 0);
	assert_int_equal(aliasdb_claims_generation(f->claims, &g2), 0);
	assert_true(g2 > g1);
	/* Survives a reopen. */
	aliasdb_claims_close(f->claims);
	assert_int_equal(
		aliasdb_claims_open(f->dir, ALIASDB_OPEN_RDONLY, &f->claims),
		0);
	assert_int_equal(aliasdb_claims_get_presented(f->claims, INFO "q.list",
						      &text, &len),
			 0);
	assert_string_equal(text, "/x\n");
	free(text);
	assert_int_equal(absorb(f, INFO "q.list", "/bin/q\n"), -EROFS);
	assert_int_equal(aliasdb_claims_forget(f->claims, INFO "q.list"),
			 -EROFS);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_claims *c = NULL;
	char missing[160];

	snprintf(missing, sizeof(missing), "%s/nowhere", f->tmp);
	assert_int_equal(aliasdb_claims_open(missing, 0, &c), -ENOENT);
	assert_int_equal(
		aliasdb_claims_open(
			missing, ALIASDB_OPEN_RDONLY | ALIASDB_OPEN_CREATE, &c),
		-ENOENT);
	assert_int_equal(aliasdb_claims_open("", 0, &c), -EINVAL);
	assert_int_equal(aliasdb_claims_open(f->dir, 1u << 7, &c), -EINVAL);
	assert_null(c);
	aliasdb_claims_close(NULL);
}

/* What is stored of what dpkg wrote after it was shown @before presented. */
static void assert_unpresent(struct fixture *f, enum aliasdb_dpkg_db kind,
			     const char *before, const char *written,
			     const char *want)
{
	char *shown = NULL, *text = NULL;
	size_t slen = 0, len = 0;

	assert_int_equal(aliasdb_claims_present(f->map, kind, before,
						strlen(before), "", 0, &shown,
						&slen),
			 0);
	assert_int_equal(aliasdb_claims_unpresent(
				 f->map, kind, before, strlen(before), shown,
				 slen, written, strlen(written), &text, &len),
			 0);
	assert_int_equal(len, strlen(text));
	assert_string_equal(text, want);
	free(shown);
	free(text);
}

/* dpkg writes back every spelling it was shown: the backing keeps its
 * own; what dpkg added or changed stays as written, in its order. */
static void test_unpresent(void **state)
{
	struct fixture *f = *state;
	const char *sh = "/bin/sh\n/bin/sh.distrib\ndash\n";
	const char *ush = "/usr/bin/sh\n/usr/bin/sh.distrib\ndash\n";
	const char *man = "/usr/share/man/sh.1\n/usr/share/man/sh.2\ndash\n";

	/* dash's diversion, written back in both spellings, a new one. */
	{
		char before[256], written[256], want[256];

		snprintf(before, sizeof(before), "%s", sh);
		snprintf(written, sizeof(written), "%s%s%s", ush, man, sh);
		snprintf(want, sizeof(want), "%s%s", man, sh);
		assert_unpresent(f, ALIASDB_DPKG_DIVERSIONS, before, written,
				 want);
	}
	/* A diversion to the other spelling: shown respelled both times,
	 * stored as it was, where dpkg wrote its own spelling. */
	assert_unpresent(f, ALIASDB_DPKG_DIVERSIONS,
			 "/bin/ls\n/usr/bin/ls.d\nd2\n",
			 "/usr/bin/ls\n/usr/bin/ls.d\nd2\n"
			 "/bin/ls\n/bin/ls.d\nd2\n",
			 "/bin/ls\n/usr/bin/ls.d\nd2\n");
	/* A statoverride dpkg changed under the other spelling. */
	assert_unpresent(f, ALIASDB_DPKG_STATOVERRIDE,
			 "root root 700 /bin/x\nroot root 755 /usr/share/s\n",
			 "root root 755 /usr/share/s\nroot root 755 /bin/x\n"
			 "root root 700 /usr/bin/x\n",
			 "root root 755 /usr/share/s\nroot root 755 /bin/x\n");
	/* An interest moved to the other spelling by an upgrade. */
	assert_unpresent(f, ALIASDB_DPKG_FILE_TRIGGERS, "/lib/t p\n",
			 "/usr/lib/t p\n", "/usr/lib/t p\n");
	/* Garbage stays; a list is never rewritten. */
	assert_unpresent(f, ALIASDB_DPKG_STATOVERRIDE, "junk\n",
			 "junk\nroot root 1 /bin/y",
			 "junk\nroot root 1 /bin/y");
	assert_unpresent(f, ALIASDB_DPKG_LIST, "/bin/a\n",
			 "/usr/bin/a\n/bin/a\n", "/usr/bin/a\n/bin/a\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_present_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unpresent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_present_bad_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_present_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absorb_transfer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absorb_upgrade_keeps,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_multiarch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absorb_directories, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absorb_reclaim, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absorb_shown, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absorb_diversion_removed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_statoverride_update,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_presented_and_persistence,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
