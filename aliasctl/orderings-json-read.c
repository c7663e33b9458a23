/*
 * Reading a result back from JSON (for --merge): a small JSON parser into
 * a tree, then the tree into the result model. Shard files come from other
 * machines: every value is checked, nesting and sizes are bounded.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasctl/orderings-json.h"

#define JR_MAX_DEPTH 64
#define JR_MAX_FILE (1024L * 1024 * 1024)

enum jr_type { JR_NULL, JR_BOOL, JR_NUM, JR_STR, JR_ARR, JR_OBJ };

struct jr_val {
	enum jr_type type;
	bool b;
	char *s;	       /* string, or a number's text */
	struct jr_val **items; /* array items, object values */
	char **keys;	       /* object keys */
	size_t n;
	unsigned line;
};

struct jr {
	const char *p, *end;
	unsigned line;
	char *why;
};

static int jr_fail(struct jr *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int jr_fail(struct jr *j, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (j->why)
		return -EINVAL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg && asprintf(&j->why, "line %u: %s", j->line, msg) < 0)
		j->why = NULL;
	free(msg);
	return -EINVAL;
}

static void jr_free(struct jr_val *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		jr_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

static void jr_ws(struct jr *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r')) {
		if (*j->p == '\n')
			j->line++;
		j->p++;
	}
}

static int jr_hex4(struct jr *j, unsigned *ret)
{
	unsigned v = 0;

	if (j->end - j->p < 4)
		return jr_fail(j, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *j->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return jr_fail(j, "bad \\u escape");
	}
	*ret = v;
	return 0;
}

static void jr_utf8(char **o, unsigned cp)
{
	unsigned char *u = (unsigned char *)*o;

	if (cp < 0x80) {
		*u++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*u++ = (unsigned char)(0xc0 | (cp >> 6));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*u++ = (unsigned char)(0xe0 | (cp >> 12));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*u++ = (unsigned char)(0xf0 | (cp >> 18));
		*u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*u++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	*o = (char *)u;
}

/* A string at j->p (the opening quote). */
static int jr_string(struct jr *j, char **ret)
{
	const char *q = ++j->p;
	char *out, *o;

	/* The decoded string is never longer than the encoded one. */
	while (q < j->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= j->end)
		return jr_fail(j, "unterminated string");
	out = malloc((size_t)(q - j->p) + 1);
	if (!out)
		return -ENOMEM;
	o = out;
	while (*j->p != '"') {
		unsigned char c = (unsigned char)*j->p++;
		unsigned cp, lo;

		if (c < 0x20) {
			free(out);
			return jr_fail(j, "control character in a string");
		}
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		c = (unsigned char)*j->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (jr_hex4(j, &cp) < 0) {
				free(out);
				return -EINVAL;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && j->end - j->p >= 6 &&
			    j->p[0] == '\\' && j->p[1] == 'u') {
				j->p += 2;
				if (jr_hex4(j, &lo) < 0) {
					free(out);
					return -EINVAL;
				}
				if (lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
				else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			if (cp == 0)
				cp = 0xfffd; /* no NUL inside C strings */
			jr_utf8(&o, cp);
			break;
		default:
			free(out);
			return jr_fail(j, "bad escape \\%c", c);
		}
	}
	j->p++;
	*o = '\0';
	*ret = out;
	return 0;
}

static int jr_value(struct jr *j, unsigned depth, struct jr_val **ret);

static int jr_push(struct jr_val *v, struct jr_val *item, char *key)
{
	struct jr_val **ni;
	char **nk;

	ni = realloc(v->items, (v->n + 1) * sizeof(*ni));
	if (!ni)
		return -ENOMEM;
	v->items = ni;
	if (v->type == JR_OBJ) {
		nk = realloc(v->keys, (v->n + 1) * sizeof(*nk));
		if (!nk)
			return -ENOMEM;
		v->keys = nk;
		nk[v->n] = key;
	}
	ni[v->n++] = item;
	return 0;
}

static int jr_container(struct jr *j, unsigned depth, struct jr_val *v)
{
	char close = v->type == JR_ARR ? ']' : '}';
	int r;

	j->p++;
	jr_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		struct jr_val *item = NULL;
		char *key = NULL;

		jr_ws(j);
		if (v->type == JR_OBJ) {
			if (j->p >= j->end || *j->p != '"')
				return jr_fail(j, "expected a key");
			r = jr_string(j, &key);
			if (r < 0)
				return r;
			jr_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key);
				return jr_fail(j, "expected ':'");
			}
			j->p++;
		}
		r = jr_value(j, depth + 1, &item);
		if (r == 0)
			r = jr_push(v, item, key);
		if (r < 0) {
			jr_free(item);
			free(key);
			return r;
		}
		jr_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		return jr_fail(j, "expected ',' or '%c'", close);
	}
}

