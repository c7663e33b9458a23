/*
 * aliasctl convert and revert: physical merge and split of a tree.
 * Declared apart from aliasctl.h, like cmd-archive.h, so they stay an
 * addition to the command line.
 */
#ifndef ALIASCTL_CMD_CONVERT_H
#define ALIASCTL_CMD_CONVERT_H

#include "aliasctl.h"

extern const struct aliasctl_command aliasctl_cmd_convert;
extern const struct aliasctl_command aliasctl_cmd_revert;

enum convert_mode {
	CONVERT_RUN = 0, /* plan and make it (or finish a pending run) */
	CONVERT_DRY_RUN, /* print the plan */
	CONVERT_RESUME,	 /* only finish a pending run */
	CONVERT_ROLLBACK /* undo a pending run */
};

struct convert_args {
	const struct aliasctl_command *cmd;
	enum aliasdb_convert_op op;
	enum convert_mode mode;
	enum aliasdb_prefer prefer;
	unsigned flags;	  /* enum aliasdb_convert_flags */
	const char *arch; /* default set for a tree without database */
	const char *tree; /* NULL: the tree of --root */
};

/* Parse the options of @a->cmd into @a. Returns -1 to go on, else the
 * exit code (help printed, usage error). */
int convert_parse(struct aliasctl *ctl, struct convert_args *a, int argc,
		  char **argv);

/* The shared driver of both commands (convert-common.c). Returns the exit
 * code. */
int convert_main(struct aliasctl *ctl, const struct convert_args *args);

#endif /* ALIASCTL_CMD_CONVERT_H */
