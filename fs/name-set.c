/*
 * afs_name_set: string set with linear probing (insert-only, no removal
 * needed by its users).
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fs/name-set.h"

struct afs_name_set {
	const char **slots;
	size_t mask;
	size_t count;
	bool copy;
};

static size_t afs_name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

int afs_name_set_new(bool copy, struct afs_name_set **ret_set)
{
	struct afs_name_set *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->slots = calloc(16, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return -ENOMEM;
	}
	s->mask = 15;
	s->copy = copy;
	*ret_set = s;
	return 0;
}

void afs_name_set_free(struct afs_name_set *set)
{
	size_t i;

	if (!set)
		return;
	if (set->copy)
		for (i = 0; i <= set->mask; i++)
			free((char *)set->slots[i]);
	free(set->slots);
	free(set);
}

static size_t afs_name_set_probe(const struct afs_name_set *s, const char *name)
{
	size_t i = afs_name_hash(name) & s->mask;

	while (s->slots[i] && strcmp(s->slots[i], name) != 0)
		i = (i + 1) & s->mask;
	return i;
}

static int afs_name_set_grow(struct afs_name_set *s)
{
	size_t cap = (s->mask + 1) * 2, i;
	const char **ns = calloc(cap, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (i = 0; i <= s->mask; i++) {
		size_t j;

		if (!s->slots[i])
			continue;
		j = afs_name_hash(s->slots[i]) & (cap - 1);
		while (ns[j])
			j = (j + 1) & (cap - 1);
		ns[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = ns;
	s->mask = cap - 1;
	return 0;
}

int afs_name_set_add(struct afs_name_set *set, const char *name)
{
	size_t i;

	if (afs_name_set_contains(set, name))
		return 0;
	if ((set->count + 1) * 2 > set->mask + 1) {
		int r = afs_name_set_grow(set);

		if (r < 0)
			return r;
	}
	i = afs_name_set_probe(set, name);
	if (set->copy) {
		char *c = strdup(name);

		if (!c)
			return -ENOMEM;
		set->slots[i] = c;
	} else {
		set->slots[i] = name;
	}
	set->count++;
	return 1;
}

bool afs_name_set_contains(const struct afs_name_set *set, const char *name)
{
	return set->slots[afs_name_set_probe(set, name)] != NULL;
}

size_t afs_name_set_count(const struct afs_name_set *set)
{
	return set->count;
}
