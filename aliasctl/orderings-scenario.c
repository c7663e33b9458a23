/*
 * The scenario file parser. Line based: every line is a setting, a step,
 * the start or end of a block (a package built from the scenario, or the
 * permuted steps), or a line inside a block. The input is untrusted: every
 * line is bounded, every word checked against what it may hold, and the
 * first problem is reported as "FILE:LINE: what" — never a crash.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasdb.h"
#include "aliasctl/orderings-scenario.h"

#define SC_MAX_WORDS 256
#define SC_MAX_STEPS 4096
#define SC_MAX_PACKAGES 1024
#define SC_MAX_ENTRIES 4096

enum sc_block {
	SC_TOP,
	SC_PACKAGE,
	SC_PERMUTE,
};

struct sc_parser {
	const char *origin;
	const char *dir;
	unsigned line;
	char *error;
	struct ord_scenario *sc;
	enum sc_block block;
	unsigned block_line;
	struct ord_package *pkg; /* the package block being read */
	bool permuted;		 /* a permute line or block was seen */
	bool in_after;		 /* steps now go after the permuted ones */
	unsigned seen_name, seen_arch, seen_aliases, seen_sample, seen_seed,
		seen_timeout, seen_autosync, seen_baseline;
	/* the current line: raw text and its words */
	char raw[ORD_SCENARIO_MAX_LINE + 1];
	char split[ORD_SCENARIO_MAX_LINE + 1];
	const char *w[SC_MAX_WORDS];
	size_t n;
};

