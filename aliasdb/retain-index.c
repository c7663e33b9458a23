/*
 * The index of retained files: a small text file in the database
 * directory, which the daemon appends to as files are retained and
 * aliasctl lists and trims. An flock on a separate lock file (the index
 * itself is replaced by rename) keeps the two from losing each other's
 * changes.
 *
 *	aliasfs-retained 1
 *	root	BACKING
 *	gen	N
 *	SINCE	SIZE	VERSION	PACKAGE	PATH	ORIGINAL
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "aliasdb-internal.h"

#define RETAINED_MAGIC "aliasfs-retained 1"

int aliasdb_retained_lock(const char *dir)
{
	char path[ALIASDB_PATH_MAX];
	int fd, r;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     ALIASDB_RETAINED_LOCK_FILE) >= sizeof(path))
		return -ENAMETOOLONG;
	r = aliasdb_db_make_dirs(dir);
	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			r = -errno;
			close(fd);
			return r;
		}
	}
	return fd;
}

static void retained_entry_free(struct aliasdb_retained *e)
{
	free(e->path);
	free(e->original);
	free(e->package);
	free(e->version);
}

void aliasdb_retained_index_free(struct aliasdb_retained_index *index)
{
	size_t i;

	if (!index)
		return;
	for (i = 0; i < index->n; i++)
		retained_entry_free(&index->entries[i]);
	free(index->entries);
	free(index->root);
	free(index);
}

static bool retained_field_ok(const char *s)
{
	return s && !strpbrk(s, "\t\n");
}

int aliasdb_retained_append(struct aliasdb_retained_index *index,
			    const struct aliasdb_retained *entry)
{
	struct aliasdb_retained *e, copy;

	if (!retained_field_ok(entry->path) ||
	    !retained_field_ok(entry->original) ||
	    !retained_field_ok(entry->package) ||
	    !retained_field_ok(entry->version))
		return -EINVAL;
	copy = *entry;
	copy.path = strdup(entry->path);
	copy.original = strdup(entry->original);
	copy.package = strdup(entry->package);
	copy.version = strdup(entry->version);
	e = realloc(index->entries, (index->n + 1) * sizeof(*e));
	if (!e || !copy.path || !copy.original || !copy.package ||
	    !copy.version) {
		if (e)
			index->entries = e;
		retained_entry_free(&copy);
		return -ENOMEM;
	}
	index->entries = e;
	e[index->n++] = copy;
	return 0;
}

/* One "SINCE SIZE VERSION PACKAGE PATH ORIGINAL" line; a line that does
 * not read so is skipped (0). */
static int retained_line(void *ctx, unsigned line, const char *s, size_t len)
{
	struct aliasdb_retained_index *index = ctx;
	struct aliasdb_retained e;
	char *copy, *f[6], *p, *end;
	int n = 0, r = 0;

	if (line == 1)
		return 0; /* the magic, checked by the caller */
	copy = strndup(s, len);
	if (!copy)
		return -ENOMEM;
	for (p = copy; n < 6; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n == 1 && strcmp(f[0], "root") == 0 && f[1][0] == '/') {
		free(index->root);
		index->root = strdup(f[1]);
		r = index->root ? 0 : -ENOMEM;
	} else if (n == 1 && strcmp(f[0], "gen") == 0) {
		index->next_gen = strtoull(f[1], NULL, 10);
	} else if (n == 5 && !p && f[4][0] == '/') {
		errno = 0;
		e.since = strtoll(f[0], &end, 10);
		if (errno == 0 && *end == '\0')
			e.size = strtoull(f[1], &end, 10);
		if (errno == 0 && *end == '\0') {
			e.version = f[2];
			e.package = f[3];
			e.path = f[4];
			e.original = f[5];
			r = aliasdb_retained_append(index, &e);
		}
	}
	free(copy);
	return r;
}

