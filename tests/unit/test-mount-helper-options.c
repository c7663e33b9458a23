/*
 * Unit tests for mount-helper/options.c: the option table and the check of
 * mount(8)'s option strings, with an in-process fuzz of random strings.
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

#include "mount-helper/options.h"

/* Parse @s (not sloppy); return the daemon string or "ERR: <error>". */
static char *parsed(const char *s, bool sloppy)
{
	struct mh_options_result r;
	char *out;

	assert_int_equal(mh_options_parse(s, sloppy, &r), 0);
	if (r.error) {
		out = malloc(strlen(r.error) + 6);
		assert_non_null(out);
		sprintf(out, "ERR: %s", r.error);
	} else {
		out = strdup(r.daemon);
	}
	mh_options_result_free(&r);
	return out;
}

static void expect(const char *in, const char *want)
{
	char *got = parsed(in, false);

	assert_string_equal(got, want);
	free(got);
}

static void expect_error(const char *in, const char *fragment)
{
	char *got = parsed(in, false);

	if (strncmp(got, "ERR: option '", 13) != 0 || !strstr(got, fragment))
		fail_msg("%s: got [%s], wanted an error with [%s]", in, got,
			 fragment);
	free(got);
}

static void test_table(void **state)
{
	size_t n;
	const struct mh_option *t = mh_options_table(&n);

	(void)state;
	assert_true(n > 30);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].help);
		/* Options that reach the daemon are matched whole. */
		if (t[i].fate == MH_DAEMON)
			assert_int_not_equal(t[i].form, MH_PREFIX);
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(t[i].name, t[j].name);
	}
}

static void test_split(void **state)
{
	(void)state;
	expect("", "");
	expect("rw", "rw");
	expect(",,ro,,", "ro");
	expect("defaults,nofail,_netdev,noauto,auto,user,user=bob,users,"
	       "owner,group,nouser,comment=x,x-systemd.automount,"
	       "x-systemd.requires=a.mount,X-mount.mkdir",
	       "");
	expect("ro,nofail,threads=2,x-a=b,db=/d", "ro,threads=2,db=/d");
	expect("entry_timeout=0.25,attr_timeout=7,negative_timeout=0",
	       "entry_timeout=0.25,attr_timeout=7,negative_timeout=0");
	expect("dpkgdb=raw,handles=inode,arch=arm64,poll_us=1000000",
	       "dpkgdb=raw,handles=inode,arch=arm64,poll_us=1000000");
	expect("threads=1,threads=1024", "threads=1,threads=1024");
	expect("retain=/usr/lib/q/*.so:/run/q/<version>,retain=/a/*:/run/a,"
	       "retain_max=500M,retain_keep",
	       "retain=/usr/lib/q/*.so:/run/q/<version>,retain=/a/*:/run/a,"
	       "retain_max=500M,retain_keep");
}

static void test_escaping(void **state)
{
	(void)state;
	expect("db=\"/a,b\"", "db=/a\\,b");
	expect("db=/a\\b", "db=/a\\\\b");
	expect("db=\"x\",ro", "db=x,ro");
	expect("db=/with space", "db=/with space");
}

static void test_refused(void **state)
{
	(void)state;
	expect_error("bogus", "'bogus' is unknown");
	expect_error("ro,bogus=1", "'bogus=1' is unknown");
	expect_error("ro=1", "takes no value");
	expect_error("db", "needs a value");
	expect_error("db=", "needs a value");
	expect_error("db=\"\"", "needs a value");
	expect_error("db=\"/x", "unterminated double quote");
	expect_error("db=/a\"b\"c", "misplaced double quote");
	expect_error("threads=0", "an integer from 1 to 1024");
	expect_error("threads=1025", "malformed");
	expect_error("threads=0x10", "malformed");
	expect_error("threads= 1", "malformed");
	expect_error("threads=1234567890123", "malformed");
	expect_error("poll_us=1000001", "malformed");
	expect_error("entry_timeout=1.", "malformed");
	expect_error("entry_timeout=-0", "malformed");
	expect_error("attr_timeout=nan", "malformed");
	expect_error("dpkgdb=CLAIMS", "claims or raw");
	expect_error("handles=", "needs a value");
	expect_error("arch=i386!", "architecture");
	expect_error("retain=/usr/lib/*.so", "PATTERN:PLACE");
	expect_error("retain=lib/*.so:/run/x", "PATTERN:PLACE");
	expect_error("retain_max=5P", "a size");
	expect_error("retain_keep=1", "takes no value");
	expect_error("debug", "unknown");
	expect_error("fsname=x", "unknown");
	expect_error("ro\x01", "'ro\\x01' contains a control character");
	expect_error("db=/\xff\x7f", "'db=/\\xff\\x7f' contains a control");
}

