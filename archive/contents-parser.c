/*
 * Contents index parser. libarchive's "raw" format undoes whatever
 * compression the file has, so one streaming loop serves every variant;
 * lines are cut out of its blocks without copying the whole file.
 */
#include "config.h"

#include <archive.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive/contents-parser.h"
#include "aliasdb.h"

/* Old indices put at most a few dozen lines of prose before the "FILE
 * LOCATION" line; look for it this far. */
#define CONTENTS_HEAD_MAX (64 * 1024)
/* No real line comes near: a longer one means this is not an index. */
#define CONTENTS_LINE_MAX (ALIASDB_PATH_MAX + 64 * 1024)
#define CONTENTS_BLOCK (256 * 1024)

struct contents_state {
	arc_path_fn fn;
	void *ctx;
	struct arc_diag *diag;
	const char *what;
	uint64_t lineno;
	uint64_t entries; /* lines that listed a path */
	bool header_seen; /* the "FILE LOCATION" line */

	/* The start of the input, kept until the header question is
	 * settled. */
	char *head;
	size_t head_len;
	bool head_done;

	/* A line split across two blocks. */
	char *carry;
	size_t carry_len, carry_cap;

	char path[ALIASDB_PATH_MAX + 1];
	char pkg[1024];
};

static bool contents_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Is @l the "FILE   LOCATION" line ending the header of old indices? */
static bool contents_is_header_end(const char *l, size_t n)
{
	size_t i = 4;

	if (n < 12 || memcmp(l, "FILE", 4) != 0 || !contents_blank(l[4]))
		return false;
	while (i < n && contents_blank(l[i]))
		i++;
	if (n - i < 8 || memcmp(l + i, "LOCATION", 8) != 0)
		return false;
	for (i += 8; i < n; i++)
		if (!contents_blank(l[i]) && l[i] != '\r')
			return false;
	return true;
}

static int contents_line(struct contents_state *st, const char *l, size_t n)
{
	size_t p, plen, i;
	int r;

	st->lineno++;
	while (n > 0 && (l[n - 1] == '\r' || contents_blank(l[n - 1])))
		n--;
	if (n == 0)
		return 0;
	if (memchr(l, '\0', n)) {
		arc_diag_set(st->diag,
			     "%s: line %llu: binary data, not a Contents index",
			     st->what, (unsigned long long)st->lineno);
		return -EBADMSG;
	}
	for (p = n; p > 0 && !contents_blank(l[p - 1]); p--)
		;
	if (p == 0) {
		arc_diag_set(st->diag,
			     "%s: line %llu: no package list after the path",
			     st->what, (unsigned long long)st->lineno);
		return -EBADMSG;
	}
	plen = p;
	while (plen > 0 && contents_blank(l[plen - 1]))
		plen--;
	if (plen == 0) {
		arc_diag_set(st->diag, "%s: line %llu: empty path", st->what,
			     (unsigned long long)st->lineno);
		return -EBADMSG;
	}
	if (plen + 2 > sizeof(st->path)) {
		arc_diag_set(st->diag, "%s: line %llu: path too long", st->what,
			     (unsigned long long)st->lineno);
		return -ENAMETOOLONG;
	}
	st->path[0] = '/';
	memcpy(st->path + 1, l, plen);
	st->path[plen + 1] = '\0';

	/* l[p..n) is "sec/pkg,area/sec/pkg2": the package is what follows
	 * the last '/' of each item. */
	/* A trailing comma leaves an empty last item: refused too. */
	for (i = p;;) {
		size_t end = i, start;

		while (end < n && l[end] != ',')
			end++;
		start = end;
		while (start > i && l[start - 1] != '/')
			start--;
		if (end == start || end - start >= sizeof(st->pkg)) {
			arc_diag_set(
				st->diag,
				"%s: line %llu: bad package name in \"%.*s\"",
				st->what, (unsigned long long)st->lineno,
				(int)(n - p), l + p);
			return -EBADMSG;
		}
		memcpy(st->pkg, l + start, end - start);
		st->pkg[end - start] = '\0';
		r = st->fn(st->ctx, st->path, plen + 1, st->pkg, end - start);
		if (r < 0) {
			arc_diag_set(st->diag, "%s: line %llu: %s", st->what,
				     (unsigned long long)st->lineno,
				     strerror(-r));
			return r;
		}
		if (end >= n)
			break;
		i = end + 1;
	}
	st->entries++;
	return 0;
}

/* Cut @len bytes at @data into lines, keeping an unfinished last line. */
static int contents_lines(struct contents_state *st, const char *data,
			  size_t len)
{
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;
		int r;

		if (st->carry_len + n > CONTENTS_LINE_MAX) {
			arc_diag_set(
				st->diag,
				"%s: line %llu: longer than %d bytes, not a Contents index",
				st->what, (unsigned long long)st->lineno + 1,
				CONTENTS_LINE_MAX);
			return -EBADMSG;
		}
		if (!nl || st->carry_len) {
			if (st->carry_len + n > st->carry_cap) {
				size_t cap = st->carry_len + n + 4096;
				char *c = realloc(st->carry, cap);

				if (!c)
					return -ENOMEM;
				st->carry = c;
				st->carry_cap = cap;
			}
			memcpy(st->carry + st->carry_len, data, n);
			st->carry_len += n;
			if (!nl)
				return 0;
			r = contents_line(st, st->carry, st->carry_len);
			st->carry_len = 0;
		} else {
			r = contents_line(st, data, n);
		}
		if (r < 0)
			return r;
		data += n + 1;
		len -= n + 1;
	}
	return 0;
}

