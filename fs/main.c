/*
 * aliasfs: options, sanity checks, FUSE session and loop.
 *
 * Layer 7 (daemon, fs/README.md): the top; calls any file below.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "aliasdb.h"
#include "fs/afs.h"
#include "fs/alias-unlink.h"
#include "fs/alias-watch.h"
#include "fs/attr.h"
#include "fs/conflicts.h"
#include "fs/create.h"
#include "fs/db-handle.h"
#include "fs/door.h"
#include "fs/dpkg-db-view.h"
#include "fs/file-io.h"
#include "fs/init-flags.h"
#include "fs/inode-table.h"
#include "fs/inode.h"
#include "fs/log.h"
#include "fs/lookup.h"
#include "fs/path.h"
#include "fs/readdir.h"
#include "fs/remove.h"
#include "fs/rename.h"
#include "fs/retain.h"
#include "fs/session-loop.h"
#include "fs/sources.h"
#include "fs/xattr.h"

#define AFS_DEFAULT_TIMEOUT 86400.0
#define AFS_DEFAULT_THREADS 4
/* Long enough to catch a caller's next request, short next to a wakeup. */
#define AFS_DEFAULT_POLL_US 100

struct afs_cmdline {
	char *db;
	char *arch;
	char *dpkgdb;
	char *handles;
	struct afs_retain_options retain;
	int ro;
	int no_default_permissions;
	double entry_timeout;
	double attr_timeout;
	double negative_timeout;
	int threads;
	int poll_us;
	/* Mount flags: 1 on, 0 off, -1 not given (the default depends on
	 * who mounts). */
	int allow_other;
	int dev;
	int suid;
	int foreground;
	int debug;
	int help;
	int version;
	char *backing;
	char *mountpoint;
	int extra_args;
};

enum {
	AFS_KEY_HELP,
	AFS_KEY_VERSION,
	AFS_KEY_FOREGROUND,
	AFS_KEY_DEBUG,
	AFS_KEY_RO,
	AFS_KEY_DEFAULT_PERMISSIONS,
	AFS_KEY_ALLOW_OTHER,
	AFS_KEY_NOALLOW_OTHER,
	AFS_KEY_DEV,
	AFS_KEY_NODEV,
	AFS_KEY_SUID,
	AFS_KEY_NOSUID,
	AFS_KEY_RETAIN,
};

#define AFS_OPT(t, p, v)                              \
	{                                             \
		t, offsetof(struct afs_cmdline, p), v \
	}

static const struct fuse_opt afs_opts[] = {
	AFS_OPT("db=%s", db, 0),
	AFS_OPT("arch=%s", arch, 0),
	AFS_OPT("dpkgdb=%s", dpkgdb, 0),
	AFS_OPT("handles=%s", handles, 0),
	AFS_OPT("no_default_permissions", no_default_permissions, 1),
	AFS_OPT("entry_timeout=%lf", entry_timeout, 0),
	AFS_OPT("attr_timeout=%lf", attr_timeout, 0),
	AFS_OPT("negative_timeout=%lf", negative_timeout, 0),
	AFS_OPT("threads=%d", threads, 0),
	AFS_OPT("poll_us=%d", poll_us, 0),
	AFS_OPT("retain_max=%s", retain.max, 0),
	AFS_OPT("retain_keep", retain.keep, 1),
	FUSE_OPT_KEY("retain=", AFS_KEY_RETAIN),
	FUSE_OPT_KEY("-h", AFS_KEY_HELP),
	FUSE_OPT_KEY("--help", AFS_KEY_HELP),
	FUSE_OPT_KEY("-V", AFS_KEY_VERSION),
	FUSE_OPT_KEY("--version", AFS_KEY_VERSION),
	FUSE_OPT_KEY("-f", AFS_KEY_FOREGROUND),
	FUSE_OPT_KEY("-d", AFS_KEY_DEBUG),
	FUSE_OPT_KEY("debug", AFS_KEY_DEBUG),
	FUSE_OPT_KEY("ro", AFS_KEY_RO),
	FUSE_OPT_KEY("default_permissions", AFS_KEY_DEFAULT_PERMISSIONS),
	FUSE_OPT_KEY("allow_other", AFS_KEY_ALLOW_OTHER),
	FUSE_OPT_KEY("noallow_other", AFS_KEY_NOALLOW_OTHER),
	FUSE_OPT_KEY("dev", AFS_KEY_DEV),
	FUSE_OPT_KEY("nodev", AFS_KEY_NODEV),
	FUSE_OPT_KEY("suid", AFS_KEY_SUID),
	FUSE_OPT_KEY("nosuid", AFS_KEY_NOSUID),
	FUSE_OPT_END,
};

