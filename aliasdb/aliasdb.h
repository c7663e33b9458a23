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
 *      -EUCLEAN    a store of the database is damaged (see "Damage"
 *                  below): aliasdb_open_damaged_file() names it
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

#include <stdbool.h>
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
	/* The protected subtrees: neither side may be one, lie inside one
	 * or contain one (/var is refused: it holds /var/lib/dpkg). */
	ALIASDB_RULE_ETC,	/* /etc */
	ALIASDB_RULE_DPKG_DB,	/* /var/lib/dpkg */
	ALIASDB_RULE_PSEUDO_FS, /* /proc, /sys, /dev */
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
	/* Added later; the values above keep their numbers. */
	ALIASDB_RULE_DATABASE,	   /* the alias database's directory
				    * (/var/lib/aliasfs, or the database's
				    * own directory inside the tree), under
				    * it or containing it, either side */
	ALIASDB_RULE_DECL_DIR,	   /* the declaration directory
				    * (ALIASDB_DECL_DIR), under it or
				    * containing it, either side */
	ALIASDB_RULE_RUNTIME,	   /* /run or /tmp, under or containing */
	ALIASDB_RULE_BOOT,	   /* /boot, under or containing */
	ALIASDB_RULE_CONTROL_CHAR, /* a byte below 0x20, or DEL */
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

/* ---- Declarations and sync ------------------------------------------- */

/*
 * Packages declare aliases with files in ALIASDB_DECL_DIR inside the tree
 * (one "ALIAS CANONICAL" pair a line, '#' comments, blank lines; the file
 * name is the declaration's name and becomes the owner of its aliases). A
 * sync brings the database in line with that directory; an alias whose
 * activation would hide a differing backing file is imported BLOCKED.
 */

/* The declaration directory, relative to the tree's root. */
#define ALIASDB_DECL_DIR "usr/share/aliasfs/aliases.d"

/* Largest declaration file a sync reads; larger ones are reported. */
#define ALIASDB_DECL_MAX_SIZE (1024 * 1024)

struct aliasdb_decl_pair {
	char *alias; /* as written, checked by the rules of one pair */
	char *canonical;
	unsigned line; /* 1-based */
};

/* A line that cannot be imported. */
struct aliasdb_decl_problem {
	unsigned line;		/* 1-based */
	enum aliasdb_rule rule; /* ALIASDB_RULE_OK for a syntax error */
	char *message;	 /* English, one line, e.g. "missing CANONICAL" */
	char *alias;	 /* the refused pair, when the line held one; else */
	char *canonical; /* NULL */
};

struct aliasdb_decl {
	struct aliasdb_decl_pair *pairs; /* in file order, duplicates once */
	size_t n_pairs;
	struct aliasdb_decl_problem *problems; /* in file order */
	size_t n_problems;
};

/*
 * Parse the @len bytes at @text as a declaration file. Never fails on bad
 * content: each unusable line becomes a problem and the rest is kept.
 * Lines end in LF or CRLF; fields are separated by blanks; a field that
 * starts with '#' starts a comment. Returns 0 and *ret_decl (free with
 * aliasdb_decl_free()), or -ENOMEM.
 */
int aliasdb_decl_parse(const char *text, size_t len,
		       struct aliasdb_decl **ret_decl);

void aliasdb_decl_free(struct aliasdb_decl *decl);

/*
 * Would activating @alias -> @canonical hide a differing file in the tree
 * whose root directory is open at @tree_fd? Walks the backing directories
 * of both spellings (never following a symlink) and lists each pair of
 * differing non-directory entries (or a directory facing a non-directory)
 * that the alias side would lose, in path order. Identical files (same
 * inode, same content, same symlink target, same device) do not differ.
 */
struct aliasdb_diff {
	char *alias_path;     /* e.g. "/bin/test", the side that is hidden */
	char *canonical_path; /* e.g. "/usr/bin/test", the side shown */
};

/* Returns 0 with *ret_list (NULL when *ret_n is 0; free with
 * aliasdb_diff_list_free()), or -errno when the tree cannot be read. */
int aliasdb_tree_compare(int tree_fd, const char *alias, const char *canonical,
			 struct aliasdb_diff **ret_list, size_t *ret_n);

void aliasdb_diff_list_free(struct aliasdb_diff *list, size_t n);

/* What a sync did or refused, one event each. */
enum aliasdb_sync_kind {
	ALIASDB_SYNC_IMPORTED,	 /* a new declaration was imported */
	ALIASDB_SYNC_REIMPORTED, /* a changed declaration was re-imported */
	ALIASDB_SYNC_UNIMPORTED, /* a declaration disappeared */
	ALIASDB_SYNC_ADDED,	 /* a new alias (active) */
	ALIASDB_SYNC_REMOVED,	 /* an alias left: no owner remains */
	ALIASDB_SYNC_BLOCKED,	 /* an alias is blocked; detail = reason */
	ALIASDB_SYNC_ACTIVATED,	 /* a blocked alias became active */
	ALIASDB_SYNC_REFUSED,	 /* a pair refused by a rule; detail says */
	ALIASDB_SYNC_MALFORMED,	 /* a line that is not a pair */
	ALIASDB_SYNC_UNREADABLE, /* a declaration file that cannot be read:
				  * its previous import is kept as it was */
};

