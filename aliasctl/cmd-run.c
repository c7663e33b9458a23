/*
 * aliasctl run: a throw-away sandbox. Mount a view over a directory (or a
 * new temporary one), run a command in it or chrooted into it, and take
 * it all down on every way out.
 *
 *   runner (this process): reads SIGCHLD, SIGINT, SIGTERM, SIGHUP and
 *   │  SIGQUIT from a signalfd; as root in a mount namespace of its own,
 *   │  as an ordinary user in a user namespace (where it is root) when
 *   │  the kernel allows FUSE there, else in the host's (fusermount3);
 *   │  subreaper of everything below
 *   ├── aliasfs -f (the daemon): a session of its own; dies with the
 *   │   runner (PR_SET_PDEATHSIG)
 *   └── COMMAND: the runner's process group; dies with the runner
 *
 * Ways out, and what takes the view down:
 *   the command ends (or is killed): the runner kills what it left,
 *     unmounts, waits for the daemon, removes the run's files;
 *   SIGINT, SIGTERM, SIGHUP to the runner: passed to the command (unless
 *     the terminal sent it to both), which gets RUN_GRACE_MS to end
 *     before SIGKILL; then as above, and the runner dies of the signal;
 *   the daemon dies: the command is ended as for SIGTERM, exit 125;
 *   the runner is killed (SIGKILL): the daemon and the command die with
 *     it, so the namespace and its mount go (with fusermount3,
 *     auto_unmount takes the mount down); the next run removes the
 *     files and kills what the command had left (by RUN_ENV).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aliasctl.h"
#include "aliasctl/cmd-run.h"
#include "aliasctl/namespaces.h"
#include "aliasctl/run-proc.h"
#include "aliasctl/run-view.h"
#include "aliasctl/rundir.h"

#ifndef ALIASCTL_DAEMON_PATH
#define ALIASCTL_DAEMON_PATH "/usr/sbin/aliasfs"
#endif

/* In the environment of every process of a run: the run's directory. */
#define RUN_ENV "ALIASCTL_RUN_DIR"
#define RUN_WHO "aliasctl run"

/* As env(1), chroot(1) and timeout(1): the command's own statuses stay
 * distinguishable from the runner's failures. */
#define RUN_EXIT_FAILED 125
#define RUN_EXIT_CANNOT_RUN 126
#define RUN_EXIT_NOT_FOUND 127

#define RUN_MOUNT_TIMEOUT_MS 30000
#define RUN_GRACE_MS 10000
#define RUN_DAEMON_STOP_MS 10000
#define RUN_DAEMON_TERM_MS 5000
#define RUN_LEFTOVERS_MS 5000

enum run_mode {
	RUN_MODE_AUTO,
	RUN_MODE_ROOT,
	RUN_MODE_USERNS,
	RUN_MODE_FUSERMOUNT,
};

static const char *const run_mode_names[] = {
	[RUN_MODE_AUTO] = "auto",
	[RUN_MODE_ROOT] = "root",
	[RUN_MODE_USERNS] = "userns",
	[RUN_MODE_FUSERMOUNT] = "fusermount",
};

struct run_opts {
	const char *backing; /* --backing */
	bool tmp;
	bool keep;
	bool chroot;
	const char *arch;  /* --arch */
	char *o;	   /* every -o, joined by commas */
	char *daemon_opts; /* o and arch=, as the daemon's -o */
	enum run_mode mode;
	char **cmd;
};

enum run_phase {
	RUN_MOUNTING,
	RUN_RUNNING,
	RUN_STOPPING,
};

struct run_state {
	int sfd; /* signalfd */
	enum run_phase phase;
	pid_t daemon;
	pid_t cmd;
	pid_t guard; /* rundir_guard()'s: not ours to end */
	int daemon_status;
	int cmd_status;
	bool daemon_done;
	bool cmd_done;
	/* A signal that ends the run: the runner dies of it at the end. */
	int caught;
	/* Bit N: signal N came from the terminal (to the command too). */
	unsigned tty_sigs;
	/* When the command gets SIGKILL: 0 not set, -1 sent. */
	long grace_deadline;
};

static long run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- options ---------------------------------------------------------- */

