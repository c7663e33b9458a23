/*
 * A one-line progress report on stderr for long runs of check and
 * extract. Shown only when stderr is a terminal, first after a second of
 * work (a short run shows nothing), redrawn at most four times a second by
 * a thread of its own, so that a slow input or one long member still shows,
 * and erased at the end. The workers only store numbers.
 */
#ifndef ALIASCTL_PROGRESS_H
#define ALIASCTL_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

struct aliasctl_progress;

/*
 * Start reporting for command @command ("check"), counting items as
 * @unit ("paths"; NULL: no item count). Returns NULL when stderr is not a
 * terminal or the report cannot start: a run never fails for its progress
 * report, and every function below accepts NULL.
 */
struct aliasctl_progress *aliasctl_progress_start(const char *command,
						  const char *unit);

/* Erase the line and free. Accepts NULL. */
void aliasctl_progress_stop(struct aliasctl_progress *progress);

/*
 * The run is now at input @index (0-based) of @count, named @name, which
 * must stay valid until the next call or the stop. Resets the byte count.
 */
void aliasctl_progress_input(struct aliasctl_progress *progress, size_t index,
			     size_t count, const char *name);

/* @done of @total bytes of the current input (@total 0: unknown). From
 * any thread. */
void aliasctl_progress_bytes(struct aliasctl_progress *progress, uint64_t done,
			     uint64_t total);

/* @n more items. From any thread. */
void aliasctl_progress_items(struct aliasctl_progress *progress, uint64_t n);

/*
 * aliasctl_error() while the report runs: erases the line first and
 * keeps the report from drawing over the message. From any thread.
 */
void aliasctl_progress_error(struct aliasctl_progress *progress,
			     const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* ALIASCTL_PROGRESS_H */
