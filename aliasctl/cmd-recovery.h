/*
 * aliasctl commands that save and rebuild the database: dump, restore and
 * recover. Declared apart from aliasctl.h, like cmd-declarations.h, so
 * they stay an addition to the command line.
 */
#ifndef ALIASCTL_CMD_RECOVERY_H
#define ALIASCTL_CMD_RECOVERY_H

#include "aliasctl.h"

extern const struct aliasctl_command aliasctl_cmd_dump;
extern const struct aliasctl_command aliasctl_cmd_restore;
extern const struct aliasctl_command aliasctl_cmd_recover;

/* Print each alias of @report the rules refused, on stderr, as
 * "aliasctl CMD: SOURCE:LINE: refused ALIAS -> CANONICAL: RULE". */
void aliasctl_restore_print_refused(
	const char *cmd, const char *source,
	const struct aliasdb_restore_report *report);

/* Read and parse the dump in @path ('-': standard input). Returns 0 and
 * *ret_dump, -EINVAL/-EPROTO with @err filled (aliasdb_dump_parse()),
 * other -errno reading it. */
int aliasctl_dump_read_file(const char *path, struct aliasdb_dump_error *err,
			    struct aliasdb_dump **ret_dump);

#endif /* ALIASCTL_CMD_RECOVERY_H */
