/*
 * aliasdb: a damaged database never crashes its reader.
 *
 * Each record decoder gets every prefix of a valid record and seeded
 * garbage, each in a buffer of exactly its size (so that the sanitizer
 * build sees any read past it): the answer is 0 or -EUCLEAN, never a
 * crash. The file check refuses empty, truncated and foreign files and
 * the page size damage the issue found; aliasdb_open() refuses a damaged
 * store with -EUCLEAN and names it; the dump reads back what it wrote,
 * refuses a dump cut short, and restore and recover rebuild a database.
 */
#define _GNU_SOURCE
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

#include "sync-internal.h"

/* ---- helpers ------------------------------------------------------------ */

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* @n bytes of @data in a buffer of exactly that size. */
static MDB_val val_of(const void *data, size_t n)
{
	MDB_val v = {n, n ? malloc(n) : NULL};

	if (n)
		memcpy(v.mv_data, data, n);
	return v;
}

static void val_free(MDB_val *v)
{
	free(v->mv_data);
}

typedef int (*checker)(const MDB_val *key, const MDB_val *val);

/* Every prefix of @val, and @rounds random byte changes of it, through
 * @check with key @key: 0 or -EUCLEAN only. Returns how many were
 * refused. */
static size_t feed(checker check, const void *key, size_t klen, const void *val,
		   size_t vlen, int rounds)
{
	MDB_val k = val_of(key, klen);
	size_t refused = 0, i;
	unsigned char *buf = malloc(vlen + 1);

	assert_non_null(buf);
	for (i = 0; i <= vlen; i++) {
		MDB_val v = val_of(val, i);
		int r = check(&k, &v);

		assert_true(r == 0 || r == -EUCLEAN);
		refused += r == -EUCLEAN;
		val_free(&v);
	}
	for (int n = 0; n < rounds; n++) {
		MDB_val v;
		int r, j;

		memcpy(buf, val, vlen);
		for (j = 0; j < 1 + (int)(rng() % 3); j++)
			buf[rng() % vlen] ^= (unsigned char)(1 + rng() % 255);
		v = val_of(buf, vlen);
		r = check(&k, &v);
		assert_true(r == 0 || r == -EUCLEAN);
		val_free(&v);
	}
	free(buf);
	val_free(&k);
	return refused;
}

static int check_alias_record(const MDB_val *key, const MDB_val *val)
{
	struct aliasdb_record rec;
	int r = aliasdb_record_decode(val, &rec);
	int c = aliasdb_record_check(key, val);

	/* The check is the decoder plus the key. */
	assert_true(r == 0 || r == -EUCLEAN);
	assert_true(c == 0 || c == -EUCLEAN);
	if (r < 0)
		assert_int_equal(c, -EUCLEAN);
	return c;
}

static const char claims_db[16] = "files";
static int check_claims(const MDB_val *key, const MDB_val *val)
{
	return aliasdb_claims_record_check(claims_db, key, val);
}

static int check_claims_owners(const MDB_val *key, const MDB_val *val)
{
	return aliasdb_claims_record_check("owners", key, val);
}

static int check_claims_meta(const MDB_val *key, const MDB_val *val)
{
	return aliasdb_claims_record_check("meta", key, val);
}

/* ---- record decoders ---------------------------------------------------- */

