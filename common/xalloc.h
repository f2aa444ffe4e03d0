/* Allocation wrappers: out of memory ends the program (this is a tool, not a library). */
#ifndef PALSCOPE_COMMON_XALLOC_H
#define PALSCOPE_COMMON_XALLOC_H

#include <stddef.h>
#include "common/err.h"

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* xstrdup that returns NULL for NULL. */
char *xstrdup_or_null(const char *s);
char *xasprintf(const char *fmt, ...) PRINTFLIKE(1, 2);
/* a then b in a new string (much cheaper than xasprintf("%s%s") for long strings). */
char *xconcat(const char *a, const char *b);
_Noreturn void die(const char *fmt, ...) PRINTFLIKE(1, 2);

#endif