int aliasdb_retained_load(const char *dir,
			  struct aliasdb_retained_index **ret_index)
{
	struct aliasdb_retained_index *index;
	char *text = NULL;
	size_t len = 0;
	int dfd, r;

	index = calloc(1, sizeof(*index));
	if (!index)
		return -ENOMEM;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = dfd < 0 ? -errno : 0;
	if (r == 0) {
		r = aliasdb_read_file_at(dfd, ALIASDB_RETAINED_FILE,
					 ALIASDB_DECL_MAX_SIZE * 64, &text,
					 &len);
		close(dfd);
	}
	if (r == 0 &&
	    strncmp(text, RETAINED_MAGIC "\n", sizeof(RETAINED_MAGIC)) != 0)
		r = -EUCLEAN;
	if (r == 0)
		r = aliasdb_lines_each(text, len, retained_line, index);
	else if (r == -ENOENT)
		r = 0; /* nothing retained yet */
	free(text);
	if (r < 0) {
		aliasdb_retained_index_free(index);
		return r;
	}
	*ret_index = index;
	return 0;
}

int aliasdb_retained_open(const char *dir,
			  struct aliasdb_retained_index **ret_index)
{
	int lock = aliasdb_retained_lock(dir), r;

	if (lock < 0)
		return lock;
	r = aliasdb_retained_load(dir, ret_index);
	if (r < 0) {
		close(lock);
		return r;
	}
	return lock;
}

int aliasdb_retained_save(const char *dir,
			  const struct aliasdb_retained_index *index)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;
	int r;

	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, RETAINED_MAGIC "\n");
	if (index->root && retained_field_ok(index->root))
		fprintf(f, "root\t%s\n", index->root);
	fprintf(f, "gen\t%" PRIu64 "\n", index->next_gen);
	for (i = 0; i < index->n; i++) {
		const struct aliasdb_retained *e = &index->entries[i];

		fprintf(f, "%" PRId64 "\t%" PRIu64 "\t%s\t%s\t%s\t%s\n",
			e->since, e->size, e->version, e->package, e->path,
			e->original);
	}
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	r = aliasdb_write_file_replace(dir, ALIASDB_RETAINED_FILE, text, len);
	free(text);
	return r;
}

uint64_t aliasdb_retained_total(const struct aliasdb_retained_index *index)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < index->n; i++)
		total += index->entries[i].size;
	return total;
}

/* unlinkat() of @rel (relative) beneath @root_fd, through no symlink. */
static int retained_unlink_beneath(int root_fd, const char *rel, int flags)
{
	char *parent = strdup(rel), *slash;
	int pfd, r = 0;

	if (!parent)
		return -ENOMEM;
	slash = strrchr(parent, '/');
	if (!slash) {
		free(parent);
		return -EINVAL;
	}
	*slash = '\0';
	pfd = aliasdb_open_beneath(root_fd, parent, O_RDONLY | O_DIRECTORY,
				   ALIASDB_BENEATH_NO_SYMLINKS);
	if (pfd < 0) {
		r = pfd;
	} else {
		if (unlinkat(pfd, slash + 1, flags) < 0)
			r = -errno;
		close(pfd);
	}
	free(parent);
	return r;
}

int aliasdb_retained_drop(struct aliasdb_retained_index *index, size_t i,
			  int root_fd)
{
	struct aliasdb_retained *e = &index->entries[i];
	char *slash;
	int r;

	r = root_fd < 0 ? -ENOENT
			: retained_unlink_beneath(root_fd, e->path + 1, 0);
	if (r < 0 && r != -ENOENT)
		return r;
	/* The version's directory goes with its last file. */
	slash = strrchr(e->path, '/');
	if (r == 0 && slash > e->path) {
		*slash = '\0';
		(void)retained_unlink_beneath(root_fd, e->path + 1,
					      AT_REMOVEDIR);
	}
	retained_entry_free(e);
	memmove(e, e + 1, (index->n - i - 1) * sizeof(*e));
	index->n--;
	return 0;
}
