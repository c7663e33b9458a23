/*
 * aliasdb — the alias map of an aliasfs tree, stored in LMDB.
 *
 * This header is the whole contract of the library: the daemon (fs/) and
 * aliasctl see nothing else, and no LMDB type appears here.
 *
 * Conventions (every function):
 *  - Functions that can fail return int: >= 0 on success, -errno on failure.
 *    Errors specific to this library:
 *      -EINVAL     input refused by a rule; the rule is written to *ret_rule
 *                  where the function has that out-parameter
 *      -EPROTO     the database was written by a newer schema than this
 *                  library understands (see aliasdb_open())
 *      -ENOENT     no such alias / no database where one was required
 *      -ENOSPC     the LMDB map is full
 *      -EROFS      the database was opened read-only
 *  - Out-parameters are named ret_*, come last and are written only on
 *    success.
 *  - Returned memory belongs to the caller and is released with the free
 *    function named beside it; every free function accepts NULL.
 *  - The library never prints and never exits.
 *
 * Concurrency: one struct aliasdb may be used from one thread at a time,
 * except aliasdb_map_* on a loaded map, which is immutable and may be read
 * from any number of threads. Many processes may open the same database:
 * readers always see a whole committed state, and a writer killed in the
 * middle of a write leaves the previous state.
 */
#ifndef ALIASDB_H
#define ALIASDB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Schema version this library writes. A database with a larger version is
 * refused with -EPROTO, never modified. */
#define ALIASDB_SCHEMA_VERSION 1

/* Where the database lives inside the tree it describes, relative to the
 * tree's root: <root>/var/lib/aliasfs. */
#define ALIASDB_DEFAULT_SUBDIR "var/lib/aliasfs"

/* Longest path the library accepts or produces, including the NUL. */
#define ALIASDB_PATH_MAX 4096

struct aliasdb;

enum aliasdb_open_flags {
	/* Create the directory (mode 0755, parents included) and an empty
	 * database if absent. Without it a missing database is -ENOENT. */
	ALIASDB_OPEN_CREATE = 1 << 0,
	/* Open read-only: every write returns -EROFS. Works on a database in
	 * a directory the caller may not write, provided the lock file
	 * exists. */
	ALIASDB_OPEN_RDONLY = 1 << 1,
};

/*
 * Open the database in directory @dir.
 *
 * Returns 0 and *ret_db, or: -ENOENT (no database and no
 * ALIASDB_OPEN_CREATE), -EPROTO (schema newer than ALIASDB_SCHEMA_VERSION;
 * aliasdb_open_schema_found() tells which), -EACCES, -ENOTDIR, any other
 * -errno from the file system or LMDB.
 * Release with aliasdb_close().
 */
int aliasdb_open(const char *dir, unsigned flags, struct aliasdb **ret_db);

/* Schema version found by the last aliasdb_open() in this thread that
 * failed with -EPROTO (0 if none). For the error message. */
unsigned aliasdb_open_schema_found(void);

/* Close and free. Accepts NULL. */
void aliasdb_close(struct aliasdb *db);

/*
 * Database-wide generation: a counter that changes on every committed write
 * (alias added, removed, changed, conflict recorded, ...). Reading it costs
 * one LMDB read transaction, O(1), no allocation: a reader that remembers
 * the value can tell whether anything changed since.
 */
int aliasdb_generation(struct aliasdb *db, uint64_t *ret_generation);

/* ---- Rules: why an alias is refused ------------------------------------ */

enum aliasdb_rule {
	ALIASDB_RULE_OK = 0,
	ALIASDB_RULE_NOT_ABSOLUTE,   /* a path does not start with '/' */
	ALIASDB_RULE_NOT_NORMALIZED, /* '.', '..', '//', or a trailing '/' */
	ALIASDB_RULE_ROOT,	     /* the alias or its target is '/' */
	ALIASDB_RULE_USR,	     /* the alias is /usr */
	ALIASDB_RULE_ETC,	     /* the alias is /etc or under it */
	ALIASDB_RULE_DPKG_DB,	/* /var/lib/dpkg or under it, either side */
	ALIASDB_RULE_PSEUDO_FS, /* /proc, /sys, /dev or under, either side */
	ALIASDB_RULE_SAME,	/* alias and target are the same path */
	ALIASDB_RULE_NESTED,	/* alias inside its own target or reverse */
	ALIASDB_RULE_CHAIN,	/* the target is an alias or under one, an
				      * alias path is under another alias, or
				      * the alias is (an ancestor of) another
				      * alias's target */
	ALIASDB_RULE_DUPLICATE, /* alias exists with a different target */
	ALIASDB_RULE_TOO_LONG,	/* longer than ALIASDB_PATH_MAX - 1 */
	ALIASDB_RULE_BAD_OWNER, /* owner name empty, has '/' or control
				      * characters */
};

