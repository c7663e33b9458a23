/*
 * aliasctl orderings: the scenario parser — the shipped examples, every
 * kind of line, errors naming their line, and garbage (random bytes and
 * mutated scenarios) that must give a message naming a line, never a
 * crash.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aliasctl/orderings-scenario.h"

static struct ord_scenario *parse_ok(const char *text)
{
	struct ord_scenario *sc = NULL;
	char *why = NULL;
	int r = ord_scenario_parse(text, strlen(text), "t", "/d", &sc, &why);

	if (r != 0)
		fail_msg("parse failed: %d %s", r, why ? why : "");
	free(why);
	return sc;
}

/* The message for @text, which must be refused. */
static char *parse_bad(const char *text)
{
	struct ord_scenario *sc = NULL;
	char *why = NULL;
	int r = ord_scenario_parse(text, strlen(text), "t", NULL, &sc, &why);

	if (r != -EINVAL)
		fail_msg("expected -EINVAL for [%s], got %d", text, r);
	assert_null(sc);
	assert_non_null(why);
	return why;
}

static void test_examples(void **state)
{
	static const char *const files[] = {"seed-003", "dep17-p1", "five"};
	const char *src = getenv("top_srcdir");

	(void)state;
	if (!src)
		src = ".";
	for (size_t i = 0; i < 3; i++) {
		struct ord_scenario *sc = NULL;
		char path[4096], *why = NULL;
		int r;

		snprintf(path, sizeof(path), "%s/examples/%s.scenario", src,
			 files[i]);
		r = ord_scenario_load(path, &sc, &why);
		if (r != 0)
			fail_msg("%s: %s", path, why ? why : strerror(-r));
		assert_string_equal(sc->name, files[i]);
		assert_true(sc->n_items >= 2);
		ord_scenario_free(sc);
	}
}

static void test_seed003_shape(void **state)
{
	struct ord_scenario *sc = parse_ok(
		"name seed-003 demo\n"
		"aliases none\n"
		"package a a 1\n\tfile /bin/test\nend\n"
		"package b b 1\n  file /usr/bin/test = text # kept\nend\n"
		"package c c 1\n"
		"\tfile /usr/share/aliasfs/aliases.d/c = /bin /usr/bin\n"
		"\tReplaces: a (<< 2)\n"
		"\tsymlink /usr/bin/x -> y\n"
		"\tdir /usr/lib/c\n"
		"\tscript postinst echo 1\n"
		"\tscript postinst echo 2\n"
		"end\n"
		"permute a b,c\n"
		"remove --force-depends c # a comment\n");

	(void)state;
	assert_string_equal(sc->name, "seed-003 demo");
	assert_int_equal(sc->aliases, ORD_ALIASES_NONE);
	assert_int_equal(sc->n_packages, 3);
	assert_true(sc->packages[2].built);
	assert_string_equal(sc->packages[2].name, "c");
	assert_string_equal(sc->packages[2].arch, "all");
	assert_int_equal(sc->packages[2].n_control, 1);
	assert_string_equal(sc->packages[2].control[0], "Replaces: a (<< 2)");
	assert_int_equal(sc->packages[2].n_entries, 5);
	assert_string_equal(sc->packages[2].entries[0].text, "/bin /usr/bin");
	assert_string_equal(sc->packages[2].entries[1].text, "y");
	assert_string_equal(sc->packages[1].entries[0].text, "text # kept");
	assert_int_equal(sc->n_before, 0);
	assert_int_equal(sc->n_items, 2);
	assert_string_equal(sc->items[0].label, "a");
	assert_string_equal(sc->items[1].label, "b,c");
	assert_int_equal(sc->items[1].n_args, 2);
	assert_int_equal(sc->n_after, 1);
	assert_int_equal(sc->after[0].kind, ORD_STEP_REMOVE);
	assert_int_equal(sc->after[0].n_opts, 1);
	assert_true(sc->autosync);
	ord_scenario_free(sc);
}

static void test_steps_and_settings(void **state)
{
	struct ord_scenario *sc =
		parse_ok("deb x x_1.deb\r\n"
			 "deb y /abs/y.deb\n"
			 "arch i386\n"
			 "baseline split\n"
			 "sample 10\n"
			 "seed 18446744073709551615\n"
			 "timeout 30\n"
			 "autosync off\n"
			 "aliases /bin /usr/bin /sbin /usr/sbin\n"
			 "install x\n"
			 "declare mine /lib /usr/lib\n"
			 "sync\n"
			 "permute\n"
			 "  install --auto-deconfigure x\n"
			 "  purge y\n"
			 "  undeclare mine\n"
			 "  dpkg --configure -a\n"
			 "end\n");

	(void)state;
	assert_string_equal(sc->packages[0].deb, "/d/x_1.deb");
	assert_string_equal(sc->packages[1].deb, "/abs/y.deb");
	assert_string_equal(sc->arch, "i386");
	assert_int_equal(sc->baseline, ORD_BASELINE_SPLIT);
	assert_int_equal(sc->sample, 10);
	assert_true(sc->seed == UINT64_MAX);
	assert_int_equal(sc->timeout, 30);
	assert_false(sc->autosync);
	assert_int_equal(sc->aliases, ORD_ALIASES_LIST);
	assert_int_equal(sc->n_alias_pairs, 4);
	assert_int_equal(sc->n_before, 3);
	assert_int_equal(sc->n_items, 4);
	assert_string_equal(sc->items[0].label, "install --auto-deconfigure x");
	assert_string_equal(sc->items[1].label, "purge y");
	assert_string_equal(sc->items[3].label, "dpkg --configure -a");
	ord_scenario_free(sc);
}

