/*
 * mount.aliasfs: the command line of an external mount helper. Parsed by
 * hand rather than with getopt(3) so that the result does not depend on
 * POSIXLY_CORRECT: mount(8) puts SPEC and DIR first, people put them last.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount-helper/cmdline.h"

static int add_options(struct mh_cmdline *c, const char *opts)
{
	size_t old = c->options ? strlen(c->options) : 0;
	char *p = realloc(c->options, old + 1 + strlen(opts) + 1);

	if (!p)
		return -ENOMEM;
	if (old)
		p[old++] = ',';
	strcpy(p + old, opts);
	c->options = p;
	return 0;
}

static int bad(char *msg, size_t msgsz, const char *what, const char *arg)
{
	snprintf(msg, msgsz, "%s '%s'", what, arg);
	return -EINVAL;
}

/* @arg is "-..." with one or more option letters; @next is the argument
 * after it (NULL at the end). Returns how many extra arguments it used
 * (0 or 1), or a negative errno. */
static int parse_letters(struct mh_cmdline *c, const char *arg,
			 const char *next, char *msg, size_t msgsz)
{
	for (const char *l = arg + 1; *l; l++) {
		const char *value;
		int used = 0;
		char letter[3] = {'-', *l, '\0'};

		switch (*l) {
		case 's':
			c->sloppy = true;
			continue;
		case 'f':
			c->fake = true;
			continue;
		case 'n':
			c->no_mtab = true;
			continue;
		case 'v':
			c->verbose = true;
			continue;
		case 'h':
			c->help = true;
			continue;
		case 'V':
			c->version = true;
			continue;
		case 'N':
		case 'o':
		case 't':
			break;
		default:
			return bad(msg, msgsz, "unknown option", letter);
		}
		/* -oVALUE or -o VALUE: the rest of the word, else the next. */
		value = l[1] ? l + 1 : next;
		used = l[1] ? 0 : 1;
		if (!value)
			return bad(msg, msgsz, "missing argument to", letter);
		if (*l == 'N') {
			c->namespace = value;
		} else if (*l == 't') {
			c->type = value;
		} else if (add_options(c, value) < 0) {
			return -ENOMEM;
		}
		return used;
	}
	return 0;
}

int mh_cmdline_parse(int argc, char *const argv[], struct mh_cmdline *c,
		     char *msg, size_t msgsz)
{
	bool only_operands = false;

	memset(c, 0, sizeof(*c));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!only_operands && strcmp(a, "--") == 0) {
			only_operands = true;
		} else if (!only_operands && strcmp(a, "--help") == 0) {
			c->help = true;
		} else if (!only_operands && strcmp(a, "--version") == 0) {
			c->version = true;
		} else if (!only_operands && a[0] == '-' && a[1] == '-') {
			return bad(msg, msgsz, "unknown option", a);
		} else if (!only_operands && a[0] == '-' && a[1]) {
			int r = parse_letters(c, a,
					      i + 1 < argc ? argv[i + 1] : NULL,
					      msg, msgsz);

			if (r < 0)
				return r;
			i += r;
		} else if (!c->spec) {
			c->spec = a;
		} else if (!c->dir) {
			c->dir = a;
		} else {
			return bad(msg, msgsz, "unexpected argument", a);
		}
	}
	if (c->help || c->version)
		return 0;
	if (!c->spec || !c->dir) {
		snprintf(msg, msgsz,
			 "a backing directory and a mount point "
			 "are needed");
		return -EINVAL;
	}
	if (!c->spec[0] || !c->dir[0]) {
		snprintf(msg, msgsz, "empty %s",
			 c->spec[0] ? "mount point" : "backing path");
		return -EINVAL;
	}
	if (c->type && strcmp(c->type, "aliasfs") != 0 &&
	    strcmp(c->type, "fuse.aliasfs") != 0)
		return bad(msg, msgsz,
			   "this helper mounts aliasfs or fuse.aliasfs, not",
			   c->type);
	return 0;
}

void mh_cmdline_free(struct mh_cmdline *c)
{
	if (!c)
		return;
	free(c->options);
	c->options = NULL;
}
