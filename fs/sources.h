/*
 * afs_aliases: the daemon's read-only view of one alias map snapshot, with
 * what the hot paths need precomputed (each alias's parent directory, its
 * name and its relative symlink text). Pure: no file system access, so it
 * is unit-tested on its own.
 */
#ifndef AFS_SOURCES_H
#define AFS_SOURCES_H

#include <stddef.h>
#include <sys/types.h>

#include "aliasdb.h"

struct afs_alias_entry {
	const char *alias;     /* "/bin" (lives in the map) */
	const char *canonical; /* "/usr/bin" (lives in the map) */
	char *parent;	       /* "/" */
	const char *name;      /* "bin" (points into alias) */
	char *target;	       /* "usr/bin" */
};

struct afs_aliases {
	struct aliasdb_map *map;
	struct afs_alias_entry *entries;
	size_t n;
};

/* Build from @map, taking ownership of it (freed even on failure).
 * Returns 0 and *ret_aliases, or -ENOMEM / -ENAMETOOLONG. */
int afs_aliases_new(struct aliasdb_map *map, struct afs_aliases **ret_aliases);

/* Free. Accepts NULL. */
void afs_aliases_free(struct afs_aliases *aliases);

/* Index of the alias whose path is @dir_path + "/" + @name, or -ENOENT. */
int afs_aliases_find_child(const struct afs_aliases *aliases,
			   const char *dir_path, const char *name);

/* Index of the first alias at or after @from whose canonical path is
 * @path (a junction), or -ENOENT. */
int afs_aliases_find_junction(const struct afs_aliases *aliases,
			      const char *path, size_t from);

/* Does any alias live directly in @dir_path? */
int afs_aliases_dir_has_alias(const struct afs_aliases *aliases,
			      const char *dir_path);

/* Must the view show a directory at @path even when the backing has none?
 * True for the canonical path of an alias and each of its ancestors. */
int afs_aliases_needs_dir(const struct afs_aliases *aliases, const char *path);

/* Is @dir_path + "/" + @name the canonical path of an alias? */
int afs_aliases_has_junction_child(const struct afs_aliases *aliases,
				   const char *dir_path, const char *name);

/* Does some alias's canonical path lie strictly below @path? */
int afs_aliases_has_below(const struct afs_aliases *aliases, const char *path);

/*
 * If alias @i's canonical path lies strictly below @dir_path, write the
 * name of @dir_path's child on the way to it into @buf and return 1;
 * return 0 otherwise, -ENAMETOOLONG if @size is too small.
 */
int afs_aliases_child_towards(const struct afs_aliases *aliases, size_t i,
			      const char *dir_path, char *buf, size_t size);

/* Is @path equal to @dir_path + "/" + @name? (@dir_path "/" is the root.) */
int afs_path_is_child(const char *path, const char *dir_path, const char *name);

#endif /* AFS_SOURCES_H */