static void test_alias_record(void **state)
{
	/* by hand, blocked, reason, owners c and d */
	static const char good[] = "\x01\x01/usr/bin\0would hide /bin/x\0c\0d";
	static const char active[] = "\x00\x00/usr/lib\0\0pkg";
	struct aliasdb_record rec;
	MDB_val v;

	(void)state;
	v = val_of(good, sizeof(good));
	assert_int_equal(aliasdb_record_decode(&v, &rec), 0);
	assert_string_equal(rec.canonical, "/usr/bin");
	assert_int_equal(rec.state, ALIASDB_STATE_BLOCKED);
	assert_int_equal(rec.n_owners, 2);
	val_free(&v);
	/* Every shorter prefix and 2000 damaged copies: no crash. */
	assert_true(feed(check_alias_record, "/bin", 4, good, sizeof(good),
			 2000) >= sizeof(good) - 4);
	feed(check_alias_record, "/lib", 4, active, sizeof(active), 2000);

	/* What no writer makes. */
	v = val_of("\x00\x00/usr/bin\0\0", 12); /* nobody owns it */
	assert_int_equal(aliasdb_record_decode(&v, &rec), -EUCLEAN);
	val_free(&v);
	v = val_of("\x01\x00/usr/bin\0why\0", 15); /* active with a reason */
	assert_int_equal(aliasdb_record_decode(&v, &rec), -EUCLEAN);
	val_free(&v);
	v = val_of("\x01\x01/usr/bin\0\0", 12); /* blocked without one */
	assert_int_equal(aliasdb_record_decode(&v, &rec), -EUCLEAN);
	val_free(&v);
	v = val_of("\x01\x07/usr/bin\0\0", 12); /* unknown state */
	assert_int_equal(aliasdb_record_decode(&v, &rec), -EUCLEAN);
	val_free(&v);
	v = val_of("\x01\x00usr/bin\0\0", 11); /* relative target */
	assert_int_equal(aliasdb_record_decode(&v, &rec), -EUCLEAN);
	val_free(&v);
	v = val_of("\x00\x00/usr/bin\0\0\0", 13); /* an empty owner */
	assert_int_equal(aliasdb_record_decode(&v, &rec), -EUCLEAN);
	val_free(&v);
	v = val_of(NULL, 0);
	assert_int_equal(aliasdb_record_decode(&v, &rec), -EUCLEAN);
	/* Keys: absolute, normalized, no NUL, not "/". */
	v = val_of(good, sizeof(good));
	{
		MDB_val k1 = val_of("/b\0n", 4), k2 = val_of("/", 1),
			k3 = val_of("bin", 3), k4 = val_of("/bin/", 5);

		assert_int_equal(aliasdb_record_check(&k1, &v), -EUCLEAN);
		assert_int_equal(aliasdb_record_check(&k2, &v), -EUCLEAN);
		assert_int_equal(aliasdb_record_check(&k3, &v), -EUCLEAN);
		assert_int_equal(aliasdb_record_check(&k4, &v), -EUCLEAN);
		val_free(&k1);
		val_free(&k2);
		val_free(&k3);
		val_free(&k4);
	}
	val_free(&v);
}

static void test_conflict_record(void **state)
{
	static const char key[] = "/usr/bin/test\0/bin/test";
	MDB_val k = val_of(key, sizeof(key) - 1), v = {0, NULL};

	(void)state;
	assert_int_equal(aliasdb_conflict_check(&k, &v), 0);
	val_free(&k);
	for (size_t i = 0; i < sizeof(key) - 1; i++) {
		MDB_val p = val_of(key, i);
		int r = aliasdb_conflict_check(&p, &v);

		assert_true(r == 0 || r == -EUCLEAN);
		val_free(&p);
	}
	/* A value, or a second NUL, is not a conflict. */
	k = val_of(key, sizeof(key) - 1);
	v = val_of("x", 1);
	assert_int_equal(aliasdb_conflict_check(&k, &v), -EUCLEAN);
	val_free(&k);
	val_free(&v);
	k = val_of("/a\0/b\0c", 7);
	v.mv_size = 0;
	v.mv_data = NULL;
	assert_int_equal(aliasdb_conflict_check(&k, &v), -EUCLEAN);
	val_free(&k);
}

static int check_meta(const MDB_val *key, const MDB_val *val)
{
	int r = aliasdb_meta_record_check(key, val);

	assert_true(r != -ENOMEM);
	return r;
}

