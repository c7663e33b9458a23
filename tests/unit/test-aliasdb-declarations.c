/*
 * aliasdb: declaration files (parsing) and the sync algorithm
 * (idempotency, change, removal, shared ownership, refused targets,
 * hand-added aliases, blocking), tree comparison and the quarantine.
 */
#define _XOPEN_SOURCE 700
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "aliasdb.h"

/* ---- parsing ------------------------------------------------------------ */

static struct aliasdb_decl *parse(const char *text, size_t len)
{
	struct aliasdb_decl *d = NULL;

	assert_int_equal(aliasdb_decl_parse(text, len, &d), 0);
	assert_non_null(d);
	return d;
}

static struct aliasdb_decl *parse_str(const char *text)
{
	return parse(text, strlen(text));
}

static void test_parse_comments_blanks(void **state)
{
	struct aliasdb_decl *d;

	(void)state;
	d = parse_str("# a comment\n\n   \t\n  /bin\t/usr/bin   # why\n"
		      "#/sbin /usr/sbin\n/lib /usr/lib");
	assert_int_equal(d->n_problems, 0);
	assert_int_equal(d->n_pairs, 2);
	assert_string_equal(d->pairs[0].alias, "/bin");
	assert_string_equal(d->pairs[0].canonical, "/usr/bin");
	assert_int_equal(d->pairs[0].line, 4);
	/* no newline at the end of the file */
	assert_string_equal(d->pairs[1].alias, "/lib");
	assert_int_equal(d->pairs[1].line, 6);
	aliasdb_decl_free(d);

	d = parse("", 0);
	assert_int_equal(d->n_pairs + d->n_problems, 0);
	aliasdb_decl_free(d);
}

static void test_parse_crlf(void **state)
{
	struct aliasdb_decl *d;

	(void)state;
	d = parse_str("/bin /usr/bin\r\n# c\r\n\r\n/sbin /usr/sbin\r\n");
	assert_int_equal(d->n_problems, 0);
	assert_int_equal(d->n_pairs, 2);
	assert_string_equal(d->pairs[0].canonical, "/usr/bin");
	assert_string_equal(d->pairs[1].canonical, "/usr/sbin");
	assert_int_equal(d->pairs[1].line, 4);
	aliasdb_decl_free(d);
}

static void test_parse_extra_and_missing(void **state)
{
	struct aliasdb_decl *d;

	(void)state;
	d = parse_str("/bin /usr/bin extra\n/sbin\n/lib /usr/lib\n");
	assert_int_equal(d->n_pairs, 1);
	assert_string_equal(d->pairs[0].alias, "/lib");
	assert_int_equal(d->n_problems, 2);
	assert_int_equal(d->problems[0].line, 1);
	assert_int_equal(d->problems[0].rule, ALIASDB_RULE_OK);
	assert_non_null(strstr(d->problems[0].message, "'extra'"));
	assert_int_equal(d->problems[1].line, 2);
	assert_non_null(strstr(d->problems[1].message, "missing CANONICAL"));
	aliasdb_decl_free(d);

	/* a comment right after the alias still leaves the target missing */
	d = parse_str("/bin #/usr/bin\n");
	assert_int_equal(d->n_pairs, 0);
	assert_int_equal(d->n_problems, 1);
	aliasdb_decl_free(d);
}

static void test_parse_garbage(void **state)
{
	static const char bin[] = "\x7f"
				  "ELF\x01\x02\0\0\n/bin /usr/bin\n"
				  "\xff\xfe zz\n";
	struct aliasdb_decl *d;

	(void)state;
	d = parse(bin, sizeof(bin) - 1);
	assert_int_equal(d->n_pairs, 1);
	assert_string_equal(d->pairs[0].alias, "/bin");
	assert_int_equal(d->n_problems, 2);
	assert_non_null(strstr(d->problems[0].message, "NUL"));
	/* "\xff\xfe zz": two fields, relative: a rule, not a syntax error */
	assert_int_equal(d->problems[1].line, 3);
	assert_int_equal(d->problems[1].rule, ALIASDB_RULE_NOT_ABSOLUTE);
	aliasdb_decl_free(d);

	d = parse_str("bin usr/bin\n/etc /usr/etc\n/bin/ /usr/bin\n");
	assert_int_equal(d->n_pairs, 0);
	assert_int_equal(d->n_problems, 3);
	assert_int_equal(d->problems[0].rule, ALIASDB_RULE_NOT_ABSOLUTE);
	assert_int_equal(d->problems[1].rule, ALIASDB_RULE_ETC);
	assert_int_equal(d->problems[2].rule, ALIASDB_RULE_NOT_NORMALIZED);
	aliasdb_decl_free(d);
}

