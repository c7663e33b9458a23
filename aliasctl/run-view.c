/* aliasctl run: system trees bound into a chrooted view, and unmounting. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "aliasctl/rundir.h"
#include "aliasctl/run-view.h"

void run_view_bind_system(const char *view)
{
	static const char *const trees[] = {"dev", "proc", "sys"};

	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		struct stat st;
		char *target;

		if (asprintf(&target, "%s/%s", view, trees[i]) < 0)
			return;
		/* lstat: a symlink there would take the mount elsewhere. */
		if (lstat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
			char source[16];

			snprintf(source, sizeof(source), "/%s", trees[i]);
			/* MS_REC: in a user namespace the mounts below are
			 * locked to their parent and must come along. */
			if (mount(source, target, NULL, MS_BIND | MS_REC,
				  NULL) < 0)
				fprintf(stderr,
					"aliasctl run: cannot bind %s on %s: "
					"%s; the command runs without it\n",
					source, target, strerror(errno));
		}
		free(target);
	}
}

int run_view_unmount(const char *view, bool fusermount)
{
	char **mounts = NULL;
	size_t n = 0;
	int r, first = 0;

	r = rundir_mounts_under(view, &mounts, &n);
	if (r < 0)
		return r;
	/* Deepest first: the binds, then the view itself. */
	for (size_t i = 0; i < n; i++) {
		r = rundir_unmount_lazy(
			mounts[i], fusermount && strcmp(mounts[i], view) == 0);
		if (r < 0 && r != -EINVAL && r != -ENOENT && first == 0)
			first = r;
		free(mounts[i]);
	}
	free(mounts);
	return first;
}
