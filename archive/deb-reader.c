/*
 * .deb reader. The outer ar archive is read with libarchive's ar support;
 * each tar member is a second libarchive reader whose input callback
 * pulls blocks out of the outer one, so nothing is buffered whole and
 * nothing touches the disk.
 *
 * Decompression bombs: libarchive skips unread member data by
 * decompressing it inside archive_read_next_header(), beyond our control.
 * So the reader drains unread data itself, block by block, checking the
 * limits as it goes.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/deb-reader.h"
#include "aliasdb.h"

#define DEB_BLOCK (64 * 1024)
/* A control file is a few KiB; refuse to hold more than this. */
#define DEB_CONTROL_MAX (1024 * 1024)

struct deb_reader {
	int fd;
	struct archive *outer;
	struct archive *inner;
	char *filename;
	char member[64];
	char what[512]; /* "FILE: data.tar.xz", for messages */
	char *package;
	struct arc_limits limits;
	uint64_t fed; /* compressed bytes handed to the inner reader */
	bool data_pending;
	bool inner_eof;
};

static la_ssize_t deb_outer_read(struct archive *inner, void *ctx,
				 const void **ret_buf)
{
	struct deb_reader *r = ctx;
	size_t len;
	la_int64_t off;
	int e = archive_read_data_block(r->outer, ret_buf, &len, &off);

	if (e == ARCHIVE_EOF)
		return 0;
	if (e != ARCHIVE_OK && e != ARCHIVE_WARN) {
		archive_set_error(inner, archive_errno(r->outer), "%s",
				  archive_error_string(r->outer)
					  ? archive_error_string(r->outer)
					  : "read error");
		return -1;
	}
	r->fed += len;
	return (la_ssize_t)len;
}

static void deb_inner_close(struct deb_reader *r)
{
	if (r->inner)
		archive_read_free(r->inner);
	r->inner = NULL;
	r->data_pending = false;
	r->inner_eof = false;
}

static int deb_inner_open(struct deb_reader *r, struct arc_diag *diag)
{
	deb_inner_close(r);
	r->inner = archive_read_new();
	if (!r->inner)
		return -ENOMEM;
	r->fed = 0;
	archive_read_support_filter_gzip(r->inner);
	archive_read_support_filter_xz(r->inner);
	archive_read_support_filter_lzma(r->inner);
	archive_read_support_filter_zstd(r->inner);
	archive_read_support_filter_bzip2(r->inner);
	archive_read_support_format_tar(r->inner);
	if (archive_read_open(r->inner, r, NULL, deb_outer_read, NULL) !=
	    ARCHIVE_OK)
		return arc_error(r->inner, r->what, diag);
	return 0;
}

static int deb_check_limits(struct deb_reader *r, struct arc_diag *diag)
{
	return arc_limits_check(&r->limits,
				(uint64_t)archive_filter_bytes(r->inner, 0),
				r->fed, r->what, diag);
}

int deb_reader_data(struct deb_reader *r, const void **ret_buf, size_t *ret_len,
		    int64_t *ret_offset, struct arc_diag *diag)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int e, rc;

	if (!r->data_pending)
		return 0;
	e = archive_read_data_block(r->inner, &buf, &len, &off);
	if (e == ARCHIVE_EOF) {
		r->data_pending = false;
		return 0;
	}
	if (e != ARCHIVE_OK && e != ARCHIVE_WARN)
		return arc_error(r->inner, r->what, diag);
	rc = deb_check_limits(r, diag);
	if (rc < 0)
		return rc;
	*ret_buf = buf;
	*ret_len = len;
	*ret_offset = off;
	return 1;
}

int deb_reader_next(struct deb_reader *r, struct archive_entry **ret_entry,
		    struct arc_diag *diag)
{
	struct archive_entry *entry;
	int e, rc;

	if (!r->inner || r->inner_eof)
		return 0;
	while (r->data_pending) {
		const void *buf;
		size_t len;
		int64_t off;

		rc = deb_reader_data(r, &buf, &len, &off, diag);
		if (rc < 0)
			return rc;
	}
	e = archive_read_next_header(r->inner, &entry);
	if (e == ARCHIVE_EOF) {
		r->inner_eof = true;
		return 0;
	}
	if (e != ARCHIVE_OK && e != ARCHIVE_WARN)
		return arc_error(r->inner, r->what, diag);
	rc = deb_check_limits(r, diag);
	if (rc < 0)
		return rc;
	if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0 &&
	    (uint64_t)archive_entry_size(entry) > r->limits.max_size) {
		arc_diag_set(diag, "%s: member %s is larger than the limit",
			     r->what, archive_entry_pathname(entry));
		return -EFBIG;
	}
	r->data_pending = true;
	*ret_entry = entry;
	return 1;
}