static void test_parse_long_lines(void **state)
{
	size_t big = 200000, i;
	struct aliasdb_decl *d;
	char *s;

	(void)state;
	/* one huge field: too long, reported once, the next line kept */
	s = malloc(big + 64);
	assert_non_null(s);
	s[0] = '/';
	for (i = 1; i < big; i++)
		s[i] = 'a';
	strcpy(s + big, " /usr/x\n/bin /usr/bin\n");
	d = parse_str(s);
	assert_int_equal(d->n_pairs, 1);
	assert_int_equal(d->n_problems, 1);
	assert_int_equal(d->problems[0].rule, ALIASDB_RULE_TOO_LONG);
	assert_true(strlen(d->problems[0].message) < 200);
	aliasdb_decl_free(d);

	/* a huge third field: the message quotes only its start */
	strcpy(s, "/bin /usr/bin ");
	for (i = 14; i < big; i++)
		s[i] = 'x';
	s[big] = '\0';
	d = parse_str(s);
	assert_int_equal(d->n_pairs, 0);
	assert_int_equal(d->n_problems, 1);
	assert_true(strlen(d->problems[0].message) < 200);
	assert_non_null(strstr(d->problems[0].message, "...'"));
	aliasdb_decl_free(d);
	free(s);
}

static void test_parse_duplicates(void **state)
{
	struct aliasdb_decl *d;

	(void)state;
	d = parse_str("/bin /usr/bin\n/bin /usr/bin\n/bin /usr/local/bin\n");
	assert_int_equal(d->n_pairs, 1);
	assert_int_equal(d->n_problems, 1);
	assert_int_equal(d->problems[0].line, 3);
	assert_int_equal(d->problems[0].rule, ALIASDB_RULE_DUPLICATE);
	assert_non_null(strstr(d->problems[0].message, "line 1"));
	aliasdb_decl_free(d);
}

/* ---- sync fixture ------------------------------------------------------- */

