/*
 * The request loop (session-loop.c).
 */
#ifndef AFS_SESSION_LOOP_H
#define AFS_SESSION_LOOP_H

#include <fuse_lowlevel.h>

/* Serve @se with @threads workers until it ends; after each request one
 * worker keeps reading for @poll_us microseconds before it sleeps (0:
 * never). Returns 0, or -errno. */
int afs_session_loop(struct fuse_session *se, unsigned threads,
		     unsigned poll_us);

#endif /* AFS_SESSION_LOOP_H */
