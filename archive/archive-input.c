/* Diagnostics, libarchive errors and decompression limits shared by the
 * archive readers. */
#include "config.h"

#include <archive.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "archive/archive-input.h"

void arc_diag_set(struct arc_diag *diag, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return;
	va_start(ap, fmt);
	vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
	va_end(ap);
}

void arc_limits_default(struct arc_limits *limits)
{
	limits->max_size = UINT64_C(64) << 30;
	limits->max_ratio = 1000;
	limits->ratio_floor = UINT64_C(32) << 20;
}

int arc_limits_check(const struct arc_limits *limits, uint64_t out, uint64_t in,
		     const char *what, struct arc_diag *diag)
{
	if (out > limits->max_size) {
		arc_diag_set(diag,
			     "%s: decompresses to more than %" PRIu64
			     " bytes (decompression bomb?)",
			     what, limits->max_size);
		return -EFBIG;
	}
	/* Divide rather than multiply: in * max_ratio may overflow. */
	if (out > limits->ratio_floor &&
	    out / (in ? in : 1) > limits->max_ratio) {
		arc_diag_set(diag,
			     "%s: decompression ratio above %" PRIu64
			     ":1 (decompression bomb?)",
			     what, limits->max_ratio);
		return -EFBIG;
	}
	return 0;
}

int arc_errno(struct archive *a)
{
	int e = archive_errno(a);

	/* libarchive's private header defines its own codes as EILSEQ
	 * (file format), EINVAL (programmer) and -1 (misc). */
	if (e <= 0 || e == EILSEQ || e == EINVAL)
		return -EBADMSG;
	return -e;
}

int arc_error(struct archive *a, const char *what, struct arc_diag *diag)
{
	const char *s = archive_error_string(a);

	arc_diag_set(diag, "%s: %s", what, s ? s : "read error");
	return arc_errno(a);
}
