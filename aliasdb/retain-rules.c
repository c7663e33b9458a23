/*
 * Retention rules: "PATTERN PLACE" lines in the files of ALIASDB_RETAIN_DIR
 * (and mount options), checked so that a rule never makes the daemon write
 * where it must not (the pseudo file systems, dpkg's database, the tree's
 * own /usr and /etc) nor retain into the directory it watches.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliasdb-internal.h"

void aliasdb_retain_rules_free(struct aliasdb_retain_rules *rules)
{
	size_t i;

	if (!rules)
		return;
	for (i = 0; i < rules->n_rules; i++) {
		free(rules->rules[i].pattern);
		free(rules->rules[i].place);
	}
	free(rules->rules);
	for (i = 0; i < rules->n_problems; i++) {
		free(rules->problems[i].file);
		free(rules->problems[i].message);
	}
	free(rules->problems);
	free(rules);
}

/* @path is @dir or lies inside it (both absolute, normalized). */
static bool retain_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

/* Absolute, no control character, no "." or ".." component, no "//". */
static const char *retain_path_refusal(const char *path,
				       const char *not_absolute)
{
	const char *p;

	if (path[0] != '/')
		return not_absolute;
	for (p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "a control character";
	for (p = path; *p; p++) {
		const char *c = p + 1;
		size_t n;

		if (*p != '/')
			continue;
		n = strcspn(c, "/");
		if (n == 0 && c[0] == '/')
			return "an empty path component ('//')";
		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return "a '.' or '..' component";
	}
	return NULL;
}

const char *aliasdb_retain_refusal(const char *pattern, const char *place)
{
	static const char *const forbidden[] = {
		"/proc",
		"/sys",
		"/dev",
		"/usr",
		"/etc",
		"/var/lib/dpkg",
		"/" ALIASDB_DEFAULT_SUBDIR,
	};
	const char *why;
	size_t i, dir_len;

	if (strlen(pattern) >= ALIASDB_PATH_MAX ||
	    strlen(place) >= ALIASDB_PATH_MAX)
		return "a path longer than PATH_MAX";
	why = retain_path_refusal(pattern,
				  "the pattern is not an absolute path");
	if (why)
		return why;
	why = retain_path_refusal(place, "the place is not an absolute path");
	if (why)
		return why;
	if (strcmp(pattern, "/") == 0 || pattern[strlen(pattern) - 1] == '/')
		return "the pattern names a directory, not files";
	if (strcmp(place, "/") == 0)
		return "the place is /";
	for (i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		if (retain_within(place, forbidden[i]))
			return "the place lies in /proc, /sys, /dev, /usr, "
			       "/etc, /var/lib/dpkg or the alias database";
	/* The directory part of the pattern before any wildcard: retained
	 * files there would be retained again when they go. */
	dir_len = strcspn(pattern, "*?[\\");
	while (dir_len > 0 && pattern[dir_len] != '/')
		dir_len--;
	if (dir_len == 0)
		return "the pattern has wildcards in its first component";
	if (strncmp(place, pattern, dir_len) == 0 &&
	    (place[dir_len] == '\0' || place[dir_len] == '/'))
		return "the place lies in the directory the pattern matches "
		       "in";
	return NULL;
}

int aliasdb_retain_rules_add(struct aliasdb_retain_rules *rules,
			     const char *pattern, const char *place,
			     unsigned line, const char **ret_reason)
{
	struct aliasdb_retain_rule *r;
	const char *why = aliasdb_retain_refusal(pattern, place);
	char *pat, *pl;
	size_t n;

	if (why) {
		if (ret_reason)
			*ret_reason = why;
		return -EINVAL;
	}
	pat = strdup(pattern);
	pl = strdup(place);
	if (!pat || !pl)
		goto oom;
	n = strlen(pl);
	while (n > 1 && pl[n - 1] == '/')
		pl[--n] = '\0';
	r = realloc(rules->rules, (rules->n_rules + 1) * sizeof(*r));
	if (!r)
		goto oom;
	rules->rules = r;
	r[rules->n_rules].pattern = pat;
	r[rules->n_rules].place = pl;
	r[rules->n_rules].line = line;
	rules->n_rules++;
	return 0;
oom:
	free(pat);
	free(pl);
	return -ENOMEM;
}

static int retain_problem(struct aliasdb_retain_rules *rules, unsigned line,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int retain_problem(struct aliasdb_retain_rules *rules, unsigned line,
			  const char *fmt, ...)
{
	struct aliasdb_retain_problem *p;
	va_list ap;
	int r;

	p = realloc(rules->problems, (rules->n_problems + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	rules->problems = p;
	p = &rules->problems[rules->n_problems];
	p->file = NULL;
	p->line = line;
	va_start(ap, fmt);
	r = vasprintf(&p->message, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	rules->n_problems++;
	return 0;
}

/* A field for a message: at most 64 bytes of it, marked when cut. */
#define RETAIN_SHOW(len) ((int)((len) > 64 ? 64 : (len)))
#define RETAIN_CUT(len) ((len) > 64 ? "..." : "")

static int retain_line(void *ctx, unsigned line, const char *s, size_t len)
{
	struct aliasdb_retain_rules *rules = ctx;
	const char *f[3], *why = NULL;
	size_t flen[3];
	char *pattern, *place;
	int n, r;

	if (memchr(s, '\0', len))
		return retain_problem(rules, line, "line contains a NUL byte");
	n = aliasdb_line_fields(s, len, f, flen, 3);
	if (n == 0)
		return 0;
	if (n != 2)
		return retain_problem(rules, line,
				      "%s '%.*s%s' (expected 'PATTERN PLACE')",
				      n == 1 ? "missing PLACE after"
					     : "unexpected third field",
				      RETAIN_SHOW(flen[n - 1]), f[n - 1],
				      RETAIN_CUT(flen[n - 1]));
	pattern = strndup(f[0], flen[0]);
	place = strndup(f[1], flen[1]);
	if (!pattern || !place) {
		free(pattern);
		free(place);
		return -ENOMEM;
	}
	r = aliasdb_retain_rules_add(rules, pattern, place, line, &why);
	free(pattern);
	free(place);
	if (r == -EINVAL)
		return retain_problem(rules, line, "refused: %s", why);
	return r;
}

int aliasdb_retain_parse(const char *text, size_t len,
			 struct aliasdb_retain_rules **ret_rules)
{
	struct aliasdb_retain_rules *rules;
	int r;

	if (!text && len > 0)
		return -EINVAL;
	rules = calloc(1, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	r = aliasdb_lines_each(text, len, retain_line, rules);
	if (r < 0) {
		aliasdb_retain_rules_free(rules);
		return r;
	}
	*ret_rules = rules;
	return 0;
}

bool aliasdb_retain_matches(const struct aliasdb_retain_rule *rule,
			    const char *path)
{
	return fnmatch(rule->pattern, path, FNM_PATHNAME | FNM_PERIOD) == 0;
}

int aliasdb_retain_target(const struct aliasdb_retain_rule *rule,
			  const char *version, const char *path,
			  char **ret_path)
{
	static const char token[] = ALIASDB_RETAIN_VERSION_TOKEN;
	const char *base = strrchr(path, '/'), *p = rule->place, *t;
	size_t vlen = strlen(version), need = 1, i;
	char *out, *o;

	base = base ? base + 1 : path;
	/* Room for the place with every token replaced, '/' and the name. */
	for (t = strstr(p, token); t; t = strstr(t + 1, token))
		need += vlen;
	need += strlen(p) + 1 + strlen(base);
	if (need > ALIASDB_PATH_MAX)
		return -ENAMETOOLONG;
	out = malloc(need);
	if (!out)
		return -ENOMEM;
	o = out;
	while ((t = strstr(p, token))) {
		memcpy(o, p, (size_t)(t - p));
		o += t - p;
		for (i = 0; i < vlen; i++) {
			char c = version[i];

			*o++ = c == '/' || (i == 0 && c == '.') ? '_' : c;
		}
		p = t + sizeof(token) - 1;
	}
	o = stpcpy(o, p);
	*o++ = '/';
	strcpy(o, base);
	*ret_path = out;
	return 0;
}

/* Parse rule file @name of directory @dfd into @rules, its problems
 * marked with its name. */
static int retain_read_file(int dfd, const char *name,
			    struct aliasdb_retain_rules *rules)
{
	struct aliasdb_retain_rules *one = NULL;
	size_t len, i, first = rules->n_problems;
	char *text;
	int r;

	r = aliasdb_read_file_at(dfd, name, ALIASDB_DECL_MAX_SIZE, &text, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		r = retain_problem(rules, 0, "cannot be read: %s",
				   r == -EUCLEAN ? "not a regular file, or "
						   "larger than 1 MiB"
						 : strerror(-r));
	} else {
		r = aliasdb_retain_parse(text, len, &one);
		free(text);
		for (i = 0; r == 0 && i < one->n_rules; i++)
			r = aliasdb_retain_rules_add(
				rules, one->rules[i].pattern,
				one->rules[i].place, one->rules[i].line, NULL);
		for (i = 0; r == 0 && i < one->n_problems; i++)
			r = retain_problem(rules, one->problems[i].line, "%s",
					   one->problems[i].message);
		aliasdb_retain_rules_free(one);
	}
	for (i = first; i < rules->n_problems && r == 0; i++) {
		rules->problems[i].file = strdup(name);
		if (!rules->problems[i].file)
			r = -ENOMEM;
	}
	return r;
}

int aliasdb_retain_read_dir(int tree_fd,
			    struct aliasdb_retain_rules **ret_rules)
{
	struct aliasdb_retain_rules *rules;
	char **names = NULL;
	size_t n = 0, i;
	int dfd, r = 0;

	rules = calloc(1, sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	dfd = aliasdb_open_beneath(tree_fd, ALIASDB_RETAIN_DIR,
				   O_RDONLY | O_DIRECTORY,
				   ALIASDB_BENEATH_NO_SYMLINKS);
	if (dfd == -ENOENT) {
		*ret_rules = rules; /* no rule directory: no rules */
		return 0;
	}
	if (dfd < 0)
		r = dfd;
	if (r == 0)
		r = aliasdb_dir_names(dfd, &names, &n);
	for (i = 0; r == 0 && i < n; i++)
		if (!aliasdb_decl_name_ignored(names[i]))
			r = retain_read_file(dfd, names[i], rules);
	aliasdb_dir_names_free(names, n);
	if (dfd >= 0)
		close(dfd);
	if (r < 0) {
		aliasdb_retain_rules_free(rules);
		return r;
	}
	*ret_rules = rules;
	return 0;
}
