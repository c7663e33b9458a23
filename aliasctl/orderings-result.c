/* The result model: names, freeing, and the verdicts derived from it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasctl/orderings-result.h"

static const char *const result_outcomes[] = {
	[ORD_OUTCOME_OK] = "ok",
	[ORD_OUTCOME_REFUSED] = "refused",
	[ORD_OUTCOME_OVERWRITTEN] = "overwritten",
	[ORD_OUTCOME_LOST] = "lost",
	[ORD_OUTCOME_ERROR] = "error",
};

const char *ord_outcome_name(enum ord_outcome o)
{
	return o <= ORD_OUTCOME_ERROR ? result_outcomes[o] : "?";
}

int ord_outcome_parse(const char *s, enum ord_outcome *ret)
{
	for (size_t i = 0; i <= ORD_OUTCOME_ERROR; i++)
		if (strcmp(s, result_outcomes[i]) == 0) {
			*ret = (enum ord_outcome)i;
			return 0;
		}
	return -EINVAL;
}

int ord_strv_push(char ***v, size_t *n, const char *s)
{
	char **nv, *copy = strdup(s);

	if (!copy)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[(*n)++] = copy;
	*v = nv;
	return 0;
}

void ord_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void ord_step_result_clear(struct ord_step_result *s)
{
	free(s->command);
	ord_strv_free(s->errors, s->n_errors);
	free(s->output);
	memset(s, 0, sizeof(*s));
}

void ord_side_free(struct ord_side *side)
{
	if (!side)
		return;
	free(side->error);
	for (size_t i = 0; i < side->n_steps; i++)
		ord_step_result_clear(&side->steps[i]);
	free(side->steps);
	ord_strv_free(side->lost, side->n_lost);
	ord_strv_free(side->overwritten, side->n_overwritten);
	ord_strv_free(side->aliases, side->n_aliases);
	for (size_t i = 0; i < side->n_blocked; i++) {
		free(side->blocked[i].alias);
		free(side->blocked[i].reason);
	}
	free(side->blocked);
	for (size_t i = 0; i < side->n_files; i++) {
		free(side->files[i].path);
		free(side->files[i].sha256);
		free(side->files[i].target);
		ord_strv_free(side->files[i].owners, side->files[i].n_owners);
	}
	free(side->files);
	free(side->audit);
	free(side);
}

void ord_result_free(struct ord_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n_orderings; i++) {
		ord_strv_free(res->orderings[i].order,
			      res->orderings[i].n_order);
		ord_side_free(res->orderings[i].view);
		ord_side_free(res->orderings[i].baseline);
	}
	free(res->orderings);
	ord_strv_free(res->packages, res->n_packages);
	free(res->scenario);
	free(res->baseline);
	free(res->aliases);
	free(res->mode);
	free(res);
}

static int result_cmp(const void *a, const void *b)
{
	const struct ord_ordering *x = a, *y = b;

	return x->index < y->index ? -1 : x->index > y->index;
}

void ord_result_sort(struct ord_result *res)
{
	if (res->n_orderings > 1)
		qsort(res->orderings, res->n_orderings, sizeof(*res->orderings),
		      result_cmp);
}

static bool result_str_differs(const char *a, const char *b)
{
	if (!a || !b)
		return a != b;
	return strcmp(a, b) != 0;
}

bool ord_ordering_differs(const struct ord_ordering *o)
{
	const struct ord_side *v = o->view, *b = o->baseline;

	if (!v || !b)
		return false;
	if (v->outcome != b->outcome || v->n_files != b->n_files)
		return true;
	for (size_t i = 0; i < v->n_files; i++) {
		const struct ord_file *x = &v->files[i], *y = &b->files[i];

		if (strcmp(x->path, y->path) != 0 || x->type != y->type ||
		    result_str_differs(x->sha256, y->sha256) ||
		    result_str_differs(x->target, y->target))
			return true;
	}
	return false;
}

int ord_result_exit(const struct ord_result *res)
{
	int ex = 0;

	for (size_t i = 0; i < res->n_orderings; i++) {
		const struct ord_ordering *o = &res->orderings[i];

		if ((o->view && o->view->outcome == ORD_OUTCOME_ERROR) ||
		    (o->baseline && o->baseline->outcome == ORD_OUTCOME_ERROR))
			return 2;
		if (o->view && (o->view->outcome == ORD_OUTCOME_LOST ||
				o->view->outcome == ORD_OUTCOME_OVERWRITTEN))
			ex = 1;
	}
	return ex;
}

int ord_result_save(const char *path, const struct ord_result *res,
		    void (*write)(FILE *f, const struct ord_result *res))
{
	char *tmp = NULL;
	FILE *f;
	int fd, r = 0;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		free(tmp);
		return r;
	}
	write(f, res);
	if (ferror(f))
		r = -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}