struct fixture {
	char tree[64];
	char dbdir[128];
	int tree_fd;
	struct aliasdb *db;
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void mkdirs(const char *tree, const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	for (p = path + strlen(tree) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

static void put_file(const struct fixture *f, const char *rel,
		     const char *content)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->tree, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(content, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void put_decl(const struct fixture *f, const char *name,
		     const char *content)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%s/%s", ALIASDB_DECL_DIR, name);
	put_file(f, rel, content);
}

static void rm_decl(const struct fixture *f, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s/%s", f->tree, ALIASDB_DECL_DIR,
		 name);
	assert_int_equal(unlink(path), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->tree, "/tmp/test-aliasdb-decl.XXXXXX");
	if (!mkdtemp(f->tree))
		return -1;
	snprintf(f->dbdir, sizeof(f->dbdir), "%s/%s", f->tree,
		 ALIASDB_DEFAULT_SUBDIR);
	if (aliasdb_open(f->dbdir, ALIASDB_OPEN_CREATE, &f->db) < 0)
		return -1;
	f->tree_fd = open(f->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->tree_fd < 0)
		return -1;
	mkdirs(f->tree, ALIASDB_DECL_DIR);
	mkdirs(f->tree, "usr/bin");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	aliasdb_close(f->db);
	close(f->tree_fd);
	nftw(f->tree, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static struct aliasdb_sync_report *sync_ok(struct fixture *f)
{
	struct aliasdb_sync_report *rep = NULL;

	assert_int_equal(aliasdb_sync(f->db, f->tree_fd, &rep), 0);
	assert_non_null(rep);
	return rep;
}

static uint64_t generation(struct fixture *f)
{
	uint64_t g = 0;

	assert_int_equal(aliasdb_generation(f->db, &g), 0);
	return g;
}

/* Number of events of @kind naming @what (decl or alias). */
static size_t count(const struct aliasdb_sync_report *rep,
		    enum aliasdb_sync_kind kind, const char *what)
{
	size_t i, n = 0;

	for (i = 0; i < rep->n_events; i++) {
		const struct aliasdb_sync_event *e = &rep->events[i];

		if (e->kind != kind)
			continue;
		if (!what || (e->decl && strcmp(e->decl, what) == 0) ||
		    (e->alias && strcmp(e->alias, what) == 0))
			n++;
	}
	return n;
}

static struct aliasdb_alias *get(struct fixture *f, const char *alias)
{
	struct aliasdb_alias *a = NULL;

	assert_int_equal(aliasdb_get(f->db, alias, &a), 0);
	return a;
}

static void assert_absent(struct fixture *f, const char *alias)
{
	struct aliasdb_alias *a = NULL;

	assert_int_equal(aliasdb_get(f->db, alias, &a), -ENOENT);
}

/* ---- sync --------------------------------------------------------------- */

static void test_sync_import_idempotent(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;
	struct aliasdb_alias *a;
	uint64_t g0 = generation(f), g1;

	put_decl(f, "c", "/bin /usr/bin\n/sbin /usr/sbin\n");
	rep = sync_ok(f);
	assert_int_equal(rep->changed, 1);
	assert_int_equal(rep->n_problems, 0);
	assert_int_equal(count(rep, ALIASDB_SYNC_IMPORTED, "c"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/bin"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/sbin"), 1);
	g1 = generation(f);
	/* one write transaction: one generation step */
	assert_int_equal(g1, g0 + 1);
	assert_int_equal(rep->generation, g1);
	aliasdb_sync_report_free(rep);

	a = get(f, "/bin");
	assert_string_equal(a->canonical, "/usr/bin");
	assert_int_equal(a->state, ALIASDB_STATE_ACTIVE);
	assert_int_equal(a->n_owners, 1);
	assert_string_equal(a->owners[0], "c");
	aliasdb_alias_free(a);

	rep = sync_ok(f);
	assert_int_equal(rep->changed, 0);
	assert_int_equal(rep->n_events, 0);
	assert_int_equal(generation(f), g1);
	aliasdb_sync_report_free(rep);
}

static void test_sync_change_and_removal(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;

	put_decl(f, "c", "/bin /usr/bin\n/sbin /usr/sbin\n");
	aliasdb_sync_report_free(sync_ok(f));

	/* A comment only: re-imported, no alias moves. */
	put_decl(f, "c", "# new\n/bin /usr/bin\n/sbin /usr/sbin\n");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_REIMPORTED, "c"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, NULL), 0);
	assert_int_equal(count(rep, ALIASDB_SYNC_REMOVED, NULL), 0);
	aliasdb_sync_report_free(rep);

	/* Drop /sbin, add /lib. */
	put_decl(f, "c", "/bin /usr/bin\n/lib /usr/lib\n");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_REIMPORTED, "c"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_REMOVED, "/sbin"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/lib"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/bin"), 0);
	aliasdb_sync_report_free(rep);
	assert_absent(f, "/sbin");
	aliasdb_alias_free(get(f, "/lib"));

	/* Declaration gone: every alias it alone owned goes. */
	rm_decl(f, "c");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_UNIMPORTED, "c"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_REMOVED, "/bin"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_REMOVED, "/lib"), 1);
	aliasdb_sync_report_free(rep);
	assert_absent(f, "/bin");
	assert_absent(f, "/lib");

	rep = sync_ok(f);
	assert_int_equal(rep->changed, 0);
	aliasdb_sync_report_free(rep);
}

