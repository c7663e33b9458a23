/*
 * Permutations by rank, reproducible samples, shards, and the prefix tree
 * that lets orderings share the work of a common prefix.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "aliasctl/orderings-plan.h"

uint64_t ord_factorial(unsigned n)
{
	uint64_t f = 1;

	for (unsigned i = 2; i <= n; i++)
		f *= i;
	return f;
}

/* Lehmer code: digit i (base n-i) picks among the positions left. */
void ord_unrank(uint64_t index, unsigned n, unsigned *ret_perm)
{
	unsigned left[ORD_SCENARIO_MAX_ITEMS];

	for (unsigned i = 0; i < n; i++)
		left[i] = i;
	for (unsigned i = 0; i < n; i++) {
		uint64_t f = ord_factorial(n - 1 - i);
		unsigned d = (unsigned)(index / f);

		index %= f;
		ret_perm[i] = left[d];
		memmove(&left[d], &left[d + 1],
			(n - 1 - i - d) * sizeof(*left));
	}
}

uint64_t ord_rank(const unsigned *perm, unsigned n)
{
	uint64_t r = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned smaller = 0;

		for (unsigned j = i + 1; j < n; j++)
			if (perm[j] < perm[i])
				smaller++;
		r += smaller * ord_factorial(n - 1 - i);
	}
	return r;
}

/* splitmix64: small, fast, and the same everywhere, so a seed names one
 * sample on every machine. */
static uint64_t plan_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound), bound > 0, by rejection. */
static uint64_t plan_below(uint64_t *state, uint64_t bound)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound, x;

	do
		x = plan_next(state);
	while (x >= limit);
	return x % bound;
}

static int plan_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Open-addressing set of drawn indices (Floyd's algorithm needs
 * membership). */
struct plan_set {
	uint64_t *slot; /* value + 1; 0 = empty */
	size_t mask;
};

static bool plan_set_add(struct plan_set *s, uint64_t v)
{
	size_t i = (size_t)(v * 0x9e3779b97f4a7c15ULL) & s->mask;

	while (s->slot[i]) {
		if (s->slot[i] == v + 1)
			return false;
		i = (i + 1) & s->mask;
	}
	s->slot[i] = v + 1;
	return true;
}

int ord_plan_select(uint64_t total, uint64_t sample, uint64_t seed,
		    uint64_t shard_k, uint64_t shard_n, uint64_t **ret_index,
		    size_t *ret_n)
{
	uint64_t *idx, state = seed;
	size_t n = 0, keep = 0;

	if (shard_n == 0)
		shard_n = 1;
	if (sample == 0 || sample >= total) {
		if (total > ORD_PLAN_MAX_ALL)
			return -E2BIG;
		idx = malloc((size_t)total * sizeof(*idx));
		if (!idx)
			return -ENOMEM;
		for (uint64_t i = 0; i < total; i++)
			idx[n++] = i;
	} else {
		struct plan_set set;
		size_t cap = 16;

		while (cap < sample * 2)
			cap *= 2;
		set.slot = calloc(cap, sizeof(*set.slot));
		set.mask = cap - 1;
		idx = malloc((size_t)sample * sizeof(*idx));
		if (!set.slot || !idx) {
			free(set.slot);
			free(idx);
			return -ENOMEM;
		}
		/* Floyd: for j in total-sample .. total-1, draw t in [0, j];
		 * take t, or j if t was taken. Exactly @sample distinct. */
		for (uint64_t j = total - sample; j < total; j++) {
			uint64_t t = plan_below(&state, j + 1);

			if (!plan_set_add(&set, t)) {
				t = j;
				plan_set_add(&set, t);
			}
			idx[n++] = t;
		}
		free(set.slot);
		qsort(idx, n, sizeof(*idx), plan_cmp);
	}
	for (size_t i = 0; i < n; i++)
		if (idx[i] % shard_n == shard_k)
			idx[keep++] = idx[i];
	*ret_index = idx;
	*ret_n = keep;
	return 0;
}

const struct ord_step *ord_plan_step(const struct ord_plan *plan,
				     const struct ord_planned *o,
				     unsigned depth)
{
	const struct ord_scenario *sc = plan->sc;

	if (depth < sc->n_before)
		return &sc->before[depth];
	depth -= (unsigned)sc->n_before;
	if (depth < sc->n_items)
		return &sc->items[o->perm[depth]];
	depth -= (unsigned)sc->n_items;
	return &sc->after[depth];
}

static struct ord_node *plan_node(struct ord_node *parent,
				  const struct ord_step *step)
{
	struct ord_node *n = calloc(1, sizeof(*n)), **c;

	if (!n)
		return NULL;
	n->step = step;
	n->parent = parent;
	n->ordering = -1;
	if (parent) {
		n->depth = parent->depth + 1;
		c = realloc(parent->children,
			    (parent->n_children + 1) * sizeof(*c));
		if (!c) {
			free(n);
			return NULL;
		}
		parent->children = c;
		c[parent->n_children++] = n;
	}
	return n;
}

static void plan_node_free(struct ord_node *n)
{
	/* Recursion is as deep as one ordering has steps: bounded by the
	 * parser. */
	if (!n)
		return;
	for (size_t i = 0; i < n->n_children; i++)
		plan_node_free(n->children[i]);
	free(n->children);
	free(n);
}

int ord_plan_build(const struct ord_scenario *sc, const uint64_t *index,
		   size_t n, struct ord_plan **ret_plan)
{
	struct ord_plan *plan = calloc(1, sizeof(*plan));
	unsigned items = (unsigned)sc->n_items;

	if (!plan)
		return -ENOMEM;
	plan->sc = sc;
	plan->total = ord_factorial(items);
	plan->depth = (unsigned)(sc->n_before + sc->n_items + sc->n_after);
	plan->root = plan_node(NULL, NULL);
	plan->orderings = calloc(n ? n : 1, sizeof(*plan->orderings));
	if (!plan->root || !plan->orderings)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		struct ord_planned *o = &plan->orderings[i];
		struct ord_node *at = plan->root;

		plan->n_orderings++;
		o->index = index[i];
		o->perm = calloc(items ? items : 1, sizeof(*o->perm));
		if (!o->perm)
			goto nomem;
		ord_unrank(index[i], items, o->perm);
		for (unsigned d = 0; d < plan->depth; d++) {
			const struct ord_step *step = ord_plan_step(plan, o, d);
			struct ord_node *next = NULL;

			for (size_t c = 0; c < at->n_children; c++)
				if (at->children[c]->step == step) {
					next = at->children[c];
					break;
				}
			if (!next) {
				next = plan_node(at, step);
				if (!next)
					goto nomem;
				plan->n_nodes++;
			}
			at = next;
		}
		at->ordering = (long)i;
		o->leaf = at;
	}
	*ret_plan = plan;
	return 0;
nomem:
	ord_plan_free(plan);
	return -ENOMEM;
}

void ord_plan_free(struct ord_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n_orderings; i++)
		free(plan->orderings[i].perm);
	free(plan->orderings);
	plan_node_free(plan->root);
	free(plan);
}

uint64_t ord_random_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), 0) == (ssize_t)sizeof(s))
		return s;
	return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}
