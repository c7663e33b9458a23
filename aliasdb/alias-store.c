/*
 * Aliases in LMDB: add, remove, disown, state, lookup, listing. The record
 * format is alias-record.c's.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aliasdb-internal.h"

/* CHAIN and DUPLICATE against every alias in @txn. */
static int check_against_db(struct aliasdb *db, MDB_txn *txn, const char *alias,
			    const char *canonical, enum aliasdb_rule *ret_rule)
{
	char ex_alias[ALIASDB_PATH_MAX];
	struct aliasdb_record rec;
	MDB_cursor *cur;
	MDB_val key, val;
	int r, rc;

	if (!aliasdb_record_key_fits(db, alias)) {
		*ret_rule = ALIASDB_RULE_TOO_LONG;
		return 0;
	}
	r = aliasdb_record_get(db, txn, alias, &rec);
	if (r == 0) {
		*ret_rule = strcmp(rec.canonical, canonical) == 0
				    ? ALIASDB_RULE_OK
				    : ALIASDB_RULE_DUPLICATE;
		return 0;
	}
	if (r != -ENOENT)
		return r;

	r = aliasdb_lmdb_error(mdb_cursor_open(txn, db->aliases, &cur));
	if (r < 0)
		return r;
	*ret_rule = ALIASDB_RULE_OK;
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		enum aliasdb_rule rule;

		r = aliasdb_record_decode(&val, &rec);
		if (r < 0)
			break;
		if (key.mv_size >= sizeof(ex_alias)) {
			r = -EUCLEAN;
			break;
		}
		memcpy(ex_alias, key.mv_data, key.mv_size);
		ex_alias[key.mv_size] = '\0';
		rule = aliasdb_rules_check_against(alias, canonical, ex_alias,
						   rec.canonical);
		if (rule != ALIASDB_RULE_OK) {
			*ret_rule = rule;
			break;
		}
	}
	if (r == 0 && rc != 0 && rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
	mdb_cursor_close(cur);
	return r;
}

int aliasdb_store_check_txn(struct aliasdb *db, MDB_txn *txn, const char *alias,
			    const char *canonical, enum aliasdb_rule *ret_rule)
{
	enum aliasdb_rule rule = aliasdb_rules_check_pair(alias, canonical);
	int r;

	if (rule == ALIASDB_RULE_OK) {
		r = check_against_db(db, txn, alias, canonical, &rule);
		if (r < 0)
			return r;
	}
	*ret_rule = rule;
	return 0;
}

int aliasdb_check(struct aliasdb *db, const char *alias, const char *canonical,
		  enum aliasdb_rule *ret_rule)
{
	enum aliasdb_rule rule;
	MDB_txn *txn;
	int r;

	rule = aliasdb_rules_check_pair(alias, canonical);
	if (rule == ALIASDB_RULE_OK && db) {
		r = aliasdb_db_read_begin(db, &txn);
		if (r < 0)
			return r;
		r = check_against_db(db, txn, alias, canonical, &rule);
		mdb_txn_abort(txn);
		if (r < 0)
			return r;
	}
	if (ret_rule)
		*ret_rule = rule;
	return rule == ALIASDB_RULE_OK ? 0 : -EINVAL;
}

static int refuse(enum aliasdb_rule rule, enum aliasdb_rule *ret_rule)
{
	if (ret_rule)
		*ret_rule = rule;
	return -EINVAL;
}

int aliasdb_store_add_txn(struct aliasdb *db, MDB_txn *txn, const char *alias,
			  const char *canonical, const char *owner,
			  enum aliasdb_rule *ret_rule)
{
	struct aliasdb_record rec;
	enum aliasdb_rule rule;
	const char **owners;
	size_t i, n;
	int r, cmp = 1;

	if (owner && aliasdb_rules_check_owner(owner) != ALIASDB_RULE_OK)
		return refuse(ALIASDB_RULE_BAD_OWNER, ret_rule);
	rule = aliasdb_rules_check_pair(alias, canonical);
	if (rule != ALIASDB_RULE_OK)
		return refuse(rule, ret_rule);