static void test_meta_records(void **state)
{
	/* decl:d, digest, size, two pairs */
	static const char decl[] = "\x01\x02\x03\x04\x05\x06\x07\x08"
				   "\0\0\0\0\0\0\0\x1c"
				   "/opt/a\0/usr/a\0/srv/b\0/usr/b";
	static const char quar[] = "/qq\0/qq/f";
	/* kind REFUSED, rule DPKG_DB, line 3, alias, canonical, detail */
	static const char refused[] = "\x07\x06\0\0\0\x03/var\0/usr/var\0why";
	static const unsigned char eight[8] = {0, 0, 0, 0, 0, 0, 0, 1};

	(void)state;
	assert_true(feed(check_meta, "decl:d", 6, decl, sizeof(decl), 2000) >
		    0);
	feed(check_meta, "quarantine:/qq/f", 16, quar, sizeof(quar), 2000);
	feed(check_meta, "refused:d", 9, refused, sizeof(refused), 2000);
	feed(check_meta, "schema", 6, eight, sizeof(eight), 200);
	feed(check_meta, "generation", 10, eight, sizeof(eight), 200);
	/* Whole ones pass. */
	{
		MDB_val k = val_of("decl:d", 6), v = val_of(decl, sizeof(decl));

		assert_int_equal(aliasdb_meta_record_check(&k, &v), 0);
		val_free(&k);
		val_free(&v);
		k = val_of("quarantine:/qq/f", 16);
		v = val_of(quar, sizeof(quar));
		assert_int_equal(aliasdb_meta_record_check(&k, &v), 0);
		val_free(&k);
		val_free(&v);
		k = val_of("refused:d", 9);
		v = val_of(refused, sizeof(refused));
		assert_int_equal(aliasdb_meta_record_check(&k, &v), 0);
		val_free(&k);
		val_free(&v);
		/* An odd number of paths is no declaration. */
		k = val_of("decl:d", 6);
		v = val_of(decl, sizeof(decl) - 7);
		assert_int_equal(aliasdb_meta_record_check(&k, &v), -EUCLEAN);
		val_free(&k);
		val_free(&v);
		/* A key of someone else's is theirs to check. */
		k = val_of("journal:x", 9);
		v = val_of("anything", 8);
		assert_int_equal(aliasdb_meta_record_check(&k, &v), 0);
		val_free(&k);
		val_free(&v);
	}
}

static void test_claims_records(void **state)
{
	unsigned char st[3 * 8 + 10];
	uint64_t n;
	MDB_val k, v;

	(void)state;
	/* presented "/bin/x\n" (7), released "" (0), written "abc" (3) */
	n = 7;
	memcpy(st, &n, 8);
	memcpy(st + 8, "/bin/x\n", 7);
	n = 0;
	memcpy(st + 15, &n, 8);
	n = 3;
	memcpy(st + 23, &n, 8);
	memcpy(st + 31, "abc", 3);
	k = val_of("/var/lib/dpkg/info/a.list", 25);
	v = val_of(st, 34);
	assert_int_equal(aliasdb_claims_record_check("files", &k, &v), 0);
	val_free(&v);
	val_free(&k);
	feed(check_claims, "/var/lib/dpkg/info/a.list", 25, st, 34, 3000);
	/* Trailing bytes, or a length past the end. */
	k = val_of("/f", 2);
	v = val_of(st, 33);
	assert_int_equal(aliasdb_claims_record_check("files", &k, &v),
			 -EUCLEAN);
	val_free(&v);
	n = 1000;
	memcpy(st, &n, 8);
	v = val_of(st, 34);
	assert_int_equal(aliasdb_claims_record_check("files", &k, &v),
			 -EUCLEAN);
	val_free(&v);
	val_free(&k);
	feed(check_claims_owners, "/bin/x", 6, "/var/lib/dpkg/info/a.list", 25,
	     200);
	feed(check_claims_meta, "generation", 10, "\1\0\0\0\0\0\0\0", 8, 200);
}

/* ---- the dump format --------------------------------------------------- */

static const char dump_text[] =
	"# a comment\n"
	"aliasfs-dump 1\n"
	"generation 7\n"
	"alias /bin /usr/bin active hand\n"
	"alias /lib /usr/lib blocked owner=c owner=d\\x20e "
	"reason=would\\x20hide\\x20/lib/x\n"
	"declaration c 00000000000000ff 14 /lib /usr/lib\n"
	"conflict /usr/bin/test /bin/test\n"
	"quarantine /qq/f /qq /qq/f\n"
	"end 5\n";

