/* String-keyed open-addressing hash map with linear probing. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "archive/path-map.h"

struct path_map_slot {
	char *key; /* NULL: empty */
	uint32_t hash;
	uint32_t value;
};

struct path_map {
	struct path_map_slot *slots;
	size_t n, mask;
};

static uint32_t path_map_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h ^ (h >> 16);
}

int path_map_new(struct path_map **ret_map)
{
	struct path_map *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->mask = 63;
	m->slots = calloc(m->mask + 1, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return -ENOMEM;
	}
	*ret_map = m;
	return 0;
}

void path_map_clear(struct path_map *m)
{
	for (size_t i = 0; i <= m->mask; i++) {
		free(m->slots[i].key);
		m->slots[i].key = NULL;
	}
	m->n = 0;
}

void path_map_free(struct path_map *m)
{
	if (!m)
		return;
	path_map_clear(m);
	free(m->slots);
	free(m);
}

static struct path_map_slot *path_map_find(const struct path_map *m,
					   const char *key, uint32_t h)
{
	size_t i = h & m->mask;

	while (m->slots[i].key) {
		if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
			break;
		i = (i + 1) & m->mask;
	}
	return &m->slots[i];
}

static int path_map_grow(struct path_map *m)
{
	size_t nmask = m->mask * 2 + 1;
	struct path_map_slot *old = m->slots;
	size_t omask = m->mask;

	m->slots = calloc(nmask + 1, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->mask = nmask;
	for (size_t i = 0; i <= omask; i++)
		if (old[i].key)
			*path_map_find(m, old[i].key, old[i].hash) = old[i];
	free(old);
	return 0;
}

int path_map_put(struct path_map *m, const char *key, uint32_t value)
{
	uint32_t h = path_map_hash(key);
	struct path_map_slot *s;

	if ((m->n + 1) * 4 > (m->mask + 1) * 3) {
		int r = path_map_grow(m);

		if (r < 0)
			return r;
	}
	s = path_map_find(m, key, h);
	if (s->key) {
		s->value = value;
		return 0;
	}
	s->key = strdup(key);
	if (!s->key)
		return -ENOMEM;
	s->hash = h;
	s->value = value;
	m->n++;
	return 1;
}

int path_map_get(const struct path_map *m, const char *key, uint32_t *ret_value)
{
	struct path_map_slot *s = path_map_find(m, key, path_map_hash(key));

	if (!s->key)
		return 0;
	*ret_value = s->value;
	return 1;
}
