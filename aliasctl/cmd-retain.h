/* aliasctl retained and gc: what retention keeps (fs/retain.h). */
#ifndef ALIASCTL_CMD_RETAIN_H
#define ALIASCTL_CMD_RETAIN_H

#include "aliasctl.h"

extern const struct aliasctl_command aliasctl_cmd_retained;
extern const struct aliasctl_command aliasctl_cmd_gc;

#endif /* ALIASCTL_CMD_RETAIN_H */