static void test_sloppy(void **state)
{
	struct mh_options_result r;

	(void)state;
	assert_int_equal(mh_options_parse("bogus,ro,a\xff=1", true, &r), 0);
	assert_null(r.error);
	assert_string_equal(r.daemon, "ro");
	assert_string_equal(r.ignored, "bogus,a\\xff=1");
	mh_options_result_free(&r);
	/* A known option with a bad value is refused anyway. */
	assert_int_equal(mh_options_parse("bogus,threads=x", true, &r), 0);
	assert_non_null(r.error);
	mh_options_result_free(&r);
	mh_options_result_free(NULL);
}

/* Is every option of the daemon string @d (escaped) a daemon option of
 * the table? */
static bool only_daemon_names(const char *d)
{
	size_t n;
	const struct mh_option *t = mh_options_table(&n);
	const char *p = d;

	while (*p) {
		const char *e = p;
		size_t len;
		bool found = false;

		while (*e && *e != ',' && *e != '=') {
			if (*e == '\\' && e[1])
				e++;
			e++;
		}
		len = (size_t)(e - p);
		for (size_t i = 0; i < n; i++)
			if (t[i].fate == MH_DAEMON &&
			    strlen(t[i].name) == len &&
			    memcmp(t[i].name, p, len) == 0)
				found = true;
		if (!found)
			return false;
		/* Skip the value, escapes included. */
		while (*e && *e != ',') {
			if (*e == '\\' && e[1])
				e++;
			e++;
		}
		p = *e ? e + 1 : e;
	}
	return true;
}

static void test_fuzz(void **state)
{
	static const char *const words[] = {
		"ro",
		"rw",
		"db",
		"threads",
		"poll_us",
		"retain",
		"retain_max",
		"arch",
		"x-",
		"nofail",
		"dpkgdb",
		"handles",
		"user",
		"comment",
		"=",
		",",
		"\"",
		"\\",
		"1",
		"0.5",
		"claims",
		"inode",
		"amd64",
		"999999999",
		"entry_timeout",
		"allow_other",
		"nodev",
		"defaults",
		"auto_unmount",
		"",
	};
	size_t nw = sizeof(words) / sizeof(words[0]);
	unsigned seed = 12345;
	char buf[256];

	(void)state;
	for (int round = 0; round < 20000; round++) {
		struct mh_options_result r;
		size_t len = 0;
		int k = 1 + rand_r(&seed) % 8;

		for (int i = 0; i < k && len < sizeof(buf) - 40; i++) {
			if (rand_r(&seed) % 5 == 0) {
				buf[len++] = (char)(1 + rand_r(&seed) % 255);
			} else {
				const char *w =
					words[(size_t)rand_r(&seed) % nw];

				memcpy(buf + len, w, strlen(w));
				len += strlen(w);
			}
		}
		buf[len] = '\0';
		assert_int_equal(mh_options_parse(buf, round % 2, &r), 0);
		assert_non_null(r.daemon);
		assert_non_null(r.ignored);
		if (r.error) {
			assert_true(strncmp(r.error, "option '", 8) == 0);
			for (const char *c = r.error; *c; c++)
				assert_true(*c >= 0x20 && *c < 0x7f);
		} else if (!only_daemon_names(r.daemon)) {
			fail_msg("[%s] gave the daemon [%s]", buf, r.daemon);
		}
		mh_options_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),	 cmocka_unit_test(test_split),
		cmocka_unit_test(test_escaping), cmocka_unit_test(test_refused),
		cmocka_unit_test(test_sloppy),	 cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
