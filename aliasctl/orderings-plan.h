/*
 * aliasctl orderings: which orderings run, and in which shape. Orderings
 * are the permutations of the scenario's permuted steps, numbered in
 * lexicographic order of their positions (index 0 is the order written);
 * a sample picks some of them reproducibly, a shard keeps those whose
 * index is K modulo N. The chosen orderings' step lists are merged into a
 * prefix tree so that a shared prefix runs once.
 */
#ifndef ALIASCTL_ORDERINGS_PLAN_H
#define ALIASCTL_ORDERINGS_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "aliasctl/orderings-scenario.h"

/* More orderings than this need --sample. */
#define ORD_PLAN_MAX_ALL 100000

/* n! for n <= ORD_SCENARIO_MAX_ITEMS. */
uint64_t ord_factorial(unsigned n);

/* The permutation of rank @index among the @n! orderings of @n items,
 * written to @ret_perm (n entries). */
void ord_unrank(uint64_t index, unsigned n, unsigned *ret_perm);

/* The rank of @perm. */
uint64_t ord_rank(const unsigned *perm, unsigned n);

/*
 * The indices to run, ascending: every one of the @total orderings, or
 * @sample of them drawn without replacement with a generator seeded by
 * @seed (the same seed gives the same sample), then only those whose
 * index is @shard_k modulo @shard_n (@shard_n 1: all).
 * Returns 0 and *ret_index (free()) and *ret_n; -E2BIG if every ordering
 * was asked for and there are more than ORD_PLAN_MAX_ALL; -ENOMEM.
 */
int ord_plan_select(uint64_t total, uint64_t sample, uint64_t seed,
		    uint64_t shard_k, uint64_t shard_n, uint64_t **ret_index,
		    size_t *ret_n);

/* A node of the prefix tree: running a step on its parent's state. */
struct ord_node {
	const struct ord_step *step; /* NULL at the root */
	struct ord_node *parent;
	struct ord_node **children;
	size_t n_children;
	unsigned depth;
	long ordering;	 /* index into the plan's orderings at a leaf, else
			* -1 */
	void *result[2]; /* what running it gave, per side (the runner's) */
};

struct ord_planned {
	uint64_t index;
	unsigned *perm; /* n_items positions into the scenario's items */
	struct ord_node *leaf;
};

struct ord_plan {
	const struct ord_scenario *sc;
	uint64_t total; /* n_items! */
	struct ord_planned *orderings;
	size_t n_orderings;
	struct ord_node *root;
	size_t n_nodes; /* steps to run per side, root excluded */
	unsigned depth; /* steps per ordering */
};

/* Build the prefix tree of the orderings @index[0..n) of @sc. The plan
 * keeps a pointer to @sc. */
int ord_plan_build(const struct ord_scenario *sc, const uint64_t *index,
		   size_t n, struct ord_plan **ret_plan);

/* Frees the nodes; the runner frees their results first. */
void ord_plan_free(struct ord_plan *plan);

/* The step at @depth (0-based) of ordering @o. */
const struct ord_step *ord_plan_step(const struct ord_plan *plan,
				     const struct ord_planned *o,
				     unsigned depth);

/* A 64-bit seed from the system's random source, for --sample without
 * --seed. */
uint64_t ord_random_seed(void);

#endif /* ALIASCTL_ORDERINGS_PLAN_H */
