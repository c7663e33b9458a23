/*
 * Set-user-ID and set-group-ID bits after a write, a truncation or a
 * chown (setid.c).
 */
#ifndef AFS_SETID_H
#define AFS_SETID_H

#include <fuse_lowlevel.h>
#include <sys/stat.h>

struct afs_fs;

/* What changed a file, for which bits go. */
enum afs_setid_change {
	AFS_SETID_WRITE, /* write, truncation, allocation */
	AFS_SETID_CHOWN, /* owner or group */
};
/* After @change through backing descriptor @fd (any kind): clears the
 * bits the caller of @req could not keep. 1 if it cleared some (the
 * kernel then needs afs_setid_notify() unless the reply has the new
 * attributes), 0 if not, -errno. @before: the file's stat before a
 * chown, else NULL. */
int afs_setid_clear(fuse_req_t req, int fd, enum afs_setid_change change,
		    const struct stat *before);
/* Tell the kernel that @ino's attributes changed. */
void afs_setid_notify(struct afs_fs *fs, fuse_ino_t ino);

#endif /* AFS_SETID_H */
