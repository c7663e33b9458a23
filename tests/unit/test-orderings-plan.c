/*
 * aliasctl orderings: permutations by rank, samples, shards, the prefix
 * tree, and SHA-256.
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

#include "aliasctl/orderings-plan.h"
#include "aliasctl/orderings-sha256.h"

static bool lex_less(const unsigned *a, const unsigned *b, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		if (a[k] != b[k])
			return a[k] < b[k];
	return false;
}

static void test_rank(void **state)
{
	unsigned perm[8], prev[8];

	(void)state;
	assert_true(ord_factorial(0) == 1);
	assert_true(ord_factorial(5) == 120);
	assert_true(ord_factorial(20) == 2432902008176640000ULL);
	for (unsigned n = 1; n <= 7; n++) {
		uint64_t total = ord_factorial(n);

		for (uint64_t i = 0; i < total; i++) {
			bool seen[8] = {false};

			ord_unrank(i, n, perm);
			for (unsigned k = 0; k < n; k++) {
				assert_true(perm[k] < n);
				assert_false(seen[perm[k]]);
				seen[perm[k]] = true;
			}
			assert_true(ord_rank(perm, n) == i);
			/* Lexicographic: each permutation after the last. */
			if (i > 0)
				assert_true(lex_less(prev, perm, n));
			memcpy(prev, perm, sizeof(perm));
		}
		ord_unrank(0, n, perm);
		for (unsigned k = 0; k < n; k++)
			assert_int_equal(perm[k], k);
		ord_unrank(total - 1, n, perm);
		for (unsigned k = 0; k < n; k++)
			assert_int_equal(perm[k], n - 1 - k);
	}
	/* The three orders of seed 003 in the mail's order. */
	ord_unrank(1, 3, perm);
	assert_int_equal(perm[0], 0);
	assert_int_equal(perm[1], 2);
	assert_int_equal(perm[2], 1);
}

static void test_select(void **state)
{
	uint64_t *a = NULL, *b = NULL;
	size_t na, nb;

	(void)state;
	assert_int_equal(ord_plan_select(6, 0, 0, 0, 1, &a, &na), 0);
	assert_int_equal(na, 6);
	for (size_t i = 0; i < na; i++)
		assert_true(a[i] == i);
	free(a);
	/* A sample: distinct, sorted, in range, the same for one seed. */
	assert_int_equal(
		ord_plan_select(ord_factorial(12), 500, 42, 0, 1, &a, &na), 0);
	assert_int_equal(
		ord_plan_select(ord_factorial(12), 500, 42, 0, 1, &b, &nb), 0);
	assert_int_equal(na, 500);
	assert_memory_equal(a, b, na * sizeof(*a));
	for (size_t i = 1; i < na; i++)
		assert_true(a[i - 1] < a[i]);
	assert_true(a[na - 1] < ord_factorial(12));
	free(b);
	assert_int_equal(
		ord_plan_select(ord_factorial(12), 500, 43, 0, 1, &b, &nb), 0);
	assert_memory_not_equal(a, b, na * sizeof(*a));
	free(a);
	free(b);
	/* Sampling everything or more: all of them. */
	assert_int_equal(ord_plan_select(24, 24, 1, 0, 1, &a, &na), 0);
	assert_int_equal(na, 24);
	free(a);
	/* Too many to run all. */
	assert_int_equal(ord_plan_select(ord_factorial(9), 0, 0, 0, 1, &a, &na),
			 -E2BIG);
	/* Shards partition: each index in exactly one. */
	{
		size_t seen[120] = {0}, total = 0;

		for (uint64_t k = 0; k < 7; k++) {
			assert_int_equal(
				ord_plan_select(120, 0, 0, k, 7, &a, &na), 0);
			for (size_t i = 0; i < na; i++) {
				assert_true(a[i] % 7 == k);
				seen[a[i]]++;
			}
			total += na;
			free(a);
		}
		assert_int_equal(total, 120);
		for (size_t i = 0; i < 120; i++)
			assert_int_equal(seen[i], 1);
	}
}

