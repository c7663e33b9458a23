/*
 * aliasctl run: what is mounted on and under the view beside the daemon's
 * own mount, and taking it all down.
 */
#ifndef ALIASCTL_RUN_VIEW_H
#define ALIASCTL_RUN_VIEW_H

#include <stdbool.h>

/*
 * For a chroot: bind the host's /dev, /proc and /sys (with what is
 * mounted below them) on the view's dev, proc and sys, each only where
 * the view has that directory (nothing is created in the backing). Call
 * in a private mount namespace only. Failures are reported on stderr and
 * skipped: the command runs without that tree.
 */
void run_view_bind_system(const char *view);

/*
 * Unmount the view and everything mounted under it, lazily (what still
 * uses it keeps it until done; nothing new gets in). @fusermount: the
 * view was mounted through fusermount3, which must unmount it too.
 * Returns 0 or the first -errno.
 */
int run_view_unmount(const char *view, bool fusermount);

#endif /* ALIASCTL_RUN_VIEW_H */
