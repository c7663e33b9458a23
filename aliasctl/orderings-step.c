/* One step on one side, and the sync that follows it on a view. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aliasdb.h"
#include "aliasctl/orderings-proc.h"
#include "aliasctl/orderings-record.h"
#include "aliasctl/orderings-step.h"

extern char **environ;

static double step_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int step_why(char **ret_why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int step_why(char **ret_why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_why, fmt, ap) < 0)
		*ret_why = NULL;
	va_end(ap);
	return err;
}

char **ord_step_env(size_t *ret_count)
{
	static const char *const drop[] = {
		"PATH=",       "LC_",	       "LANG=",
		"LANGUAGE=",   "DPKG_",	       "DEBIAN_FRONTEND=",
		"LD_PRELOAD=", "FAKEROOTKEY=", "POSIXLY_CORRECT=",
		NULL,
	};
	static const char *const add[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
		"/sbin:/bin",
		"LC_ALL=C.UTF-8",
		"DEBIAN_FRONTEND=noninteractive",
		"DPKG_COLORS=never",
		NULL,
	};
	char **env = NULL;
	size_t n = 0;

	for (char **e = environ; *e; e++) {
		bool skip = false;

		for (size_t i = 0; drop[i]; i++)
			if (strncmp(*e, drop[i], strlen(drop[i])) == 0)
				skip = true;
		if (!skip && ord_strv_push(&env, &n, *e) < 0)
			goto nomem;
	}
	for (size_t i = 0; add[i]; i++)
		if (ord_strv_push(&env, &n, add[i]) < 0)
			goto nomem;
	{
		char **ne = realloc(env, (n + 1) * sizeof(*ne));

		if (!ne)
			goto nomem;
		env = ne;
		env[n] = NULL;
	}
	*ret_count = n;
	return env;
nomem:
	ord_strv_free(env, n);
	return NULL;
}

int ord_step_dpkg_skeleton(const char *root)
{
	static const char *const dirs[] = {
		"var",
		"var/lib",
		"var/lib/dpkg",
		"var/lib/dpkg/info",
		"var/lib/dpkg/updates",
		"var/lib/dpkg/triggers",
		"var/lib/dpkg/alternatives",
		"var/log",
		"etc",
		"etc/alternatives",
		NULL,
	};
	static const char *const files[] = {
		"var/lib/dpkg/status",
		"var/lib/dpkg/available",
		NULL,
	};
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	for (size_t i = 0; dirs[i] && r == 0; i++)
		if (mkdirat(fd, dirs[i], 0755) < 0 && errno != EEXIST)
			r = -errno;
	for (size_t i = 0; files[i] && r == 0; i++) {
		int f = openat(fd, files[i], O_WRONLY | O_CREAT | O_CLOEXEC,
			       0644);

		if (f < 0)
			r = -errno;
		else
			close(f);
	}
	close(fd);
	return r;
}

/* ---- Output -------------------------------------------------------- */

/* Replace every @from in *@s by @to. */
static int step_replace(char **s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), count = 0;
	char *out, *o;
	const char *p;

	if (fl == 0)
		return 0;
	for (p = *s; (p = strstr(p, from)); p += fl)
		count++;
	if (count == 0)
		return 0;
	out = malloc(strlen(*s) - count * fl + count * tl + 1);
	if (!out)
		return -ENOMEM;
	for (p = *s, o = out;;) {
		const char *hit = strstr(p, from);

		if (!hit) {
			strcpy(o, p);
			break;
		}
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, to, tl);
		o += tl;
		p = hit + fl;
	}
	free(*s);
	*s = out;
	return 0;
}

/* The command's output from @path: head and tail when long, with the
 * run's own directories taken out so that runs compare. */
