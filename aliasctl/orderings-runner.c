/*
 * Running the plan: states, the shared stack of tasks, branches copied,
 * leaves recorded, progress.
 *
 * Lock: run->lock guards the task stack, the counters and the result
 * slots; nothing else is shared between workers (each state belongs to
 * the one task that holds it, and a node's result is written once, by the
 * worker that ran it, before any task below it is pushed).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aliasdb.h"
#include "aliasctl/orderings-debinfo.h"
#include "aliasctl/orderings-proc.h"
#include "aliasctl/orderings-record.h"
#include "aliasctl/orderings-runner.h"
#include "aliasctl/orderings-step.h"
#include "aliasctl/orderings-workdir.h"
#include "aliasctl/rmtree.h"

static const char *const run_side_names[2] = {"view", "baseline"};

/* The most workers (and so views read at once). */
#define ORD_RUN_MAX_JOBS 64

/* A backing (view side) or plain root (baseline side), with its
 * scratch. */
struct run_state {
	unsigned id;
	char *dir;  /* RUNDIR/sN */
	char *root; /* dir/root: the backing or the plain root */
	char *mnt;  /* dir/mnt: the view's mount point */
	struct ord_view view;
};

struct run_task {
	int side;
	struct ord_node *node; /* runs next (its step, then below) */
	struct run_state *st;
};

/* A node's result on one side. */
struct run_node_res {
	struct ord_step_result step;
	char **reported;
	size_t n_reported;
};

struct run {
	struct ord_scenario *sc;
	struct ord_plan *plan;
	const struct ord_run_opts *o;
	const char *rundir;
	struct ord_debinfo **debs;
	char **envp;
	size_t n_env;
	int n_sides;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct run_task *stack;
	size_t n_stack, cap_stack;
	unsigned busy, exited;
	unsigned next_state;
	struct ord_side **sides[2]; /* [side][ordering] */
	size_t done, failed, units;
	double t0;
	/* Views being read by the recorder, with a deadline: a daemon that
	 * wedges would hold the walk forever, so the main thread kills it
	 * (the walk then fails with ENOTCONN). */
	struct run_guard {
		pid_t daemon;
		double deadline;
		bool fired;
	} guards[ORD_RUN_MAX_JOBS];
};

static double run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_why(char **ret_why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int run_why(char **ret_why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_why, fmt, ap) < 0)
		*ret_why = NULL;
	va_end(ap);
	return err;
}

/* ---- States --------------------------------------------------------- */

static int run_state_new(struct run *run, struct run_state **ret)
{
	struct run_state *st = calloc(1, sizeof(*st));
	int r = 0;

	if (!st)
		return -ENOMEM;
	pthread_mutex_lock(&run->lock);
	st->id = run->next_state++;
	pthread_mutex_unlock(&run->lock);
	if (asprintf(&st->dir, "%s/s%u", run->rundir, st->id) < 0 ||
	    asprintf(&st->root, "%s/root", st->dir) < 0 ||
	    asprintf(&st->mnt, "%s/mnt", st->dir) < 0)
		r = -ENOMEM;
	else if (mkdir(st->dir, 0700) < 0 || mkdir(st->mnt, 0755) < 0)
		r = -errno;
	if (r < 0) {
		free(st->dir);
		free(st->root);
		free(st->mnt);
		free(st);
		return r;
	}
	*ret = st;
	return 0;
}

static void run_state_free(struct run *run, struct run_state *st, bool remove)
{
	if (!st)
		return;
	if (st->view.mountpoint)
		ord_view_unmount(run->o->mode, &st->view);
	if (remove)
		aliasctl_rmtree(st->dir);
	free(st->dir);
	free(st->root);
	free(st->mnt);
	free(st);
}

/* A copy of @st (unmounted) as a new state. */
static int run_state_copy(struct run *run, struct run_state *st,
			  struct run_state **ret, char **ret_why)
{
	struct run_state *c;
	int r, rc;