struct aliasdb_sync_event {
	enum aliasdb_sync_kind kind;
	char *decl;		/* declaration name, NULL for alias events */
	unsigned line;		/* line in the declaration, 0 if none */
	char *alias;		/* NULL if none */
	char *canonical;	/* NULL if none */
	char *detail;		/* rule, reason or problem; NULL if none */
	enum aliasdb_rule rule; /* REFUSED: the rule; else ALIASDB_RULE_OK */
};

struct aliasdb_sync_report {
	/* declaration events in the order they were handled, then alias
	 * events by alias path */
	struct aliasdb_sync_event *events;
	size_t n_events;
	size_t n_problems;   /* REFUSED + MALFORMED + UNREADABLE events */
	int changed;	     /* 1 if the database was written */
	uint64_t generation; /* the database's generation after the sync */
};

/*
 * Sync @db with the declaration directory of the tree open at @tree_fd, in
 * ONE write transaction (readers see the state before or after). Rules:
 * a declaration not yet imported is imported (each pair added with the
 * declaration's name as owner); one that disappeared or whose content
 * changed since its import is unimported (its aliases disowned; an alias
 * with no owner left and not added by hand is removed) and re-imported if
 * present; a pair naming an alias that exists with another target, or
 * breaking a rule, is refused and reported, and retried at the next sync
 * while its declaration is unchanged. A new alias is BLOCKED when
 * aliasdb_tree_compare() finds differences; every blocked alias is checked
 * again and becomes ACTIVE once the differences are gone. Files whose name
 * starts with '.', ends in '~' or contains ".dpkg-" (dpkg's temporary
 * files) are ignored. A second sync of an unchanged tree writes nothing.
 * Returns 0 and *ret_report (free with aliasdb_sync_report_free()) even
 * when pairs were refused; -EROFS, -ENOSPC, -ELOOP or -ENOTDIR (the
 * declaration directory's path holds a symlink or a file), other -errno:
 * nothing was written then.
 */
int aliasdb_sync(struct aliasdb *db, int tree_fd,
		 struct aliasdb_sync_report **ret_report);

void aliasdb_sync_report_free(struct aliasdb_sync_report *report);

/*
 * What the last sync could not import: its REFUSED, MALFORMED and
 * UNREADABLE events, kept per declaration until a sync finds the
 * declaration fixed or gone, sorted by declaration name, then by line.
 * Returns 0 and *ret_list (NULL when *ret_n is 0; free with
 * aliasdb_sync_problems_free()), or -errno.
 */
int aliasdb_sync_problems(struct aliasdb *db,
			  struct aliasdb_sync_event **ret_list, size_t *ret_n);

void aliasdb_sync_problems_free(struct aliasdb_sync_event *list, size_t n);

/* A short English word for @kind ("imported", "refused", ...). Static. */
const char *aliasdb_sync_kind_name(enum aliasdb_sync_kind kind);

enum aliasdb_activate_flags {
	/* Activate despite differences: the canonical side wins and each
	 * shadowed alias-side entry is moved into the quarantine. */
	ALIASDB_ACTIVATE_FORCE = 1 << 0,
};

/* A file moved aside by a forced activation. */
struct aliasdb_quarantined {
	char *alias;	/* the alias whose activation moved it, "/bin" */
	char *original; /* where it was in the tree, "/bin/test" */
	char *stored;	/* where it is now: an absolute file system path
			 * under <database dir>/quarantine */
};

struct aliasdb_activation {
	int activated;		    /* 1 if @alias is ACTIVE now */
	struct aliasdb_diff *diffs; /* differences found (moved if forced) */
	size_t n_diffs;
	struct aliasdb_quarantined *moved; /* files moved into quarantine */
	size_t n_moved;
};

/*
 * Check @alias against the tree open at @tree_fd and make it ACTIVE when no
 * difference is found. Otherwise, without ALIASDB_ACTIVATE_FORCE, a blocked
 * alias stays BLOCKED (its reason updated), an active one stays ACTIVE, and
 * the differences are returned; with it, each
 * alias-side entry of a difference is moved (renameat, never copied) to
 * <database dir>/quarantine/<alias-side path> (a ".N" suffix when taken),
 * each move is recorded, and the alias becomes ACTIVE in the same
 * transaction. If the moves or the commit fail, the files moved so far are
 * put back. Returns 0 and *ret_activation (free with
 * aliasdb_activation_free()), -ENOENT (no such alias), -EXDEV (quarantine
 * on another file system than the tree), -EROFS, other -errno.
 */
int aliasdb_activate(struct aliasdb *db, int tree_fd, const char *alias,
		     unsigned flags,
		     struct aliasdb_activation **ret_activation);

void aliasdb_activation_free(struct aliasdb_activation *activation);

/* Every file in quarantine, sorted by stored path. *ret_list is NULL
 * when *ret_n is 0. Free with aliasdb_quarantine_list_free(). */
int aliasdb_quarantine_list(struct aliasdb *db,
			    struct aliasdb_quarantined **ret_list,
			    size_t *ret_n);

void aliasdb_quarantine_list_free(struct aliasdb_quarantined *list, size_t n);

