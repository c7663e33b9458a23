/*
 * aliasctl orderings: what an ordering left behind, on one side — files
 * present with their digests and dpkg's owners, files lost (an installed
 * package claims a path that is absent), files overwritten silently (a
 * path whose content is not what its owner shipped, and no dpkg message
 * said "trying to overwrite" it), the aliases, and dpkg --audit.
 */
#ifndef ALIASCTL_ORDERINGS_RECORD_H
#define ALIASCTL_ORDERINGS_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "aliasctl/orderings-debinfo.h"
#include "aliasctl/orderings-result.h"

struct ord_record_in {
	const char *root;   /* the tree as dpkg saw it */
	const char *db_dir; /* the view's alias database; NULL: a plain
			     * directory (baseline) */
	bool split;	    /* a plain directory without aliases */
	const char *arch;   /* the merged baseline's alias set */
	struct ord_debinfo *const *debs;
	size_t n_debs;
	char *const *reported; /* paths dpkg said it would overwrite */
	size_t n_reported;
	char *const *envp; /* dpkg's environment */
	int timeout_ms;
};

/* Fill @side's files, lost, overwritten, aliases, blocked and audit.
 * Returns 0 or -errno with *ret_why. */
int ord_record(const struct ord_record_in *in, struct ord_side *side,
	       char **ret_why);

/*
 * dpkg's messages in @output: "dpkg: error ..." lines with the indented
 * lines that continue them, each joined into one string, appended to
 * *@errors; and the paths of "trying to overwrite 'PATH'" (errors and
 * warnings alike) appended to *@reported.
 */
int ord_record_parse_output(const char *output, char ***errors,
			    size_t *n_errors, char ***reported,
			    size_t *n_reported);

#endif /* ALIASCTL_ORDERINGS_RECORD_H */