	r = run_state_new(run, &c);
	if (r < 0)
		return run_why(ret_why, r, "new state: %s", strerror(-r));
	{
		char *argv[] = {"cp",	  "-a",	   "--reflink=auto",
				st->root, c->root, NULL};
		struct ord_proc_opts o = {.argv = argv, .deathsig = SIGKILL};
		char *log = NULL;
		int fd;

		if (asprintf(&log, "%s/cp.log", c->dir) < 0) {
			run_state_free(run, c, true);
			return -ENOMEM;
		}
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		free(log);
		o.out_fd = fd;
		r = ord_proc_run(&o, (int)run->o->timeout * 1000, &rc);
		if (fd >= 0)
			close(fd);
	}
	if (r == 0 && rc != 0)
		r = -EIO;
	if (r < 0) {
		if (r != -ECANCELED)
			run_why(ret_why, r, "copying %s: %s", st->root,
				r == -EIO ? "cp failed" : strerror(-r));
		run_state_free(run, c, true);
		return r;
	}
	*ret = c;
	return 0;
}

/* The first state of @side: an empty backing with the alias database the
 * scenario asks for, or a plain merged or split root. */
static int run_state_initial(struct run *run, int side, struct run_state **ret,
			     char **ret_why)
{
	const struct ord_scenario *sc = run->sc;
	const char *const *names = NULL;
	struct run_state *st;
	int r;

	r = run_state_new(run, &st);
	if (r < 0)
		return run_why(ret_why, r, "new state: %s", strerror(-r));
	if (mkdir(st->root, 0755) < 0) {
		r = -errno;
		goto fail;
	}
	r = ord_step_dpkg_skeleton(st->root);
	if (r < 0)
		goto fail;
	if (side == ORD_SIDE_VIEW) {
		struct aliasdb *db;
		enum aliasdb_rule rule = ALIASDB_RULE_OK;
		char *dbdir = NULL;

		if (asprintf(&dbdir, "%s/%s", st->root,
			     ALIASDB_DEFAULT_SUBDIR) < 0) {
			r = -ENOMEM;
			goto fail;
		}
		r = aliasdb_open(dbdir, ALIASDB_OPEN_CREATE, &db);
		free(dbdir);
		if (r < 0)
			goto fail;
		if (sc->aliases == ORD_ALIASES_DEFAULT)
			r = aliasdb_add_arch_defaults(db, run->o->arch, &rule);
		for (size_t i = 0; sc->aliases == ORD_ALIASES_LIST &&
				   i + 1 < sc->n_alias_pairs && r >= 0;
		     i += 2)
			r = aliasdb_add(db, sc->alias_pairs[i],
					sc->alias_pairs[i + 1], NULL, &rule);
		aliasdb_close(db);
		if (r < 0) {
			run_why(ret_why, r, "the initial aliases: %s",
				r == -EINVAL ? aliasdb_rule_describe(rule)
					     : strerror(-r));
			goto fail_quiet;
		}
		r = 0;
	} else {
		/* bin -> usr/bin for each name of the set (merged), or two
		 * directories (split). */
		char path[4096];

		r = aliasdb_arch_defaults(run->o->arch, &names);
		if (r < 0) {
			run_why(ret_why, r, "no merged-/usr set for %s",
				run->o->arch);
			goto fail_quiet;
		}
		snprintf(path, sizeof(path), "%s/usr", st->root);
		if (mkdir(path, 0755) < 0) {
			r = -errno;
			goto fail;
		}
		r = 0;
		for (size_t i = 0; names[i] && r == 0; i++) {
			snprintf(path, sizeof(path), "%s/usr/%s", st->root,
				 names[i]);
			if (mkdir(path, 0755) < 0) {
				r = -errno;
				break;
			}
			snprintf(path, sizeof(path), "%s/%s", st->root,
				 names[i]);
			if (run->o->baseline == ORD_BASELINE_SPLIT) {
				if (mkdir(path, 0755) < 0)
					r = -errno;
			} else {
				char target[300];

				snprintf(target, sizeof(target), "usr/%s",
					 names[i]);
				if (symlink(target, path) < 0)
					r = -errno;
			}
		}
		if (r < 0)
			goto fail;
	}
	*ret = st;
	return 0;
fail:
	run_why(ret_why, r, "preparing the first %s: %s", run_side_names[side],
		strerror(-r));
fail_quiet:
	run_state_free(run, st, true);
	return r;
}

