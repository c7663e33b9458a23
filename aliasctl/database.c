/* Opening the database, with the error messages every command shares. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "aliasctl.h"

void aliasctl_db_damaged(const char *db_dir)
{
	const char *file = aliasdb_open_damaged_file();
	const char *why = aliasdb_open_damage_reason();

	if (file)
		aliasctl_error("the alias database in %s is damaged: %s: %s",
			       db_dir, file, why);
	else
		aliasctl_error("the alias database in %s is damaged (a record "
			       "cannot be read)",
			       db_dir);
	aliasctl_error("nothing was read from it or changed; 'aliasctl --db "
		       "%s recover' rebuilds it from its plain-text copy "
		       "%s/%s and keeps the damaged files",
		       db_dir, db_dir, ALIASDB_COPY_FILE);
}

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
	if (r == -EUCLEAN)
		aliasctl_db_damaged(ctl->db_dir);
	else if (r == -EPROTO)
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
	if (err == -EUCLEAN) {
		/* Damaged after it was opened (or by a record the check
		 * could not see): the way out is the same. */
		aliasctl_error("%s in %s: a record cannot be read", what,
			       ctl->db_dir);
		aliasctl_db_damaged(ctl->db_dir);
		return ALIASCTL_EXIT_SYSTEM;
	}
	aliasctl_error("%s in %s: %s", what, ctl->db_dir, strerror(-err));
	return ALIASCTL_EXIT_SYSTEM;
}
