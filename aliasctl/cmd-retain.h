/* aliasctl retained and gc: what retention keeps (fs/retain.h). */
#ifndef ALIASCTL_CMD_RETAIN_H
#define ALIASCTL_CMD_RETAIN_H

#include "aliasctl.h"

extern const struct aliasctl_command aliasctl_cmd_retained;
extern const struct aliasctl_command aliasctl_cmd_gc;

/* aliasdb_retained_load() of ctl->db_dir, a failure reported on stderr.
 * 0 or -errno. */
int aliasctl_retained_load(const struct aliasctl *ctl,
			   struct aliasdb_retained_index **ret_index);

#endif /* ALIASCTL_CMD_RETAIN_H */