static int afs_opt_proc(void *data, const char *arg, int key,
			struct fuse_args *outargs)
{
	struct afs_cmdline *c = data;

	switch (key) {
	case FUSE_OPT_KEY_NONOPT:
		if (!c->backing) {
			c->backing = strdup(arg);
			return 0;
		}
		if (!c->mountpoint) {
			c->mountpoint = strdup(arg);
			return 0;
		}
		c->extra_args = 1;
		return 0;
	case AFS_KEY_HELP:
		c->help = 1;
		return 0;
	case AFS_KEY_VERSION:
		c->version = 1;
		return 0;
	case AFS_KEY_FOREGROUND:
		c->foreground = 1;
		return 0;
	case AFS_KEY_DEBUG:
		c->debug = 1;
		c->foreground = 1;
		return 1; /* libfuse prints the requests */
	case AFS_KEY_RO:
		c->ro = 1;
		return 1; /* the kernel mount is read-only too */
	case AFS_KEY_DEFAULT_PERMISSIONS:
		c->no_default_permissions = 0;
		return 0; /* added below unless turned off */
	/* Mount flags: the last one given wins; added below. */
	case AFS_KEY_ALLOW_OTHER:
	case AFS_KEY_NOALLOW_OTHER:
		c->allow_other = key == AFS_KEY_ALLOW_OTHER;
		return 0;
	case AFS_KEY_DEV:
	case AFS_KEY_NODEV:
		c->dev = key == AFS_KEY_DEV;
		return 0;
	case AFS_KEY_SUID:
	case AFS_KEY_NOSUID:
		c->suid = key == AFS_KEY_SUID;
		return 0;
	case AFS_KEY_RETAIN: /* may be given more than once */
		return afs_retain_option_add(&c->retain,
					     arg + strlen("retain=")) < 0
			       ? -1
			       : 0;
	default:
		return 1;
	}
}