static int sc_error(struct sc_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sc_error(struct sc_parser *p, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (p->error)
		return -EINVAL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return -ENOMEM;
	if (asprintf(&p->error, "%s:%u: %s", p->origin, p->line, msg) < 0)
		p->error = NULL;
	free(msg);
	return p->error ? -EINVAL : -ENOMEM;
}

/* Append one zeroed element to *@arr (holding *@n of @size bytes). */
static void *sc_grow(void *arr_ptr, size_t *n, size_t size, size_t max)
{
	void **arr = arr_ptr;
	char *a;

	if (*n >= max)
		return NULL;
	a = realloc(*arr, (*n + 1) * size);
	if (!a)
		return NULL;
	*arr = a;
	memset(a + *n * size, 0, size);
	return a + (*n)++ * size;
}

static int sc_push_str(struct sc_parser *p, char ***arr, size_t *n,
		       const char *s)
{
	char **slot;
	char *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	slot = sc_grow(arr, n, sizeof(char *), SC_MAX_WORDS * 16);
	if (!slot) {
		free(copy);
		return *n >= SC_MAX_WORDS * 16 ? sc_error(p, "too many words")
					       : -ENOMEM;
	}
	*slot = copy;
	return 0;
}

/* ---- Words --------------------------------------------------------- */

static bool sc_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Split p->raw into words; a word starting with '#' ends the line. */
static int sc_split(struct sc_parser *p)
{
	char *s = p->split;

	memcpy(p->split, p->raw, sizeof(p->raw));
	p->n = 0;
	for (;;) {
		while (sc_blank(*s))
			s++;
		if (!*s || *s == '#')
			return 0;
		if (p->n == SC_MAX_WORDS)
			return sc_error(p, "more than %d words on a line",
					SC_MAX_WORDS);
		p->w[p->n++] = s;
		while (*s && !sc_blank(*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* The rest of the raw line from word @k on, without trailing blanks ('#'
 * is literal there). Modifies nothing: returns a fresh copy. */
static char *sc_rest(struct sc_parser *p, size_t k)
{
	const char *start = p->raw + (p->w[k] - p->split);
	size_t len = strlen(start);

	while (len > 0 && sc_blank(start[len - 1]))
		len--;
	return strndup(start, len);
}

/* ---- What words may hold ----------------------------------------- */

static bool sc_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

bool ord_label_valid(const char *s)
{
	size_t n = 0;

	if (!s || !sc_alnum(s[0]))
		return false;
	for (; s[n]; n++)
		if (!sc_alnum(s[n]) && !strchr("._+-", s[n]))
			return false;
	return n <= ORD_SCENARIO_MAX_LABEL;
}

/* Debian package name, optionally with ":ARCH". */
static bool sc_pkgname_valid(const char *s, bool allow_arch)
{
	size_t n = 0;
	const char *colon = allow_arch ? strchr(s, ':') : NULL;
	size_t end = colon ? (size_t)(colon - s) : strlen(s);

	if (end < 1 || end > 128)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (n = 0; n < end; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= '0' && s[n] <= '9') || strchr("+-.", s[n])))
			return false;
	if (colon) {
		if (!colon[1])
			return false;
		for (n = 1; colon[n]; n++)
			if (!((colon[n] >= 'a' && colon[n] <= 'z') ||
			      (colon[n] >= '0' && colon[n] <= '9') ||
			      colon[n] == '-'))
				return false;
	}
	return true;
}

static bool sc_version_valid(const char *s)
{
	size_t n;

	if (!s[0] || !(s[0] >= '0' && s[0] <= '9') || strlen(s) > 128)
		return false;
	for (n = 0; s[n]; n++)
		if (!sc_alnum(s[n]) && !strchr(".+~:-", s[n]))
			return false;
	return true;
}

static bool sc_arch_valid(const char *s)
{
	size_t n;

	if (!s[0] || strlen(s) > 32)
		return false;
	for (n = 0; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
			return false;
	return true;
}

/* An absolute, normalized path other than "/", as a package ships it. */
static bool sc_path_valid(const char *s)
{
	char buf[ALIASDB_PATH_MAX];
	ssize_t n;

	if (s[0] != '/' || strlen(s) >= sizeof(buf))
		return false;
	n = aliasdb_path_normalize(s, buf, sizeof(buf));
	return n > 1 && strcmp(buf, s) == 0;
}

/* A declaration file name the sync reads (it skips ".x", "x~" and
 * dpkg's "x.dpkg-new"). */
static bool sc_decl_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (!ord_label_valid(s) || s[n - 1] == '~' || strstr(s, ".dpkg-"))
		return false;
	return true;
}

/* The dpkg options a step may add: --force-THING, --no-force-THING,
 * --refuse-THING, --auto-deconfigure, --no-triggers,
 * --ignore-depends=PKG,... */
static bool sc_option_valid(const char *s)
{
	static const char *const prefixes[] = {
		"--force-",	     "--no-force-", "--refuse-",
		"--ignore-depends=", NULL,
	};

	if (strcmp(s, "--auto-deconfigure") == 0 ||
	    strcmp(s, "--no-triggers") == 0)
		return true;
	for (size_t i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(s, prefixes[i], n) != 0 || !s[n])
			continue;
		for (s += n; *s; s++)
			if (!((*s >= 'a' && *s <= 'z') ||
			      (*s >= '0' && *s <= '9') || strchr("-,+.:", *s)))
				return false;
		return true;
	}
	return false;
}

/* Strict unsigned decimal in [@min, @max]. */
static int sc_number(struct sc_parser *p, const char *what, const char *s,
		     uint64_t min, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return sc_error(p, "%s: missing number", what);
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return sc_error(p, "%s: '%s' is not a number", what, s);
		if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
			return sc_error(p, "%s: %s is too large", what, s);
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v < min || v > max)
		return sc_error(p, "%s: %s is not in %llu..%llu", what, s,
				(unsigned long long)min,
				(unsigned long long)max);
	*ret = v;
	return 0;
}

/* ---- Settings ------------------------------------------------------- */

static int sc_once(struct sc_parser *p, unsigned *seen, const char *kw)
{
	if (*seen)
		return sc_error(p, "'%s' given twice (first on line %u)", kw,
				*seen);
	*seen = p->line;
	return 0;
}

static int sc_setting_aliases(struct sc_parser *p)
{
	struct ord_scenario *sc = p->sc;
	struct aliasdb_map *map = NULL;
	enum aliasdb_rule rule = ALIASDB_RULE_OK;
	size_t npairs;
	int r;

	if (p->n < 2)
		return sc_error(p, "aliases: say default, none, or ALIAS "
				   "CANONICAL pairs");
	if (p->n == 2 && strcmp(p->w[1], "default") == 0) {
		sc->aliases = ORD_ALIASES_DEFAULT;
		return 0;
	}
	if (p->n == 2 && strcmp(p->w[1], "none") == 0) {
		sc->aliases = ORD_ALIASES_NONE;
		return 0;
	}
	for (size_t i = 1; i < p->n; i++)
		if (p->w[i][0] != '/')
			return sc_error(p,
					"aliases: '%s' is not default, none "
					"or an absolute path",
					p->w[i]);
	if ((p->n - 1) % 2 != 0)
		return sc_error(p, "aliases: '%s' has no CANONICAL",
				p->w[p->n - 1]);
	for (size_t i = 1; i < p->n; i++) {
		r = sc_push_str(p, &sc->alias_pairs, &sc->n_alias_pairs,
				p->w[i]);
		if (r < 0)
			return r;
	}
	/* The same rules aliasctl add applies, chains included. */
	npairs = sc->n_alias_pairs / 2;
	{
		const char *a[SC_MAX_WORDS / 2], *c[SC_MAX_WORDS / 2];

		for (size_t i = 0; i < npairs; i++) {
			a[i] = sc->alias_pairs[2 * i];
			c[i] = sc->alias_pairs[2 * i + 1];
		}
		r = aliasdb_map_from_pairs(a, c, npairs, &map, &rule);
	}
	aliasdb_map_free(map);
	if (r == -EINVAL)
		return sc_error(p, "aliases: refused: %s",
				aliasdb_rule_describe(rule));
	if (r < 0)
		return r == -ENOMEM ? r
				    : sc_error(p, "aliases: %s", strerror(-r));
	sc->aliases = ORD_ALIASES_LIST;
	return 0;
}

/* Returns 1 if the line was a setting. */
static int sc_setting(struct sc_parser *p)
{
	struct ord_scenario *sc = p->sc;
	const char *kw = p->w[0];
	uint64_t v;
	int r;

	if (strcmp(kw, "name") == 0) {
		if ((r = sc_once(p, &p->seen_name, kw)) < 0)
			return r;
		if (p->n < 2)
			return sc_error(p, "name: missing TEXT");
		free(sc->name);
		sc->name = sc_rest(p, 1);
		if (!sc->name)
			return -ENOMEM;
		if (strlen(sc->name) > 200)
			return sc_error(p, "name: longer than 200 bytes");
		return 1;
	}
	if (strcmp(kw, "arch") == 0) {
		if ((r = sc_once(p, &p->seen_arch, kw)) < 0)
			return r;
		if (p->n != 2 || !sc_arch_valid(p->w[1]))
			return sc_error(p, "arch: expected one architecture "
					   "name, e.g. amd64");
		sc->arch = strdup(p->w[1]);
		return sc->arch ? 1 : -ENOMEM;
	}
	if (strcmp(kw, "aliases") == 0) {
		if ((r = sc_once(p, &p->seen_aliases, kw)) < 0)
			return r;
		r = sc_setting_aliases(p);
		return r < 0 ? r : 1;
	}
	if (strcmp(kw, "baseline") == 0) {
		if ((r = sc_once(p, &p->seen_baseline, kw)) < 0)
			return r;
		if (p->n != 2 || ord_baseline_parse(p->w[1], &sc->baseline) < 0)
			return sc_error(p, "baseline: expected merged, split "
					   "or none");
		sc->baseline_set = true;
		return 1;
	}
	if (strcmp(kw, "sample") == 0) {
		if ((r = sc_once(p, &p->seen_sample, kw)) < 0)
			return r;
		if (p->n != 2)
			return sc_error(p, "sample: expected one number");
		r = sc_number(p, kw, p->w[1], 1, 1000000000, &v);
		if (r < 0)
			return r;
		sc->sample = v;
		return 1;
	}
	if (strcmp(kw, "seed") == 0) {
		if ((r = sc_once(p, &p->seen_seed, kw)) < 0)
			return r;
		if (p->n != 2)
			return sc_error(p, "seed: expected one number");
		r = sc_number(p, kw, p->w[1], 0, UINT64_MAX, &v);
		if (r < 0)
			return r;
		sc->seed = v;
		sc->seed_set = true;
		return 1;
	}
	if (strcmp(kw, "timeout") == 0) {
		if ((r = sc_once(p, &p->seen_timeout, kw)) < 0)
			return r;
		if (p->n != 2)
			return sc_error(p, "timeout: expected SECONDS");
		r = sc_number(p, kw, p->w[1], 1, 86400, &v);
		if (r < 0)
			return r;
		sc->timeout = (unsigned)v;
		return 1;
	}
	if (strcmp(kw, "autosync") == 0) {
		if ((r = sc_once(p, &p->seen_autosync, kw)) < 0)
			return r;
		if (p->n != 2 ||
		    (strcmp(p->w[1], "on") != 0 && strcmp(p->w[1], "off") != 0))
			return sc_error(p, "autosync: expected on or off");
		sc->autosync = strcmp(p->w[1], "on") == 0;
		return 1;
	}
	return 0;
}

/* ---- Packages ------------------------------------------------------- */

static int sc_new_package(struct sc_parser *p, const char *label,
			  struct ord_package **ret)
{
	struct ord_scenario *sc = p->sc;
	struct ord_package *pkg;

	if (!ord_label_valid(label))
		return sc_error(p,
				"'%s' is not a valid label (letters, digits "
				"and . _ + -, at most %d)",
				label, ORD_SCENARIO_MAX_LABEL);
	for (size_t i = 0; i < sc->n_packages; i++)
		if (strcmp(sc->packages[i].label, label) == 0)
			return sc_error(p,
					"package '%s' is already defined on "
					"line %u",
					label, sc->packages[i].line);
	pkg = sc_grow(&sc->packages, &sc->n_packages, sizeof(*pkg),
		      SC_MAX_PACKAGES);
	if (!pkg)
		return sc->n_packages >= SC_MAX_PACKAGES
			       ? sc_error(p, "more than %d packages",
					  SC_MAX_PACKAGES)
			       : -ENOMEM;
	pkg->line = p->line;
	pkg->label = strdup(label);
	if (!pkg->label)
		return -ENOMEM;
	*ret = pkg;
	return 0;
}

/* deb LABEL FILE */
static int sc_deb(struct sc_parser *p)
{
	struct ord_package *pkg;
	const char *file;
	int r;

	if (p->n != 3)
		return sc_error(p, "deb: expected LABEL FILE");
	r = sc_new_package(p, p->w[1], &pkg);
	if (r < 0)
		return r;
	file = p->w[2];
	if (file[0] == '/' || !p->dir)
		pkg->deb = strdup(file);
	else if (asprintf(&pkg->deb, "%s/%s", p->dir, file) < 0)
		pkg->deb = NULL;
	return pkg->deb ? 0 : -ENOMEM;
}

/* package LABEL NAME VERSION [ARCH] */
static int sc_package_start(struct sc_parser *p)
{
	struct ord_package *pkg;
	int r;

	if (p->n < 4 || p->n > 5)
		return sc_error(p, "package: expected LABEL NAME VERSION "
				   "[ARCH]");
	if (!sc_pkgname_valid(p->w[2], false))
		return sc_error(p,
				"package: '%s' is not a Debian package "
				"name",
				p->w[2]);
	if (!sc_version_valid(p->w[3]))
		return sc_error(p, "package: '%s' is not a version", p->w[3]);
	if (p->n == 5 && !sc_arch_valid(p->w[4]))
		return sc_error(p, "package: '%s' is not an architecture",
				p->w[4]);
	r = sc_new_package(p, p->w[1], &pkg);
	if (r < 0)
		return r;
	pkg->built = true;
	pkg->name = strdup(p->w[2]);
	pkg->version = strdup(p->w[3]);
	pkg->arch = strdup(p->n == 5 ? p->w[4] : "all");
	if (!pkg->name || !pkg->version || !pkg->arch)
		return -ENOMEM;
	p->pkg = pkg;
	p->block = SC_PACKAGE;
	p->block_line = p->line;
	return 0;
}

static int sc_entry(struct sc_parser *p, enum ord_entry_kind kind,
		    const char *path, char *text)
{
	struct ord_entry *e;

	e = sc_grow(&p->pkg->entries, &p->pkg->n_entries, sizeof(*e),
		    SC_MAX_ENTRIES);
	if (!e) {
		free(text);
		return p->pkg->n_entries >= SC_MAX_ENTRIES
			       ? sc_error(p, "more than %d lines in a package",
					  SC_MAX_ENTRIES)
			       : -ENOMEM;
	}
	e->kind = kind;
	e->line = p->line;
	e->text = text;
	e->path = strdup(path);
	return e->path ? 0 : -ENOMEM;
}

/* A path no earlier line of the package ships. */
static int sc_entry_path(struct sc_parser *p, const char *path)
{
	if (!sc_path_valid(path))
		return sc_error(p,
				"'%s' is not an absolute normalized path "
				"(no '.', '..', '//', trailing '/')",
				path);
	for (size_t i = 0; i < p->pkg->n_entries; i++)
		if (p->pkg->entries[i].kind != ORD_ENTRY_SCRIPT &&
		    strcmp(p->pkg->entries[i].path, path) == 0)
			return sc_error(p,
					"%s is already in the package (line "
					"%u)",
					path, p->pkg->entries[i].line);
	return 0;
}

static const char *const sc_control_reserved[] = {
	"package",
	"version",
	"architecture",
	NULL,
};

static int sc_package_line(struct sc_parser *p)
{
	const char *kw = p->w[0];
	size_t kwlen = strlen(kw);
	char *text;
	int r;

	if (strcmp(kw, "end") == 0) {
		if (p->n != 1)
			return sc_error(p, "end: takes nothing");
		p->block = SC_TOP;
		p->pkg = NULL;
		return 0;
	}
	if (kwlen > 1 && kw[kwlen - 1] == ':') {
		/* A control field: "Name: value". */
		char lower[64];

		if (kwlen > sizeof(lower))
			return sc_error(p, "control field name too long");
		for (size_t i = 0; i + 1 < kwlen; i++) {
			char c = kw[i];

			if (!sc_alnum(c) && c != '-')
				return sc_error(p,
						"'%s' is not a control "
						"field name",
						kw);
			lower[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		lower[kwlen - 1] = '\0';
		for (size_t i = 0; sc_control_reserved[i]; i++)
			if (strcmp(lower, sc_control_reserved[i]) == 0)
				return sc_error(p,
						"%s comes from the package "
						"line",
						kw);
		if (p->n < 2)
			return sc_error(p, "%s has no value", kw);
		text = sc_rest(p, 0);
		if (!text)
			return -ENOMEM;
		r = sc_push_str(p, &p->pkg->control, &p->pkg->n_control, text);
		free(text);
		return r;
	}
	if (strcmp(kw, "file") == 0) {
		if (p->n < 2 || (p->n > 2 && strcmp(p->w[2], "=") != 0) ||
		    p->n == 3)
			return sc_error(p, "file: expected PATH [= TEXT]");
		if ((r = sc_entry_path(p, p->w[1])) < 0)
			return r;
		text = NULL;
		if (p->n > 3 && !(text = sc_rest(p, 3)))
			return -ENOMEM;
		return sc_entry(p, ORD_ENTRY_FILE, p->w[1], text);
	}
	if (strcmp(kw, "dir") == 0) {
		if (p->n != 2)
			return sc_error(p, "dir: expected PATH");
		if ((r = sc_entry_path(p, p->w[1])) < 0)
			return r;
		return sc_entry(p, ORD_ENTRY_DIR, p->w[1], NULL);
	}
	if (strcmp(kw, "symlink") == 0) {
		bool arrow = p->n == 4 && strcmp(p->w[2], "->") == 0;

		if (p->n != 3 && !arrow)
			return sc_error(p,
					"symlink: expected PATH [->] TARGET");
		if ((r = sc_entry_path(p, p->w[1])) < 0)
			return r;
		text = strdup(p->w[arrow ? 3 : 2]);
		if (!text)
			return -ENOMEM;
		return sc_entry(p, ORD_ENTRY_SYMLINK, p->w[1], text);
	}
	if (strcmp(kw, "script") == 0) {
		if (p->n < 3)
			return sc_error(p, "script: expected NAME TEXT");
		if (strcmp(p->w[1], "preinst") != 0 &&
		    strcmp(p->w[1], "postinst") != 0 &&
		    strcmp(p->w[1], "prerm") != 0 &&
		    strcmp(p->w[1], "postrm") != 0)
			return sc_error(p,
					"script: '%s' is not preinst, "
					"postinst, prerm or postrm",
					p->w[1]);
		if (!(text = sc_rest(p, 2)))
			return -ENOMEM;
		return sc_entry(p, ORD_ENTRY_SCRIPT, p->w[1], text);
	}
	return sc_error(p,
			"'%s' in a package: expected file, dir, symlink, "
			"script, a 'Field: value' line or end",
			kw);
}

/* ---- Steps ---------------------------------------------------------- */

static struct ord_step *sc_new_step(struct sc_parser *p, bool item)
{
	struct ord_scenario *sc = p->sc;
	struct ord_step **arr;
	size_t *n;
	struct ord_step *s;

	if (item) {
		arr = &sc->items;
		n = &sc->n_items;
	} else if (p->in_after) {
		arr = &sc->after;
		n = &sc->n_after;
	} else {
		arr = &sc->before;
		n = &sc->n_before;
	}
	if (sc->n_before + sc->n_items + sc->n_after >= SC_MAX_STEPS) {
		sc_error(p, "more than %d steps", SC_MAX_STEPS);
		return NULL;
	}
	if (item && sc->n_items >= ORD_SCENARIO_MAX_ITEMS) {
		sc_error(p, "more than %d permuted steps",
			 ORD_SCENARIO_MAX_ITEMS);
		return NULL;
	}
	s = sc_grow(arr, n, sizeof(*s), SC_MAX_STEPS);
	if (s)
		s->line = p->line;
	return s;
}

static const char *const sc_step_words[] = {
	[ORD_STEP_INSTALL] = "install",	    [ORD_STEP_REMOVE] = "remove",
	[ORD_STEP_PURGE] = "purge",	    [ORD_STEP_DECLARE] = "declare",
	[ORD_STEP_UNDECLARE] = "undeclare", [ORD_STEP_SYNC] = "sync",
	[ORD_STEP_DPKG] = "dpkg",
};

static enum ord_step_kind sc_step_kind(const char *word)
{
	for (size_t k = ORD_STEP_INSTALL; k <= ORD_STEP_DPKG; k++)
		if (strcmp(word, sc_step_words[k]) == 0)
			return (enum ord_step_kind)k;
	return ORD_STEP_NONE;
}

/* "install a b" -> "a,b"; other steps: their words. */
static int sc_step_label(struct ord_step *s)
{
	size_t len = 1;
	char *l;

	if (s->kind == ORD_STEP_INSTALL && s->n_opts == 0) {
		for (size_t i = 0; i < s->n_args; i++)
			len += strlen(s->args[i]) + 1;
		l = calloc(1, len);
		if (!l)
			return -ENOMEM;
		for (size_t i = 0; i < s->n_args; i++) {
			if (i)
				strcat(l, ",");
			strcat(l, s->args[i]);
		}
		s->label = l;
		return 0;
	}
	len += strlen(sc_step_words[s->kind]);
	for (size_t i = 0; i < s->n_opts; i++)
		len += strlen(s->opts[i]) + 1;
	for (size_t i = 0; i < s->n_args; i++)
		len += strlen(s->args[i]) + 1;
	l = calloc(1, len);
	if (!l)
		return -ENOMEM;
	strcpy(l, sc_step_words[s->kind]);
	for (size_t i = 0; i < s->n_opts; i++) {
		strcat(l, " ");
		strcat(l, s->opts[i]);
	}
	for (size_t i = 0; i < s->n_args; i++) {
		strcat(l, " ");
		strcat(l, s->args[i]);
	}
	s->label = l;
	return 0;
}

/* Parse the step in words [0..n) of the line into a new step. */
static int sc_step(struct sc_parser *p, bool item)
{
	enum ord_step_kind kind = sc_step_kind(p->w[0]);
	struct ord_step *s;
	size_t i = 1;
	int r;

	if (kind == ORD_STEP_NONE)
		return sc_error(p, "unknown keyword '%s'", p->w[0]);
	s = sc_new_step(p, item);
	if (!s)
		return p->error ? -EINVAL : -ENOMEM;
	s->kind = kind;
	if (kind == ORD_STEP_INSTALL || kind == ORD_STEP_REMOVE ||
	    kind == ORD_STEP_PURGE) {
		for (; i < p->n && p->w[i][0] == '-'; i++) {
			if (!sc_option_valid(p->w[i]))
				return sc_error(p,
						"%s: '%s' is not a dpkg "
						"option a step may add",
						p->w[0], p->w[i]);
			r = sc_push_str(p, &s->opts, &s->n_opts, p->w[i]);
			if (r < 0)
				return r;
		}
		if (i == p->n)
			return sc_error(p, "%s: which package?", p->w[0]);
	}
	for (; i < p->n; i++) {
		const char *a = p->w[i];

		switch (kind) {
		case ORD_STEP_INSTALL:
			if (!ord_label_valid(a))
				return sc_error(p,
						"install: '%s' is not a "
						"label",
						a);
			break;
		case ORD_STEP_REMOVE:
		case ORD_STEP_PURGE:
			if (!ord_label_valid(a) && !sc_pkgname_valid(a, true))
				return sc_error(p,
						"%s: '%s' is neither a "
						"label nor a package name",
						p->w[0], a);
			break;
		case ORD_STEP_DECLARE:
			if (i == 1 ? !sc_decl_name_valid(a) : a[0] != '/')
				return sc_error(
					p,
					i == 1 ? "declare: '%s' is not a "
						 "declaration name"
					       : "declare: '%s' is not an "
						 "absolute path",
					a);
			break;
		case ORD_STEP_UNDECLARE:
			if (!sc_decl_name_valid(a))
				return sc_error(p,
						"undeclare: '%s' is not a "
						"declaration name",
						a);
			break;
		case ORD_STEP_DPKG:
			if (strncmp(a, "--root", 6) == 0 ||
			    strncmp(a, "--admindir", 10) == 0 ||
			    strncmp(a, "--instdir", 9) == 0)
				return sc_error(p,
						"dpkg: %s is set by "
						"aliasctl orderings",
						a);
			break;
		default:
			break;
		}
		r = sc_push_str(p, &s->args, &s->n_args, a);
		if (r < 0)
			return r;
	}
	switch (kind) {
	case ORD_STEP_DECLARE:
		if (s->n_args < 3 || s->n_args % 2 == 0)
			return sc_error(p, "declare: expected NAME ALIAS "
					   "CANONICAL [ALIAS CANONICAL...]");
		break;
	case ORD_STEP_UNDECLARE:
		if (s->n_args != 1)
			return sc_error(p, "undeclare: expected NAME");
		break;
	case ORD_STEP_SYNC:
		if (s->n_args != 0)
			return sc_error(p, "sync: takes nothing");
		break;
	case ORD_STEP_DPKG:
		if (s->n_args == 0)
			return sc_error(p, "dpkg: expected ARGUMENTS");
		break;
	default:
		break;
	}
	return sc_step_label(s);
}

/* permute [OPTION...] ITEM... (ITEM: LABEL or LABEL,LABEL,...): each
 * item is one dpkg -i call with the OPTIONs, named by ITEM. */
static int sc_permute_short(struct sc_parser *p)
{
	size_t first = 1;

	while (first < p->n && p->w[first][0] == '-') {
		if (!sc_option_valid(p->w[first]))
			return sc_error(p,
					"permute: '%s' is not a dpkg option "
					"a step may add",
					p->w[first]);
		first++;
	}
	if (first == p->n)
		return sc_error(p, "permute: which packages?");
	for (size_t i = first; i < p->n; i++) {
		struct ord_step *s = sc_new_step(p, true);
		char *item, *save = NULL, *tok;
		int r = 0;

		if (!s)
			return p->error ? -EINVAL : -ENOMEM;
		s->kind = ORD_STEP_INSTALL;
		for (size_t k = 1; k < first && r == 0; k++)
			r = sc_push_str(p, &s->opts, &s->n_opts, p->w[k]);
		if (r < 0)
			return r;
		item = strdup(p->w[i]);
		if (!item)
			return -ENOMEM;
		if (item[0] == ',' || item[strlen(item) - 1] == ',' ||
		    strstr(item, ",,"))
			r = sc_error(p, "permute: '%s' has an empty label",
				     p->w[i]);
		for (tok = strtok_r(item, ",", &save); tok && r == 0;
		     tok = strtok_r(NULL, ",", &save)) {
			if (!ord_label_valid(tok))
				r = sc_error(p, "permute: '%s' is not a label",
					     tok);
			else
				r = sc_push_str(p, &s->args, &s->n_args, tok);
		}
		free(item);
		if (r < 0)
			return r;
		s->label = strdup(p->w[i]);
		if (!s->label)
			return -ENOMEM;
	}
	return 0;
}

static int sc_top_line(struct sc_parser *p)
{
	const char *kw = p->w[0];
	int r;

	r = sc_setting(p);
	if (r != 0)
		return r < 0 ? r : 0;
	if (strcmp(kw, "deb") == 0)
		return sc_deb(p);
	if (strcmp(kw, "package") == 0)
		return sc_package_start(p);
	if (strcmp(kw, "permute") == 0) {
		if (p->permuted)
			return sc_error(p, "a second permute: a scenario "
					   "permutes one set of steps");
		p->permuted = true;
		p->in_after = true;
		if (p->n == 1) {
			p->block = SC_PERMUTE;
			p->block_line = p->line;
			return 0;
		}
		return sc_permute_short(p);
	}
	if (strcmp(kw, "end") == 0)
		return sc_error(p, "end without a package or permute block");
	return sc_step(p, false);
}

static int sc_line(struct sc_parser *p)
{
	int r = sc_split(p);

	if (r < 0 || p->n == 0)
		return r;
	switch (p->block) {
	case SC_PACKAGE:
		return sc_package_line(p);
	case SC_PERMUTE:
		if (strcmp(p->w[0], "end") == 0) {
			if (p->n != 1)
				return sc_error(p, "end: takes nothing");
			p->block = SC_TOP;
			return 0;
		}
		return sc_step(p, true);
	default:
		return sc_top_line(p);
	}
}

/* ---- After the last line: references and counts ------------------- */

static int sc_check_labels(struct sc_parser *p, const struct ord_step *s,
			   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i].kind != ORD_STEP_INSTALL)
			continue;
		for (size_t j = 0; j < s[i].n_args; j++)
			if (!ord_scenario_package(p->sc, s[i].args[j])) {
				p->line = s[i].line;
				return sc_error(p,
						"no package labelled '%s' "
						"(define it with deb or "
						"package)",
						s[i].args[j]);
			}
	}
	return 0;
}

