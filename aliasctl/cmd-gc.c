/* aliasctl gc: remove retained files, all or those older than a time. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd-retain.h"

/* "90", "90s", "15m", "2h", "7d": seconds. */
static int gc_parse_age(const char *s, int64_t *ret_seconds)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
	unsigned long long v;
	int64_t mult = 1;
	char *end;
	size_t i;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || v > INT64_MAX / 86400)
		return -EINVAL;
	if (*end) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (*end == units[i].unit)
				break;
		if (i == sizeof(units) / sizeof(units[0]) || end[1] != '\0')
			return -EINVAL;
		mult = units[i].seconds;
	}
	*ret_seconds = (int64_t)v * mult;
	return 0;
}

/* Drop the entries of @index retained before @before. */
static int gc_drop(struct aliasdb_retained_index *index, int64_t before,
		   size_t *ret_n, uint64_t *ret_bytes)
{
	size_t i = 0;
	int root_fd, r = 0;

	*ret_n = 0;
	*ret_bytes = 0;
	if (index->n == 0)
		return 0;
	root_fd = index->root
			  ? open(index->root, O_PATH | O_DIRECTORY | O_CLOEXEC)
			  : -1;
	if (root_fd < 0) {
		r = index->root ? -errno : -ENOENT;
		aliasctl_error("cannot open the tree %s: %s",
			       index->root ? index->root : "(not recorded)",
			       strerror(-r));
		return r;
	}
	while (i < index->n && r == 0) {
		uint64_t size = index->entries[i].size;

		if (index->entries[i].since >= before) {
			i++;
			continue;
		}
		r = aliasdb_retained_drop(index, i, root_fd);
		if (r < 0) {
			aliasctl_error("cannot remove ");
			aliasctl_error_text(index->entries[i].path);
			fprintf(stderr, ": %s\n", strerror(-r));
		} else {
			(*ret_n)++;
			*ret_bytes += size;
		}
	}
	close(root_fd);
	return r;
}

static int gc_run(struct aliasctl *ctl, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"older-than", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct aliasdb_retained_index *index = NULL;
	int64_t age = 0, before = INT64_MAX;
	uint64_t bytes = 0;
	size_t n = 0;
	int c, ex, lock, r;

	while ((c = aliasctl_getopt(&aliasctl_cmd_gc, argc, argv, "", longopts,
				    &ex)) != -1) {
		if (c == -2)
			return ex;
		if (c == 'o' && gc_parse_age(optarg, &age) < 0)
			return aliasctl_usage_error(
				&aliasctl_cmd_gc,
				"--older-than: '%s' is not a time such as "
				"90s, 15m, 2h or 7d",
				optarg);
		if (c == 'o')
			before = (int64_t)time(NULL) - age;
	}
	if (optind < argc)
		return aliasctl_usage_error(&aliasctl_cmd_gc,
					    "unexpected argument '%s'",
					    argv[optind]);
	lock = aliasdb_retained_open(ctl->db_dir, &index);
	if (lock < 0) {
		aliasctl_error("cannot open the retention index in %s: %s",
			       ctl->db_dir,
			       lock == -EUCLEAN ? "not a retention index"
						: strerror(-lock));
		return ALIASCTL_EXIT_SYSTEM;
	}
	r = gc_drop(index, before, &n, &bytes);
	/* What was dropped is saved even when one removal failed. */
	if (n > 0) {
		int s = aliasdb_retained_save(ctl->db_dir, index);

		if (s < 0)
			aliasctl_error("cannot write %s/%s: %s", ctl->db_dir,
				       ALIASDB_RETAINED_FILE, strerror(-s));
		if (r == 0)
			r = s;
	}
	aliasdb_retained_index_free(index);
	close(lock);
	aliasctl_out_printf("removed %zu retained file%s (%" PRIu64 " bytes)\n",
			    n, n == 1 ? "" : "s", bytes);
	return r < 0 ? ALIASCTL_EXIT_SYSTEM : ALIASCTL_EXIT_OK;
}

const struct aliasctl_command aliasctl_cmd_gc = {
	.name = "gc",
	.usage = "gc [--older-than TIME]",
	.summary = "Remove retained files, all or the older ones.",
	.help = "  --older-than TIME  only files retained more than TIME ago "
		"(90s, 15m, 2h, 7d;\n"
		"                     a bare number is seconds)\n",
	.run = gc_run,
};
