/* aliasctl dump: the whole database as plain text (what restore reads), or
 * as JSON. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cmd-recovery.h"

static void dump_json_aliases(const struct aliasdb_dump *d)
{
	aliasctl_out_puts("  \"aliases\": [");
	for (size_t i = 0; i < d->n_aliases; i++) {
		const struct aliasdb_dump_alias *a = &d->aliases[i];

		aliasctl_out_puts(i ? ",\n    {\"alias\": "
				    : "\n    {\"alias\": ");
		aliasctl_json_string(a->alias);
		aliasctl_out_puts(", \"canonical\": ");
		aliasctl_json_string(a->canonical);
		aliasctl_out_printf(", \"state\": \"%s\", \"reason\": ",
				    a->state == ALIASDB_STATE_BLOCKED
					    ? "blocked"
					    : "active");
		aliasctl_json_string_or_null(a->reason);
		aliasctl_out_printf(", \"by_hand\": %s, \"owners\": [",
				    a->by_hand ? "true" : "false");
		for (size_t j = 0; j < a->n_owners; j++) {
			aliasctl_out_puts(j ? ", " : "");
			aliasctl_json_string(a->owners[j]);
		}
		aliasctl_out_puts("]}");
	}
	aliasctl_out_puts(d->n_aliases ? "\n  ],\n" : "],\n");
}

static void dump_json_decls(const struct aliasdb_dump *d)
{
	aliasctl_out_puts("  \"declarations\": [");
	for (size_t i = 0; i < d->n_decls; i++) {
		const struct aliasdb_dump_decl *x = &d->decls[i];

		aliasctl_out_puts(i ? ",\n    {\"name\": "
				    : "\n    {\"name\": ");
		aliasctl_json_string(x->name);
		aliasctl_out_printf(", \"digest\": \"%016" PRIx64
				    "\", \"size\": %" PRIu64 ", \"pairs\": [",
				    x->digest, x->size);
		for (size_t j = 0; j < x->n_pairs; j++) {
			aliasctl_out_puts(j ? ", {\"alias\": "
					    : "{\"alias\": ");
			aliasctl_json_string(x->pairs[2 * j]);
			aliasctl_out_puts(", \"canonical\": ");
			aliasctl_json_string(x->pairs[2 * j + 1]);
			aliasctl_out_puts("}");
		}
		aliasctl_out_puts("]}");
	}
	aliasctl_out_puts(d->n_decls ? "\n  ],\n" : "],\n");
}

static void dump_json(const struct aliasdb_dump *d)
{
	aliasctl_out_printf("{\n  \"format\": %d,\n  \"generation\": %" PRIu64
			    ",\n",
			    ALIASDB_DUMP_FORMAT, d->generation);
	dump_json_aliases(d);
	dump_json_decls(d);
	aliasctl_out_puts("  \"conflicts\": [");
	for (size_t i = 0; i < d->n_conflicts; i++) {
		aliasctl_out_puts(i ? ",\n    {\"canonical\": "
				    : "\n    {\"canonical\": ");
		aliasctl_json_string(d->conflicts[i].canonical);
		aliasctl_out_puts(", \"shadowed\": ");
		aliasctl_json_string(d->conflicts[i].shadowed);
		aliasctl_out_puts("}");
	}
	aliasctl_out_puts(d->n_conflicts ? "\n  ],\n" : "],\n");
	aliasctl_out_puts("  \"quarantine\": [");
	for (size_t i = 0; i < d->n_quarantined; i++) {
		aliasctl_out_puts(i ? ",\n    {\"stored\": "
				    : "\n    {\"stored\": ");
		aliasctl_json_string(d->quarantined[i].stored);
		aliasctl_out_puts(", \"alias\": ");
		aliasctl_json_string(d->quarantined[i].alias);
		aliasctl_out_puts(", \"original\": ");
		aliasctl_json_string(d->quarantined[i].original);
		aliasctl_out_puts("}");
	}
	aliasctl_out_puts(d->n_quarantined ? "\n  ]\n}\n" : "]\n}\n");
}

static int dump_run(struct aliasctl *ctl, int argc, char **argv)
{
	struct aliasdb_dump *dump = NULL;
	struct aliasdb *db;
	char *text = NULL;
	size_t len = 0;
	bool json = false;
	int ex, r;

	ex = aliasctl_getopt_json(&aliasctl_cmd_dump, argc, argv, &json);
	if (ex >= 0)
		return ex;
	if (aliasctl_db_open(ctl, ALIASDB_OPEN_RDONLY, false, &db) < 0)
		return ALIASCTL_EXIT_SYSTEM;
	ex = ALIASCTL_EXIT_OK;
	r = aliasdb_dump(db, &text, &len);
	/* JSON is built from the text, so both say the same. */
	if (r == 0 && json)
		r = aliasdb_dump_parse(text, len, NULL, &dump);
	if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot dump the database", r);
	} else if (json) {
		dump_json(dump);
	} else {
		aliasctl_out_write(text, len);
	}
	aliasdb_dump_free(dump);
	free(text);
	aliasdb_close(db);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_dump = {
	.name = "dump",
	.usage = "dump [--json]",
	.summary = "Print the whole database as text that 'restore' reads.",
	.help = "Prints every alias (state, reason, owners, added by hand), "
		"the imported\n"
		"declarations, the conflicts and the quarantine records, one "
		"a line\n"
		"(format in aliasctl(1)). The same text is kept beside the "
		"database in\n"
		"DB/" ALIASDB_COPY_FILE ", rewritten after every change.\n"
		"  --json  the same content as one JSON object\n",
	.run = dump_run,
};
