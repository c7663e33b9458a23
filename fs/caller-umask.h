/*
 * The caller's umask for entries the daemon creates (caller-umask.c).
 */
#ifndef AFS_CALLER_UMASK_H
#define AFS_CALLER_UMASK_H

#include <fuse_lowlevel.h>
#include <sys/types.h>

/* In each worker thread before its first request: a umask of its own.
 * 0, or -errno when the thread shares the process's (then the modes are
 * masked by hand). */
int afs_umask_thread_init(void);

/* Around the system call that creates an entry for @req: returns the
 * mode to pass for @mode, with the caller's umask in force (or applied
 * to the mode); afs_umask_leave() restores the daemon's. */
mode_t afs_umask_enter(fuse_req_t req, mode_t mode);
void afs_umask_leave(void);

#endif /* AFS_CALLER_UMASK_H */
