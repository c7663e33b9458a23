/*
 * Checked writes to stdout. stdio only reports an error on the call that
 * hit it, and callers print many pieces, so the first error is remembered
 * here and reported once by aliasctl_out_flush().
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "aliasctl.h"

/* First write error on stdout, as a positive errno; 0 if none. */
static int out_errno;

/* Large enough that `canon -` writes in few system calls. */
#define OUT_BIG_BUFFER (1024 * 1024)

static void out_note_error(void)
{
	if (out_errno == 0)
		out_errno = errno ? errno : EIO;
}

void aliasctl_out_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errno = 0;
	if (vprintf(fmt, ap) < 0)
		out_note_error();
	va_end(ap);
}

void aliasctl_out_write(const char *buf, size_t n)
{
	errno = 0;
	if (n > 0 && fwrite(buf, 1, n, stdout) != n)
		out_note_error();
}

void aliasctl_out_puts(const char *s)
{
	errno = 0;
	if (fputs(s, stdout) == EOF)
		out_note_error();
}

void aliasctl_out_big_buffer(void)
{
	/* The buffer must outlive every write, up to exit: static. */
	static char buf[OUT_BIG_BUFFER];

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
}

int aliasctl_out_flush(void)
{
	errno = 0;
	if (fflush(stdout) == EOF)
		out_note_error();
	if (out_errno == 0 && ferror(stdout))
		out_errno = EIO;
	return out_errno ? -out_errno : 0;
}

static bool out_byte_printable(unsigned char c)
{
	/* Bytes >= 0x80 pass: they are most likely UTF-8 the terminal
	 * shows correctly. */
	return c >= 0x20 && c != 0x7f;
}

void aliasctl_out_text(const char *s)
{
	const char *start = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (out_byte_printable(c) && c != '\\')
			continue;
		aliasctl_out_write(start, (size_t)(s - start));
		if (c == '\\')
			aliasctl_out_puts("\\\\");
		else
			aliasctl_out_printf("\\x%02x", c);
		start = s + 1;
	}
	aliasctl_out_write(start, (size_t)(s - start));
}

size_t aliasctl_out_text_width(const char *s)
{
	size_t width = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			width += 2;
		else if (!out_byte_printable(c))
			width += 4;
		else if ((c & 0xc0) != 0x80) /* count UTF-8 lead bytes only */
			width++;
	}
	return width;
}
