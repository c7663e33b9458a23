/*
 * Source slots of a view directory (dir-slots.c).
 */
#ifndef AFS_DIR_SLOTS_H
#define AFS_DIR_SLOTS_H

struct afs_fs;
struct afs_inode;
struct afs_slot;

/*
 * Source slots of the view directory @path, child @name of @parent:
 * slot 0 the canonical backing dir (fd -1 if absent), then every alias-side
 * dir that exists, then at a junction each alias's own backing dir.
 * 0 and *ret_slots, *ret_n (the caller's: afs_slots_free()), or -errno
 * (out of descriptors or memory: never "absent").
 * Call with tree_lock held (read or write).
 */
int afs_dir_compute_slots(struct afs_fs *fs, struct afs_inode *parent,
			  const char *name, const char *path,
			  struct afs_slot **ret_slots, unsigned *ret_n);
/* Closes and frees @n slots; accepts NULL. */
void afs_slots_free(struct afs_slot *slots, unsigned n);

/* The first backing source of @dir (whose attributes the view shows), or
 * -1 when it has none. */
int afs_dir_first_fd(const struct afs_inode *dir);

/* Register (unregister) @dir in the inode table under the key of each of
 * its sources. Call with table_lock held. */
void afs_dir_register_keys(struct afs_fs *fs, struct afs_inode *dir);
void afs_dir_unregister_keys(struct afs_fs *fs, struct afs_inode *dir);

/* Is the union of @slots (the view directory @path) empty? Returns 1, 0,
 * or -errno. */
int afs_dir_union_empty(struct afs_fs *fs, struct afs_slot *slots, unsigned n,
			const char *path);

#endif /* AFS_DIR_SLOTS_H */