static int step_read_output(const struct ord_step_ctx *c, const char *path,
			    char *const *debdirs, size_t n_debdirs,
			    char **ret_out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	off_t size;
	size_t half = ORD_STEP_OUTPUT_MAX / 2;
	int r = 0;

	if (fd < 0)
		return -errno;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0) {
		close(fd);
		return -errno;
	}
	buf = malloc(ORD_STEP_OUTPUT_MAX + 128);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	if ((size_t)size <= ORD_STEP_OUTPUT_MAX) {
		ssize_t n = pread(fd, buf, (size_t)size, 0);

		buf[n > 0 ? n : 0] = '\0';
	} else {
		ssize_t a = pread(fd, buf, half, 0);
		int m;
		ssize_t b;

		a = a > 0 ? a : 0;
		m = snprintf(buf + a, 128, "\n[... %lld bytes cut ...]\n",
			     (long long)((size_t)size - 2 * half));
		b = pread(fd, buf + a + m, half, size - (off_t)half);
		buf[a + m + (b > 0 ? b : 0)] = '\0';
	}
	close(fd);
	for (size_t i = 0; i < n_debdirs && r == 0; i++)
		r = step_replace(&buf, debdirs[i], "");
	if (r == 0)
		r = step_replace(&buf, c->root, "");
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_out = buf;
	return 0;
}

