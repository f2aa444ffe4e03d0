#include "arm/json_arena.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
/* Under ASan a tree used after json_arena_close is still reported. */
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum { FIRST_CHUNK = 64 * 1024 };

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t mem[];
};

static struct {
	struct chunk *head;	/* newest first; the last one is kept between responses */
	int open;		/* json_arena_open depth */
} A;

static bool
in_arena(const void *p)
{
	uintptr_t a = (uintptr_t)p;

	for (const struct chunk *c = A.head; c; c = c->next)
		if (a >= (uintptr_t)c->mem && a < (uintptr_t)c->mem + c->size)
			return true;
	return false;
}

static void *
arena_malloc(size_t n)
{
	if (!A.open)
		return malloc(n);
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (A.head == NULL || A.head->size - A.head->used < n) {
		/* Each new chunk doubles, so a large response takes few chunks. */
		size_t size = A.head ? A.head->size * 2 : FIRST_CHUNK;
		while (size < n)
			size *= 2;
		struct chunk *c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = A.head;
		A.head = c;
		POISON(c->mem, size);
	}
	void *p = (char *)A.head->mem + A.head->used;
	A.head->used += n;
	UNPOISON(p, n);
	return p;
}

static void
arena_free(void *p)
{
	if (p && !in_arena(p))
		free(p);
}

void
json_arena_install(void)
{
	cJSON_Hooks h = { .malloc_fn = arena_malloc, .free_fn = arena_free };

	cJSON_InitHooks(&h);
}

void
json_arena_uninstall(void)
{
	cJSON_InitHooks(NULL);
	while (A.head) {
		struct chunk *c = A.head;
		A.head = c->next;
		UNPOISON(c->mem, c->size);
		free(c);
	}
	A.open = 0;
}

void
json_arena_open(void)
{
	A.open++;
}

void
json_arena_close(void)
{
	if (A.open == 0 || --A.open > 0)
		return; /* an outer arena still holds its trees */
	/* Keep the first (smallest) chunk for the next response; RSS stays flat. */
	while (A.head && A.head->next) {
		struct chunk *c = A.head;
		A.head = c->next;
		UNPOISON(c->mem, c->size);
		free(c);
	}
	if (A.head) {
		A.head->used = 0;
		POISON(A.head->mem, A.head->size);
	}
}
