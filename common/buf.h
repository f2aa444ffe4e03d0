/* A growable byte buffer, always NUL-terminated. */
#ifndef PALSCOPE_COMMON_BUF_H
#define PALSCOPE_COMMON_BUF_H

#include <stddef.h>
#include "common/err.h"

struct buf {
	char *ptr;	/* NULL until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);	/* keep the memory, empty the content */
void buf_add(struct buf *b, const void *data, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTFLIKE(2, 3);
/* Append s URL-encoded (RFC 3986 unreserved characters kept). */
void buf_add_urlenc(struct buf *b, const char *s);
/* Append n bytes as base64url without padding (RFC 4648 section 5, as JWTs use it). */
void buf_add_b64url(struct buf *b, const void *data, size_t n);
/* The content, "" when empty; never NULL. */
const char *buf_cstr(const struct buf *b);
/* Hand the allocation to the caller and reset the buffer. */
char *buf_detach(struct buf *b);

#endif