static void afs_usage(const char *prog)
{
	printf("usage: %s [-f] [-d] [-o OPTIONS] BACKING MOUNTPOINT\n"
	       "\n"
	       "Show BACKING at MOUNTPOINT as a merged-/usr tree.\n"
	       "\n"
	       "options:\n"
	       "    -h, --help             this help\n"
	       "    -V, --version          the version\n"
	       "    -f                     stay in the foreground\n"
	       "    -d                     debug output (implies -f)\n"
	       "    -o db=DIR              alias database (default "
	       "BACKING/" ALIASDB_DEFAULT_SUBDIR ")\n"
	       "    -o arch=ARCH           default alias set when there is "
	       "no database\n"
	       "    -o dpkgdb=POLICY       how dpkg's database is shown: "
	       "claims (default:\n"
	       "                           every spelling of each path a "
	       "package claims)\n"
	       "                           or raw (as the backing has it)\n"
	       "    -o handles=inode|open  file I/O by inode, without open "
	       "requests\n"
	       "                           (inode, the default as root on a "
	       "local backing),\n"
	       "                           or through a handle per open "
	       "(open)\n"
	       "    -o ro                  read-only view\n"
	       "    -o allow_other, -o noallow_other\n"
	       "                           let other users in, or not "
	       "(default: in when\n"
	       "                           root mounts)\n"
	       "    -o dev, -o nodev       device nodes work, or not "
	       "(default: dev when\n"
	       "                           root mounts)\n"
	       "    -o suid, -o nosuid     set-user-ID programs gain "
	       "privileges, or not\n"
	       "                           (default: suid when root "
	       "mounts)\n"
	       "    -o no_default_permissions\n"
	       "                           let the backing check permissions "
	       "only\n"
	       "    -o entry_timeout=SEC   name cache timeout (default "
	       "86400)\n"
	       "    -o attr_timeout=SEC    attribute cache timeout (default "
	       "86400)\n"
	       "    -o negative_timeout=SEC\n"
	       "                           negative cache timeout (default "
	       "86400)\n"
	       "    -o threads=N           worker threads (default %d; 1: "
	       "single-threaded)\n"
	       "    -o poll_us=USEC        after a request, one thread reads "
	       "on for USEC\n"
	       "                           before it sleeps (default %d; 0: "
	       "never)\n"
	       "    -o retain=PATTERN:PLACE\n"
	       "                           keep files matching PATTERN that "
	       "are replaced\n"
	       "                           or removed, read-only, under "
	       "PLACE (<version>:\n"
	       "                           the version that shipped them); "
	       "repeatable\n"
	       "    -o retain_max=SIZE     keep at most SIZE bytes "
	       "(K, M, G, T), oldest\n"
	       "                           dropped first\n"
	       "    -o retain_keep         keep what earlier mounts retained "
	       "(default: drop)\n"
	       "\n"
	       "Other -o options are passed to FUSE.\n"
	       "Changes made in BACKING behind the daemon's back are not "
	       "guaranteed to show.\n",
	       prog, AFS_DEFAULT_THREADS, AFS_DEFAULT_POLL_US);
}

/* May this process open any file for writing, whatever its mode (root
 * with CAP_DAC_OVERRIDE)? */
static bool afs_overrides_file_modes(void)
{
	struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &head, data) < 0)
		return false;
	return data[CAP_TO_INDEX(CAP_DAC_OVERRIDE)].effective &
	       CAP_TO_MASK(CAP_DAC_OVERRIDE);
}

/* Is @inner equal to @outer or below it? Both are real paths. */
static bool afs_path_within(const char *inner, const char *outer)
{
	size_t ol = strlen(outer);

	if (strcmp(outer, "/") == 0)
		return true;
	return strncmp(inner, outer, ol) == 0 &&
	       (inner[ol] == '\0' || inner[ol] == '/');
}

/* Every directory the kernel remembers holds an O_PATH descriptor, and
 * every cached presented dpkg file a memfd: allow as many as the system
 * does (root), or at least the hard limit, which anyone may take. */
static void afs_raise_nofile(void)
{
	struct rlimit rl;
	unsigned long nr_open = 0;
	FILE *f;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	f = fopen("/proc/sys/fs/nr_open", "re");
	if (f) {
		if (fscanf(f, "%lu", &nr_open) != 1)
			nr_open = 0;
		fclose(f);
	}
	if (nr_open > rl.rlim_max) {
		struct rlimit wanted = {nr_open, nr_open};

		if (setrlimit(RLIMIT_NOFILE, &wanted) == 0)
			return;
	}
	if (rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		fuse_log(FUSE_LOG_WARNING,
			 "aliasfs: cannot raise the open file limit: %s\n",
			 strerror(errno));
}

static void afs_op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct afs_fs *fs = userdata;

	if (conn->capable & FUSE_CAP_CACHE_SYMLINKS)
		conn->want |= FUSE_CAP_CACHE_SYMLINKS;
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	/* Nothing is kept per open directory (readdir.c): spare the kernel
	 * the opendir and releasedir round trips. */
	if (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT) {
		conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
		fs->no_opendir = true;
	}
	/* The kernel writes back through its own cache only if asked; the
	 * view stays write-through, which is simple and always correct. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/* File I/O by inode: the first open is declined (file-io.c) and
	 * the kernel sends no more. Its truncating opens then truncate
	 * with a setattr, not through the open that is never sent. */
	if (fs->inode_io && !(conn->capable & FUSE_CAP_NO_OPEN_SUPPORT))
		fs->inode_io = false;
	if (fs->inode_io) {
		conn->want |= FUSE_CAP_NO_OPEN_SUPPORT;
		conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
	}
	/* Modes as the caller gave them, with its umask beside them: the
	 * backing applies the umask or a default ACL (caller-umask.c). */
	if (conn->capable & FUSE_CAP_DONT_MASK) {
		conn->want |= FUSE_CAP_DONT_MASK;
		fs->dont_mask = true;
	}
	/* The daemon clears set-ID bits; the kernel then spares a GETATTR
	 * per chown. */
	afs_init_flags_want(fs, conn);
}