/* ---- Results -------------------------------------------------------- */

static struct run_node_res *run_res(const struct ord_node *n, int side)
{
	return n->result[side];
}

/* Steps and reported paths from the root down to @upto (included). */
static int run_collect(const struct ord_node *upto, int side,
		       struct ord_side *out, char ***reported,
		       size_t *n_reported)
{
	const struct ord_node *path[4096];
	size_t depth = 0;

	for (const struct ord_node *n = upto; n && n->step; n = n->parent)
		if (depth < sizeof(path) / sizeof(*path))
			path[depth++] = n;
	out->steps = calloc(depth ? depth : 1, sizeof(*out->steps));
	if (!out->steps)
		return -ENOMEM;
	while (depth > 0) {
		const struct run_node_res *nr = run_res(path[--depth], side);
		struct ord_step_result *s;

		if (!nr)
			continue;
		s = &out->steps[out->n_steps++];
		s->rc = nr->step.rc;
		s->timed_out = nr->step.timed_out;
		s->seconds = nr->step.seconds;
		out->seconds += nr->step.seconds;
		s->command = strdup(nr->step.command ? nr->step.command : "");
		s->output = strdup(nr->step.output ? nr->step.output : "");
		if (!s->command || !s->output)
			return -ENOMEM;
		for (size_t i = 0; i < nr->step.n_errors; i++)
			if (ord_strv_push(&s->errors, &s->n_errors,
					  nr->step.errors[i]) < 0)
				return -ENOMEM;
		for (size_t i = 0; reported && i < nr->n_reported; i++)
			if (ord_strv_push(reported, n_reported,
					  nr->reported[i]) < 0)
				return -ENOMEM;
	}
	return 0;
}

static void run_store(struct run *run, int side, long ordering,
		      struct ord_side *s)
{
	pthread_mutex_lock(&run->lock);
	if (!run->sides[side][ordering]) {
		run->sides[side][ordering] = s;
		run->done++;
		if (s->outcome == ORD_OUTCOME_ERROR)
			run->failed++;
		s = NULL;
	}
	pthread_cond_broadcast(&run->cond);
	pthread_mutex_unlock(&run->lock);
	ord_side_free(s);
}

/* Every ordering below @node (included) failed on @side: @why. */
static void run_fail_below(struct run *run, int side, struct ord_node *node,
			   const char *why)
{
	if (node->ordering >= 0) {
		struct ord_side *s = calloc(1, sizeof(*s));

		if (!s)
			return;
		s->outcome = ORD_OUTCOME_ERROR;
		s->error = strdup(why ? why : "failed");
		run_collect(node, side, s, NULL, NULL);
		run_store(run, side, node->ordering, s);
		return;
	}
	for (size_t i = 0; i < node->n_children; i++)
		run_fail_below(run, side, node->children[i], why);
}

static enum ord_outcome run_outcome(const struct ord_side *s)
{
	if (s->n_lost)
		return ORD_OUTCOME_LOST;
	if (s->n_overwritten)
		return ORD_OUTCOME_OVERWRITTEN;
	for (size_t i = 0; i < s->n_steps; i++)
		if (s->steps[i].rc != 0 || s->steps[i].timed_out)
			return ORD_OUTCOME_REFUSED;
	return ORD_OUTCOME_OK;
}