/* ---- dpkg database claims ---------------------------------------------- */

/*
 * dpkg sees one identity per file when its database is presented with
 * every spelling of each path a package *claims*. These functions keep the
 * state that needs (per database file: what it was last presented as, and
 * which entries dpkg released) and do the text transforms; the daemon
 * decides when to call them.
 *
 * The state lives in its own LMDB environment, ALIASDB_CLAIMS_FILE in the
 * database directory, written at dpkg's pace by the daemon alone: the alias
 * map is never locked by it, and a daemon holding the alias database
 * read-only can still write it.
 */
#define ALIASDB_CLAIMS_FILE "dpkg-claims.mdb"

/* The kinds of dpkg database file and how their records look. */
enum aliasdb_dpkg_db {
	ALIASDB_DPKG_LIST,	   /* info/P.list: one path a line */
	ALIASDB_DPKG_DIVERSIONS,   /* diversions: from, to, package lines */
	ALIASDB_DPKG_STATOVERRIDE, /* statoverride: "user group mode path" */
	ALIASDB_DPKG_FILE_TRIGGERS /* triggers/File: "path package" */
};

struct aliasdb_claims;

/*
 * Open (ALIASDB_OPEN_CREATE: create the directory and the file if absent;
 * ALIASDB_OPEN_RDONLY: read-only) the claims of the tree whose database
 * directory is @dir. Returns 0 and *ret_claims, -ENOENT, -EACCES, other
 * -errno. Safe to use from several threads (each call is one transaction).
 * Release with aliasdb_claims_close().
 */
int aliasdb_claims_open(const char *dir, unsigned flags,
			struct aliasdb_claims **ret_claims);

void aliasdb_claims_close(struct aliasdb_claims *claims);

/* A counter that changes with every committed write. O(1). */
int aliasdb_claims_generation(struct aliasdb_claims *claims,
			      uint64_t *ret_generation);

/*
 * The text @file (a view path such as "/var/lib/dpkg/info/a.list") was last
 * presented as. Returns 0 and *ret_text and *ret_len (free() it; NUL
 * terminated), -ENOENT when it was never recorded, other -errno.
 */
int aliasdb_claims_get_presented(struct aliasdb_claims *claims,
				 const char *file, char **ret_text,
				 size_t *ret_len);

/* Record that @file is being presented as @text. Returns 1 if that
 * changed the state, 0 if it was recorded already, -errno. */
int aliasdb_claims_set_presented(struct aliasdb_claims *claims,
				 const char *file, const char *text,
				 size_t len);

/*
 * The released entries of @file ("" when none), as aliasdb_claims_present()
 * takes them. Returns 0 and *ret_text and *ret_len (free()), -errno; a file
 * with no state has nothing released (0 and "").
 */
int aliasdb_claims_get_released(struct aliasdb_claims *claims, const char *file,
				char **ret_text, size_t *ret_len);

/*
 * dpkg wrote @file (content @text): learn from it. Entries that were
 * presented and are missing from @text were dropped by dpkg; for a list, a
 * dropped non-directory path that another list now holds (a Replaces
 * transfer) is released by this one, for the other kinds a dropped record
 * that no new record replaces is released. What was presented is the
 * recorded text, or @shown (@shown_len bytes; may be NULL) when none is
 * recorded. @is_dir (may be NULL) tells whether a canonical view path is a
 * directory (dpkg shares directories, it never transfers them).
 * Returns 1 if something was released, 0 if not, -errno.
 */
int aliasdb_claims_absorb(struct aliasdb_claims *claims,
			  const struct aliasdb_map *map,
			  enum aliasdb_dpkg_db kind, const char *file,
			  const char *text, size_t len, const char *shown,
			  size_t shown_len,
			  int (*is_dir)(const char *path, void *userdata),
			  void *userdata);

/* @file is gone (package purged): forget its state. Returns 0 or -errno
 * (a file with no state is 0 too). */
int aliasdb_claims_forget(struct aliasdb_claims *claims, const char *file);

/*
 * Present the @len bytes at @backing (what dpkg wrote, any content: lines
 * without a trailing newline and garbage pass through) with every spelling
 * of each claimed path under @map, minus the @released entries, in dpkg's
 * order. Returns 0 and *ret_text (NUL terminated, free()) and *ret_len, or
 * -ENOMEM.
 */
int aliasdb_claims_present(const struct aliasdb_map *map,
			   enum aliasdb_dpkg_db kind, const char *backing,
			   size_t len, const char *released,
			   size_t released_len, char **ret_text,
			   size_t *ret_len);

/*
 * What to store for database file @kind (not a list: the files dpkg
 * rewrites whole from what it read) when dpkg wrote @written (@len bytes)
 * after being shown @shown, the presentation of @before (what the backing
 * held; either may be NULL with length 0). dpkg writes back every spelling
 * it was shown; stored, they would stay, so each record that only
 * presented a record of @before is left out, and that record is stored
 * in its own spelling where dpkg wrote that spelling. Records dpkg added
 * or changed, and anything that is not a record, are kept as written, in
 * dpkg's order. For a list, a copy of @written.
 * Returns 0 and *ret_text (NUL terminated, free()) and *ret_len, -ENOMEM.
 */
