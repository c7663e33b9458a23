/*
 * mount.aliasfs: the command line mount(8) gives an external helper,
 *   mount.aliasfs SPEC DIR [-sfnv] [-N NAMESPACE] [-o OPTIONS] [-t TYPE]
 * (options may come anywhere, as mount(8)'s own parser allows).
 */
#ifndef MH_CMDLINE_H
#define MH_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

struct mh_cmdline {
	const char *spec;      /* the backing directory */
	const char *dir;       /* the mount point */
	const char *namespace; /* -N: a PID or a mount namespace file */
	const char *type;      /* -t: aliasfs or fuse.aliasfs */
	char *options;	       /* every -o, joined by commas; NULL if none */
	bool sloppy;	       /* -s */
	bool fake;	       /* -f */
	bool no_mtab;	       /* -n */
	bool verbose;	       /* -v */
	bool help;	       /* -h, --help */
	bool version;	       /* -V, --version */
};

/*
 * Parse @argv into @c (which points into @argv; ->options is allocated).
 * Returns 0, -EINVAL with a sentence in @msg (of @msgsz bytes) naming the
 * bad argument, or -ENOMEM. Free with mh_cmdline_free() in every case.
 */
int mh_cmdline_parse(int argc, char *const argv[], struct mh_cmdline *c,
		     char *msg, size_t msgsz);

void mh_cmdline_free(struct mh_cmdline *c);

#endif
