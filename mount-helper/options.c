/*
 * mount.aliasfs: the options it accepts, in one table, and the check of
 * mount(8)'s option string against it. Every option is checked here,
 * before the daemon starts, so that a typo in fstab is reported by name
 * and nothing is mounted.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount-helper/options.h"

/* Large enough for any option a real fstab holds; larger values are
 * refused by the checks, not truncated. */
#define MH_NUM_DIGITS 9

static const char *check_digits(const char *v, unsigned long lo,
				unsigned long hi, const char *what)
{
	size_t n = strspn(v, "0123456789");
	unsigned long x;

	if (n == 0 || v[n] != '\0' || n > MH_NUM_DIGITS)
		return what;
	x = strtoul(v, NULL, 10);
	return x < lo || x > hi ? what : NULL;
}

static const char *check_threads(const char *v)
{
	return check_digits(v, 1, 1024, "an integer from 1 to 1024");
}

static const char *check_poll_us(const char *v)
{
	return check_digits(v, 0, 1000000, "an integer from 0 to 1000000");
}

/* Seconds as the daemon reads them, written plainly: "86400", "0.5". */
static const char *check_seconds(const char *v)
{
	static const char what[] = "a number of seconds such as 1 or 0.5";
	size_t n = strspn(v, "0123456789");
	size_t f;

	if (n == 0 || n > MH_NUM_DIGITS)
		return what;
	if (v[n] == '\0')
		return NULL;
	if (v[n] != '.')
		return what;
	f = strspn(v + n + 1, "0123456789");
	return f == 0 || f > MH_NUM_DIGITS || v[n + 1 + f] != '\0' ? what
								   : NULL;
}

static const char *check_dpkgdb(const char *v)
{
	return strcmp(v, "claims") == 0 || strcmp(v, "raw") == 0
		       ? NULL
		       : "claims or raw";
}

static const char *check_handles(const char *v)
{
	return strcmp(v, "inode") == 0 || strcmp(v, "open") == 0
		       ? NULL
		       : "inode or open";
}

/* A retention rule, checked in full by the daemon: PATTERN:PLACE, both
 * absolute. */
static const char *check_retain(const char *v)
{
	const char *colon = strchr(v, ':');

	return v[0] != '/' || !colon || colon[1] != '/'
		       ? "PATTERN:PLACE, both absolute paths"
		       : NULL;
}

/* A size: digits and an optional K, M, G or T. */
static const char *check_size(const char *v)
{
	static const char what[] = "a size such as 500M or 2G";
	size_t n = strspn(v, "0123456789");

	if (n == 0 || n > MH_NUM_DIGITS)
		return what;
	return v[n] == '\0' || (strchr("KMGT", v[n]) && v[n + 1] == '\0')
		       ? NULL
		       : what;
}

/* dpkg's architecture names: lowercase letters, digits and '-'. */
static const char *check_arch(const char *v)
{
	static const char what[] =
		"a Debian architecture name such as amd64 or arm64";
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n == 0 || v[n] != '\0' || v[0] == '-' || n > 64 ? what : NULL;
}

/*
 * The table. MH_DAEMON options are aliasfs(8)'s own and the kernel mount
 * flags libfuse sets; other FUSE options (fsname=, subtype=, debug,
 * allow_root, max_read=, blkdev) are left out on purpose: the daemon sets
 * fsname and subtype itself, debug keeps it in the foreground (mount(8)
 * would never return), and the rest have no use for a view. MH_MOUNT
 * options are the ones util-linux, systemd and fstab readers use; mount(8)
 * passes some of them on to helpers, which must accept and drop them.
 */
