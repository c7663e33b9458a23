/* Reading what a .deb ships, and building the scenario's own packages. */
#include "config.h"

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aliasdb.h"
#include "aliasctl/orderings-debinfo.h"
#include "aliasctl/orderings-proc.h"
#include "aliasctl/orderings-workdir.h"
#include "archive/deb-reader.h"
#include "aliasctl/rmtree.h"

static int debinfo_why(char **ret_why, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int debinfo_why(char **ret_why, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(ret_why, fmt, ap) < 0)
		*ret_why = NULL;
	va_end(ap);
	return err;
}

/* Run @argv with its output captured. Returns 0 with *ret_out (free())
 * when it exits 0, else -errno / -EIO with the output as *ret_out. */
static int debinfo_capture(char *const *argv, char **ret_out)
{
	struct ord_proc_opts o = {.argv = argv};
	int fd, rc, r;

	*ret_out = NULL;
	fd = memfd_create("aliasctl-orderings", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	o.out_fd = fd;
	r = ord_proc_run(&o, 120000, &rc);
	if (r < 0) {
		close(fd);
		return r;
	}
	r = ord_proc_output(fd, SIZE_MAX, ret_out);
	if (r < 0)
		return r;
	return rc == 0 ? 0 : -EIO;
}

static int debinfo_member_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ord_deb_member *)a)->path,
		      ((const struct ord_deb_member *)b)->path);
}

/* "./usr/bin/x" -> "/usr/bin/x"; "./" -> "/". */
static char *debinfo_path(const char *name)
{
	char buf[ALIASDB_PATH_MAX], *raw;
	ssize_t n;

	if (asprintf(&raw, "/%s",
		     name[0] == '.' && name[1] == '/' ? name + 2
		     : name[0] == '/'		      ? name + 1
						      : name) < 0)
		return NULL;
	n = aliasdb_path_normalize(raw, buf, sizeof(buf));
	free(raw);
	return n < 0 ? NULL : strdup(buf);
}

static int debinfo_members(struct ord_debinfo *info, char **ret_why)
{
	struct arc_diag diag = {{0}};
	struct deb_reader *rd;
	struct archive_entry *e;
	int r;

	r = deb_reader_open(info->file, NULL, &rd, &diag);
	if (r < 0)
		return debinfo_why(ret_why, r, "%s: %s", info->file,
				   diag.msg[0] ? diag.msg : strerror(-r));
	while ((r = deb_reader_next(rd, &e, &diag)) == 1) {
		struct ord_deb_member *m, *nm;
		const char *hl = archive_entry_hardlink(e);
		mode_t type = archive_entry_filetype(e);

		nm = realloc(info->members,
			     (info->n_members + 1) * sizeof(*nm));
		if (!nm) {
			r = -ENOMEM;
			break;
		}
		info->members = nm;
		m = &nm[info->n_members];
		memset(m, 0, sizeof(*m));
		m->path = debinfo_path(archive_entry_pathname(e));
		if (!m->path) {
			r = -ENOMEM;
			break;
		}
		info->n_members++;
		if (hl) {
			/* Same content as the member it links to, which came
			 * first in the archive. */
			char *to = debinfo_path(hl);

			m->type = 'f';
			for (size_t i = 0; to && i + 1 < info->n_members; i++)
				if (strcmp(info->members[i].path, to) == 0)
					memcpy(m->sha256,
					       info->members[i].sha256,
					       sizeof(m->sha256));
			free(to);
		} else if (type == AE_IFREG) {
			struct ord_sha256 c;
			const void *buf;
			size_t len;
			int64_t off;

			m->type = 'f';
			ord_sha256_init(&c);
			while ((r = deb_reader_data(rd, &buf, &len, &off,
						    &diag)) == 1)
				ord_sha256_update(&c, buf, len);
			if (r < 0)
				break;
			ord_sha256_hex(&c, m->sha256);
		} else if (type == AE_IFLNK) {
			m->type = 'l';
			m->target = strdup(archive_entry_symlink(e)
						   ? archive_entry_symlink(e)
						   : "");
			if (!m->target) {
				r = -ENOMEM;
				break;
			}
		} else {
			m->type = type == AE_IFDIR   ? 'd'
				  : type == AE_IFCHR ? 'c'
				  : type == AE_IFBLK ? 'b'
				  : type == AE_IFIFO ? 'p'
						     : '?';
		}
		r = 0;
	}
	deb_reader_free(rd);
	if (r < 0)
		return debinfo_why(ret_why, r, "%s: %s", info->file,
				   diag.msg[0] ? diag.msg : strerror(-r));
	qsort(info->members, info->n_members, sizeof(*info->members),
	      debinfo_member_cmp);
	return 0;
}