static void test_sync_shared_ownership(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;
	struct aliasdb_alias *a;

	put_decl(f, "c", "/bin /usr/bin\n");
	put_decl(f, "d", "/bin /usr/bin\n");
	rep = sync_ok(f);
	assert_int_equal(rep->n_problems, 0);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/bin"), 1);
	aliasdb_sync_report_free(rep);
	a = get(f, "/bin");
	assert_int_equal(a->n_owners, 2);
	assert_string_equal(a->owners[0], "c");
	assert_string_equal(a->owners[1], "d");
	aliasdb_alias_free(a);

	rm_decl(f, "c");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_REMOVED, NULL), 0);
	aliasdb_sync_report_free(rep);
	a = get(f, "/bin");
	assert_int_equal(a->n_owners, 1);
	assert_string_equal(a->owners[0], "d");
	aliasdb_alias_free(a);

	rm_decl(f, "d");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_REMOVED, "/bin"), 1);
	aliasdb_sync_report_free(rep);
	assert_absent(f, "/bin");
}

static void test_sync_different_target_refused(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;
	struct aliasdb_alias *a;
	uint64_t g;
	size_t i;

	put_decl(f, "c", "/bin /usr/bin\n");
	put_decl(f, "d", "# other\n/bin /usr/local/bin\n/sbin /usr/sbin\n");
	rep = sync_ok(f);
	assert_int_equal(rep->n_problems, 1);
	for (i = 0; i < rep->n_events; i++)
		if (rep->events[i].kind == ALIASDB_SYNC_REFUSED)
			break;
	assert_true(i < rep->n_events);
	assert_string_equal(rep->events[i].decl, "d");
	assert_int_equal(rep->events[i].line, 2);
	assert_string_equal(rep->events[i].canonical, "/usr/local/bin");
	assert_non_null(strstr(rep->events[i].detail, "/usr/bin"));
	/* the rest of d is imported */
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/sbin"), 1);
	aliasdb_sync_report_free(rep);
	a = get(f, "/bin");
	assert_string_equal(a->canonical, "/usr/bin");
	aliasdb_alias_free(a);

	/* Still refused, still reported, nothing written. */
	g = generation(f);
	rep = sync_ok(f);
	assert_int_equal(rep->changed, 0);
	assert_int_equal(rep->n_problems, 1);
	assert_int_equal(generation(f), g);
	aliasdb_sync_report_free(rep);

	/* Once c is gone, d's pair is taken. */
	rm_decl(f, "c");
	rep = sync_ok(f);
	assert_int_equal(rep->n_problems, 0);
	aliasdb_sync_report_free(rep);
	a = get(f, "/bin");
	assert_string_equal(a->canonical, "/usr/local/bin");
	assert_string_equal(a->owners[0], "d");
	aliasdb_alias_free(a);
}

static void test_sync_hand_added_survive(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;
	struct aliasdb_alias *a;

	assert_int_equal(aliasdb_add(f->db, "/lib64", "/usr/lib64", NULL, NULL),
			 1);
	assert_int_equal(
		aliasdb_add(f->db, "/libx32", "/usr/libx32", NULL, NULL), 1);
	put_decl(f, "c", "/lib64 /usr/lib64\n");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, NULL), 0);
	aliasdb_sync_report_free(rep);
	a = get(f, "/lib64");
	assert_int_equal(a->n_owners, 1);
	aliasdb_alias_free(a);

	rm_decl(f, "c");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_REMOVED, NULL), 0);
	aliasdb_sync_report_free(rep);
	a = get(f, "/lib64");
	assert_int_equal(a->n_owners, 0);
	aliasdb_alias_free(a);
	aliasdb_alias_free(get(f, "/libx32"));
}

