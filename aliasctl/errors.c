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

void aliasctl_error_refused(const char *alias, const char *canonical,
			    enum aliasdb_rule rule)
{
	aliasctl_error("refused %s -> %s: %s", alias, canonical,
		       aliasdb_rule_describe(rule));
}
