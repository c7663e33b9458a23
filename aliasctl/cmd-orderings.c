/*
 * aliasctl orderings: the command. Reads the scenario (or .deb files),
 * picks the orderings, sets up the privilege mode and the run directory,
 * runs, and writes the matrix, JSON and HTML. Interrupts (SIGINT, SIGTERM,
 * SIGHUP) are taken by a thread of their own, which aborts the run; the
 * run then unmounts and removes everything before the signal is raised
 * again.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd-orderings.h"
#include "aliasctl/orderings-debinfo.h"
#include "aliasctl/orderings-json.h"
#include "aliasctl/orderings-mount.h"
#include "aliasctl/orderings-output.h"
#include "aliasctl/orderings-plan.h"
#include "aliasctl/orderings-proc.h"
#include "aliasctl/orderings-runner.h"
#include "aliasctl/orderings-workdir.h"

#define ORD_MAX_JOBS 64 /* as the runner's ORD_RUN_MAX_JOBS */

struct ord_opts {
	unsigned jobs;
	const char *json;
	const char *html;
	const char *keep;
	const char *workdir;
	uint64_t sample;
	bool sample_set;
	uint64_t seed;
	bool seed_set;
	uint64_t shard_k, shard_n;
	enum ord_baseline baseline;
	bool baseline_set;
	enum ord_aliases aliases;
	bool aliases_set;
	unsigned timeout;
	enum ord_mode mode;
	bool merge;
};

/* A usage error: exit status 2 here, since 1 means "found". */
#define ord_usage(...)                                               \
	(aliasctl_usage_error(&aliasctl_cmd_orderings, __VA_ARGS__), \
	 ORDERINGS_EXIT_ERROR)

static int ord_number(const char *opt, const char *s, uint64_t min,
		      uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return ord_usage("option '%s' needs a number", opt);
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		aliasctl_usage_error(&aliasctl_cmd_orderings,
				     "%s: '%s' is not a number in %llu..%llu",
				     opt, s, (unsigned long long)min,
				     (unsigned long long)max);
		return ORDERINGS_EXIT_ERROR;
	}
	*ret = v;
	return 0;
}

static int ord_parse_opts(int argc, char **argv, struct ord_opts *o)
{
	enum {
		OPT_JSON = 0x100,
		OPT_HTML,
		OPT_KEEP,
		OPT_SAMPLE,
		OPT_SEED,
		OPT_SHARD,
		OPT_BASELINE,
		OPT_ALIASES,
		OPT_TIMEOUT,
		OPT_MODE,
		OPT_WORKDIR,
		OPT_MERGE,
	};
	static const struct option longopts[] = {
		{"jobs", required_argument, NULL, 'j'},
		{"json", required_argument, NULL, OPT_JSON},
		{"html", required_argument, NULL, OPT_HTML},
		{"keep", required_argument, NULL, OPT_KEEP},
		{"sample", required_argument, NULL, OPT_SAMPLE},
		{"seed", required_argument, NULL, OPT_SEED},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"baseline", required_argument, NULL, OPT_BASELINE},
		{"aliases", required_argument, NULL, OPT_ALIASES},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"mode", required_argument, NULL, OPT_MODE},
		{"workdir", required_argument, NULL, OPT_WORKDIR},
		{"merge", no_argument, NULL, OPT_MERGE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c, ex;

	while ((c = aliasctl_getopt(&aliasctl_cmd_orderings, argc, argv,
				    ":hj:", longopts, &ex)) != -1) {
		switch (c) {
		case -2:
			return ex == 0 ? -1 : ORDERINGS_EXIT_ERROR;
		case 'j':
			if (ord_number("--jobs", optarg, 1, ORD_MAX_JOBS, &v))
				return ORDERINGS_EXIT_ERROR;
			o->jobs = (unsigned)v;
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case OPT_HTML:
			o->html = optarg;
			break;
		case OPT_KEEP:
			o->keep = optarg;
			break;
		case OPT_SAMPLE:
			if (ord_number("--sample", optarg, 1, 1000000000,
				       &o->sample))
				return ORDERINGS_EXIT_ERROR;
			o->sample_set = true;
			break;
		case OPT_SEED:
			if (ord_number("--seed", optarg, 0, UINT64_MAX,
				       &o->seed))
				return ORDERINGS_EXIT_ERROR;
			o->seed_set = true;
			break;
		case OPT_SHARD: {
			unsigned long long k, n;
			char extra;

			if (sscanf(optarg, "%llu/%llu%c", &k, &n, &extra) !=
				    2 ||
			    n == 0 || k >= n || optarg[0] == '-')
				return ord_usage(
					"--shard: '%s' is not K/N with "
					"0 <= K < N",
					optarg);
			o->shard_k = k;
			o->shard_n = n;
			break;
		}
		case OPT_BASELINE:
			if (ord_baseline_parse(optarg, &o->baseline) < 0)
				return ord_usage("--baseline: '%s' is not "
						 "merged, split or none",
						 optarg);
			o->baseline_set = true;
			break;
		case OPT_ALIASES:
			if (strcmp(optarg, "default") == 0)
				o->aliases = ORD_ALIASES_DEFAULT;
			else if (strcmp(optarg, "none") == 0)
				o->aliases = ORD_ALIASES_NONE;
			else
				return ord_usage("--aliases: '%s' is not "
						 "default or none",
						 optarg);
			o->aliases_set = true;
			break;
		case OPT_TIMEOUT:
			if (ord_number("--timeout", optarg, 1, 86400, &v))
				return ORDERINGS_EXIT_ERROR;
			o->timeout = (unsigned)v;
			break;
		case OPT_MODE:
			if (ord_mode_parse(optarg, &o->mode) < 0)
				return ord_usage("--mode: '%s' is not auto, "
						 "root, userns or fakeroot",
						 optarg);
			break;
		case OPT_WORKDIR:
			o->workdir = optarg;
			break;
		case OPT_MERGE:
			o->merge = true;
			break;
		default:
			break;
		}
	}
	if (o->seed_set && !o->sample_set)
		return ord_usage("--seed goes with --sample");
	if (o->merge && (o->sample_set || o->shard_n || o->keep ||
			 o->baseline_set || o->aliases_set))
		return ord_usage("--merge takes only --json and --html");
	return 0;
}