static void test_sync_ignored_and_unreadable(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;
	char path[512];

	put_decl(f, "c.dpkg-new", "/bin /usr/bin\n");
	put_decl(f, ".hidden", "/bin /usr/bin\n");
	put_decl(f, "c~", "/bin /usr/bin\n");
	rep = sync_ok(f);
	assert_int_equal(rep->n_events, 0);
	aliasdb_sync_report_free(rep);
	assert_absent(f, "/bin");

	/* A symlink is not followed: reported, not imported. */
	snprintf(path, sizeof(path), "%s/%s/link", f->tree, ALIASDB_DECL_DIR);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_UNREADABLE, "link"), 1);
	assert_int_equal(rep->n_problems, 1);
	/* Nothing imported; only the problem is kept, for status. */
	assert_int_equal(rep->changed, 1);
	aliasdb_sync_report_free(rep);
	assert_absent(f, "/bin");
	/* The same problem again: nothing written. */
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_UNREADABLE, "link"), 1);
	assert_int_equal(rep->changed, 0);
	aliasdb_sync_report_free(rep);
}

/* Every rule a declaration can break, one a line: each is refused with
 * its rule, nothing is written for it, and status finds the refusals
 * (aliasdb_sync_problems) until the declaration is fixed. */
static const struct {
	const char *line;
	enum aliasdb_rule rule;
} sync_rule_cases[] = {
	{"/var /usr/var", ALIASDB_RULE_DPKG_DB},
	{"/var/lib /usr/var/lib", ALIASDB_RULE_DPKG_DB},
	{"/opt/db /var/lib/dpkg", ALIASDB_RULE_DPKG_DB},
	{"/opt /etc/opt", ALIASDB_RULE_ETC},
	{"/etc/x /usr/etc/x", ALIASDB_RULE_ETC},
	{"/var/lib/aliasfs /usr/aliasfs", ALIASDB_RULE_DATABASE},
	{"/usr/share /share", ALIASDB_RULE_DECL_DIR},
	{"/share /usr/share", ALIASDB_RULE_DECL_DIR},
	{"/proc /usr/proc", ALIASDB_RULE_PSEUDO_FS},
	{"/opt/s /sys/x", ALIASDB_RULE_PSEUDO_FS},
	{"/dev /usr/dev", ALIASDB_RULE_PSEUDO_FS},
	{"/run /usr/run", ALIASDB_RULE_RUNTIME},
	{"/opt/t /tmp", ALIASDB_RULE_RUNTIME},
	{"/boot /usr/boot", ALIASDB_RULE_BOOT},
	{"/a\x01 /usr/a", ALIASDB_RULE_CONTROL_CHAR},
	{"/b /usr/b\x7f", ALIASDB_RULE_CONTROL_CHAR},
	{"/ /usr", ALIASDB_RULE_ROOT},
	{"/usr /opt/usr", ALIASDB_RULE_USR},
	{"/q /q", ALIASDB_RULE_SAME},
	{"/q /q/r", ALIASDB_RULE_NESTED},
	{"q /usr/q", ALIASDB_RULE_NOT_ABSOLUTE},
	{"/q/ /usr/q", ALIASDB_RULE_NOT_NORMALIZED},
	{"/x/y /bin/y", ALIASDB_RULE_CHAIN},
	{"/bin /usr/local/bin", ALIASDB_RULE_DUPLICATE},
};
#define N_SYNC_RULE_CASES (sizeof(sync_rule_cases) / sizeof(sync_rule_cases[0]))

