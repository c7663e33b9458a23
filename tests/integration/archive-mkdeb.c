/*
 * archive-mkdeb: build the .deb files the archive tests need, hostile ones
 * included, which dpkg-deb would refuse to build.
 *
 *   archive-mkdeb [-c COMPRESS] [--not-deb] [--no-data] [--no-package]
 *                 OUT PACKAGE SPEC...
 *
 * SPEC is TYPE:PATH[:ARG]: f:PATH:CONTENT, d:PATH, l:PATH:TARGET,
 * h:PATH:TARGET (hard link), z:PATH:SIZE (zero bytes), p:PATH (fifo).
 * --mode OCTAL, --owner UID:GID and --xattr NAME=VALUE apply to every
 * regular file ('f') member.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/archive-debgen.h"

int main(int argc, char **argv)
{
	const char *compress = "xz";
	const char *xattr = NULL;
	unsigned flags = 0, mode = 0;
	long uid = 0, gid = 0;
	struct debgen_member *m;
	int i = 1, n, r;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			compress = argv[++i];
		else if (strcmp(argv[i], "--not-deb") == 0)
			flags |= DEBGEN_NOT_DEB;
		else if (strcmp(argv[i], "--no-data") == 0)
			flags |= DEBGEN_NO_DATA;
		else if (strcmp(argv[i], "--no-package") == 0)
			flags |= DEBGEN_NO_PACKAGE;
		else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
			mode = (unsigned)strtoul(argv[++i], NULL, 8);
		else if (strcmp(argv[i], "--owner") == 0 && i + 1 < argc &&
			 sscanf(argv[i + 1], "%ld:%ld", &uid, &gid) == 2)
			i++;
		else if (strcmp(argv[i], "--xattr") == 0 && i + 1 < argc)
			xattr = argv[++i];
		else
			break;
	}
	if (argc - i < 2) {
		fprintf(stderr,
			"usage: archive-mkdeb [-c COMPRESS] [--not-deb] "
			"[--no-data] [--no-package] [--mode OCTAL] "
			"[--owner UID:GID] [--xattr NAME=VALUE] OUT "
			"PACKAGE SPEC...\n");
		return 2;
	}
	n = argc - i - 2;
	m = calloc((size_t)(n ? n : 1), sizeof(*m));
	if (!m)
		return 2;
	for (int k = 0; k < n; k++) {
		char *spec = argv[i + 2 + k], *arg;

		if (strlen(spec) < 3 || spec[1] != ':') {
			fprintf(stderr, "archive-mkdeb: bad spec '%s'\n", spec);
			return 2;
		}
		m[k].type = spec[0];
		m[k].path = spec + 2;
		if (spec[0] == 'f') {
			m[k].mode = mode;
			m[k].uid = uid;
			m[k].gid = gid;
			if (xattr && strchr(xattr, '=')) {
				char *name = strdup(xattr);

				if (!name)
					return 2;
				*strchr(name, '=') = '\0';
				m[k].xattr_name = name;
				m[k].xattr_value = strchr(xattr, '=') + 1;
			}
		}
		arg = strchr(spec + 2, ':');
		if (arg) {
			*arg++ = '\0';
			m[k].data = arg;
			m[k].target = arg;
			m[k].size = strtoull(arg, NULL, 10);
		}
	}
	r = debgen_write(argv[i], argv[i + 1], compress, m, (size_t)n, flags);
	for (int k = 0; k < n; k++)
		free((char *)m[k].xattr_name);
	free(m);
	return r < 0 ? 1 : 0;
}