/* A usage error: said, and the runner's failure code. */
#define run_usage(...) \
	(aliasctl_usage_error(&aliasctl_cmd_run, __VA_ARGS__), RUN_EXIT_FAILED)

static int run_append_opt(char **o, const char *prefix, const char *s)
{
	char *n;

	if (asprintf(&n, "%s%s%s%s", *o ? *o : "", *o ? "," : "", prefix, s) <
	    0)
		return -ENOMEM;
	free(*o);
	*o = n;
	return 0;
}

/* Returns -1 after --help, 0, or an exit code. */
static int run_parse(int argc, char **argv, struct run_opts *o)
{
	enum {
		OPT_BACKING = 0x100,
		OPT_TMP,
		OPT_KEEP,
		OPT_CHROOT,
		OPT_ARCH,
		OPT_MODE
	};
	static const struct option longopts[] = {
		{"backing", required_argument, NULL, OPT_BACKING},
		{"tmp", no_argument, NULL, OPT_TMP},
		{"keep", no_argument, NULL, OPT_KEEP},
		{"chroot", no_argument, NULL, OPT_CHROOT},
		{"arch", required_argument, NULL, OPT_ARCH},
		{"mode", required_argument, NULL, OPT_MODE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, ex;
	size_t m;

	/* '+': the command's own options are the command's. */
	while ((c = aliasctl_getopt(&aliasctl_cmd_run, argc, argv,
				    "+:ho:", longopts, &ex)) != -1) {
		switch (c) {
		case -2:
			return ex == ALIASCTL_EXIT_OK ? -1 : RUN_EXIT_FAILED;
		case OPT_BACKING:
			if (!*optarg)
				return run_usage("%s needs a directory",
						 "--backing");
			o->backing = optarg;
			break;
		case OPT_TMP:
			o->tmp = true;
			break;
		case OPT_KEEP:
			o->keep = true;
			break;
		case OPT_CHROOT:
			o->chroot = true;
			break;
		case OPT_ARCH:
			o->arch = optarg;
			break;
		case 'o':
			if (run_append_opt(&o->o, "", optarg) < 0)
				return RUN_EXIT_FAILED;
			break;
		case OPT_MODE:
			for (m = 0; m <= RUN_MODE_FUSERMOUNT; m++)
				if (strcmp(optarg, run_mode_names[m]) == 0)
					break;
			if (m > RUN_MODE_FUSERMOUNT)
				return run_usage("unknown --mode '%s' (auto, "
						 "root, userns or fusermount)",
						 optarg);
			o->mode = (enum run_mode)m;
			break;
		}
	}
	/* "aliasctl run TREE -- COMMAND": --backing TREE. */
	if (!o->backing && !o->tmp && optind + 1 < argc &&
	    strcmp(argv[optind + 1], "--") == 0) {
		if (!*argv[optind])
			return run_usage("%s", "TREE: an empty name");
		o->backing = argv[optind];
		optind += 2;
	}
	if (o->backing && o->tmp)
		return run_usage("%s: give --backing DIR or --tmp, not both",
				 "--tmp");
	if (!o->backing && !o->tmp)
		return run_usage("%s", "missing --backing DIR or --tmp");
	if (o->keep && !o->tmp)
		return run_usage("%s keeps a --tmp backing: it needs --tmp",
				 "--keep");
	if (optind >= argc)
		return run_usage("%s", "missing COMMAND");
	o->cmd = argv + optind;
	return 0;
}

/* An architecture the daemon knows a default alias set for? Prints why
 * not. */
static bool run_arch_known(const char *arch)
{
	const char *const *names;
	int r = aliasdb_arch_defaults(arch, &names);

	if (r == -ENOENT)
		aliasctl_error("run: unknown architecture '%s' (aliasctl init "
			       "--help lists them)",
			       arch);
	else if (r < 0)
		aliasctl_error("run: %s", strerror(-r));
	return r >= 0;
}

/*
 * The daemon's -o list: every -o as given, then arch=ARCH. The options
 * themselves are the daemon's to check (it refuses an unknown one before
 * it mounts, naming it); only --arch is checked here, to say so before
 * anything is created. Returns 0 or an exit code (said why).
 */
static int run_check_opts(struct run_opts *o)
{
	if (o->arch && !run_arch_known(o->arch))
		return RUN_EXIT_FAILED;
	if (o->arch && run_append_opt(&o->o, "arch=", o->arch) < 0)
		return RUN_EXIT_FAILED;
	o->daemon_opts = strdup(o->o ? o->o : "");
	return o->daemon_opts ? 0 : RUN_EXIT_FAILED;
}

/* Settle the mode: what was asked, if it can work, or what works here.
 * Prints why not and returns an exit code, or 0. */
static int run_pick_mode(struct run_opts *o)
{
	bool root = geteuid() == 0;
	char *why = NULL;
	int r = 0;

	if (o->mode == RUN_MODE_AUTO && root) {
		o->mode = RUN_MODE_ROOT;
	} else if (o->mode == RUN_MODE_AUTO) {
		r = ns_probe_user_fuse(&why);
		o->mode = r == 0 ? RUN_MODE_USERNS : RUN_MODE_FUSERMOUNT;
	} else if (o->mode == RUN_MODE_ROOT && !root) {
		aliasctl_error("run: --mode root: not running as root");
		return RUN_EXIT_FAILED;
	} else if (o->mode == RUN_MODE_USERNS) {
		r = ns_probe_user_fuse(&why);
		if (r < 0) {
			aliasctl_error("run: --mode userns: a user namespace "
				       "cannot mount FUSE here: %s",
				       why ? why : strerror(-r));
			free(why);
			return RUN_EXIT_FAILED;
		}
	}
	if (o->chroot && o->mode == RUN_MODE_FUSERMOUNT && !root) {
		if (why)
			aliasctl_error(
				"run: --chroot: an ordinary user may chroot "
				"only as root of a user namespace, and a user "
				"namespace cannot mount FUSE here (%s); run "
				"as root, or without --chroot",
				why);
		else
			aliasctl_error(
				"run: --chroot: an ordinary user may chroot "
				"only as root of a user namespace (--mode "
				"userns); run as root, or without --chroot");
		free(why);
		return RUN_EXIT_FAILED;
	}
	free(why);
	return 0;
}

/* ---- events ----------------------------------------------------------- */

static void run_reap(struct run_state *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == s->cmd) {
			s->cmd_done = true;
			s->cmd_status = status;
		} else if (pid == s->daemon) {
			s->daemon_done = true;
			s->daemon_status = status;
		}
		/* Else an orphan the command left, come back to us. */
	}
}