/* ---- Outputs ------------------------------------------------------ */

static int ord_outputs(const struct ord_opts *o, const struct ord_result *res)
{
	struct winsize ws;
	bool tty = isatty(STDOUT_FILENO);
	const char *term = getenv("TERM");
	unsigned width = 0;
	int r, ex = ORDERINGS_EXIT_OK;

	if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		width = ws.ws_col;
	/* --json -: the JSON is the output. */
	if (!o->json || strcmp(o->json, "-") != 0)
		ord_matrix_print(res,
				 tty && !getenv("NO_COLOR") &&
					 !(term && strcmp(term, "dumb") == 0),
				 width);
	if (o->json) {
		r = ord_json_save(o->json, res);
		if (r < 0) {
			aliasctl_error("cannot write %s: %s", o->json,
				       strerror(-r));
			ex = ORDERINGS_EXIT_ERROR;
		}
	}
	if (o->html) {
		r = ord_html_save(o->html, res);
		if (r < 0) {
			aliasctl_error("cannot write %s: %s", o->html,
				       strerror(-r));
			ex = ORDERINGS_EXIT_ERROR;
		}
	}
	r = ord_result_exit(res);
	return ex ? ex : r;
}

static int ord_merge(const struct ord_opts *o, int argc, char **argv)
{
	struct ord_result *all = NULL;
	char *why = NULL;
	int r, ex;

	if (argc == 0)
		return ord_usage("--merge needs FILE...");
	for (int i = 0; i < argc; i++) {
		struct ord_result *res;

		r = ord_json_load(argv[i], &res, &why);
		if (r == 0 && all)
			r = ord_result_merge(all, res, &why);
		else if (r == 0)
			all = res;
		if (r < 0) {
			aliasctl_error("%s%s%s", why ? why : strerror(-r),
				       all && why && r == -EINVAL ? ": " : "",
				       all && why && r == -EINVAL ? argv[i]
								  : "");
			free(why);
			ord_result_free(all);
			return ORDERINGS_EXIT_ERROR;
		}
	}
	ex = ord_outputs(o, all);
	ord_result_free(all);
	return ex;
}

/* ---- Signals ------------------------------------------------------ */

