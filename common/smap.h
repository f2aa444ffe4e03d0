/*
 * A small string-keyed hash map (open addressing) for the importers'
 * aggregates. Keys are copied; values are caller-owned pointers.
 */
#ifndef PALSCOPE_COMMON_SMAP_H
#define PALSCOPE_COMMON_SMAP_H

#include <stddef.h>

struct smap {
	char **keys;
	void **vals;
	size_t n, cap;
};

#define SMAP_INIT { NULL, NULL, 0, 0 }

/* The value slot of key, created (NULL) if absent; *created says which. */
void **smap_slot(struct smap *m, const char *key, int *created);
/* The value of key, or NULL. */
void *smap_get(const struct smap *m, const char *key);
/* Is key present (its value may be NULL)? */
int smap_has(const struct smap *m, const char *key);
/* Free the keys and the table; free_val (may be NULL) gets every value. */
void smap_release(struct smap *m, void (*free_val)(void *));

/* Iterate: i from 0 while i < m->cap; slots with keys[i] == NULL are empty. */

#endif
