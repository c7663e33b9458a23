/*
 * The entry point of convert and revert planning: checks the tree and
 * picks the planner (convert-merge.c or revert-split.c), which build on
 * the plan object of convert-plan.c. Above all three, so that no planner
 * calls back into the file that calls it.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "convert-internal.h"

int aliasdb_convert_plan(struct aliasdb *db, const struct aliasdb_map *map,
			 int tree_fd, enum aliasdb_convert_op op,
			 const struct aliasdb_convert_opts *opts,
			 struct aliasdb_plan **ret_plan)
{
	static const struct aliasdb_convert_opts none;
	struct aliasdb_plan *p;
	struct stat st;
	int r;

	if (!map || tree_fd < 0 || !ret_plan ||
	    (op != ALIASDB_OP_CONVERT && op != ALIASDB_OP_REVERT))
		return -EINVAL;
	if (!opts)
		opts = &none;
	if (fstat(tree_fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	r = cv_plan_new(op, &p);
	if (r < 0)
		return r;
	p->tree_dev = st.st_dev;
	p->tree_ino = st.st_ino;
	r = cv_lstat(tree_fd, CV_STAGING, &st);
	if (r == 0)
		r = cv_plan_item(p, ALIASDB_PLAN_CONFLICT, CV_STAGING, NULL,
				 "left by an earlier run that its journal no "
				 "longer knows: look inside, then remove it");
	else if (r == -ENOENT)
		r = 0;
	if (r == 0)
		r = op == ALIASDB_OP_CONVERT
			    ? cv_plan_convert(db, map, tree_fd, opts, p)
			    : cv_plan_revert(db, map, tree_fd, opts, p);
	if (r < 0) {
		aliasdb_plan_free(p);
		return r;
	}
	*ret_plan = p;
	return 0;
}