static sigset_t ord_sigs;
static volatile sig_atomic_t ord_caught;

static void *ord_signal_thread(void *arg)
{
	int sig = 0;

	(void)arg;
	while (sigwait(&ord_sigs, &sig) != 0)
		;
	if (sig != SIGUSR1) {
		ord_caught = sig;
		ord_proc_abort();
	}
	return NULL;
}

/* ---- The run ------------------------------------------------------ */

/* The scenario from the arguments: one scenario file, or .deb files. */
static int ord_load(int argc, char **argv, struct ord_scenario **ret)
{
	char **labels = NULL, *why = NULL;
	bool debs = false;
	int r, ex = ORDERINGS_EXIT_OK;

	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]);

		if (l > 4 && strcmp(argv[i] + l - 4, ".deb") == 0)
			debs = true;
	}
	if (!debs) {
		if (argc != 1)
			return ord_usage("give one SCENARIO file, or "
					 ".deb files");
		r = ord_scenario_load(argv[0], ret, &why);
		if (r < 0) {
			aliasctl_error("%s", why ? why : strerror(-r));
			free(why);
			return ORDERINGS_EXIT_ERROR;
		}
		return ORDERINGS_EXIT_OK;
	}
	if (argc > ORD_SCENARIO_MAX_ITEMS)
		return ord_usage("at most 20 .deb files");
	labels = calloc((size_t)argc, sizeof(*labels));
	if (!labels)
		return ORDERINGS_EXIT_ERROR;
	for (int i = 0; i < argc && ex == 0; i++) {
		struct ord_debinfo *info;
		size_t l = strlen(argv[i]);

		if (l <= 4 || strcmp(argv[i] + l - 4, ".deb") != 0) {
			ex = ord_usage("'%s': with .deb files, every argument "
				       "is one",
				       argv[i]);
			break;
		}
		r = ord_debinfo_read(argv[i], &info, &why);
		if (r < 0) {
			aliasctl_error("%s", why ? why : strerror(-r));
			free(why);
			ex = ORDERINGS_EXIT_ERROR;
			break;
		}
		/* The package name; its version too when two share it. */
		labels[i] = strdup(info->name);
		for (int k = 0; labels[i] && k < i; k++)
			if (strcmp(labels[k], labels[i]) == 0) {
				free(labels[i]);
				if (asprintf(&labels[i], "%s_%s", info->name,
					     info->version) < 0)
					labels[i] = NULL;
				break;
			}
		for (char *c = labels[i]; c && *c; c++)
			if (*c == ':' || *c == '~')
				*c = '.';
		for (int k = 0; labels[i] && k < i; k++)
			if (strcmp(labels[k], labels[i]) == 0) {
				aliasctl_error("%s and %s are the same "
					       "package and version",
					       argv[k], argv[i]);
				ex = ORDERINGS_EXIT_ERROR;
			}
		ord_debinfo_free(info);
		if (!labels[i] && ex == 0)
			ex = ORDERINGS_EXIT_ERROR;
	}
	if (ex == 0 &&
	    ord_scenario_from_debs(argv, labels, (size_t)argc, ret) < 0)
		ex = ORDERINGS_EXIT_ERROR;
	for (int i = 0; i < argc; i++)
		free(labels[i]);
	free(labels);
	return ex;
}

/* Settle the privilege mode: what was asked, or what works here. */
static int ord_pick_mode(enum ord_mode *mode)
{
	char *why = NULL;
	int r;

	if (*mode == ORD_MODE_AUTO) {
		if (geteuid() == 0) {
			*mode = ORD_MODE_ROOT;
			return 0;
		}
		r = ord_mode_probe_userns(&why);
		*mode = r == 0 ? ORD_MODE_USERNS : ORD_MODE_FAKEROOT;
		free(why);
		return 0;
	}
	if (*mode == ORD_MODE_ROOT && geteuid() != 0) {
		aliasctl_error("--mode root: not running as root");
		return -EPERM;
	}
	if (*mode == ORD_MODE_USERNS) {
		r = ord_mode_probe_userns(&why);
		if (r < 0) {
			aliasctl_error("--mode userns: not possible here: %s",
				       why ? why : strerror(-r));
			free(why);
			return r;
		}
	}
	return 0;
}

