#include "common/smap.h"
#include "common/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static size_t
find(const struct smap *m, const char *key)
{
	size_t i = (size_t)hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void
grow(struct smap *m)
{
	struct smap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->vals = xcalloc(m->cap, sizeof(*m->vals));
	for (size_t i = 0; i < old.cap; i++) {
		if (old.keys[i] == NULL)
			continue;
		size_t j = find(m, old.keys[i]);
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	free(old.keys);
	free(old.vals);
}

void **
smap_slot(struct smap *m, const char *key, int *created)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	size_t i = find(m, key);
	if (m->keys[i] == NULL) {
		m->keys[i] = xstrdup(key);
		m->vals[i] = NULL;
		m->n++;
		if (created)
			*created = 1;
	} else if (created) {
		*created = 0;
	}
	return &m->vals[i];
}

void *
smap_get(const struct smap *m, const char *key)
{
	if (m->cap == 0)
		return NULL;
	size_t i = find(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

int
smap_has(const struct smap *m, const char *key)
{
	return m->cap && m->keys[find(m, key)] != NULL;
}

void
smap_release(struct smap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i] == NULL)
			continue;
		free(m->keys[i]);
		if (free_val)
			free_val(m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->n = m->cap = 0;
}
