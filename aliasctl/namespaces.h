/*
 * Namespaces for views that nothing else on the machine sees: a private
 * mount namespace (root), or a user namespace where an ordinary user is
 * root and the kernel lets it mount FUSE. Shared by the commands that
 * mount views (aliasctl run; aliasctl orderings has its own copy for
 * now).
 */
#ifndef ALIASCTL_NAMESPACES_H
#define ALIASCTL_NAMESPACES_H

/*
 * Can a user namespace mount FUSE here? Tried in a child process (this one
 * is left as it was): unshare, map our ids, open /dev/fuse, mount it.
 * Returns 0 if so, else -errno with *ret_why (free(); may be NULL) naming
 * the step that failed.
 */
int ns_probe_user_fuse(char **ret_why);

/*
 * Enter a new user namespace where our uid and gid are 0 (the only ids
 * mapped; setgroups is denied, as the kernel requires for an unprivileged
 * map) and a new mount namespace whose mounts propagate nowhere. The
 * process must be single-threaded. Returns 0, or -errno with *ret_why.
 */
int ns_enter_user(char **ret_why);

/* The same, for a caller that words its own message: returns 0, or -errno
 * with *ret_step naming the step that failed. */
int ns_enter_user_steps(const char **ret_step);

/* Enter a new mount namespace whose mounts propagate nowhere (needs
 * CAP_SYS_ADMIN). Returns 0, or -errno with *ret_why. */
int ns_enter_mount(char **ret_why);

#endif /* ALIASCTL_NAMESPACES_H */
