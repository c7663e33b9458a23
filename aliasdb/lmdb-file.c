/*
 * Is a file an LMDB data file that LMDB can map without crashing? Read
 * with pread before anything maps it.
 *
 * LMDB trusts its file: the page size, the root pages and the last page
 * number it reads from the two meta pages become offsets into the mapping,
 * and a damaged one is a SIGBUS or SIGSEGV in whoever opened it (one byte
 * of the second meta page's page size is enough). The layout below is
 * LMDB's on-disk format 1 (MDB_DATA_VERSION), unchanged since 0.9.0: a
 * page header, then the meta record, mirrored with the same C types so
 * that the sizes match LMDB's on every word size.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasdb-internal.h"

#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_FORMAT 1u
#define LMDB_P_META 0x08u
#define LMDB_P_INVALID ((size_t)-1)
#define LMDB_NUM_METAS 2u
#define LMDB_CURSOR_STACK 32u
#define LMDB_PSIZE_MIN 512u
#define LMDB_PSIZE_MAX 65536u

/* MDB_page's header up to mp_ptrs (PAGEHDRSZ). */
struct lmdb_page_head {
	size_t pgno;
	uint16_t pad;
	uint16_t flags;
	uint16_t lower;
	uint16_t upper;
};

/* MDB_db. */
struct lmdb_db {
	uint32_t pad; /* the page size, in the free database's record */
	uint16_t flags;
	uint16_t depth;
	size_t branch_pages;
	size_t leaf_pages;
	size_t overflow_pages;
	size_t entries;
	size_t root;
};

/* MDB_meta. */
struct lmdb_meta {
	uint32_t magic;
	uint32_t version;
	void *address;
	size_t mapsize;
	struct lmdb_db dbs[2]; /* free pages, main */
	size_t last_pg;
	size_t txnid;
};

struct lmdb_meta_page {
	struct lmdb_page_head head;
	struct lmdb_meta meta;
};

static int lmdb_file_damaged(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lmdb_file_damaged(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -EUCLEAN;
}

static int lmdb_file_check_meta(const struct lmdb_meta_page *mp, unsigned i,
				uint64_t file_size, size_t psize, char *why,
				size_t why_size)
{
	const struct lmdb_meta *m = &mp->meta;
	uint64_t pages = file_size / psize;
	unsigned d;

	if (mp->head.pgno != i || !(mp->head.flags & LMDB_P_META))
		return lmdb_file_damaged(why, why_size,
					 "meta page %u has a bad header", i);
	if (m->magic != LMDB_MAGIC)
		return lmdb_file_damaged(why, why_size,
					 "not an LMDB file (meta page %u has "
					 "no LMDB magic number)",
					 i);
	if (m->version != LMDB_FORMAT)
		return lmdb_file_damaged(why, why_size,
					 "meta page %u gives LMDB file format "
					 "%u, not %u",
					 i, m->version, LMDB_FORMAT);
	if (m->dbs[0].pad != psize)
		return lmdb_file_damaged(why, why_size,
					 "the meta pages disagree on the page "
					 "size (%zu, %u)",
					 psize, m->dbs[0].pad);
	/* Pages LMDB never wrote are in the free list: the last page may
	 * lie past the end, but not past what a map of this file could
	 * ever need. */
	if (m->last_pg < LMDB_NUM_METAS - 1 ||
	    m->last_pg > ((uint64_t)1 << 44) / psize)
		return lmdb_file_damaged(why, why_size,
					 "meta page %u gives a last page "
					 "number of %zu",
					 i, m->last_pg);
	if (m->mapsize > (uint64_t)1 << 44)
		return lmdb_file_damaged(why, why_size,
					 "meta page %u gives a map size of %zu "
					 "bytes",
					 i, m->mapsize);
	for (d = 0; d < 2; d++) {
		const struct lmdb_db *db = &m->dbs[d];

		if (db->root == LMDB_P_INVALID) {
			if (db->depth != 0 || db->entries != 0)
				return lmdb_file_damaged(
					why, why_size,
					"meta page %u: an empty %s database "
					"with %zu records",
					i, d ? "main" : "free-page",
					db->entries);
			continue;
		}
		if (db->root < LMDB_NUM_METAS || db->root > m->last_pg ||
		    db->root >= pages)
			return lmdb_file_damaged(
				why, why_size,
				"meta page %u: the %s database's root page "
				"%zu is outside the file (%llu pages)",
				i, d ? "main" : "free-page", db->root,
				(unsigned long long)pages);
		if (db->depth == 0 || db->depth > LMDB_CURSOR_STACK)
			return lmdb_file_damaged(
				why, why_size,
				"meta page %u: the %s database has a depth of "
				"%u",
				i, d ? "main" : "free-page", db->depth);
	}
	return 0;
}

int aliasdb_lmdb_file_check(int fd, char *why, size_t why_size)
{
	struct lmdb_meta_page mp[LMDB_NUM_METAS];
	struct stat st;
	size_t psize;
	ssize_t n;
	unsigned i;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return lmdb_file_damaged(why, why_size, "not a regular file");
	if (st.st_size == 0)
		return lmdb_file_damaged(why, why_size, "the file is empty");
	n = pread(fd, &mp[0], sizeof(mp[0]), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(mp[0]))
		return lmdb_file_damaged(why, why_size,
					 "truncated to %lld bytes: shorter "
					 "than its first meta page",
					 (long long)st.st_size);
	if (mp[0].meta.magic != LMDB_MAGIC)
		return lmdb_file_damaged(why, why_size,
					 "not an LMDB file (no LMDB magic "
					 "number)");
	psize = mp[0].meta.dbs[0].pad;
	if (psize < LMDB_PSIZE_MIN || psize > LMDB_PSIZE_MAX ||
	    (psize & (psize - 1)) != 0)
		return lmdb_file_damaged(why, why_size,
					 "meta page 0 gives a page size of %zu",
					 psize);
	if ((uint64_t)st.st_size < LMDB_NUM_METAS * (uint64_t)psize ||
	    (uint64_t)st.st_size % psize != 0)
		return lmdb_file_damaged(why, why_size,
					 "truncated: %lld bytes is not a whole "
					 "number of %zu-byte pages",
					 (long long)st.st_size, psize);
	for (i = 1; i < LMDB_NUM_METAS; i++) {
		n = pread(fd, &mp[i], sizeof(mp[i]), (off_t)(i * psize));
		if (n < 0)
			return -errno;
		if ((size_t)n < sizeof(mp[i]))
			return lmdb_file_damaged(why, why_size,
						 "truncated inside meta page "
						 "%u",
						 i);
	}
	for (i = 0; i < LMDB_NUM_METAS; i++) {
		r = lmdb_file_check_meta(&mp[i], i, (uint64_t)st.st_size, psize,
					 why, why_size);
		if (r < 0)
			return r;
	}
	return 0;
}