/* Keep the final tree of @st for ordering @o, when asked to. */
static void run_keep(struct run *run, int side, long ordering,
		     struct run_state *st)
{
	char *dir = NULL, *dst = NULL;

	if (!run->o->keep_dir)
		return;
	if (asprintf(&dir, "%s/%llu", run->o->keep_dir,
		     (unsigned long long)run->plan->orderings[ordering].index) <
	    0)
		return;
	mkdir(dir, 0755);
	if (asprintf(&dst, "%s/%s", dir, run_side_names[side]) >= 0) {
		aliasctl_rmtree(dst);
		if (rename(st->root, dst) < 0) {
			char *argv[] = {"cp", "-a", st->root, dst, NULL};
			struct ord_proc_opts o = {.argv = argv, .out_fd = -1};
			int rc;

			ord_proc_run(&o, -1, &rc);
		}
	}
	free(dst);
	free(dir);
}

/* Watch @daemon (0: nothing to watch) for @seconds. */
static struct run_guard *run_guard_set(struct run *run, pid_t daemon,
				       double seconds)
{
	struct run_guard *g = NULL;

	if (daemon <= 0)
		return NULL;
	pthread_mutex_lock(&run->lock);
	for (size_t i = 0; i < ORD_RUN_MAX_JOBS && !g; i++)
		if (run->guards[i].daemon == 0) {
			g = &run->guards[i];
			g->daemon = daemon;
			g->deadline = run_now() + seconds;
			g->fired = false;
		}
	pthread_mutex_unlock(&run->lock);
	return g;
}

/* Stop watching; returns whether the deadline passed. */
static bool run_guard_clear(struct run *run, struct run_guard *g)
{
	bool fired;

	if (!g)
		return false;
	pthread_mutex_lock(&run->lock);
	fired = g->fired;
	g->daemon = 0;
	pthread_mutex_unlock(&run->lock);
	return fired;
}

/* Called with run->lock held, by the main thread. */
static void run_guard_check(struct run *run)
{
	double now = run_now();

	for (size_t i = 0; i < ORD_RUN_MAX_JOBS; i++) {
		struct run_guard *g = &run->guards[i];

		if (g->daemon > 0 && !g->fired && now > g->deadline) {
			kill(g->daemon, SIGKILL);
			g->fired = true;
		}
	}
}

static void run_leaf(struct run *run, int side, struct ord_node *leaf,
		     struct run_state *st, const struct ord_step_ctx *ctx)
{
	struct ord_side *s = calloc(1, sizeof(*s));
	char **reported = NULL, *why = NULL, *dbdir = NULL;
	size_t n_reported = 0;
	int r;

	if (!s)
		return;
	r = run_collect(leaf, side, s, &reported, &n_reported);
	if (r == 0 && side == ORD_SIDE_VIEW &&
	    asprintf(&dbdir, "%s/%s", st->root, ALIASDB_DEFAULT_SUBDIR) < 0)
		r = -ENOMEM;
	if (r == 0) {
		struct ord_record_in in = {
			.root = ctx->root,
			.db_dir = dbdir,
			.split = side == ORD_SIDE_BASELINE &&
				 run->o->baseline == ORD_BASELINE_SPLIT,
			.arch = run->o->arch,
			.debs = run->debs,
			.n_debs = run->sc->n_packages,
			.reported = reported,
			.n_reported = n_reported,
			.envp = run->envp,
			.timeout_ms = (int)run->o->timeout * 1000,
		};

		struct run_guard *g =
			run_guard_set(run, st->view.daemon, run->o->timeout);

		r = ord_record(&in, s, &why);
		if (run_guard_clear(run, g)) {
			free(why);
			why = NULL;
			r = -ETIMEDOUT;
		}
		if (r == -ETIMEDOUT && !why &&
		    asprintf(&why,
			     "recording the view took longer than %u "
			     "s: its daemon was killed",
			     run->o->timeout) < 0)
			why = NULL;
	}
	if (r < 0) {
		s->outcome = ORD_OUTCOME_ERROR;
		s->error = why ? why : strdup(strerror(-r));
		why = NULL;
	} else {
		s->outcome = run_outcome(s);
	}
	free(why);
	free(dbdir);
	ord_strv_free(reported, n_reported);
	if (st->view.mountpoint &&
	    ord_view_unmount(run->o->mode, &st->view) < 0 &&
	    s->outcome != ORD_OUTCOME_ERROR) {
		s->outcome = ORD_OUTCOME_ERROR;
		free(s->error);
		s->error = strdup("the view did not unmount cleanly");
	}
	run_keep(run, side, leaf->ordering, st);
	run_store(run, side, leaf->ordering, s);
}