/* A one-line English description naming the rule, e.g.
 * "/etc and everything under it must never be an alias". Static string;
 * never NULL (unknown values give a generic text). */
const char *aliasdb_rule_describe(enum aliasdb_rule rule);

/*
 * Would adding @alias -> @canonical be accepted, given the aliases already
 * in @db? Does not write. @db may be NULL to check only the rules that do
 * not depend on other aliases.
 * Returns 0 (accepted: *ret_rule = ALIASDB_RULE_OK), -EINVAL (refused:
 * *ret_rule names the rule), or another -errno reading the database.
 * An alias that already exists with the same target is accepted.
 */
int aliasdb_check(struct aliasdb *db, const char *alias, const char *canonical,
		  enum aliasdb_rule *ret_rule);

/* ---- Aliases ------------------------------------------------------------ */

enum aliasdb_state {
	ALIASDB_STATE_ACTIVE = 0,
	/* Known but not applied to the view: activating it would hide a
	 * differing file. The reason says which. */
	ALIASDB_STATE_BLOCKED = 1,
};

struct aliasdb_alias {
	char *alias;	 /* absolute, normalized, e.g. "/bin" */
	char *canonical; /* absolute, normalized, e.g. "/usr/bin" */
	enum aliasdb_state state;
	char *reason;  /* why blocked; NULL when active */
	char **owners; /* names of the declarations that own it, sorted;
			  * n_owners == 0 for an alias added by hand */
	size_t n_owners;
};

/* Free one alias and its strings. Accepts NULL. */
void aliasdb_alias_free(struct aliasdb_alias *alias);

/* Free an array returned by aliasdb_list() and every alias in it. */
void aliasdb_alias_list_free(struct aliasdb_alias **list, size_t n);

/*
 * Add @alias -> @canonical. @owner is the declaration name that owns it, or
 * NULL for an alias added by hand.
 * If the alias exists with the same target, @owner (if any) is added to its
 * owners and the call succeeds; an alias added by hand stays owned by hand
 * too (an alias is "by hand" if it was ever added with owner NULL and not
 * since removed).
 * New aliases are ACTIVE; use aliasdb_set_state() to block one.
 * Returns 1 if the database changed, 0 if it already held exactly this,
 * -EINVAL with *ret_rule on refusal, -EROFS, -ENOSPC, other -errno.
 * @ret_rule may be NULL.
 */
int aliasdb_add(struct aliasdb *db, const char *alias, const char *canonical,
		const char *owner, enum aliasdb_rule *ret_rule);

/*
 * Remove @alias whatever its owners. Returns 0, -ENOENT if absent, -EROFS,
 * other -errno.
 */
int aliasdb_remove(struct aliasdb *db, const char *alias);

/*
 * Drop @owner from @alias's owners. When no owner is left and the alias was
 * not added by hand, the alias is removed. Returns 1 if the alias was
 * removed, 0 if it remains, -ENOENT if the alias or the owner is absent.
 */
int aliasdb_disown(struct aliasdb *db, const char *alias, const char *owner);

/*
 * Set the state of @alias. @reason is required (non-NULL, non-empty) for
 * ALIASDB_STATE_BLOCKED and ignored for ACTIVE. Returns 0, -ENOENT, -EINVAL.
 */
int aliasdb_set_state(struct aliasdb *db, const char *alias,
		      enum aliasdb_state state, const char *reason);

/* Look up one alias by its alias path. Returns 0 and *ret_alias (free with
 * aliasdb_alias_free()), -ENOENT, other -errno. */
int aliasdb_get(struct aliasdb *db, const char *alias,
		struct aliasdb_alias **ret_alias);

/* Every alias, sorted by alias path. *ret_list is NULL when *ret_n is 0.
 * Free with aliasdb_alias_list_free(). */
int aliasdb_list(struct aliasdb *db, struct aliasdb_alias ***ret_list,
		 size_t *ret_n);

/* ---- Conflicts: one name, two differing files ------------------------- */

/*
 * A conflict is a canonical path where the backing holds a differing
 * non-directory entry under an alias spelling too. The view shows the
 * canonical one; the pair is recorded here for `aliasctl status`.
 */
struct aliasdb_conflict {
	char *canonical; /* path shown, e.g. "/usr/bin/test" */
	char *shadowed;	 /* the other spelling, e.g. "/bin/test" */
};

/* Record a conflict. Returns 1 if new, 0 if already recorded, -errno. */
int aliasdb_conflict_add(struct aliasdb *db, const char *canonical,
			 const char *shadowed);

/* Forget a conflict (resolved). Returns 0, -ENOENT, -errno. */
int aliasdb_conflict_remove(struct aliasdb *db, const char *canonical,
			    const char *shadowed);

