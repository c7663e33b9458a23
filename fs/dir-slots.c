/*
 * Source slots of a view directory: the backing directories that provide
 * it (the canonical one first, then the alias sides, then at a junction
 * each alias's own), how they are computed, registered in the inode table
 * under their (dev, ino) keys, and whether their union is empty.
 *
 * Layer 3 (inode core, fs/README.md): calls the alias table and leaf helpers
 * below.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/backing.h"
#include "fs/dir-slots.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/path.h"
#include "fs/sources.h"

void afs_slots_free(struct afs_slot *slots, unsigned n)
{
	unsigned i;

	if (!slots)
		return;
	for (i = 0; i < n; i++) {
		if (slots[i].fd >= 0)
			close(slots[i].fd);
		free(slots[i].bpath);
	}
	free(slots);
}

int afs_dir_first_fd(const struct afs_inode *dir)
{
	unsigned i;

	for (i = 0; i < dir->n_slots; i++)
		if (dir->slots[i].fd >= 0)
			return dir->slots[i].fd;
	return -1;
}

/* Put @dir in the inode table under each source's key (@add), or take
 * it out. Call with table_lock held. */
static void afs_dir_keys(struct afs_fs *fs, struct afs_inode *dir, bool add)
{
	unsigned i;

	for (i = 0; i < dir->n_slots; i++) {
		dev_t dev = afs_dir_key_dev(dir, dir->slots[i].dev);

		if (dir->slots[i].fd < 0)
			continue;
		if (add)
			(void)afs_inode_table_put(fs->table, dev,
						  dir->slots[i].ino, dir);
		else
			(void)afs_inode_table_remove(fs->table, dev,
						     dir->slots[i].ino, dir);
	}
}

void afs_dir_register_keys(struct afs_fs *fs, struct afs_inode *dir)
{
	afs_dir_keys(fs, dir, true);
}

void afs_dir_unregister_keys(struct afs_fs *fs, struct afs_inode *dir)
{
	afs_dir_keys(fs, dir, false);
}

static int afs_slot_append(struct afs_slot **slots, unsigned *n, int fd,
			   const char *bpath)
{
	struct afs_slot *ns;
	struct stat st;
	unsigned i;

	if (fd >= 0) {
		if (fstat(fd, &st) < 0) {
			close(fd);
			fd = -1;
		} else {
			/* The same backing dir reached twice (a bind mount,
			 * an alias and its target on one inode): once. */
			for (i = 0; i < *n; i++)
				if ((*slots)[i].fd >= 0 &&
				    (*slots)[i].dev == st.st_dev &&
				    (*slots)[i].ino == st.st_ino) {
					close(fd);
					return 0;
				}
		}
	}
	if (fd < 0 && *n > 0)
		return 0;
	ns = realloc(*slots, (*n + 1) * sizeof(**slots));
	if (!ns) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	*slots = ns;
	ns[*n].fd = fd;
	ns[*n].dev = fd >= 0 ? st.st_dev : 0;
	ns[*n].ino = fd >= 0 ? st.st_ino : 0;
	ns[*n].bpath = NULL;
	if (bpath) {
		ns[*n].bpath = strdup(bpath);
		if (!ns[*n].bpath) {
			if (fd >= 0)
				close(fd);
			return -ENOMEM;
		}
	}
	(*n)++;
	return 0;
}

/*
 * Source slots of the view directory @path, child @name of @parent:
 * slot 0 the canonical backing dir (fd -1 if absent), then every alias-side
 * dir that exists, then at a junction each alias's own backing dir.
 * Call with tree_lock held (read or write).
 */
int afs_dir_compute_slots(struct afs_fs *fs, struct afs_inode *parent,
			  const char *name, const char *path,
			  struct afs_slot **ret_slots, unsigned *ret_n)
{
	struct afs_slot *slots = NULL;
	unsigned n = 0, j;
	int r = 0, i;

	for (j = 0; j < parent->n_slots; j++) {
		int fd = -1;
		char *bpath = NULL;

		if (parent->slots[j].fd >= 0) {
			fd = openat(parent->slots[j].fd, name,
				    O_PATH | O_NOFOLLOW | O_DIRECTORY |
					    O_CLOEXEC);
			/* Absent or not a directory: no slot. Out of
			 * descriptors or memory: an error, never "absent". */
			if (fd < 0 && (errno == EMFILE || errno == ENFILE ||
				       errno == ENOMEM)) {
				r = -errno;
				goto fail;
			}
		}
		if (j > 0 && fd >= 0) {
			bpath = afs_path_join(parent->slots[j].bpath, name);
			if (!bpath) {
				close(fd);
				r = -ENOMEM;
				goto fail;
			}
		}
		r = afs_slot_append(&slots, &n, fd, bpath);
		free(bpath);
		if (r < 0)
			goto fail;
	}
	for (i = afs_aliases_find_junction(fs->aliases, path, 0); i >= 0;
	     i = afs_aliases_find_junction(fs->aliases, path, (size_t)i + 1)) {
		const char *rel = fs->aliases->entries[i].alias + 1;
		int fd = afs_open_beneath(fs, rel);

		if (fd == -EMFILE || fd == -ENFILE || fd == -ENOMEM) {
			r = fd;
			goto fail;
		}
		if (fd < 0)
			continue;
		r = afs_slot_append(&slots, &n, fd, rel);
		if (r < 0)
			goto fail;
	}
	*ret_slots = slots;
	*ret_n = n;
	return 0;
fail:
	afs_slots_free(slots, n);
	return r;
}

/* Is the union of @slots (the view directory @path) empty? Returns 1, 0,
 * or -errno. */
int afs_dir_union_empty(struct afs_fs *fs, struct afs_slot *slots, unsigned n,
			const char *path)
{
	unsigned j;

	if (afs_aliases_dir_has_alias(fs->aliases, path) ||
	    afs_aliases_has_below(fs->aliases, path))
		return 0;
	for (j = 0; j < n; j++) {
		struct dirent *de;
		DIR *d;
		int fd, empty = 1;

		if (slots[j].fd < 0)
			continue;
		fd = openat(slots[j].fd, ".",
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		d = fdopendir(fd);
		if (!d) {
			close(fd);
			return -ENOMEM;
		}
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0) {
				empty = 0;
				break;
			}
		}
		closedir(d);
		if (!empty)
			return 0;
	}
	return 1;
}
