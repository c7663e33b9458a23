/*
 * Where the daemon's messages go.
 *
 * Every message goes through fuse_log(): warnings (an alias unlink that
 * kept the alias, conflicts recorded), errors (a database that cannot be
 * read or written) and libfuse's own. libfuse writes them to stderr,
 * which in the foreground (-f, -d) is the terminal; a daemon in the
 * background has its stderr on /dev/null, so there they go to syslog
 * (LOG_DAEMON, ident "aliasfs", with the pid), which the journal or a
 * syslog daemon keeps. Where /dev/log has no listener syslog(3) drops
 * them, as stderr did.
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include <fuse_log.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "fs/log.h"

#define AFS_LOG_PREFIX "aliasfs: "

_Static_assert(FUSE_LOG_EMERG == LOG_EMERG && FUSE_LOG_WARNING == LOG_WARNING &&
		       FUSE_LOG_DEBUG == LOG_DEBUG,
	       "fuse_log levels are syslog priorities");

static void afs_log_syslog(enum fuse_log_level level, const char *fmt,
			   va_list ap)
{
	char buf[2048];
	const char *msg = buf;
	size_t n;

	/* Debug output only exists with -d, which stays in the
	 * foreground. */
	if (level == FUSE_LOG_DEBUG)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* The ident says it already. */
	if (strncmp(msg, AFS_LOG_PREFIX, strlen(AFS_LOG_PREFIX)) == 0)
		msg += strlen(AFS_LOG_PREFIX);
	/* fuse_log's levels are syslog's priorities, by design. */
	syslog((int)level, "%s", msg);
}

void afs_log_to_syslog(void)
{
	openlog("aliasfs", LOG_PID, LOG_DAEMON);
	fuse_set_log_func(afs_log_syslog);
}
