/* aliasctl retained: the files retention keeps, as a table or as JSON. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cmd-retain.h"

/* @t as UTC ISO 8601, "2026-12-02T23:01:42Z". */
static void retained_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%" PRId64, t);
}

static void retained_table(const struct aliasdb_retained_index *index)
{
	char since[32];
	size_t i;

	aliasctl_out_puts("PATH\tVERSION\tSIZE\tSINCE\n");
	for (i = 0; i < index->n; i++) {
		const struct aliasdb_retained *e = &index->entries[i];

		retained_time(e->since, since, sizeof(since));
		aliasctl_out_text(e->path);
		aliasctl_out_puts("\t");
		aliasctl_out_text(e->version);
		aliasctl_out_printf("\t%" PRIu64 "\t%s\n", e->size, since);
	}
}

static void retained_json(const struct aliasdb_retained_index *index)
{
	char since[32];
	size_t i;

	aliasctl_out_puts("[");
	for (i = 0; i < index->n; i++) {
		const struct aliasdb_retained *e = &index->entries[i];

		retained_time(e->since, since, sizeof(since));
		aliasctl_out_puts(i ? ",\n  {\"path\": " : "\n  {\"path\": ");
		aliasctl_json_string(e->path);
		aliasctl_out_puts(", \"original\": ");
		aliasctl_json_string(e->original);
		aliasctl_out_puts(", \"package\": ");
		aliasctl_json_string_or_null(e->package[0] ? e->package : NULL);
		aliasctl_out_puts(", \"version\": ");
		aliasctl_json_string(e->version);
		aliasctl_out_printf(", \"size\": %" PRIu64 ", \"since\": \"%s\""
				    ", \"since_epoch\": %" PRId64 "}",
				    e->size, since, e->since);
	}
	aliasctl_out_puts(index->n ? "\n]\n" : "]\n");
}

/* The index of ctl->db_dir, a failure reported. 0 or -errno. */
static int retained_load(const struct aliasctl *ctl,
			 struct aliasdb_retained_index **ret_index)
{
	int r = aliasdb_retained_load(ctl->db_dir, ret_index);

	if (r < 0)
		aliasctl_error("cannot read %s/%s: %s", ctl->db_dir,
			       ALIASDB_RETAINED_FILE,
			       r == -EUCLEAN ? "not a retention index"
					     : strerror(-r));
	return r;
}

static int retained_run(struct aliasctl *ctl, int argc, char **argv)
{
	struct aliasdb_retained_index *index;
	bool json = false;
	int ex;

	ex = aliasctl_getopt_json(&aliasctl_cmd_retained, argc, argv, &json);
	if (ex >= 0)
		return ex;
	/* The index is replaced by rename: a reader needs no lock. */
	if (retained_load(ctl, &index) < 0)
		return ALIASCTL_EXIT_SYSTEM;
	if (json)
		retained_json(index);
	else
		retained_table(index);
	aliasdb_retained_index_free(index);
	return ALIASCTL_EXIT_OK;
}

const struct aliasctl_command aliasctl_cmd_retained = {
	.name = "retained",
	.usage = "retained [--json]",
	.summary = "List the replaced files retention keeps, oldest first.",
	.help = "  --json  print a JSON array of objects {path, original, "
		"package, version,\n"
		"          size, since, since_epoch}\n"
		"PATH is where the old file is kept (read-only), VERSION the "
		"version of the\n"
		"package that shipped it, or gen-N when none did; SIZE in "
		"bytes; SINCE in UTC.\n",
	.run = retained_run,
};