int aliasdb_claims_unpresent(const struct aliasdb_map *map,
			     enum aliasdb_dpkg_db kind, const char *before,
			     size_t before_len, const char *shown,
			     size_t shown_len, const char *written, size_t len,
			     char **ret_text, size_t *ret_len);

/* ---- Physical merge and split of a tree: convert and revert ---------- */

struct stat;

enum aliasdb_same_flags {
	/* Also require the same permission bits, owner and group (what a
	 * physical merge may drop one copy of). */
	ALIASDB_SAME_METADATA = 1 << 0,
};

/*
 * The one rule for "these two entries are the same file", used by the
 * view's conflict check (aliasdb_tree_compare()) and by convert: one inode,
 * or the same type and the same content (bytes of a regular file, target
 * text of a symlink, device number of a device; fifos and sockets have
 * none), and with ALIASDB_SAME_METADATA the same mode, owner and group.
 * @sa and @sb are the lstat of @name_a in directory @dirfd_a and @name_b in
 * @dirfd_b. Regular files are opened with O_NOFOLLOW. Returns 1 the same,
 * 0 different (an unreadable file counts as different).
 */
int aliasdb_entries_same(int dirfd_a, const char *name_a, const struct stat *sa,
			 int dirfd_b, const char *name_b, const struct stat *sb,
			 unsigned flags);

/*
 * `aliasctl convert` moves every entry of each alias directory to its
 * canonical place and makes the alias the relative symlink (bin ->
 * usr/bin); `aliasctl revert` splits such a tree back. Both plan first,
 * then journal every step in ALIASDB_JOURNAL_FILE (an LMDB environment in
 * the database directory) before making it. Every step is a rename within
 * the tree's file system or makes a new object in the staging directory
 * ALIASDB_STAGING_NAME at the tree's root, so a run killed at any point is
 * finished by aliasdb_convert_resume() or undone by
 * aliasdb_convert_rollback(), with no file lost or duplicated.
 */
#define ALIASDB_JOURNAL_FILE "convert-journal.mdb"
#define ALIASDB_STAGING_NAME ".aliasfs-convert"

enum aliasdb_convert_op {
	ALIASDB_OP_NONE = 0,
	ALIASDB_OP_CONVERT = 1,
	ALIASDB_OP_REVERT = 2,
};

/* Which side wins where both spellings hold differing entries. */
enum aliasdb_prefer {
	ALIASDB_PREFER_NONE = 0,  /* refuse the plan: a conflict */
	ALIASDB_PREFER_CANONICAL, /* the alias side goes to the quarantine */
	ALIASDB_PREFER_ALIAS,	  /* the canonical side goes there */
};

enum aliasdb_convert_flags {
	/* revert: place entries by dpkg's database only, ignoring what the
	 * last convert recorded about the original tree. */
	ALIASDB_REVERT_DPKG_ONLY = 1 << 0,
};

struct aliasdb_convert_opts {
	enum aliasdb_prefer prefer;
	unsigned flags; /* enum aliasdb_convert_flags */
	/* Called after each journaled event (a step made or undone, a
	 * journal commit), @n counting from 1 in this call. May be NULL. */
	void (*event)(void *userdata, uint64_t n);
	void *userdata;
};

/* One line of a plan, as `--dry-run` prints it. */
enum aliasdb_plan_kind {
	ALIASDB_PLAN_MOVE,	   /* path moves to other */
	ALIASDB_PLAN_MERGE,	   /* directory path merges into other */
	ALIASDB_PLAN_DEDUP,	   /* path and other are the same file: path's
				    * copy goes (detail says which stays) */
	ALIASDB_PLAN_DROP_LINK,	   /* path is a symlink naming other: it goes */
	ALIASDB_PLAN_REPLACE_LINK, /* other is a symlink naming path: path
				    * takes its place */
	ALIASDB_PLAN_QUARANTINE,   /* path goes to the quarantine at other;
				    * detail says why */
	ALIASDB_PLAN_SYMLINK,	   /* path becomes a symlink to detail */
	ALIASDB_PLAN_MKDIR,	   /* directory path is made */
	ALIASDB_PLAN_COPY,	   /* other gets a copy of path */
	ALIASDB_PLAN_LINK,	   /* other becomes a hard link of path */
	ALIASDB_PLAN_RMDIR,	   /* the emptied directory path goes */
	ALIASDB_PLAN_SKIP,	   /* alias path is left as it is: detail */
	ALIASDB_PLAN_NOTE,	   /* a remark about path; nothing changes */
	ALIASDB_PLAN_CONFLICT,	   /* unresolved (detail says why): the plan
				    * is refused */
};

struct aliasdb_plan_item {
	enum aliasdb_plan_kind kind;
	char *path;   /* absolute in the tree */
	char *other;  /* NULL if none */
	char *detail; /* NULL if none */
};

/* A short English word for @kind ("move", "dedup", ...). Static. */
const char *aliasdb_plan_kind_name(enum aliasdb_plan_kind kind);

struct aliasdb_plan;