struct bad_case {
	const char *text;
	const char *where; /* "t:N:" */
	const char *says;
};

static const struct bad_case bad_cases[] = {
	{"frobnicate\n", "t:1:", "unknown keyword"},
	{"install\n", "t:1:", "which package"},
	{"\n\ninstall nothere\n", "t:3:", "no package labelled 'nothere'"},
	{"package a a 1\nfile /x\n", "t:1:", "without 'end'"},
	{"permute\ninstall a\n", "t:1:", "without 'end'"},
	{"end\n", "t:1:", "end without"},
	{"package a a 1\nend\npackage a a 2\nend\n",
	 "t:3:", "already defined on line 1"},
	{"package a A 1\nend\n", "t:1:", "not a Debian package name"},
	{"package a a x\nend\n", "t:1:", "not a version"},
	{"package a a 1\nfile bin/x\nend\n", "t:2:", "absolute normalized"},
	{"package a a 1\nfile /bin/../x\nend\n", "t:2:", "normalized"},
	{"package a a 1\nfile /x\nfile /x\nend\n", "t:3:", "already in"},
	{"package a a 1\nPackage: b\nend\n", "t:2:", "package line"},
	{"package a a 1\nscript config x\nend\n", "t:2:", "not preinst"},
	{"package a a 1\nfile /x =\nend\n", "t:2:", "file: expected"},
	{"aliases /bin\n", "t:1:", "has no CANONICAL"},
	{"aliases /usr /x\n", "t:1:", "refused"},
	{"aliases /etc /usr/etc\n", "t:1:", "refused"},
	{"aliases maybe\n", "t:1:", "not default, none"},
	{"baseline tree\n", "t:1:", "merged, split"},
	{"sample 0\n", "t:1:", "not in 1.."},
	{"sample 99999999999999999999999\n", "t:1:", "too large"},
	{"seed -1\n", "t:1:", "not a number"},
	{"timeout 1x\n", "t:1:", "not a number"},
	{"autosync maybe\n", "t:1:", "on or off"},
	{"name a\nname b\n", "t:2:", "given twice"},
	{"deb a\n", "t:1:", "expected LABEL FILE"},
	{"deb a/b x.deb\n", "t:1:", "not a valid label"},
	{"deb a a.deb\npermute a a\n", "t:2:", "appears twice"},
	{"deb a a.deb\npermute a\npermute a\n", "t:3:", "second permute"},
	{"deb a a.deb\npermute a,,b\n", "t:2:", "empty label"},
	{"deb a a.deb\npermute --frob a\n", "t:2:", "not a dpkg option"},
	{"deb a a.deb\ninstall --root=/ a\n", "t:2:", "not a dpkg option"},
	{"dpkg --admindir=/x -l\n", "t:1:", "set by aliasctl"},
	{"declare x /bin\n", "t:1:", "expected NAME ALIAS"},
	{"declare .x /bin /usr/bin\n", "t:1:", "not a declaration name"},
	{"declare x bin /usr/bin\n", "t:1:", "not an absolute path"},
	{"undeclare\n", "t:1:", "expected NAME"},
	{"sync now\n", "t:1:", "takes nothing"},
	{"permute\nend\n", "t:1:", "no steps to permute"},
	{"# nothing\n\n", "t:0:", "no steps"},
	{"sync\x01\n", "t:1:", "control character"},
	{"sync\n\x7f\n", "t:2:", "control character"},
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(*bad_cases); i++) {
		char *why = parse_bad(bad_cases[i].text);

		if (strncmp(why, bad_cases[i].where,
			    strlen(bad_cases[i].where)) != 0 ||
		    !strstr(why, bad_cases[i].says))
			fail_msg("case %zu: [%s] gave [%s], want %s...%s", i,
				 bad_cases[i].text, why, bad_cases[i].where,
				 bad_cases[i].says);
		free(why);
	}
}