/* Extract the Package field from control file text @s (NUL-terminated). */
static char *deb_control_package(const char *s)
{
	for (const char *l = s; l && *l;
	     l = strchr(l, '\n'), l = l ? l + 1 : l) {
		const char *v, *end;

		if (strncmp(l, "Package:", 8) != 0)
			continue;
		v = l + 8;
		while (*v == ' ' || *v == '\t')
			v++;
		end = v;
		while (*end && *end != '\n' && *end != ' ' && *end != '\t' &&
		       *end != '\r')
			end++;
		if (end == v)
			return NULL;
		for (const char *c = v; c < end; c++)
			if (!((*c >= 'a' && *c <= 'z') ||
			      (*c >= '0' && *c <= '9') || *c == '+' ||
			      *c == '-' || *c == '.'))
				return NULL;
		return strndup(v, (size_t)(end - v));
	}
	return NULL;
}

static int deb_read_control(struct deb_reader *r, struct arc_diag *diag)
{
	struct archive_entry *entry;
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = deb_inner_open(r, diag);
	if (rc < 0)
		return rc;
	while ((rc = deb_reader_next(r, &entry, diag)) > 0) {
		const char *name = archive_entry_pathname(entry);
		const void *buf;
		size_t n;
		int64_t off;

		if (!name || (strcmp(name, "./control") != 0 &&
			      strcmp(name, "control") != 0))
			continue;
		while ((rc = deb_reader_data(r, &buf, &n, &off, diag)) > 0) {
			char *t;

			if (len + n > DEB_CONTROL_MAX) {
				arc_diag_set(diag, "%s: control file too large",
					     r->what);
				rc = -EBADMSG;
				break;
			}
			t = realloc(text, len + n + 1);
			if (!t) {
				rc = -ENOMEM;
				break;
			}
			text = t;
			memcpy(text + len, buf, n);
			len += n;
		}
		if (rc < 0)
			break;
		text = text ? text : strdup("");
		if (!text) {
			rc = -ENOMEM;
			break;
		}
		text[len] = '\0';
		r->package = deb_control_package(text);
		if (!r->package) {
			arc_diag_set(
				diag,
				"%s: control file has no valid Package field",
				r->what);
			rc = -EBADMSG;
		}
		break;
	}
	free(text);
	if (rc >= 0 && !r->package) {
		arc_diag_set(diag, "%s: no control file", r->what);
		rc = -EBADMSG;
	}
	deb_inner_close(r);
	return rc < 0 ? rc : 0;
}

static bool deb_member_is(const char *name, const char *base)
{
	size_t n = strlen(base);

	return strncmp(name, base, n) == 0 &&
	       (name[n] == '\0' || name[n] == '.');
}

/* Open @filename as an ar archive whose first member is debian-binary of
 * a version 2.x. */
static int deb_open_outer(struct deb_reader *r, struct arc_diag *diag)
{
	const char *filename = r->filename;
	struct archive_entry *entry;
	char magic[16];
	la_ssize_t n;
	int e;

	r->fd = open(filename, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		e = -errno;
		arc_diag_set(diag, "%s: %s", filename, strerror(-e));
		return e;
	}
	archive_read_support_format_ar(r->outer);
	if (archive_read_open_fd(r->outer, r->fd, DEB_BLOCK) != ARCHIVE_OK) {
		arc_diag_set(diag, "%s: not a Debian package (%s)", filename,
			     archive_error_string(r->outer)
				     ? archive_error_string(r->outer)
				     : "not an ar archive");
		return arc_errno(r->outer);
	}
	e = archive_read_next_header(r->outer, &entry);
	if (e != ARCHIVE_OK) {
		arc_diag_set(diag, "%s: not a Debian package (%s)", filename,
			     e == ARCHIVE_EOF ? "empty ar archive"
					      : archive_error_string(r->outer));
		return e == ARCHIVE_EOF ? -EBADMSG : arc_errno(r->outer);
	}
	if (strcmp(archive_entry_pathname(entry), "debian-binary") != 0) {
		arc_diag_set(
			diag,
			"%s: not a Debian package (ar archive whose first member is \"%s\", not \"debian-binary\")",
			filename, archive_entry_pathname(entry));
		return -EBADMSG;
	}
	n = archive_read_data(r->outer, magic, sizeof(magic) - 1);
	if (n < 4 || strncmp(magic, "2.", 2) != 0) {
		arc_diag_set(
			diag,
			"%s: not a Debian package (unsupported debian-binary version)",
			filename);
		return -EBADMSG;
	}
	return 0;
}