/* The header question is settled: skip through "FILE LOCATION" if the
 * head has that line, then parse the head. */
static int contents_head_flush(struct contents_state *st)
{
	size_t off = 0, start = 0;

	st->head_done = true;
	while (off < st->head_len) {
		const char *l = st->head + off;
		const char *nl = memchr(l, '\n', st->head_len - off);
		size_t n = nl ? (size_t)(nl - l) : st->head_len - off;

		if (!nl)
			break;
		if (contents_is_header_end(l, n)) {
			st->header_seen = true;
			start = off + n + 1;
			/* Keep line numbers those of the file. */
			for (const char *c = st->head; c < l + n; c++)
				if (*c == '\n')
					st->lineno++;
			st->lineno++;
			break;
		}
		off += n + 1;
	}
	return contents_lines(st, st->head + start, st->head_len - start);
}

static int contents_feed(struct contents_state *st, const char *data,
			 size_t len)
{
	if (st->head_done)
		return contents_lines(st, data, len);
	if (!st->head) {
		st->head = malloc(CONTENTS_HEAD_MAX);
		if (!st->head)
			return -ENOMEM;
	}
	while (len > 0 && st->head_len < CONTENTS_HEAD_MAX) {
		size_t n = CONTENTS_HEAD_MAX - st->head_len;

		if (n > len)
			n = len;
		memcpy(st->head + st->head_len, data, n);
		st->head_len += n;
		data += n;
		len -= n;
	}
	if (st->head_len < CONTENTS_HEAD_MAX)
		return 0;
	int r = contents_head_flush(st);

	if (r < 0)
		return r;
	return contents_lines(st, data, len);
}

static int contents_finish(struct contents_state *st)
{
	int r = 0;

	if (!st->head_done)
		r = contents_head_flush(st);
	if (r >= 0 && st->carry_len) {
		r = contents_line(st, st->carry, st->carry_len);
		st->carry_len = 0;
	}
	return r;
}

/* An index that lists nothing is a truncated download or the wrong file,
 * not an archive without files: the check would otherwise report "no
 * conflicts" for it. */
static int contents_empty(const char *what, bool header, struct arc_diag *diag)
{
	arc_diag_set(diag, "%s: empty Contents index: %s", what,
		     header ? "a header but no entries" : "no entries");
	return -ENODATA;
}

static int contents_run(struct archive *a, const char *what, uint64_t total,
			const struct contents_options *opts, arc_path_fn fn,
			void *ctx, struct arc_diag *diag)
{
	struct contents_state st = {
		.fn = fn, .ctx = ctx, .diag = diag, .what = what};
	struct arc_limits deflim;
	const struct arc_limits *lim = opts ? opts->limits : NULL;
	struct archive_entry *entry;
	int r;

	if (!lim) {
		arc_limits_default(&deflim);
		lim = &deflim;
	}
	r = archive_read_next_header(a, &entry);
	if (r == ARCHIVE_EOF)
		return contents_empty(what, false, diag);
	if (r != ARCHIVE_OK)
		return arc_error(a, what, diag);
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		uint64_t out, in;

		r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			r = arc_error(a, what, diag);
			goto out;
		}
		out = (uint64_t)archive_filter_bytes(a, 0);
		in = (uint64_t)archive_filter_bytes(a, -1);
		r = arc_limits_check(lim, out, in, what, diag);
		if (r < 0)
			goto out;
		r = contents_feed(&st, buf, len);
		if (r < 0)
			goto out;
		/* Cheap: the caller decides when to show it. */
		if (opts && opts->progress)
			opts->progress(opts->progress_ctx, in, total);
	}
	r = contents_finish(&st);
	if (r >= 0 && st.entries == 0)
		r = contents_empty(what, st.header_seen, diag);
out:
	free(st.head);
	free(st.carry);
	return r < 0 ? r : 0;
}

static struct archive *contents_archive_new(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	/* Raw needs a byte to recognize: an empty stream (a compressed
	 * empty file, an empty pipe) is this format's, and reads as an
	 * index without entries. */
	archive_read_support_format_empty(a);
	return a;
}

int contents_parse_file(const char *filename,
			const struct contents_options *opts, arc_path_fn fn,
			void *ctx, struct arc_diag *diag)
{
	struct archive *a = contents_archive_new();
	struct stat st;
	int r;

	if (!a)
		return -ENOMEM;
	if (stat(filename, &st) < 0) {
		r = -errno;
		arc_diag_set(diag, "%s: %s", filename, strerror(errno));
		archive_read_free(a);
		return r;
	}
	/* libarchive recognizes no format in zero bytes. */
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		archive_read_free(a);
		return contents_empty(filename, false, diag);
	}
	if (archive_read_open_filename(a, filename, CONTENTS_BLOCK) !=
	    ARCHIVE_OK) {
		r = arc_error(a, filename, diag);
		archive_read_free(a);
		return r;
	}
	r = contents_run(a, filename, (uint64_t)st.st_size, opts, fn, ctx,
			 diag);
	archive_read_free(a);
	return r;
}

int contents_parse_memory(const void *buf, size_t len,
			  const struct contents_options *opts, arc_path_fn fn,
			  void *ctx, struct arc_diag *diag)
{
	struct archive *a;
	int r;

	if (len == 0)
		return contents_empty("input", false, diag);
	a = contents_archive_new();
	if (!a)
		return -ENOMEM;
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		r = arc_error(a, "input", diag);
		archive_read_free(a);
		return r;
	}
	r = contents_run(a, "input", len, opts, fn, ctx, diag);
	archive_read_free(a);
	return r;
}