static void test_sync_rules_refused(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;
	struct aliasdb_sync_event *pr = NULL;
	struct aliasdb_alias **list = NULL;
	size_t i, j, n = 0, n_list = 0;
	char text[2048] = "/bin /usr/bin\n";
	uint64_t g;

	assert_int_equal(aliasdb_add(f->db, "/bin", "/usr/bin", NULL, NULL), 1);
	for (i = 0; i < N_SYNC_RULE_CASES; i++) {
		strcat(text, sync_rule_cases[i].line);
		strcat(text, "\n");
	}
	put_decl(f, "bad", text);
	rep = sync_ok(f);
	assert_int_equal(rep->n_problems, N_SYNC_RULE_CASES);
	for (i = 0; i < N_SYNC_RULE_CASES; i++) {
		unsigned line = (unsigned)i + 2;

		for (j = 0; j < rep->n_events; j++)
			if (rep->events[j].kind == ALIASDB_SYNC_REFUSED &&
			    rep->events[j].line == line)
				break;
		if (j == rep->n_events)
			fail_msg("line %u (%s) not refused", line,
				 sync_rule_cases[i].line);
		if (rep->events[j].rule != sync_rule_cases[i].rule)
			fail_msg("line %u (%s): rule %d, expected %d", line,
				 sync_rule_cases[i].line, rep->events[j].rule,
				 sync_rule_cases[i].rule);
		assert_non_null(rep->events[j].detail);
	}
	aliasdb_sync_report_free(rep);
	/* Nothing of it was written: /bin alone, owned by hand and "bad". */
	assert_int_equal(aliasdb_list(f->db, &list, &n_list), 0);
	assert_int_equal(n_list, 1);
	assert_string_equal(list[0]->alias, "/bin");
	aliasdb_alias_list_free(list, n_list);

	/* Status finds each refusal with its rule, in line order. */
	assert_int_equal(aliasdb_sync_problems(f->db, &pr, &n), 0);
	assert_int_equal(n, N_SYNC_RULE_CASES);
	for (i = 0; i < n; i++) {
		assert_string_equal(pr[i].decl, "bad");
		assert_int_equal(pr[i].kind, ALIASDB_SYNC_REFUSED);
		assert_int_equal(pr[i].line, i + 2);
		assert_int_equal(pr[i].rule, sync_rule_cases[i].rule);
	}
	aliasdb_sync_problems_free(pr, n);

	/* The same refusals again: nothing written. */
	g = generation(f);
	rep = sync_ok(f);
	assert_int_equal(rep->changed, 0);
	aliasdb_sync_report_free(rep);
	assert_int_equal(generation(f), g);

	/* Fixed: the refusals are forgotten. */
	put_decl(f, "bad", "/bin /usr/bin\n");
	aliasdb_sync_report_free(sync_ok(f));
	assert_int_equal(aliasdb_sync_problems(f->db, &pr, &n), 0);
	assert_int_equal(n, 0);
	assert_null(pr);

	/* Gone with its declaration, too. */
	put_decl(f, "bad", "/var /usr/var\n");
	aliasdb_sync_report_free(sync_ok(f));
	assert_int_equal(aliasdb_sync_problems(f->db, &pr, &n), 0);
	assert_int_equal(n, 1);
	aliasdb_sync_problems_free(pr, n);
	rm_decl(f, "bad");
	aliasdb_sync_report_free(sync_ok(f));
	assert_int_equal(aliasdb_sync_problems(f->db, &pr, &n), 0);
	assert_int_equal(n, 0);
}

/* A database kept elsewhere in the tree (aliasfs -o db=, aliasctl --db):
 * no declared alias may reach into it or contain it. */
static void test_sync_db_inside_tree(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;
	struct aliasdb *db;
	char dir[256];
	size_t i, refused = 0;

	snprintf(dir, sizeof(dir), "%s/srv/adb", f->tree);
	mkdirs(f->tree, "srv");
	assert_int_equal(aliasdb_open(dir, ALIASDB_OPEN_CREATE, &db), 0);
	put_decl(f, "d",
		 "/srv /usr/srv\n/opt/x /srv/adb/x\n/srv/adb /usr/adb\n"
		 "/srv2 /usr/srv2\n/srv/www /usr/www\n");
	assert_int_equal(aliasdb_sync(db, f->tree_fd, &rep), 0);
	for (i = 0; i < rep->n_events; i++) {
		const struct aliasdb_sync_event *e = &rep->events[i];

		if (e->kind != ALIASDB_SYNC_REFUSED)
			continue;
		assert_int_equal(e->rule, ALIASDB_RULE_DATABASE);
		assert_true(e->line <= 3);
		refused++;
	}
	assert_int_equal(refused, 3);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/srv2"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/srv/www"), 1);
	aliasdb_sync_report_free(rep);
	aliasdb_close(db);
}

