/*
 * Reader of Debian binary packages (.deb) with libarchive: the outer ar
 * archive ("debian-binary", "control.tar[.*]", "data.tar[.*]"), the
 * package name from the control file, then the data.tar members one by
 * one. data.tar may be uncompressed or compressed with gzip, xz, zstd,
 * bzip2 or lzma; decompression is bounded by struct arc_limits.
 */
#ifndef DEB_READER_H
#define DEB_READER_H

#include <stddef.h>
#include <stdint.h>

#include "archive/archive-input.h"

struct archive_entry;
struct deb_reader;

/*
 * Open @filename, check that it is a Debian package, read its control
 * file and position before the first data.tar member.
 * Returns 0 and *ret_reader, or -errno with @diag explaining: -ENOENT,
 * -EACCES, ... (cannot open), -EBADMSG (not an ar archive, not a Debian
 * package, truncated, no control file or no Package field, no data.tar),
 * -EFBIG (decompression limits), -ENOMEM. @limits may be NULL (defaults).
 */
int deb_reader_open(const char *filename, const struct arc_limits *limits,
		    struct deb_reader **ret_reader, struct arc_diag *diag);

/* The package name from the control file. Lives as long as the reader. */
const char *deb_reader_package(const struct deb_reader *reader);

/*
 * Advance to the next data.tar member (unread data of the previous one is
 * skipped within the limits). Returns 1 and *ret_entry (owned by the
 * reader, valid until the next call), 0 at the end, or -errno with @diag
 * (-EBADMSG for a truncated or corrupt archive, -EFBIG).
 */
int deb_reader_next(struct deb_reader *reader, struct archive_entry **ret_entry,
		    struct arc_diag *diag);

/*
 * Next block of the current member's data: 1 with *ret_buf, *ret_len and
 * *ret_offset (sparse files have gaps between blocks), 0 at the end of the
 * member, -errno with @diag.
 */
int deb_reader_data(struct deb_reader *reader, const void **ret_buf,
		    size_t *ret_len, int64_t *ret_offset,
		    struct arc_diag *diag);

/* Close and free. Accepts NULL. */
void deb_reader_free(struct deb_reader *reader);

/*
 * Convenience for `check`: call @fn for every non-directory member of
 * @filename's data.tar with its absolute path and the package name.
 * Returns 0 or an error as above.
 */
int deb_reader_list(const char *filename, const struct arc_limits *limits,
		    arc_path_fn fn, void *ctx, struct arc_diag *diag);

#endif /* DEB_READER_H */
