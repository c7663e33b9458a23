/*
 * Reader of an installed root's dpkg database: every package's file list
 * in ROOT/var/lib/dpkg/info/PACKAGE.list (PACKAGE may carry ":ARCH").
 */
#ifndef INSTALLED_ROOT_H
#define INSTALLED_ROOT_H

#include "archive/archive-input.h"

/*
 * Call @fn for every path listed for every package of the root @root,
 * except the paths that are directories in the root (dpkg lists
 * directories too; packages share those by design). Lists are read in
 * sorted file name order.
 * Returns 0, or -errno with @diag: -ENOENT (@root has no dpkg database),
 * -ENOTDIR, -EACCES, -EIO, -EBADMSG (a NUL byte in a list), or what @fn
 * returned.
 */
int installed_root_list(const char *root, arc_path_fn fn, void *ctx,
			struct arc_diag *diag);

#endif /* INSTALLED_ROOT_H */