/*
 * Plan @op on the tree whose root is open at @tree_fd (a directory fd, not
 * O_PATH) for the aliases of @map. @db (may be NULL when the tree has no
 * database yet) gives revert the record of the last convert. Reads the
 * tree, changes nothing. Conflicts are items of kind
 * ALIASDB_PLAN_CONFLICT: a plan with any cannot be executed.
 * Returns 0 and *ret_plan (free with aliasdb_plan_free()), or -errno
 * when the tree cannot be read.
 */
int aliasdb_convert_plan(struct aliasdb *db, const struct aliasdb_map *map,
			 int tree_fd, enum aliasdb_convert_op op,
			 const struct aliasdb_convert_opts *opts,
			 struct aliasdb_plan **ret_plan);

void aliasdb_plan_free(struct aliasdb_plan *plan);

/* The plan's items, in order; valid as long as the plan. */
const struct aliasdb_plan_item *
aliasdb_plan_items(const struct aliasdb_plan *plan, size_t *ret_n);

/* Number of CONFLICT items, and of steps (0: nothing to do). */
size_t aliasdb_plan_conflicts(const struct aliasdb_plan *plan);
size_t aliasdb_plan_steps(const struct aliasdb_plan *plan);

/* What a run did, filled in even when it fails. */
struct aliasdb_convert_status {
	uint64_t made;		      /* steps made */
	uint64_t undone;	      /* steps undone */
	uint64_t events;	      /* journaled events (see opts->event) */
	char where[ALIASDB_PATH_MAX]; /* the path a failure is about, or "" */
};

/*
 * Journal @plan in @db's directory and make it (@db writable, the plan
 * without conflicts, no run pending). Durability: the journal is synced
 * before the first step; after each batch of steps the tree's file system
 * is synced (syncfs) and then the journal. Aliases a convert merged become
 * ACTIVE, files moved into the quarantine are recorded as `activate
 * --force` records them. Returns 0, -EBUSY (a run is pending: resume or
 * roll it back first), -EINVAL (a conflicted plan), -ENOTEMPTY (an
 * emptied directory still holds files: something wrote into the tree
 * meanwhile; status->where names it), -EXDEV, or another -errno from the
 * tree or the journal; the journal then holds the run, for
 * aliasdb_convert_resume() or aliasdb_convert_rollback().
 */
int aliasdb_convert_execute(struct aliasdb *db, int tree_fd,
			    struct aliasdb_plan *plan,
			    const struct aliasdb_convert_opts *opts,
			    struct aliasdb_convert_status *status);

enum aliasdb_pending {
	ALIASDB_PENDING_NONE = 0,
	ALIASDB_PENDING_RUN,	  /* interrupted while making steps */
	ALIASDB_PENDING_ROLLBACK, /* interrupted while undoing them */
	ALIASDB_PENDING_CLEANUP,  /* interrupted after the last step */
};

/* Is a run pending in @db's journal, and of which operation? */
int aliasdb_convert_pending(struct aliasdb *db, enum aliasdb_convert_op *ret_op,
			    enum aliasdb_pending *ret_pending);

/*
 * Finish the pending run on the tree at @tree_fd (the same tree: -ESTALE
 * otherwise). A run that was being rolled back is not resumed: -EBUSY.
 * Returns 0 (also when nothing was pending: status->made is 0), or as
 * aliasdb_convert_execute().
 */
int aliasdb_convert_resume(struct aliasdb *db, int tree_fd,
			   const struct aliasdb_convert_opts *opts,
			   struct aliasdb_convert_status *status);

/*
 * Undo the pending run, step by step in reverse, and forget it. A run
 * past its last step cannot be undone (-EALREADY: revert instead). Returns
 * 0 (also when nothing was pending), -ESTALE, or another -errno.
 */
int aliasdb_convert_rollback(struct aliasdb *db, int tree_fd,
			     const struct aliasdb_convert_opts *opts,
			     struct aliasdb_convert_status *status);

/*
 * Take the tree's convert lock: an exclusive flock(2) on the tree's root
 * directory @tree_fd, held until the fd is closed. A running aliasfs view
 * of the tree holds it shared. Returns 0, or -EWOULDBLOCK when another
 * process holds it.
 */
int aliasdb_tree_lock(int tree_fd);

/*
 * Does another process have the database in @dir open (the alias map or
 * the dpkg claims)? Asks the kernel for a conflicting lock on LMDB's lock
 * files, which every process holds while it has an environment open. Call
 * it before this process opens the database: closing a probe's fd drops
 * this process's own locks on the same file. Returns 1 and *ret_pid (may
 * be NULL), 0 when no other process has it open, -errno.
 */
int aliasdb_db_in_use(const char *dir, pid_t *ret_pid);

/* ---- Damage --------------------------------------------------------- */

/*
 * LMDB trusts its file: reading a damaged one could crash the reader. So
 * aliasdb_open() and aliasdb_claims_open() check the stores of the
 * database directory first (data.mdb; ALIASDB_CLAIMS_FILE), in a child
 * process that walks and decodes every record, and refuse a damaged one
 * with -EUCLEAN instead of mapping it. The verdict is kept for an
 * unchanged file, so a reopen costs a stat. A damaged database is rebuilt
 * with aliasdb_recover() from the plain-text copy the library keeps beside
 * it (ALIASDB_COPY_FILE).
 */