static const struct mh_option mh_table[] = {
	{"db", MH_VALUE, MH_DAEMON, NULL,
	 "alias database directory (default BACKING/var/lib/aliasfs)"},
	{"arch", MH_VALUE, MH_DAEMON, check_arch,
	 "default alias set when there is no database (default: the host's)"},
	{"dpkgdb", MH_VALUE, MH_DAEMON, check_dpkgdb,
	 "dpkg's database as claims (default) or raw"},
	{"handles", MH_VALUE, MH_DAEMON, check_handles,
	 "file I/O by inode or through a handle per open"},
	{"threads", MH_VALUE, MH_DAEMON, check_threads,
	 "worker threads, 1 to 1024 (default 4)"},
	{"poll_us", MH_VALUE, MH_DAEMON, check_poll_us,
	 "microseconds a worker polls after a request, 0 to 1000000"},
	{"retain", MH_VALUE, MH_DAEMON, check_retain,
	 "keep replaced files matching PATTERN under PLACE (PATTERN:PLACE)"},
	{"retain_max", MH_VALUE, MH_DAEMON, check_size,
	 "keep at most this many bytes of replaced files, oldest dropped"},
	{"retain_keep", MH_FLAG, MH_DAEMON, NULL,
	 "keep what earlier mounts retained"},
	{"entry_timeout", MH_VALUE, MH_DAEMON, check_seconds,
	 "name cache timeout in seconds (default 86400)"},
	{"attr_timeout", MH_VALUE, MH_DAEMON, check_seconds,
	 "attribute cache timeout in seconds (default 86400)"},
	{"negative_timeout", MH_VALUE, MH_DAEMON, check_seconds,
	 "negative cache timeout in seconds (default 86400)"},
	{"ro", MH_FLAG, MH_DAEMON, NULL, "read-only view"},
	{"rw", MH_FLAG, MH_DAEMON, NULL, "read-write view (the default)"},
	{"allow_other", MH_FLAG, MH_DAEMON, NULL, "let other users in"},
	{"noallow_other", MH_FLAG, MH_DAEMON, NULL,
	 "only the mounting user may enter"},
	{"default_permissions", MH_FLAG, MH_DAEMON, NULL,
	 "the kernel checks permissions (the default)"},
	{"no_default_permissions", MH_FLAG, MH_DAEMON, NULL,
	 "only the backing checks permissions"},
	{"dev", MH_FLAG, MH_DAEMON, NULL, "device nodes in the view work"},
	{"nodev", MH_FLAG, MH_DAEMON, NULL,
	 "device nodes in the view cannot be opened"},
	{"suid", MH_FLAG, MH_DAEMON, NULL,
	 "set-user-ID and set-group-ID bits act"},
	{"nosuid", MH_FLAG, MH_DAEMON, NULL,
	 "set-user-ID and set-group-ID bits are ignored"},
	{"exec", MH_FLAG, MH_DAEMON, NULL, "programs may run (the default)"},
	{"noexec", MH_FLAG, MH_DAEMON, NULL, "programs may not run"},
	{"atime", MH_FLAG, MH_DAEMON, NULL, "kernel flag, see mount(8)"},
	{"noatime", MH_FLAG, MH_DAEMON, NULL, "kernel flag, see mount(8)"},
	{"sync", MH_FLAG, MH_DAEMON, NULL, "kernel flag, see mount(8)"},
	{"async", MH_FLAG, MH_DAEMON, NULL, "kernel flag, see mount(8)"},
	{"dirsync", MH_FLAG, MH_DAEMON, NULL, "kernel flag, see mount(8)"},
	{"auto_unmount", MH_FLAG, MH_DAEMON, NULL,
	 "unmount if the daemon dies (through fusermount3)"},
	{"defaults", MH_FLAG, MH_MOUNT, NULL, "fstab placeholder"},
	{"auto", MH_FLAG, MH_MOUNT, NULL, "mounted by mount -a"},
	{"noauto", MH_FLAG, MH_MOUNT, NULL, "not mounted by mount -a"},
	{"nofail", MH_FLAG, MH_MOUNT, NULL, "boot goes on if the mount fails"},
	{"_netdev", MH_FLAG, MH_MOUNT, NULL, "mounted once the network is up"},
	{"user", MH_USER, MH_MOUNT, NULL,
	 "an ordinary user may mount (mount(8) adds noexec,nosuid,nodev)"},
	{"nouser", MH_FLAG, MH_MOUNT, NULL, "only root may mount"},
	{"users", MH_FLAG, MH_MOUNT, NULL, "any user may mount and unmount"},
	{"nousers", MH_FLAG, MH_MOUNT, NULL, "only root may mount"},
	{"owner", MH_FLAG, MH_MOUNT, NULL, "see mount(8)"},
	{"noowner", MH_FLAG, MH_MOUNT, NULL, "see mount(8)"},
	{"group", MH_FLAG, MH_MOUNT, NULL, "see mount(8)"},
	{"nogroup", MH_FLAG, MH_MOUNT, NULL, "see mount(8)"},
	{"comment=", MH_PREFIX, MH_MOUNT, NULL, "a note for fstab readers"},
	{"uhelper", MH_VALUE, MH_MOUNT, NULL,
	 "the umount helper mount(8) records"},
	{"x-", MH_PREFIX, MH_MOUNT, NULL,
	 "for systemd and other programs (x-systemd.automount, ...)"},
	{"X-", MH_PREFIX, MH_MOUNT, NULL, "for fstab readers"},
};

const struct mh_option *mh_options_table(size_t *ret_n)
{
	*ret_n = sizeof(mh_table) / sizeof(mh_table[0]);
	return mh_table;
}

/* A growing string; ->s is NULL after a failed allocation. */
struct mh_buf {
	char *s;
	size_t len;
	size_t cap;
	int failed;
};

static void buf_add(struct mh_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_str(struct mh_buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* @s shown safely in a message: non-printable bytes as \xHH. */
static void buf_printable(struct mh_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char hex[5];

		if (c >= 0x20 && c < 0x7f) {
			buf_add(b, s + i, 1);
		} else {
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			buf_add(b, hex, 4);
		}
	}
}

/* @s as one value in libfuse's comma list: fuse_opt takes a backslash as
 * an escape, so both it and the comma are escaped. */
static void buf_fuse_escaped(struct mh_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' || s[i] == ',')
			buf_add(b, "\\", 1);
		buf_add(b, s + i, 1);
	}
}