/* Ask the command to end, and make sure it does. */
static void run_end_cmd(struct run_state *s, int sig, bool send)
{
	if (s->cmd_done || !s->cmd)
		return;
	if (send)
		kill(s->cmd, sig);
	if (s->grace_deadline == 0)
		s->grace_deadline = run_now_ms() + RUN_GRACE_MS;
}

static void run_on_signal(struct run_state *s, int sig, int code)
{
	/* The terminal signals its whole foreground group: the command
	 * got it as well. */
	bool tty = code == SI_KERNEL;

	switch (s->phase) {
	case RUN_MOUNTING:
		if (!s->caught)
			s->caught = sig;
		break;
	case RUN_RUNNING:
		if (tty)
			s->tty_sigs |= 1u << sig;
		/* ^C and ^\ are the command's to handle (an interactive
		 * shell ignores them); we end when it ends. */
		if (tty && (sig == SIGINT || sig == SIGQUIT))
			break;
		if (!s->caught)
			s->caught = sig;
		run_end_cmd(s, sig, !tty);
		break;
	case RUN_STOPPING:
		break;
	}
}

/*
 * Wait up to @ms (< 0: no limit) for signals, and for @extra_fd (>= 0) to
 * report POLLPRI (a change of the mount table). Handles what arrived.
 * Returns 0 or -errno.
 */
