/*
 * mount.aliasfs: entering mount(8)'s namespace and running the daemon.
 */
#ifndef MH_RUN_H
#define MH_RUN_H

/* Enter the mount namespace @ns: a PID (its /proc/PID/ns/mnt) or a
 * namespace file, as mount -N takes. 0 or -errno. */
int mh_enter_namespace(const char *ns);

/*
 * Run the program @argv[0] with arguments @argv, directly (execv(3): no
 * shell, no PATH search), and wait until it exits. The daemon detaches
 * once its mount is in place, so this returns when the mount is there or
 * has failed. Returns 0 with its wait status in *ret_status, or -errno if
 * it could not be started (fork, or execv: -ENOENT when it is missing).
 */
int mh_run(char *const argv[], int *ret_status);

#endif
