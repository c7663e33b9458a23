/*
 * A minimal JSON writer: aliasctl only emits arrays of flat objects, so a
 * string escaper is all that is needed (libjson-c would be a new build
 * dependency for a few lines of code).
 *
 * Paths are bytes, JSON text is UTF-8: valid UTF-8 sequences pass through,
 * every byte that does not belong to one is written as U+FFFD so the output
 * always parses.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>

#include "aliasctl.h"

/*
 * Length of the valid UTF-8 sequence at @s (1-4), or 0 if @s does not
 * start one. Refuses overlong forms, surrogates and code points above
 * U+10FFFF, as RFC 3629 requires.
 */
static size_t json_utf8_length(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned long cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	/* A NUL terminator fails the continuation test: no overrun. */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
		return 0;
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Write @str as a JSON string literal through @emit. With @html, '<', '>'
 * and '&' are escaped too, so the text can sit inside an HTML <script>
 * element without ending it. */
static void json_escape(const char *str, bool html,
			void (*emit)(void *ctx, const char *buf, size_t n),
			void *ctx)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *start = s;
	char esc[8];

	emit(ctx, "\"", 1);
	while (*s) {
		size_t n = json_utf8_length(s);

		if (n > 1 ||
		    (n == 1 && *s >= 0x20 && *s != '"' && *s != '\\' &&
		     *s != 0x7f &&
		     !(html && (*s == '<' || *s == '>' || *s == '&')))) {
			s += n;
			continue;
		}
		emit(ctx, (const char *)start, (size_t)(s - start));
		if (n == 0)
			emit(ctx, "\\ufffd", 6);
		else if (*s == '"')
			emit(ctx, "\\\"", 2);
		else if (*s == '\\')
			emit(ctx, "\\\\", 2);
		else if (*s == '\n')
			emit(ctx, "\\n", 2);
		else if (*s == '\t')
			emit(ctx, "\\t", 2);
		else
			emit(ctx, esc,
			     (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *s));
		s++;
		start = s;
	}
	emit(ctx, (const char *)start, (size_t)(s - start));
	emit(ctx, "\"", 1);
}

static void json_emit_out(void *ctx, const char *buf, size_t n)
{
	(void)ctx;
	aliasctl_out_write(buf, n);
}

static void json_emit_file(void *ctx, const char *buf, size_t n)
{
	if (n > 0)
		fwrite(buf, 1, n, (FILE *)ctx);
}

void aliasctl_json_string(const char *str)
{
	json_escape(str, false, json_emit_out, NULL);
}

void aliasctl_json_fstring(FILE *f, const char *str, bool html)
{
	json_escape(str, html, json_emit_file, f);
}

bool aliasctl_json_is_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t n = json_utf8_length(s);

		if (n == 0)
			return false;
		s += n;
	}
	return true;
}

void aliasctl_json_string_or_null(const char *s)
{
	if (s)
		aliasctl_json_string(s);
	else
		aliasctl_out_puts("null");
}
