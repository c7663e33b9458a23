/*
 * aliasctl orderings: the result as JSON and back (what --merge reads),
 * merging shards, garbage refused with a line, dpkg's messages parsed,
 * and the HTML page's embedded JSON unable to end its <script>.
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

#include "aliasctl/orderings-json.h"
#include "aliasctl/orderings-output.h"
#include "aliasctl/orderings-record.h"

static struct ord_side *make_side(enum ord_outcome o, const char *tricky)
{
	struct ord_side *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->outcome = o;
	s->seconds = 1.5;
	s->steps = calloc(2, sizeof(*s->steps));
	s->n_steps = 2;
	s->steps[0].command = strdup("dpkg -i a_1.deb");
	s->steps[0].output = strdup(tricky);
	s->steps[1].command = strdup("dpkg -i b_1.deb");
	s->steps[1].rc = 1;
	s->steps[1].seconds = 0.25;
	s->steps[1].output = strdup("");
	assert_int_equal(ord_strv_push(&s->steps[1].errors,
				       &s->steps[1].n_errors,
				       "trying to overwrite '/usr/bin/test'"),
			 0);
	assert_int_equal(ord_strv_push(&s->overwritten, &s->n_overwritten,
				       "/usr/bin/test"),
			 0);
	assert_int_equal(ord_strv_push(&s->aliases, &s->n_aliases, "/bin"), 0);
	s->blocked = calloc(1, sizeof(*s->blocked));
	s->blocked[0].alias = strdup("/sbin");
	s->blocked[0].reason = strdup("hides /sbin/x");
	s->n_blocked = 1;
	s->files = calloc(2, sizeof(*s->files));
	s->n_files = 2;
	s->files[0].path = strdup("/usr/bin/l");
	s->files[0].type = 'l';
	s->files[0].target = strdup("t");
	s->files[1].path = strdup("/usr/bin/test");
	s->files[1].type = 'f';
	s->files[1].sha256 = strdup("ab");
	assert_int_equal(
		ord_strv_push(&s->files[1].owners, &s->files[1].n_owners, "a"),
		0);
	s->audit = strdup("");
	return s;
}

static struct ord_result *make_result(const uint64_t *idx, size_t n,
				      const char *tricky)
{
	struct ord_result *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->scenario = strdup("seed-003");
	r->baseline = strdup("merged");
	r->aliases = strdup("none");
	r->mode = strdup("root");
	r->total = 6;
	r->jobs = 2;
	r->shard_n = 1;
	ord_strv_push(&r->packages, &r->n_packages, "a");
	ord_strv_push(&r->packages, &r->n_packages, "b");
	r->orderings = calloc(n, sizeof(*r->orderings));
	for (size_t i = 0; i < n; i++) {
		struct ord_ordering *o = &r->orderings[r->n_orderings++];

		o->index = idx[i];
		ord_strv_push(&o->order, &o->n_order, i % 2 ? "b" : "a");
		ord_strv_push(&o->order, &o->n_order, i % 2 ? "a" : "b");
		o->view = make_side(ORD_OUTCOME_REFUSED, tricky);
		o->baseline = make_side(ORD_OUTCOME_OVERWRITTEN, tricky);
	}
	return r;
}

static char *to_text(const struct ord_result *r, bool html, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	if (html)
		ord_html_write(f, r);
	else
		ord_json_write(f, r, false);
	fclose(f);
	return buf;
}

static const char tricky[] = "quote \" backslash \\ tab \t nl \n ctrl \x01 "
			     "</script> <b>&amp; \xc3\xa9 \xf0\x9f\x98\x80 "
			     "bad \xff end";

static void test_roundtrip(void **state)
{
	uint64_t idx[] = {0, 5, 2432902008176639999ULL};
	struct ord_result *r = make_result(idx, 3, tricky), *back = NULL;
	char *text, *text2, *why = NULL;
	size_t len, len2;

	(void)state;
	text = to_text(r, false, &len);
	assert_int_equal(ord_json_parse(text, len, &back, &why), 0);
	assert_string_equal(back->scenario, "seed-003");
	assert_int_equal(back->n_orderings, 3);
	assert_true(back->orderings[2].index == 2432902008176639999ULL);
	assert_int_equal(back->orderings[1].view->outcome, ORD_OUTCOME_REFUSED);
	assert_int_equal(back->orderings[1].baseline->steps[1].rc, 1);
	assert_string_equal(back->orderings[1].view->files[0].target, "t");
	assert_string_equal(back->orderings[1].view->blocked[0].reason,
			    "hides /sbin/x");
	/* Text survives, except the invalid byte, which becomes U+FFFD. */
	assert_non_null(strstr(
		back->orderings[0].view->steps[0].output,
		"quote \" backslash \\ tab \t nl \n ctrl \x01 </script>"));
	assert_non_null(strstr(back->orderings[0].view->steps[0].output,
			       "bad \xef\xbf\xbd end"));
	/* Written again and read again, it stays the same text (after the
	 * first pass turned the invalid byte into U+FFFD). */
	text2 = to_text(back, false, &len2);
	ord_result_free(back);
	back = NULL;
	assert_int_equal(ord_json_parse(text2, len2, &back, &why), 0);
	free(text);
	text = to_text(back, false, &len);
	assert_int_equal(len, len2);
	assert_memory_equal(text, text2, len);
	free(text2);
	free(text);
	ord_result_free(back);
	ord_result_free(r);
}