/* ---- Workers -------------------------------------------------------- */

static int run_push(struct run *run, int side, struct ord_node *node,
		    struct run_state *st)
{
	int r = 0;

	pthread_mutex_lock(&run->lock);
	if (run->n_stack == run->cap_stack) {
		size_t cap = run->cap_stack ? run->cap_stack * 2 : 64;
		struct run_task *ns = realloc(run->stack, cap * sizeof(*ns));

		if (!ns)
			r = -ENOMEM;
		else {
			run->stack = ns;
			run->cap_stack = cap;
		}
	}
	if (r == 0) {
		run->stack[run->n_stack].side = side;
		run->stack[run->n_stack].node = node;
		run->stack[run->n_stack].st = st;
		run->n_stack++;
		pthread_cond_broadcast(&run->cond);
	}
	pthread_mutex_unlock(&run->lock);
	return r;
}

static void run_ctx(struct run *run, int side, struct run_state *st,
		    struct ord_step_ctx *ctx, char *outfile)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->mode = run->o->mode;
	ctx->view = side == ORD_SIDE_VIEW;
	ctx->root = ctx->view ? st->mnt : st->root;
	ctx->backing = st->root;
	ctx->outfile = outfile;
	ctx->envp = run->envp;
	ctx->timeout_ms = (int)run->o->timeout * 1000;
	ctx->sc = run->sc;
	ctx->debs = run->debs;
}

static int run_mount(struct run *run, struct run_state *st, char **ret_why)
{
	char *log = NULL;
	int r;

	if (asprintf(&log, "%s/aliasfs.log", st->dir) < 0)
		return -ENOMEM;
	r = ord_view_mount(run->o->mode, st->root, st->mnt, log, &st->view,
			   ret_why);
	free(log);
	return r;
}

/* Run @node and what follows it until a leaf, pushing the other
 * branches. Takes @st. */
static void run_chain(struct run *run, int side, struct ord_node *node,
		      struct run_state *st)
{
	struct ord_step_ctx ctx;
	char *outfile = NULL, *why = NULL;
	int r;

