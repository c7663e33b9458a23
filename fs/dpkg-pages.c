/*
 * The page cache rule for presented dpkg database files. A presented
 * handle reads a sealed copy of one content version; the kernel fills the
 * inode's pages from whichever handle reads. So the pages hold version V
 * only if the last open that dropped them was of V and no handle of an
 * older version was open since (its reads could put old content back),
 * and no ordinary handle ever was (backing bytes).
 *
 * Layer 1 (leaf helpers, fs/README.md): calls no other file of fs/.
 */
#include "config.h"

#include "fs/dpkg-pages.h"

bool afs_dpkg_pages_open(struct afs_dpkg_pages *p, uint64_t ver)
{
	bool keep;

	if (ver != p->ver) {
		p->old += p->cur;
		p->cur = 0;
		p->ver = ver;
		p->clean = false;
	}
	p->cur++;
	keep = p->clean && !p->raw;
	if (!keep) /* this open drops the pages */
		p->clean = p->old == 0;
	return keep;
}

void afs_dpkg_pages_close(struct afs_dpkg_pages *p, uint64_t ver)
{
	if (ver == p->ver) {
		if (p->cur > 0)
			p->cur--;
	} else if (p->old > 0) {
		p->old--;
	}
}
