/*
 * Retention (aliasdb.h, "Retention of replaced files"): when a file that a
 * rule matches is replaced or removed through the view (renamed over,
 * unlinked, truncated), its old content stays reachable, read-only, at
 * the rule's place, as a hard link in the backing where the backing
 * allows it and as a copy otherwise, and the index in the database
 * directory records it for `aliasctl retained` and `aliasctl gc`.
 *
 * The operations call only the small hooks below; a retention that fails
 * is logged and never fails the operation.
 *
 * Lock: fs->retain's own mutex, taken with tree_lock held for reading (or
 * with no lock), and nothing taken inside it but table_lock.
 */
#ifndef AFS_RETAIN_H
#define AFS_RETAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct afs_fs;
struct afs_inode;
struct afs_retain;

/* The retention mount options, as given. */
struct afs_retain_options {
	char **rules; /* "PATTERN:PLACE", one a retain= option */
	size_t n_rules;
	char *max; /* retain_max=SIZE, NULL if not given */
	int keep;  /* retain_keep: keep what earlier mounts retained */
};

/* Add a retain= option's value. 0 or -ENOMEM. */
int afs_retain_option_add(struct afs_retain_options *o, const char *value);
void afs_retain_options_free(struct afs_retain_options *o);

/*
 * Before the mount, with fs->root_fd and fs->db_dir set: check @o (a bad
 * option is printed on stderr: -EINVAL), drop what earlier mounts
 * retained unless o->keep, and set fs->retain. Other -errno.
 */
int afs_retain_setup(struct afs_fs *fs, const struct afs_retain_options *o);
void afs_retain_free(struct afs_retain *retain);

/*
 * @dir/@name is about to lose its file (a rename onto it, an unlink).
 * Returns a token for afs_retain_end() (NULL: nothing retained). Call
 * with tree_lock held for reading.
 */
void *afs_retain_begin(struct afs_fs *fs, struct afs_inode *dir,
		       const char *name);

/* The operation succeeded (@ok) or not; consumes @token. Call without
 * locks. */
void afs_retain_end(struct afs_fs *fs, void *token, bool ok);

/* File @inode is about to be truncated to @size: a copy of what it holds
 * now is retained when a rule matches. Call with tree_lock held for
 * reading. */
void afs_retain_truncating(struct afs_fs *fs, struct afs_inode *inode,
			   off_t size);

#endif /* AFS_RETAIN_H */
