/*
 * What aliasctl convert and revert share: finding the tree and its
 * database, refusing a tree a view serves, the plan on stdout, the
 * pending run, and the debug hook the kill tests use.
 */
#define _GNU_SOURCE
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cmd-convert.h"
#include "cmd-declarations.h"

#define CONVERT_FUSE_MAGIC 0x65735546

static const char *convert_name(enum aliasdb_convert_op op)
{
	return op == ALIASDB_OP_REVERT ? "revert" : "convert";
}

/*
 * ALIASCTL_DEBUG_KILL_AFTER=N: SIGKILL ourselves right after the Nth
 * journaled event, so that tests can stop a run at every point of it,
 * deterministically. ALIASCTL_DEBUG_EVENTS=1: report the number of events
 * on stderr at the end. ALIASCTL_DEBUG_DELAY_US=N: sleep N microseconds
 * after each event, so that a kill from outside at a random time lands in
 * the middle of a run. Not for users; the tests use them.
 */
struct convert_debug {
	unsigned long long kill_after;
	unsigned long delay_us;
};

static void convert_event(void *userdata, uint64_t n)
{
	const struct convert_debug *d = userdata;

	if (d->kill_after && n == d->kill_after)
		kill(getpid(), SIGKILL);
	if (d->delay_us)
		usleep((useconds_t)d->delay_us);
}

/* The comm of @pid, for a message ("aliasfs"), or "?" */
static void convert_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(buf, size, "?");
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Is @path (absolute) inside an aliasfs mount, i.e. a view rather than a
 * backing tree? */
static bool convert_in_view(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && getline(&line, &cap, f) > 0) {
		char *fields[10] = {0}, *p = line, *sep;
		int n = 0;

		while (n < 10 && (fields[n] = strsep(&p, " ")) != NULL)
			n++;
		/* ... mount-point(4) ... "-" fstype */
		for (int i = 6; i < n; i++) {
			size_t ml;

			if (strcmp(fields[i], "-") != 0 || i + 1 >= n)
				continue;
			if (strcmp(fields[i + 1], "fuse.aliasfs") != 0)
				break;
			ml = strlen(fields[4]);
			sep = fields[4];
			if (strncmp(path, sep, ml) == 0 &&
			    (path[ml] == '/' || path[ml] == '\0' ||
			     strcmp(sep, "/") == 0))
				found = true;
			break;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* Open @path as the tree; refuse what must not be converted. */
static int convert_open_tree(const struct convert_args *a, const char *path,
			     int *ret_fd)
{
	struct stat st, root;
	struct statfs sf;
	char *real;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		aliasctl_error("cannot open tree %s: %s", path,
			       strerror(errno));
		return ALIASCTL_EXIT_SYSTEM;
	}
	if (fstat(fd, &st) == 0 && stat("/", &root) == 0 &&
	    st.st_dev == root.st_dev && st.st_ino == root.st_ino &&
	    a->mode != CONVERT_DRY_RUN) {
		aliasctl_error("%s: %s is the running system's root; %s a "
			       "copy, or boot into another system first",
			       convert_name(a->op), path, convert_name(a->op));
		close(fd);
		return ALIASCTL_EXIT_USAGE;
	}
	real = realpath(path, NULL);
	if (fstatfs(fd, &sf) == 0 && sf.f_type == CONVERT_FUSE_MAGIC && real &&
	    convert_in_view(real)) {
		aliasctl_error("%s: %s is an aliasfs view: %s its backing "
			       "directory, with the view unmounted",
			       convert_name(a->op), path, convert_name(a->op));
		free(real);
		close(fd);
		return ALIASCTL_EXIT_USAGE;
	}
	free(real);
	*ret_fd = fd;
	return ALIASCTL_EXIT_OK;
}

/*
 * A running aliasfs daemon serving @real (the tree's real path): a process
 * named aliasfs with a descriptor on it (the daemon keeps one on its
 * backing). Only processes we may inspect are seen: all as root, our own
 * otherwise. Returns the pid, or 0.
 */
static pid_t convert_find_daemon(const char *real)
{
	char path[320], link[ALIASDB_PATH_MAX], comm[64];
	struct dirent *p, *f;
	pid_t found = 0;
	DIR *procs, *fds;

	procs = opendir("/proc");
	if (!procs)
		return 0;
	while (!found && (p = readdir(procs)) != NULL) {
		pid_t pid = (pid_t)strtol(p->d_name, NULL, 10);

		if (pid <= 0 || pid == getpid())
			continue;
		convert_comm(pid, comm, sizeof(comm));
		if (strcmp(comm, "aliasfs") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!found && (f = readdir(fds)) != NULL) {
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%ld/fd/%s",
				 (long)pid, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, real) == 0)
				found = pid;
		}
		closedir(fds);
	}
	closedir(procs);
	return found;
}

