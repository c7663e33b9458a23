/*
 * afs_aliases: precomputed alias map facts for the daemon's hot paths.
 *
 * Layer 2 (alias table, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aliasdb.h"
#include "fs/sources.h"

int afs_path_is_child(const char *path, const char *dir_path, const char *name)
{
	size_t dl = strlen(dir_path);

	if (strcmp(dir_path, "/") == 0)
		dl = 0;
	if (strncmp(path, dir_path, dl) != 0 || path[dl] != '/')
		return 0;
	return strcmp(path + dl + 1, name) == 0;
}

int afs_aliases_new(struct aliasdb_map *map, struct afs_aliases **ret_aliases)
{
	struct afs_aliases *a = calloc(1, sizeof(*a));
	size_t n = map ? aliasdb_map_count(map) : 0, i;

	if (!a) {
		aliasdb_map_free(map);
		return -ENOMEM;
	}
	a->map = map;
	if (n > 0) {
		a->entries = calloc(n, sizeof(*a->entries));
		if (!a->entries)
			goto nomem;
	}
	for (i = 0; i < n; i++) {
		struct afs_alias_entry *e = &a->entries[i];
		const char *slash;
		char buf[ALIASDB_PATH_MAX];
		ssize_t r;

		e->alias = aliasdb_map_alias(map, i);
		e->canonical = aliasdb_map_canonical(map, i);
		a->n = i + 1;
		slash = strrchr(e->alias, '/');
		e->name = slash + 1;
		e->parent =
			slash == e->alias
				? strdup("/")
				: strndup(e->alias, (size_t)(slash - e->alias));
		r = aliasdb_alias_link_text(e->alias, e->canonical, buf,
					    sizeof(buf));
		if (r < 0) {
			afs_aliases_free(a);
			return (int)r;
		}
		e->target = strdup(buf);
		if (!e->parent || !e->target)
			goto nomem;
	}
	*ret_aliases = a;
	return 0;
nomem:
	afs_aliases_free(a);
	return -ENOMEM;
}

void afs_aliases_free(struct afs_aliases *aliases)
{
	size_t i;

	if (!aliases)
		return;
	for (i = 0; i < aliases->n; i++) {
		free(aliases->entries[i].parent);
		free(aliases->entries[i].target);
	}
	free(aliases->entries);
	aliasdb_map_free(aliases->map);
	free(aliases);
}

int afs_aliases_find_child(const struct afs_aliases *aliases,
			   const char *dir_path, const char *name)
{
	size_t i;

	/* A handful of aliases: a loop over them beats any index. */
	for (i = 0; i < aliases->n; i++) {
		const struct afs_alias_entry *e = &aliases->entries[i];

		if (strcmp(e->name, name) == 0 &&
		    strcmp(e->parent, dir_path) == 0)
			return (int)i;
	}
	return -ENOENT;
}

int afs_aliases_find_junction(const struct afs_aliases *aliases,
			      const char *path, size_t from)
{
	size_t i;

	for (i = from; i < aliases->n; i++)
		if (strcmp(aliases->entries[i].canonical, path) == 0)
			return (int)i;
	return -ENOENT;
}

int afs_aliases_dir_has_alias(const struct afs_aliases *aliases,
			      const char *dir_path)
{
	size_t i;

	for (i = 0; i < aliases->n; i++)
		if (strcmp(aliases->entries[i].parent, dir_path) == 0)
			return 1;
	return 0;
}

/* Length of @dir_path as a prefix ("/" counts as empty). */
static size_t afs_prefix_len(const char *dir_path)
{
	return strcmp(dir_path, "/") == 0 ? 0 : strlen(dir_path);
}

/* Is @path strictly below @dir_path? Returns the offset of the first
 * component after it, or 0. */
static size_t afs_below(const char *path, const char *dir_path)
{
	size_t dl = afs_prefix_len(dir_path);

	if (strncmp(path, dir_path, dl) != 0 || path[dl] != '/' ||
	    path[dl + 1] == '\0')
		return 0;
	return dl + 1;
}

int afs_aliases_needs_dir(const struct afs_aliases *aliases, const char *path)
{
	size_t i;

	for (i = 0; i < aliases->n; i++)
		if (strcmp(aliases->entries[i].canonical, path) == 0 ||
		    afs_below(aliases->entries[i].canonical, path))
			return 1;
	return 0;
}

int afs_aliases_has_below(const struct afs_aliases *aliases, const char *path)
{
	size_t i;

	for (i = 0; i < aliases->n; i++)
		if (afs_below(aliases->entries[i].canonical, path))
			return 1;
	return 0;
}

int afs_aliases_child_towards(const struct afs_aliases *aliases, size_t i,
			      const char *dir_path, char *buf, size_t size)
{
	const char *c = aliases->entries[i].canonical;
	size_t off = afs_below(c, dir_path), len;
	const char *end;

	if (off == 0)
		return 0;
	end = strchr(c + off, '/');
	len = end ? (size_t)(end - (c + off)) : strlen(c + off);
	if (len + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf, c + off, len);
	buf[len] = '\0';
	return 1;
}

int afs_aliases_has_junction_child(const struct afs_aliases *aliases,
				   const char *dir_path, const char *name)
{
	size_t i;

	for (i = 0; i < aliases->n; i++)
		if (afs_path_is_child(aliases->entries[i].canonical, dir_path,
				      name))
			return 1;
	return 0;
}
