/*
 * dpkg claims state records ("files" database; see dpkg-claims.c), and the
 * check of every claims record: the one reader the claims store and the
 * damage check share.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "aliasdb-internal.h"
#include "dpkg-claims-internal.h"

static bool take_blob(const char **p, const char *end, const char **ret,
		      size_t *ret_len)
{
	uint64_t n;

	if ((size_t)(end - *p) < sizeof(n))
		return false;
	memcpy(&n, *p, sizeof(n));
	*p += sizeof(n);
	if (n == ALIASDB_CLAIMS_NONE) {
		*ret = NULL;
		*ret_len = 0;
		return true;
	}
	if (n > (uint64_t)(end - *p))
		return false;
	*ret = *p;
	*ret_len = (size_t)n;
	*p += n;
	return true;
}

/* The file may be damaged: each length is checked against what is left
 * before anything is read, and the three blobs must fill the value
 * exactly. */
int aliasdb_claims_state_decode(const MDB_val *val, struct claims_state *st)
{
	const char *p, *end;

	if (!val || !val->mv_data || val->mv_size < 3 * sizeof(uint64_t))
		return -EUCLEAN;
	p = val->mv_data;
	end = p + val->mv_size;
	if (!take_blob(&p, end, &st->presented, &st->presented_len) ||
	    !take_blob(&p, end, &st->released, &st->released_len) ||
	    !take_blob(&p, end, &st->written, &st->written_len) || p != end ||
	    !st->released || !st->written)
		return -EUCLEAN;
	return 0;
}

int aliasdb_claims_record_check(const char *dbname, const MDB_val *key,
				const MDB_val *val)
{
	struct claims_state st;

	if (!key || !key->mv_data || key->mv_size == 0 || !val ||
	    (val->mv_size && !val->mv_data))
		return -EUCLEAN;
	if (strcmp(dbname, "files") == 0)
		return ((const char *)key->mv_data)[0] == '/' &&
				       !memchr(key->mv_data, '\0', key->mv_size)
			       ? aliasdb_claims_state_decode(val, &st)
			       : -EUCLEAN;
	if (strcmp(dbname, "owners") == 0)
		return val->mv_size > 0 &&
				       ((const char *)val->mv_data)[0] == '/'
			       ? 0
			       : -EUCLEAN;
	if (strcmp(dbname, "meta") == 0)
		return key->mv_size == 10 &&
				       memcmp(key->mv_data, "generation", 10) ==
					       0 &&
				       val->mv_size != sizeof(uint64_t)
			       ? -EUCLEAN
			       : 0;
	return 0;
}