static int ord_check_tools(enum ord_mode mode)
{
	const char *need[] = {"dpkg",
			      "dpkg-deb",
			      "aliasfs",
			      "cp",
			      mode == ORD_MODE_FAKEROOT ? "fakeroot" : NULL,
			      mode == ORD_MODE_FAKEROOT ? "fusermount3" : NULL};

	for (size_t i = 0; i < sizeof(need) / sizeof(*need); i++)
		if (need[i] && !ord_proc_have(need[i])) {
			aliasctl_error("%s not found in PATH", need[i]);
			return -ENOENT;
		}
	return 0;
}

static int ord_execute(struct ord_opts *o, struct ord_scenario *sc)
{
	struct ord_run_opts ro = {0};
	struct ord_workdir *wd = NULL;
	struct ord_result *res = NULL;
	struct ord_plan *plan = NULL;
	uint64_t *index = NULL;
	size_t n_index = 0;
	char *base = NULL, *why = NULL, *arch = NULL;
	pthread_t sigthr;
	bool sigthr_started = false;
	uint64_t total, sample, seed;
	long ncpu;
	int r, ex = ORDERINGS_EXIT_ERROR;

	/* The command line overrides the scenario. */
	ro.baseline = o->baseline_set ? o->baseline : sc->baseline;
	if (o->aliases_set)
		sc->aliases = o->aliases;
	sample = o->sample_set ? o->sample : sc->sample;
	if (o->seed_set)
		seed = o->seed;
	else if (sc->seed_set)
		seed = sc->seed;
	else
		seed = ord_random_seed(); /* printed with the result */
	ro.timeout = o->timeout	   ? o->timeout
		     : sc->timeout ? sc->timeout
				   : ORD_DEFAULT_TIMEOUT;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	ro.jobs = o->jobs    ? o->jobs
		  : ncpu > 0 ? (unsigned)(ncpu < ORD_MAX_JOBS ? ncpu
							      : ORD_MAX_JOBS)
			     : 2;
	if (sc->arch) {
		arch = strdup(sc->arch);
	} else if ((r = aliasdb_host_arch(&arch)) < 0) {
		aliasctl_error("cannot tell the host's architecture: %s",
			       strerror(-r));
		return ORDERINGS_EXIT_ERROR;
	}
	if (!arch)
		return ORDERINGS_EXIT_ERROR;
	ro.arch = arch;
	ro.keep_dir = o->keep;
	ro.progress = isatty(STDERR_FILENO);

	total = ord_factorial((unsigned)sc->n_items);
	r = ord_plan_select(total, sample, seed, o->shard_k,
			    o->shard_n ? o->shard_n : 1, &index, &n_index);
	if (r == -E2BIG) {
		aliasctl_error("%llu orderings are too many to run them all "
			       "(at most %d): use --sample N",
			       (unsigned long long)total, ORD_PLAN_MAX_ALL);
		goto out;
	}
	if (r == 0)
		r = ord_plan_build(sc, index, n_index, &plan);
	if (r < 0) {
		aliasctl_error("planning: %s", strerror(-r));
		goto out;
	}
	if (o->keep && mkdir(o->keep, 0755) < 0 && errno != EEXIST) {
		aliasctl_error("cannot create %s: %s", o->keep,
			       strerror(errno));
		goto out;
	}

	ro.mode = o->mode;
	if (ord_pick_mode(&ro.mode) < 0 || ord_check_tools(ro.mode) < 0)
		goto out;
	r = ord_workdir_base(o->workdir, &base, &why);
	if (r < 0) {
		aliasctl_error("%s", why ? why : strerror(-r));
		goto out;
	}
	if (ord_workdir_clean_stale(base) < 0)
		aliasctl_error("cannot look for dead runs in %s", base);
	r = ord_workdir_create(base, &wd);
	if (r < 0) {
		aliasctl_error("cannot create a run directory in %s: %s", base,
			       strerror(-r));
		goto out;
	}
	/* Interrupts from here on wait for the signal thread (started once
	 * the mode is entered: a user namespace needs one thread). */
	sigemptyset(&ord_sigs);
	sigaddset(&ord_sigs, SIGINT);
	sigaddset(&ord_sigs, SIGTERM);
	sigaddset(&ord_sigs, SIGHUP);
	sigaddset(&ord_sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &ord_sigs, NULL);
	/* Inherited by every child: the mark a later run cleans by. */
	r = setenv(ORD_WORKDIR_ENV, wd->dir, 1) < 0 ? -errno : 0;
	if (r == 0)
		r = ord_proc_abort_init();
	if (r == 0)
		r = ord_mode_enter(ro.mode, &why);
	if (r < 0) {
		aliasctl_error("entering %s mode: %s", ord_mode_name(ro.mode),
			       why ? why : strerror(-r));
		goto out;
	}

	if (pthread_create(&sigthr, NULL, ord_signal_thread, NULL) == 0)
		sigthr_started = true;

	free(why);
	why = NULL;
	r = ord_run(sc, plan, &ro, wd->dir, &res, &why);
	if (r == -ECANCELED) {
		ex = ORDERINGS_EXIT_ERROR;
		goto out;
	}
	if (r < 0) {
		aliasctl_error("%s", why ? why : strerror(-r));
		goto out;
	}
	res->sample = sample && sample < total ? sample : 0;
	res->seed = res->sample ? seed : 0;
	res->shard_k = o->shard_k;
	res->shard_n = o->shard_n ? o->shard_n : 1;
	ex = ord_outputs(o, res);
out:
	if (sigthr_started) {
		pthread_kill(sigthr, SIGUSR1);
		pthread_join(sigthr, NULL);
	}
	ord_workdir_remove(wd);
	ord_result_free(res);
	ord_plan_free(plan);
	free(index);
	free(base);
	free(why);
	free(arch);
	if (ord_caught) {
		int sig = ord_caught;

		fprintf(stderr,
			"aliasctl orderings: %s: stopped, views "
			"unmounted, files removed\n",
			strsignal(sig));
		aliasctl_out_flush();
		signal(sig, SIG_DFL);
		pthread_sigmask(SIG_UNBLOCK, &ord_sigs, NULL);
		raise(sig);
	}
	return ex;
}