	r = aliasdb_record_get(db, txn, alias, &rec);
	if (r == -ENOENT) {
		r = check_against_db(db, txn, alias, canonical, &rule);
		if (r < 0)
			return r;
		if (rule != ALIASDB_RULE_OK)
			return refuse(rule, ret_rule);
		if (ret_rule)
			*ret_rule = ALIASDB_RULE_OK;
		r = aliasdb_record_put(db, txn, alias, canonical,
				       ALIASDB_STATE_ACTIVE, !owner, NULL,
				       owner ? &owner : NULL, owner ? 1 : 0);
		return r < 0 ? r : 1;
	}
	if (r < 0)
		return r;
	if (strcmp(rec.canonical, canonical) != 0)
		return refuse(ALIASDB_RULE_DUPLICATE, ret_rule);
	if (ret_rule)
		*ret_rule = ALIASDB_RULE_OK;

	if (!owner) {
		if (rec.by_hand)
			return 0;
		r = aliasdb_record_owners(&rec, &owners);
		if (r < 0)
			return r;
		n = rec.n_owners;
	} else {
		r = aliasdb_record_owners(&rec, &owners);
		if (r < 0)
			return r;
		for (i = 0; i < rec.n_owners; i++) {
			cmp = strcmp(owners[i], owner);
			if (cmp >= 0)
				break;
		}
		if (cmp == 0) {
			free(owners);
			return 0;
		}
		memmove(owners + i + 1, owners + i,
			(rec.n_owners - i) * sizeof(*owners));
		owners[i] = owner;
		n = rec.n_owners + 1;
	}
	/* @owners points into the LMDB page; put_record copies it before
	 * mdb_put can touch that page. */
	r = aliasdb_record_put(db, txn, alias, canonical, rec.state,
			       rec.by_hand || !owner, rec.reason, owners, n);
	free(owners);
	return r < 0 ? r : 1;
}

int aliasdb_add(struct aliasdb *db, const char *alias, const char *canonical,
		const char *owner, enum aliasdb_rule *ret_rule)
{
	MDB_txn *txn;
	int r, w;

	if (!db)
		return -EINVAL;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_store_add_txn(db, txn, alias, canonical, owner, ret_rule);
	if (r <= 0) {
		/* Nothing changed: no new generation for readers to chase. */
		mdb_txn_abort(txn);
		return r;
	}
	w = aliasdb_commit(db, txn);
	return w < 0 ? w : r;
}

int aliasdb_debug_add_batch(struct aliasdb *db, const char *const *alias,
			    const char *const *canonical, size_t n,
			    void (*before_commit)(void *), void *userdata)
{
	MDB_txn *txn;
	size_t i;
	int r = 0;

	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		r = aliasdb_store_add_txn(db, txn, alias[i], canonical[i], NULL,
					  NULL);
		if (r < 0) {
			mdb_txn_abort(txn);
			return r;
		}
	}
	if (before_commit)
		before_commit(userdata);
	return aliasdb_commit(db, txn);
}

int aliasdb_add_arch_defaults(struct aliasdb *db, const char *arch,
			      enum aliasdb_rule *ret_rule)
{
	const char *const *names;
	char alias[32], canonical[40];
	struct aliasdb_record rec;
	bool existed;
	MDB_txn *txn;
	int n, i, r, added = 0, changed = 0;

	if (!db)
		return -EINVAL;
	n = aliasdb_arch_defaults(arch, &names);
	if (n < 0)
		return n;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		snprintf(alias, sizeof(alias), "/%s", names[i]);
		snprintf(canonical, sizeof(canonical), "/usr/%s", names[i]);
		/* Only new aliases count as added; an existing one owned by
		 * declarations alone becomes owned by hand too (a change,
		 * but not an addition). */
		existed = aliasdb_record_get(db, txn, alias, &rec) == 0;
		r = aliasdb_store_add_txn(db, txn, alias, canonical, NULL,
					  ret_rule);
		if (r < 0) {
			mdb_txn_abort(txn);
			return r;
		}
		changed += r;
		if (r > 0 && !existed)
			added++;
	}
	if (changed == 0) {
		mdb_txn_abort(txn);
		return 0;
	}
	r = aliasdb_commit(db, txn);
	return r < 0 ? r : added;
}