/* After an open in this thread failed with -EUCLEAN: the damaged file's
 * path and a one-line English reason ("the file is empty", "reading it
 * crashes (Bus error)", ...). NULL when the last open found no damage.
 * Valid until the next open in this thread. */
const char *aliasdb_open_damaged_file(void);
const char *aliasdb_open_damage_reason(void);

struct aliasdb_damage {
	char *file;   /* e.g. "/var/lib/aliasfs/data.mdb" */
	char *reason; /* one line of English */
};

/*
 * Check every store in the database directory @dir (absent ones count as
 * sound). Returns 0 and the damaged ones in *ret_list (NULL when *ret_n
 * is 0; free with aliasdb_damage_list_free()), or -errno when a store
 * could not be checked at all (-EACCES, -ENOMEM, ...).
 */
int aliasdb_verify(const char *dir, struct aliasdb_damage **ret_list,
		   size_t *ret_n);

void aliasdb_damage_list_free(struct aliasdb_damage *list, size_t n);

/* ---- Dump, restore, recover ------------------------------------------- */

/*
 * A dump is the whole database as plain text, one record a line (format
 * in aliasctl(1) and dump.c): the aliases with their state, reason, owners
 * and whether added by hand, the imported declarations, the conflicts and
 * the quarantine records. The library keeps a dump of the current state
 * beside the database, ALIASDB_COPY_FILE, rewritten (temporary file,
 * fsync, rename) after every committed write.
 */
#define ALIASDB_DUMP_FORMAT 1
#define ALIASDB_COPY_FILE "aliases.dump"

/* Dump @db as text. Returns 0 and *ret_text (NUL terminated, free()) and
 * *ret_len, -EUCLEAN (a record cannot be decoded), other -errno. */
int aliasdb_dump(struct aliasdb *db, char **ret_text, size_t *ret_len);

struct aliasdb_dump_alias {
	char *alias;
	char *canonical;
	enum aliasdb_state state;
	char *reason;  /* NULL when active */
	int by_hand;   /* added by hand (as well as by its owners) */
	char **owners; /* sorted */
	size_t n_owners;
	unsigned line; /* in the dump */
};

struct aliasdb_dump_decl {
	char *name;
	uint64_t digest, size; /* of the file when it was imported */
	char **pairs;	       /* alias, canonical, alias, ... */
	size_t n_pairs;
	unsigned line;
};

struct aliasdb_dump {
	uint64_t generation; /* of the database dumped; 0 if not given */
	struct aliasdb_dump_alias *aliases;
	size_t n_aliases;
	struct aliasdb_dump_decl *decls;
	size_t n_decls;
	struct aliasdb_conflict *conflicts;
	size_t n_conflicts;
	/* stored: the path inside <database dir>/quarantine, "/bin/test" */
	struct aliasdb_quarantined *quarantined;
	size_t n_quarantined;
};

/* Where a dump could not be read: 1-based line and an English reason. */
struct aliasdb_dump_error {
	unsigned line;
	char why[160];
};

/*
 * Read the @len bytes at @text as a dump. Checks the format only (paths
 * absolute and normalized, states, owner names, the closing "end N" that
 * tells a dump cut short); the rules are the restore's. Returns 0 and
 * *ret_dump (free with aliasdb_dump_free()), -EINVAL (not a dump, or
 * malformed: @err, if not NULL, says where and why), -EPROTO (a newer
 * format), -ENOMEM.
 */
int aliasdb_dump_parse(const char *text, size_t len,
		       struct aliasdb_dump_error *err,
		       struct aliasdb_dump **ret_dump);

void aliasdb_dump_free(struct aliasdb_dump *dump);

/* An alias of a dump that the rules refused. */
struct aliasdb_restore_refusal {
	unsigned line;
	char *alias;
	char *canonical;
	enum aliasdb_rule rule;
};

struct aliasdb_restore_report {
	size_t n_aliases; /* restored */
	struct aliasdb_restore_refusal *refused;
	size_t n_refused;
};

/*
 * Replace the whole content of @db by @dump, in ONE write transaction
 * (readers and a mounted view see the old state or the new one). Each
 * alias goes through the rules, as aliasdb_add() would take it, against
 * the aliases restored before it; a refused one is left out and reported,
 * and the declarations no longer own it (the next sync tries it again and
 * reports it). Returns 0 and *ret_report (free with
 * aliasdb_restore_report_free()), -EROFS, -ENOSPC, other -errno: nothing
 * was written then.
 */
int aliasdb_restore(struct aliasdb *db, const struct aliasdb_dump *dump,
		    struct aliasdb_restore_report **ret_report);

void aliasdb_restore_report_free(struct aliasdb_restore_report *report);

/*
 * The generation recorded in the kept copy of database directory @dir.
 * Returns 0, -ENOENT (no copy), -EUCLEAN (not a whole dump), other -errno.
 */
int aliasdb_copy_generation(const char *dir, uint64_t *ret_generation);

/*
 * Read the kept copy of @dir. Returns 0 and *ret_dump, -ENOENT,
 * -EINVAL/-EPROTO (as aliasdb_dump_parse(), @err says why), other -errno.
 */
int aliasdb_copy_read(const char *dir, struct aliasdb_dump_error *err,
		      struct aliasdb_dump **ret_dump);

