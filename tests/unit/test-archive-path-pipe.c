/*
 * The reader/grouper pipe: every pair arrives once and in order, the
 * producer's status reaches the consumer, and a consumer error stops the
 * producer.
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

#include "archive/path-pipe.h"

#define N_PAIRS 300000

struct producer {
	struct path_pipe *pipe;
	int status;   /* passed to path_pipe_close() */
	int last_err; /* what the last push returned */
	long pushed;
};

static void *produce(void *arg)
{
	struct producer *pr = arg;
	char path[64], pkg[32];

	for (long i = 0; i < N_PAIRS; i++) {
		int n = snprintf(path, sizeof(path), "/usr/lib/f%ld", i);
		int m = snprintf(pkg, sizeof(pkg), "p%ld", i % 977);

		pr->last_err = path_pipe_push(pr->pipe, path, (size_t)n, pkg,
					      (size_t)m);
		if (pr->last_err < 0)
			break;
		pr->pushed++;
	}
	path_pipe_close(pr->pipe, pr->last_err < 0 ? pr->last_err : pr->status);
	return NULL;
}

struct consumer {
	long seen;
	long fail_at; /* return -EIO at this pair; -1 never */
};

static int consume(void *ctx, const char *path, size_t path_len,
		   const char *pkg, size_t pkg_len)
{
	struct consumer *c = ctx;
	char want[64], wpkg[32];

	snprintf(want, sizeof(want), "/usr/lib/f%ld", c->seen);
	snprintf(wpkg, sizeof(wpkg), "p%ld", c->seen % 977);
	assert_string_equal(path, want);
	assert_int_equal(path_len, strlen(want));
	assert_string_equal(pkg, wpkg);
	assert_int_equal(pkg_len, strlen(wpkg));
	if (c->seen == c->fail_at)
		return -EIO;
	c->seen++;
	return 0;
}

static void run(long fail_at, int status, int expect, long expect_seen)
{
	struct producer pr = {.status = status};
	struct consumer c = {.fail_at = fail_at};
	pthread_t t;

	/* Small batches: many hand-overs. */
	assert_int_equal(path_pipe_new(3, 4096, &pr.pipe), 0);
	assert_int_equal(pthread_create(&t, NULL, produce, &pr), 0);
	assert_int_equal(path_pipe_drain(pr.pipe, consume, &c), expect);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(c.seen, expect_seen);
	if (fail_at >= 0) {
		assert_int_equal(pr.last_err, -ECANCELED);
		assert_true(pr.pushed < N_PAIRS);
	}
	path_pipe_free(pr.pipe);
}

static void test_all_in_order(void **state)
{
	run(-1, 0, 0, N_PAIRS);
}

static void test_producer_status(void **state)
{
	run(-1, -EBADMSG, -EBADMSG, N_PAIRS);
}

static void test_consumer_error_stops_producer(void **state)
{
	run(1000, 0, -EIO, 1000);
}

static void test_limits(void **state)
{
	struct path_pipe *p;
	char big[200];

	assert_int_equal(path_pipe_new(1, 4096, &p), -EINVAL);
	assert_int_equal(path_pipe_new(2, 128, &p), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(path_pipe_push(p, big, strlen(big), "p", 1),
			 -ENAMETOOLONG);
	path_pipe_close(p, 0);
	path_pipe_free(p);
	path_pipe_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_in_order),
		cmocka_unit_test(test_producer_status),
		cmocka_unit_test(test_consumer_error_stops_producer),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
