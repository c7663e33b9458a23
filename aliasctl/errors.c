/* Messages on stderr, all in the form "aliasctl: ...". */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "aliasctl.h"

void aliasctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("aliasctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void aliasctl_error_text(const char *s)
{
	/* As aliasctl_out_text() shows it: a newline in a refused path
	 * must not split the message. */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			fputs("\\\\", stderr);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
}

void aliasctl_error_refused(const char *alias, const char *canonical,
			    enum aliasdb_rule rule)
{
	fputs("aliasctl: refused ", stderr);
	aliasctl_error_text(alias ? alias : "(null)");
	fputs(" -> ", stderr);
	aliasctl_error_text(canonical ? canonical : "(null)");
	fprintf(stderr, ": %s\n", aliasdb_rule_describe(rule));
}
