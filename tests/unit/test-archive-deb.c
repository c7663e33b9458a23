/*
 * .deb reading: the ar container, every data.tar compression, the control
 * file, and what is refused (non-deb ar archives, missing members,
 * truncation, garbage, decompression bombs).
 */
#include "config.h"

#include <archive_entry.h>
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

#include "archive/deb-reader.h"
#include "archive-debgen.h"

static char dir[64];

static int setup(void **state)
{
	strcpy(dir, "/tmp/test-archive-deb.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp(const char *name)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

struct collect {
	char buf[4096];
	size_t len;
};

static int collect_fn(void *ctx, const char *path, size_t path_len,
		      const char *pkg, size_t pkg_len)
{
	struct collect *c = ctx;

	c->len += (size_t)snprintf(c->buf + c->len, sizeof(c->buf) - c->len,
				   "%s|%s\n", path, pkg);
	return 0;
}

static const struct debgen_member sample[] = {
	{.type = 'd', .path = "./"},
	{.type = 'd', .path = "./bin/"},
	{.type = 'f', .path = "./bin/hello", .data = "#!/bin/sh\necho hi\n"},
	{.type = 'l', .path = "./usr/bin/hi", .target = "/bin/hello"},
	{.type = 'h', .path = "./bin/hello2", .target = "./bin/hello"},
};

static void test_every_compression(void **state)
{
	static const char *comp[] = {"none", "gzip", "xz", "zstd", "bzip2"};

	for (size_t i = 0; i < sizeof(comp) / sizeof(comp[0]); i++) {
		struct collect c = {0};
		struct arc_diag d = {{0}};

		assert_int_equal(debgen_write(tmp("s.deb"), "sample", comp[i],
					      sample, 5, 0),
				 0);
		assert_int_equal(
			deb_reader_list(tmp("s.deb"), NULL, collect_fn, &c, &d),
			0);
		/* Directories are left out. */
		assert_string_equal(c.buf, "/bin/hello|sample\n"
					   "/usr/bin/hi|sample\n"
					   "/bin/hello2|sample\n");
	}
}

static void test_reader_api(void **state)
{
	struct deb_reader *r;
	struct archive_entry *e;
	struct arc_diag d = {{0}};
	const void *buf;
	size_t len;
	int64_t off;
	int n = 0;

	assert_int_equal(
		debgen_write(tmp("r.deb"), "my-pkg.name+1", "xz", sample, 5, 0),
		0);
	assert_int_equal(deb_reader_open(tmp("r.deb"), NULL, &r, &d), 0);
	assert_string_equal(deb_reader_package(r), "my-pkg.name+1");
	while (deb_reader_next(r, &e, &d) > 0) {
		n++;
		if (strcmp(archive_entry_pathname(e), "./bin/hello") == 0) {
			assert_int_equal(
				deb_reader_data(r, &buf, &len, &off, &d), 1);
			assert_int_equal(off, 0);
			assert_int_equal(len, 18);
			assert_memory_equal(buf, "#!/bin/sh\necho hi\n", 18);
		}
		if (strcmp(archive_entry_pathname(e), "./usr/bin/hi") == 0)
			assert_string_equal(archive_entry_symlink(e),
					    "/bin/hello");
	}
	assert_int_equal(n, 5);
	assert_int_equal(deb_reader_next(r, &e, &d), 0);
	deb_reader_free(r);
	deb_reader_free(NULL);
}

static void expect_refused(const char *file, int err, const char *msg)
{
	struct collect c = {0};
	struct arc_diag d = {{0}};

	assert_int_equal(deb_reader_list(file, NULL, collect_fn, &c, &d), err);
	if (!strstr(d.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", d.msg, msg);
	assert_int_equal(c.len, 0);
}

static void test_refused(void **state)
{
	int fd;

	assert_int_equal(debgen_write(tmp("n.deb"), "x", "gzip", sample, 5,
				      DEBGEN_NOT_DEB),
			 0);
	expect_refused(tmp("n.deb"), -EBADMSG, "not a Debian package");

	assert_int_equal(debgen_write(tmp("nd.deb"), "x", "gzip", sample, 5,
				      DEBGEN_NO_DATA),
			 0);
	expect_refused(tmp("nd.deb"), -EBADMSG, "no data.tar");

	assert_int_equal(debgen_write(tmp("np.deb"), "x", "gzip", sample, 5,
				      DEBGEN_NO_PACKAGE),
			 0);
	expect_refused(tmp("np.deb"), -EBADMSG, "Package");

	fd = open(tmp("g.deb"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "this is not an archive at all\n", 30), 30);
	close(fd);
	expect_refused(tmp("g.deb"), -EBADMSG, "not a Debian package");

	fd = open(tmp("e.deb"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
	expect_refused(tmp("e.deb"), -EBADMSG, "not a Debian package");

	expect_refused(tmp("missing.deb"), -ENOENT, "No such file");
}

static void test_truncated(void **state)
{
	/* Incompressible content, so that cutting the file cuts data. */
	static char noise[200001];
	struct debgen_member m[] = {
		{.type = 'f', .path = "./usr/share/a", .data = "a"},
		{.type = 'f', .path = "./usr/share/noise", .data = noise},
		{.type = 'f', .path = "./usr/share/b", .data = "b"},
	};
	struct stat st;
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(noise) - 1; i++) {
		x = x * 1103515245u + 12345u;
		noise[i] = (char)('!' + (x >> 16) % 90);
	}
	assert_int_equal(debgen_write(tmp("t.deb"), "t", "xz", m, 3, 0), 0);
	assert_int_equal(stat(tmp("t.deb"), &st), 0);
	assert_int_equal(truncate(tmp("t.deb"), st.st_size / 2), 0);
	{
		struct collect c = {0};
		struct arc_diag d = {{0}};
		int r = deb_reader_list(tmp("t.deb"), NULL, collect_fn, &c, &d);

		assert_int_equal(r, -EBADMSG);
		assert_true(strlen(d.msg) > 0);
	}
}

static void test_bomb(void **state)
{
	struct debgen_member m[] = {
		{.type = 'z', .path = "./usr/share/zero", .size = 16 << 20},
	};
	struct arc_limits lim = {
		.max_size = UINT64_C(1) << 40,
		.max_ratio = 100,
		.ratio_floor = 1 << 20,
	};
	struct arc_diag d = {{0}};
	struct collect c = {0};

	assert_int_equal(debgen_write(tmp("b.deb"), "b", "xz", m, 1, 0), 0);
	assert_int_equal(
		deb_reader_list(tmp("b.deb"), &lim, collect_fn, &c, &d),
		-EFBIG);
	assert_non_null(strstr(d.msg, "ratio"));

	/* The size bound alone. */
	lim.max_ratio = UINT64_MAX;
	lim.max_size = 4 << 20;
	assert_int_equal(
		deb_reader_list(tmp("b.deb"), &lim, collect_fn, &c, &d),
		-EFBIG);

	/* Within generous limits the same package reads fine. */
	lim.max_size = UINT64_C(1) << 40;
	lim.max_ratio = 100000;
	memset(&c, 0, sizeof(c));
	assert_int_equal(
		deb_reader_list(tmp("b.deb"), &lim, collect_fn, &c, &d), 0);
	assert_string_equal(c.buf, "/usr/share/zero|b\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_compression),
		cmocka_unit_test(test_reader_api),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bomb),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
