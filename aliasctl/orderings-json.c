/* Writing a result as JSON. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasctl/aliasctl.h"
#include "aliasctl/orderings-json.h"

struct jw {
	FILE *f;
	bool html;
};

static void jw_str(struct jw *w, const char *s)
{
	if (s)
		aliasctl_json_fstring(w->f, s, w->html);
	else
		fputs("null", w->f);
}

static void jw_key(struct jw *w, const char *key)
{
	aliasctl_json_fstring(w->f, key, w->html);
	fputs(": ", w->f);
}

static void jw_strv(struct jw *w, char *const *v, size_t n)
{
	fputc('[', w->f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", w->f);
		jw_str(w, v[i]);
	}
	fputc(']', w->f);
}

static const char *jw_type(char t)
{
	switch (t) {
	case 'f':
		return "file";
	case 'd':
		return "dir";
	case 'l':
		return "symlink";
	case 'c':
		return "char";
	case 'b':
		return "block";
	case 'p':
		return "fifo";
	case 's':
		return "socket";
	default:
		return "other";
	}
}

static void jw_side(struct jw *w, const struct ord_side *s, const char *ind)
{
	FILE *f = w->f;

	fputs("{", f);
	jw_key(w, "outcome");
	jw_str(w, ord_outcome_name(s->outcome));
	fputs(", ", f);
	jw_key(w, "error");
	jw_str(w, s->error);
	fprintf(f, ", \"seconds\": %.3f,\n%s \"steps\": [", s->seconds, ind);
	for (size_t i = 0; i < s->n_steps; i++) {
		const struct ord_step_result *st = &s->steps[i];

		fprintf(f, "%s\n%s  {", i ? "," : "", ind);
		jw_key(w, "command");
		jw_str(w, st->command);
		fprintf(f,
			", \"rc\": %d, \"timed_out\": %s, \"seconds\": "
			"%.3f, ",
			st->rc, st->timed_out ? "true" : "false", st->seconds);
		jw_key(w, "errors");
		jw_strv(w, st->errors, st->n_errors);
		fputs(", ", f);
		jw_key(w, "output");
		jw_str(w, st->output);
		fputc('}', f);
	}
	fprintf(f, "],\n%s ", ind);
	jw_key(w, "lost");
	jw_strv(w, s->lost, s->n_lost);
	fputs(", ", f);
	jw_key(w, "overwritten");
	jw_strv(w, s->overwritten, s->n_overwritten);
	fputs(", ", f);
	jw_key(w, "aliases");
	jw_strv(w, s->aliases, s->n_aliases);
	fputs(", ", f);
	jw_key(w, "blocked");
	fputc('[', f);
	for (size_t i = 0; i < s->n_blocked; i++) {
		fputs(i ? ", {" : "{", f);
		jw_key(w, "alias");
		jw_str(w, s->blocked[i].alias);
		fputs(", ", f);
		jw_key(w, "reason");
		jw_str(w, s->blocked[i].reason);
		fputc('}', f);
	}
	fprintf(f, "],\n%s ", ind);
	jw_key(w, "audit");
	fprintf(f, "{\"rc\": %d, \"output\": ", s->audit_rc);
	jw_str(w, s->audit ? s->audit : "");
	fprintf(f, "},\n%s \"files\": [", ind);
	for (size_t i = 0; i < s->n_files; i++) {
		const struct ord_file *fl = &s->files[i];

		fprintf(f, "%s\n%s  {", i ? "," : "", ind);
		jw_key(w, "path");
		jw_str(w, fl->path);
		fputs(", ", f);
		jw_key(w, "type");
		jw_str(w, jw_type(fl->type));
		if (fl->sha256) {
			fputs(", ", f);
			jw_key(w, "sha256");
			jw_str(w, fl->sha256);
		}
		if (fl->target) {
			fputs(", ", f);
			jw_key(w, "target");
			jw_str(w, fl->target);
		}
		fputs(", ", f);
		jw_key(w, "owners");
		jw_strv(w, fl->owners, fl->n_owners);
		fputc('}', f);
	}
	fputs("]}", f);
}

void ord_json_write(FILE *f, const struct ord_result *res, bool html)
{
	struct jw w = {.f = f, .html = html};

	fputs("{", f);
	jw_key(&w, "scenario");
	jw_str(&w, res->scenario);
	fputs(",\n ", f);
	jw_key(&w, "packages");
	jw_strv(&w, res->packages, res->n_packages);
	fputs(",\n ", f);
	jw_key(&w, "baseline");
	jw_str(&w, res->baseline);
	fputs(", ", f);
	jw_key(&w, "aliases");
	jw_str(&w, res->aliases);
	fputs(", ", f);
	jw_key(&w, "mode");
	jw_str(&w, res->mode);
	fprintf(f, ",\n \"total\": %llu, \"sample\": ",
		(unsigned long long)res->total);
	if (res->sample)
		fprintf(f, "%llu, \"seed\": %llu",
			(unsigned long long)res->sample,
			(unsigned long long)res->seed);
	else
		fputs("null, \"seed\": null", f);
	fprintf(f,
		", \"shard\": \"%llu/%llu\", \"jobs\": %u, \"seconds\": "
		"%.3f,\n \"orderings\": [",
		(unsigned long long)res->shard_k,
		(unsigned long long)(res->shard_n ? res->shard_n : 1),
		res->jobs, res->seconds);
	for (size_t i = 0; i < res->n_orderings; i++) {
		const struct ord_ordering *o = &res->orderings[i];

		fprintf(f, "%s\n  {\"index\": %llu, ", i ? "," : "",
			(unsigned long long)o->index);
		jw_key(&w, "order");
		jw_strv(&w, o->order, o->n_order);
		fputs(",\n   ", f);
		jw_key(&w, "view");
		if (o->view)
			jw_side(&w, o->view, "   ");
		else
			fputs("null", f);
		fputs(",\n   ", f);
		jw_key(&w, "baseline");
		if (o->baseline)
			jw_side(&w, o->baseline, "   ");
		else
			fputs("null", f);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

/* ord_json_write() in the shape ord_result_save() calls. */
static void json_write_file(FILE *f, const struct ord_result *res)
{
	ord_json_write(f, res, false);
}

int ord_json_save(const char *path, const struct ord_result *res)
{
	if (strcmp(path, "-") == 0) {
		ord_json_write(stdout, res, false);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -EIO;
	}
	return ord_result_save(path, res, json_write_file);
}
