/*
 * The progress line. A thread of its own draws it, on a clock, from
 * numbers the workers store without locking: a worker blocked in a slow
 * read or in one large member cannot keep the line from appearing, and a
 * fast worker pays one relaxed atomic store per update. The line is cut to
 * the terminal's width, so that a carriage return always gets back to its
 * start; it is erased with blanks, which every terminal understands.
 *
 * Lock: progress->lock guards name, index, count, the drawn state and
 * stderr while a line is drawn or a message printed over it. It is the
 * only lock here and no other lock is taken while it is held.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "aliasctl.h"
#include "progress.h"

/* A run shorter than this shows nothing. */
#define PROGRESS_DELAY_NS 1000000000L
/* At most four redraws a second. */
#define PROGRESS_PERIOD_NS 250000000L
#define PROGRESS_LINE_MAX 512

struct aliasctl_progress {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stop;
	const char *command;
	const char *unit;
	const char *name;
	size_t index, count;
	_Atomic uint64_t done, total, items;
	struct timespec start;
	size_t shown; /* columns of the line on the terminal, 0: none */
	char last[PROGRESS_LINE_MAX];
};

static void progress_add_ns(struct timespec *ts, long ns)
{
	ts->tv_nsec += ns;
	while (ts->tv_nsec >= 1000000000L) {
		ts->tv_nsec -= 1000000000L;
		ts->tv_sec++;
	}
}

static bool progress_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Columns the line may take: one less than the terminal's, so that the
 * cursor never wraps to the next line. */
static size_t progress_columns(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return (size_t)ws.ws_col - 1;
	return 79;
}

/* Append @s to @buf at *@len: control characters (a hostile file name
 * could move the cursor) become '?'. */
static void progress_append(char *buf, size_t *len, const char *s)
{
	for (; *s && *len + 1 < PROGRESS_LINE_MAX; s++) {
		unsigned char c = (unsigned char)*s;

		buf[(*len)++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[*len] = '\0';
}

static void progress_appendf(char *buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void progress_appendf(char *buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, PROGRESS_LINE_MAX - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < PROGRESS_LINE_MAX - *len
				? (size_t)n
				: PROGRESS_LINE_MAX - 1 - *len;
}

/* The line, cut to @cols columns (UTF-8 lead bytes count one each).
 * Returns its width in columns. */
static size_t progress_format(struct aliasctl_progress *p, char *buf,
			      size_t cols)
{
	uint64_t done = atomic_load_explicit(&p->done, memory_order_relaxed);
	uint64_t total = atomic_load_explicit(&p->total, memory_order_relaxed);
	uint64_t items = atomic_load_explicit(&p->items, memory_order_relaxed);
	size_t len = 0, width = 0, i;

	progress_appendf(buf, &len, "aliasctl %s:", p->command);
	if (p->count > 1)
		progress_appendf(buf, &len, " %zu/%zu", p->index + 1, p->count);
	if (p->name) {
		const char *slash = strrchr(p->name, '/');

		progress_append(buf, &len, " ");
		progress_append(buf, &len,
				slash && slash[1] ? slash + 1 : p->name);
	}
	if (total > 0)
		progress_appendf(
			buf, &len, " %3u%%",
			done >= total ? 100u : (unsigned)(done * 100 / total));
	else if (done >= 10u << 20)
		progress_appendf(buf, &len, " %llu MiB",
				 (unsigned long long)(done >> 20));
	else if (done > 0)
		progress_appendf(buf, &len, " %llu KiB",
				 (unsigned long long)(done >> 10));
	if (p->unit && items > 0)
		progress_appendf(buf, &len, ", %llu %s",
				 (unsigned long long)items, p->unit);
	for (i = 0; i < len; i++) {
		if (((unsigned char)buf[i] & 0xc0) == 0x80)
			continue;
		if (width == cols)
			break;
		width++;
	}
	buf[i] = '\0';
	return width;
}

/* Blanks over the line and back to its start. Under the lock. */
static void progress_erase(struct aliasctl_progress *p)
{
	if (!p->shown)
		return;
	fprintf(stderr, "\r%*s\r", (int)p->shown, "");
	fflush(stderr);
	p->shown = 0;
	p->last[0] = '\0';
}

/* Under the lock. */
static void progress_draw(struct aliasctl_progress *p)
{
	char line[PROGRESS_LINE_MAX];
	size_t width = progress_format(p, line, progress_columns());

	if (strcmp(line, p->last) == 0)
		return;
	/* Blanks after a shorter line cover what the longer one left. */
	fprintf(stderr, "\r%s%*s", line,
		(int)(p->shown > width ? p->shown - width : 0), "");
	fflush(stderr);
	if (width > p->shown)
		p->shown = width;
	memcpy(p->last, line, sizeof(line));
}

static void *progress_thread(void *arg)
{
	struct aliasctl_progress *p = arg;
	struct timespec next = p->start, now;

	progress_add_ns(&next, PROGRESS_DELAY_NS);
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		pthread_cond_timedwait(&p->wake, &p->lock, &next);
		if (p->stop)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (progress_before(&now, &next))
			continue; /* woken early */
		progress_draw(p);
		next = now;
		progress_add_ns(&next, PROGRESS_PERIOD_NS);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct aliasctl_progress *aliasctl_progress_start(const char *command,
						  const char *unit)
{
	struct aliasctl_progress *p;
	pthread_condattr_t attr;
	bool ok;

	if (!isatty(STDERR_FILENO))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->command = command;
	p->unit = unit;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	ok = pthread_condattr_init(&attr) == 0;
	if (ok) {
		ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
		     pthread_cond_init(&p->wake, &attr) == 0;
		pthread_condattr_destroy(&attr);
	}
	if (!ok) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	if (pthread_create(&p->thread, NULL, progress_thread, p) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void aliasctl_progress_stop(struct aliasctl_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	progress_erase(p);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void aliasctl_progress_input(struct aliasctl_progress *p, size_t index,
			     size_t count, const char *name)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->index = index;
	p->count = count;
	p->name = name;
	atomic_store_explicit(&p->done, 0, memory_order_relaxed);
	atomic_store_explicit(&p->total, 0, memory_order_relaxed);
	pthread_mutex_unlock(&p->lock);
}

void aliasctl_progress_bytes(struct aliasctl_progress *p, uint64_t done,
			     uint64_t total)
{
	if (!p)
		return;
	atomic_store_explicit(&p->done, done, memory_order_relaxed);
	atomic_store_explicit(&p->total, total, memory_order_relaxed);
}

void aliasctl_progress_items(struct aliasctl_progress *p, uint64_t n)
{
	if (!p)
		return;
	atomic_fetch_add_explicit(&p->items, n, memory_order_relaxed);
}

void aliasctl_progress_error(struct aliasctl_progress *p, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p) {
		pthread_mutex_lock(&p->lock);
		progress_erase(p);
	}
	aliasctl_error("%s", msg);
	if (p)
		pthread_mutex_unlock(&p->lock);
}
