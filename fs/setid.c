/*
 * Set-user-ID and set-group-ID bits after a write, a truncation or a
 * chown, when the kernel leaves that to the daemon (FUSE_HANDLE_KILLPRIV
 * and _V2, init-flags.c).
 *
 * The daemon writes to the backing as root, with CAP_FSETID, so the
 * backing keeps the bits that the kernel clears for the caller. So the
 * daemon applies the kernel's rule for the caller:
 * - a write or truncation by a caller without CAP_FSETID clears
 *   set-user-ID, and set-group-ID when the file is group-executable or
 *   the caller is not in its group;
 * - a chown clears set-user-ID always and set-group-ID on a
 *   group-executable file: the backing does that by itself, even for
 *   root. What is left is set-group-ID on a file that is not
 *   group-executable, cleared when the caller has no CAP_FSETID and is
 *   not in the file's group.
 * Files with these bits are rare, so the caller is looked up (in
 * /proc/PID/status) only for them.
 *
 * Layer 1 (leaf helpers, fs/README.md): calls backing.c in its layer.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/afs.h"
#include "fs/backing.h"
#include "fs/setid.h"

#define AFS_CAP_FSETID 4 /* linux/capability.h */

struct afs_caller {
	bool fsetid;	  /* has CAP_FSETID over our files */
	gid_t fsgid;	  /* the group it acts as (the request's) */
	gid_t groups[64]; /* supplementary groups (the first 64) */
	size_t n_groups;
};

/* Reads what the kernel would check of the caller of @req. What cannot
 * be read counts as unprivileged and in no supplementary group. */
static void afs_caller_read(fuse_req_t req, struct afs_caller *c)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	char path[64], line[512];
	struct stat ns_caller, ns_self;
	bool same_ns;
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->fsgid = ctx->gid;
	/* Capabilities count in the daemon's user namespace only. */
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)ctx->pid);
	same_ns = stat(path, &ns_caller) == 0 &&
		  stat("/proc/self/ns/user", &ns_self) == 0 &&
		  ns_caller.st_ino == ns_self.st_ino &&
		  ns_caller.st_dev == ns_self.st_dev;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)ctx->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long caps;

		if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			c->fsetid = same_ns && (caps >> AFS_CAP_FSETID) & 1;
		} else if (strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7, *end;

			while (c->n_groups <
			       sizeof(c->groups) / sizeof(c->groups[0])) {
				unsigned long v = strtoul(p, &end, 10);

				if (end == p)
					break;
				c->groups[c->n_groups++] = (gid_t)v;
				p = end;
			}
		}
	}
	fclose(f);
}

static bool afs_caller_in_group(const struct afs_caller *c, gid_t gid)
{
	size_t i;

	if (c->fsgid == gid)
		return true;
	for (i = 0; i < c->n_groups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

int afs_setid_clear(fuse_req_t req, int fd, enum afs_setid_change change,
		    const struct stat *before)
{
	struct afs_fs *fs = afs_data(req);
	struct afs_caller c;
	struct stat st;
	mode_t clear = 0;
	char proc[64];
	int r;

	if (!fs->kill_setid || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (change == AFS_SETID_CHOWN) {
		/* The backing cleared the rest. */
		if ((st.st_mode & (S_ISGID | S_IXGRP)) != S_ISGID)
			return 0;
	} else if (!(st.st_mode & (S_ISUID | S_ISGID))) {
		return 0;
	}
	afs_caller_read(req, &c);
	if (c.fsetid)
		return 0;
	if (change != AFS_SETID_CHOWN && (st.st_mode & S_ISUID))
		clear |= S_ISUID;
	if ((st.st_mode & S_ISGID) &&
	    ((st.st_mode & S_IXGRP) ||
	     !afs_caller_in_group(&c, before ? before->st_gid : st.st_gid)))
		clear |= S_ISGID;
	if (!clear)
		return 0;
	r = afs_proc_path(fd, proc, sizeof(proc));
	if (r < 0)
		return r;
	if (chmod(proc, st.st_mode & 07777 & ~clear) < 0)
		return -errno;
	return 1;
}

void afs_setid_notify(struct afs_fs *fs, fuse_ino_t ino)
{
	/* The kernel keeps the mode it had: make it ask again. A negative
	 * offset leaves the pages alone. */
	fuse_lowlevel_notify_inval_inode(fs->se, ino, -1, 0);
}
