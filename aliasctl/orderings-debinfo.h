/*
 * aliasctl orderings: what each package ships (to tell a file that is not
 * what its owner shipped), and packages built from a scenario.
 */
#ifndef ALIASCTL_ORDERINGS_DEBINFO_H
#define ALIASCTL_ORDERINGS_DEBINFO_H

#include <stddef.h>

#include "aliasctl/orderings-scenario.h"
#include "aliasctl/orderings-sha256.h"

struct ord_deb_member {
	char *path;		     /* absolute, normalized: "/bin/test" */
	char type;		     /* f d l h(ard link: as f) c b p */
	char sha256[ORD_SHA256_HEX]; /* f */
	char *target;		     /* l */
};

struct ord_debinfo {
	char *file;
	char *name;
	char *version;
	char *arch;
	char *multiarch;		/* "same", ... or "" */
	struct ord_deb_member *members; /* sorted by path */
	size_t n_members;
};

/*
 * Read @deb: its control fields (through dpkg-deb) and its members with
 * their content digests. Returns 0 and *ret_info, or -errno with
 * *ret_why (free()).
 */
int ord_debinfo_read(const char *deb, struct ord_debinfo **ret_info,
		     char **ret_why);

void ord_debinfo_free(struct ord_debinfo *info);

/* The member at @path, or NULL. */
const struct ord_deb_member *ord_debinfo_member(const struct ord_debinfo *info,
						const char *path);

/*
 * Build the package @pkg describes (pkg->built) with dpkg-deb in
 * directory @outdir (created), using @tmpdir for its tree. Sets pkg->deb.
 * Returns 0 or -errno with *ret_why.
 */
int ord_deb_build(struct ord_package *pkg, const char *outdir,
		  const char *tmpdir, char **ret_why);

#endif /* ALIASCTL_ORDERINGS_DEBINFO_H */
