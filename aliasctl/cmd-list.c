/* aliasctl list: every alias, as a table or as JSON. */
#include "config.h"

#include <errno.h>
#include <getopt.h>

#include "aliasctl.h"

const char *aliasctl_alias_refused(const struct aliasdb_alias *a)
{
	enum aliasdb_rule rule = ALIASDB_RULE_OK;

	if (aliasdb_check(NULL, a->alias, a->canonical, &rule) == -EINVAL)
		return aliasdb_rule_describe(rule);
	return NULL;
}

static const char *list_state_name(const struct aliasdb_alias *a)
{
	if (aliasctl_alias_refused(a))
		return "refused";
	return a->state == ALIASDB_STATE_BLOCKED ? "blocked" : "active";
}

static size_t list_max(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void list_pad(size_t from, size_t to)
{
	for (; from < to; from++)
		aliasctl_out_puts(" ");
}

static void list_table(struct aliasdb_alias **list, size_t n)
{
	size_t walias = sizeof("ALIAS") - 1, wcanon = sizeof("CANONICAL") - 1;

	for (size_t i = 0; i < n; i++) {
		walias = list_max(walias,
				  aliasctl_out_text_width(list[i]->alias));
		wcanon = list_max(wcanon,
				  aliasctl_out_text_width(list[i]->canonical));
	}
	aliasctl_out_puts("ALIAS");
	list_pad(sizeof("ALIAS") - 1, walias + 2);
	aliasctl_out_puts("CANONICAL");
	list_pad(sizeof("CANONICAL") - 1, wcanon + 2);
	aliasctl_out_puts("STATE    OWNERS\n");
	for (size_t i = 0; i < n; i++) {
		const struct aliasdb_alias *a = list[i];

		aliasctl_out_text(a->alias);
		list_pad(aliasctl_out_text_width(a->alias), walias + 2);
		aliasctl_out_text(a->canonical);
		list_pad(aliasctl_out_text_width(a->canonical), wcanon + 2);
		aliasctl_out_printf("%-7s  ", list_state_name(a));
		if (a->n_owners == 0)
			aliasctl_out_puts("-");
		for (size_t j = 0; j < a->n_owners; j++) {
			if (j > 0)
				aliasctl_out_puts(",");
			aliasctl_out_text(a->owners[j]);
		}
		aliasctl_out_puts("\n");
	}
}

static void list_json(struct aliasdb_alias **list, size_t n)
{
	aliasctl_out_puts("[");
	for (size_t i = 0; i < n; i++) {
		const struct aliasdb_alias *a = list[i];

		aliasctl_out_puts(i ? ",\n  {\"alias\": " : "\n  {\"alias\": ");
		aliasctl_json_string(a->alias);
		aliasctl_out_puts(", \"canonical\": ");
		aliasctl_json_string(a->canonical);
		aliasctl_out_printf(", \"state\": \"%s\", \"reason\": ",
				    list_state_name(a));
		aliasctl_json_string_or_null(aliasctl_alias_refused(a)
						     ? aliasctl_alias_refused(a)
						     : a->reason);
		aliasctl_out_puts(", \"owners\": [");
		for (size_t j = 0; j < a->n_owners; j++) {
			if (j > 0)
				aliasctl_out_puts(", ");
			aliasctl_json_string(a->owners[j]);
		}
		aliasctl_out_puts("]}");
	}
	aliasctl_out_puts(n ? "\n]\n" : "]\n");
}

static int list_run(struct aliasctl *ctl, int argc, char **argv)
{
	struct aliasdb_alias **list = NULL;
	struct aliasdb *db;
	bool json = false;
	size_t n = 0;
	int ex, r;

	ex = aliasctl_getopt_json(&aliasctl_cmd_list, argc, argv, &json);
	if (ex >= 0)
		return ex;
	if (aliasctl_db_open(ctl, ALIASDB_OPEN_RDONLY, false, &db) < 0)
		return ALIASCTL_EXIT_SYSTEM;
	ex = ALIASCTL_EXIT_OK;
	r = aliasdb_list(db, &list, &n);
	if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot list the aliases", r);
	} else if (json) {
		list_json(list, n);
	} else {
		list_table(list, n);
	}
	aliasdb_alias_list_free(list, n);
	aliasdb_close(db);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_list = {
	.name = "list",
	.usage = "list [--json]",
	.summary = "List every alias: alias, canonical path, state, owners.",
	.help = "  --json  print a JSON array of objects {alias, canonical, "
		"state, reason, owners}\n"
		"STATE is active, blocked (reason: why), or refused: an alias "
		"an older\n"
		"aliasfs accepted and the rules now refuse (reason: the "
		"rule); it is not\n"
		"applied.\n",
	.run = list_run,
};