static void test_dump_parse(void **state)
{
	struct aliasdb_dump_error err;
	struct aliasdb_dump *d = NULL;
	size_t len = sizeof(dump_text) - 1, i;

	(void)state;
	assert_int_equal(aliasdb_dump_parse(dump_text, len, &err, &d), 0);
	assert_int_equal(d->generation, 7);
	assert_int_equal(d->n_aliases, 2);
	assert_int_equal(d->aliases[1].n_owners, 2);
	assert_string_equal(d->aliases[1].owners[1], "d e");
	assert_string_equal(d->aliases[1].reason, "would hide /lib/x");
	assert_int_equal(d->n_decls, 1);
	assert_int_equal(d->decls[0].digest, 0xff);
	assert_int_equal(d->n_conflicts, 1);
	assert_int_equal(d->n_quarantined, 1);
	aliasdb_dump_free(d);

	/* Every dump cut short is refused whole, and says where. */
	for (i = 0; i < len; i++) {
		char *cut = malloc(i + 1);

		memcpy(cut, dump_text, i);
		d = NULL;
		assert_int_equal(aliasdb_dump_parse(cut, i, &err, &d), -EINVAL);
		assert_null(d);
		assert_true(err.why[0] != '\0');
		free(cut);
	}
	/* Damaged copies: refused or read, never a crash. */
	for (i = 0; i < 3000; i++) {
		char *bad = malloc(len);
		int r;

		memcpy(bad, dump_text, len);
		bad[rng() % len] = (char)(rng() & 0xff);
		d = NULL;
		r = aliasdb_dump_parse(bad, len, &err, &d);
		assert_true(r == 0 || r == -EINVAL || r == -EPROTO);
		aliasdb_dump_free(d);
		free(bad);
	}
	/* A newer format is told apart. */
	assert_int_equal(
		aliasdb_dump_parse("aliasfs-dump 2\nend 0\n", 21, &err, &d),
		-EPROTO);
	/* An escaped NUL, a raw control byte, a record miscounted. */
	{
		static const char *const bad[] = {
			"aliasfs-dump 1\nalias /a\\x00 /usr/a active hand\n"
			"end 1\n",
			"aliasfs-dump 1\nalias /a\t /usr/a active hand\nend 1\n",
			"aliasfs-dump 1\nalias /a /usr/a active hand\nend 2\n",
			"aliasfs-dump 1\nalias /a /usr/a active\nend 1\n",
			"aliasfs-dump 1\nalias /a /usr/a blocked hand\nend 1\n",
			"aliasfs-dump 1\nalias /a /usr/a active hand\nend 1\nx\n",
		};
		static const unsigned lines[] = {2, 2, 3, 2, 2, 4};

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			d = NULL;
			assert_int_equal(aliasdb_dump_parse(bad[i],
							    strlen(bad[i]),
							    &err, &d),
					 -EINVAL);
			assert_null(d);
			if (err.line != lines[i])
				fail_msg("dump %zu: line %u, expected %u (%s)",
					 i, err.line, lines[i], err.why);
		}
	}
}

/* ---- files and opens ------------------------------------------------- */

struct fixture {
	char dir[64];
};

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/test-aliasdb-damage.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* A database in @f->dir/@name with aliases, owners, a blocked one, a
 * conflict and claims; closed again. Returns the directory. */
static char *make_db(struct fixture *f, const char *name)
{
	struct aliasdb_claims *c;
	struct aliasdb *db;
	char *dir;

	assert_true(asprintf(&dir, "%s/%s", f->dir, name) > 0);
	assert_int_equal(aliasdb_open(dir, ALIASDB_OPEN_CREATE, &db), 0);
	assert_int_equal(aliasdb_add_arch_defaults(db, "amd64", NULL), 6);
	assert_int_equal(aliasdb_add(db, "/opt/a", "/usr/a", "pkg", NULL), 1);
	assert_int_equal(aliasdb_set_state(db, "/lib32", ALIASDB_STATE_BLOCKED,
					   "would hide /lib32/x"),
			 0);
	assert_int_equal(aliasdb_conflict_add(db, "/usr/bin/t", "/bin/t"), 1);
	aliasdb_close(db);
	assert_int_equal(aliasdb_claims_open(dir, ALIASDB_OPEN_CREATE, &c), 0);
	assert_int_equal(aliasdb_claims_set_presented(
				 c, "/var/lib/dpkg/info/a.list", "/bin/x\n", 7),
			 1);
	aliasdb_claims_close(c);
	return dir;
}