static int orderings_run(struct aliasctl *ctl, int argc, char **argv)
{
	struct ord_opts o = {.baseline = ORD_BASELINE_MERGED};
	struct ord_scenario *sc = NULL;
	int ex;

	(void)ctl;
	ex = ord_parse_opts(argc, argv, &o);
	if (ex < 0)
		return ORDERINGS_EXIT_OK; /* --help */
	if (ex)
		return ex;
	argc -= optind;
	argv += optind;
	if (o.merge)
		return ord_merge(&o, argc, argv);
	if (argc == 0)
		return ord_usage("missing SCENARIO or DEB...");
	ex = ord_load(argc, argv, &sc);
	if (ex == 0)
		ex = ord_execute(&o, sc);
	ord_scenario_free(sc);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_orderings = {
	.name = "orderings",
	.usage = "orderings [OPTIONS] SCENARIO | DEB... | --merge FILE...",
	.summary = "Run every installation ordering with real dpkg.",
	.help = "Runs each ordering of the scenario's permuted steps (or of\n"
		"installing the DEBs one by one) with real dpkg, in a fresh\n"
		"view over a fresh backing and on a baseline, and prints the\n"
		"outcomes side by side: lost, overwritten, refused, ok.\n"
		"  -j, --jobs N        orderings run in parallel (default: "
		"the CPUs)\n"
		"  --json FILE         write the result as JSON\n"
		"  --html FILE         write a self-contained HTML page\n"
		"  --keep DIR          keep each ordering's final trees in "
		"DIR/INDEX/\n"
		"  --sample N          run N orderings drawn at random\n"
		"  --seed S            ... drawn with seed S (reproducible)\n"
		"  --shard K/N         only orderings whose index is K modulo "
		"N\n"
		"  --baseline B        merged (default), split or none\n"
		"  --aliases A         the view's first aliases: default or "
		"none\n"
		"  --timeout SEC       per dpkg call (default 120)\n"
		"  --mode M            auto (default), root, userns or "
		"fakeroot\n"
		"  --workdir DIR       where runs keep their trees\n"
		"  --merge FILE...     join shard results written by --json\n"
		"The scenario format is in aliasctl(1). Exit status: 0 no view\n"
		"outcome lost or overwritten, 1 one is, 2 error.\n",
	.run = orderings_run,
};