/* Every recorded conflict, sorted. Free with aliasdb_conflict_list_free(). */
int aliasdb_conflict_list(struct aliasdb *db,
			  struct aliasdb_conflict **ret_list, size_t *ret_n);

void aliasdb_conflict_list_free(struct aliasdb_conflict *list, size_t n);

/* ---- Architecture default sets ---------------------------------------- */

/*
 * The merged-/usr alias set of Debian architecture @arch, as debootstrap's
 * setup_merged_usr table gives it: "bin", "sbin", "lib" and the
 * architecture's biarch directories (amd64: lib32 lib64 libx32). Each name
 * N means the alias /N -> /usr/N.
 * Returns the number of names (>= 3) and *ret_names, a static
 * NULL-terminated array; -ENOENT for an unknown architecture. hurd-*
 * architectures have no merged /usr: -ENOENT too.
 */
int aliasdb_arch_defaults(const char *arch, const char *const **ret_names);

/* Every architecture aliasdb_arch_defaults() knows, NULL-terminated,
 * static. */
const char *const *aliasdb_arch_known(void);

/*
 * The host's Debian architecture: `dpkg --print-architecture` when dpkg is
 * there, else derived from the compiler's target. Returns 0 and a string
 * the caller frees, or -errno.
 */
int aliasdb_host_arch(char **ret_arch);

/*
 * Add @arch's default set to @db (owned by hand). Aliases already present
 * with the same target are kept. Returns the number of aliases added,
 * -ENOENT for an unknown architecture, -EINVAL with *ret_rule if one is
 * refused (nothing is written then), other -errno.
 */
int aliasdb_add_arch_defaults(struct aliasdb *db, const char *arch,
			      enum aliasdb_rule *ret_rule);

/* ---- Paths -------------------------------------------------------------- */

/*
 * Lexically normalize absolute path @path into @buf: collapse '//', drop
 * '.', resolve '..' against the preceding component ('..' at '/' stays at
 * '/'), drop a trailing '/'. "/" stays "/".
 * Returns the length written (excluding the NUL), -EINVAL for a relative
 * or empty path, -ENAMETOOLONG if @size is too small. No allocation.
 */
ssize_t aliasdb_path_normalize(const char *path, char *buf, size_t size);

/* ---- The alias map: an immutable snapshot for hot paths ---------------- */

/*
 * A read-only snapshot of the ACTIVE aliases, built once and then read
 * without locks or allocation from any number of threads.
 */
struct aliasdb_map;

/* Snapshot @db's active aliases. Records the generation it was taken at. */
int aliasdb_map_load(struct aliasdb *db, struct aliasdb_map **ret_map);

/*
 * Build a map from @n pairs (alias[i] -> canonical[i]) without a database,
 * e.g. an architecture's default set when no database exists yet. Every
 * pair must pass the rules (-EINVAL with *ret_rule otherwise; @ret_rule may
 * be NULL). Generation is 0.
 */
int aliasdb_map_from_pairs(const char *const *alias,
			   const char *const *canonical, size_t n,
			   struct aliasdb_map **ret_map,
			   enum aliasdb_rule *ret_rule);

/* Map of @arch's default set, without a database. -ENOENT if unknown. */
int aliasdb_map_for_arch(const char *arch, struct aliasdb_map **ret_map);

void aliasdb_map_free(struct aliasdb_map *map);

/* Generation of the database when the map was loaded (0 if none). */
uint64_t aliasdb_map_generation(const struct aliasdb_map *map);

/* Number of aliases, and the i-th pair (sorted by alias path). The strings
 * live as long as the map. */
size_t aliasdb_map_count(const struct aliasdb_map *map);
const char *aliasdb_map_alias(const struct aliasdb_map *map, size_t i);
const char *aliasdb_map_canonical(const struct aliasdb_map *map, size_t i);

/* Do two maps hold the same pairs? (Generation is not compared.) */
int aliasdb_map_equal(const struct aliasdb_map *a, const struct aliasdb_map *b);

/*
 * Canonicalize absolute @path: normalize lexically, then replace the
 * longest alias prefix (on whole components: "/library" is not under
 * "/lib", "/lib64" is not "/lib" + "64") by its target. @path and @buf may
 * not overlap. No allocation.
 * Returns the length written (excluding NUL), -EINVAL for a relative or
 * empty path, -ENAMETOOLONG if the result does not fit @size.
 */
ssize_t aliasdb_map_canon(const struct aliasdb_map *map, const char *path,
			  char *buf, size_t size);

/*
 * Which alias, if any, has @path (normalized, absolute) equal to or under
 * its alias path? Returns the index (for aliasdb_map_alias()) or -ENOENT.
 */
int aliasdb_map_find_alias(const struct aliasdb_map *map, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* ALIASDB_H */