/* Nobody else may use the tree while it changes. */
static int convert_refuse_busy(const struct convert_args *a, const char *tree,
			       int fd, const char *db_dir)
{
	char comm[64], *real;
	pid_t pid = 0;
	int r;

	real = realpath(tree, NULL);
	pid = real ? convert_find_daemon(real) : 0;
	free(real);
	if (pid) {
		aliasctl_error("%s: %s is served by a running aliasfs view "
			       "(process %ld); unmount it first",
			       convert_name(a->op), tree, (long)pid);
		return ALIASCTL_EXIT_USAGE;
	}
	r = aliasdb_tree_lock(fd);
	if (r == -EWOULDBLOCK) {
		aliasctl_error("%s: %s is in use: a running aliasfs view "
			       "serves it, or another convert or revert runs "
			       "on it; unmount the view first",
			       convert_name(a->op), tree);
		return ALIASCTL_EXIT_USAGE;
	}
	if (r < 0) {
		aliasctl_error("cannot lock %s: %s", tree, strerror(-r));
		return ALIASCTL_EXIT_SYSTEM;
	}
	r = aliasdb_db_in_use(db_dir, &pid);
	if (r == 1) {
		convert_comm(pid, comm, sizeof(comm));
		aliasctl_error("%s: the database %s is open in process %ld "
			       "(%s): a running aliasfs view of %s (unmount "
			       "it first) or another aliasctl",
			       convert_name(a->op), db_dir, (long)pid, comm,
			       tree);
		return ALIASCTL_EXIT_USAGE;
	}
	if (r < 0) {
		aliasctl_error("cannot look at the database %s: %s", db_dir,
			       strerror(-r));
		return ALIASCTL_EXIT_SYSTEM;
	}
	return ALIASCTL_EXIT_OK;
}

/* Every alias of the database, active or blocked: a physical merge makes
 * the blocked ones true too (its conflicts resolved or refused). */
static int convert_load_map(struct aliasdb *db, const char *arch,
			    struct aliasdb_map **ret_map)
{
	struct aliasdb_alias **list = NULL;
	const char **al = NULL, **ca = NULL;
	char *host = NULL;
	size_t n = 0;
	int r;

	if (!db) {
		if (!arch) {
			r = aliasdb_host_arch(&host);
			if (r < 0)
				return r;
			arch = host;
		}
		r = aliasdb_map_for_arch(arch, ret_map);
		free(host);
		return r;
	}
	r = aliasdb_list(db, &list, &n);
	if (r < 0)
		return r;
	al = calloc(n + 1, sizeof(*al));
	ca = calloc(n + 1, sizeof(*ca));
	if (!al || !ca) {
		r = -ENOMEM;
	} else {
		for (size_t i = 0; i < n; i++) {
			al[i] = list[i]->alias;
			ca[i] = list[i]->canonical;
		}
		r = aliasdb_map_from_pairs(al, ca, n, ret_map, NULL);
	}
	free(al);
	free(ca);
	aliasdb_alias_list_free(list, n);
	return r;
}

/* Open the database if the tree has one (*ret_db NULL if not). */
static int convert_open_db(struct aliasctl *ctl, struct aliasdb **ret_db)
{
	struct aliasdb *db = NULL;
	int ex;

	ex = aliasctl_db_open(ctl, 0, true, &db);
	if (ex == -ENOENT) {
		*ret_db = NULL;
		return ALIASCTL_EXIT_OK;
	}
	if (ex < 0)
		return ALIASCTL_EXIT_SYSTEM;
	*ret_db = db;
	return ALIASCTL_EXIT_OK;
}

