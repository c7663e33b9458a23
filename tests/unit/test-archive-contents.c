/*
 * Contents index parsing: spaces in file names, comma-separated package
 * lists, section/package qualifiers, the header block of old indices,
 * CRLF, compressed input, and the errors for what is not an index.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "archive/contents-parser.h"

/* Every (path, package) pair seen, as "path|package\n" lines. */
struct collect {
	char buf[8192];
	size_t len;
	int calls;
};

static int collect_fn(void *ctx, const char *path, size_t path_len,
		      const char *pkg, size_t pkg_len)
{
	struct collect *c = ctx;
	int n;

	assert_int_equal(strlen(path), path_len);
	assert_int_equal(strlen(pkg), pkg_len);
	n = snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "%s|%s\n", path,
		     pkg);
	assert_true(n > 0 && (size_t)n < sizeof(c->buf) - c->len);
	c->len += (size_t)n;
	c->calls++;
	return 0;
}

static int parse(const char *text, struct collect *c, struct arc_diag *diag)
{
	memset(c, 0, sizeof(*c));
	return contents_parse_memory(text, strlen(text), NULL, collect_fn, c,
				     diag);
}

static void test_simple(void **state)
{
	struct collect c;
	struct arc_diag d = {{0}};

	assert_int_equal(parse("bin/bash                    shells/bash\n"
			       "usr/bin/ls\tutils/coreutils\n",
			       &c, &d),
			 0);
	assert_string_equal(c.buf, "/bin/bash|bash\n/usr/bin/ls|coreutils\n");
}

static void test_package_lists(void **state)
{
	struct collect c;
	struct arc_diag d = {{0}};

	/* Several packages, with one or two qualifier levels, or none. */
	assert_int_equal(
		parse("usr/bin/x   utils/a,non-free/admin/b,c\n", &c, &d), 0);
	assert_string_equal(c.buf,
			    "/usr/bin/x|a\n/usr/bin/x|b\n/usr/bin/x|c\n");
}

static void test_spaces_in_names(void **state)
{
	struct collect c;
	struct arc_diag d = {{0}};

	/* The last run of blanks separates the path from the packages. */
	assert_int_equal(parse("usr/share/doc/a b/My File.txt    doc/pkg-a\n"
			       "usr/share/x  y\t \tmisc/pkg-b\n",
			       &c, &d),
			 0);
	assert_string_equal(c.buf, "/usr/share/doc/a b/My File.txt|pkg-a\n"
				   "/usr/share/x  y|pkg-b\n");
}

static void test_crlf_and_blank_lines(void **state)
{
	struct collect c;
	struct arc_diag d = {{0}};

	assert_int_equal(parse("bin/a   s/p1\r\n\r\n\nbin/b   s/p2   \r\n"
			       "bin/c s/p3",
			       &c, &d),
			 0);
	assert_string_equal(c.buf, "/bin/a|p1\n/bin/b|p2\n/bin/c|p3\n");
}

static void test_header_block(void **state)
{
	struct collect c;
	struct arc_diag d = {{0}};

	/* Old indices: prose, then the FILE LOCATION line. */
	assert_int_equal(
		parse("This file maps each file available in the Debian\n"
		      "GNU/Linux system to the package from which it "
		      "originates.\n"
		      "\n"
		      "FILE                                  LOCATION\n"
		      "bin/sh          shells/dash\n",
		      &c, &d),
		0);
	assert_string_equal(c.buf, "/bin/sh|dash\n");

	/* Without a header, nothing is skipped, even a line that merely
	 * mentions FILE later on. */
	assert_int_equal(parse("bin/sh  shells/dash\n"
			       "usr/share/FILE     doc/x\n",
			       &c, &d),
			 0);
	assert_int_equal(c.calls, 2);
}

static int count_fn(void *ctx, const char *path, size_t path_len,
		    const char *pkg, size_t pkg_len)
{
	size_t *n = ctx;

	(*n)++;
	return strncmp(path, "/usr/lib/file-", 14) == 0 &&
			       strncmp(pkg, "pkg", 3) == 0
		       ? 0
		       : -EINVAL;
}

/* Many lines: exercises lines split across read blocks and the end of the
 * header window. */
static void test_many_lines(void **state)
{
	size_t n = 200000, cap = n * 48, len = 0, seen = 0;
	char *text = malloc(cap);
	struct arc_diag d = {{0}};

	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"usr/lib/file-%zu    libs/pkg%zu\n", i,
					i % 7);
	assert_int_equal(
		contents_parse_memory(text, len, NULL, count_fn, &seen, &d), 0);
	assert_int_equal(seen, n);
	free(text);
}

/* Compress @text with libarchive's raw writer. */
static size_t compress(const char *filter, const char *text, char *out,
		       size_t cap)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = NULL;
	size_t used = 0;

	assert_int_equal(archive_write_add_filter_by_name(a, filter),
			 ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, out, cap, &used),
			 ARCHIVE_OK);
	e = archive_entry_new();
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "Contents");
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, text, strlen(text)),
			 (la_ssize_t)strlen(text));
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return used;
}

