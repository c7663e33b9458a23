/*
 * aliasctl — the command line over aliasdb. Internal declarations shared by
 * the command files; nothing here is a library interface.
 */
#ifndef ALIASCTL_H
#define ALIASCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aliasdb.h"

/* Exit codes, documented in aliasctl(1). */
enum aliasctl_exit {
	ALIASCTL_EXIT_OK = 0,
	ALIASCTL_EXIT_USAGE = 1,  /* bad usage or input refused */
	ALIASCTL_EXIT_SYSTEM = 2, /* database, file system or output error */
};

/* Global state every command sees. */
struct aliasctl {
	const char *db_dir; /* database directory, never NULL */
	bool db_default;    /* db_dir is the default: no --db, --root or
			     * $ALIASFS_DB */
};

/* One command: its name, usage line, one-line summary and entry point.
 * The entry point gets argv[0] = the command name and returns an exit
 * code. */
struct aliasctl_command {
	const char *name;
	const char *usage;
	const char *summary;
	const char *help; /* option and argument details, may be NULL */
	int (*run)(struct aliasctl *ctl, int argc, char **argv);
};

extern const struct aliasctl_command aliasctl_cmd_init;
extern const struct aliasctl_command aliasctl_cmd_add;
extern const struct aliasctl_command aliasctl_cmd_remove;
extern const struct aliasctl_command aliasctl_cmd_list;
extern const struct aliasctl_command aliasctl_cmd_canon;
extern const struct aliasctl_command aliasctl_cmd_status;

/* ---- commands.c: the command table (main.c only) ------------------------ */

/* The command called @name, or NULL. */
const struct aliasctl_command *aliasctl_command_find(const char *name);

/* Print the general help, with every command, to stdout. */
void aliasctl_usage_print_all(void);

/* ---- usage.c: help texts and usage errors ------------------------------ */

/* Print @cmd's help to stdout. */
void aliasctl_usage_print_command(const struct aliasctl_command *cmd);

/* Report a usage error about @cmd (NULL: the global syntax) on stderr,
 * printf-style, followed by the usage line. Returns ALIASCTL_EXIT_USAGE. */
int aliasctl_usage_error(const struct aliasctl_command *cmd, const char *fmt,
			 ...) __attribute__((format(printf, 2, 3)));

/*
 * Parse a command's options with getopt_long. Handles --help itself and
 * reports unknown options and missing option arguments.
 * Returns the option character (>= 0), -1 at the end of the options, or
 * -2 when the caller must return *ret_exit (help printed or usage error).
 */
int aliasctl_getopt(const struct aliasctl_command *cmd, int argc, char **argv,
		    const char *shortopts, const struct option *longopts,
		    int *ret_exit);

/*
 * The options of a read-only listing command (list, dump): --json, --help
 * and no argument, parsed in one place so that they keep the same syntax
 * and messages. Returns -1 and *ret_json to go on, or the exit code the
 * caller must return (help printed or usage error).
 */
int aliasctl_getopt_json(const struct aliasctl_command *cmd, int argc,
			 char **argv, bool *ret_json);

/* ---- errors.c: messages on stderr -------------------------------------- */

/* "aliasctl: MESSAGE\n" on stderr. */
void aliasctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write @s to stderr with control bytes as \xNN and '\' doubled. */
void aliasctl_error_text(const char *s);

/* Report a refused alias: "aliasctl: refused ALIAS -> CANONICAL: RULE",
 * the paths written by aliasctl_error_text(). */
void aliasctl_error_refused(const char *alias, const char *canonical,
			    enum aliasdb_rule rule);

/* ---- database.c: opening the database ---------------------------------- */

/*
 * Open ctl->db_dir with aliasdb_open() @flags. Returns 0 and *ret_db, or
 * -errno after printing why ("cannot open database D: ..."); a missing
 * database (-ENOENT) is not printed when @quiet_enoent, so the caller can
 * fall back.
 */
int aliasctl_db_open(const struct aliasctl *ctl, unsigned flags,
		     bool quiet_enoent, struct aliasdb **ret_db);

/* Report a failed database operation: "aliasctl: WHAT in D: strerror"
 * (for -EUCLEAN, that the database is damaged and how to recover it).
 * Returns ALIASCTL_EXIT_SYSTEM. */
int aliasctl_db_error(const struct aliasctl *ctl, const char *what, int err);

/* Report that the database in @db_dir is damaged (which file and why, as
 * the last failed open found it) and the way out: `aliasctl recover`. The
 * caller exits with ALIASCTL_EXIT_SYSTEM. */
void aliasctl_db_damaged(const char *db_dir);

/* ---- cmd-list.c --------------------------------------------------------- */

/* The rule @a breaks, as text, if the rules refuse it now (an alias an
 * older aliasfs accepted: it is not applied), else NULL. */
const char *aliasctl_alias_refused(const struct aliasdb_alias *a);

/* ---- output.c: checked writes to stdout -------------------------------- */

/*
 * Writes to stdout remember the first error; aliasctl_out_close() flushes
 * and reports it, so a full disk or a closed stdout ends in exit 2.
 */
void aliasctl_out_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void aliasctl_out_write(const char *buf, size_t n);
void aliasctl_out_puts(const char *s);

/* Use a large fully-buffered stdout; call before any output. */
void aliasctl_out_big_buffer(void);

/* Flush stdout. Returns 0, or -errno of the first write error. */
int aliasctl_out_flush(void);

/* Print @s with non-printable bytes as \xNN, for terminal output. */
void aliasctl_out_text(const char *s);

/* Width of @s as aliasctl_out_text() prints it. */
size_t aliasctl_out_text_width(const char *s);

/* ---- output-json.c: a minimal JSON writer ------------------------------ */

/* Write @s as a JSON string literal. Valid UTF-8 passes through; control
 * characters and '"' '\' are escaped; each byte that is not part of valid
 * UTF-8 becomes U+FFFD, since JSON text must be UTF-8. */
void aliasctl_json_string(const char *s);

/* Is @s valid UTF-8 (what aliasctl_json_string() writes unchanged)? */
bool aliasctl_json_is_utf8(const char *s);

/* Write @s as a JSON string, or null when @s is NULL. */
void aliasctl_json_string_or_null(const char *s);

/* As aliasctl_json_string(), to @f. With @html, '<', '>' and '&' become
 * \u escapes too, for JSON inside an HTML <script> element. Write errors
 * are the caller's to check (ferror). */
void aliasctl_json_fstring(FILE *f, const char *s, bool html);

#endif /* ALIASCTL_H */
