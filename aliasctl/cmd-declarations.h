/*
 * aliasctl commands over declared aliases: sync and activate. Declared
 * apart from aliasctl.h, like cmd-archive.h, so they stay an addition to
 * the command line.
 */
#ifndef ALIASCTL_CMD_DECLARATIONS_H
#define ALIASCTL_CMD_DECLARATIONS_H

#include "aliasctl.h"

extern const struct aliasctl_command aliasctl_cmd_sync;
extern const struct aliasctl_command aliasctl_cmd_activate;

/*
 * Open the tree a sync or an activation looks at: @tree_opt (--tree) if
 * given, else the tree the database lives in when ctl->db_dir is
 * TREE/var/lib/aliasfs (what --root TREE gives). Prints why on failure.
 * Returns ALIASCTL_EXIT_OK with *ret_fd and *ret_tree (the caller frees),
 * or the exit code.
 */
int aliasctl_tree_open(const struct aliasctl *ctl,
		       const struct aliasctl_command *cmd, const char *tree_opt,
		       int *ret_fd, char **ret_tree);

#endif /* ALIASCTL_CMD_DECLARATIONS_H */
