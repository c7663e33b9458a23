/*
 * b-statloop — stat a list of paths under a root, many times.
 *
 *   b-statloop ROOT LISTFILE [ROUNDS]
 *
 * LISTFILE holds one path per line, relative to ROOT. A line starting with
 * '!' names a path that is expected NOT to exist (a negative lookup, as
 * ld.so's search path makes by the dozen). Every path is looked up with
 * fstatat(AT_SYMLINK_NOFOLLOW) relative to ROOT, ROUNDS times (default 1),
 * so only the file system under test is measured, not process start-up.
 *
 * A result that contradicts the list (an expected path missing, an
 * unexpected one present) is an error: a benchmark that silently measures
 * failing lookups would be worthless. Exit status: 0 all as expected,
 * 1 a lookup gave the wrong answer, 2 usage or I/O error.
 * On success it prints "stats=N seconds=S ns_per_stat=X" on stdout.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Largest path list accepted, in bytes. */
#define STATLOOP_LIST_MAX (64u << 20)

struct statloop_entry {
	const char *path;
	int expect_missing;
};

struct statloop_list {
	char *buf;
	struct statloop_entry *entries;
	size_t n;
};

static void statloop_list_free(struct statloop_list *list)
{
	if (!list)
		return;
	free(list->entries);
	free(list->buf);
	list->entries = NULL;
	list->buf = NULL;
	list->n = 0;
}

/* Read the whole file at once: the list is small and parsing in place
 * keeps the timed loop free of allocation. */
static int statloop_read_file(const char *file, char **ret_buf)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0;

	f = fopen(file, "re");
	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (cap - len < 4096) {
			char *nbuf;

			/* A path list is kilobytes; refuse what cannot be
			 * one (e.g. /dev/zero) before memory runs out. */
			if (cap >= STATLOOP_LIST_MAX) {
				free(buf);
				fclose(f);
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 65536;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nbuf;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				free(buf);
				fclose(f);
				return -EIO;
			}
			break;
		}
	}
	fclose(f);
	buf[len] = '\0';
	*ret_buf = buf;
	return 0;
}

static int statloop_list_load(const char *file, struct statloop_list *ret_list)
{
	struct statloop_list list = {0};
	size_t cap = 0;
	char *line, *next;
	int r;

	r = statloop_read_file(file, &list.buf);
	if (r < 0)
		return r;
	for (line = list.buf; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line == '\0')
			continue;
		if (list.n == cap) {
			struct statloop_entry *e;

			cap = cap ? cap * 2 : 256;
			e = realloc(list.entries, cap * sizeof(*e));
			if (!e) {
				statloop_list_free(&list);
				return -ENOMEM;
			}
			list.entries = e;
		}
		list.entries[list.n].expect_missing = line[0] == '!';
		list.entries[list.n].path = line + (line[0] == '!');
		list.n++;
	}
	*ret_list = list;
	return 0;
}

/* Returns 0 when the outcome matches the expectation, else -errno of the
 * lookup (or -EEXIST for a path that should have been missing). */
static int statloop_one(int rootfd, const struct statloop_entry *e)
{
	struct stat st;

	if (fstatat(rootfd, e->path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return e->expect_missing ? -EEXIST : 0;
	if (e->expect_missing && errno == ENOENT)
		return 0;
	return -errno;
}

static double statloop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int statloop_parse_rounds(const char *s, unsigned long *ret_rounds)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || v == 0 || s[0] == '-')
		return -EINVAL;
	*ret_rounds = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct statloop_list list;
	unsigned long rounds = 1, round;
	double start, secs;
	int rootfd, r;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s ROOT LISTFILE [ROUNDS]\n", argv[0]);
		return 2;
	}
	if (argc == 4 && statloop_parse_rounds(argv[3], &rounds) < 0) {
		fprintf(stderr, "%s: ROUNDS must be a positive integer: %s\n",
			argv[0], argv[3]);
		return 2;
	}
	rootfd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", argv[0], argv[1],
			strerror(errno));
		return 2;
	}
	r = statloop_list_load(argv[2], &list);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read %s: %s\n", argv[0], argv[2],
			strerror(-r));
		close(rootfd);
		return 2;
	}
	if (list.n == 0) {
		fprintf(stderr, "%s: %s lists no path\n", argv[0], argv[2]);
		statloop_list_free(&list);
		close(rootfd);
		return 2;
	}

	start = statloop_now();
	for (round = 0; round < rounds; round++) {
		for (size_t i = 0; i < list.n; i++) {
			r = statloop_one(rootfd, &list.entries[i]);
			if (r < 0) {
				fprintf(stderr, "%s: %s%s: %s\n", argv[0],
					list.entries[i].expect_missing
						? "(expected missing) "
						: "",
					list.entries[i].path,
					r == -EEXIST ? "exists" : strerror(-r));
				statloop_list_free(&list);
				close(rootfd);
				return 1;
			}
		}
	}
	secs = statloop_now() - start;

	printf("stats=%lu seconds=%.6f ns_per_stat=%.1f\n",
	       (unsigned long)(rounds * list.n), secs,
	       secs * 1e9 / (double)(rounds * list.n));
	statloop_list_free(&list);
	close(rootfd);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write output\n", argv[0]);
		return 2;
	}
	return 0;
}
