/* aliasctl status: aliases with their state, blocked reasons, conflicts. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "aliasctl.h"

static void status_aliases(struct aliasdb_alias **list, size_t n)
{
	size_t blocked = 0, refused = 0;

	for (size_t i = 0; i < n; i++) {
		if (aliasctl_alias_refused(list[i]))
			refused++;
		else if (list[i]->state == ALIASDB_STATE_BLOCKED)
			blocked++;
	}
	aliasctl_out_printf("aliases: %zu (%zu active, %zu blocked", n,
			    n - blocked - refused, blocked);
	/* Only when there is one: older outputs stay as they were. */
	if (refused)
		aliasctl_out_printf(", %zu refused", refused);
	aliasctl_out_puts(")\n");
	for (size_t i = 0; i < n; i++) {
		const struct aliasdb_alias *a = list[i];
		const char *rule = aliasctl_alias_refused(a);

		aliasctl_out_puts("  ");
		aliasctl_out_text(a->alias);
		aliasctl_out_puts(" -> ");
		aliasctl_out_text(a->canonical);
		if (rule) {
			aliasctl_out_puts("  refused, not applied: ");
			aliasctl_out_puts(rule);
		} else if (a->state == ALIASDB_STATE_BLOCKED) {
			aliasctl_out_puts("  blocked: ");
			aliasctl_out_text(a->reason ? a->reason
						    : "(no reason recorded)");
		} else {
			aliasctl_out_puts("  active");
		}
		aliasctl_out_puts("\n");
	}
}

static void status_conflicts(const struct aliasdb_conflict *list, size_t n)
{
	aliasctl_out_printf("conflicts: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		aliasctl_out_puts("  ");
		aliasctl_out_text(list[i].canonical);
		aliasctl_out_puts(" shadows ");
		aliasctl_out_text(list[i].shadowed);
		aliasctl_out_puts("\n");
	}
}

static void status_quarantine(const struct aliasdb_quarantined *list, size_t n)
{
	aliasctl_out_printf("quarantine: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		aliasctl_out_puts("  ");
		aliasctl_out_text(list[i].original);
		aliasctl_out_puts(" (moved by activating ");
		aliasctl_out_text(list[i].alias);
		aliasctl_out_puts(") is in ");
		aliasctl_out_text(list[i].stored);
		aliasctl_out_puts("\n");
	}
}

/* What the last sync could not import, declaration by declaration. */
static void status_problems(const struct aliasdb_sync_event *list, size_t n)
{
	aliasctl_out_printf("declaration problems: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct aliasdb_sync_event *e = &list[i];

		aliasctl_out_puts("  ");
		aliasctl_out_text(e->decl);
		if (e->line)
			aliasctl_out_printf(":%u", e->line);
		aliasctl_out_printf(": %s", aliasdb_sync_kind_name(e->kind));
		if (e->alias) {
			aliasctl_out_puts(" ");
			aliasctl_out_text(e->alias);
			aliasctl_out_puts(" -> ");
			aliasctl_out_text(e->canonical ? e->canonical : "");
		}
		if (e->detail) {
			aliasctl_out_puts(": ");
			aliasctl_out_text(e->detail);
		}
		aliasctl_out_puts("\n");
	}
}

/* Is the plain-text copy there and as new as the database? */
static void status_copy(const struct aliasctl *ctl, uint64_t generation)
{
	uint64_t copy_gen = 0;
	int r = aliasdb_copy_generation(ctl->db_dir, &copy_gen);

	aliasctl_out_puts("plain-text copy: ");
	aliasctl_out_text(ctl->db_dir);
	aliasctl_out_printf("/%s ", ALIASDB_COPY_FILE);
	if (r == 0 && copy_gen == generation)
		aliasctl_out_puts("(up to date)\n");
	else if (r == 0)
		aliasctl_out_printf("(generation %" PRIu64
				    ", behind; the next change rewrites "
				    "it)\n",
				    copy_gen);
	else if (r == -ENOENT)
		aliasctl_out_puts("(missing; the next change writes it)\n");
	else
		aliasctl_out_printf("(unusable: %s; the next change rewrites "
				    "it)\n",
				    r == -EUCLEAN ? "not a whole dump"
						  : strerror(-r));
}

static int status_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb_alias **aliases = NULL;
	struct aliasdb_conflict *conflicts = NULL;
	struct aliasdb_quarantined *quarantined = NULL;
	struct aliasdb_sync_event *problems = NULL;
	size_t n_aliases = 0, n_conflicts = 0, n_quarantined = 0;
	size_t n_problems = 0;
	struct aliasdb *db;
	uint64_t generation;
	int c, ex, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_status, argc, argv, ":h",
				    longopts, &ex)) != -1)
		if (c == -2)
			return ex;
	if (optind < argc)
		return aliasctl_usage_error(&aliasctl_cmd_status,
					    "unexpected argument '%s'",
					    argv[optind]);

	ex = aliasctl_db_open(ctl, ALIASDB_OPEN_RDONLY, false, &db);
	if (ex != ALIASCTL_EXIT_OK)
		return ex;
	/* Read everything before printing, so an error leaves no half
	 * report. */
	r = aliasdb_generation(db, &generation);
	if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot read the generation", r);
		goto out;
	}
	r = aliasdb_list(db, &aliases, &n_aliases);
	if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot list the aliases", r);
		goto out;
	}
	r = aliasdb_conflict_list(db, &conflicts, &n_conflicts);
	if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot list the conflicts", r);
		goto out;
	}
	r = aliasdb_quarantine_list(db, &quarantined, &n_quarantined);
	if (r < 0) {
		ex = aliasctl_db_error(ctl, "cannot list the quarantine", r);
		goto out;
	}
	r = aliasdb_sync_problems(db, &problems, &n_problems);
	if (r < 0) {
		ex = aliasctl_db_error(ctl,
				       "cannot list the declaration "
				       "problems",
				       r);
		goto out;
	}
	aliasctl_out_puts("database: ");
	aliasctl_out_text(ctl->db_dir);
	aliasctl_out_printf(" (generation %" PRIu64 ")\n", generation);
	status_aliases(aliases, n_aliases);
	status_conflicts(conflicts, n_conflicts);
	/* Only when there is something: older outputs stay as they were. */
	if (n_quarantined > 0)
		status_quarantine(quarantined, n_quarantined);
	if (n_problems > 0)
		status_problems(problems, n_problems);
	status_copy(ctl, generation);
out:
	aliasdb_sync_problems_free(problems, n_problems);
	aliasdb_quarantine_list_free(quarantined, n_quarantined);
	aliasdb_conflict_list_free(conflicts, n_conflicts);
	aliasdb_alias_list_free(aliases, n_aliases);
	aliasdb_close(db);
	return ex;
}

const struct aliasctl_command aliasctl_cmd_status = {
	.name = "status",
	.usage = "status",
	.summary = "Show aliases, blocked reasons, conflicts, quarantine.",
	.help = "Also lists what the last sync could not import (each "
		"declaration's\n"
		"refused pairs with their rule, malformed lines, unreadable "
		"files), aliases\n"
		"the rules now refuse (not applied), and whether the "
		"plain-text copy the\n"
		"recovery uses is up to date.\n",
	.run = status_run,
};
