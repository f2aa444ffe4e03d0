/* The sql/ tree, embedded at build time by cmake/EmbedFiles.cmake. */
#ifndef PALSCOPE_DB_SQL_EMBED_H
#define PALSCOPE_DB_SQL_EMBED_H

#include <stddef.h>

struct sql_file {
	const char *name;	/* path relative to sql/, e.g. "migrations/0001_init.sql" */
	const char *text;	/* NUL-terminated */
	size_t len;
};

/* Terminated by an entry with name == NULL; sorted by name. */
extern const struct sql_file sql_files[];

/* The text of sql/<name>; an unknown name is a programming error (assert). */
const char *sql_get(const char *name);

#endif
