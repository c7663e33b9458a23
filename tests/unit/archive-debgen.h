/*
 * Test helper: write .deb files with libarchive, including the malformed
 * and hostile ones dpkg-deb refuses to build ("../" members, links out of
 * the root, compression bombs, non-deb ar archives).
 */
#ifndef ARCHIVE_DEBGEN_H
#define ARCHIVE_DEBGEN_H

#include <stddef.h>
#include <stdint.h>

struct debgen_member {
	/* 'f' file (data), 'd' directory, 'l' symlink (target), 'h' hard
	 * link (target), 'z' file of @size zero bytes, 'p' fifo */
	char type;
	const char *path;
	const char *data;	/* 'f'; NULL for empty */
	const char *target;	/* 'l', 'h' */
	uint64_t size;		/* 'z' */
	unsigned mode;		/* 0: 0644 for files, 0755 for directories */
	const char *xattr_name; /* optional, with xattr_value */
	const char *xattr_value;
	long uid, gid; /* owner (0 = root) */
};

enum debgen_flags {
	DEBGEN_NOT_DEB = 1 << 0,    /* first ar member is not debian-binary */
	DEBGEN_NO_DATA = 1 << 1,    /* stop after control.tar */
	DEBGEN_NO_PACKAGE = 1 << 2, /* control file without Package: */
};

/*
 * Write @out: a .deb for @package whose data.tar holds @members,
 * compressed with @compress ("none", "gzip", "xz", "zstd", "bzip2").
 * Returns 0 or -1 (message on stderr).
 */
int debgen_write(const char *out, const char *package, const char *compress,
		 const struct debgen_member *members, size_t n, unsigned flags);

#endif /* ARCHIVE_DEBGEN_H */
