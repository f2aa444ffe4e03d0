#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
err_prefix(struct err *e, const char *fmt, ...)
{
	char head[256];
	char old[sizeof(e->msg)];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	size_t hl = strlen(head);
	if (hl >= sizeof(e->msg))
		hl = sizeof(e->msg) - 1;
	memcpy(e->msg, head, hl);
	size_t ol = strlen(old);
	if (ol > sizeof(e->msg) - 1 - hl)
		ol = sizeof(e->msg) - 1 - hl;
	memcpy(e->msg + hl, old, ol);
	e->msg[hl + ol] = '\0';
}
