/*
 * aliasctl commands over archives and trees (libaliasarchive): check,
 * extract, index, owner and compare.
 * Declared apart from aliasctl.h so the archive library stays an
 * addition to the command line, not a change of it.
 */
#ifndef ALIASCTL_CMD_ARCHIVE_H
#define ALIASCTL_CMD_ARCHIVE_H

#include "aliasctl.h"
#include "archive/conflict-finder.h"

/* Exit codes of check and extract, documented in aliasctl(1). */
enum archive_exit {
	ARCHIVE_EXIT_OK = 0,	    /* no conflict / extracted */
	ARCHIVE_EXIT_CONFLICTS = 1, /* conflicts found (extract: --strict) */
	ARCHIVE_EXIT_ERROR = 2,	    /* usage, input or system error */
};

extern const struct aliasctl_command aliasctl_cmd_check;
extern const struct aliasctl_command aliasctl_cmd_extract;
extern const struct aliasctl_command aliasctl_cmd_index;
extern const struct aliasctl_command aliasctl_cmd_owner;
extern const struct aliasctl_command aliasctl_cmd_compare;

/*
 * The alias map to canonicalize with: @arch's default set if @arch is
 * set, else the database at @db_dir if there is one, else the host
 * architecture's default set. Prints why on failure. Returns 0 and
 * *ret_map, or -1.
 */
int archive_cmd_load_map(const char *db_dir, const char *arch,
			 struct aliasdb_map **ret_map);

/* The map for the tree at @root: @arch's set if set, else the database
 * in @root/var/lib/aliasfs, else the host's set. As above. */
int archive_cmd_load_root_map(const char *root, const char *arch,
			      struct aliasdb_map **ret_map);

/* Print @list as the human table (or JSON with @json) on stdout. */
void archive_cmd_print_conflicts(const struct conflict *list, size_t n,
				 bool json);

#endif /* ALIASCTL_CMD_ARCHIVE_H */
