/*
 * Private to aliasdb/: what the convert/revert planners (convert-plan.c,
 * convert-merge.c, revert-split.c, convert-planner.c), the journal
 * (journal.c) and the executor (convert-run.c) share. Nothing here is part of the contract in
 * aliasdb.h.
 *
 * A plan is a list of steps in numbered batches. Every step is a rename,
 * or makes a new object inside the staging directory (which a later
 * rename puts in place), so each one is atomic, can be recognised as made
 * or not made by looking at the tree, and is undone by the opposite
 * rename. Steps of one batch do not depend on each other; a batch depends
 * on every earlier one.
 */
#ifndef ALIASDB_CONVERT_INTERNAL_H
#define ALIASDB_CONVERT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "aliasdb-internal.h"

/* The staging directory, relative to the tree's root: new objects are
 * made here and what a step takes out of the tree waits here until the
 * run is complete. */
#define CV_STAGING "/" ALIASDB_STAGING_NAME

/* Batches, in the order they run. */
enum cv_batch {
	CV_B_PREP = 0, /* make new objects inside the staging directory */
	CV_B_PARENTS,  /* put missing canonical parent directories in place */
	CV_B_CLEAR,    /* take canonical entries out of the way */
	CV_B_SWAP1,    /* revert: alias symlinks out of the way */
	CV_B_SWAP2,    /* revert: alias directories in place */
	CV_B_MOVE,     /* the moves between the spellings */
	CV_B_FILL,     /* revert: recreated symlinks in place */
	CV_B_RETIRE,   /* emptied directories (convert: alias directories,
			* revert: canonical ones) out of the tree */
	CV_B_LINK,     /* convert: the alias symlinks in place */
	CV_B_COUNT
};

enum cv_kind {
	CV_MOVE = 1, /* rename src -> dst, never replacing */
	CV_MKDIR,    /* a directory at dst (in staging): mode, uid, gid */
	CV_SYMLINK,  /* a symlink at dst (in staging) to text, uid, gid */
	CV_COPY,     /* a copy of src at dst (in staging): content, mode,
		      * owner, times, extended attributes */
	CV_LINK,     /* a hard link to src at dst (in staging) */
};

/* Which directory a step path is relative to. */
enum cv_root {
	CV_TREE = 0,	   /* the tree (staging paths included) */
	CV_QUARANTINE = 1, /* <database dir>/quarantine */
};

enum cv_step_flags {
	/* Before the rename: src must hold nothing but directories (an
	 * emptied directory); anything else stops the run. */
	CV_F_ONLY_DIRS = 1 << 0,
};

struct cv_step {
	uint8_t kind;
	uint8_t batch;
	uint8_t src_root, dst_root;
	uint32_t flags;
	uint64_t ino; /* src's inode when planned, 0 if not known */
	uint32_t mode, uid, gid;
	char *src; /* absolute within its root, e.g. "/bin/ls" */
	char *dst;
	char *text;  /* symlink target (CV_SYMLINK) */
	char *alias; /* quarantine moves: the alias they belong to */
};

/* What a convert left behind for revert: per canonical path, how the
 * original tree held it. Kept in the journal's "origins" database. */
enum cv_origin_kind {
	CV_O_MOVED = 1,	     /* came from the alias spelling */
	CV_O_MOVED_WHOLE,    /* the alias directory, moved whole (the canonical
			    * one did not exist) */
	CV_O_DIR,	     /* directory on both sides: the alias side's mode,
			    * uid, gid */
	CV_O_DUP,	     /* identical entries on both sides, one kept */
	CV_O_DUP_LINKED,     /* both names were one inode (hard links) */
	CV_O_ALIAS_LINK,     /* the alias side was a symlink (text) naming
			    * the canonical entry */
	CV_O_CANON_LINK,     /* the canonical side was a symlink (text)
			    * naming the alias entry, which replaced it */
	CV_O_ALIAS_ABSENT,   /* the alias path did not exist */
	CV_O_ALIAS_LINKED,   /* the alias path was already a symlink (text) */
	CV_O_DUP_ALIAS_KEPT, /* identical entries on both sides; the alias
			      * side's inode (with other hard links) kept */
	CV_O_QUARANTINED,    /* under key CV_ORIGIN_Q + original path: moved
			      * into the quarantine at text */
};

/* Origins of quarantined entries are keyed apart from the canonical paths:
 * "q:" + the path the entry had. */
#define CV_ORIGIN_Q "q:"

struct cv_origin {
	char *path; /* canonical, absolute */
	uint8_t kind;
	uint32_t mode, uid, gid;
	char *text;
};

struct aliasdb_plan {
	int op; /* enum aliasdb_convert_op */
	struct cv_step *steps;
	size_t n_steps, cap_steps;
	struct aliasdb_plan_item *items;
	size_t n_items, cap_items;
	size_t n_conflicts;
	struct cv_origin *origins;
	size_t n_origins, cap_origins;
	char **aliases; /* the aliases this plan merges or splits */
	size_t n_aliases;
	/* Their states before the run (what a rollback restores):
	 * "ALIAS\0S\0REASON\0" each, S '0' active, '1' blocked. */
	char *prev_states;
	size_t prev_len;
	uint64_t tree_dev, tree_ino;
	unsigned counter; /* names of staging objects */
};

/* ---- plan building (convert-plan.c) ---- */

int cv_plan_new(int op, struct aliasdb_plan **ret_plan);