/* Remove an unfinished creation at @dir: the directory and every file in
 * it. Only convert_create_db() makes @dir, and the database leaves more
 * than its LMDB files there (its copy of the aliases, under a temporary
 * name too), so naming the files would leave a directory in the tree
 * that a rollback, which finds no run to undo, never takes away. */
static void convert_rm_partial(const char *dir)
{
	struct dirent *e;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	(void)rmdir(dir);
}

/*
 * Make the database a run needs (its journal lives there), with the
 * default set of the map the plan was made with. It is built under a
 * temporary name and renamed into place, so that a kill in between never
 * leaves a database without its aliases, which a rerun would take for a
 * tree with nothing to merge.
 */
static int convert_create_db(struct aliasctl *ctl, const struct convert_args *a,
			     struct aliasdb **ret_db)
{
	struct aliasctl tmp = *ctl;
	enum aliasdb_rule rule;
	struct aliasdb *db = NULL;
	char *host = NULL, *dir = NULL;
	int r, ex;

	if (asprintf(&dir, "%s.new", ctl->db_dir) < 0)
		return ALIASCTL_EXIT_SYSTEM;
	convert_rm_partial(dir);
	tmp.db_dir = dir;
	if (aliasctl_db_open(&tmp, ALIASDB_OPEN_CREATE, false, &db) < 0) {
		ex = ALIASCTL_EXIT_SYSTEM;
		goto out;
	}
	if (!a->arch && aliasdb_host_arch(&host) < 0) {
		aliasctl_error("cannot tell the host's architecture: use "
			       "--arch");
		ex = ALIASCTL_EXIT_SYSTEM;
		goto out;
	}
	r = aliasdb_add_arch_defaults(db, a->arch ? a->arch : host, &rule);
	if (r == -ENOENT)
		r = 0; /* no default set (hurd-*): an empty map */
	if (r < 0) {
		ex = aliasctl_db_error(&tmp, "cannot add the default aliases",
				       r);
		goto out;
	}
	aliasdb_close(db);
	db = NULL;
	/* Onto nothing or an empty directory; a database someone made
	 * meanwhile wins. */
	if (rename(dir, ctl->db_dir) < 0 && errno != ENOTEMPTY &&
	    errno != EEXIST) {
		aliasctl_error("cannot make the database %s: %s", ctl->db_dir,
			       strerror(errno));
		ex = ALIASCTL_EXIT_SYSTEM;
		goto out;
	}
	ex = ALIASCTL_EXIT_SYSTEM;
	if (aliasctl_db_open(ctl, 0, false, &db) == 0) {
		ex = ALIASCTL_EXIT_OK;
		*ret_db = db;
		db = NULL;
	}
out:
	aliasdb_close(db);
	convert_rm_partial(dir);
	free(host);
	free(dir);
	return ex;
}

/* Plan @a->op on the tree with @db's aliases (the default set without
 * one). Prints why on failure. */
static int convert_plan(struct aliasctl *ctl, const struct convert_args *a,
			struct aliasdb *db, int fd, const char *tree,
			const struct aliasdb_convert_opts *opts,
			struct aliasdb_plan **ret_plan)
{
	struct aliasdb_map *map = NULL;
	int r;

	r = convert_load_map(db, a->arch, &map);
	if (r == -ENOENT && !db) {
		aliasctl_error("unknown architecture %s", a->arch);
		return ALIASCTL_EXIT_USAGE;
	}
	if (r < 0)
		return aliasctl_db_error(ctl, "cannot read the aliases", r);
	r = aliasdb_convert_plan(db, map, fd, a->op, opts, ret_plan);
	aliasdb_map_free(map);
	if (r < 0) {
		aliasctl_error("%s: cannot read %s: %s", convert_name(a->op),
			       tree, strerror(-r));
		return ALIASCTL_EXIT_SYSTEM;
	}
	return ALIASCTL_EXIT_OK;
}