struct aliasdb_recovery {
	char *moved_to; /* the directory the damaged files were moved to */
	char **moved;	/* their paths there */
	size_t n_moved;
	/* The restore into the new database; NULL when the alias map was
	 * not among the damaged stores. */
	struct aliasdb_restore_report *restore;
};

/*
 * Rebuild the damaged stores @damaged (from aliasdb_verify()) of database
 * directory @dir. Nothing is deleted: each damaged file and its lock file
 * are moved into a new directory <dir>/damaged-<UTC time>. A damaged alias
 * map is then created anew and @dump restored into it (@dump is required
 * then); a damaged claims store starts empty (the daemon creates it again
 * on the next dpkg run). Returns 0 and *ret_recovery (free with
 * aliasdb_recovery_free()), -EINVAL (no @dump for a damaged map), other
 * -errno (files already moved stay where they were moved; the recovery can
 * be run again).
 */
int aliasdb_recover(const char *dir, const struct aliasdb_damage *damaged,
		    size_t n_damaged, const struct aliasdb_dump *dump,
		    struct aliasdb_recovery **ret_recovery);

void aliasdb_recovery_free(struct aliasdb_recovery *recovery);

/* ---- Retention of replaced files ------------------------------------- */

/*
 * A retention rule keeps the old content of a file that is replaced or
 * removed through the view reachable, read-only, at a retained path: a
 * pattern (fnmatch(3) with FNM_PATHNAME, on the canonical view path) and a
 * place, a view directory in which "<version>" stands for the version of
 * the package that shipped the old file. Rules come from files in
 * ALIASDB_RETAIN_DIR inside the tree (one "PATTERN PLACE" rule a line,
 * '#' comments, blank lines, as declarations) and from mount options.
 */
#define ALIASDB_RETAIN_DIR "usr/share/aliasfs/retain.d"

/* What stands for the version in a place. */
#define ALIASDB_RETAIN_VERSION_TOKEN "<version>"

struct aliasdb_retain_rule {
	char *pattern; /* absolute: /usr/lib/x86_64-linux-gnu/qemu/\*.so */
	char *place;   /* absolute, normalized, no trailing '/' */
	unsigned line; /* 1-based; 0 for a mount option */
};

struct aliasdb_retain_problem {
	char *file; /* the rule file's name; NULL from aliasdb_retain_parse */
	unsigned line; /* 1-based, 0 for the whole file */
	char *message; /* English, one line */
};

struct aliasdb_retain_rules {
	struct aliasdb_retain_rule *rules; /* in file order */
	size_t n_rules;
	struct aliasdb_retain_problem *problems; /* in file order */
	size_t n_problems;
};

/*
 * Parse the @len bytes at @text as a retention rule file, with the
 * declaration file syntax (aliasdb_decl_parse()). Never fails on bad
 * content: each unusable line becomes a problem. Returns 0 and *ret_rules
 * (free with aliasdb_retain_rules_free()), -EINVAL for NULL @text with a
 * length, or -ENOMEM.
 */
int aliasdb_retain_parse(const char *text, size_t len,
			 struct aliasdb_retain_rules **ret_rules);

void aliasdb_retain_rules_free(struct aliasdb_retain_rules *rules);

/*
 * The rules of every file in ALIASDB_RETAIN_DIR of the tree open at
 * @tree_fd, files in name order (names a sync ignores are ignored), the
 * directory reached through no symlink. A missing directory holds no
 * rules; a file that cannot be read or is larger than
 * ALIASDB_DECL_MAX_SIZE is a problem with line 0. Each problem's file is
 * set. Returns 0 and *ret_rules, or -errno.
 */
int aliasdb_retain_read_dir(int tree_fd,
			    struct aliasdb_retain_rules **ret_rules);

/*
 * Why rule @pattern -> @place is refused (an English phrase), or NULL when
 * it is acceptable: both absolute, without control characters, "." or
 * ".." components; a place neither "/" nor inside /proc, /sys, /dev,
 * /usr, /etc, /var/lib/dpkg nor the directory its pattern matches in.
 */
const char *aliasdb_retain_refusal(const char *pattern, const char *place);

/*
 * Append @pattern -> @place (line @line) to @rules after checking it.
 * Returns 0, -EINVAL (refused: *ret_reason, a static phrase, when
 * @ret_reason is not NULL) or -ENOMEM.
 */
int aliasdb_retain_rules_add(struct aliasdb_retain_rules *rules,
			     const char *pattern, const char *place,
			     unsigned line, const char **ret_reason);

/* Does canonical view path @path match @rule's pattern? */
bool aliasdb_retain_matches(const struct aliasdb_retain_rule *rule,
			    const char *path);

/*
 * The retained view path of @path under @rule for @version: the place
 * with each "<version>" replaced, then "/" and @path's last component.
 * A '/' or a leading '.' in @version becomes '_'. Returns 0 and
 * *ret_path (free()), -ENAMETOOLONG or -ENOMEM.
 */
int aliasdb_retain_target(const struct aliasdb_retain_rule *rule,
			  const char *version, const char *path,
			  char **ret_path);

