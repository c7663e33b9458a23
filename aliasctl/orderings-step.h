/*
 * aliasctl orderings: running one step on one side — dpkg calls,
 * declarations written or removed, syncs — and, on a view, the automatic
 * sync after it and the wait until the view shows the alias map the
 * database holds.
 */
#ifndef ALIASCTL_ORDERINGS_STEP_H
#define ALIASCTL_ORDERINGS_STEP_H

#include <stdbool.h>
#include <stddef.h>

#include "aliasctl/orderings-debinfo.h"
#include "aliasctl/orderings-mount.h"
#include "aliasctl/orderings-result.h"
#include "aliasctl/orderings-scenario.h"

/* Output kept per step: its head and its tail. */
#define ORD_STEP_OUTPUT_MAX (64 * 1024)

struct ord_step_ctx {
	enum ord_mode mode;
	bool view;	     /* the side is a view over @backing */
	const char *root;    /* where dpkg works: the view or plain root */
	const char *backing; /* the view's backing; the plain root */
	const char *outfile; /* scratch file for a command's output */
	char *const *envp;   /* dpkg's environment */
	int timeout_ms;
	const struct ord_scenario *sc;
	struct ord_debinfo *const *debs; /* per sc->packages entry */
};

/*
 * Run @step. Fills *@res (command, rc, timing, errors, output) and
 * appends the paths dpkg said it would overwrite to *@reported. A step
 * that fails is a result (rc != 0), not an error. Returns 0, -ECANCELED
 * (aborted), or -errno when the step could not be run at all (with
 * *ret_why).
 */
int ord_step_run(const struct ord_step_ctx *c, const struct ord_step *step,
		 struct ord_step_result *res, char ***reported,
		 size_t *n_reported, char **ret_why);

/*
 * On a view: sync the declarations (@sync: as a step would, else only
 * the wait) and wait up to 10 s until the view shows every alias as the
 * database has it. What the sync did is appended to @res's output.
 * Returns 0, -ECANCELED, or -ETIMEDOUT / -errno with *ret_why.
 */
int ord_step_settle(const struct ord_step_ctx *c, bool sync,
		    struct ord_step_result *res, char **ret_why);

/* dpkg's environment: ours with a system PATH, the C locale and no
 * DPKG_* variables that could point it elsewhere. NULL-ended; free with
 * ord_strv_free(v, count). Returns NULL on ENOMEM. */
char **ord_step_env(size_t *ret_count);

/* Create the dpkg database skeleton under @root. */
int ord_step_dpkg_skeleton(const char *root);

#endif /* ALIASCTL_ORDERINGS_STEP_H */