static void test_html_safe(void **state)
{
	uint64_t idx[] = {0};
	struct ord_result *r = make_result(idx, 1, tricky);
	char *page, *data, *end;
	size_t len;

	(void)state;
	page = to_text(r, true, &len);
	data = strstr(page, "<script type=\"application/json\" id=\"data\">");
	assert_non_null(data);
	end = strstr(data, "</script>");
	assert_non_null(end);
	/* The data's own "</script>" is escaped: the first end tag is the
	 * element's, and the JSON before it parses. */
	data += strlen("<script type=\"application/json\" id=\"data\">");
	{
		struct ord_result *back = NULL;
		char *why = NULL;

		assert_int_equal(
			ord_json_parse(data, (size_t)(end - data), &back, &why),
			0);
		assert_non_null(strstr(back->orderings[0].view->steps[0].output,
				       "</script> <b>&amp;"));
		ord_result_free(back);
	}
	assert_null(strstr(page, "http://"));
	assert_null(strstr(page, "https://"));
	assert_null(strstr(page, " src="));
	free(page);
	ord_result_free(r);
}

static void test_merge(void **state)
{
	uint64_t i1[] = {0, 2, 4}, i2[] = {1, 3, 5, 4};
	struct ord_result *a = make_result(i1, 3, "x"),
			  *b = make_result(i2, 4, "y"), *c;
	char *why = NULL;

	(void)state;
	assert_int_equal(ord_result_merge(a, b, &why), 0);
	assert_int_equal(a->n_orderings, 6);
	for (size_t i = 0; i < 6; i++)
		assert_true(a->orderings[i].index == i);
	/* Index 4 is in both: the first copy stays. */
	assert_string_equal(a->orderings[4].view->steps[0].output, "x");
	c = make_result(i1, 1, "z");
	free(c->scenario);
	c->scenario = strdup("other");
	assert_int_equal(ord_result_merge(a, c, &why), -EINVAL);
	assert_non_null(strstr(why, "not the same run"));
	free(why);
	ord_result_free(a);
}

static void test_bad_json(void **state)
{
	static const char *const bad[] = {
		"",
		"{",
		"[]",
		"{\"scenario\": 1}",
		"{\"scenario\": \"s\", \"packages\": [], \"baseline\": \"m\", "
		"\"total\": 1, \"orderings\": [{\"index\": -1}]}",
		"{\"scenario\": \"s\", \"packages\": [], \"baseline\": \"m\", "
		"\"total\": 1, \"orderings\": [{\"index\": 0, \"order\": [], "
		"\"view\": {\"outcome\": \"fine\"}}]}",
		"{\"scenario\": \"s\"} trailing",
		"\"\\ud800\"",
		"{\"a\": \"\\u12\"}",
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		"[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
		"]]]]]]]]]]]]]]]]",
	};
	uint64_t idx[] = {0, 1};
	struct ord_result *r = make_result(idx, 2, tricky), *back;
	uint64_t st = 0x1234567887654321ULL;
	char *text, *why;
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		back = NULL;
		why = NULL;
		assert_int_equal(
			ord_json_parse(bad[i], strlen(bad[i]), &back, &why),
			-EINVAL);
		assert_null(back);
		assert_non_null(why);
		assert_true(strncmp(why, "line ", 5) == 0);
		free(why);
	}
	/* Mutations of a real file: parse or refuse, never crash. */
	text = to_text(r, false, &len);
	for (int i = 0; i < 2000; i++) {
		char *m = malloc(len + 1);
		size_t mlen = len;

		assert_non_null(m);
		memcpy(m, text, len);
		for (int k = 0; k < 4; k++) {
			st ^= st << 13;
			st ^= st >> 7;
			st ^= st << 17;
			m[st % len] = (char)(st >> 32);
		}
		if (i % 5 == 0)
			mlen = (size_t)(st % len);
		m[mlen] = '\0';
		back = NULL;
		why = NULL;
		if (ord_json_parse(m, mlen, &back, &why) == 0)
			ord_result_free(back);
		else
			assert_non_null(why);
		free(why);
		free(m);
	}
	free(text);
	ord_result_free(r);
}

static void test_dpkg_output(void **state)
{
	const char *out =
		"Selecting previously unselected package b.\n"
		"Unpacking b (1) ...\n"
		"dpkg: error processing archive b_1.deb (--install):\n"
		" trying to overwrite '/usr/bin/test', which is also in "
		"package a 1\n"
		"dpkg: warning: overriding problem because --force enabled:\n"
		"dpkg: warning: trying to overwrite '/bin/x', which is also in "
		"package c 1\n"
		"dpkg: dependency problems prevent configuration of a:\n"
		" b (1) breaks a (<< 2) and is installed.\n"
		"  Version of a to be configured is 1.\n"
		"Errors were encountered while processing:\n"
		" b_1.deb\n";
	char **errors = NULL, **reported = NULL;
	size_t ne = 0, nr = 0;

	(void)state;
	assert_int_equal(
		ord_record_parse_output(out, &errors, &ne, &reported, &nr), 0);
	assert_int_equal(ne, 2);
	assert_string_equal(
		errors[0], "error processing archive b_1.deb (--install): "
			   "trying to overwrite '/usr/bin/test', which is also "
			   "in package a 1");
	assert_string_equal(
		errors[1], "dependency problems prevent configuration of a: "
			   "b (1) breaks a (<< 2) and is installed. Version of "
			   "a to be configured is 1.");
	assert_int_equal(nr, 2);
	assert_string_equal(reported[0], "/usr/bin/test");
	assert_string_equal(reported[1], "/bin/x");
	ord_strv_free(errors, ne);
	ord_strv_free(reported, nr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_html_safe),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_dpkg_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