static void convert_print_item(const struct aliasdb_plan_item *it)
{
	aliasctl_out_printf("%-12s ", aliasdb_plan_kind_name(it->kind));
	aliasctl_out_text(it->path);
	if (it->other) {
		aliasctl_out_puts(
			it->kind == ALIASDB_PLAN_CONFLICT ||
					it->kind == ALIASDB_PLAN_NOTE ||
					it->kind == ALIASDB_PLAN_SKIP ||
					it->kind == ALIASDB_PLAN_DEDUP
				? " | "
				: " -> ");
		aliasctl_out_text(it->other);
	}
	if (it->detail) {
		aliasctl_out_puts(it->kind == ALIASDB_PLAN_SYMLINK ? " -> "
								   : ": ");
		aliasctl_out_text(it->detail);
	}
	aliasctl_out_puts("\n");
}

/* The conflicts on stderr; how many. */
static size_t convert_print_conflicts(const struct convert_args *a,
				      const struct aliasdb_plan *plan)
{
	const struct aliasdb_plan_item *items;
	size_t n, c = aliasdb_plan_conflicts(plan);

	if (!c)
		return 0;
	items = aliasdb_plan_items(plan, &n);
	fprintf(stderr, "aliasctl %s: %zu conflict%s; nothing was changed%s:\n",
		convert_name(a->op), c, c == 1 ? "" : "s",
		a->op == ALIASDB_OP_CONVERT
			? " (--prefer canonical|alias resolves differing "
			  "files by moving the other side into the quarantine)"
			: "");
	for (size_t i = 0; i < n; i++)
		if (items[i].kind == ALIASDB_PLAN_CONFLICT)
			fprintf(stderr, "  %s%s%s: %s\n", items[i].path,
				items[i].other ? " | " : "",
				items[i].other ? items[i].other : "",
				items[i].detail ? items[i].detail : "");
	return c;
}

/* After a run: what was done, by kind, and every remark. */
static void convert_print_summary(const struct convert_args *a,
				  const struct aliasdb_plan *plan,
				  const char *tree)
{
	size_t count[ALIASDB_PLAN_CONFLICT + 1] = {0}, n;
	const struct aliasdb_plan_item *items = aliasdb_plan_items(plan, &n);
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		count[items[i].kind]++;
		if (items[i].kind == ALIASDB_PLAN_QUARANTINE ||
		    items[i].kind == ALIASDB_PLAN_NOTE ||
		    items[i].kind == ALIASDB_PLAN_SKIP ||
		    items[i].kind == ALIASDB_PLAN_SYMLINK)
			convert_print_item(&items[i]);
	}
	aliasctl_out_printf(
		"%s %s:", a->op == ALIASDB_OP_REVERT ? "reverted" : "converted",
		tree);
	for (int k = 0; k <= ALIASDB_PLAN_CONFLICT; k++) {
		if (!count[k] || k == ALIASDB_PLAN_NOTE ||
		    k == ALIASDB_PLAN_SKIP)
			continue;
		aliasctl_out_printf("%s %zu %s", any ? "," : "", count[k],
				    aliasdb_plan_kind_name(k));
		any = true;
	}
	aliasctl_out_printf("%s (%zu steps)\n", any ? "" : " nothing to do",
			    aliasdb_plan_steps(plan));
}

static int convert_failed(const struct convert_args *a, const char *tree,
			  const char *doing, int r,
			  const struct aliasdb_convert_status *st)
{
	const char *name = convert_name(a->op);

	if (r == -ENOTEMPTY)
		aliasctl_error("%s: %s %s: %s is not empty: something wrote "
			       "into the tree meanwhile (nothing lost: see "
			       "below)",
			       name, doing, tree, st->where);
	else if (st->where[0])
		aliasctl_error("%s: %s %s: %s: %s", name, doing, tree,
			       st->where, strerror(-r));
	else
		aliasctl_error("%s: %s %s: %s", name, doing, tree,
			       strerror(-r));
	fprintf(stderr,
		"aliasctl: the journal holds the run (%llu steps made, %llu "
		"undone): 'aliasctl %s --resume %s' finishes it, 'aliasctl "
		"%s --rollback %s' undoes it\n",
		(unsigned long long)st->made, (unsigned long long)st->undone,
		name, tree, name, tree);
	return ALIASCTL_EXIT_SYSTEM;
}

