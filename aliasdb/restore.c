/*
 * Restore: replace a database's whole content by a dump, in one write
 * transaction, every alias going through the rules as aliasdb_add() would
 * take it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sync-internal.h"

void aliasdb_restore_report_free(struct aliasdb_restore_report *report)
{
	size_t i;

	if (!report)
		return;
	for (i = 0; i < report->n_refused; i++) {
		free(report->refused[i].alias);
		free(report->refused[i].canonical);
	}
	free(report->refused);
	free(report);
}

static int restore_refused(struct aliasdb_restore_report *rep,
			   const struct aliasdb_dump_alias *a,
			   enum aliasdb_rule rule)
{
	struct aliasdb_restore_refusal *nr;

	nr = realloc(rep->refused, (rep->n_refused + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	rep->refused = nr;
	nr = &rep->refused[rep->n_refused++];
	nr->line = a->line;
	nr->rule = rule;
	nr->alias = strdup(a->alias);
	nr->canonical = strdup(a->canonical);
	return nr->alias && nr->canonical ? 0 : -ENOMEM;
}

/* Delete every "meta" record whose key starts with @prefix. */
static int restore_clear_meta(struct aliasdb *db, MDB_txn *txn,
			      const char *prefix)
{
	size_t plen = strlen(prefix);
	MDB_val key = {plen, (void *)prefix}, val;
	MDB_cursor *cur;
	int r, rc;

	r = aliasdb_lmdb_error(mdb_cursor_open(txn, db->meta, &cur));
	if (r < 0)
		return r;
	/* Seek afresh after each delete: where a cursor stands after one is
	 * not worth relying on. */
	for (;;) {
		key.mv_size = plen;
		key.mv_data = (void *)prefix;
		rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
		if (rc != 0 || key.mv_size < plen ||
		    memcmp(key.mv_data, prefix, plen) != 0)
			break;
		rc = mdb_cursor_del(cur, 0);
		if (rc != 0)
			break;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
	mdb_cursor_close(cur);
	return r;
}

static int restore_aliases(struct aliasdb *db, MDB_txn *txn,
			   const struct aliasdb_dump *dump,
			   struct aliasdb_restore_report *rep)
{
	size_t i;
	int r;

	for (i = 0; i < dump->n_aliases; i++) {
		const struct aliasdb_dump_alias *a = &dump->aliases[i];
		enum aliasdb_rule rule = ALIASDB_RULE_OK;
		size_t j;

		r = aliasdb_store_check_txn(db, txn, a->alias, a->canonical,
					    &rule);
		if (r < 0)
			return r;
		for (j = 0; j < a->n_owners && rule == ALIASDB_RULE_OK; j++)
			rule = aliasdb_rules_check_owner(a->owners[j]);
		if (rule != ALIASDB_RULE_OK) {
			r = restore_refused(rep, a, rule);
			if (r < 0)
				return r;
			continue;
		}
		r = aliasdb_record_put(
			db, txn, a->alias, a->canonical, a->state,
			a->by_hand || a->n_owners == 0,
			a->state == ALIASDB_STATE_BLOCKED && a->reason
				? a->reason
				: "",
			(const char *const *)a->owners, a->n_owners);
		if (r < 0)
			return r;
		rep->n_aliases++;
	}
	return 0;
}

/* A declaration keeps the pairs whose alias was restored with that
 * target: the next sync tries the others again and reports them. */
static int restore_decls(struct aliasdb *db, MDB_txn *txn,
			 const struct aliasdb_dump *dump)
{
	size_t i, j;
	int r = 0;

	for (i = 0; i < dump->n_decls && r == 0; i++) {
		const struct aliasdb_dump_decl *d = &dump->decls[i];
		char **pairs = calloc(2 * d->n_pairs + 1, sizeof(*pairs));
		size_t n = 0;

		if (!pairs)
			return -ENOMEM;
		for (j = 0; j < d->n_pairs; j++) {
			struct aliasdb_record rec;

			if (aliasdb_record_get(db, txn, d->pairs[2 * j], &rec) <
				    0 ||
			    strcmp(rec.canonical, d->pairs[2 * j + 1]) != 0)
				continue;
			pairs[n++] = d->pairs[2 * j];
			pairs[n++] = d->pairs[2 * j + 1];
		}
		r = aliasdb_decl_stored_put(db, txn, d->name, d->digest,
					    d->size, pairs, n / 2);
		free(pairs);
	}
	return r;
}

int aliasdb_restore(struct aliasdb *db, const struct aliasdb_dump *dump,
		    struct aliasdb_restore_report **ret_report)
{
	struct aliasdb_restore_report *rep;
	MDB_txn *txn;
	size_t i;
	int r;

	if (!db || !dump || !ret_report)
		return -EINVAL;
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0) {
		free(rep);
		return r;
	}
	r = aliasdb_lmdb_error(mdb_drop(txn, db->aliases, 0));
	if (r == 0)
		r = aliasdb_lmdb_error(mdb_drop(txn, db->conflicts, 0));
	if (r == 0)
		r = restore_clear_meta(db, txn, ALIASDB_META_DECL);
	if (r == 0)
		r = restore_clear_meta(db, txn, ALIASDB_META_QUARANTINE);
	if (r == 0)
		r = restore_clear_meta(db, txn, ALIASDB_META_REFUSED);
	if (r == 0)
		r = restore_aliases(db, txn, dump, rep);
	if (r == 0)
		r = restore_decls(db, txn, dump);
	for (i = 0; i < dump->n_conflicts && r == 0; i++) {
		r = aliasdb_conflict_put_txn(db, txn,
					     dump->conflicts[i].canonical,
					     dump->conflicts[i].shadowed);
		/* A pair too long for a key was never recorded either. */
		if (r == -ENAMETOOLONG)
			r = 0;
	}
	for (i = 0; i < dump->n_quarantined && r == 0; i++)
		r = aliasdb_quarantine_record_put(
			db, txn, dump->quarantined[i].stored,
			dump->quarantined[i].alias,
			dump->quarantined[i].original);
	if (r < 0) {
		mdb_txn_abort(txn);
		aliasdb_restore_report_free(rep);
		return r;
	}
	r = aliasdb_commit(db, txn);
	if (r < 0) {
		aliasdb_restore_report_free(rep);
		return r;
	}
	*ret_report = rep;
	return 0;
}