	if (asprintf(&outfile, "%s/out", st->dir) < 0) {
		run_fail_below(run, side, node, "out of memory");
		run_state_free(run, st, true);
		return;
	}
	for (;;) {
		struct run_guard *g;

		run_ctx(run, side, st, &ctx, outfile);
		if (ord_proc_aborted())
			break;
		if (node->step) {
			struct run_node_res *nr = calloc(1, sizeof(*nr));

			if (!nr) {
				run_fail_below(run, side, node,
					       "out of memory");
				break;
			}
			if (side == ORD_SIDE_VIEW && !st->view.mountpoint) {
				r = run_mount(run, st, &why);
				if (r < 0) {
					free(nr);
					if (r != -ECANCELED)
						run_fail_below(
							run, side, node,
							why ? why
							    : strerror(-r));
					break;
				}
			}
			/* dpkg has the step timeout; the view's daemon gets
			 * 10 s more before it counts as wedged. */
			g = run_guard_set(run, st->view.daemon,
					  run->o->timeout + 10);
			r = ord_step_run(&ctx, node->step, &nr->step,
					 &nr->reported, &nr->n_reported, &why);
			if (r == 0 && side == ORD_SIDE_VIEW)
				r = ord_step_settle(
					&ctx,
					run->sc->autosync &&
						node->step->kind !=
							ORD_STEP_SYNC,
					&nr->step, &why);
			if (run_guard_clear(run, g)) {
				free(why);
				why = NULL;
				if (asprintf(&why,
					     "the view's daemon stopped "
					     "answering: killed after %u s",
					     run->o->timeout + 10) < 0)
					why = NULL;
				r = -ETIMEDOUT;
			}
			/* Kept even when it failed, for the log. */
			node->result[side] = nr;
			if (r < 0) {
				if (r != -ECANCELED)
					run_fail_below(run, side, node,
						       why ? why
							   : strerror(-r));
				break;
			}
		}
		if (node->ordering >= 0) {
			run_leaf(run, side, node, st, &ctx);
			break;
		}
		if (node->n_children > 1) {
			if (st->view.mountpoint &&
			    ord_view_unmount(run->o->mode, &st->view) < 0) {
				run_fail_below(run, side, node,
					       "the view did not unmount "
					       "cleanly");
				break;
			}
			for (size_t i = node->n_children - 1; i >= 1; i--) {
				struct run_state *c = NULL;

				r = run_state_copy(run, st, &c, &why);
				if (r == 0)
					r = run_push(run, side,
						     node->children[i], c);
				if (r < 0 && r != -ECANCELED)
					run_fail_below(
						run, side, node->children[i],
						why ? why : strerror(-r));
				free(why);
				why = NULL;
			}
		}
		node = node->children[0];
	}
	free(why);
	free(outfile);
	run_state_free(run, st, true);
}

static void *run_worker(void *arg)
{
	struct run *run = arg;

	for (;;) {
		struct run_task t;

		pthread_mutex_lock(&run->lock);
		while (run->n_stack == 0 && run->busy > 0 &&
		       !ord_proc_aborted()) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&run->cond, &run->lock, &ts);
		}
		if (run->n_stack == 0 || ord_proc_aborted()) {
			run->exited++;
			pthread_cond_broadcast(&run->cond);
			pthread_mutex_unlock(&run->lock);
			return NULL;
		}
		t = run->stack[--run->n_stack];
		run->busy++;
		pthread_mutex_unlock(&run->lock);

		run_chain(run, t.side, t.node, t.st);

		pthread_mutex_lock(&run->lock);
		run->busy--;
		pthread_cond_broadcast(&run->cond);
		pthread_mutex_unlock(&run->lock);
	}
}

/* ---- Progress ------------------------------------------------------- */

static void run_progress(struct run *run, bool final)
{
	size_t done, failed, units = run->units;
	unsigned busy;
	double el = run_now() - run->t0;

	pthread_mutex_lock(&run->lock);
	done = run->done;
	failed = run->failed;
	busy = run->busy;
	pthread_mutex_unlock(&run->lock);
	if (final) {
		fputs("\r\033[K", stderr);
		return;
	}
	/* Orderings, counting both sides of one as one. */
	fprintf(stderr,
		"\r\033[Korderings: %zu/%zu done, %u running, %zu failed",
		done / (size_t)run->n_sides, units / (size_t)run->n_sides, busy,
		failed);
	if (done > 0 && done < units)
		fprintf(stderr, ", %.0f s left",
			el / (double)done * (double)(units - done));
	fflush(stderr);
}

/* ---- The run -------------------------------------------------------- */

static int run_prepare_debs(struct run *run, char **ret_why)
{
	struct ord_scenario *sc = run->sc;
	char *outdir = NULL;
	int r = 0;

	run->debs =
		calloc(sc->n_packages ? sc->n_packages : 1, sizeof(*run->debs));
	if (!run->debs || asprintf(&outdir, "%s/debs", run->rundir) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < sc->n_packages && r == 0; i++) {
		struct ord_package *pkg = &sc->packages[i];

		if (pkg->built && !pkg->deb)
			r = ord_deb_build(pkg, outdir, run->rundir, ret_why);
		if (r == 0)
			r = ord_debinfo_read(pkg->deb, &run->debs[i], ret_why);
	}
	free(outdir);
	return r;
}