static void test_compressed(void **state)
{
	static const char *filters[] = {"gzip", "xz", "lz4", "bzip2", "zstd"};
	const char *text = "bin/a   s/p1\nusr/bin/b  s/p2,s/p3\n";
	static char buf[65536];

	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		struct collect c = {0};
		struct arc_diag d = {{0}};
		size_t n = compress(filters[i], text, buf, sizeof(buf));

		assert_true(n > 0);
		assert_int_equal(
			contents_parse_memory(buf, n, NULL, collect_fn, &c, &d),
			0);
		assert_string_equal(
			c.buf, "/bin/a|p1\n/usr/bin/b|p2\n/usr/bin/b|p3\n");
	}
}

static void test_errors(void **state)
{
	struct collect c;
	struct arc_diag d = {{0}};
	static const char binary[] = "bin/a s/p\n\0\1\2garbage s/q\n";

	/* A path without a package list. */
	assert_int_equal(parse("bin/a   s/p\njustonefield\n", &c, &d),
			 -EBADMSG);
	assert_non_null(strstr(d.msg, "line 2"));
	assert_non_null(strstr(d.msg, "no package list"));

	/* A qualifier without a package name. */
	assert_int_equal(parse("bin/a   s/\n", &c, &d), -EBADMSG);
	assert_non_null(strstr(d.msg, "bad package name"));
	assert_int_equal(parse("bin/a   s/p,,\n", &c, &d), -EBADMSG);
	assert_int_equal(parse("bin/a   s/p,\n", &c, &d), -EBADMSG);

	/* Binary data. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(contents_parse_memory(binary, sizeof(binary) - 1, NULL,
					       collect_fn, &c, &d),
			 -EBADMSG);
	assert_non_null(strstr(d.msg, "binary data"));

	/* An index that lists nothing is an error, not "no conflicts":
	 * no bytes, blank lines only, a header block only. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(contents_parse_memory("", 0, NULL, collect_fn, &c, &d),
			 -ENODATA);
	assert_non_null(strstr(d.msg, "empty Contents index: no entries"));
	assert_int_equal(c.calls, 0);
	assert_int_equal(parse("\n\r\n  \n", &c, &d), -ENODATA);
	assert_non_null(strstr(d.msg, "empty Contents index: no entries"));
	assert_int_equal(parse("Some prose before the list.\n\n"
			       "FILE                    LOCATION\n",
			       &c, &d),
			 -ENODATA);
	assert_non_null(strstr(d.msg, "a header but no entries"));
	assert_int_equal(c.calls, 0);
	/* One entry after the header is enough. */
	assert_int_equal(parse("FILE   LOCATION\nbin/a   s/p\n", &c, &d), 0);
	assert_int_equal(c.calls, 1);

	/* A file that does not exist. */
	assert_int_equal(contents_parse_file("/nonexistent/Contents-x", NULL,
					     collect_fn, &c, &d),
			 -ENOENT);
}

static int stop_fn(void *ctx, const char *path, size_t path_len,
		   const char *pkg, size_t pkg_len)
{
	return -ECANCELED;
}

static void test_callback_error_stops(void **state)
{
	struct arc_diag d = {{0}};

	assert_int_equal(contents_parse_memory("bin/a s/p\nbin/b s/p\n", 20,
					       NULL, stop_fn, NULL, &d),
			 -ECANCELED);
}

static int count_any_fn(void *ctx, const char *path, size_t path_len,
			const char *pkg, size_t pkg_len)
{
	(*(size_t *)ctx)++;
	return 0;
}

static void test_bomb_limits(void **state)
{
	/* A long run of identical lines compresses extremely well: with
	 * tight limits it must be refused. */
	size_t n = 100000, len = 0, clen;
	const char *line = "usr/share/zero    misc/z\n";
	char *text = malloc(n * strlen(line) + 1);
	static char buf[1 << 20];
	struct arc_limits lim = {
		.max_size = 1 << 30, .max_ratio = 20, .ratio_floor = 4096};
	struct contents_options opts = {.limits = &lim};
	struct arc_diag d = {{0}};
	size_t seen = 0;

	assert_non_null(text);
	for (size_t i = 0; i < n; i++) {
		memcpy(text + len, line, strlen(line));
		len += strlen(line);
	}
	text[len] = '\0';
	clen = compress("xz", text, buf, sizeof(buf));
	assert_int_equal(contents_parse_memory(buf, clen, &opts, count_any_fn,
					       &seen, &d),
			 -EFBIG);
	assert_non_null(strstr(d.msg, "ratio"));
	lim.max_ratio = 1000000;
	lim.max_size = 1000;
	assert_int_equal(contents_parse_memory(buf, clen, &opts, count_any_fn,
					       &seen, &d),
			 -EFBIG);
	/* Within the limits it parses whole. */
	lim.max_size = 1 << 30;
	seen = 0;
	assert_int_equal(contents_parse_memory(buf, clen, &opts, count_any_fn,
					       &seen, &d),
			 0);
	assert_int_equal(seen, n);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_package_lists),
		cmocka_unit_test(test_spaces_in_names),
		cmocka_unit_test(test_crlf_and_blank_lines),
		cmocka_unit_test(test_header_block),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_callback_error_stops),
		cmocka_unit_test(test_bomb_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