static void afs_op_destroy(void *userdata)
{
	(void)userdata;
}

static const struct fuse_lowlevel_ops afs_ops = {
	.init = afs_op_init,
	.destroy = afs_op_destroy,
	.lookup = afs_op_lookup,
	.forget = afs_op_forget,
	.forget_multi = afs_op_forget_multi,
	.getattr = afs_op_getattr,
	.setattr = afs_op_setattr,
	.readlink = afs_op_readlink,
	.mknod = afs_op_mknod,
	.mkdir = afs_op_mkdir,
	.unlink = afs_op_unlink,
	.rmdir = afs_op_rmdir,
	.symlink = afs_op_symlink,
	.rename = afs_op_rename,
	.link = afs_op_link,
	.open = afs_op_open,
	.read = afs_op_read,
	.write_buf = afs_op_write_buf,
	.flush = afs_op_flush,
	.release = afs_op_release,
	.fsync = afs_op_fsync,
	.opendir = afs_op_opendir,
	.readdir = afs_op_readdir,
	.readdirplus = afs_op_readdirplus,
	.releasedir = afs_op_releasedir,
	.fsyncdir = afs_op_fsyncdir,
	.statfs = afs_op_statfs,
	.setxattr = afs_op_setxattr,
	.getxattr = afs_op_getxattr,
	.listxattr = afs_op_listxattr,
	.removexattr = afs_op_removexattr,
	.create = afs_op_create,
	.fallocate = afs_op_fallocate,
	.lseek = afs_op_lseek,
	.copy_file_range = afs_op_copy_file_range,
};

static void afs_cmdline_free(struct afs_cmdline *c)
{
	free(c->db);
	free(c->arch);
	free(c->dpkgdb);
	free(c->handles);
	afs_retain_options_free(&c->retain);
	free(c->backing);
	free(c->mountpoint);
}

static void afs_fs_free(struct afs_fs *fs)
{
	afs_inode_free_all(fs);
	afs_inode_table_free(fs->table);
	afs_lookup_cache_free(fs->lcache);
	afs_conflicts_free(fs->conflicts);
	afs_aliases_free(fs->aliases);
	afs_alias_retired_free(fs); /* maps replaced by alias unlinks */
	afs_doors_free(fs);
	afs_retain_free(fs->retain);
	afs_db_close(fs);
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	pthread_rwlock_destroy(&fs->tree_lock);
	pthread_mutex_destroy(&fs->table_lock);
	pthread_mutex_destroy(&fs->alias_lock);
	pthread_mutex_destroy(&fs->listing_lock);
	pthread_mutex_destroy(&fs->db_lock);
	free(fs->backing);
	free(fs->mountpoint);
	free(fs->db_dir);
	free(fs->arch);
}

