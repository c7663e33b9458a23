/*
 * Shared definitions of the archive readers (libaliasarchive): how a reader
 * hands shipped paths to its consumer, how it reports what went wrong, and
 * the limits that keep a hostile input from exhausting memory or disk.
 */
#ifndef ARCHIVE_INPUT_H
#define ARCHIVE_INPUT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Human-readable detail of the last failure ("data.tar.xz: decompression
 * ratio above 1000:1"). Readers fill it when they return an error, so a
 * caller can say more than strerror(); untouched on success.
 */
struct arc_diag {
	char msg[512];
};

/* Write a printf-style message into @diag (NULL: nothing). */
void arc_diag_set(struct arc_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * One path shipped by one package. @path is absolute and NUL-terminated,
 * not necessarily normalized; @pkg is a NUL-terminated package name. Both
 * are only valid during the call. A negative return stops the reader, which
 * then returns that value.
 */
typedef int (*arc_path_fn)(void *ctx, const char *path, size_t path_len,
			   const char *pkg, size_t pkg_len);

/* Progress: @done of @total bytes of the current input (total may be 0). */
typedef void (*arc_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/*
 * Bounds on decompression, against archive bombs: a stream stops with
 * -EFBIG once it has produced more than max_size bytes, or more than
 * ratio_floor bytes at a ratio of uncompressed to compressed above
 * max_ratio.
 */
struct arc_limits {
	uint64_t max_size;
	uint64_t max_ratio;
	uint64_t ratio_floor;
};

/* 64 GiB, 1000:1 beyond the first 32 MiB: no real Debian package or index
 * comes near, a compression bomb trips early. */
void arc_limits_default(struct arc_limits *limits);

/*
 * Check @out uncompressed bytes produced from @in compressed bytes against
 * @limits. Returns 0 or -EFBIG with @diag saying which bound, naming
 * @what.
 */
int arc_limits_check(const struct arc_limits *limits, uint64_t out, uint64_t in,
		     const char *what, struct arc_diag *diag);

struct archive;

/*
 * libarchive's last error on @a as -errno, the one mapping every reader
 * uses: a system error libarchive passes through (out of memory, a failed
 * open or read) as itself; its own codes (a format error, "misc", none)
 * as -EBADMSG: the input is not what it should be.
 */
int arc_errno(struct archive *a);

/* arc_errno(), with @diag set to "@what: <libarchive's message>". */
int arc_error(struct archive *a, const char *what, struct arc_diag *diag);

#endif /* ARCHIVE_INPUT_H */