static int step_append(char **s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int step_append(char **s, const char *fmt, ...)
{
	char *add = NULL, *n = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (asprintf(&n, "%s%s", *s ? *s : "", add) < 0) {
		free(add);
		return -ENOMEM;
	}
	free(add);
	free(*s);
	*s = n;
	return 0;
}

/* ---- dpkg -------------------------------------------------------- */

static const struct ord_debinfo *step_deb(const struct ord_step_ctx *c,
					  const char *label, size_t *ret_i)
{
	for (size_t i = 0; i < c->sc->n_packages; i++)
		if (strcmp(c->sc->packages[i].label, label) == 0) {
			if (ret_i)
				*ret_i = i;
			return c->debs[i];
		}
	return NULL;
}

/* The dpkg call of @step: argv (with a "--root=" we own) and the command
 * as shown. */
static int step_dpkg_argv(const struct ord_step_ctx *c,
			  const struct ord_step *step, char ***ret_argv,
			  size_t *ret_argc, char **ret_shown,
			  char ***ret_debdirs, size_t *ret_n_debdirs)
{
	char **argv = NULL, **debdirs = NULL, *root_opt = NULL, *shown = NULL;
	size_t argc = 0, n_debdirs = 0, len = 0;
	const char *action = NULL;
	FILE *sf;
	int r = 0;

	if (asprintf(&root_opt, "--root=%s", c->root) < 0)
		return -ENOMEM;
	sf = open_memstream(&shown, &len);
	if (!sf) {
		free(root_opt);
		return -ENOMEM;
	}
	if (c->mode == ORD_MODE_FAKEROOT) {
		r |= ord_strv_push(&argv, &argc, "fakeroot");
		r |= ord_strv_push(&argv, &argc, "--");
	}
	r |= ord_strv_push(&argv, &argc, "dpkg");
	r |= ord_strv_push(&argv, &argc, root_opt);
	r |= ord_strv_push(&argv, &argc, "--force-script-chrootless");
	r |= ord_strv_push(&argv, &argc, "--log=/dev/null");
	fputs("dpkg", sf);
	switch (step->kind) {
	case ORD_STEP_INSTALL:
		action = "-i";
		break;
	case ORD_STEP_REMOVE:
		action = "-r";
		break;
	case ORD_STEP_PURGE:
		action = "-P";
		break;
	default:
		break;
	}
	for (size_t i = 0; i < step->n_opts; i++) {
		r |= ord_strv_push(&argv, &argc, step->opts[i]);
		fprintf(sf, " %s", step->opts[i]);
	}
	if (action) {
		r |= ord_strv_push(&argv, &argc, action);
		fprintf(sf, " %s", action);
	}
	for (size_t i = 0; i < step->n_args; i++) {
		const char *a = step->args[i];
		const struct ord_debinfo *d = NULL;

		if (step->kind == ORD_STEP_INSTALL) {
			const char *slash;

			d = step_deb(c, a, NULL);
			if (!d) {
				r = -ENOENT;
				break;
			}
			r |= ord_strv_push(&argv, &argc, d->file);
			slash = strrchr(d->file, '/');
			fprintf(sf, " %s", slash ? slash + 1 : d->file);
			if (slash) {
				char *dir = strndup(
					d->file, (size_t)(slash - d->file) + 1);

				if (!dir || ord_strv_push(&debdirs, &n_debdirs,
							  dir) < 0)
					r = -ENOMEM;
				free(dir);
			}
			continue;
		}
		if (step->kind == ORD_STEP_REMOVE ||
		    step->kind == ORD_STEP_PURGE) {
			/* A label names its package. */
			d = step_deb(c, a, NULL);
			if (d)
				a = d->name;
		}
		r |= ord_strv_push(&argv, &argc, a);
		fprintf(sf, " %s", a);
	}
	if (fclose(sf) != 0)
		r = -ENOMEM;
	free(root_opt);
	if (r == 0) {
		char **na = realloc(argv, (argc + 1) * sizeof(*na));

		if (na) {
			argv = na;
			argv[argc] = NULL;
		} else {
			r = -ENOMEM;
		}
	}
	if (r != 0) {
		ord_strv_free(argv, argc);
		ord_strv_free(debdirs, n_debdirs);
		free(shown);
		return r < 0 ? r : -ENOMEM;
	}
	*ret_argv = argv;
	*ret_argc = argc;
	*ret_shown = shown;
	*ret_debdirs = debdirs;
	*ret_n_debdirs = n_debdirs;
	return 0;
}

static int step_dpkg(const struct ord_step_ctx *c, const struct ord_step *step,
		     struct ord_step_result *res, char ***reported,
		     size_t *n_reported, char **ret_why)
{
	char **argv = NULL, **debdirs = NULL;
	size_t argc = 0, n_debdirs = 0;
	struct ord_proc_opts o = {.envp = c->envp, .deathsig = SIGKILL};
	int fd, r, rc = -1;

	r = step_dpkg_argv(c, step, &argv, &argc, &res->command, &debdirs,
			   &n_debdirs);
	if (r < 0)
		return step_why(ret_why, r, "cannot build the dpkg call: %s",
				strerror(-r));
	fd = open(c->outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = -errno;
		step_why(ret_why, r, "%s: %s", c->outfile, strerror(-r));
		goto out;
	}
	o.argv = argv;
	o.out_fd = fd;
	r = ord_proc_run(&o, c->timeout_ms, &rc);
	close(fd);
	if (r == -ECANCELED)
		goto out;
	if (r == -ETIMEDOUT) {
		res->timed_out = true;
		rc = -1;
		r = 0;
	} else if (r < 0) {
		step_why(ret_why, r, "cannot run %s: %s", argv[0],
			 strerror(-r));
		goto out;
	}
	res->rc = rc;
	r = step_read_output(c, c->outfile, debdirs, n_debdirs, &res->output);
	if (r == 0)
		r = ord_record_parse_output(res->output, &res->errors,
					    &res->n_errors, reported,
					    n_reported);
	if (r == 0 && res->timed_out) {
		char msg[80];

		snprintf(msg, sizeof(msg), "timed out after %d s: killed",
			 c->timeout_ms / 1000);
		r = ord_strv_push(&res->errors, &res->n_errors, msg);
	}
	if (r < 0)
		step_why(ret_why, r, "reading dpkg's output: %s", strerror(-r));
out:
	ord_strv_free(argv, argc);
	ord_strv_free(debdirs, n_debdirs);
	return r;
}

/* ---- Declarations ------------------------------------------------ */

/* mkdir -p @root/@rel; -errno. */
static int step_mkdirs(const char *root, const char *rel)
{
	char buf[ALIASDB_PATH_MAX * 2];
	int n = snprintf(buf, sizeof(buf), "%s/%s", root, rel);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	for (char *s = buf + strlen(root) + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char save = *s;

			*s = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				return -errno;
			*s = save;
		}
		if (!*s)
			return 0;
	}
}

static int step_declare(const struct ord_step_ctx *c,
			const struct ord_step *step,
			struct ord_step_result *res)
{
	const char *name = step->args[0];
	char *path = NULL, *tmp = NULL, *text = NULL;
	int r = 0;

