/*
 * mount.aliasfs: the helper mount(8) runs for `mount -t aliasfs` and for
 * fstab lines of type aliasfs. It checks every option against its table
 * before anything starts, then runs the aliasfs daemon directly (no
 * shell) and exits with util-linux's mount exit codes. It links no
 * library but libc: it must work where only mount(8) and the daemon do.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-helper/cmdline.h"
#include "mount-helper/options.h"
#include "mount-helper/run.h"

/* util-linux's MNT_EX_* exit codes (libmount.h), which mount(8) passes
 * on as its own. */
#define MH_EX_SUCCESS 0
#define MH_EX_USAGE 1  /* incorrect invocation or permissions */
#define MH_EX_SYSERR 2 /* out of memory, cannot fork or run the daemon */
#define MH_EX_FAIL 32  /* the mount failed */

#ifndef MH_DAEMON_PATH
#error "MH_DAEMON_PATH must name the installed aliasfs daemon"
#endif

static void usage(FILE *out)
{
	const struct mh_option *t;
	size_t n;

	fprintf(out,
		"usage: mount.aliasfs BACKING MOUNTPOINT [-sfnv] [-N NS] "
		"[-o OPTIONS] [-t TYPE]\n"
		"\n"
		"Mount the aliasfs view of BACKING on MOUNTPOINT (run by "
		"mount -t aliasfs).\n"
		"\n"
		"  -s        skip unknown options instead of failing\n"
		"  -f        check everything, mount nothing\n"
		"  -n        accepted (there is no /etc/mtab to write)\n"
		"  -v        show the daemon's command line\n"
		"  -N NS     mount in the namespace of PID NS or of file NS\n"
		"  -o OPTS   comma-separated options, below\n"
		"  -t TYPE   aliasfs or fuse.aliasfs\n"
		"\n"
		"Options for the view (passed to aliasfs):\n");
	t = mh_options_table(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].fate == MH_DAEMON)
			fprintf(out, "  %-22s %s\n", t[i].name, t[i].help);
	fprintf(out, "Options for mount(8) and fstab (accepted, not passed "
		     "on):\n ");
	for (size_t i = 0, col = 1; i < n; i++) {
		size_t w = strlen(t[i].name) + 1;

		if (t[i].fate != MH_MOUNT)
			continue;
		if (col + w > 72) {
			fprintf(out, "\n ");
			col = 1;
		}
		fprintf(out, " %s%s", t[i].name,
			t[i].form == MH_PREFIX ? "*" : "");
		col += w + 1;
	}
	fprintf(out,
		"\n\nExit status: 0 mounted, 1 usage error, 2 system "
		"error, 32 mount failure.\n"
		"The daemon run is %s (ALIASFS_DAEMON overrides).\n",
		MH_DAEMON_PATH);
}

/* @path made absolute with the current directory, as text only: after
 * -N the daemon runs with the namespace's root as its directory. */
static char *absolute(const char *path)
{
	char *cwd, *abs;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	abs = malloc(strlen(cwd) + 1 + strlen(path) + 1);
	if (abs)
		sprintf(abs, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path);
	free(cwd);
	return abs;
}

/* One argument as a shell would need it, for -v. */
static void print_word(const char *w)
{
	if (w[0] && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
			      "wxyz0123456789_./=,:@%+-") == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (; *w; w++)
		if (*w == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*w);
	putchar('\'');
}

/* The daemon's argument vector in @dargv (6 slots): its length. */
static int daemon_argv(char **dargv, const char *daemon, char *spec, char *dir,
		       char *dopts)
{
	int n = 0;

	dargv[n++] = (char *)daemon;
	dargv[n++] = spec;
	dargv[n++] = dir;
	if (dopts[0]) {
		dargv[n++] = "-o";
		dargv[n++] = dopts;
	}
	dargv[n] = NULL;
	return n;
}

static void print_command(char **dargv, int n)
{
	fputs("mount.aliasfs: running", stdout);
	for (int i = 0; i < n; i++) {
		putchar(' ');
		print_word(dargv[i]);
	}
	putchar('\n');
	fflush(stdout);
}