/* Finish or undo a pending run. */
static int convert_pending(const struct convert_args *a, struct aliasdb *db,
			   int fd, const char *tree,
			   const struct aliasdb_convert_opts *opts,
			   struct aliasdb_convert_status *st)
{
	bool back = a->mode == CONVERT_ROLLBACK;
	int r;

	r = back ? aliasdb_convert_rollback(db, fd, opts, st)
		 : aliasdb_convert_resume(db, fd, opts, st);
	if (r == -EALREADY) {
		aliasctl_error("%s: the %s of %s had made every step when it "
			       "stopped: 'aliasctl %s --resume %s' finishes "
			       "it; after that, %s undoes it",
			       convert_name(a->op), convert_name(a->op), tree,
			       convert_name(a->op), tree,
			       a->op == ALIASDB_OP_CONVERT
				       ? "'aliasctl revert'"
				       : "'aliasctl convert'");
		return ALIASCTL_EXIT_USAGE;
	}
	if (r == -ESTALE) {
		aliasctl_error("%s: the pending run in the database belongs "
			       "to another tree than %s",
			       convert_name(a->op), tree);
		return ALIASCTL_EXIT_USAGE;
	}
	if (r < 0)
		return convert_failed(
			a, tree, back ? "cannot roll back" : "cannot finish", r,
			st);
	aliasctl_out_printf("%s %s: %llu step%s %s\n",
			    back ? "rolled back" : "finished", tree,
			    (unsigned long long)(back ? st->undone : st->made),
			    (back ? st->undone : st->made) == 1 ? "" : "s",
			    back ? "undone" : "made");
	return ALIASCTL_EXIT_OK;
}

static int convert_plan_and_run(struct aliasctl *ctl,
				const struct convert_args *a,
				struct aliasdb **dbp, int fd, const char *tree,
				const struct aliasdb_convert_opts *opts,
				struct aliasdb_convert_status *st)
{
	const struct aliasdb_plan_item *items;
	struct aliasdb_plan *plan = NULL;
	size_t n;
	int r, ex;

	ex = convert_plan(ctl, a, *dbp, fd, tree, opts, &plan);
	if (ex != ALIASCTL_EXIT_OK)
		return ex;
	if (a->mode == CONVERT_DRY_RUN) {
		items = aliasdb_plan_items(plan, &n);
		for (size_t i = 0; i < n; i++)
			convert_print_item(&items[i]);
		aliasctl_out_printf("%zu steps, %zu conflicts\n",
				    aliasdb_plan_steps(plan),
				    aliasdb_plan_conflicts(plan));
		if (convert_print_conflicts(a, plan))
			ex = ALIASCTL_EXIT_USAGE;
		goto out;
	}
	if (convert_print_conflicts(a, plan)) {
		ex = ALIASCTL_EXIT_USAGE;
		goto out;
	}
	if (!*dbp && aliasdb_plan_steps(plan)) {
		/* Only now, with a plan that can be made, does the tree get
		 * a database; the plan is made again with it (its
		 * quarantine). */
		aliasdb_plan_free(plan);
		plan = NULL;
		ex = convert_create_db(ctl, a, dbp);
		if (ex == ALIASCTL_EXIT_OK)
			ex = convert_plan(ctl, a, *dbp, fd, tree, opts, &plan);
		if (ex != ALIASCTL_EXIT_OK)
			goto out;
		if (convert_print_conflicts(a, plan)) {
			ex = ALIASCTL_EXIT_USAGE;
			goto out;
		}
	}
	if (!*dbp) {
		convert_print_summary(a, plan, tree);
		goto out;
	}
	r = aliasdb_convert_execute(*dbp, fd, plan, opts, st);
	if (r == -EXDEV)
		aliasctl_error("%s: %s spans file systems at %s: renames "
			       "cannot cross them",
			       convert_name(a->op), tree, st->where);
	if (r < 0)
		ex = convert_failed(a, tree, "stopped in", r, st);
	else
		convert_print_summary(a, plan, tree);
out:
	aliasdb_plan_free(plan);
	return ex;
}

