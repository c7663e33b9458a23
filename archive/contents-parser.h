/*
 * Reader of Debian Contents-* indices (plain, .gz, .xz, .lz4, .bz2, .zst):
 * one "PATH PACKAGES" line per file, PACKAGES a comma-separated list of
 * [[area/]section/]package. Handles the free-text header block older
 * indices carry before their "FILE LOCATION" line, spaces inside file
 * names (the last run of blanks separates the path from the packages) and
 * CRLF line ends.
 */
#ifndef CONTENTS_PARSER_H
#define CONTENTS_PARSER_H

#include <stddef.h>

#include "archive/archive-input.h"

struct contents_options {
	const struct arc_limits *limits; /* NULL: the defaults */
	arc_progress_fn progress;	 /* may be NULL */
	void *progress_ctx;
};

/*
 * Parse the index in file @filename, calling @fn once per (path, package)
 * with the path made absolute ("usr/bin/x" -> "/usr/bin/x").
 * Returns 0, or on failure -errno with @diag (may be NULL) saying what:
 * -ENOENT/-EACCES/... (cannot open or read), -EBADMSG (not a Contents
 * index: binary data, a line without a package list, an empty package
 * name; @diag names the line), -ENODATA (an empty index: no bytes,
 * only blank lines or only the header block), -EFBIG (decompression
 * limits), or the negative value @fn returned. @opts->progress, if set,
 * is called after every block read, with the compressed bytes read so far
 * and the file's size (0 for a pipe).
 */
int contents_parse_file(const char *filename,
			const struct contents_options *opts, arc_path_fn fn,
			void *ctx, struct arc_diag *diag);

/* The same over @len bytes at @buf (compressed or not). */
int contents_parse_memory(const void *buf, size_t len,
			  const struct contents_options *opts, arc_path_fn fn,
			  void *ctx, struct arc_diag *diag);

#endif /* CONTENTS_PARSER_H */