/* With --keep, the packages built from the scenario go to DIR/debs, so
 * that the orderings can be replayed by hand. */
static void run_keep_debs(struct run *run)
{
	char *src = NULL, *dst = NULL;

	if (!run->o->keep_dir)
		return;
	if (asprintf(&src, "%s/debs", run->rundir) >= 0 &&
	    asprintf(&dst, "%s/debs", run->o->keep_dir) >= 0 &&
	    access(src, F_OK) == 0) {
		char *argv[] = {"cp", "-a", "-T", src, dst, NULL};
		struct ord_proc_opts o = {.argv = argv, .out_fd = -1};
		int rc;

		aliasctl_rmtree(dst);
		ord_proc_run(&o, -1, &rc);
	}
	free(src);
	free(dst);
}

static void run_free_nodes(struct ord_node *n)
{
	for (int side = 0; side < 2; side++) {
		struct run_node_res *nr = n->result[side];

		if (nr) {
			ord_step_result_clear(&nr->step);
			ord_strv_free(nr->reported, nr->n_reported);
			free(nr);
			n->result[side] = NULL;
		}
	}
	for (size_t i = 0; i < n->n_children; i++)
		run_free_nodes(n->children[i]);
}

static char *run_aliases_desc(const struct ord_scenario *sc)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	if (sc->aliases == ORD_ALIASES_DEFAULT)
		return strdup("default");
	if (sc->aliases == ORD_ALIASES_NONE)
		return strdup("none");
	f = open_memstream(&s, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i + 1 < sc->n_alias_pairs; i += 2)
		fprintf(f, "%s%s %s", i ? " " : "", sc->alias_pairs[i],
			sc->alias_pairs[i + 1]);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int run_assemble(struct run *run, struct ord_result **ret)
{
	const struct ord_scenario *sc = run->sc;
	struct ord_result *res = calloc(1, sizeof(*res));
	size_t n = run->plan->n_orderings;

	if (!res)
		return -ENOMEM;
	res->orderings = calloc(n ? n : 1, sizeof(*res->orderings));
	res->scenario = strdup(sc->name);
	res->baseline = strdup(ord_baseline_name(run->o->baseline));
	res->aliases = run_aliases_desc(sc);
	res->mode = strdup(ord_mode_name(run->o->mode));
	if (!res->orderings || !res->scenario || !res->baseline ||
	    !res->aliases || !res->mode)
		goto nomem;
	for (size_t i = 0; i < sc->n_items; i++)
		if (ord_strv_push(&res->packages, &res->n_packages,
				  sc->items[i].label) < 0)
			goto nomem;
	res->total = run->plan->total;
	res->jobs = run->o->jobs;
	for (size_t i = 0; i < n; i++) {
		const struct ord_planned *p = &run->plan->orderings[i];
		struct ord_ordering *o = &res->orderings[res->n_orderings++];

		o->index = p->index;
		for (size_t j = 0; j < sc->n_items; j++)
			if (ord_strv_push(&o->order, &o->n_order,
					  sc->items[p->perm[j]].label) < 0)
				goto nomem;
		for (int side = 0; side < run->n_sides; side++) {
			struct ord_side *s = run->sides[side][i];

			if (!s) {
				/* Never reached (aborted run): say so. */
				s = calloc(1, sizeof(*s));
				if (!s)
					goto nomem;
				s->outcome = ORD_OUTCOME_ERROR;
				s->error = strdup("not run");
			}
			run->sides[side][i] = NULL;
			if (side == ORD_SIDE_VIEW)
				o->view = s;
			else
				o->baseline = s;
		}
	}
	*ret = res;
	return 0;
nomem:
	ord_result_free(res);
	return -ENOMEM;
}

