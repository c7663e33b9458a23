/*
 * The line syntax that declaration files (declarations.c) and retention
 * rule files (retain-rules.c) share: fields separated by blanks, a field
 * that starts with '#' starts a comment, and the names in their
 * directories that are not read. One place, so that both kinds of file
 * read the same way.
 */
#include "config.h"

#include <string.h>

#include "aliasdb-internal.h"

static bool line_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

int aliasdb_line_fields(const char *s, size_t len, const char **ret_fields,
			size_t *ret_lens, int max)
{
	const char *end = s + len, *p = s;
	int n = 0;

	while (n < max) {
		while (p < end && line_blank(*p))
			p++;
		if (p == end || *p == '#')
			break;
		ret_fields[n] = p;
		while (p < end && !line_blank(*p))
			p++;
		ret_lens[n] = (size_t)(p - ret_fields[n]);
		n++;
	}
	return n;
}

int aliasdb_lines_each(const char *text, size_t len,
		       int (*fn)(void *ctx, unsigned line, const char *s,
				 size_t len),
		       void *ctx)
{
	const char *p = text, *end = text + len, *nl;
	unsigned line = 0;
	int r = 0;

	while (p < end && r == 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		line++;
		r = fn(ctx, line, p, (size_t)(nl - p));
		p = nl + 1;
	}
	return r;
}

bool aliasdb_decl_name_ignored(const char *name)
{
	size_t len = strlen(name);

	return name[0] == '.' || strstr(name, ".dpkg-") ||
	       strstr(name, ".ucf-") || name[len - 1] == '~';
}
