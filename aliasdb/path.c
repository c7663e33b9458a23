/*
 * Lexical path handling: no file system access, no allocation.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "aliasdb-internal.h"

/* Does a component starting at @c (just after a '/') need rewriting: empty
 * (a "//" or trailing '/'), "." or ".."? */
static inline bool component_is_special(const char *c)
{
	if (c[0] == '/' || c[0] == '\0')
		return true;
	if (c[0] != '.')
		return false;
	if (c[1] == '/' || c[1] == '\0')
		return true;
	return c[1] == '.' && (c[2] == '/' || c[2] == '\0');
}

ssize_t aliasdb_path_normalize(const char *path, char *buf, size_t size)
{
	size_t len = 1, overflow = 0, i;
	const char *p;

	if (!path || path[0] != '/')
		return -EINVAL;
	if (size < 2)
		return -ENAMETOOLONG;

	/* Fast path: nearly every path the daemon sees is normalized
	 * already, so check and copy it in one pass. "/" itself is fine. */
	if (path[1] != '\0') {
		for (i = 0; i < size; i++) {
			char c = path[i];

			buf[i] = c;
			if (c == '\0')
				return (ssize_t)i;
			if (c == '/' && component_is_special(path + i + 1))
				break;
		}
	}

	buf[0] = '/';

	p = path;
	for (;;) {
		const char *start;
		size_t clen;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != '/')
			p++;
		clen = (size_t)(p - start);

		if (clen == 1 && start[0] == '.')
			continue;
		if (clen == 2 && start[0] == '.' && start[1] == '.') {
			if (overflow > 0) {
				overflow--;
				continue;
			}
			/* Back to the previous '/', never above the root. */
			while (len > 1 && buf[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
			continue;
		}
		/* A component that does not fit may still be undone by a
		 * later "..": count it (and everything below it) instead of
		 * failing at once. */
		if (overflow > 0 || len + (len > 1) + clen + 1 > size) {
			overflow++;
			continue;
		}
		if (len > 1)
			buf[len++] = '/';
		memcpy(buf + len, start, clen);
		len += clen;
	}
	if (overflow > 0)
		return -ENAMETOOLONG;
	buf[len] = '\0';
	return (ssize_t)len;
}

bool aliasdb_path_is_normalized(const char *path)
{
	const char *p;

	if (!path || path[0] != '/')
		return false;
	if (path[1] == '\0')
		return true;
	/* Every component is non-empty and neither "." nor "..". */
	for (p = path; *p;) {
		const char *start;
		size_t clen;

		p++; /* the '/' before the component */
		start = p;
		while (*p && *p != '/')
			p++;
		clen = (size_t)(p - start);
		if (clen == 0)
			return false;
		if (clen == 1 && start[0] == '.')
			return false;
		if (clen == 2 && start[0] == '.' && start[1] == '.')
			return false;
	}
	return true;
}

bool aliasdb_path_is_under(const char *path, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (plen == 1 && prefix[0] == '/')
		return path[0] == '/';
	return strncmp(path, prefix, plen) == 0 &&
	       (path[plen] == '\0' || path[plen] == '/');
}

/* Length of the component starting at @p (up to '/' or the end @end). */
static size_t component_len(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != '/')
		q++;
	return (size_t)(q - p);
}

/*
 * The text `ln -sr` would write, and the one a native merged-/usr system
 * has: relative to the alias's parent, as short as possible
 * ("/usr/local/bin" -> "../bin", not "../../usr/bin"), so that readlink
 * gives the same answer through the view and in an extracted root.
 */
ssize_t aliasdb_alias_link_text(const char *alias, const char *canonical,
				char *buf, size_t size)
{
	const char *slash, *p, *pend, *c, *cend;
	size_t len = 0;

	if (alias[0] != '/' || canonical[0] != '/')
		return -EINVAL;
	/* Walk the alias's parent and the canonical path while their
	 * components agree. */
	slash = strrchr(alias, '/');
	p = alias + 1;
	pend = slash;
	c = canonical + 1;
	cend = canonical + strlen(canonical);
	while (p < pend && c < cend) {
		size_t pl = component_len(p, pend);
		size_t cl = component_len(c, cend);

		if (pl != cl || memcmp(p, c, pl) != 0)
			break;
		p += pl + (p + pl < pend);
		c += cl + (c + cl < cend);
	}
	/* One ".." per parent component left. */
	while (p < pend) {
		size_t pl = component_len(p, pend);

		if (len + 3 >= size)
			return -ENAMETOOLONG;
		memcpy(buf + len, "../", 3);
		len += 3;
		p += pl + (p + pl < pend);
	}
	if (len + (size_t)(cend - c) + 2 > size)
		return -ENAMETOOLONG;
	memcpy(buf + len, c, (size_t)(cend - c));
	len += (size_t)(cend - c);
	if (len == 0)
		buf[len++] = '.';
	else if (buf[len - 1] == '/')
		len--;
	buf[len] = '\0';
	return (ssize_t)len;
}