/*
 * The package that ships canonical view path @path, by dpkg's file lists
 * (the .list files in var/lib/dpkg/info of the tree open at @tree_fd, each entry
 * canonicalized with @map, which may be NULL), and the Version dpkg's
 * status (var/lib/dpkg/status, then the journal in var/lib/dpkg/updates)
 * records for it. Returns 0 with *ret_package and *ret_version (free()),
 * -ENOENT when no package lists @path or its version is unknown, other
 * -errno. Never follows a symlink.
 */
int aliasdb_dpkg_owner_version(int tree_fd, const struct aliasdb_map *map,
			       const char *path, char **ret_package,
			       char **ret_version);

/*
 * The index of retained files, ALIASDB_RETAINED_FILE in the database
 * directory (a text file), guarded by an flock on
 * ALIASDB_RETAINED_LOCK_FILE there, so that the daemon and aliasctl can
 * both change it.
 */
#define ALIASDB_RETAINED_FILE "retained"
#define ALIASDB_RETAINED_LOCK_FILE "retained.lock"

struct aliasdb_retained {
	char *path;	/* retained view path */
	char *original; /* the view path it was replaced at */
	char *package;	/* the package that shipped it, "" if none */
	char *version;	/* its version, or "gen-N" */
	uint64_t size;	/* bytes */
	int64_t since;	/* when it was retained, seconds since the epoch */
};

struct aliasdb_retained_index {
	char *root; /* the tree's backing directory, absolute; NULL if none */
	uint64_t next_gen; /* next generation number for unowned files */
	struct aliasdb_retained *entries; /* oldest first */
	size_t n;
};

/* Take the index lock of database directory @dir (created if missing).
 * Returns the lock's descriptor (close() releases it) or -errno. */
int aliasdb_retained_lock(const char *dir);

/*
 * aliasdb_retained_lock() and aliasdb_retained_load() in one: returns the
 * lock's descriptor (close() it after any aliasdb_retained_save()) and
 * *ret_index, or -errno with no lock held.
 */
int aliasdb_retained_open(const char *dir,
			  struct aliasdb_retained_index **ret_index);

/*
 * Read the index of @dir; a missing index is an empty one. Lines that
 * cannot be read are skipped. Returns 0 and *ret_index (free with
 * aliasdb_retained_index_free()), -ENOMEM or -errno.
 */
int aliasdb_retained_load(const char *dir,
			  struct aliasdb_retained_index **ret_index);

/* Write @index to @dir (temporary file, fsync, rename). 0 or -errno.
 * Paths with a tab or a newline cannot be written: -EINVAL. */
int aliasdb_retained_save(const char *dir,
			  const struct aliasdb_retained_index *index);

void aliasdb_retained_index_free(struct aliasdb_retained_index *index);

/*
 * Append a copy of @entry to @index. 0, -EINVAL (a tab or newline in a
 * field) or -ENOMEM.
 */
int aliasdb_retained_append(struct aliasdb_retained_index *index,
			    const struct aliasdb_retained *entry);

/*
 * Remove entry @i of @index and its file beneath @root_fd (the tree's
 * backing directory; never through a symlink), then its directory when
 * that is empty. A file already gone is no error; a negative @root_fd
 * forgets the entry and leaves its file. 0 or -errno (the entry stays
 * then).
 */
int aliasdb_retained_drop(struct aliasdb_retained_index *index, size_t i,
			  int root_fd);

/* Total size of @index's entries. */
uint64_t aliasdb_retained_total(const struct aliasdb_retained_index *index);

/* ---- Rules shared by aliasdb, archive/ and fs/ -------------------------- */

/*
 * The relative symlink text that makes alias @alias point at @canonical,
 * both absolute and normalized: relative to the alias's parent and as
 * short as possible, as on a native merged-/usr system and as `ln -sr`
 * writes it: ("/bin", "/usr/bin") -> "usr/bin", ("/usr/local/bin",
 * "/usr/bin") -> "../bin", ("/opt/x", "/usr/x") -> "../usr/x".
 * The daemon shows it and `aliasctl extract` writes it.
 * Returns the length written (excluding the NUL), -EINVAL for relative
 * input, -ENAMETOOLONG if @size is too small. No allocation.
 */
ssize_t aliasdb_alias_link_text(const char *alias, const char *canonical,
				char *buf, size_t size);

/* aliasdb_open_beneath(): refuse every symlink on the way, not only those
 * that lead outside @dirfd. */
#define ALIASDB_BENEATH_NO_SYMLINKS 0x1u

/*
 * openat(@dirfd, @rel, @flags | O_CLOEXEC) that never resolves outside
 * @dirfd and never through a /proc magic link: openat2() with
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (| RESOLVE_NO_SYMLINKS with
 * ALIASDB_BENEATH_NO_SYMLINKS in @how). Where the kernel (or a seccomp
 * filter) lacks openat2, walks @rel component by component with
 * O_NOFOLLOW, which refuses every symlink and every "..".
 * Returns the descriptor, -EXDEV when @rel would leave @dirfd (absolute
 * symlink, "..", absolute @rel), -ELOOP (or -ENOTDIR) for a symlink that
 * is refused, other -errno. Thread-safe.
 */
int aliasdb_open_beneath(int dirfd, const char *rel, int flags, unsigned how);

#ifdef __cplusplus
}
#endif

#endif /* ALIASDB_H */