/*
 * The mount flags for @c's options. A view that root mounts holds a
 * system that programs run in (chroot, mmdebstrap): other users (apt's
 * _apt, daemons, runuser) must get in, with the kernel checking modes
 * (default_permissions), device nodes must work and set-user-ID programs
 * must gain their privileges, as on the disk the system would be on.
 * libfuse mounts nosuid,nodev without allow_other unless told. An
 * ordinary user's mount keeps those safe defaults (fusermount3 forces
 * nosuid,nodev for it and allows allow_other only with fuse.conf's
 * user_allow_other).
 */
static int afs_mount_flags(struct fuse_args *args, const struct afs_cmdline *c,
			   bool root)
{
	int allow_other = c->allow_other >= 0 ? c->allow_other : root;
	int dev = c->dev >= 0 ? c->dev : root;
	int suid = c->suid >= 0 ? c->suid : root;

	if (allow_other && fuse_opt_add_arg(args, "-oallow_other") < 0)
		return -ENOMEM;
	if ((dev || c->dev == 0) &&
	    fuse_opt_add_arg(args, dev ? "-odev" : "-onodev") < 0)
		return -ENOMEM;
	if ((suid || c->suid == 0) &&
	    fuse_opt_add_arg(args, suid ? "-osuid" : "-onosuid") < 0)
		return -ENOMEM;
	return 0;
}

/* Is the file system of @fd one whose close() can report write errors
 * that the writes themselves did not (NFS, SMB, FUSE, Ceph, 9p, AFS)? */
static bool afs_fs_is_remote(int fd)
{
	static const unsigned long remote[] = {
		0x6969,	    /* NFS */
		0xfe534d42, /* SMB2 */
		0xff534d42, /* CIFS */
		0x65735546, /* FUSE */
		0x00c36400, /* Ceph */
		0x01021997, /* 9p */
		0x5346414f, /* AFS */
	};
	struct statfs sfs;
	size_t i;

	if (fstatfs(fd, &sfs) < 0)
		return true;
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if ((unsigned long)sfs.f_type == remote[i])
			return true;
	return false;
}

/* The mount's source, as mount(8), findmnt and df show it: the backing
 * directory, so that `mount -a` recognizes an fstab line already mounted
 * (it compares sources) instead of stacking a second view. libfuse reads
 * a backslash as an escape and a comma as a separator: both escaped. */
static int afs_add_fsname(struct fuse_args *args, const char *backing)
{
	size_t n = strlen("-ofsname=") + 2 * strlen(backing) + 1;
	char *opt = malloc(n), *d;
	int r;

	if (!opt)
		return -ENOMEM;
	d = opt + sprintf(opt, "-ofsname=");
	for (const char *s = backing; *s; s++) {
		if (*s == '\\' || *s == ',')
			*d++ = '\\';
		*d++ = *s;
	}
	*d = '\0';
	r = fuse_opt_add_arg(args, opt) < 0 ? -ENOMEM : 0;
	free(opt);
	return r;
}

/* The backing directory and the mount point, resolved and checked.
 * Prints the reason; 0 or -1. */
static int afs_setup_paths(struct afs_fs *fs, const struct afs_cmdline *c)
{
	struct statx stx;
	struct stat st;

	fs->backing = realpath(c->backing, NULL);
	if (!fs->backing) {
		fprintf(stderr, "aliasfs: backing directory %s: %s\n",
			c->backing, strerror(errno));
		return -1;
	}
	if (stat(fs->backing, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "aliasfs: backing %s is not a directory\n",
			c->backing);
		return -1;
	}
	/* Forced past the kernel's attribute cache, which answers for a
	 * view whose daemon ended. */
	fs->mountpoint = realpath(c->mountpoint, NULL);
	if (!fs->mountpoint ||
	    statx(AT_FDCWD, fs->mountpoint, AT_STATX_FORCE_SYNC, STATX_TYPE,
		  &stx) < 0) {
		if (errno == ENOTCONN)
			/* A FUSE mount whose daemon ended (killed). */
			fprintf(stderr,
				"aliasfs: mount point %s: %s: a file system "
				"whose daemon ended is still mounted there; "
				"unmount it first with `fusermount3 -u %s`\n",
				c->mountpoint, strerror(errno), c->mountpoint);
		else
			fprintf(stderr, "aliasfs: mount point %s: %s\n",
				c->mountpoint, strerror(errno));
		return -1;
	}
	/* FUSE would mount over a file too, as a file: a view needs a
	 * directory. */
	if (!S_ISDIR(stx.stx_mode)) {
		fprintf(stderr, "aliasfs: mount point %s is not a directory\n",
			c->mountpoint);
		return -1;
	}
	if (afs_path_within(fs->mountpoint, fs->backing) ||
	    afs_path_within(fs->backing, fs->mountpoint)) {
		fprintf(stderr,
			"aliasfs: the mount point %s and the backing "
			"directory %s must not contain each other\n",
			fs->mountpoint, fs->backing);
		return -1;
	}
	return 0;
}

