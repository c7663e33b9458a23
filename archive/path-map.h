/*
 * A small string-keyed hash map (path -> uint32_t) for per-package
 * bookkeeping during extraction: which paths a package has shipped so far
 * and as what. Keys are copied.
 */
#ifndef PATH_MAP_H
#define PATH_MAP_H

#include <stddef.h>
#include <stdint.h>

struct path_map;

/* Returns 0 and *ret_map, or -ENOMEM. */
int path_map_new(struct path_map **ret_map);

/* Free. Accepts NULL. */
void path_map_free(struct path_map *map);

/* Forget every key (keeps the memory for reuse). */
void path_map_clear(struct path_map *map);

/* Set @key to @value. Returns 1 if added, 0 if replaced, -ENOMEM. */
int path_map_put(struct path_map *map, const char *key, uint32_t value);

/* Returns 1 and *ret_value if @key is present, 0 if not. */
int path_map_get(const struct path_map *map, const char *key,
		 uint32_t *ret_value);

#endif /* PATH_MAP_H */
