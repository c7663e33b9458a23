/*
 * Private to aliasdb/: helpers shared by dpkg-claims.c and dpkg-present.c
 * (and their unit tests).
 */
#ifndef ALIASDB_DPKG_CLAIMS_INTERNAL_H
#define ALIASDB_DPKG_CLAIMS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "aliasdb.h"

/* A set of byte strings (no NUL inside), open addressing. */
struct dpkg_set {
	char **slots;
	size_t cap; /* a power of two */
	size_t n;
};

int dpkg_set_init(struct dpkg_set *set, size_t expect);
void dpkg_set_free(struct dpkg_set *set);
bool dpkg_set_has(const struct dpkg_set *set, const char *s, size_t n);
int dpkg_set_add(struct dpkg_set *set, const char *s, size_t n);

/* A NUL-terminated growing buffer; zero-initialize, free(data). */
struct dpkg_buf {
	char *data;
	size_t len;
	size_t cap;
};

int dpkg_buf_add(struct dpkg_buf *b, const char *s, size_t n);

/* One record of a database file (see dpkg-present.c). */
struct dpkg_record {
	const char *start; /* the record's bytes, line ends included */
	size_t len;
	const char *line[3];
	size_t line_len[3];
	const char *key; /* the path it is about, NULL if none */
	size_t key_len;
};

bool dpkg_record_next(enum aliasdb_dpkg_db kind, const char *text, size_t len,
		      size_t *pos, struct dpkg_record *rec);
int dpkg_record_id(const struct dpkg_record *rec, struct dpkg_buf *buf);
int dpkg_canon(const struct aliasdb_map *map, const char *path, size_t n,
	       struct dpkg_buf *buf);
int dpkg_spelling(const struct aliasdb_map *map, const char *c, size_t j,
		  struct dpkg_buf *buf, int *ret_alias);

/* ---- dpkg-claims-record.c ---- */

/* A blob length meaning "none" (never presented). */
#define ALIASDB_CLAIMS_NONE UINT64_MAX

/* A decoded state record; pointers into the LMDB value. */
struct claims_state {
	const char *presented; /* NULL: never presented */
	size_t presented_len;
	const char *released;
	size_t released_len;
	const char *written;
	size_t written_len;
};

/* Decode a state record; the file may be damaged, so every length is
 * checked first. 0 or -EUCLEAN. */
int aliasdb_claims_state_decode(const MDB_val *val, struct claims_state *st);

#endif /* ALIASDB_DPKG_CLAIMS_INTERNAL_H */
