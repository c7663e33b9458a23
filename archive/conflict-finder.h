/*
 * Alias conflict finder: collects (path, package) pairs from any number of
 * inputs and reports every canonical path that packages ship under more
 * than one spelling (the conflict that loses files on a merged-/usr
 * system), and optionally every path that two packages ship alike.
 *
 * Built for archive scale (millions of pairs): paths are grouped by
 * canonical directory, strings live in one arena addressed by 32-bit
 * offsets, and the tables are open-addressing arrays of indices.
 */
#ifndef CONFLICT_FINDER_H
#define CONFLICT_FINDER_H

#include <stddef.h>

#include "aliasdb.h"

struct conflict_finder;

enum conflict_kind {
	/* Two or more spellings of one canonical path, by two or more
	 * packages. */
	CONFLICT_ALIAS = 0,
	/* One spelling shipped by two or more packages (no alias
	 * involved). Reported only with CONFLICT_FINDER_ALL. */
	CONFLICT_SAME_PATH = 1,
};

enum conflict_finder_flags {
	/* Also report same-path conflicts. Without it, paths that cannot
	 * have a second spelling are not even stored. */
	CONFLICT_FINDER_ALL = 1 << 0,
};

struct conflict_ship {
	char *path;    /* the spelling shipped, normalized */
	char *package; /* the package shipping it */
};

struct conflict {
	enum conflict_kind kind;
	char *canonical;	     /* the canonical path */
	struct conflict_ship *ships; /* sorted by path, then package */
	size_t n_ships;
};

/*
 * New finder canonicalizing with @map, which must outlive it. Returns 0,
 * -ENOMEM, or -E2BIG if @map has more than 254 aliases.
 */
int conflict_finder_new(const struct aliasdb_map *map, unsigned flags,
			struct conflict_finder **ret_finder);

/* Free. Accepts NULL. */
void conflict_finder_free(struct conflict_finder *finder);

/*
 * Record that @pkg ships @path (absolute; normalized here). Directories
 * must not be passed. Returns 0, -EINVAL (relative or empty path, empty
 * package), -ENAMETOOLONG, -ENOMEM, -EOVERFLOW (more than 4 GiB of
 * strings).
 */
int conflict_finder_add(struct conflict_finder *finder, const char *path,
			size_t path_len, const char *pkg, size_t pkg_len);

/* conflict_finder_add() with the arc_path_fn signature; @ctx is the
 * finder. */
int conflict_finder_sink(void *ctx, const char *path, size_t path_len,
			 const char *pkg, size_t pkg_len);

/* Number of distinct (canonical path) entries stored so far. */
size_t conflict_finder_count(const struct conflict_finder *finder);

/*
 * The conflicts found so far, sorted by canonical path. *ret_list is NULL
 * when *ret_n is 0. Free with conflict_list_free(). Returns 0 or -ENOMEM.
 */
int conflict_finder_collect(struct conflict_finder *finder,
			    struct conflict **ret_list, size_t *ret_n);

/* Free a list from conflict_finder_collect(). Accepts NULL. */
void conflict_list_free(struct conflict *list, size_t n);

#endif /* CONFLICT_FINDER_H */