static int run_wait(struct run_state *s, int extra_fd, long ms)
{
	struct pollfd p[2] = {{.fd = s->sfd, .events = POLLIN},
			      {.fd = extra_fd, .events = POLLPRI}};
	struct signalfd_siginfo si;
	int n;

	n = poll(p, extra_fd >= 0 ? 2 : 1, ms < 0 ? -1 : (int)ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (si.ssi_signo != SIGCHLD)
			run_on_signal(s, (int)si.ssi_signo, si.ssi_code);
	run_reap(s);
	return 0;
}

/* Describe a wait status: "exit 3", "killed by signal 9 (Killed)". */
static void run_describe(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "status %#x", (unsigned)status);
}

/* ---- the run ---------------------------------------------------------- */

/* Wait for the view to be mounted. Returns 0, -ECANCELED (a signal),
 * or -EIO (the daemon ended or the mount did not come: said why). */
static int run_wait_mounted(struct run_state *s, const char *view)
{
	long deadline = run_now_ms() + RUN_MOUNT_TIMEOUT_MS;
	/* The kernel reports every change of the mount table on it. */
	int mi = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	int r = 0;

	for (;;) {
		long left = deadline - run_now_ms();

		if (rundir_is_mounted(view))
			break;
		if (s->daemon_done) {
			char how[96];

			run_describe(s->daemon_status, how, sizeof(how));
			aliasctl_error("run: the aliasfs daemon ended before "
				       "the view was mounted (%s)",
				       how);
			r = -EIO;
			break;
		}
		if (s->caught) {
			r = -ECANCELED;
			break;
		}
		if (left <= 0) {
			aliasctl_error("run: the view did not appear on %s "
				       "within %d s",
				       view, RUN_MOUNT_TIMEOUT_MS / 1000);
			r = -EIO;
			break;
		}
		/* Looked at again at least every 100 ms, in case a change
		 * is not reported. */
		r = run_wait(s, mi, left < 100 ? left : 100);
		if (r < 0)
			break;
	}
	if (mi >= 0)
		close(mi);
	return r;
}

/* Run the command to its end. Returns its exit code, as a shell gives
 * it, or RUN_EXIT_* (said why). */
static int run_command(struct run_state *s, const struct run_opts *o,
		       const char *view)
{
	struct run_proc_cmd c = {
		.argv = o->cmd, .dir = view, .chroot = o->chroot};
	bool daemon_gone = false;
	const char *step = "exec";
	int r;

	r = run_proc_spawn_cmd(&c, &s->cmd, &step);
	if (r < 0) {
		if (strcmp(step, "exec") == 0) {
			aliasctl_error("run: cannot run %s: %s", o->cmd[0],
				       strerror(-r));
			return r == -ENOENT ? RUN_EXIT_NOT_FOUND
					    : RUN_EXIT_CANNOT_RUN;
		}
		aliasctl_error("run: cannot %s into %s: %s", step, view,
			       strerror(-r));
		return RUN_EXIT_FAILED;
	}
	s->phase = RUN_RUNNING;
	while (!s->cmd_done) {
		long ms = -1;

		if (s->daemon_done && !daemon_gone) {
			char how[96];

			daemon_gone = true;
			run_describe(s->daemon_status, how, sizeof(how));
			aliasctl_error("run: the aliasfs daemon ended (%s): "
				       "the view is gone; ending %s",
				       how, o->cmd[0]);
			run_end_cmd(s, SIGTERM, true);
		}
		if (s->grace_deadline > 0) {
			ms = s->grace_deadline - run_now_ms();
			if (ms <= 0) {
				kill(s->cmd, SIGKILL);
				s->grace_deadline = -1;
				ms = -1;
			}
		}
		r = run_wait(s, -1, ms);
		if (r < 0) {
			/* Cannot wait: end it now rather than hang. */
			kill(s->cmd, SIGKILL);
			while (waitpid(s->cmd, &s->cmd_status, 0) < 0 &&
			       errno == EINTR)
				;
			s->cmd_done = true;
		}
	}
	if (daemon_gone)
		return RUN_EXIT_FAILED;
	if (WIFSIGNALED(s->cmd_status))
		return 128 + WTERMSIG(s->cmd_status);
	return WEXITSTATUS(s->cmd_status);
}

/* Wait up to @ms for the daemon to end. */
static void run_wait_daemon(struct run_state *s, long ms)
{
	long deadline = run_now_ms() + ms;

	while (!s->daemon_done) {
		long left = deadline - run_now_ms();

		if (left <= 0 || run_wait(s, -1, left) < 0)
			break;
	}
}

