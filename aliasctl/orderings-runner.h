/*
 * aliasctl orderings: running the plan. Each side (the view, the
 * baseline) walks the prefix tree: a step runs once on a state (a backing
 * or a plain root), a branch copies the state for every further child,
 * and a leaf is recorded and its state removed. --jobs workers take
 * states from one stack, so the states alive at once stay few.
 */
#ifndef ALIASCTL_ORDERINGS_RUNNER_H
#define ALIASCTL_ORDERINGS_RUNNER_H

#include <stdbool.h>

#include "aliasctl/orderings-mount.h"
#include "aliasctl/orderings-plan.h"
#include "aliasctl/orderings-result.h"
#include "aliasctl/orderings-scenario.h"

/* The default per-step timeout. */
#define ORD_DEFAULT_TIMEOUT 120

struct ord_run_opts {
	enum ord_mode mode; /* root, userns or fakeroot (not auto) */
	unsigned jobs;
	unsigned timeout; /* seconds per step */
	enum ord_baseline baseline;
	const char *arch;     /* the architecture whose set "default" is */
	const char *keep_dir; /* keep each ordering's trees here; NULL */
	bool progress;	      /* a progress line on stderr */
};

/*
 * Build the scenario's packages, run every ordering of @plan on both
 * sides in directory @rundir (which the caller removes), and return what
 * was found. The scenario's packages get their .deb paths filled in.
 * Returns 0 and *ret_result (partial orderings are errors, never
 * missing), -ECANCELED when the run was aborted, or -errno with
 * *ret_why for a failure before any ordering ran.
 */
int ord_run(struct ord_scenario *sc, struct ord_plan *plan,
	    const struct ord_run_opts *opts, const char *rundir,
	    struct ord_result **ret_result, char **ret_why);

#endif /* ALIASCTL_ORDERINGS_RUNNER_H */
