/* The matrix on stdout. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliasctl/aliasctl.h"
#include "aliasctl/orderings-output.h"

static const char *matrix_colour(enum ord_outcome o)
{
	switch (o) {
	case ORD_OUTCOME_OK:
		return "\033[32m";
	case ORD_OUTCOME_REFUSED:
		return "\033[33m";
	case ORD_OUTCOME_OVERWRITTEN:
		return "\033[35m";
	case ORD_OUTCOME_LOST:
		return "\033[1;31m";
	default:
		return "\033[7;31m";
	}
}

static void matrix_cell(const struct ord_side *s, bool colour, int width)
{
	const char *name = s ? ord_outcome_name(s->outcome) : "-";
	int pad = width - (int)strlen(name);

	if (colour && s)
		aliasctl_out_puts(matrix_colour(s->outcome));
	aliasctl_out_puts(name);
	if (colour && s)
		aliasctl_out_puts("\033[0m");
	aliasctl_out_printf("%*s", pad > 0 ? pad : 0, "");
}

/* What most explains a side's outcome, in one line: NULL if ok. */
static char *matrix_why(const char *who, const struct ord_side *s)
{
	char *out = NULL;

	if (!s)
		return NULL;
	switch (s->outcome) {
	case ORD_OUTCOME_LOST:
		if (asprintf(&out, "%s: %s lost%s", who, s->lost[0],
			     s->n_lost > 1 ? " (and more)" : "") < 0)
			out = NULL;
		break;
	case ORD_OUTCOME_OVERWRITTEN:
		if (asprintf(&out, "%s: %s overwritten%s", who,
			     s->overwritten[0],
			     s->n_overwritten > 1 ? " (and more)" : "") < 0)
			out = NULL;
		break;
	case ORD_OUTCOME_REFUSED:
		for (size_t i = 0; i < s->n_steps; i++) {
			const struct ord_step_result *st = &s->steps[i];

			if (st->rc == 0 && !st->timed_out)
				continue;
			if (asprintf(&out, "%s: %s: %s", who, st->command,
				     st->n_errors ? st->errors[0] : "failed") <
			    0)
				out = NULL;
			break;
		}
		break;
	case ORD_OUTCOME_ERROR:
		if (asprintf(&out, "%s: %s", who,
			     s->error ? s->error : "error") < 0)
			out = NULL;
		break;
	default:
		break;
	}
	return out;
}

static size_t matrix_order_width(const struct ord_ordering *o)
{
	size_t w = 0;

	for (size_t i = 0; i < o->n_order; i++)
		w += strlen(o->order[i]) + (i ? 1 : 0);
	return w;
}

void ord_matrix_print(const struct ord_result *res, bool colour, unsigned width)
{
	size_t count[2][ORD_OUTCOME_ERROR + 1] = {{0}};
	size_t ow = 5, differ = 0;
	bool baseline = false;

	for (size_t i = 0; i < res->n_orderings; i++) {
		size_t w = matrix_order_width(&res->orderings[i]);

		if (w > ow)
			ow = w;
		if (res->orderings[i].baseline)
			baseline = true;
	}
	aliasctl_out_printf("%s: %zu of %llu orderings", res->scenario,
			    res->n_orderings, (unsigned long long)res->total);
	if (res->n_packages) {
		aliasctl_out_puts(" of");
		for (size_t i = 0; i < res->n_packages; i++) {
			aliasctl_out_puts(" ");
			aliasctl_out_text(res->packages[i]);
		}
	}
	if (res->sample)
		aliasctl_out_printf(" (sample of %llu, seed %llu)",
				    (unsigned long long)res->sample,
				    (unsigned long long)res->seed);
	if (res->shard_n > 1)
		aliasctl_out_printf(" (shard %llu/%llu)",
				    (unsigned long long)res->shard_k,
				    (unsigned long long)res->shard_n);
	aliasctl_out_printf("\nview: aliases %s; baseline: %s; %s mode, %u "
			    "jobs, %.1f s\n\n",
			    res->aliases ? res->aliases : "?", res->baseline,
			    res->mode ? res->mode : "?", res->jobs,
			    res->seconds);
	aliasctl_out_printf("%6s  %-*s  %-11s  %-11s\n", "#", (int)ow, "order",
			    "baseline", "view");
	for (size_t i = 0; i < res->n_orderings; i++) {
		const struct ord_ordering *o = &res->orderings[i];
		bool d = ord_ordering_differs(o);
		char *why = NULL, *note = NULL;
		size_t used;

		aliasctl_out_printf("%6llu  ", (unsigned long long)o->index);
		for (size_t k = 0; k < o->n_order; k++) {
			if (k)
				aliasctl_out_puts(" ");
			aliasctl_out_text(o->order[k]);
		}
		aliasctl_out_printf("%*s  ", (int)(ow - matrix_order_width(o)),
				    "");
		matrix_cell(o->baseline, colour, 11);
		aliasctl_out_puts("  ");
		matrix_cell(o->view, colour, 11);
		aliasctl_out_puts(d ? "  *" : "   ");
		if (o->view)
			count[0][o->view->outcome]++;
		if (o->baseline)
			count[1][o->baseline->outcome]++;
		if (d)
			differ++;
		/* The view first: it is what is being tested. */
		why = matrix_why("view", o->view);
		if (!why ||
		    (o->view && o->view->outcome == ORD_OUTCOME_REFUSED &&
		     o->baseline &&
		     o->baseline->outcome > ORD_OUTCOME_REFUSED)) {
			free(why);
			why = matrix_why("baseline", o->baseline);
		}
		note = why;
		used = 6 + 2 + ow + 2 + 11 + 2 + 11 + 3;
		if (note) {
			aliasctl_out_puts("  ");
			if (width > used + 10 &&
			    aliasctl_out_text_width(note) > width - used - 3 &&
			    strlen(note) > width - used - 6) {
				note[width - used - 6] = '\0';
				aliasctl_out_text(note);
				aliasctl_out_puts("...");
			} else {
				aliasctl_out_text(note);
			}
		}
		free(why);
		aliasctl_out_puts("\n");
	}
	for (int side = 0; side < (baseline ? 2 : 1); side++) {
		bool first = true;

		aliasctl_out_puts(side == 0 ? "\nview:" : "; baseline:");
		for (int k = 0; k <= ORD_OUTCOME_ERROR; k++) {
			if (!count[side][k])
				continue;
			aliasctl_out_printf(
				"%s %zu %s", first ? "" : ",", count[side][k],
				ord_outcome_name((enum ord_outcome)k));
			first = false;
		}
	}
	if (baseline)
		aliasctl_out_printf("; %zu row%s differ%s (*)", differ,
				    differ == 1 ? "" : "s",
				    differ == 1 ? "s" : "");
	aliasctl_out_puts("\n");
}