static int sc_finish(struct sc_parser *p)
{
	struct ord_scenario *sc = p->sc;
	int r;

	if (p->block != SC_TOP) {
		p->line = p->block_line;
		return sc_error(p, "%s block without 'end'",
				p->block == SC_PACKAGE ? "package" : "permute");
	}
	r = sc_check_labels(p, sc->before, sc->n_before);
	if (r == 0)
		r = sc_check_labels(p, sc->items, sc->n_items);
	if (r == 0)
		r = sc_check_labels(p, sc->after, sc->n_after);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sc->n_items; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(sc->items[i].label, sc->items[j].label) ==
			    0) {
				p->line = sc->items[i].line;
				return sc_error(p,
						"permuted step '%s' appears "
						"twice",
						sc->items[i].label);
			}
	if (p->permuted && sc->n_items == 0) {
		p->line = p->block_line;
		return sc_error(p, "permute: no steps to permute");
	}
	if (sc->n_before + sc->n_items + sc->n_after == 0) {
		p->line = 0;
		return sc_error(p, "no steps: nothing to run (see 'permute' "
				   "and 'install')");
	}
	return 0;
}

/* ---- Entry points -------------------------------------------------- */

int ord_scenario_parse(const char *text, size_t len, const char *origin,
		       const char *dir, struct ord_scenario **ret_scenario,
		       char **ret_error)
{
	struct sc_parser *p;
	struct ord_scenario *sc;
	size_t pos = 0;
	int r = 0;

	p = calloc(1, sizeof(*p));
	sc = calloc(1, sizeof(*sc));
	if (!p || !sc) {
		free(p);
		free(sc);
		return -ENOMEM;
	}
	sc->autosync = true;
	p->sc = sc;
	p->origin = origin ? origin : "scenario";
	p->dir = dir;
	if (len > ORD_SCENARIO_MAX_SIZE) {
		r = sc_error(p, "larger than %d bytes", ORD_SCENARIO_MAX_SIZE);
		goto out;
	}
	while (pos < len && r == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t ll = end - pos;

		p->line++;
		if (ll > 0 && text[pos + ll - 1] == '\r')
			ll--;
		if (ll > ORD_SCENARIO_MAX_LINE) {
			r = sc_error(p, "line longer than %d bytes",
				     ORD_SCENARIO_MAX_LINE);
			break;
		}
		for (size_t i = 0; i < ll; i++) {
			unsigned char c = (unsigned char)text[pos + i];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				r = sc_error(p,
					     "control character 0x%02x in "
					     "column %zu",
					     c, i + 1);
				break;
			}
		}
		if (r < 0)
			break;
		memcpy(p->raw, text + pos, ll);
		p->raw[ll] = '\0';
		r = sc_line(p);
		pos = end + 1;
	}
	if (r == 0)
		r = sc_finish(p);
	if (r == 0 && !sc->name) {
		sc->name = strdup(p->origin);
		if (!sc->name)
			r = -ENOMEM;
	}