static int jr_value(struct jr *j, unsigned depth, struct jr_val **ret)
{
	struct jr_val *v;
	int r = 0;

	if (depth > JR_MAX_DEPTH)
		return jr_fail(j, "nested deeper than %d", JR_MAX_DEPTH);
	jr_ws(j);
	if (j->p >= j->end)
		return jr_fail(j, "unexpected end");
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->line = j->line;
	switch (*j->p) {
	case '{':
		v->type = JR_OBJ;
		r = jr_container(j, depth, v);
		break;
	case '[':
		v->type = JR_ARR;
		r = jr_container(j, depth, v);
		break;
	case '"':
		v->type = JR_STR;
		r = jr_string(j, &v->s);
		break;
	default:
		if (j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
			v->type = JR_NULL;
			j->p += 4;
		} else if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
			v->type = JR_BOOL;
			v->b = true;
			j->p += 4;
		} else if (j->end - j->p >= 5 &&
			   memcmp(j->p, "false", 5) == 0) {
			v->type = JR_BOOL;
			j->p += 5;
		} else if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
			const char *s = j->p;

			while (j->p < j->end &&
			       strchr("+-0123456789.eE", *j->p))
				j->p++;
			v->type = JR_NUM;
			v->s = strndup(s, (size_t)(j->p - s));
			if (!v->s)
				r = -ENOMEM;
		} else {
			r = jr_fail(j, "unexpected character '%c'", *j->p);
		}
	}
	if (r < 0) {
		jr_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

/* ---- The tree into the model ------------------------------------- */

static struct jr_val *jr_get(const struct jr_val *obj, const char *key)
{
	if (!obj || obj->type != JR_OBJ)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

static int jr_want(struct jr *j, const struct jr_val *v, enum jr_type t,
		   const char *what)
{
	static const char *const names[] = {"null",	"true or false",
					    "a number", "a string",
					    "an array", "an object"};

	if (v && v->type == t)
		return 0;
	if (v)
		j->line = v->line;
	return jr_fail(j, "%s: expected %s", what, names[t]);
}

static int jr_dup(struct jr *j, const struct jr_val *v, const char *what,
		  bool nullable, char **ret)
{
	if (nullable && (!v || v->type == JR_NULL)) {
		*ret = NULL;
		return 0;
	}
	if (jr_want(j, v, JR_STR, what) < 0)
		return -EINVAL;
	*ret = strdup(v->s);
	return *ret ? 0 : -ENOMEM;
}

static int jr_u64(struct jr *j, const struct jr_val *v, const char *what,
		  uint64_t *ret)
{
	char *end;

	if (jr_want(j, v, JR_NUM, what) < 0)
		return -EINVAL;
	errno = 0;
	*ret = strtoull(v->s, &end, 10);
	if (errno || *end || v->s[0] == '-')
		return jr_fail(j, "%s: not a whole number", what);
	return 0;
}

static int jr_int(struct jr *j, const struct jr_val *v, const char *what,
		  int *ret)
{
	char *end;
	long x;

	if (jr_want(j, v, JR_NUM, what) < 0)
		return -EINVAL;
	errno = 0;
	x = strtol(v->s, &end, 10);
	if (errno || *end || x < -1000000 || x > 1000000)
		return jr_fail(j, "%s: not a small whole number", what);
	*ret = (int)x;
	return 0;
}

static int jr_double(struct jr *j, const struct jr_val *v, const char *what,
		     double *ret)
{
	char *end;

	if (jr_want(j, v, JR_NUM, what) < 0)
		return -EINVAL;
	*ret = strtod(v->s, &end);
	if (*end)
		return jr_fail(j, "%s: not a number", what);
	return 0;
}

static int jr_strv(struct jr *j, const struct jr_val *v, const char *what,
		   char ***ret, size_t *ret_n)
{
	if (jr_want(j, v, JR_ARR, what) < 0)
		return -EINVAL;
	for (size_t i = 0; i < v->n; i++) {
		if (jr_want(j, v->items[i], JR_STR, what) < 0)
			return -EINVAL;
		if (ord_strv_push(ret, ret_n, v->items[i]->s) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int jr_step(struct jr *j, const struct jr_val *v,
		   struct ord_step_result *s)
{
	struct jr_val *to;
	int r;

	if (jr_want(j, v, JR_OBJ, "step") < 0)
		return -EINVAL;
	r = jr_dup(j, jr_get(v, "command"), "step command", false, &s->command);
	if (r == 0)
		r = jr_int(j, jr_get(v, "rc"), "step rc", &s->rc);
	if (r == 0 && (to = jr_get(v, "timed_out")))
		s->timed_out = to->type == JR_BOOL && to->b;
	if (r == 0 && jr_get(v, "seconds"))
		r = jr_double(j, jr_get(v, "seconds"), "step seconds",
			      &s->seconds);
	if (r == 0)
		r = jr_strv(j, jr_get(v, "errors"), "step errors", &s->errors,
			    &s->n_errors);
	if (r == 0)
		r = jr_dup(j, jr_get(v, "output"), "step output", true,
			   &s->output);
	return r;
}

static char jr_type_letter(const char *t)
{
	static const char *const names[] = {"file",  "dir",  "symlink", "char",
					    "block", "fifo", "socket",	NULL};
	static const char letters[] = "fdlcbps";

	for (size_t i = 0; names[i]; i++)
		if (strcmp(t, names[i]) == 0)
			return letters[i];
	return '?';
}

static int jr_side(struct jr *j, const struct jr_val *v, struct ord_side **ret)
{
	struct ord_side *s;
	struct jr_val *a, *x;
	char *outcome = NULL;
	int r;

	if (!v || v->type == JR_NULL) {
		*ret = NULL;
		return 0;
	}
	if (jr_want(j, v, JR_OBJ, "side") < 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = jr_dup(j, jr_get(v, "outcome"), "outcome", false, &outcome);
	if (r == 0 && ord_outcome_parse(outcome, &s->outcome) < 0)
		r = jr_fail(j, "unknown outcome '%s'", outcome);
	free(outcome);
	if (r == 0)
		r = jr_dup(j, jr_get(v, "error"), "error", true, &s->error);
	if (r == 0 && jr_get(v, "seconds"))
		r = jr_double(j, jr_get(v, "seconds"), "seconds", &s->seconds);
	a = jr_get(v, "steps");
	if (r == 0)
		r = jr_want(j, a, JR_ARR, "steps");
	if (r == 0) {
		s->steps = calloc(a->n ? a->n : 1, sizeof(*s->steps));
		if (!s->steps)
			r = -ENOMEM;
		for (size_t i = 0; r == 0 && i < a->n; i++) {
			r = jr_step(j, a->items[i], &s->steps[i]);
			s->n_steps++;
		}
	}
	if (r == 0)
		r = jr_strv(j, jr_get(v, "lost"), "lost", &s->lost, &s->n_lost);
	if (r == 0)
		r = jr_strv(j, jr_get(v, "overwritten"), "overwritten",
			    &s->overwritten, &s->n_overwritten);
	if (r == 0)
		r = jr_strv(j, jr_get(v, "aliases"), "aliases", &s->aliases,
			    &s->n_aliases);
	a = jr_get(v, "blocked");
	if (r == 0 && a) {
		r = jr_want(j, a, JR_ARR, "blocked");
		if (r == 0) {
			s->blocked =
				calloc(a->n ? a->n : 1, sizeof(*s->blocked));
			if (!s->blocked)
				r = -ENOMEM;
		}
		for (size_t i = 0; r == 0 && i < a->n; i++) {
			r = jr_want(j, a->items[i], JR_OBJ, "blocked alias");
			if (r == 0)
				r = jr_dup(j, jr_get(a->items[i], "alias"),
					   "blocked alias", false,
					   &s->blocked[i].alias);
			if (r == 0)
				r = jr_dup(j, jr_get(a->items[i], "reason"),
					   "blocked reason", true,
					   &s->blocked[i].reason);
			s->n_blocked++;
		}
	}
	x = jr_get(v, "audit");
	if (r == 0 && x) {
		r = jr_want(j, x, JR_OBJ, "audit");
		if (r == 0)
			r = jr_int(j, jr_get(x, "rc"), "audit rc",
				   &s->audit_rc);
		if (r == 0)
			r = jr_dup(j, jr_get(x, "output"), "audit output", true,
				   &s->audit);
	}
	a = jr_get(v, "files");
	if (r == 0 && a) {
		r = jr_want(j, a, JR_ARR, "files");
		if (r == 0) {
			s->files = calloc(a->n ? a->n : 1, sizeof(*s->files));
			if (!s->files)
				r = -ENOMEM;
		}
		for (size_t i = 0; r == 0 && i < a->n; i++) {
			struct ord_file *f = &s->files[i];
			const struct jr_val *fv = a->items[i];
			char *type = NULL;

			s->n_files++;
			r = jr_want(j, fv, JR_OBJ, "file");
			if (r == 0)
				r = jr_dup(j, jr_get(fv, "path"), "file path",
					   false, &f->path);
			if (r == 0)
				r = jr_dup(j, jr_get(fv, "type"), "file type",
					   false, &type);
			if (r == 0)
				f->type = jr_type_letter(type);
			free(type);
			if (r == 0)
				r = jr_dup(j, jr_get(fv, "sha256"),
					   "file sha256", true, &f->sha256);
			if (r == 0)
				r = jr_dup(j, jr_get(fv, "target"),
					   "file target", true, &f->target);
			if (r == 0 && jr_get(fv, "owners"))
				r = jr_strv(j, jr_get(fv, "owners"),
					    "file owners", &f->owners,
					    &f->n_owners);
		}
	}
	if (r < 0) {
		ord_side_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

static int jr_result(struct jr *j, const struct jr_val *root,
		     struct ord_result *res)
{
	struct jr_val *a, *x;
	int r;

	if (jr_want(j, root, JR_OBJ, "the file") < 0)
		return -EINVAL;
	r = jr_dup(j, jr_get(root, "scenario"), "scenario", false,
		   &res->scenario);
	if (r == 0)
		r = jr_strv(j, jr_get(root, "packages"), "packages",
			    &res->packages, &res->n_packages);
	if (r == 0)
		r = jr_dup(j, jr_get(root, "baseline"), "baseline", false,
			   &res->baseline);
	if (r == 0)
		r = jr_dup(j, jr_get(root, "aliases"), "aliases", true,
			   &res->aliases);
	if (r == 0)
		r = jr_dup(j, jr_get(root, "mode"), "mode", true, &res->mode);
	if (r == 0)
		r = jr_u64(j, jr_get(root, "total"), "total", &res->total);
	x = jr_get(root, "sample");
	if (r == 0 && x && x->type != JR_NULL) {
		r = jr_u64(j, x, "sample", &res->sample);
		if (r == 0)
			r = jr_u64(j, jr_get(root, "seed"), "seed", &res->seed);
	}
	x = jr_get(root, "shard");
	if (r == 0 && x) {
		unsigned long long k, n;
		char c;

		r = jr_want(j, x, JR_STR, "shard");
		if (r == 0 && (sscanf(x->s, "%llu/%llu%c", &k, &n, &c) != 2 ||
			       n == 0 || k >= n))
			r = jr_fail(j, "shard: expected K/N");
		if (r == 0) {
			res->shard_k = k;
			res->shard_n = n;
		}
	}
	x = jr_get(root, "jobs");
	if (r == 0 && x) {
		int jobs;

		r = jr_int(j, x, "jobs", &jobs);
		res->jobs = jobs > 0 ? (unsigned)jobs : 0;
	}
	if (r == 0 && jr_get(root, "seconds"))
		r = jr_double(j, jr_get(root, "seconds"), "seconds",
			      &res->seconds);
	a = jr_get(root, "orderings");
	if (r == 0)
		r = jr_want(j, a, JR_ARR, "orderings");
	if (r < 0)
		return r;
	res->orderings = calloc(a->n ? a->n : 1, sizeof(*res->orderings));
	if (!res->orderings)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < a->n; i++) {
		struct ord_ordering *o = &res->orderings[i];
		const struct jr_val *ov = a->items[i];

		res->n_orderings++;
		r = jr_want(j, ov, JR_OBJ, "ordering");
		if (r == 0)
			r = jr_u64(j, jr_get(ov, "index"), "index", &o->index);
		if (r == 0)
			r = jr_strv(j, jr_get(ov, "order"), "order", &o->order,
				    &o->n_order);
		if (r == 0)
			r = jr_side(j, jr_get(ov, "view"), &o->view);
		if (r == 0 && !o->view)
			r = jr_fail(j, "ordering %llu has no view",
				    (unsigned long long)o->index);
		if (r == 0)
			r = jr_side(j, jr_get(ov, "baseline"), &o->baseline);
	}
	return r;
}

int ord_json_parse(const char *text, size_t len, struct ord_result **ret_res,
		   char **ret_why)
{
	struct jr j = {.p = text, .end = text + len, .line = 1};
	struct jr_val *root = NULL;
	struct ord_result *res;
	int r;

	*ret_why = NULL;
	r = jr_value(&j, 0, &root);
	if (r == 0) {
		jr_ws(&j);
		if (j.p != j.end)
			r = jr_fail(&j, "text after the end");
	}
	if (r < 0) {
		jr_free(root);
		*ret_why = j.why;
		return r;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		jr_free(root);
		return -ENOMEM;
	}
	r = jr_result(&j, root, res);
	jr_free(root);
	if (r < 0) {
		ord_result_free(res);
		*ret_why = j.why;
		return r;
	}
	ord_result_sort(res);
	*ret_res = res;
	return 0;
}

int ord_json_load(const char *path, struct ord_result **ret_res, char **ret_why)
{
	struct stat st;
	char *text, *why = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, r;

	*ret_why = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		if (asprintf(ret_why, "%s: %s", path, strerror(-r)) < 0)
			*ret_why = NULL;
		return r;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > JR_MAX_FILE) {
		close(fd);
		if (asprintf(ret_why, "%s: not a regular file of at most 1 GiB",
			     path) < 0)
			*ret_why = NULL;
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size &&
	       (n = read(fd, text + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	r = ord_json_parse(text, len, ret_res, &why);
	free(text);
	if (r < 0 &&
	    asprintf(ret_why, "%s: %s", path, why ? why : strerror(-r)) < 0)
		*ret_why = NULL;
	free(why);
	return r;
}

int ord_result_merge(struct ord_result *a, struct ord_result *b, char **ret_why)
{
	struct ord_ordering *no;
	bool same = a->n_packages == b->n_packages &&
		    strcmp(a->scenario, b->scenario) == 0 &&
		    strcmp(a->baseline, b->baseline) == 0;

	*ret_why = NULL;
	for (size_t i = 0; same && i < a->n_packages; i++)
		same = strcmp(a->packages[i], b->packages[i]) == 0;
	if (!same) {
		if (asprintf(ret_why,
			     "not the same run: scenario '%s' with baseline "
			     "%s and '%s' with baseline %s, or other packages",
			     a->scenario, a->baseline, b->scenario,
			     b->baseline) < 0)
			*ret_why = NULL;
		ord_result_free(b);
		return -EINVAL;
	}
	no = realloc(a->orderings,
		     (a->n_orderings + b->n_orderings + 1) * sizeof(*no));
	if (!no) {
		ord_result_free(b);
		return -ENOMEM;
	}
	a->orderings = no;
	for (size_t i = 0; i < b->n_orderings; i++) {
		struct ord_ordering *o = &b->orderings[i];
		bool dup = false;

		for (size_t k = 0; k < a->n_orderings && !dup; k++)
			dup = a->orderings[k].index == o->index;
		if (dup) {
			/* Shards overlap: keep the first copy. */
			ord_strv_free(o->order, o->n_order);
			ord_side_free(o->view);
			ord_side_free(o->baseline);
		} else {
			a->orderings[a->n_orderings++] = *o;
		}
		memset(o, 0, sizeof(*o));
	}
	b->n_orderings = 0;
	if (b->seconds > a->seconds)
		a->seconds = b->seconds;
	a->shard_k = 0;
	a->shard_n = 1;
	ord_result_sort(a);
	ord_result_free(b);
	return 0;
}
