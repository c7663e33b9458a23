/*
 * aliasctl-test-seed: write database states the command line cannot make
 * (declaration owners, blocked aliases, conflicts), so the tests can check
 * how list and status show them. Test helper only; never installed.
 *
 *   aliasctl-test-seed DB own ALIAS CANONICAL OWNER
 *   aliasctl-test-seed DB block ALIAS REASON
 *   aliasctl-test-seed DB conflict CANONICAL SHADOWED
 *   aliasctl-test-seed DB raw ALIAS CANONICAL hand|- [OWNER]...
 *
 * raw writes an alias record the way an older aliasfs could have, without
 * the rules (paths with control characters, /var -> /usr/var), so the
 * tests can check what list, status, canon and the daemon make of it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aliasdb-internal.h"

static int seed_apply(struct aliasdb *db, int argc, char **argv)
{
	enum aliasdb_rule rule = ALIASDB_RULE_OK;
	int r;

	if (argc == 6 && strcmp(argv[2], "own") == 0) {
		r = aliasdb_add(db, argv[3], argv[4], argv[5], &rule);
		if (r == -EINVAL)
			fprintf(stderr, "refused: %s\n",
				aliasdb_rule_describe(rule));
		return r < 0 ? r : 0;
	}
	if (argc == 5 && strcmp(argv[2], "block") == 0)
		return aliasdb_set_state(db, argv[3], ALIASDB_STATE_BLOCKED,
					 argv[4]);
	if (argc == 5 && strcmp(argv[2], "conflict") == 0) {
		r = aliasdb_conflict_add(db, argv[3], argv[4]);
		return r < 0 ? r : 0;
	}
	if (argc >= 6 && strcmp(argv[2], "raw") == 0) {
		MDB_txn *txn;

		r = aliasdb_db_write_begin(db, &txn);
		if (r < 0)
			return r;
		r = aliasdb_record_put(
			db, txn, argv[3], argv[4], ALIASDB_STATE_ACTIVE,
			strcmp(argv[5], "hand") == 0, "",
			(const char *const *)argv + 6, (size_t)(argc - 6));
		if (r < 0) {
			mdb_txn_abort(txn);
			return r;
		}
		return aliasdb_commit(db, txn);
	}
	fprintf(stderr, "usage: aliasctl-test-seed DB own ALIAS CANONICAL "
			"OWNER | block ALIAS REASON | conflict CANONICAL "
			"SHADOWED | raw ALIAS CANONICAL hand|- [OWNER]...\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct aliasdb *db;
	int r;

	if (argc < 3) {
		seed_apply(NULL, 0, argv);
		return 1;
	}
	r = aliasdb_open(argv[1], 0, &db);
	if (r < 0) {
		fprintf(stderr, "aliasctl-test-seed: open %s: %s\n", argv[1],
			strerror(-r));
		return 2;
	}
	r = seed_apply(db, argc, argv);
	aliasdb_close(db);
	if (r < 0)
		fprintf(stderr, "aliasctl-test-seed: %s: %s\n", argv[2],
			strerror(-r));
	return r < 0 ? 2 : r;
}
