/*
 * Inodes of the view: their lifetime. The kernel's lookup counts and the
 * daemon's internal references (a child holds one on its directory, a
 * file one on each directory it was seen in) keep an inode; the last one
 * dropped frees it, and then its directory's reference. Alias symlinks,
 * virtual directories and the root live as long as the mount.
 *
 * Layer 3 (inode core, fs/README.md): calls dir-slots.c in its layer and the
 * leaf helpers below.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/dir-slots.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/listing.h"

struct afs_inode *afs_inode_get(fuse_req_t req, fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return afs_data(req)->root;
	return (struct afs_inode *)(uintptr_t)ino;
}

void afs_inode_destroy(struct afs_inode *inode)
{
	unsigned k;

	if (!inode)
		return;
	for (k = 0; k < inode->n_locs; k++)
		free(inode->locs[k].name);
	if (inode->fd >= 0)
		close(inode->fd);
	free(inode->open_fds);
	free(inode->dpkg_handles);
	afs_listings_free(inode->listings);
	afs_slots_free(inode->slots, inode->n_slots);
	free(inode->name);
	free(inode->path);
	free(inode->alias);
	free(inode->target);
	free(inode);
}

static void afs_inode_unlink_all(struct afs_fs *fs, struct afs_inode *inode)
{
	if (inode->prev_all)
		inode->prev_all->next_all = inode->next_all;
	else
		fs->all = inode->next_all;
	if (inode->next_all)
		inode->next_all->prev_all = inode->prev_all;
	else
		fs->all_tail = inode->prev_all;
	if (inode->kind == AFS_KIND_DIR)
		fs->n_dirs--;
}

/*
 * A count going below zero is a forget or an unref of a lookup or a
 * reference never counted: a bug of the daemon, which libfuse's
 * passthrough_hp aborts on too. It is logged and asserted; a build with
 * NDEBUG logs it and goes on with the count at zero.
 */
static void afs_inode_drop_counts(struct afs_inode *inode, uint64_t nlookup,
				  unsigned refs)
{
	if (nlookup > inode->nlookup || refs > inode->refs) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: internal error: inode %" PRIu64
			 " (%s) dropped %" PRIu64 " of %" PRIu64
			 " lookups and %u of %u references\n",
			 (uint64_t)inode->st_ino,
			 inode->path ? inode->path : "file", nlookup,
			 inode->nlookup, refs, inode->refs);
		assert(nlookup <= inode->nlookup && refs <= inode->refs);
		nlookup = nlookup < inode->nlookup ? nlookup : inode->nlookup;
		refs = refs < inode->refs ? refs : inode->refs;
	}
	inode->nlookup -= nlookup;
	inode->refs -= refs;
}

/*
 * Drop @nlookup kernel lookups and @refs internal references; free the inode
 * when neither is left. Call with table_lock held.
 */
void afs_inode_unref_locked(struct afs_fs *fs, struct afs_inode *inode,
			    uint64_t nlookup, unsigned refs)
{
	while (inode) {
		struct afs_inode *parent;

		if (inode->kind == AFS_KIND_ALIAS || inode == fs->root ||
		    inode->persistent)
			return; /* live for the mount's life */
		afs_inode_drop_counts(inode, nlookup, refs);
		if (inode->nlookup > 0 || inode->refs > 0)
			return;
		if (inode->kind == AFS_KIND_DIR)
			afs_dir_unregister_keys(fs, inode);
		else
			(void)afs_inode_table_remove(fs->table, inode->dev,
						     inode->ino, inode);
		if (inode->kind == AFS_KIND_FILE) {
			unsigned k;

			afs_inode_unlink_all(fs, inode);
			for (k = 0; k < inode->n_locs; k++)
				afs_inode_unref_locked(
					fs, inode->locs[k].parent, 0, 1);
			afs_inode_destroy(inode);
			return;
		}
		parent = inode->parent;
		afs_inode_unlink_all(fs, inode);
		afs_inode_destroy(inode);
		inode = parent;
		nlookup = 0;
		refs = 1;
	}
}

void afs_inode_forget(struct afs_fs *fs, struct afs_inode *inode,
		      uint64_t nlookup)
{
	pthread_mutex_lock(&fs->table_lock);
	afs_inode_unref_locked(fs, inode, nlookup, 0);
	pthread_mutex_unlock(&fs->table_lock);
}

int afs_inode_new_dir_root(struct afs_fs *fs, int root_fd)
{
	struct afs_inode *root = calloc(1, sizeof(*root));
	struct stat st;
	int r = -ENOMEM;

	if (!root)
		return -ENOMEM;
	root->fd = -1; /* before anything can fail: destroy closes it */
	root->slots = calloc(1, sizeof(*root->slots));
	root->path = strdup("/");
	root->name = strdup("");
	if (!root->slots || !root->path || !root->name)
		goto fail;
	if (fstat(root_fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	root->kind = AFS_KIND_DIR;
	root->n_slots = 1;
	root->slots[0].fd = root_fd;
	root->slots[0].dev = st.st_dev;
	root->slots[0].ino = st.st_ino;
	root->st_ino = st.st_ino;
	root->nlookup = 1;
	root->serial = atomic_fetch_add(&fs->next_serial, 1);
	pthread_mutex_lock(&fs->table_lock);
	afs_dir_register_keys(fs, root);
	pthread_mutex_unlock(&fs->table_lock);
	fs->root = root;
	return 0;
fail:
	afs_inode_destroy(root);
	return r;
}

void afs_inode_link_all_locked(struct afs_fs *fs, struct afs_inode *inode)
{
	inode->prev_all = NULL;
	inode->next_all = fs->all;
	if (fs->all)
		fs->all->prev_all = inode;
	else
		fs->all_tail = inode;
	fs->all = inode;
	if (inode->kind == AFS_KIND_DIR)
		fs->n_dirs++;
}

void afs_inode_free_all(struct afs_fs *fs)
{
	size_t i;

	while (fs->all) {
		struct afs_inode *next = fs->all->next_all;

		afs_inode_destroy(fs->all);
		fs->all = next;
	}
	fs->all_tail = NULL;
	fs->n_dirs = 0;
	/* At unmount the kernel has forgotten everything it may; what is
	 * left is released with the table. The root's fd is fs->root_fd. */
	if (fs->root) {
		fs->root->slots[0].fd = -1;
		afs_inode_destroy(fs->root);
		fs->root = NULL;
	}
	for (i = 0; i < fs->n_alias_inodes; i++)
		afs_inode_destroy(fs->alias_inodes[i]);
	for (i = 0; i < fs->n_virtual_inodes; i++) {
		struct afs_inode *v = fs->virtual_inodes[i];

		if (v->parent) /* the parent is freed on its own */
			v->parent = NULL;
		afs_inode_destroy(v);
	}
	free(fs->virtual_inodes);
	fs->virtual_inodes = NULL;
	fs->n_virtual_inodes = 0;
	free(fs->alias_inodes);
	fs->alias_inodes = NULL;
	fs->n_alias_inodes = 0;
}