out:
	if (r < 0) {
		ord_scenario_free(sc);
		if (r == -EINVAL && ret_error) {
			*ret_error = p->error;
			p->error = NULL;
		}
		free(p->error);
		free(p);
		return r;
	}
	free(p);
	*ret_scenario = sc;
	return 0;
}

int ord_scenario_load(const char *path, struct ord_scenario **ret_scenario,
		      char **ret_error)
{
	char *text = NULL, *dir = NULL, *name = NULL, *slash;
	const char *base;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		goto fail;
	}
	if (st.st_size > ORD_SCENARIO_MAX_SIZE) {
		close(fd);
		if (asprintf(ret_error, "%s: larger than %d bytes", path,
			     ORD_SCENARIO_MAX_SIZE) < 0)
			*ret_error = NULL;
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = read(fd, text + len, (size_t)st.st_size + 1 - len)) > 0 &&
	       len < (size_t)st.st_size + 1)
		len += (size_t)n;
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		goto fail;
	dir = strdup(path);
	if (!dir) {
		free(text);
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	/* The scenario's default name: the file name without .scenario. */
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	name = strdup(base);
	if (name && strlen(name) > 9 &&
	    strcmp(name + strlen(name) - 9, ".scenario") == 0)
		name[strlen(name) - 9] = '\0';
	r = ord_scenario_parse(text, len, path, slash ? dir : NULL,
			       ret_scenario, ret_error);
	if (r == 0 && name && strcmp((*ret_scenario)->name, path) == 0) {
		free((*ret_scenario)->name);
		(*ret_scenario)->name = name;
		name = NULL;
	}
	free(name);
	free(dir);
	free(text);
	return r;
fail:
	free(text);
	if (asprintf(ret_error, "cannot read %s: %s", path, strerror(-r)) < 0)
		*ret_error = NULL;
	return r;
}

