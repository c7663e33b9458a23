/*
 * mount.aliasfs: the one table of -o options it accepts, and the check of
 * an option string against it.
 */
#ifndef MH_OPTIONS_H
#define MH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* How an option is written. */
enum mh_form {
	MH_FLAG,   /* "name", no value */
	MH_VALUE,  /* "name=VALUE", the value required */
	MH_USER,   /* "name" or "name=VALUE" (util-linux's user[=NAME]) */
	MH_PREFIX, /* anything starting with "name" (x-systemd.requires=) */
};

/* Where an accepted option goes. */
enum mh_fate {
	MH_DAEMON, /* handed to aliasfs's -o */
	MH_MOUNT,  /* for mount(8), systemd or fstab readers: dropped */
};

struct mh_option {
	const char *name;
	enum mh_form form;
	enum mh_fate fate;
	/* Checks a value (MH_VALUE, MH_USER with a value): NULL when it is
	 * well formed, else what is wrong, e.g. "an integer 1..1024". */
	const char *(*check)(const char *value);
	const char *help; /* one line for --help and the man page */
};

/* The table, in the order --help prints it; *ret_n entries. */
const struct mh_option *mh_options_table(size_t *ret_n);

/* The outcome of mh_options_parse(). Free with mh_options_result_free(). */
struct mh_options_result {
	/* The daemon's options in the order given, joined by commas and
	 * escaped for libfuse's option parser (a backslash or a comma in a
	 * value is preceded by a backslash); "" when there are none. */
	char *daemon;
	/* Unknown options skipped in sloppy mode, joined by commas, each
	 * with non-printable bytes shown as \xHH; "" when none. */
	char *ignored;
	/* The reason the string was refused: a sentence naming the option
	 * (non-printable bytes shown as \xHH); NULL when accepted. */
	char *error;
};

/*
 * Check the comma-separated option list @optstr (as mount(8) passes it:
 * a value may be wrapped in double quotes to hold commas) against the
 * table and split it between the daemon and mount(8).
 *
 * @sloppy: skip unknown option names (they go to ->ignored) instead of
 * refusing them; a known option with a malformed value is refused anyway.
 *
 * Returns 0 with @res filled (->error set if the string is refused), or
 * -ENOMEM with @res cleared. @res is the caller's to free either way.
 */
int mh_options_parse(const char *optstr, bool sloppy,
		     struct mh_options_result *res);

void mh_options_result_free(struct mh_options_result *res);

#endif
