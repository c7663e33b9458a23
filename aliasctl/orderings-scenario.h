/*
 * aliasctl orderings: the scenario — which packages, which steps, which of
 * them are permuted — parsed from a scenario file (format in aliasctl(1))
 * or made from .deb files named on the command line.
 */
#ifndef ALIASCTL_ORDERINGS_SCENARIO_H
#define ALIASCTL_ORDERINGS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds the parser enforces, so garbage cannot make it allocate without
 * end. Documented in aliasctl(1). */
#define ORD_SCENARIO_MAX_SIZE (1024 * 1024)
#define ORD_SCENARIO_MAX_LINE 4096
#define ORD_SCENARIO_MAX_ITEMS 20 /* 20! still fits in 64 bits */
#define ORD_SCENARIO_MAX_LABEL 64

enum ord_step_kind {
	ORD_STEP_NONE = 0, /* the root of the plan: nothing to run */
	ORD_STEP_INSTALL,  /* dpkg -i of one or more packages, one call */
	ORD_STEP_REMOVE,   /* dpkg -r */
	ORD_STEP_PURGE,	   /* dpkg -P */
	ORD_STEP_DECLARE,  /* write a declaration into aliases.d */
	ORD_STEP_UNDECLARE,
	ORD_STEP_SYNC, /* sync the declarations (view side only) */
	ORD_STEP_DPKG, /* dpkg with the given arguments */
};

struct ord_step {
	enum ord_step_kind kind;
	unsigned line; /* in the scenario file; 0 if made up */
	/* install: package labels; remove, purge: package names or labels;
	 * declare: NAME then ALIAS CANONICAL pairs; undeclare: NAME; dpkg:
	 * its arguments. */
	char **args;
	size_t n_args;
	char **opts; /* dpkg options of install/remove/purge */
	size_t n_opts;
	char *label; /* how a permuted item is named in an order */
};

enum ord_entry_kind {
	ORD_ENTRY_FILE,
	ORD_ENTRY_DIR,
	ORD_ENTRY_SYMLINK,
	ORD_ENTRY_SCRIPT,
};

/* One line of a package built from the scenario. */
struct ord_entry {
	enum ord_entry_kind kind;
	char *path; /* file, dir, symlink: absolute; script: its name */
	char *text; /* file: content (NULL: "NAME VERSION PATH");
		       * symlink: target; script: one line of shell */
	unsigned line;
};

struct ord_package {
	char *label;
	unsigned line;
	char *deb; /* the .deb file; NULL until built for a built one */
	/* A package built from the scenario (deb == NULL at parse time): */
	bool built;
	char *name;
	char *version;
	char *arch;
	char **control; /* extra "Field: value" lines */
	size_t n_control;
	struct ord_entry *entries;
	size_t n_entries;
};

enum ord_aliases {
	ORD_ALIASES_DEFAULT = 0, /* the architecture's merged-/usr set */
	ORD_ALIASES_NONE,
	ORD_ALIASES_LIST,
};

enum ord_baseline {
	ORD_BASELINE_MERGED = 0,
	ORD_BASELINE_SPLIT,
	ORD_BASELINE_NONE,
};

struct ord_scenario {
	char *name;
	char *arch; /* NULL: the host's */
	enum ord_aliases aliases;
	char **alias_pairs; /* ALIAS, CANONICAL, ALIAS, ... (LIST) */
	size_t n_alias_pairs;
	enum ord_baseline baseline;
	bool baseline_set;
	uint64_t sample; /* 0: every ordering */
	uint64_t seed;
	bool seed_set;
	unsigned timeout; /* seconds per step; 0: the default */
	bool autosync;
	struct ord_package *packages;
	size_t n_packages;
	struct ord_step *before;
	size_t n_before;
	struct ord_step *items; /* permuted */
	size_t n_items;
	struct ord_step *after;
	size_t n_after;
};

/*
 * Parse the @len bytes at @text as a scenario. @origin names it in
 * messages ("FILE"); relative .deb paths are taken from directory @dir
 * (NULL: the current directory).
 * Returns 0 and *ret_scenario, or -EINVAL with *ret_error ("FILE:LINE:
 * what is wrong", the caller frees), or -ENOMEM. Never reads the .deb
 * files.
 */
int ord_scenario_parse(const char *text, size_t len, const char *origin,
		       const char *dir, struct ord_scenario **ret_scenario,
		       char **ret_error);

/* Read and parse the file @path. As above; -errno when it cannot be read
 * (*ret_error says why). */
int ord_scenario_load(const char *path, struct ord_scenario **ret_scenario,
		      char **ret_error);

/*
 * A scenario that installs each of the @n .deb files @debs one by one in
 * every order. @labels[i] names @debs[i] (its package name, say); the
 * labels must differ. Aliases: the architecture's set.
 */
int ord_scenario_from_debs(char *const *debs, char *const *labels, size_t n,
			   struct ord_scenario **ret_scenario);

void ord_scenario_free(struct ord_scenario *sc);

/* The package labelled @label, or NULL. */
struct ord_package *ord_scenario_package(const struct ord_scenario *sc,
					 const char *label);

/* "merged", "split", "none" and back; -EINVAL for another word. */
const char *ord_baseline_name(enum ord_baseline b);
int ord_baseline_parse(const char *word, enum ord_baseline *ret);

/* Is @s a valid label (package labels, and what --merge reads)? */
bool ord_label_valid(const char *s);

#endif /* ALIASCTL_ORDERINGS_SCENARIO_H */