int ord_scenario_from_debs(char *const *debs, char *const *labels, size_t n,
			   struct ord_scenario **ret_scenario)
{
	struct ord_scenario *sc;

	if (n == 0 || n > ORD_SCENARIO_MAX_ITEMS)
		return -EINVAL;
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	sc->autosync = true;
	sc->packages = calloc(n, sizeof(*sc->packages));
	sc->items = calloc(n, sizeof(*sc->items));
	sc->name = strdup("command line");
	if (!sc->packages || !sc->items || !sc->name)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		struct ord_package *pkg = &sc->packages[i];
		struct ord_step *s = &sc->items[i];

		sc->n_packages++;
		sc->n_items++;
		pkg->label = strdup(labels[i]);
		pkg->deb = strdup(debs[i]);
		s->kind = ORD_STEP_INSTALL;
		s->args = calloc(1, sizeof(char *));
		s->label = strdup(labels[i]);
		if (!pkg->label || !pkg->deb || !s->args || !s->label)
			goto nomem;
		s->n_args = 1;
		s->args[0] = strdup(labels[i]);
		if (!s->args[0])
			goto nomem;
	}
	*ret_scenario = sc;
	return 0;
nomem:
	ord_scenario_free(sc);
	return -ENOMEM;
}

static void sc_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void sc_steps_free(struct ord_step *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		sc_strv_free(s[i].args, s[i].n_args);
		sc_strv_free(s[i].opts, s[i].n_opts);
		free(s[i].label);
	}
	free(s);
}