/* Append a step; the strings are copied (NULL allowed). */
int cv_plan_step(struct aliasdb_plan *p, uint8_t kind, uint8_t batch,
		 uint8_t src_root, const char *src, uint8_t dst_root,
		 const char *dst, uint64_t ino, const struct stat *meta,
		 const char *text, const char *alias, uint32_t flags);

int cv_plan_item(struct aliasdb_plan *p, enum aliasdb_plan_kind kind,
		 const char *path, const char *other, const char *detail);

int cv_plan_origin(struct aliasdb_plan *p, const char *path, uint8_t kind,
		   const struct stat *meta, const char *text);

/* The plan's list of aliases, which the run turns active (convert) or
 * forgets (revert): room for @n, then each added in map order. Convert and
 * revert both fill it this way, so the run reads the same list. */
int cv_plan_aliases_alloc(struct aliasdb_plan *p, size_t n);
int cv_plan_add_alias(struct aliasdb_plan *p, const char *alias);

/* "<db dir>/quarantine" into @buf: where convert moves what an alias
 * shadowed, and where merge, run and revert look for it. 0, -EIO or
 * -ENAMETOOLONG. */
int cv_quarantine_path(struct aliasdb *db, char *buf, size_t size);

/* A fresh staging path "/.aliasfs-convert/<what>/<n>". */
int cv_plan_staging_name(struct aliasdb_plan *p, const char *what,
			 char **ret_path);

/* "@dir/@name" ("/" + name when @dir is "/"). NULL when out of memory. */
char *cv_join(const char *dir, const char *name);

/* lstat of absolute @path below @root_fd without following symlinks:
 * 0, -ENOENT (absent, or a parent is not a directory), other -errno. */
int cv_lstat(int root_fd, const char *path, struct stat *ret_st);

/* Open directory @path below @root_fd without following symlinks. */
int cv_open_dir(int root_fd, const char *path);

/* The symlink text of @path below @root_fd, NUL-terminated in @buf. */
int cv_readlink(int root_fd, const char *path, char *buf, size_t size);

/* Where symlink @text found at absolute @at points, lexically, as a
 * canonical path under @map, into @buf. */
int cv_link_target(const struct aliasdb_map *map, const char *at,
		   const char *text, char *buf, size_t size);

/* The relative symlink text from the directory holding @from to @to
 * (both absolute and normalized): "usr/bin" for /bin -> /usr/bin. */
int cv_relative(const char *from, const char *to, char **ret_text);

/* Refuse trees whose aliases cross a mount point (renames are only
 * atomic within one file system). Adds CONFLICT items; -errno on
 * failure to look. */
int cv_check_mounts(struct aliasdb_plan *p, int tree_fd, const char *alias,
		    const char *canonical);

/* ---- the planners ---- */

int cv_plan_convert(struct aliasdb *db, const struct aliasdb_map *map,
		    int tree_fd, const struct aliasdb_convert_opts *opts,
		    struct aliasdb_plan *p);

int cv_plan_revert(struct aliasdb *db, const struct aliasdb_map *map,
		   int tree_fd, const struct aliasdb_convert_opts *opts,
		   struct aliasdb_plan *p);

/* Origin lists (convert-plan.c, below the journal that reads them). */
void cv_origins_free(struct cv_origin *list, size_t n);

/* Binary search in a sorted origin list. */
const struct cv_origin *cv_origin_find(const struct cv_origin *list, size_t n,
				       const char *path);

/* ---- the journal (journal.c) ---- */

enum cv_state {
	CV_S_IDLE = 0,	  /* nothing pending */
	CV_S_RUNNING,	  /* steps being made */
	CV_S_ROLLBACK,	  /* steps being undone */
	CV_S_COMMITTING,  /* every step made: records and cleanup left;
			   * can still be rolled back */
	CV_S_ROLLED_BACK, /* every step undone: cleanup left */
	CV_S_CLEANING,	  /* records written, staging being deleted: can
			   * only be finished */
};

struct cv_journal;

struct cv_journal_state {
	int op;
	enum cv_state state;
	uint32_t batch; /* RUNNING: first batch not known complete;
			 * ROLLBACK: the batch being undone */
	uint64_t n_steps;
	uint64_t tree_dev, tree_ino;
};

int cv_journal_open(struct aliasdb *db, bool create, struct cv_journal **ret);
void cv_journal_close(struct cv_journal *j);

/* The state; -ENOENT when no journal exists (same as IDLE). */
int cv_journal_state(struct cv_journal *j, struct cv_journal_state *ret);

/* Write @p's steps and origins and enter RUNNING at batch 0: one
 * transaction, synced to disk before it returns. */
int cv_journal_begin(struct cv_journal *j, const struct aliasdb_plan *p);

/* Read back the steps (and the aliases) of the pending run into a new
 * plan. */
int cv_journal_load(struct cv_journal *j, struct aliasdb_plan **ret_plan);

int cv_journal_set(struct cv_journal *j, enum cv_state state, uint32_t batch);

/* The run is over: the steps go and the state is IDLE. When it was
 * @completed (not rolled back), a convert's origins replace the previous
 * ones and a revert clears them. */
int cv_journal_finish(struct cv_journal *j, bool completed);

/* Every origin recorded by the last complete convert, sorted by path. */
int cv_journal_origins(struct cv_journal *j, struct cv_origin **ret_list,
		       size_t *ret_n);

#endif /* ALIASDB_CONVERT_INTERNAL_H */