/*
 * Kill every process the command left (they came back to us, the
 * subreaper), and wait until none is left, for up to RUN_LEFTOVERS_MS.
 * The daemon is spared while it runs, and the guard (rundir.h).
 */
static void run_kill_leftovers(struct run_state *s)
{
	long deadline = run_now_ms() + RUN_LEFTOVERS_MS;

	while (run_now_ms() < deadline) {
		pid_t spare[2] = {s->guard, s->daemon_done ? 0 : s->daemon};
		int n = run_proc_signal_children(spare, 2, SIGKILL);

		if (n <= 0)
			break;
		if (run_wait(s, -1, 50) < 0)
			break;
	}
}

/* Take the view down: leftovers, mounts, daemon. */
static void run_take_down(struct run_state *s, const char *view,
			  bool fusermount)
{
	int r;

	s->phase = RUN_STOPPING;
	run_kill_leftovers(s);
	if (s->daemon) {
		r = run_view_unmount(view, fusermount);
		if (r < 0)
			aliasctl_error("run: cannot unmount %s: %s", view,
				       strerror(-r));
		run_wait_daemon(s, RUN_DAEMON_STOP_MS);
		if (!s->daemon_done) {
			kill(s->daemon, SIGTERM);
			run_wait_daemon(s, RUN_DAEMON_TERM_MS);
		}
		if (!s->daemon_done) {
			aliasctl_error("run: the aliasfs daemon did not end; "
				       "killed");
			kill(s->daemon, SIGKILL);
			while (waitpid(s->daemon, &s->daemon_status, 0) < 0 &&
			       errno == EINTR)
				;
			s->daemon_done = true;
		}
		/* What the daemon left (fusermount3's auto_unmount
		 * watcher) is ours now. */
		run_kill_leftovers(s);
	}
}

/* Where the view goes and, for --tmp, the backing. */
static int run_make_dirs(const struct run_opts *o, const char *base,
			 const struct rundir *rd, char **ret_backing,
			 char **ret_view)
{
	char *backing = NULL, *view = NULL;
	struct stat st;

	if (asprintf(&view, "%s/view", rd->dir) < 0)
		return -ENOMEM;
	if (mkdir(view, 0755) < 0) {
		aliasctl_error("run: cannot create %s: %s", view,
			       strerror(errno));
		free(view);
		return -errno;
	}
	if (o->tmp && o->keep) {
		/* Beside the runs, not in one: the next run must not
		 * clean it even if this one dies. */
		if (asprintf(&backing, "%s/kept.XXXXXX", base) < 0 ||
		    !mkdtemp(backing)) {
			aliasctl_error("run: cannot create a backing in %s: %s",
				       base, strerror(errno));
			free(backing);
			free(view);
			return -EIO;
		}
	} else if (o->tmp) {
		if (asprintf(&backing, "%s/backing", rd->dir) < 0 ||
		    mkdir(backing, 0755) < 0) {
			aliasctl_error("run: cannot create a backing in %s: %s",
				       rd->dir, strerror(errno));
			free(backing);
			free(view);
			return -EIO;
		}
	} else {
		backing = realpath(o->backing, NULL);
		if (!backing || stat(backing, &st) < 0 ||
		    !S_ISDIR(st.st_mode)) {
			aliasctl_error("run: --backing %s: %s", o->backing,
				       backing ? "not a directory"
					       : strerror(errno));
			free(backing);
			free(view);
			return -EINVAL;
		}
	}
	/* The root of the view, and of a chroot: others must get in. */
	if (o->tmp)
		chmod(backing, 0755);
	*ret_backing = backing;
	*ret_view = view;
	return 0;
}

