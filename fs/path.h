/*
 * View paths (path.c): joining a directory's path and a name.
 */
#ifndef AFS_PATH_H
#define AFS_PATH_H

/* "@dir/@name" in a new string (the caller frees it); "/@name" when @dir
 * is "/". NULL when out of memory. */
char *afs_path_join(const char *dir, const char *name);

#endif /* AFS_PATH_H */
