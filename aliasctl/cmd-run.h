/* aliasctl run: a throw-away sandbox over a view (cmd-run.c). */
#ifndef ALIASCTL_CMD_RUN_H
#define ALIASCTL_CMD_RUN_H

#include "aliasctl.h"

extern const struct aliasctl_command aliasctl_cmd_run;

#endif /* ALIASCTL_CMD_RUN_H */