/* Run the daemon and wait for it: the helper's exit status. */
static int run_daemon(char **dargv, bool verbose)
{
	int r, status;

	r = mh_run(dargv, &status);
	if (r < 0) {
		fprintf(stderr, "mount.aliasfs: cannot run %s: %s\n", dargv[0],
			strerror(-r));
		return MH_EX_SYSERR;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return MH_EX_SUCCESS;
	if (WIFEXITED(status)) {
		/* The daemon has said why on stderr. */
		if (verbose)
			printf("mount.aliasfs: %s exited with status %d\n",
			       dargv[0], WEXITSTATUS(status));
		return MH_EX_FAIL;
	}
	fprintf(stderr, "mount.aliasfs: %s was killed by signal %d\n", dargv[0],
		WTERMSIG(status));
	return MH_EX_FAIL;
}

/* Enter mount namespace @ns (-N). Prints the reason; 0 or -errno. */
static int enter_namespace(const char *ns)
{
	int r = mh_enter_namespace(ns);

	if (r < 0)
		fprintf(stderr,
			"mount.aliasfs: cannot enter the mount namespace %s: "
			"%s\n",
			ns, strerror(-r));
	return r;
}

int main(int argc, char *argv[])
{
	struct mh_cmdline c;
	struct mh_options_result opts = {0};
	char msg[512];
	const char *daemon;
	char *spec = NULL, *dir = NULL;
	char *dargv[6];
	int ret = MH_EX_SYSERR, r, n;

	r = mh_cmdline_parse(argc, argv, &c, msg, sizeof(msg));
	if (r == -ENOMEM)
		goto nomem;
	if (r < 0) {
		fprintf(stderr,
			"mount.aliasfs: %s\n"
			"usage: mount.aliasfs BACKING MOUNTPOINT [-sfnv] "
			"[-N NS] [-o OPTIONS] [-t TYPE] (see --help)\n",
			msg);
		ret = MH_EX_USAGE;
		goto out;
	}
	if (c.help || c.version) {
		if (c.help)
			usage(stdout);
		else
			printf("mount.aliasfs (aliasfs) %s\n", PACKAGE_VERSION);
		ret = MH_EX_SUCCESS;
		goto out;
	}
	if (mh_options_parse(c.options ? c.options : "", c.sloppy, &opts) < 0)
		goto nomem;
	if (opts.error) {
		fprintf(stderr, "mount.aliasfs: %s\n", opts.error);
		ret = MH_EX_USAGE;
		goto out;
	}
	if (opts.ignored[0])
		fprintf(stderr,
			"mount.aliasfs: ignoring unknown options %s "
			"(-s)\n",
			opts.ignored);

	/* secure_getenv: never taken from the environment of a set-user-ID
	 * caller. mount(8) runs helpers with the caller's own IDs anyway. */
	daemon = secure_getenv("ALIASFS_DAEMON");
	if (!daemon || !daemon[0])
		daemon = MH_DAEMON_PATH;
	spec = absolute(c.spec);
	dir = absolute(c.dir);
	if (!spec || !dir) {
		fprintf(stderr, "mount.aliasfs: cannot make %s absolute: %s\n",
			spec ? c.dir : c.spec, strerror(errno));
		goto out;
	}
	if (c.namespace && enter_namespace(c.namespace) < 0)
		goto out;

	n = daemon_argv(dargv, daemon, spec, dir, opts.daemon);
	if (c.verbose)
		print_command(dargv, n);
	if (c.fake) {
		ret = MH_EX_SUCCESS;
		goto out;
	}

	ret = run_daemon(dargv, c.verbose);
	goto out;
nomem:
	fprintf(stderr, "mount.aliasfs: out of memory\n");
	ret = MH_EX_SYSERR;
out:
	free(spec);
	free(dir);
	mh_options_result_free(&opts);
	mh_cmdline_free(&c);
	return ret;
}