/* Give up on the string: ->error becomes "option 'OPT' REASON". */
static void refuse(struct mh_buf *err, const char *opt, size_t n,
		   const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	buf_str(err, "option '");
	buf_printable(err, opt, n);
	buf_str(err, "' ");
	buf_str(err, reason);
}

static const struct mh_option *find(const char *opt, size_t n, size_t namelen)
{
	for (size_t i = 0; i < sizeof(mh_table) / sizeof(mh_table[0]); i++) {
		const struct mh_option *o = &mh_table[i];
		size_t l = strlen(o->name);

		if (o->form == MH_PREFIX) {
			if (n >= l && memcmp(opt, o->name, l) == 0)
				return o;
		} else if (namelen == l && memcmp(opt, o->name, l) == 0) {
			return o;
		}
	}
	return NULL;
}

/* One option of @n bytes at @opt. Adds to @daemon, @ignored or @err. */
static void parse_one(const char *opt, size_t n, bool sloppy,
		      struct mh_buf *daemon, struct mh_buf *ignored,
		      struct mh_buf *err)
{
	const char *eq = memchr(opt, '=', n);
	size_t namelen = eq ? (size_t)(eq - opt) : n;
	const struct mh_option *o;
	const char *val;
	size_t vlen;
	char *value;
	const char *why;

	for (size_t i = 0; i < n; i++)
		if ((unsigned char)opt[i] < 0x20 || opt[i] == 0x7f) {
			refuse(err, opt, n, "contains a control character");
			return;
		}
	o = find(opt, n, namelen);
	if (!o) {
		if (!sloppy) {
			refuse(err, opt, n,
			       "is unknown (see mount.aliasfs(8))");
			return;
		}
		if (ignored->len)
			buf_add(ignored, ",", 1);
		buf_printable(ignored, opt, n);
		return;
	}
	if (o->form == MH_PREFIX || (o->form != MH_VALUE && !eq)) {
		if (o->fate == MH_DAEMON) {
			if (daemon->len)
				buf_add(daemon, ",", 1);
			buf_add(daemon, opt, n);
		}
		return;
	}
	if (o->form == MH_FLAG) {
		refuse(err, opt, n, "takes no value");
		return;
	}
	if (!eq) {
		refuse(err, opt, n, "needs a value (%s=...)", o->name);
		return;
	}
	val = eq + 1;
	vlen = n - namelen - 1;
	/* mount(8) lets a value hold commas inside double quotes. */
	if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
		val++;
		vlen -= 2;
	}
	if (memchr(val, '"', vlen)) {
		refuse(err, opt, n, "has a misplaced double quote");
		return;
	}
	if (vlen == 0) {
		refuse(err, opt, n, "needs a value (%s=...)", o->name);
		return;
	}
	value = strndup(val, vlen);
	if (!value) {
		err->failed = 1;
		return;
	}
	why = o->check ? o->check(value) : NULL;
	free(value);
	if (why) {
		refuse(err, opt, n, "is malformed: expected %s", why);
		return;
	}
	if (o->fate == MH_DAEMON) {
		if (daemon->len)
			buf_add(daemon, ",", 1);
		buf_add(daemon, opt, namelen + 1);
		buf_fuse_escaped(daemon, val, vlen);
	}
}

void mh_options_result_free(struct mh_options_result *res)
{
	if (!res)
		return;
	free(res->daemon);
	free(res->ignored);
	free(res->error);
	memset(res, 0, sizeof(*res));
}

int mh_options_parse(const char *optstr, bool sloppy,
		     struct mh_options_result *res)
{
	struct mh_buf daemon = {0}, ignored = {0}, err = {0};
	const char *p = optstr;

	memset(res, 0, sizeof(*res));
	buf_str(&daemon, "");
	buf_str(&ignored, "");
	while (!err.len && !err.failed) {
		const char *start = p;
		bool quoted = false;

		while (*p && (quoted || *p != ',')) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		if (quoted) {
			refuse(&err, start, (size_t)(p - start),
			       "has an unterminated double quote");
			break;
		}
		/* Empty items ("a,,b", a trailing comma) mean nothing. */
		if (p > start)
			parse_one(start, (size_t)(p - start), sloppy, &daemon,
				  &ignored, &err);
		if (!*p)
			break;
		p++;
	}
	if (daemon.failed || ignored.failed || err.failed) {
		free(daemon.s);
		free(ignored.s);
		free(err.s);
		return -ENOMEM;
	}
	res->daemon = daemon.s;
	res->ignored = ignored.s;
	res->error = err.len ? err.s : NULL;
	if (!err.len)
		free(err.s);
	return 0;
}
