/*
 * When the kernel may keep the pages of a presented dpkg database file
 * across opens (dpkg-pages.c). Pure bookkeeping, one per inode; the caller
 * serializes.
 */
#ifndef AFS_DPKG_PAGES_H
#define AFS_DPKG_PAGES_H

#include <stdbool.h>
#include <stdint.h>

struct afs_dpkg_pages {
	uint64_t ver; /* content version of the newest presented open */
	unsigned cur; /* presented handles open on that version */
	unsigned old; /* presented handles open on older versions */
	bool clean;   /* the pages hold exactly version ver's content */
	bool raw;     /* opened through the ordinary path, or truncated:
		       * its pages may hold backing bytes, never trusted */
};

/* A presented handle of content version @ver (never 0) opens: may the
 * kernel keep the pages it has (true), or must it drop them (false)? */
bool afs_dpkg_pages_open(struct afs_dpkg_pages *p, uint64_t ver);

/* A presented handle of version @ver was released. */
void afs_dpkg_pages_close(struct afs_dpkg_pages *p, uint64_t ver);

#endif /* AFS_DPKG_PAGES_H */