static size_t count_nodes(const struct ord_node *n)
{
	size_t c = n->step ? 1 : 0;

	for (size_t i = 0; i < n->n_children; i++) {
		assert_ptr_equal(n->children[i]->parent, n);
		c += count_nodes(n->children[i]);
	}
	return c;
}

static void test_tree(void **state)
{
	struct ord_step items[5] = {{0}}, before = {0}, after = {0};
	struct ord_scenario sc = {0};
	struct ord_plan *plan = NULL;
	uint64_t *idx = NULL;
	size_t n;

	(void)state;
	sc.items = items;
	sc.n_items = 5;
	assert_int_equal(ord_plan_select(120, 0, 0, 0, 1, &idx, &n), 0);
	assert_int_equal(ord_plan_build(&sc, idx, n, &plan), 0);
	/* 5 + 20 + 60 + 120 + 120 steps instead of 600. */
	assert_int_equal(plan->n_nodes, 325);
	assert_int_equal(count_nodes(plan->root), 325);
	assert_int_equal(plan->root->n_children, 5);
	for (size_t i = 0; i < n; i++) {
		const struct ord_node *leaf = plan->orderings[i].leaf;

		assert_int_equal(leaf->ordering, (long)i);
		assert_int_equal(leaf->depth, 5);
		assert_int_equal(leaf->n_children, 0);
		/* The path spells the ordering. */
		for (int d = 4; d >= 0; d--, leaf = leaf->parent)
			assert_ptr_equal(leaf->step,
					 &items[plan->orderings[i].perm[d]]);
	}
	ord_plan_free(plan);
	free(idx);
	/* Steps before and after: shared at the top, repeated at the
	 * bottom. */
	sc.n_items = 3;
	sc.before = &before;
	sc.n_before = 1;
	sc.after = &after;
	sc.n_after = 1;
	assert_int_equal(ord_plan_select(6, 0, 0, 0, 1, &idx, &n), 0);
	assert_int_equal(ord_plan_build(&sc, idx, n, &plan), 0);
	assert_int_equal(plan->root->n_children, 1);
	assert_int_equal(plan->n_nodes, 1 + 3 + 6 + 6 + 6);
	assert_int_equal(plan->depth, 5);
	assert_ptr_equal(ord_plan_step(plan, &plan->orderings[2], 0), &before);
	assert_ptr_equal(ord_plan_step(plan, &plan->orderings[2], 4), &after);
	ord_plan_free(plan);
	free(idx);
	/* A shard of a sample: only those. */
	sc.n_items = 4;
	assert_int_equal(ord_plan_select(24, 10, 7, 1, 2, &idx, &n), 0);
	assert_int_equal(ord_plan_build(&sc, idx, n, &plan), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(plan->orderings[i].index % 2 == 1);
	ord_plan_free(plan);
	free(idx);
}

static void sha_of(const char *data, size_t len, size_t chunk, char *hex)
{
	struct ord_sha256 c;

	ord_sha256_init(&c);
	for (size_t i = 0; i < len; i += chunk)
		ord_sha256_update(&c, data + i,
				  len - i < chunk ? len - i : chunk);
	ord_sha256_hex(&c, hex);
}

static void test_sha256(void **state)
{
	char hex[ORD_SHA256_HEX];
	char *million = malloc(1000000);

	(void)state;
	sha_of("", 0, 1, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
				 "934ca495991b7852b855");
	sha_of("abc", 3, 1, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a39617"
				 "7a9cb410ff61f20015ad");
	sha_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	       7, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff"
				 "2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	for (size_t chunk = 1; chunk <= 1000000; chunk *= 13) {
		sha_of(million, 1000000, chunk, hex);
		assert_string_equal(hex,
				    "cdc76e5c9914fb9281a1c7e284d73e67f1809a"
				    "48a497200e046d39ccc7112cd0");
	}
	free(million);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rank),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