int ord_run(struct ord_scenario *sc, struct ord_plan *plan,
	    const struct ord_run_opts *opts, const char *rundir,
	    struct ord_result **ret_result, char **ret_why)
{
	struct run run = {
		.sc = sc,
		.plan = plan,
		.o = opts,
		.rundir = rundir,
		.n_sides = opts->baseline == ORD_BASELINE_NONE ? 1 : 2,
	};
	pthread_t *threads = NULL;
	unsigned started = 0;
	int r;

	*ret_why = NULL;
	pthread_mutex_init(&run.lock, NULL);
	pthread_cond_init(&run.cond, NULL);
	run.t0 = run_now();
	run.envp = ord_step_env(&run.n_env);
	run.sides[0] = calloc(plan->n_orderings + 1, sizeof(struct ord_side *));
	run.sides[1] = calloc(plan->n_orderings + 1, sizeof(struct ord_side *));
	threads = calloc(opts->jobs, sizeof(*threads));
	if (!run.envp || !run.sides[0] || !run.sides[1] || !threads) {
		r = -ENOMEM;
		goto out;
	}
	run.units = plan->n_orderings * (size_t)run.n_sides;
	r = run_prepare_debs(&run, ret_why);
	if (r < 0)
		goto out;
	run_keep_debs(&run);
	for (int side = 0; side < run.n_sides; side++) {
		struct run_state *st = NULL;

		r = run_state_initial(&run, side, &st, ret_why);
		if (r < 0)
			goto out;
		r = run_push(&run, side, plan->root, st);
		if (r < 0) {
			run_state_free(&run, st, true);
			goto out;
		}
	}
	for (started = 0; started < opts->jobs; started++)
		if (pthread_create(&threads[started], NULL, run_worker, &run) !=
		    0)
			break;
	if (started == 0) {
		r = run_why(ret_why, -EAGAIN, "cannot start a worker thread");
		goto out;
	}
	pthread_mutex_lock(&run.lock);
	{
		double abort_t = 0;

		while (run.exited < started) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 250000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&run.cond, &run.lock, &ts);
			if (ord_proc_aborted()) {
				/* Workers blocked in a wedged view wake up
				 * when its daemon dies. */
				if (abort_t == 0)
					abort_t = run_now();
				else if (run_now() - abort_t > 10)
					ord_proc_signal_all(SIGKILL);
				continue;
			}
			run_guard_check(&run);
			if (opts->progress) {
				pthread_mutex_unlock(&run.lock);
				run_progress(&run, false);
				pthread_mutex_lock(&run.lock);
			}
		}
	}
	pthread_mutex_unlock(&run.lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (opts->progress)
		run_progress(&run, true);
	/* Tasks nobody took (an aborted run): their states go. */
	while (run.n_stack > 0) {
		struct run_task *t = &run.stack[--run.n_stack];

		run_state_free(&run, t->st, true);
	}
	if (ord_proc_aborted()) {
		r = -ECANCELED;
		goto out;
	}
	r = run_assemble(&run, ret_result);
	if (r == 0)
		(*ret_result)->seconds = run_now() - run.t0;
out:
	if (r < 0 && !*ret_why && r != -ECANCELED)
		run_why(ret_why, r, "%s", strerror(-r));
	run_free_nodes(plan->root);
	for (int side = 0; side < 2; side++) {
		for (size_t i = 0; run.sides[side] && i < plan->n_orderings;
		     i++)
			ord_side_free(run.sides[side][i]);
		free(run.sides[side]);
	}
	for (size_t i = 0; run.debs && i < sc->n_packages; i++)
		ord_debinfo_free(run.debs[i]);
	free(run.debs);
	free(run.stack);
	ord_strv_free(run.envp, run.n_env);
	free(threads);
	pthread_cond_destroy(&run.cond);
	pthread_mutex_destroy(&run.lock);
	return r;
}