int aliasdb_remove(struct aliasdb *db, const char *alias)
{
	MDB_val key;
	MDB_txn *txn;
	int r;

	if (!db || !alias)
		return -EINVAL;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	if (!aliasdb_record_key_fits(db, alias)) {
		mdb_txn_abort(txn);
		return -ENOENT;
	}
	key.mv_size = strlen(alias);
	key.mv_data = (void *)alias;
	r = aliasdb_lmdb_error(mdb_del(txn, db->aliases, &key, NULL));
	if (r < 0) {
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_commit(db, txn);
}

int aliasdb_disown(struct aliasdb *db, const char *alias, const char *owner)
{
	struct aliasdb_record rec;
	const char **owners = NULL;
	MDB_txn *txn;
	size_t i;
	int r, removed = 0;

	if (!db || !alias || !owner)
		return -EINVAL;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_record_get(db, txn, alias, &rec);
	if (r == 0)
		r = aliasdb_record_owners(&rec, &owners);
	if (r < 0)
		goto fail;
	for (i = 0; i < rec.n_owners; i++)
		if (strcmp(owners[i], owner) == 0)
			break;
	if (i == rec.n_owners) {
		r = -ENOENT;
		goto fail;
	}
	memmove(owners + i, owners + i + 1,
		(rec.n_owners - i - 1) * sizeof(*owners));
	if (rec.n_owners == 1 && !rec.by_hand) {
		MDB_val key = {strlen(alias), (void *)alias};

		r = aliasdb_lmdb_error(mdb_del(txn, db->aliases, &key, NULL));
		removed = 1;
	} else {
		r = aliasdb_record_put(db, txn, alias, rec.canonical, rec.state,
				       rec.by_hand, rec.reason, owners,
				       rec.n_owners - 1);
	}
	if (r < 0)
		goto fail;
	free(owners);
	r = aliasdb_commit(db, txn);
	return r < 0 ? r : removed;
fail:
	free(owners);
	mdb_txn_abort(txn);
	return r;
}

/* The reason stored with @state: "" when active, @reason when blocked;
 * NULL if the pair is invalid. */
static const char *state_reason(enum aliasdb_state state, const char *reason)
{
	if (state == ALIASDB_STATE_ACTIVE)
		return "";
	if (state != ALIASDB_STATE_BLOCKED || !reason || !*reason)
		return NULL;
	return reason;
}

int aliasdb_store_set_state_txn(struct aliasdb *db, MDB_txn *txn,
				const char *alias, enum aliasdb_state state,
				const char *reason)
{
	struct aliasdb_record rec;
	const char **owners = NULL;
	int r;

	reason = state_reason(state, reason);
	if (!reason)
		return -EINVAL;
	r = aliasdb_record_get(db, txn, alias, &rec);
	if (r < 0)
		return r;
	if (rec.state == state && strcmp(rec.reason, reason) == 0)
		return 0;
	r = aliasdb_record_owners(&rec, &owners);
	if (r == 0)
		r = aliasdb_record_put(db, txn, alias, rec.canonical, state,
				       rec.by_hand, reason, owners,
				       rec.n_owners);
	free(owners);
	return r < 0 ? r : 1;
}

int aliasdb_set_state(struct aliasdb *db, const char *alias,
		      enum aliasdb_state state, const char *reason)
{
	MDB_txn *txn;
	int r;

	if (!db || !alias || !state_reason(state, reason))
		return -EINVAL;
	r = aliasdb_db_write_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_store_set_state_txn(db, txn, alias, state, reason);
	if (r <= 0) {
		/* Unchanged: nothing to commit, the generation stays. */
		mdb_txn_abort(txn);
		return r;
	}
	return aliasdb_commit(db, txn);
}

void aliasdb_alias_free(struct aliasdb_alias *alias)
{
	size_t i;

	if (!alias)
		return;
	free(alias->alias);
	free(alias->canonical);
	free(alias->reason);
	for (i = 0; i < alias->n_owners; i++)
		free(alias->owners[i]);
	free(alias->owners);
	free(alias);
}

void aliasdb_alias_list_free(struct aliasdb_alias **list, size_t n)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < n; i++)
		aliasdb_alias_free(list[i]);
	free(list);
}

