/*
 * Installed root reader. The file lists name directories as well as
 * files, and do not say which is which; the root itself does (lstat
 * through the root's own directory fd, never following a final symlink).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/installed-root.h"

#define INFO_DIR "var/lib/dpkg/info"

static int root_filter_list(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && d->d_name[0] != '.' &&
	       strcmp(d->d_name + n - 5, ".list") == 0;
}

static int root_read_list(int rootfd, int infofd, const char *file,
			  arc_path_fn fn, void *ctx, struct arc_diag *diag)
{
	char pkg[256];
	size_t pkg_len = strlen(file) - 5;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd, r = 0;
	unsigned long lineno = 0;

	if (pkg_len >= sizeof(pkg)) {
		arc_diag_set(diag, "%s/%s: package name too long", INFO_DIR,
			     file);
		return -EBADMSG;
	}
	memcpy(pkg, file, pkg_len);
	pkg[pkg_len] = '\0';
	fd = openat(infofd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		arc_diag_set(diag, "%s/%s: %s", INFO_DIR, file,
			     strerror(errno));
		return r;
	}
	f = fdopen(fd, "r");
	if (!f) {
		r = -errno;
		close(fd);
		return r;
	}
	errno = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		struct stat st;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (strlen(line) != (size_t)n || line[0] != '/') {
			arc_diag_set(diag,
				     "%s/%s: line %lu: not an absolute path",
				     INFO_DIR, file, lineno);
			r = -EBADMSG;
			break;
		}
		/* "/." and every directory: shared by design. */
		if (strcmp(line, "/.") == 0 || strcmp(line, "/") == 0)
			continue;
		if (fstatat(rootfd, line + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			continue;
		r = fn(ctx, line, (size_t)n, pkg, pkg_len);
		if (r < 0) {
			arc_diag_set(diag, "%s/%s: %s: %s", INFO_DIR, file,
				     line, strerror(-r));
			break;
		}
		errno = 0;
	}
	if (r == 0 && ferror(f)) {
		r = errno ? -errno : -EIO;
		arc_diag_set(diag, "%s/%s: %s", INFO_DIR, file, strerror(-r));
	}
	free(line);
	fclose(f);
	return r;
}

int installed_root_list(const char *root, arc_path_fn fn, void *ctx,
			struct arc_diag *diag)
{
	struct dirent **names = NULL;
	int rootfd, infofd, n, r = 0;

	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		r = -errno;
		arc_diag_set(diag, "%s: %s", root, strerror(errno));
		return r;
	}
	infofd = openat(rootfd, INFO_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (infofd < 0) {
		r = -errno;
		arc_diag_set(diag, "%s: no dpkg database (%s/%s: %s)", root,
			     root, INFO_DIR, strerror(errno));
		close(rootfd);
		return r;
	}
	{
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", root, INFO_DIR);
		n = scandir(full, &names, root_filter_list, alphasort);
	}
	if (n < 0) {
		r = -errno;
		arc_diag_set(diag, "%s/%s: %s", root, INFO_DIR,
			     strerror(errno));
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (r == 0)
			r = root_read_list(rootfd, infofd, names[i]->d_name, fn,
					   ctx, diag);
		free(names[i]);
	}
	free(names);
out:
	close(infofd);
	close(rootfd);
	return r;
}
