/*
 * SHA-256 (FIPS 180-4), for telling whether a file holds what its package
 * shipped. A new build dependency for one hash would cost more than these
 * lines.
 */
#ifndef ALIASCTL_ORDERINGS_SHA256_H
#define ALIASCTL_ORDERINGS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ORD_SHA256_HEX 65 /* 64 hex digits and the NUL */

struct ord_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char buf[64];
	size_t fill;
};

void ord_sha256_init(struct ord_sha256 *c);
void ord_sha256_update(struct ord_sha256 *c, const void *data, size_t len);
/* Finish and write the digest as lowercase hex to @hex. */
void ord_sha256_hex(struct ord_sha256 *c, char hex[ORD_SHA256_HEX]);

/* The digest of the file open at @fd, read from its current offset.
 * Returns 0, or -errno. */
int ord_sha256_fd(int fd, char hex[ORD_SHA256_HEX]);

#endif /* ALIASCTL_ORDERINGS_SHA256_H */
