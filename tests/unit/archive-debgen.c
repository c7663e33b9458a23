/* Test helper: .deb writer over libarchive's tar and ar writers. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "archive-debgen.h"

struct debgen_buf {
	char *data;
	size_t len, cap;
};

static la_ssize_t debgen_buf_write(struct archive *a, void *ctx,
				   const void *buf, size_t n)
{
	struct debgen_buf *b = ctx;

	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2;
		char *d = realloc(b->data, cap);

		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, buf, n);
	b->len += n;
	return (la_ssize_t)n;
}

static int debgen_fail(struct archive *a, const char *what)
{
	fprintf(stderr, "debgen: %s: %s\n", what,
		a ? archive_error_string(a) : "failed");
	return -1;
}

static int debgen_tar(const char *compress, const struct debgen_member *members,
		      size_t n, struct debgen_buf *out)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	static char zeros[65536];
	int r = -1;

	archive_write_set_format_pax_restricted(a);
	if (strcmp(compress, "none") != 0 &&
	    archive_write_add_filter_by_name(a, compress) != ARCHIVE_OK)
		goto out;
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open(a, out, NULL, debgen_buf_write, NULL) !=
	    ARCHIVE_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct debgen_member *m = &members[i];
		uint64_t size = m->type == 'f' ? (m->data ? strlen(m->data) : 0)
				: m->type == 'z' ? m->size
						 : 0;

		archive_entry_clear(e);
		archive_entry_set_pathname(e, m->path);
		archive_entry_set_mtime(e, 1700000000, 0);
		archive_entry_set_uid(e, m->uid);
		archive_entry_set_gid(e, m->gid);
		if (m->xattr_name)
			archive_entry_xattr_add_entry(e, m->xattr_name,
						      m->xattr_value,
						      strlen(m->xattr_value));
		switch (m->type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, m->mode ? m->mode : 0755);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, m->target);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, m->mode ? m->mode : 0644);
			archive_entry_set_hardlink(e, m->target);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			archive_entry_set_perm(e, m->mode ? m->mode : 0644);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, m->mode ? m->mode : 0644);
			archive_entry_set_size(e, (la_int64_t)size);
			break;
		}
		if (archive_write_header(a, e) != ARCHIVE_OK)
			goto out;
		if (m->type == 'f' && size &&
		    archive_write_data(a, m->data, size) < 0)
			goto out;
		for (uint64_t done = 0; m->type == 'z' && done < size;) {
			size_t k = size - done < sizeof(zeros)
					   ? (size_t)(size - done)
					   : sizeof(zeros);

			if (archive_write_data(a, zeros, k) < 0)
				goto out;
			done += k;
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto out;
	r = 0;
out:
	if (r < 0)
		debgen_fail(a, "tar");
	archive_entry_free(e);
	archive_write_free(a);
	return r;
}

static int debgen_ar_member(struct archive *a, const char *name,
			    const void *data, size_t n)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (n && archive_write_data(a, data, n) != (la_ssize_t)n))
		r = debgen_fail(a, name);
	archive_entry_free(e);
	return r;
}

int debgen_write(const char *out, const char *package, const char *compress,
		 const struct debgen_member *members, size_t n, unsigned flags)
{
	struct debgen_buf control = {0}, data = {0};
	char text[512], name[64];
	struct debgen_member cm = {.type = 'f', .path = "./control"};
	struct archive *a = NULL;
	const char *ext;
	int r = -1;

	snprintf(text, sizeof(text),
		 "%s%s%sVersion: 1.0\nArchitecture: all\n"
		 "Maintainer: Test <test@example.org>\n"
		 "Description: test package\n",
		 flags & DEBGEN_NO_PACKAGE ? "" : "Package: ",
		 flags & DEBGEN_NO_PACKAGE ? "" : package,
		 flags & DEBGEN_NO_PACKAGE ? "" : "\n");
	cm.data = text;
	if (debgen_tar("gzip", &cm, 1, &control) < 0 ||
	    debgen_tar(compress, members, n, &data) < 0)
		goto out;
	a = archive_write_new();
	archive_write_set_format_ar_svr4(a);
	archive_write_set_bytes_per_block(a, 0);
	if (archive_write_open_filename(a, out) != ARCHIVE_OK) {
		debgen_fail(a, out);
		goto out;
	}
	if (flags & DEBGEN_NOT_DEB) {
		if (debgen_ar_member(a, "hello.o", "junk\n", 5) < 0)
			goto out;
	} else if (debgen_ar_member(a, "debian-binary", "2.0\n", 4) < 0) {
		goto out;
	}
	if (debgen_ar_member(a, "control.tar.gz", control.data, control.len) <
	    0)
		goto out;
	ext = strcmp(compress, "gzip") == 0    ? ".gz"
	      : strcmp(compress, "xz") == 0    ? ".xz"
	      : strcmp(compress, "zstd") == 0  ? ".zst"
	      : strcmp(compress, "bzip2") == 0 ? ".bz2"
					       : "";
	snprintf(name, sizeof(name), "data.tar%s", ext);
	if (!(flags & DEBGEN_NO_DATA) &&
	    debgen_ar_member(a, name, data.data, data.len) < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		debgen_fail(a, out);
		goto out;
	}
	r = 0;
out:
	if (a)
		archive_write_free(a);
	free(control.data);
	free(data.data);
	return r;
}
