/*
 * Virtual directories: the canonical directory of an alias and its
 * parents exist in the view even where the backing has nothing there.
 * Their inodes live as long as the mount, found by view path.
 *
 * Layer 4 (directories, fs/README.md): calls the inode core below.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs/afs.h"
#include "fs/dir-slots.h"
#include "fs/dir-virtual.h"
#include "fs/inode.h"

/*
 * The persistent directory inode for view path @path (child @name of
 * @dir) that the view shows even without a backing source. Call with
 * tree_lock held. Returns NULL when out of memory.
 */
struct afs_inode *afs_virtual_dir(struct afs_fs *fs, struct afs_inode *dir,
				  const char *name, const char *path)
{
	struct afs_inode *v = NULL, **grown;
	size_t i;

	pthread_mutex_lock(&fs->alias_lock);
	for (i = 0; i < fs->n_virtual_inodes; i++) {
		v = fs->virtual_inodes[i];
		if (v->parent == dir && strcmp(v->name, name) == 0)
			goto out;
	}
	v = NULL;
	grown = realloc(fs->virtual_inodes,
			(fs->n_virtual_inodes + 1) * sizeof(*grown));
	if (!grown)
		goto out;
	fs->virtual_inodes = grown;
	v = calloc(1, sizeof(*v));
	if (!v)
		goto out;
	v->kind = AFS_KIND_DIR;
	v->fd = -1;
	v->persistent = true;
	v->name = strdup(name);
	v->path = strdup(path);
	if (!v->name || !v->path ||
	    afs_dir_compute_slots(fs, dir, name, path, &v->slots, &v->n_slots) <
		    0) {
		afs_inode_destroy(v);
		v = NULL;
		goto out;
	}
	v->parent = dir;
	v->gen = atomic_load(&fs->tree_gen);
	v->st_ino = (ino_t)(AFS_VIRTUAL_INO_BASE + fs->n_virtual_inodes);
	v->serial = atomic_fetch_add(&fs->next_serial, 1);
	pthread_mutex_lock(&fs->table_lock);
	dir->refs++;
	afs_dir_register_keys(fs, v);
	pthread_mutex_unlock(&fs->table_lock);
	fs->virtual_inodes[fs->n_virtual_inodes++] = v;
out:
	pthread_mutex_unlock(&fs->alias_lock);
	return v;
}

/* The virtual directory inode at view path @path, or NULL. Call with
 * tree_lock held. */
struct afs_inode *afs_virtual_find(struct afs_fs *fs, const char *path)
{
	struct afs_inode *v = NULL;
	size_t i;

	pthread_mutex_lock(&fs->alias_lock);
	for (i = 0; i < fs->n_virtual_inodes; i++)
		if (strcmp(fs->virtual_inodes[i]->path, path) == 0) {
			v = fs->virtual_inodes[i];
			break;
		}
	pthread_mutex_unlock(&fs->alias_lock);
	return v;
}