/* The database directory and the architecture: 0 or -ENOMEM. */
static int afs_setup_db_dir(struct afs_fs *fs, const struct afs_cmdline *c)
{
	if (c->db) {
		fs->db_dir = realpath(c->db, NULL);
		if (!fs->db_dir && c->db[0] == '/') {
			fs->db_dir = strdup(c->db);
		} else if (!fs->db_dir) {
			/* Not there yet: anchor it now, the daemon's working
			 * directory becomes / when it detaches. */
			char *cwd = getcwd(NULL, 0);

			fs->db_dir = cwd ? afs_path_join(cwd, c->db) : NULL;
			free(cwd);
		}
	} else {
		fs->db_dir = afs_path_join(fs->backing, ALIASDB_DEFAULT_SUBDIR);
	}
	if (c->arch)
		fs->arch = strdup(c->arch);
	else if (aliasdb_host_arch(&fs->arch) < 0)
		fs->arch = strdup("amd64");
	return fs->db_dir && fs->arch ? 0 : -ENOMEM;
}

/* The alias map to start with. Prints the reason; 0, -EUCLEAN for a
 * damaged database, or -1. */
static int afs_setup_aliases(struct afs_fs *fs)
{
	int r = afs_aliases_initial(fs);

	if (r == -EPROTO) {
		fprintf(stderr,
			"aliasfs: the database in %s has schema version %u, "
			"newer than this aliasfs understands (%u)\n",
			fs->db_dir, aliasdb_open_schema_found(),
			(unsigned)ALIASDB_SCHEMA_VERSION);
		return -1;
	}
	if (r == -EUCLEAN) {
		/* Never mount a view of a database we cannot trust. */
		fprintf(stderr,
			"aliasfs: the alias database in %s is damaged: %s: "
			"%s\n"
			"aliasfs: not mounting; 'aliasctl --db %s recover' "
			"rebuilds it from its plain-text copy and keeps the "
			"damaged files\n",
			fs->db_dir,
			aliasdb_open_damaged_file()
				? aliasdb_open_damaged_file()
				: fs->db_dir,
			aliasdb_open_damage_reason()
				? aliasdb_open_damage_reason()
				: "a record cannot be read",
			fs->db_dir);
		return -EUCLEAN;
	}
	if (r == -ENOENT && fs->db_defaults) {
		fprintf(stderr, "aliasfs: unknown architecture %s\n", fs->arch);
		return -1;
	}
	if (r < 0) {
		fprintf(stderr, "aliasfs: cannot read the database in %s: %s\n",
			fs->db_dir, strerror(-r));
		return -1;
	}
	return 0;
}

/* Everything that can be refused before mounting. Prints the reason;
 * 0, -EUCLEAN for a damaged database, or -1. */