static void poke(const char *dir, const char *name, off_t off,
		 unsigned char byte)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &byte, 1, off), 1);
	close(fd);
}

static void cut(const char *dir, const char *name, off_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(truncate(path, len), 0);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	assert_true(in >= 0);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* Opening @dir is -EUCLEAN, naming @file, and leaves it as it was. */
static void assert_damaged(const char *dir, const char *file)
{
	struct aliasdb *db = NULL;
	char path[256];
	struct stat before, after;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(aliasdb_open(dir, 0, &db), -EUCLEAN);
	assert_null(db);
	assert_non_null(aliasdb_open_damaged_file());
	assert_string_equal(aliasdb_open_damaged_file(), path);
	assert_true(strlen(aliasdb_open_damage_reason()) > 0);
	/* Read-only and with CREATE: the same. */
	assert_int_equal(aliasdb_open(dir, ALIASDB_OPEN_RDONLY, &db), -EUCLEAN);
	assert_int_equal(aliasdb_open(dir, ALIASDB_OPEN_CREATE, &db), -EUCLEAN);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_size, after.st_size);
	assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
}

static void test_open_damaged(void **state)
{
	struct fixture *f = *state;
	struct aliasdb_damage *list = NULL;
	struct aliasdb *db;
	char *dir = make_db(f, "db"), save[256], path[256];
	size_t n = 99;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	snprintf(save, sizeof(save), "%s/saved.mdb", f->dir);
	copy_file(path, save);

	/* The byte the issue found: the second meta page's page size. */
	poke(dir, "data.mdb", 0x1029, 0xff);
	assert_damaged(dir, "data.mdb");
	assert_non_null(strstr(aliasdb_open_damage_reason(), "page size"));
	assert_int_equal(aliasdb_verify(dir, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_non_null(strstr(list[0].file, "data.mdb"));
	aliasdb_damage_list_free(list, n);

	/* Empty: never taken for a new database. */
	cut(dir, "data.mdb", 0);
	assert_damaged(dir, "data.mdb");
	assert_non_null(strstr(aliasdb_open_damage_reason(), "empty"));
	/* Truncated, inside a page or on a page boundary. */
	copy_file(save, path);
	cut(dir, "data.mdb", 5000);
	assert_damaged(dir, "data.mdb");
	copy_file(save, path);
	cut(dir, "data.mdb", 8192);
	assert_damaged(dir, "data.mdb");
	/* Not an LMDB file at all. */
	copy_file(save, path);
	poke(dir, "data.mdb", 16, 'x');
	assert_damaged(dir, "data.mdb");
	assert_non_null(strstr(aliasdb_open_damage_reason(), "LMDB"));

	/* Whole again: opens, and the verdict follows the file. */
	copy_file(save, path);
	assert_int_equal(aliasdb_open(dir, 0, &db), 0);
	assert_null(aliasdb_open_damaged_file());
	aliasdb_close(db);
	assert_int_equal(aliasdb_verify(dir, &list, &n), 0);
	assert_int_equal(n, 0);
	assert_null(list);

	/* The claims belong to the database: damaged, it is refused, and
	 * aliasdb_claims_open() refuses them too. */
	cut(dir, ALIASDB_CLAIMS_FILE, 0);
	assert_damaged(dir, ALIASDB_CLAIMS_FILE);
	{
		struct aliasdb_claims *c = NULL;

		assert_int_equal(aliasdb_claims_open(dir, 0, &c), -EUCLEAN);
		assert_null(c);
	}
	free(dir);
}

/* Seeded single bytes everywhere in both stores: every open answers
 * 0 or -EUCLEAN (never a crash of this process), and what opens can be
 * listed and dumped. */
static void test_open_seeded_damage(void **state)
{
	struct fixture *f = *state;
	char *dir = make_db(f, "db"), save[2][256], path[2][256];
	const char *names[2] = {"data.mdb", ALIASDB_CLAIMS_FILE};
	size_t sizes[2];
	int i, damaged = 0;

	for (i = 0; i < 2; i++) {
		struct stat st;

		snprintf(path[i], sizeof(path[i]), "%s/%s", dir, names[i]);
		snprintf(save[i], sizeof(save[i]), "%s/saved.%d", f->dir, i);
		copy_file(path[i], save[i]);
		assert_int_equal(stat(path[i], &st), 0);
		sizes[i] = (size_t)st.st_size;
	}
	for (i = 0; i < 60; i++) {
		int which = (int)(rng() % 2);
		struct aliasdb *db = NULL;
		struct aliasdb_alias **list = NULL;
		char *text = NULL;
		size_t n = 0, len = 0;
		int r;

		copy_file(save[0], path[0]);
		copy_file(save[1], path[1]);
		poke(dir, names[which], (off_t)(rng() % sizes[which]),
		     (unsigned char)(rng() & 0xff));
		r = aliasdb_open(dir, ALIASDB_OPEN_RDONLY, &db);
		assert_true(r == 0 || r == -EUCLEAN);
		damaged += r == -EUCLEAN;
		if (r < 0)
			continue;
		r = aliasdb_list(db, &list, &n);
		assert_true(r == 0 || r == -EUCLEAN);
		aliasdb_alias_list_free(list, n);
		r = aliasdb_dump(db, &text, &len);
		assert_true(r == 0 || r == -EUCLEAN);
		free(text);
		aliasdb_close(db);
	}
	print_message("%d of 60 damaged copies refused\n", damaged);
	free(dir);
}

/* ---- dump, copy, restore, recover ------------------------------------- */

/* The dump without its generation line, for comparing states. */
static char *dump_of(const char *dir)
{
	struct aliasdb *db;
	char *text, *g, *nl;
	size_t len;

	assert_int_equal(aliasdb_open(dir, ALIASDB_OPEN_RDONLY, &db), 0);
	assert_int_equal(aliasdb_dump(db, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	aliasdb_close(db);
	g = strstr(text, "\ngeneration ");
	assert_non_null(g);
	nl = strchr(g + 1, '\n');
	memmove(g, nl, strlen(nl) + 1);
	return text;
}

static void test_copy_follows_writes(void **state)
{
	struct fixture *f = *state;
	char *dir = make_db(f, "db");
	struct aliasdb *db;
	uint64_t g, cg;

	assert_int_equal(aliasdb_open(dir, 0, &db), 0);
	assert_int_equal(aliasdb_generation(db, &g), 0);
	assert_int_equal(aliasdb_copy_generation(dir, &cg), 0);
	assert_int_equal(g, cg);
	assert_int_equal(aliasdb_add(db, "/opt/b", "/usr/b", NULL, NULL), 1);
	assert_int_equal(aliasdb_generation(db, &g), 0);
	assert_int_equal(aliasdb_copy_generation(dir, &cg), 0);
	assert_int_equal(g, cg);
	aliasdb_close(db);
	/* A copy cut short is no copy. */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", dir, ALIASDB_COPY_FILE);
		assert_int_equal(truncate(path, 40), 0);
		assert_int_equal(aliasdb_copy_generation(dir, &cg), -EUCLEAN);
		unlink(path);
		assert_int_equal(aliasdb_copy_generation(dir, &cg), -ENOENT);
	}
	free(dir);
}

static void test_restore_roundtrip_and_rules(void **state)
{
	struct fixture *f = *state;
	char *a = make_db(f, "a"), *b, *da, *db_text, *text;
	struct aliasdb_restore_report *rep = NULL;
	struct aliasdb_dump *d = NULL;
	struct aliasdb *db;
	size_t len;

	da = dump_of(a);
	assert_int_equal(aliasdb_dump_parse(da, strlen(da), NULL, &d), 0);
	assert_true(asprintf(&b, "%s/b", f->dir) > 0);
	assert_int_equal(aliasdb_open(b, ALIASDB_OPEN_CREATE, &db), 0);
	assert_int_equal(aliasdb_add(db, "/opt/old", "/usr/old", NULL, NULL),
			 1);
	assert_int_equal(aliasdb_restore(db, d, &rep), 0);
	assert_int_equal(rep->n_aliases, 7);
	assert_int_equal(rep->n_refused, 0);
	aliasdb_restore_report_free(rep);
	aliasdb_close(db);
	aliasdb_dump_free(d);
	db_text = dump_of(b);
	/* The whole content, replaced: /opt/old is gone. */
	assert_string_equal(da, db_text);
	free(db_text);

	/* A dump holding what the rules refuse: left out, reported. */
	assert_true(asprintf(&text,
			     "aliasfs-dump 1\n"
			     "alias /bin /usr/bin active hand\n"
			     "alias /var /usr/var active owner=v\n"
			     "alias /x/y /bin/y active hand\n"
			     "declaration v 0000000000000001 9 /var /usr/var "
			     "/bin /usr/bin\n"
			     "end 4\n") > 0);
	assert_int_equal(aliasdb_dump_parse(text, strlen(text), NULL, &d), 0);
	assert_int_equal(aliasdb_open(b, 0, &db), 0);
	assert_int_equal(aliasdb_restore(db, d, &rep), 0);
	assert_int_equal(rep->n_aliases, 1);
	assert_int_equal(rep->n_refused, 2);
	assert_string_equal(rep->refused[0].alias, "/var");
	assert_int_equal(rep->refused[0].rule, ALIASDB_RULE_DPKG_DB);
	assert_int_equal(rep->refused[0].line, 3);
	assert_int_equal(rep->refused[1].rule, ALIASDB_RULE_CHAIN);
	aliasdb_restore_report_free(rep);
	aliasdb_dump_free(d);
	assert_int_equal(aliasdb_dump(db, &db_text, &len), 0);
	/* The declaration no longer claims what was left out. */
	assert_non_null(strstr(db_text, "declaration v 0000000000000001 9 "
					"/bin /usr/bin\n"));
	free(db_text);
	aliasdb_close(db);
	free(text);
	free(da);
	free(a);
	free(b);
}

static void test_recover(void **state)
{
	struct fixture *f = *state;
	char *dir = make_db(f, "db"), *before, *after, path[256];
	struct aliasdb_recovery *rec = NULL;
	struct aliasdb_damage *list = NULL;
	struct aliasdb_dump *d = NULL;
	struct stat st;
	size_t n = 0, i;

	before = dump_of(dir);
	poke(dir, "data.mdb", 0x1029, 0xff);
	cut(dir, ALIASDB_CLAIMS_FILE, 100);
	assert_int_equal(aliasdb_verify(dir, &list, &n), 0);
	assert_int_equal(n, 2);
	/* A damaged map needs a dump. */
	assert_int_equal(aliasdb_recover(dir, list, n, NULL, &rec), -EINVAL);
	assert_int_equal(aliasdb_copy_read(dir, NULL, &d), 0);
	assert_int_equal(aliasdb_recover(dir, list, n, d, &rec), 0);
	assert_non_null(rec->restore);
	assert_int_equal(rec->restore->n_refused, 0);
	/* Nothing deleted: data, lock, claims, claims lock, in one place. */
	assert_int_equal(rec->n_moved, 4);
	for (i = 0; i < rec->n_moved; i++) {
		assert_int_equal(stat(rec->moved[i], &st), 0);
		assert_ptr_equal(strstr(rec->moved[i], rec->moved_to),
				 rec->moved[i]);
	}
	snprintf(path, sizeof(path), "%s/%s", rec->moved_to, ALIASDB_COPY_FILE);
	assert_int_equal(stat(path, &st), 0);
	aliasdb_recovery_free(rec);
	aliasdb_dump_free(d);
	aliasdb_damage_list_free(list, n);

	after = dump_of(dir);
	assert_string_equal(before, after);
	assert_int_equal(aliasdb_verify(dir, &list, &n), 0);
	assert_int_equal(n, 0);
	free(before);
	free(after);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alias_record),
		cmocka_unit_test(test_conflict_record),
		cmocka_unit_test(test_meta_records),
		cmocka_unit_test(test_claims_records),
		cmocka_unit_test(test_dump_parse),
		cmocka_unit_test_setup_teardown(test_open_damaged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_open_seeded_damage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_copy_follows_writes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_restore_roundtrip_and_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