/* Read the members up to data.tar: control.tar (the package name), then
 * data.tar opened as the inner archive; "_" members are skipped. */
static int deb_find_data(struct deb_reader *r, struct arc_diag *diag)
{
	struct archive_entry *entry;
	const char *name;
	int e, rc;

	for (;;) {
		e = archive_read_next_header(r->outer, &entry);
		if (e == ARCHIVE_EOF) {
			arc_diag_set(
				diag,
				"%s: truncated Debian package: no %s member",
				r->filename,
				r->package ? "data.tar" : "control.tar");
			return -EBADMSG;
		}
		if (e != ARCHIVE_OK)
			return arc_error(r->outer, r->filename, diag);
		name = archive_entry_pathname(entry);
		snprintf(r->member, sizeof(r->member), "%s", name);
		snprintf(r->what, sizeof(r->what), "%s: %s", r->filename,
			 r->member);
		if (name[0] == '_')
			continue;
		if (deb_member_is(name, "control.tar") && !r->package) {
			rc = deb_read_control(r, diag);
			if (rc < 0)
				return rc;
			continue;
		}
		if (deb_member_is(name, "data.tar") && r->package)
			return deb_inner_open(r, diag);
		arc_diag_set(
			diag,
			"%s: not a valid Debian package: unexpected member \"%s\"",
			r->filename, name);
		return -EBADMSG;
	}
}

int deb_reader_open(const char *filename, const struct arc_limits *limits,
		    struct deb_reader **ret_reader, struct arc_diag *diag)
{
	struct deb_reader *r;
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = -1;
	if (limits)
		r->limits = *limits;
	else
		arc_limits_default(&r->limits);
	r->filename = strdup(filename);
	r->outer = archive_read_new();
	if (!r->filename || !r->outer) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = deb_open_outer(r, diag);
	if (rc == 0)
		rc = deb_find_data(r, diag);
	if (rc < 0)
		goto fail;
	*ret_reader = r;
	return 0;
fail:
	deb_reader_free(r);
	return rc;
}

const char *deb_reader_package(const struct deb_reader *r)
{
	return r->package;
}

void deb_reader_free(struct deb_reader *r)
{
	if (!r)
		return;
	deb_inner_close(r);
	if (r->outer)
		archive_read_free(r->outer);
	if (r->fd >= 0)
		close(r->fd);
	free(r->filename);
	free(r->package);
	free(r);
}

int deb_reader_list(const char *filename, const struct arc_limits *limits,
		    arc_path_fn fn, void *ctx, struct arc_diag *diag)
{
	struct deb_reader *r;
	struct archive_entry *entry;
	char path[ALIASDB_PATH_MAX];
	int rc;

	rc = deb_reader_open(filename, limits, &r, diag);
	if (rc < 0)
		return rc;
	while ((rc = deb_reader_next(r, &entry, diag)) > 0) {
		const char *name = archive_entry_pathname(entry);
		size_t n;

		if (!name || archive_entry_filetype(entry) == AE_IFDIR)
			continue;
		if (name[0] == '.' && name[1] == '/')
			name += 2;
		else if (name[0] == '/')
			name++;
		if (name[0] == '\0' || strcmp(name, ".") == 0)
			continue;
		n = strlen(name);
		if (n + 2 > sizeof(path)) {
			arc_diag_set(diag, "%s: member name too long",
				     filename);
			rc = -ENAMETOOLONG;
			break;
		}
		path[0] = '/';
		memcpy(path + 1, name, n + 1);
		rc = fn(ctx, path, n + 1, r->package, strlen(r->package));
		if (rc < 0) {
			arc_diag_set(diag, "%s: %s: %s", filename, path,
				     strerror(-rc));
			break;
		}
	}
	deb_reader_free(r);
	return rc < 0 ? rc : 0;
}
