/*
 * b-canon — how fast is aliasdb_map_canon() on a realistic mix of paths?
 *
 *   b-canon [CALLS [RUNS]]
 *
 * Canonicalizes CALLS paths (default 1000000) through the amd64 default
 * map, RUNS times (default 7), and prints the median run as
 * "calls=N runs=R median_calls_per_sec=X median_ns_per_call=Y
 * median_cpu_ns_per_call=Z" (wall clock, and this thread's CPU time, which
 * a busy machine disturbs less).
 * The mix is what the daemon sees: mostly /usr paths that need no
 * rewrite, alias spellings that do, ld.so's /lib64 lookups, unnormalized
 * paths with "..", "." and "//", and near-miss names (/library, /binx).
 * Exit status: 0 ok, 1 a result was wrong, 2 usage or setup error.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aliasdb.h"

struct canon_pair {
	const char *in;
	const char *out;
};

static const struct canon_pair mix[] = {
	{"/usr/lib/x86_64-linux-gnu/libc.so.6",
	 "/usr/lib/x86_64-linux-gnu/libc.so.6"},
	{"/lib/x86_64-linux-gnu/libc.so.6",
	 "/usr/lib/x86_64-linux-gnu/libc.so.6"},
	{"/lib64/ld-linux-x86-64.so.2", "/usr/lib64/ld-linux-x86-64.so.2"},
	{"/bin/sh", "/usr/bin/sh"},
	{"/usr/bin/dpkg", "/usr/bin/dpkg"},
	{"/sbin/ldconfig", "/usr/sbin/ldconfig"},
	{"/usr/share/doc/foo/../bar/copyright", "/usr/share/doc/bar/copyright"},
	{"/bin/../lib64/ld-linux-x86-64.so.2",
	 "/usr/lib64/ld-linux-x86-64.so.2"},
	{"//bin//./sh", "/usr/bin/sh"},
	{"/etc/ld.so.cache", "/etc/ld.so.cache"},
	{"/var/lib/dpkg/info/libc6:amd64.list",
	 "/var/lib/dpkg/info/libc6:amd64.list"},
	{"/usr/lib/x86_64-linux-gnu/perl5/5.36/auto/POSIX/POSIX.so",
	 "/usr/lib/x86_64-linux-gnu/perl5/5.36/auto/POSIX/POSIX.so"},
	{"/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libm.so.6",
	 "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libm.so.6"},
	{"/library/x", "/library/x"},
	{"/binx/y", "/binx/y"},
	{"/usr/share/locale/de/LC_MESSAGES/dpkg.mo",
	 "/usr/share/locale/de/LC_MESSAGES/dpkg.mo"},
};

#define N_MIX (sizeof(mix) / sizeof(mix[0]))

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int parse_count(const char *s, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct aliasdb_map *map = NULL;
	char buf[ALIASDB_PATH_MAX];
	long calls = 1000000, runs = 7, i, run;
	double *secs, *cpu, median, median_cpu;
	size_t check = 0;
	int r;

	if (argc > 3 ||
	    (argc > 1 && parse_count(argv[1], 1000000000L, &calls) < 0) ||
	    (argc > 2 && parse_count(argv[2], 1000, &runs) < 0)) {
		fprintf(stderr, "usage: b-canon [CALLS [RUNS]] (positive "
				"integers)\n");
		return 2;
	}
	r = aliasdb_map_for_arch("amd64", &map);
	if (r < 0) {
		fprintf(stderr, "b-canon: amd64 map: %s\n", strerror(-r));
		return 2;
	}
	/* Every answer is checked once, so we never time wrong results. */
	for (i = 0; i < (long)N_MIX; i++) {
		if (aliasdb_map_canon(map, mix[i].in, buf, sizeof(buf)) < 0 ||
		    strcmp(buf, mix[i].out) != 0) {
			fprintf(stderr, "b-canon: %s gave %s, expected %s\n",
				mix[i].in, buf, mix[i].out);
			aliasdb_map_free(map);
			return 1;
		}
	}
	secs = calloc((size_t)runs, sizeof(*secs));
	cpu = calloc((size_t)runs, sizeof(*cpu));
	if (!secs || !cpu) {
		free(secs);
		free(cpu);
		aliasdb_map_free(map);
		return 2;
	}
	for (run = 0; run < runs; run++) {
		double t0 = now(CLOCK_MONOTONIC);
		double c0 = now(CLOCK_THREAD_CPUTIME_ID);

		for (i = 0; i < calls; i++) {
			ssize_t n = aliasdb_map_canon(map,
						      mix[(size_t)i % N_MIX].in,
						      buf, sizeof(buf));

			/* keeps the calls from being optimized away */
			check += (size_t)n + (unsigned char)buf[n / 2];
		}
		secs[run] = now(CLOCK_MONOTONIC) - t0;
		cpu[run] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
	}
	qsort(secs, (size_t)runs, sizeof(*secs), cmp_double);
	qsort(cpu, (size_t)runs, sizeof(*cpu), cmp_double);
	median = secs[runs / 2];
	median_cpu = cpu[runs / 2];
	printf("calls=%ld runs=%ld median_calls_per_sec=%.0f "
	       "median_ns_per_call=%.1f median_cpu_ns_per_call=%.1f "
	       "check=%zu\n",
	       calls, runs, (double)calls / median,
	       median * 1e9 / (double)calls, median_cpu * 1e9 / (double)calls,
	       check % 1000);
	free(secs);
	free(cpu);
	aliasdb_map_free(map);
	return 0;
}