static int afs_setup(struct afs_fs *fs, struct afs_cmdline *c)
{
	int r;

	if (afs_setup_paths(fs, c) < 0)
		return -1;
	fs->root_fd = open(fs->backing, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->root_fd < 0) {
		fprintf(stderr, "aliasfs: cannot open %s: %s\n", fs->backing,
			strerror(errno));
		return -1;
	}
	fs->backing_remote = afs_fs_is_remote(fs->root_fd);
	/* By inode, each request opens the backing file anew, which only
	 * root with CAP_DAC_OVERRIDE may always do: a file created without
	 * write permission (tar's 0444 files, dpkg's mode 0 .dpkg-new)
	 * stays writable only through the descriptor that created it. And
	 * a network file system reports delayed write errors at close:
	 * there the view keeps a handle per open, and its flush. */
	fs->inode_io =
		c->handles ? strcmp(c->handles, "inode") == 0
			   : afs_overrides_file_modes() && !fs->backing_remote;
	if (afs_setup_db_dir(fs, c) < 0) {
		fprintf(stderr, "aliasfs: out of memory\n");
		return -1;
	}
	r = afs_setup_aliases(fs);
	if (r < 0)
		return r;
	if (afs_inode_table_new(&fs->table) < 0 ||
	    afs_lookup_cache_new(&fs->lcache) < 0 ||
	    afs_conflicts_new(&fs->conflicts) < 0 ||
	    afs_inode_new_dir_root(fs, fs->root_fd) < 0) {
		fprintf(stderr, "aliasfs: out of memory\n");
		return -1;
	}
	return 0;
}

/* The option values checked and copied into @fs. Prints the reason; 0
 * or -1. */
static int afs_options_apply(struct afs_fs *fs, const struct afs_cmdline *c)
{
	if (c->threads < 1 || c->poll_us < 0 || c->poll_us > 1000000 ||
	    c->entry_timeout < 0 || c->attr_timeout < 0 ||
	    c->negative_timeout < 0) {
		fprintf(stderr, "aliasfs: threads must be >= 1, poll_us "
				"0..1000000 and timeouts >= 0\n");
		return -1;
	}
	if (c->dpkgdb) {
		enum afs_dpkgdb_policy policy;

		if (afs_dpkgdb_parse_policy(c->dpkgdb, &policy) < 0) {
			fprintf(stderr,
				"aliasfs: unknown dpkgdb policy '%s' (claims "
				"or raw)\n",
				c->dpkgdb);
			return -1;
		}
		fs->dpkgdb_policy = (int)policy;
	}
	if (c->handles && strcmp(c->handles, "inode") != 0 &&
	    strcmp(c->handles, "open") != 0) {
		fprintf(stderr,
			"aliasfs: unknown handles '%s' (inode or open)\n",
			c->handles);
		return -1;
	}
	fs->ro = c->ro;
	fs->entry_timeout = c->entry_timeout;
	fs->attr_timeout = c->attr_timeout;
	fs->negative_timeout = c->negative_timeout;
	fs->threads = c->threads;
	fs->foreground = c->foreground;
	fs->debug = c->debug;
	fs->is_root = geteuid() == 0;
	return 0;
}

/* The arguments libfuse mounts with: 0 or -1. */
static int afs_fuse_args(struct fuse_args *args, const struct afs_cmdline *c,
			 const struct afs_fs *fs)
{
	if (!c->no_default_permissions &&
	    fuse_opt_add_arg(args, "-odefault_permissions") < 0)
		return -1;
	if (afs_mount_flags(args, c, fs->is_root) < 0)
		return -1;
	if (afs_add_fsname(args, fs->backing) < 0 ||
	    fuse_opt_add_arg(args, "-osubtype=aliasfs") < 0)
		return -1;
	return 0;
}

/* Mount @se, detach, and serve requests until unmounted: the exit
 * status. */
