#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>

int log_level = LOG_WARN;

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	va_list ap;

	fprintf(stderr, "palscope: %s", prefix[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