static void test_sync_decl_dir_symlink(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep = NULL;
	char path[512], target[512];

	put_decl(f, "c", "/bin /usr/bin\n");
	aliasdb_sync_report_free(sync_ok(f));
	/* The directory becomes a symlink (to one with no declarations):
	 * refused as a whole, nothing unimported. */
	snprintf(path, sizeof(path), "%s/%s", f->tree, ALIASDB_DECL_DIR);
	snprintf(target, sizeof(target), "%s/elsewhere", f->tree);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(aliasdb_sync(f->db, f->tree_fd, &rep), -ELOOP);
	assert_null(rep);
	aliasdb_alias_free(get(f, "/bin"));
}

static void test_sync_blocked_then_active(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_sync_report *rep;
	struct aliasdb_alias *a;
	char path[512];
	uint64_t g;

	mkdirs(f->tree, "bin");
	put_file(f, "bin/test", "one\n");
	put_file(f, "usr/bin/test", "two\n");
	put_file(f, "bin/same", "same\n");
	put_file(f, "usr/bin/same", "same\n");
	put_file(f, "bin/only", "only\n");
	put_decl(f, "c", "/bin /usr/bin\n");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_ADDED, "/bin"), 1);
	assert_int_equal(count(rep, ALIASDB_SYNC_BLOCKED, "/bin"), 1);
	aliasdb_sync_report_free(rep);
	a = get(f, "/bin");
	assert_int_equal(a->state, ALIASDB_STATE_BLOCKED);
	assert_non_null(strstr(a->reason, "/bin/test"));
	assert_non_null(strstr(a->reason, "/usr/bin/test"));
	assert_null(strstr(a->reason, "same"));
	aliasdb_alias_free(a);

	/* Re-checked each sync: unchanged, nothing written. */
	g = generation(f);
	rep = sync_ok(f);
	assert_int_equal(rep->n_events, 0);
	assert_int_equal(generation(f), g);
	aliasdb_sync_report_free(rep);

	/* The difference goes away: active at the next sync. */
	put_file(f, "bin/test", "two\n");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_ACTIVATED, "/bin"), 1);
	aliasdb_sync_report_free(rep);
	a = get(f, "/bin");
	assert_int_equal(a->state, ALIASDB_STATE_ACTIVE);
	aliasdb_alias_free(a);

	/* Once active, a new difference does not block it again. */
	put_file(f, "bin/test", "three\n");
	put_decl(f, "c", "# changed\n/bin /usr/bin\n");
	rep = sync_ok(f);
	assert_int_equal(count(rep, ALIASDB_SYNC_BLOCKED, NULL), 0);
	aliasdb_sync_report_free(rep);

	snprintf(path, sizeof(path), "%s/bin/test", f->tree);
	assert_int_equal(unlink(path), 0);
}

/* ---- tree comparison and the quarantine --------------------------------- */

static void test_tree_compare_no_follow(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_diff *d = NULL;
	char path[512];
	size_t n = 0;

	mkdirs(f->tree, "bin/sub");
	mkdirs(f->tree, "usr/bin/sub");
	/* symlinks compared by target, never followed */
	snprintf(path, sizeof(path), "%s/bin/l1", f->tree);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/usr/bin/l1", f->tree);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/bin/l2", f->tree);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	snprintf(path, sizeof(path), "%s/usr/bin/l2", f->tree);
	assert_int_equal(symlink("/etc/group", path), 0);
	/* a directory symlink out of the tree is not walked */
	snprintf(path, sizeof(path), "%s/bin/out", f->tree);
	assert_int_equal(symlink("/", path), 0);
	mkdirs(f->tree, "usr/bin/out");
	put_file(f, "usr/bin/out/etc", "x\n");
	put_file(f, "bin/sub/deep", "a\n");
	put_file(f, "usr/bin/sub/deep", "b\n");

	assert_int_equal(
		aliasdb_tree_compare(f->tree_fd, "/bin", "/usr/bin", &d, &n),
		0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].alias_path, "/bin/l2");
	assert_string_equal(d[1].alias_path, "/bin/out");
	assert_string_equal(d[1].canonical_path, "/usr/bin/out");
	assert_string_equal(d[2].alias_path, "/bin/sub/deep");
	aliasdb_diff_list_free(d, n);

	/* no alias side, or an alias side already linking to the target */
	assert_int_equal(
		aliasdb_tree_compare(f->tree_fd, "/sbin", "/usr/sbin", &d, &n),
		0);
	assert_int_equal(n, 0);
	snprintf(path, sizeof(path), "%s/lib", f->tree);
	assert_int_equal(symlink("usr/lib", path), 0);
	assert_int_equal(
		aliasdb_tree_compare(f->tree_fd, "/lib", "/usr/lib", &d, &n),
		0);
	assert_int_equal(n, 0);
	/* ... but a symlink elsewhere would be hidden */
	snprintf(path, sizeof(path), "%s/lib64", f->tree);
	assert_int_equal(symlink("/opt", path), 0);
	assert_int_equal(aliasdb_tree_compare(f->tree_fd, "/lib64",
					      "/usr/lib64", &d, &n),
			 0);
	assert_int_equal(n, 1);
	aliasdb_diff_list_free(d, n);
}