void ord_scenario_free(struct ord_scenario *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n_packages; i++) {
		struct ord_package *pkg = &sc->packages[i];

		free(pkg->label);
		free(pkg->deb);
		free(pkg->name);
		free(pkg->version);
		free(pkg->arch);
		sc_strv_free(pkg->control, pkg->n_control);
		for (size_t j = 0; j < pkg->n_entries; j++) {
			free(pkg->entries[j].path);
			free(pkg->entries[j].text);
		}
		free(pkg->entries);
	}
	free(sc->packages);
	sc_steps_free(sc->before, sc->n_before);
	sc_steps_free(sc->items, sc->n_items);
	sc_steps_free(sc->after, sc->n_after);
	sc_strv_free(sc->alias_pairs, sc->n_alias_pairs);
	free(sc->name);
	free(sc->arch);
	free(sc);
}

struct ord_package *ord_scenario_package(const struct ord_scenario *sc,
					 const char *label)
{
	for (size_t i = 0; i < sc->n_packages; i++)
		if (strcmp(sc->packages[i].label, label) == 0)
			return &sc->packages[i];
	return NULL;
}

static const char *const ord_baseline_names[] = {
	[ORD_BASELINE_MERGED] = "merged",
	[ORD_BASELINE_SPLIT] = "split",
	[ORD_BASELINE_NONE] = "none",
};

const char *ord_baseline_name(enum ord_baseline b)
{
	return b <= ORD_BASELINE_NONE ? ord_baseline_names[b] : "?";
}

int ord_baseline_parse(const char *word, enum ord_baseline *ret)
{
	for (size_t i = 0; i <= ORD_BASELINE_NONE; i++)
		if (strcmp(word, ord_baseline_names[i]) == 0) {
			*ret = (enum ord_baseline)i;
			return 0;
		}
	return -EINVAL;
}
