#ifndef ALIASCTL_RMTREE_H
#define ALIASCTL_RMTREE_H

/*
 * Remove the tree at @path without crossing into other file systems (a
 * view or other mount still inside is left, and reported as -EBUSY).
 * Directories the caller cannot write are made writable first. Returns 0
 * or -errno (the first error; it goes on with the rest).
 */
int aliasctl_rmtree(const char *path);

#endif