int ord_debinfo_read(const char *deb, struct ord_debinfo **ret_info,
		     char **ret_why)
{
	char *argv[] = {"dpkg-deb", "--show",
			"--showformat=${Package}\\n${Version}\\n"
			"${Architecture}\\n${Multi-Arch}\\n",
			(char *)deb, NULL};
	struct ord_debinfo *info;
	char *out = NULL, *save = NULL, *f[4] = {NULL};
	int r;

	*ret_why = NULL;
	info = calloc(1, sizeof(*info));
	if (!info)
		return -ENOMEM;
	/* Absolute, so dpkg finds it from wherever it runs. */
	info->file = realpath(deb, NULL);
	if (!info->file && errno != ENOMEM) {
		int e = errno;

		debinfo_why(ret_why, -e, "%s: %s", deb, strerror(e));
		free(info);
		return -e;
	}
	if (!info->file) {
		free(info);
		return -ENOMEM;
	}
	r = debinfo_capture(argv, &out);
	if (r < 0) {
		char *nl = out ? strchr(out, '\n') : NULL;

		if (nl)
			*nl = '\0';
		debinfo_why(ret_why, r, "%s: not a readable package: %s", deb,
			    out && *out ? out : strerror(-r));
		free(out);
		ord_debinfo_free(info);
		return r == -ENOENT ? -ENOENT : -EINVAL;
	}
	/* Split on newlines keeping empty fields (Multi-Arch may be
	 * empty). */
	f[0] = out;
	for (int i = 1; i < 4 && f[i - 1]; i++) {
		char *nl = strchr(f[i - 1], '\n');

		if (nl) {
			*nl = '\0';
			f[i] = nl + 1;
		}
	}
	(void)save;
	if (f[3]) {
		char *nl = strchr(f[3], '\n');

		if (nl)
			*nl = '\0';
	}
	info->name = strdup(f[0] ? f[0] : "");
	info->version = strdup(f[1] ? f[1] : "");
	info->arch = strdup(f[2] ? f[2] : "");
	info->multiarch = strdup(f[3] ? f[3] : "");
	free(out);
	if (!info->name || !info->version || !info->arch || !info->multiarch) {
		ord_debinfo_free(info);
		return -ENOMEM;
	}
	if (!info->name[0]) {
		debinfo_why(ret_why, -EINVAL, "%s: no Package field", deb);
		ord_debinfo_free(info);
		return -EINVAL;
	}
	r = debinfo_members(info, ret_why);
	if (r < 0) {
		ord_debinfo_free(info);
		return r;
	}
	*ret_info = info;
	return 0;
}

void ord_debinfo_free(struct ord_debinfo *info)
{
	if (!info)
		return;
	for (size_t i = 0; i < info->n_members; i++) {
		free(info->members[i].path);
		free(info->members[i].target);
	}
	free(info->members);
	free(info->file);
	free(info->name);
	free(info->version);
	free(info->arch);
	free(info->multiarch);
	free(info);
}

const struct ord_deb_member *ord_debinfo_member(const struct ord_debinfo *info,
						const char *path)
{
	struct ord_deb_member key = {.path = (char *)path};

	return bsearch(&key, info->members, info->n_members,
		       sizeof(*info->members), debinfo_member_cmp);
}