/* Start the daemon on @view. Returns 0 or an exit code (said why). */
static int run_start_daemon(struct run_state *s, const struct run_opts *o,
			    const char *daemon, const char *backing,
			    const char *view)
{
	bool fusermount = o->mode == RUN_MODE_FUSERMOUNT;
	char *opts = NULL;
	int r;

	if (asprintf(&opts, "%s%s%s", o->daemon_opts,
		     *o->daemon_opts && fusermount ? "," : "",
		     fusermount ? "auto_unmount" : "") < 0)
		return RUN_EXIT_FAILED;
	{
		char *argv[7];
		size_t n = 0;

		argv[n++] = (char *)daemon;
		argv[n++] = "-f";
		if (*opts) {
			argv[n++] = "-o";
			argv[n++] = opts;
		}
		argv[n++] = (char *)backing;
		argv[n++] = (char *)view;
		argv[n] = NULL;
		r = run_proc_spawn_daemon(argv, &s->daemon);
	}
	free(opts);
	if (r < 0) {
		aliasctl_error("run: cannot run %s: %s", daemon, strerror(-r));
		return RUN_EXIT_FAILED;
	}
	return 0;
}

/* Enter the mode's namespaces. Returns 0 or an exit code (said why). */
static int run_enter(const struct run_opts *o)
{
	char *why = NULL;
	int r = 0;

	if (o->mode == RUN_MODE_ROOT)
		r = ns_enter_mount(&why);
	else if (o->mode == RUN_MODE_USERNS)
		r = ns_enter_user(&why);
	if (r < 0) {
		aliasctl_error("run: cannot enter a %s namespace: %s",
			       o->mode == RUN_MODE_ROOT ? "mount" : "user",
			       why ? why : strerror(-r));
		free(why);
		return RUN_EXIT_FAILED;
	}
	r = run_proc_subreaper();
	if (r < 0) {
		aliasctl_error("run: cannot become a subreaper: %s",
			       strerror(-r));
		return RUN_EXIT_FAILED;
	}
	return 0;
}

/* The signals the runner reads: those its caller did not ignore (a
 * background job of a shell ignores SIGINT and SIGQUIT, and so do we,
 * and the command after us). */
static void run_signal_set(sigset_t *set)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;

		if (sigaction(sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			continue;
		sigaddset(set, sigs[i]);
	}
}

/* The runner's end: die of the signal that ended the run, as a shell
 * expects of a program it interrupted; else the command's code. */
static int run_exit(const struct run_state *s, int ex)
{
	int sig = s->caught;

	/* The command died of what the terminal sent us both. */
	if (!sig && s->cmd_done && WIFSIGNALED(s->cmd_status) &&
	    (s->tty_sigs & (1u << WTERMSIG(s->cmd_status))))
		sig = WTERMSIG(s->cmd_status);
	/* No core file of ours for the command's ^\. */
	if (sig && sig != SIGQUIT) {
		sigset_t set;

		fflush(stdout);
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
	}
	if (sig)
		return 128 + sig;
	return ex;
}