	if (step->kind == ORD_STEP_DECLARE) {
		for (size_t i = 1; i + 1 < step->n_args && r == 0; i += 2)
			r = step_append(&text, "%s %s\n", step->args[i],
					step->args[i + 1]);
		if (r == 0)
			r = step_append(&res->command, "declare %s", name);
		for (size_t i = 1; i < step->n_args && r == 0; i++)
			r = step_append(&res->command, " %s", step->args[i]);
	} else {
		r = step_append(&res->command, "undeclare %s", name);
	}
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/%s/%s", c->root, ALIASDB_DECL_DIR, name) < 0 ||
	    asprintf(&tmp, "%s/%s/.%s.new", c->root, ALIASDB_DECL_DIR, name) <
		    0) {
		free(path);
		free(text);
		return -ENOMEM;
	}
	if (step->kind == ORD_STEP_DECLARE) {
		/* Written aside and renamed in, as dpkg would: the sync
		 * never reads half a declaration. */
		int fd;

		r = step_mkdirs(c->root, ALIASDB_DECL_DIR);
		fd = r < 0 ? -1
			   : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				  0644);
		if (r == 0 && fd < 0)
			r = -errno;
		if (fd >= 0) {
			if (write(fd, text, strlen(text)) !=
			    (ssize_t)strlen(text))
				r = -errno;
			if (close(fd) < 0 && r == 0)
				r = -errno;
			if (r == 0 && rename(tmp, path) < 0)
				r = -errno;
			if (r < 0)
				unlink(tmp);
		}
	} else if (unlink(path) < 0) {
		r = -errno;
	}
	res->rc = r < 0 ? 1 : 0;
	if (r < 0) {
		char msg[ALIASDB_PATH_MAX + 64];

		snprintf(msg, sizeof(msg), "%s: %s", path + strlen(c->root),
			 strerror(-r));
		r = ord_strv_push(&res->errors, &res->n_errors, msg);
		if (r == 0)
			r = step_append(&res->output, "%s\n", msg);
	} else {
		r = 0;
	}
	free(path);
	free(tmp);
	free(text);
	return r;
}

/* ---- Sync and the view's alias map -------------------------------- */

static int step_sync(const struct ord_step_ctx *c, struct ord_step_result *res,
		     const char *prefix, bool *ret_problems, char **ret_why)
{
	struct aliasdb_sync_report *rep = NULL;
	struct aliasdb *db;
	char *dbdir = NULL;
	int fd, r;

	*ret_problems = false;
	if (asprintf(&dbdir, "%s/%s", c->backing, ALIASDB_DEFAULT_SUBDIR) < 0)
		return -ENOMEM;
	r = aliasdb_open(dbdir, 0, &db);
	free(dbdir);
	if (r < 0)
		return step_why(ret_why, r,
				"cannot open the view's database: "
				"%s",
				strerror(-r));
	fd = open(c->backing, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		aliasdb_close(db);
		return step_why(ret_why, r, "%s: %s", c->backing, strerror(-r));
	}
	r = aliasdb_sync(db, fd, &rep);
	close(fd);
	aliasdb_close(db);
	if (r == -ELOOP || r == -ENOTDIR) {
		*ret_problems = true;
		return step_append(&res->output,
				   "%s%s is not a plain directory: nothing "
				   "synced\n",
				   prefix, ALIASDB_DECL_DIR);
	}
	if (r < 0)
		return step_why(ret_why, r, "sync: %s", strerror(-r));
	for (size_t i = 0; i < rep->n_events && r == 0; i++) {
		const struct aliasdb_sync_event *e = &rep->events[i];

		if (e->kind == ALIASDB_SYNC_REFUSED ||
		    e->kind == ALIASDB_SYNC_MALFORMED ||
		    e->kind == ALIASDB_SYNC_UNREADABLE)
			*ret_problems = true;
		r = step_append(&res->output, "%s%s", prefix,
				aliasdb_sync_kind_name(e->kind));
		if (r == 0 && e->decl)
			r = step_append(&res->output, " %s", e->decl);
		if (r == 0 && e->decl && e->line)
			r = step_append(&res->output, ":%u", e->line);
		if (r == 0 && e->alias)
			r = step_append(&res->output, " %s -> %s", e->alias,
					e->canonical ? e->canonical : "?");
		if (r == 0 && e->detail)
			r = step_append(&res->output, ": %s", e->detail);
		if (r == 0)
			r = step_append(&res->output, "\n");
	}
	aliasdb_sync_report_free(rep);
	return r;
}