static char *read_all(const char *path)
{
	static char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void test_activate_force_quarantine(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_activation *act = NULL;
	struct aliasdb_quarantined *q = NULL;
	struct aliasdb_alias *a;
	char path[512];
	size_t n = 0;

	mkdirs(f->tree, "bin");
	put_file(f, "bin/test", "one\n");
	put_file(f, "usr/bin/test", "two\n");
	put_decl(f, "c", "/bin /usr/bin\n");
	aliasdb_sync_report_free(sync_ok(f));

	/* without --force: stays blocked, differences listed */
	assert_int_equal(aliasdb_activate(f->db, f->tree_fd, "/bin", 0, &act),
			 0);
	assert_int_equal(act->activated, 0);
	assert_int_equal(act->n_diffs, 1);
	assert_int_equal(act->n_moved, 0);
	aliasdb_activation_free(act);
	a = get(f, "/bin");
	assert_int_equal(a->state, ALIASDB_STATE_BLOCKED);
	aliasdb_alias_free(a);

	assert_int_equal(aliasdb_activate(f->db, f->tree_fd, "/bin",
					  ALIASDB_ACTIVATE_FORCE, &act),
			 0);
	assert_int_equal(act->activated, 1);
	assert_int_equal(act->n_moved, 1);
	assert_string_equal(act->moved[0].original, "/bin/test");
	assert_string_equal(read_all(act->moved[0].stored), "one\n");
	aliasdb_activation_free(act);
	a = get(f, "/bin");
	assert_int_equal(a->state, ALIASDB_STATE_ACTIVE);
	aliasdb_alias_free(a);
	snprintf(path, sizeof(path), "%s/bin/test", f->tree);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(errno, ENOENT);

	/* A second quarantine of the same path keeps the first. */
	put_file(f, "bin/test", "again\n");
	assert_int_equal(aliasdb_activate(f->db, f->tree_fd, "/bin",
					  ALIASDB_ACTIVATE_FORCE, &act),
			 0);
	assert_int_equal(act->n_moved, 1);
	aliasdb_activation_free(act);

	assert_int_equal(aliasdb_quarantine_list(f->db, &q, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(q[0].original, "/bin/test");
	assert_string_equal(q[1].original, "/bin/test");
	assert_string_equal(q[0].alias, "/bin");
	assert_string_equal(read_all(q[0].stored), "one\n");
	assert_string_equal(read_all(q[1].stored), "again\n");
	aliasdb_quarantine_list_free(q, n);

	assert_int_equal(aliasdb_activate(f->db, f->tree_fd, "/nope", 0, &act),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_comments_blanks),
		cmocka_unit_test(test_parse_crlf),
		cmocka_unit_test(test_parse_extra_and_missing),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_long_lines),
		cmocka_unit_test(test_parse_duplicates),
		cmocka_unit_test_setup_teardown(test_sync_import_idempotent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_change_and_removal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_shared_ownership,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sync_different_target_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_hand_added_survive,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_sync_ignored_and_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_rules_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_db_inside_tree, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sync_decl_dir_symlink,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_blocked_then_active,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_compare_no_follow,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_activate_force_quarantine,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
