/*
 * Where the daemon's messages go (log.c).
 */
#ifndef AFS_LOG_H
#define AFS_LOG_H

/* From now on, fuse_log() messages (the daemon's and libfuse's) go to
 * syslog as "aliasfs" (LOG_DAEMON) instead of stderr. */
void afs_log_to_syslog(void);

#endif /* AFS_LOG_H */
