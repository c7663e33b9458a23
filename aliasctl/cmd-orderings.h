/*
 * aliasctl orderings: every installation ordering of a transition with
 * real dpkg, through a view and on a baseline. Declared apart from
 * aliasctl.h, like cmd-archive.h, so it stays an addition to the command
 * line.
 */
#ifndef ALIASCTL_CMD_ORDERINGS_H
#define ALIASCTL_CMD_ORDERINGS_H

#include "aliasctl.h"

/* Exit codes of orderings, documented in aliasctl(1). */
enum orderings_exit {
	ORDERINGS_EXIT_OK = 0,	  /* no view outcome lost or overwritten */
	ORDERINGS_EXIT_FOUND = 1, /* a view outcome is lost or overwritten */
	ORDERINGS_EXIT_ERROR = 2, /* usage, input, run or system error */
};

extern const struct aliasctl_command aliasctl_cmd_orderings;

#endif /* ALIASCTL_CMD_ORDERINGS_H */