static int afs_serve(struct afs_fs *fs, struct fuse_session *se, int poll_us)
{
	int ret = 1, r;

	if (fuse_set_signal_handlers(se) != 0)
		return 1;
	if (fuse_session_mount(se, fs->mountpoint) != 0)
		goto out_signals;
	if (afs_init_flags_install(fs, se) != 0)
		goto out_unmount;
	/* An LMDB environment must not cross fork(): its locks stay with
	 * the parent. The alias database read at setup is closed here and
	 * reopened by the daemon on first use. */
	afs_db_close(fs);
	fuse_daemonize(fs->foreground);
	/* In the background stderr is /dev/null. */
	if (!fs->foreground)
		afs_log_to_syslog();
	/* After fork too. */
	afs_dpkgdb_start(fs);
	/* After fork: threads do not survive fuse_daemonize(). */
	r = afs_watch_start(fs);
	if (r < 0) {
		fuse_log(FUSE_LOG_ERR,
			 "aliasfs: cannot start the watcher: %s\n",
			 strerror(-r));
		goto out_unmount;
	}
	r = afs_session_loop(se, (unsigned)fs->threads, (unsigned)poll_us);
	if (r < 0)
		fuse_log(FUSE_LOG_ERR, "aliasfs: request loop: %s\n",
			 strerror(-r));
	ret = r == 0 ? 0 : 1;
	afs_watch_stop(fs);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
	return ret;
}

/* RLIMIT_NOFILE as it is now, 0 for unlimited. */
static size_t afs_nofile_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		return (size_t)rl.rlim_cur;
	return 0;
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct afs_cmdline c;
	struct afs_fs fs;
	struct fuse_session *se;
	int ret = 1, r;

	memset(&c, 0, sizeof(c));
	memset(&fs, 0, sizeof(fs));
	fs.root_fd = -1;
	c.entry_timeout = AFS_DEFAULT_TIMEOUT;
	c.attr_timeout = AFS_DEFAULT_TIMEOUT;
	c.negative_timeout = AFS_DEFAULT_TIMEOUT;
	c.threads = AFS_DEFAULT_THREADS;
	c.poll_us = AFS_DEFAULT_POLL_US;
	c.allow_other = c.dev = c.suid = -1;
	pthread_rwlock_init(&fs.tree_lock, NULL);
	pthread_mutex_init(&fs.table_lock, NULL);
	pthread_mutex_init(&fs.alias_lock, NULL);
	pthread_mutex_init(&fs.listing_lock, NULL);
	pthread_mutex_init(&fs.db_lock, NULL);
	afs_doors_init(&fs);

	if (fuse_opt_parse(&args, &c, afs_opts, afs_opt_proc) < 0) {
		fprintf(stderr, "aliasfs: invalid options (see --help)\n");
		goto out;
	}
	if (c.help || c.version) {
		if (c.help)
			afs_usage(argv[0]);
		else
			printf("aliasfs %s (libfuse %s)\n", PACKAGE_VERSION,
			       fuse_pkgversion());
		ret = 0;
		goto out;
	}
	if (!c.backing || !c.mountpoint || c.extra_args) {
		fprintf(stderr,
			"usage: %s [-f] [-d] [-o OPTIONS] BACKING "
			"MOUNTPOINT (see --help)\n",
			argv[0]);
		goto out;
	}
	if (afs_options_apply(&fs, &c) < 0)
		goto out;
	afs_raise_nofile();
	r = afs_setup(&fs, &c);
	if (r < 0) {
		ret = r == -EUCLEAN ? 2 : 1; /* 2: damaged database */
		goto out;
	}
	if (afs_retain_setup(&fs, &c.retain) < 0)
		goto out;
	fs.nofile_limit = afs_nofile_limit();
	if (afs_fuse_args(&args, &c, &fs) < 0)
		goto out;
	se = fuse_session_new(&args, &afs_ops, sizeof(afs_ops), &fs);
	if (!se)
		goto out;
	fs.se = se;
	ret = afs_serve(&fs, se, c.poll_us);
	fuse_session_destroy(se);
out:
	fuse_opt_free_args(&args);
	afs_dpkgdb_stop(&fs);
	afs_fs_free(&fs);
	afs_cmdline_free(&c);
	return ret;
}