int convert_parse(struct aliasctl *ctl, struct convert_args *a, int argc,
		  char **argv)
{
	enum {
		OPT_RESUME = 0x100,
		OPT_ROLLBACK,
		OPT_PREFER,
		OPT_ARCH,
		OPT_DPKG_ONLY
	};
	static const struct option convert_opts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"resume", no_argument, NULL, OPT_RESUME},
		{"rollback", no_argument, NULL, OPT_ROLLBACK},
		{"prefer", required_argument, NULL, OPT_PREFER},
		{"arch", required_argument, NULL, OPT_ARCH},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const struct option revert_opts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"resume", no_argument, NULL, OPT_RESUME},
		{"rollback", no_argument, NULL, OPT_ROLLBACK},
		{"dpkg-only", no_argument, NULL, OPT_DPKG_ONLY},
		{"arch", required_argument, NULL, OPT_ARCH},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool modes = false;
	int c, ex;

	(void)ctl;
	while ((c = aliasctl_getopt(a->cmd, argc, argv, ":nh",
				    a->op == ALIASDB_OP_CONVERT ? convert_opts
								: revert_opts,
				    &ex)) != -1) {
		enum convert_mode m = CONVERT_RUN;

		switch (c) {
		case -2:
			return ex;
		case 'n':
			m = CONVERT_DRY_RUN;
			break;
		case OPT_RESUME:
			m = CONVERT_RESUME;
			break;
		case OPT_ROLLBACK:
			m = CONVERT_ROLLBACK;
			break;
		case OPT_PREFER:
			if (strcmp(optarg, "canonical") == 0)
				a->prefer = ALIASDB_PREFER_CANONICAL;
			else if (strcmp(optarg, "alias") == 0)
				a->prefer = ALIASDB_PREFER_ALIAS;
			else
				return aliasctl_usage_error(
					a->cmd,
					"--prefer takes canonical or alias, "
					"not '%s'",
					optarg);
			continue;
		case OPT_ARCH:
			a->arch = optarg;
			continue;
		case OPT_DPKG_ONLY:
			a->flags |= ALIASDB_REVERT_DPKG_ONLY;
			continue;
		default:
			continue;
		}
		if (modes && a->mode != m)
			return aliasctl_usage_error(
				a->cmd, "--dry-run, --resume and --rollback "
					"exclude each other");
		modes = true;
		a->mode = m;
	}
	if (argc - optind > 1)
		return aliasctl_usage_error(a->cmd, "unexpected argument '%s'",
					    argv[optind + 1]);
	if (optind < argc) {
		if (!*argv[optind])
			return aliasctl_usage_error(a->cmd,
						    "TREE is an empty string");
		a->tree = argv[optind];
	}
	return -1;
}