/* Copy a record out of LMDB memory into a caller-owned alias. */
static int alias_from_record(const MDB_val *key,
			     const struct aliasdb_record *rec,
			     struct aliasdb_alias **ret_alias)
{
	struct aliasdb_alias *a;
	const char *p;
	size_t i;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->alias = strndup(key->mv_data, key->mv_size);
	a->canonical = strdup(rec->canonical);
	a->state = rec->state;
	if (rec->state == ALIASDB_STATE_BLOCKED)
		a->reason = strdup(rec->reason);
	if (!a->alias || !a->canonical ||
	    (rec->state == ALIASDB_STATE_BLOCKED && !a->reason))
		goto oom;
	if (rec->n_owners > 0) {
		a->owners = calloc(rec->n_owners, sizeof(*a->owners));
		if (!a->owners)
			goto oom;
		for (i = 0, p = rec->owners; i < rec->n_owners;
		     i++, p += strlen(p) + 1) {
			a->owners[i] = strdup(p);
			if (!a->owners[i])
				goto oom;
			a->n_owners = i + 1;
		}
	}
	*ret_alias = a;
	return 0;
oom:
	aliasdb_alias_free(a);
	return -ENOMEM;
}

int aliasdb_get(struct aliasdb *db, const char *alias,
		struct aliasdb_alias **ret_alias)
{
	struct aliasdb_record rec;
	MDB_val key;
	MDB_txn *txn;
	int r;

	if (!db || !alias)
		return -EINVAL;
	r = aliasdb_db_read_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_record_get(db, txn, alias, &rec);
	if (r == 0) {
		key.mv_size = strlen(alias);
		key.mv_data = (void *)alias;
		r = alias_from_record(&key, &rec, ret_alias);
	}
	mdb_txn_abort(txn);
	return r;
}

int aliasdb_list(struct aliasdb *db, struct aliasdb_alias ***ret_list,
		 size_t *ret_n)
{
	struct aliasdb_alias **list = NULL;
	size_t n = 0, cap = 0;
	MDB_cursor *cur = NULL;
	MDB_val key, val;
	MDB_txn *txn;
	int r, rc;

	if (!db)
		return -EINVAL;
	r = aliasdb_db_read_begin(db, &txn);
	if (r < 0)
		return r;
	r = aliasdb_lmdb_error(mdb_cursor_open(txn, db->aliases, &cur));
	if (r < 0)
		goto out;
	for (rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
		struct aliasdb_record rec;

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct aliasdb_alias **nl;

			nl = realloc(list, ncap * sizeof(*nl));
			if (!nl) {
				r = -ENOMEM;
				goto out;
			}
			list = nl;
			cap = ncap;
		}
		r = aliasdb_record_decode(&val, &rec);
		if (r == 0)
			r = alias_from_record(&key, &rec, &list[n]);
		if (r < 0)
			goto out;
		n++;
	}
	if (rc != MDB_NOTFOUND)
		r = aliasdb_lmdb_error(rc);
out:
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (r < 0) {
		aliasdb_alias_list_free(list, n);
		return r;
	}
	if (n == 0) {
		free(list);
		list = NULL;
	}
	*ret_list = list;
	*ret_n = n;
	return 0;
}
