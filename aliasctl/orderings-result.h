/*
 * aliasctl orderings: what a run found, per ordering and side. Built by the
 * runner and the recorder, read back from JSON by --merge, written by the
 * outputs (matrix, JSON, HTML).
 */
#ifndef ALIASCTL_ORDERINGS_RESULT_H
#define ALIASCTL_ORDERINGS_RESULT_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

/* Worst last: a side's outcome is the worst that applies. */
enum ord_outcome {
	ORD_OUTCOME_OK = 0,
	ORD_OUTCOME_REFUSED,	 /* a step failed with an error */
	ORD_OUTCOME_OVERWRITTEN, /* a file silently not what its owner
				  * shipped */
	ORD_OUTCOME_LOST,	 /* a file an installed package claims is
				  * gone */
	ORD_OUTCOME_ERROR,	 /* the run itself failed (no verdict) */
};

#define ORD_SIDE_VIEW 0
#define ORD_SIDE_BASELINE 1

const char *ord_outcome_name(enum ord_outcome o);
int ord_outcome_parse(const char *s, enum ord_outcome *ret);

struct ord_step_result {
	char *command; /* "dpkg -i a_1.deb", as a person would type it */
	int rc;	       /* exit status; -1: did not run to an end */
	bool timed_out;
	double seconds;
	char **errors; /* dpkg's error messages, one per entry */
	size_t n_errors;
	char *output; /* what it printed, perhaps cut */
};

struct ord_file {
	char *path;    /* canonical path in the side's tree */
	char type;     /* f d l c b p s */
	char *sha256;  /* regular files */
	char *target;  /* symlinks */
	char **owners; /* dpkg's owners (package names), sorted */
	size_t n_owners;
};

struct ord_blocked {
	char *alias;
	char *reason;
};

struct ord_side {
	enum ord_outcome outcome;
	char *error; /* why the run failed (ORD_OUTCOME_ERROR) */
	struct ord_step_result *steps;
	size_t n_steps;
	char **lost;
	size_t n_lost;
	char **overwritten;
	size_t n_overwritten;
	char **aliases; /* active */
	size_t n_aliases;
	struct ord_blocked *blocked;
	size_t n_blocked;
	struct ord_file *files; /* sorted by path */
	size_t n_files;
	int audit_rc;
	char *audit; /* dpkg --audit output */
	double seconds;
};

struct ord_ordering {
	uint64_t index;
	char **order; /* item labels in the order run */
	size_t n_order;
	struct ord_side *view;
	struct ord_side *baseline; /* NULL: no baseline */
};

struct ord_result {
	char *scenario;
	char **packages; /* the permuted items' labels, as written */
	size_t n_packages;
	char *baseline;	 /* "merged", "split", "none" */
	char *aliases;	 /* the view's initial set, described */
	char *mode;	 /* "root", "userns", "fakeroot" */
	uint64_t total;	 /* orderings in all */
	uint64_t sample; /* 0: all */
	uint64_t seed;
	uint64_t shard_k, shard_n;
	unsigned jobs;
	double seconds;
	struct ord_ordering *orderings; /* ascending index */
	size_t n_orderings;
};

void ord_step_result_clear(struct ord_step_result *s);
void ord_side_free(struct ord_side *side);
void ord_result_free(struct ord_result *res);

/* Sort the orderings by index. */
void ord_result_sort(struct ord_result *res);

/* Do the two sides' outcomes differ, or their files? */
bool ord_ordering_differs(const struct ord_ordering *o);

/* Exit status of the command for @res: 2 if any side is an error, else 1
 * if a view outcome is lost or overwritten, else 0. */
int ord_result_exit(const struct ord_result *res);

/* Append @s (copied) to the string vector *@v of *@n. -ENOMEM. */
int ord_strv_push(char ***v, size_t *n, const char *s);
void ord_strv_free(char **v, size_t n);

/* Write @res through @write into the file @path (mode 0644), replaced
 * atomically: a temporary file beside it, renamed over it only when
 * whole. The one way the JSON and HTML reports are saved, so a reader
 * never sees half a report. Returns 0 or -errno. */
int ord_result_save(const char *path, const struct ord_result *res,
		    void (*write)(FILE *f, const struct ord_result *res));

#endif /* ALIASCTL_ORDERINGS_RESULT_H */
