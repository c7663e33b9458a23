/*
 * Which package shipped a file, and at which version: dpkg's file lists
 * and status as the backing has them (what dpkg wrote, in its spellings),
 * each listed path canonicalized with the alias map so that a file listed
 * as /lib/x is found as /usr/lib/x. Retention asks this once per retained
 * file, while dpkg still lists the old version: it replaces the lists and
 * the version only after it has unpacked every file.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aliasdb-internal.h"

/* dpkg's files are large on a full system; a list or a status file
 * larger than this is not one. */
#define DPKG_FILE_MAX (256u << 20)

/* Does list @text (@len bytes) hold @path, in any spelling? */
static bool dpkg_list_has(const struct aliasdb_map *map, const char *text,
			  size_t len, const char *path, const char *base)
{
	const char *p = text, *end = text + len, *nl;
	size_t blen = strlen(base);
	char line[ALIASDB_PATH_MAX], canon[ALIASDB_PATH_MAX];

	for (; p < end; p = nl + 1) {
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		n = (size_t)(nl - p);
		/* Cheap test first: the same last component. */
		if (n <= blen || n >= sizeof(line) || p[n - blen - 1] != '/' ||
		    memcmp(p + n - blen, base, blen) != 0)
			continue;
		memcpy(line, p, n);
		line[n] = '\0';
		if (map ? aliasdb_map_canon(map, line, canon, sizeof(canon)) < 0
			: aliasdb_path_normalize(line, canon, sizeof(canon)) <
				    0)
			continue;
		if (strcmp(canon, path) == 0)
			return true;
	}
	return false;
}

static int dpkg_owner(int info_fd, const struct aliasdb_map *map,
		      const char *path, char **ret_package)
{
	const char *base = strrchr(path, '/');
	char **names;
	size_t n, i;
	int r;

	base = base ? base + 1 : path;
	r = aliasdb_dir_names(info_fd, &names, &n);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (i = 0; i < n && r == -ENOENT; i++) {
		size_t len = strlen(names[i]);
		char *text;
		size_t tlen;

		if (len <= 5 || strcmp(names[i] + len - 5, ".list") != 0)
			continue;
		if (aliasdb_read_file_at(info_fd, names[i], DPKG_FILE_MAX,
					 &text, &tlen) < 0)
			continue;
		if (dpkg_list_has(map, text, tlen, path, base)) {
			*ret_package = strndup(names[i], len - 5);
			r = *ret_package ? 0 : -ENOMEM;
		}
		free(text);
	}
	aliasdb_dir_names_free(names, n);
	return r;
}

/* The value of field @field ("Version") in the paragraph at @p..@end, as
 * a new string, or NULL. */
static char *dpkg_field(const char *p, const char *end, const char *field)
{
	size_t flen = strlen(field);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		if ((size_t)(nl - p) > flen && strncmp(p, field, flen) == 0 &&
		    p[flen] == ':') {
			const char *v = p + flen + 1;

			while (v < nl && (*v == ' ' || *v == '\t'))
				v++;
			while (nl > v && (nl[-1] == ' ' || nl[-1] == '\t' ||
					  nl[-1] == '\r'))
				nl--;
			return strndup(v, (size_t)(nl - v));
		}
		p = nl + 1;
	}
	return NULL;
}

/* The Version of @name ("q" or "q:amd64") in status-format @text, stored
 * into *@version (replacing an earlier one) when found. */
static int dpkg_status_version(const char *text, size_t len, const char *name,
			       char **version)
{
	const char *p = text, *end = text + len;
	const char *colon = strchr(name, ':');
	size_t nlen = colon ? (size_t)(colon - name) : strlen(name);

	while (p < end) {
		const char *q = strstr(p, "\n\n");
		const char *pend = q && q < end ? q + 1 : end;
		char *pkg = dpkg_field(p, pend, "Package");
		bool hit = pkg && strlen(pkg) == nlen &&
			   strncmp(pkg, name, nlen) == 0;

		free(pkg);
		if (hit && colon) {
			char *arch = dpkg_field(p, pend, "Architecture");

			hit = arch && strcmp(arch, colon + 1) == 0;
			free(arch);
		}
		if (hit) {
			char *v = dpkg_field(p, pend, "Version");

			if (v) {
				free(*version);
				*version = v;
			}
		}
		p = q && q < end ? q + 2 : end;
	}
	return 0;
}

static int dpkg_version(int dpkg_fd, const char *package, char **ret_version)
{
	char *version = NULL, *text, **names;
	size_t tlen, n, i;
	int ufd;

	if (aliasdb_read_file_at(dpkg_fd, "status", DPKG_FILE_MAX, &text,
				 &tlen) == 0) {
		dpkg_status_version(text, tlen, package, &version);
		free(text);
	}
	/* dpkg's journal: each file a paragraph newer than the status. */
	ufd = openat(dpkg_fd, "updates",
		     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ufd >= 0 && aliasdb_dir_names(ufd, &names, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (strspn(names[i], "0123456789") != strlen(names[i]))
				continue;
			if (aliasdb_read_file_at(ufd, names[i], DPKG_FILE_MAX,
						 &text, &tlen) < 0)
				continue;
			dpkg_status_version(text, tlen, package, &version);
			free(text);
		}
		aliasdb_dir_names_free(names, n);
	}
	if (ufd >= 0)
		close(ufd);
	if (!version)
		return -ENOENT;
	*ret_version = version;
	return 0;
}

int aliasdb_dpkg_owner_version(int tree_fd, const struct aliasdb_map *map,
			       const char *path, char **ret_package,
			       char **ret_version)
{
	char *package = NULL, *version = NULL;
	int dpkg_fd, info_fd, r;

	dpkg_fd = aliasdb_open_beneath(tree_fd, "var/lib/dpkg",
				       O_RDONLY | O_DIRECTORY,
				       ALIASDB_BENEATH_NO_SYMLINKS);
	if (dpkg_fd < 0)
		return dpkg_fd == -ENOTDIR ? -ENOENT : dpkg_fd;
	info_fd = openat(dpkg_fd, "info",
			 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (info_fd < 0) {
		r = -errno;
		close(dpkg_fd);
		return r == -ENOTDIR || r == -ELOOP ? -ENOENT : r;
	}
	r = dpkg_owner(info_fd, map, path, &package);
	close(info_fd);
	if (r == 0)
		r = dpkg_version(dpkg_fd, package, &version);
	close(dpkg_fd);
	if (r < 0) {
		free(package);
		return r;
	}
	*ret_package = package;
	*ret_version = version;
	return 0;
}