int convert_main(struct aliasctl *ctl, const struct convert_args *a)
{
	struct convert_debug dbg = {0};
	struct aliasdb_convert_opts opts = {
		.prefer = a->prefer,
		.flags = a->flags,
		.event = convert_event,
		.userdata = &dbg,
	};
	struct aliasdb_convert_status st = {0};
	enum aliasdb_convert_op pop = ALIASDB_OP_NONE;
	enum aliasdb_pending pending = ALIASDB_PENDING_NONE;
	struct aliasctl local = *ctl;
	struct aliasdb *db = NULL;
	char *tree = NULL, *db_dir = NULL, *partial;
	const char *env;
	int fd = -1, ex, r;

	env = getenv("ALIASCTL_DEBUG_KILL_AFTER");
	if (env && *env)
		dbg.kill_after = strtoull(env, NULL, 10);
	env = getenv("ALIASCTL_DEBUG_DELAY_US");
	if (env && *env)
		dbg.delay_us = strtoul(env, NULL, 10);
	if (a->tree) {
		tree = strdup(a->tree);
		if (!tree) {
			aliasctl_error("%s", strerror(ENOMEM));
			return ALIASCTL_EXIT_SYSTEM;
		}
		ex = convert_open_tree(a, tree, &fd);
	} else {
		ex = aliasctl_tree_open(ctl, a->cmd, NULL, &fd, &tree);
		if (ex == ALIASCTL_EXIT_OK) {
			close(fd);
			fd = -1;
			ex = convert_open_tree(a, tree, &fd);
		}
	}
	if (ex != ALIASCTL_EXIT_OK)
		goto out;
	/* convert TREE works on TREE's database unless told otherwise. */
	if (a->tree && ctl->db_default) {
		if (asprintf(&db_dir, "%s/%s", strcmp(tree, "/") ? tree : "",
			     ALIASDB_DEFAULT_SUBDIR) < 0) {
			ex = ALIASCTL_EXIT_SYSTEM;
			goto out;
		}
		local.db_dir = db_dir;
	}
	if (a->mode != CONVERT_DRY_RUN) {
		ex = convert_refuse_busy(a, tree, fd, local.db_dir);
		if (ex != ALIASCTL_EXIT_OK)
			goto out;
		/* A database a killed run was making, never put in place. */
		if (asprintf(&partial, "%s.new", local.db_dir) < 0) {
			ex = ALIASCTL_EXIT_SYSTEM;
			goto out;
		}
		convert_rm_partial(partial);
		free(partial);
	}
	ex = convert_open_db(&local, &db);
	if (ex != ALIASCTL_EXIT_OK)
		goto out;
	if (db) {
		r = aliasdb_convert_pending(db, &pop, &pending);
		if (r < 0) {
			ex = aliasctl_db_error(
				&local, "cannot read the convert journal", r);
			goto out;
		}
	}
	if (pending != ALIASDB_PENDING_NONE && pop != a->op) {
		aliasctl_error("%s: an interrupted %s of %s is pending: "
			       "'aliasctl %s --resume %s' or 'aliasctl %s "
			       "--rollback %s' first",
			       convert_name(a->op), convert_name(pop), tree,
			       convert_name(pop), tree, convert_name(pop),
			       tree);
		ex = ALIASCTL_EXIT_USAGE;
	} else if (a->mode == CONVERT_ROLLBACK || a->mode == CONVERT_RESUME) {
		if (pending == ALIASDB_PENDING_NONE)
			aliasctl_out_printf("nothing to %s in %s\n",
					    a->mode == CONVERT_ROLLBACK
						    ? "roll back"
						    : "resume",
					    tree);
		else
			ex = convert_pending(a, db, fd, tree, &opts, &st);
	} else if (pending == ALIASDB_PENDING_ROLLBACK) {
		aliasctl_error("%s: an interrupted rollback of %s is pending: "
			       "'aliasctl %s --rollback %s' finishes it",
			       convert_name(a->op), tree, convert_name(a->op),
			       tree);
		ex = ALIASCTL_EXIT_USAGE;
	} else if (pending != ALIASDB_PENDING_NONE &&
		   a->mode == CONVERT_DRY_RUN) {
		aliasctl_out_printf("an interrupted %s of %s is pending: a "
				    "rerun finishes it\n",
				    convert_name(a->op), tree);
	} else if (pending != ALIASDB_PENDING_NONE) {
		fprintf(stderr,
			"aliasctl %s: finishing the interrupted %s "
			"of %s\n",
			convert_name(a->op), convert_name(a->op), tree);
		ex = convert_pending(a, db, fd, tree, &opts, &st);
	} else {
		ex = convert_plan_and_run(&local, a, &db, fd, tree, &opts, &st);
	}
	env = getenv("ALIASCTL_DEBUG_EVENTS");
	if (env && *env == '1')
		fprintf(stderr, "aliasctl: debug: %llu events\n",
			(unsigned long long)st.events);
out:
	aliasdb_close(db);
	if (fd >= 0)
		close(fd);
	free(tree);
	free(db_dir);
	return ex;
}