static void test_limits(void **state)
{
	char *big, *why;
	size_t n;

	(void)state;
	/* A line longer than the limit. */
	n = ORD_SCENARIO_MAX_LINE + 10;
	big = malloc(n + 8);
	assert_non_null(big);
	memcpy(big, "sync\n", 5);
	memset(big + 5, 'x', n);
	big[5 + n] = '\0';
	why = parse_bad(big);
	assert_non_null(strstr(why, "t:2: line longer"));
	free(why);
	/* 21 permuted steps. */
	{
		char text[2048] = "", line[64];

		for (int i = 0; i < 21; i++) {
			snprintf(line, sizeof(line), "deb p%d p%d.deb\n", i, i);
			strcat(text, line);
		}
		strcat(text, "permute");
		for (int i = 0; i < 21; i++) {
			snprintf(line, sizeof(line), " p%d", i);
			strcat(text, line);
		}
		strcat(text, "\n");
		why = parse_bad(text);
		assert_non_null(strstr(why, "more than 20 permuted"));
		free(why);
	}
	free(big);
}

/* xorshift, so every run fuzzes the same inputs. */
static uint64_t fuzz_state = 0x5eed0123456789abULL;

static uint64_t fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return fuzz_state;
}

/* Parse @text: either a scenario or a message "t:N: ..." with N at most
 * one past the last line. */
static void fuzz_one(const char *text, size_t len)
{
	struct ord_scenario *sc = NULL;
	char *why = NULL;
	unsigned lines = 1, line;
	int r;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;
	r = ord_scenario_parse(text, len, "t", NULL, &sc, &why);
	if (r == 0) {
		assert_non_null(sc);
		ord_scenario_free(sc);
		return;
	}
	assert_int_equal(r, -EINVAL);
	assert_non_null(why);
	if (sscanf(why, "t:%u:", &line) != 1 || line > lines)
		fail_msg("message without a line: [%s]", why);
	free(why);
}

static const char *const fuzz_words[] = {
	"package", "end",	  "permute",   "install", "remove",
	"purge",   "declare",	  "undeclare", "sync",	  "dpkg",
	"deb",	   "aliases",	  "baseline",  "sample",  "seed",
	"timeout", "autosync",	  "name",      "file",	  "dir",
	"symlink", "script",	  "Replaces:", "a",	  "b",
	"a,b",	   "/bin",	  "/usr/bin",  "=",	  "->",
	"#",	   "--force-all", "1",	       "none",	  "\n",
	"\n",	   "\n",	  " ",	       "\t",
};

static void test_fuzz(void **state)
{
	const char *src = getenv("top_srcdir");
	char path[4096], *seed_text = NULL;
	size_t seed_len = 0;
	FILE *f;

	(void)state;
	/* Random bytes. */
	for (int i = 0; i < 3000; i++) {
		size_t len = fuzz_next() % 600;
		char *buf = malloc(len + 1);

		assert_non_null(buf);
		for (size_t k = 0; k < len; k++)
			buf[k] = (char)(fuzz_next() % 4 == 0 ? '\n'
							     : fuzz_next());
		buf[len] = '\0';
		fuzz_one(buf, len);
		free(buf);
	}
	/* Random sentences of the format's own words. */
	for (int i = 0; i < 3000; i++) {
		char buf[4096];
		size_t len = 0, words = fuzz_next() % 60;

		for (size_t k = 0; k < words; k++) {
			const char *w =
				fuzz_words[fuzz_next() % (sizeof(fuzz_words) /
							  sizeof(*fuzz_words))];

			if (len + strlen(w) + 2 >= sizeof(buf))
				break;
			memcpy(buf + len, w, strlen(w));
			len += strlen(w);
			buf[len++] = fuzz_next() % 3 ? ' ' : '\n';
		}
		buf[len] = '\0';
		fuzz_one(buf, len);
	}
	/* Mutations of a real scenario: bytes flipped, lines cut. */
	snprintf(path, sizeof(path), "%s/examples/five.scenario",
		 src ? src : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	seed_text = malloc(65536);
	assert_non_null(seed_text);
	seed_len = fread(seed_text, 1, 65535, f);
	fclose(f);
	for (int i = 0; i < 3000; i++) {
		char *buf = malloc(seed_len + 1);
		size_t len = seed_len, flips = 1 + fuzz_next() % 8;

		assert_non_null(buf);
		memcpy(buf, seed_text, seed_len);
		for (size_t k = 0; k < flips; k++)
			buf[fuzz_next() % seed_len] = (char)fuzz_next();
		if (fuzz_next() % 4 == 0)
			len = fuzz_next() % seed_len;
		buf[len] = '\0';
		fuzz_one(buf, len);
		free(buf);
	}
	free(seed_text);
}

static void test_from_debs(void **state)
{
	char *debs[] = {"/x/a.deb", "/x/b.deb"};
	char *labels[] = {"a", "b"};
	struct ord_scenario *sc = NULL;

	(void)state;
	assert_int_equal(ord_scenario_from_debs(debs, labels, 2, &sc), 0);
	assert_int_equal(sc->n_items, 2);
	assert_int_equal(sc->aliases, ORD_ALIASES_DEFAULT);
	assert_string_equal(sc->items[1].label, "b");
	assert_string_equal(ord_scenario_package(sc, "b")->deb, "/x/b.deb");
	ord_scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_seed003_shape),
		cmocka_unit_test(test_steps_and_settings),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_from_debs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