static int run_execute(struct run_opts *o)
{
	struct run_state s = {.sfd = -1};
	struct rundir *rd = NULL;
	char *base = NULL, *why = NULL, *daemon = NULL;
	char *backing = NULL, *view = NULL;
	sigset_t sigs;
	int ex = RUN_EXIT_FAILED, r;

	ex = run_pick_mode(o);
	if (ex)
		return ex;
	ex = RUN_EXIT_FAILED;
	daemon = run_proc_find("aliasfs", ALIASCTL_DAEMON_PATH);
	if (!daemon) {
		aliasctl_error("run: the aliasfs daemon is neither in PATH nor "
			       "%s",
			       ALIASCTL_DAEMON_PATH);
		return ex;
	}
	if (o->mode == RUN_MODE_FUSERMOUNT) {
		char *fm = run_proc_find("fusermount3", "/usr/bin/fusermount3");

		if (!fm) {
			aliasctl_error("run: fusermount3 not found (package "
				       "fuse3): an ordinary user mounts "
				       "through it here");
			free(daemon);
			return ex;
		}
		free(fm);
	}
	r = rundir_base("run", NULL, false, &base, &why);
	if (r < 0) {
		aliasctl_error("run: %s", why ? why : strerror(-r));
		goto out;
	}
	if (rundir_clean_stale(base, RUN_ENV, RUN_WHO) < 0)
		aliasctl_error("run: cannot look for dead runs in %s", base);
	r = rundir_create(base, &rd);
	if (r < 0) {
		aliasctl_error("run: cannot create a run directory in %s: %s",
			       base, strerror(-r));
		goto out;
	}
	if (run_make_dirs(o, base, rd, &backing, &view) < 0)
		goto out;
	/* Before the namespaces: the guard cleans from the host's when
	 * this process is killed and cannot. */
	r = rundir_guard(rd, RUN_ENV, RUN_WHO);
	if (r < 0) {
		aliasctl_error("run: cannot start a guard: %s", strerror(-r));
		goto out;
	}
	s.guard = rd->guard_pid;

	/* From here on signals are read, not delivered: every way out
	 * goes through the take-down below. */
	run_signal_set(&sigs);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0 ||
	    (s.sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		aliasctl_error("run: signalfd: %s", strerror(errno));
		goto out;
	}
	/* Inherited by every process of the run: the mark the next run
	 * cleans by, should this one be killed. */
	if (setenv(RUN_ENV, rd->dir, 1) < 0)
		goto out;
	if (run_enter(o) != 0)
		goto out;
	s.phase = RUN_MOUNTING;
	if (run_start_daemon(&s, o, daemon, backing, view) != 0)
		goto out;
	r = run_wait_mounted(&s, view);
	if (r == 0) {
		if (o->chroot && o->mode != RUN_MODE_FUSERMOUNT)
			run_view_bind_system(view);
		ex = run_command(&s, o, view);
	}
	run_take_down(&s, view, o->mode == RUN_MODE_FUSERMOUNT);

out:
	if (rd) {
		r = rundir_remove(rd);
		if (r < 0)
			aliasctl_error("run: cannot remove %s (%s): the next "
				       "run will",
				       base, strerror(-r));
	}
	if (o->tmp && o->keep && backing)
		fprintf(stderr, "aliasctl run: the backing is kept in %s\n",
			backing);
	if (s.sfd >= 0)
		close(s.sfd);
	free(base);
	free(why);
	free(daemon);
	free(backing);
	free(view);
	return run_exit(&s, ex);
}

static int run_run(struct aliasctl *ctl, int argc, char **argv)
{
	struct run_opts o = {.mode = RUN_MODE_AUTO};
	int ex;

	(void)ctl;
	ex = run_parse(argc, argv, &o);
	if (ex == 0)
		ex = run_check_opts(&o);
	if (ex == 0)
		ex = run_execute(&o);
	else if (ex < 0)
		ex = ALIASCTL_EXIT_OK; /* --help */
	free(o.o);
	free(o.daemon_opts);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_run = {
	.name = "run",
	.usage = "run [--backing DIR | --tmp [--keep]] [--chroot] "
		 "[--arch ARCH]\n"
		 "           [--mode MODE] [-o OPTS] [--] COMMAND [ARG...]\n"
		 "       aliasctl run [OPTIONS] DIR -- COMMAND [ARG...]",
	.summary = "run a command in a throw-away view of DIR or of a new "
		   "directory",
	.help = "  --backing DIR   the view shows DIR (changes land in it)\n"
		"  --tmp           the view shows a new empty directory, "
		"removed at the end\n"
		"  --keep          keep the --tmp directory (its path is "
		"printed)\n"
		"  --chroot        run COMMAND chrooted into the view (with "
		"/dev, /proc, /sys\n"
		"                  bound where the view has them), not just "
		"in it\n"
		"  --arch ARCH     the alias set when the backing has no "
		"database\n"
		"                  (same as -o arch=ARCH)\n"
		"  --mode MODE     auto (default), root (a private mount "
		"namespace), userns\n"
		"                  (a user namespace: an ordinary user as "
		"root) or fusermount\n"
		"                  (mounted through fusermount3, in the "
		"host's mount table)\n"
		"  -o OPTS         aliasfs options (see aliasfs(8)); the "
		"daemon checks them\n"
		"\n"
		"The view is private to COMMAND and is taken down however "
		"the run ends;\n"
		"processes COMMAND leaves behind are killed. Exit status: "
		"COMMAND's\n"
		"(128+N if killed by signal N); 125 if aliasctl run itself "
		"failed, 126 if\n"
		"COMMAND cannot run, 127 if it is not found.\n",
	.run = run_run,
};