/* What lstat says of @path as a type letter, or 0 when absent. */
static char step_type_at(const char *dir, const char *path)
{
	char buf[ALIASDB_PATH_MAX * 2];
	struct stat st;

	snprintf(buf, sizeof(buf), "%s%s", dir, path);
	if (lstat(buf, &st) < 0)
		return 0;
	return S_ISLNK(st.st_mode) ? 'l' : S_ISDIR(st.st_mode) ? 'd' : 'f';
}

/* Does the view show each alias as the database has it? Active: a
 * symlink; otherwise: what the backing holds there. Returns the first
 * alias that does not, or NULL. */
static const char *step_view_mismatch(const struct ord_step_ctx *c,
				      struct aliasdb_alias **list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = list[i]->alias;
		char shown = step_type_at(c->root, a);
		char want = list[i]->state == ALIASDB_STATE_ACTIVE
				    ? 'l'
				    : step_type_at(c->backing, a);

		if (shown != want)
			return a;
	}
	return NULL;
}

int ord_step_settle(const struct ord_step_ctx *c, bool sync,
		    struct ord_step_result *res, char **ret_why)
{
	struct aliasdb_alias **list = NULL;
	struct aliasdb *db;
	char *dbdir = NULL;
	const char *bad = NULL;
	size_t n = 0;
	bool problems;
	int r;

	*ret_why = NULL;
	if (sync) {
		r = step_sync(c, res, "autosync: ", &problems, ret_why);
		if (r < 0)
			return r;
	}
	if (asprintf(&dbdir, "%s/%s", c->backing, ALIASDB_DEFAULT_SUBDIR) < 0)
		return -ENOMEM;
	r = aliasdb_open(dbdir, ALIASDB_OPEN_RDONLY, &db);
	free(dbdir);
	if (r < 0)
		return step_why(ret_why, r,
				"cannot open the view's database: "
				"%s",
				strerror(-r));
	r = aliasdb_list(db, &list, &n);
	aliasdb_close(db);
	if (r < 0)
		return step_why(ret_why, r, "cannot list the aliases: %s",
				strerror(-r));
	/* The daemon looks at the database every 200 ms; give it 10 s. */
	for (int waited = 0;; waited += 5) {
		struct timespec ts = {.tv_nsec = 5000000};

		bad = step_view_mismatch(c, list, n);
		if (!bad || ord_proc_aborted() || waited >= 10000)
			break;
		nanosleep(&ts, NULL);
	}
	if (bad)
		r = ord_proc_aborted()
			    ? -ECANCELED
			    : step_why(ret_why, -ETIMEDOUT,
				       "the view did not show alias %s as "
				       "the database has it within 10 s",
				       bad);
	aliasdb_alias_list_free(list, n);
	return r;
}

int ord_step_run(const struct ord_step_ctx *c, const struct ord_step *step,
		 struct ord_step_result *res, char ***reported,
		 size_t *n_reported, char **ret_why)
{
	double t0 = step_now();
	bool problems = false;
	int r = 0;

	*ret_why = NULL;
	memset(res, 0, sizeof(*res));
	switch (step->kind) {
	case ORD_STEP_INSTALL:
	case ORD_STEP_REMOVE:
	case ORD_STEP_PURGE:
	case ORD_STEP_DPKG:
		r = step_dpkg(c, step, res, reported, n_reported, ret_why);
		break;
	case ORD_STEP_DECLARE:
	case ORD_STEP_UNDECLARE:
		r = step_declare(c, step, res);
		break;
	case ORD_STEP_SYNC:
		res->command = strdup("sync");
		if (!res->command)
			return -ENOMEM;
		if (c->view) {
			r = step_sync(c, res, "", &problems, ret_why);
			res->rc = problems ? 1 : 0;
		} else {
			r = step_append(&res->output, "no aliasfs here: "
						      "nothing to sync\n");
		}
		break;
	default:
		r = -EINVAL;
		break;
	}
	if (r == 0 && !res->output)
		res->output = strdup("");
	if (r == 0 && !res->output)
		r = -ENOMEM;
	if (r < 0 && !*ret_why && r != -ECANCELED)
		step_why(ret_why, r, "%s", strerror(-r));
	res->seconds = step_now() - t0;
	return r;
}