/* mkdir -p of @path's parents under @root. */
static int debinfo_mkparents(const char *root, const char *path)
{
	char buf[ALIASDB_PATH_MAX * 2];
	size_t rl = strlen(root);

	if (rl + strlen(path) + 1 >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, root);
	strcat(buf, path);
	for (char *s = buf + rl + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static int debinfo_write(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(text);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		r = -errno;
	if (fchmod(fd, mode) < 0 && r == 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static bool debinfo_has_field(const struct ord_package *pkg, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < pkg->n_control; i++)
		if (strncasecmp(pkg->control[i], name, n) == 0 &&
		    pkg->control[i][n] == ':')
			return true;
	return false;
}

/* The package's tree under @dir: DEBIAN/ and its files. */
static int debinfo_tree(const struct ord_package *pkg, const char *dir)
{
	char *control = NULL, *path = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	f = open_memstream(&control, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "Package: %s\nVersion: %s\nArchitecture: %s\n", pkg->name,
		pkg->version, pkg->arch);
	if (!debinfo_has_field(pkg, "Maintainer"))
		fputs("Maintainer: aliasctl orderings "
		      "<orderings@example.invalid>\n",
		      f);
	if (!debinfo_has_field(pkg, "Description"))
		fprintf(f, "Description: %s, built by aliasctl orderings\n",
			pkg->label);
	for (size_t i = 0; i < pkg->n_control; i++)
		fprintf(f, "%s\n", pkg->control[i]);
	if (fclose(f) != 0) {
		free(control);
		return -ENOMEM;
	}
	if (asprintf(&path, "%s/DEBIAN", dir) < 0) {
		free(control);
		return -ENOMEM;
	}
	if (mkdir(dir, 0755) < 0 || mkdir(path, 0755) < 0)
		r = -errno;
	free(path);
	if (r == 0 && asprintf(&path, "%s/DEBIAN/control", dir) >= 0) {
		r = debinfo_write(path, control, 0644);
		free(path);
	}
	free(control);
	for (size_t i = 0; r == 0 && i < pkg->n_entries; i++) {
		const struct ord_entry *e = &pkg->entries[i];
		char *text = NULL;

		if (e->kind == ORD_ENTRY_SCRIPT)
			continue;
		r = debinfo_mkparents(dir, e->path);
		if (r < 0)
			break;
		if (asprintf(&path, "%s%s", dir, e->path) < 0)
			return -ENOMEM;
		switch (e->kind) {
		case ORD_ENTRY_FILE:
			if (e->text ? asprintf(&text, "%s\n", e->text) < 0
				    : asprintf(&text, "%s %s %s\n", pkg->name,
					       pkg->version, e->path) < 0) {
				free(path);
				return -ENOMEM;
			}
			r = debinfo_write(path, text, 0644);
			free(text);
			break;
		case ORD_ENTRY_DIR:
			if (mkdir(path, 0755) < 0 && errno != EEXIST)
				r = -errno;
			break;
		case ORD_ENTRY_SYMLINK:
			if (symlink(e->text, path) < 0)
				r = -errno;
			break;
		default:
			break;
		}
		free(path);
	}
	/* Scripts: each script line of one name, in order, after a
	 * header. */
	for (size_t i = 0; r == 0 && i < pkg->n_entries; i++) {
		const struct ord_entry *e = &pkg->entries[i];
		bool first = true;
		char *script = NULL;
		size_t slen = 0;

		if (e->kind != ORD_ENTRY_SCRIPT)
			continue;
		for (size_t j = 0; j < i; j++)
			if (pkg->entries[j].kind == ORD_ENTRY_SCRIPT &&
			    strcmp(pkg->entries[j].path, e->path) == 0)
				first = false;
		if (!first)
			continue;
		f = open_memstream(&script, &slen);
		if (!f)
			return -ENOMEM;
		fputs("#!/bin/sh\nset -e\n", f);
		for (size_t j = i; j < pkg->n_entries; j++)
			if (pkg->entries[j].kind == ORD_ENTRY_SCRIPT &&
			    strcmp(pkg->entries[j].path, e->path) == 0)
				fprintf(f, "%s\n", pkg->entries[j].text);
		if (fclose(f) != 0) {
			free(script);
			return -ENOMEM;
		}
		if (asprintf(&path, "%s/DEBIAN/%s", dir, e->path) < 0) {
			free(script);
			return -ENOMEM;
		}
		r = debinfo_write(path, script, 0755);
		free(path);
		free(script);
	}
	return r;
}

int ord_deb_build(struct ord_package *pkg, const char *outdir,
		  const char *tmpdir, char **ret_why)
{
	char *tree = NULL, *dir = NULL, *deb = NULL, *out = NULL;
	int r;

	*ret_why = NULL;
	if (asprintf(&tree, "%s/tree-%s", tmpdir, pkg->label) < 0 ||
	    asprintf(&dir, "%s/%s", outdir, pkg->label) < 0 ||
	    asprintf(&deb, "%s/%s_%s_%s.deb", dir, pkg->name, pkg->version,
		     pkg->arch) < 0) {
		r = -ENOMEM;
		goto out;
	}
	/* ':' (an epoch) in a file name confuses nobody but is ugly. */
	for (char *c = strrchr(deb, '/'); *c; c++)
		if (*c == ':')
			*c = '%';
	if ((mkdir(outdir, 0755) < 0 && errno != EEXIST) ||
	    (mkdir(dir, 0755) < 0 && errno != EEXIST)) {
		r = debinfo_why(ret_why, -errno, "cannot create %s: %s", dir,
				strerror(errno));
		goto out;
	}
	r = debinfo_tree(pkg, tree);
	if (r < 0) {
		debinfo_why(ret_why, r, "building package %s (line %u): %s",
			    pkg->label, pkg->line, strerror(-r));
		goto out;
	}
	{
		char *argv[] = {"dpkg-deb", "--root-owner-group",
				"-Zgzip",   "-b",
				tree,	    deb,
				NULL};

		r = debinfo_capture(argv, &out);
	}
	if (r < 0) {
		char *nl = out ? strchr(out, '\n') : NULL;

		if (nl && nl[1] == '\0')
			*nl = '\0';
		debinfo_why(ret_why, r, "building package %s (line %u): %s",
			    pkg->label, pkg->line,
			    out && *out ? out : strerror(-r));
		goto out;
	}
	pkg->deb = deb;
	deb = NULL;
out:
	if (tree)
		aliasctl_rmtree(tree);
	free(out);
	free(tree);
	free(dir);
	free(deb);
	return r;
}
