/* Opening the database, with the error messages every command shares. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "aliasctl.h"

int aliasctl_db_open(const struct aliasctl *ctl, unsigned flags,
		     bool quiet_enoent, struct aliasdb **ret_db)
{
	struct aliasdb *db;
	int r;

	r = aliasdb_open(ctl->db_dir, flags, &db);
	if (r >= 0) {
		*ret_db = db;
		return ALIASCTL_EXIT_OK;
	}
	if (r == -ENOENT && quiet_enoent)
		return r;
	if (r == -EPROTO)
		aliasctl_error(
			"cannot open database %s: database schema version "
			"%u is newer than this aliasctl understands "
			"(%d); upgrade aliasfs",
			ctl->db_dir, aliasdb_open_schema_found(),
			ALIASDB_SCHEMA_VERSION);
	else if (r == -ENOENT)
		aliasctl_error("cannot open database %s: %s (create it with "
			       "'aliasctl --db %s init')",
			       ctl->db_dir, strerror(-r), ctl->db_dir);
	else
		aliasctl_error("cannot open database %s: %s", ctl->db_dir,
			       strerror(-r));
	return ALIASCTL_EXIT_SYSTEM;
}

int aliasctl_db_error(const struct aliasctl *ctl, const char *what, int err)
{
	aliasctl_error("%s in %s: %s", what, ctl->db_dir, strerror(-err));
	return ALIASCTL_EXIT_SYSTEM;
}
