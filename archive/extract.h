/*
 * Canonical extraction of .deb files into a root without FUSE: every
 * member lands at its canonical path (the aliases exist as relative
 * symlinks, the files under /usr), with modes, numeric owners (when
 * running as root), mtimes, hard links, symlinks, device nodes, fifos and
 * the xattrs of regular files.
 *
 * Safety: member names with "..", absolute member names, and members that
 * would be written through a symlink leaving the root (or through a
 * symlink the same package ships) are refused. A package is staged whole
 * in a private directory inside the root first and only moved into place
 * once every member passed, so a refused or broken package writes nothing.
 *
 * Staging directories are named ".aliasctl-extract.PID.N" and locked
 * (flock) by the run that uses them. A run that was killed leaves its
 * directory behind, unlocked: the next extract_root_open() of the root
 * removes those, and never one that a running extract holds, whatever its
 * process id has become since.
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <stdbool.h>

#include "aliasdb.h"
#include "archive/archive-input.h"
#include "archive/conflict-finder.h"

struct extract_root;

struct extract_options {
	const struct aliasdb_map *map;	 /* required; outlives the root */
	const struct arc_limits *limits; /* NULL: the defaults */
	bool same_owner; /* restore numeric owners (needs root) */
	/* If set, every shipped non-directory path is recorded here to
	 * report alias conflicts across the set. */
	struct conflict_finder *finder;
	/* If set, called after every block of member data staged, with the
	 * bytes staged so far of the current package (total 0). */
	arc_progress_fn progress;
	void *progress_ctx;
};

/*
 * Open (creating the last component if missing) the root directory @root.
 * The first package extracted makes every alias of opts->map a relative
 * symlink to its canonical directory; this checks that it can: -EEXIST
 * (with @diag) for a root where an alias is a non-empty directory, a
 * symlink elsewhere or another kind of file, as extraction needs a merged
 * or empty root; other -errno (with @diag) when the root cannot be read.
 * Returns 0 and *ret_root, or -errno with @diag. Writes nothing but the
 * root directory, which extract_root_close() removes again if no package
 * was extracted, and removes the staging directories of dead runs (see
 * above; one that cannot be removed is left alone).
 */
int extract_root_open(const char *root, const struct extract_options *opts,
		      struct extract_root **ret_root, struct arc_diag *diag);

/* Close. Accepts NULL. */
void extract_root_close(struct extract_root *root);

/*
 * Extract the package @deb into @root. Returns 0, or -errno with @diag:
 * the errors of deb_reader_open()/deb_reader_next(), -EPERM (a member
 * refused: "..", absolute name, written through a symlink, replacing a
 * directory; @diag names the member and the reason), -EXDEV (a path
 * would resolve outside the root), -EEXIST (see extract_root_open(), for
 * the first package, which creates the aliases), -ENOSPC, -EIO, ... with
 * @diag naming the file and the failed operation. In every error case
 * except a failure while moving staged members into place (an I/O error
 * after all checks passed), nothing of the package is left in the root.
 */
int extract_deb(struct extract_root *root, const char *deb,
		struct arc_diag *diag);

#endif /* EXTRACT_H */
