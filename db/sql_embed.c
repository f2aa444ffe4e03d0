#include "db/sql_embed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
sql_get(const char *name)
{
	for (const struct sql_file *f = sql_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f->text;
	/* A name not embedded is palscope's bug: stop in every build, never run NULL. */
	fprintf(stderr, "palscope: internal error: no embedded SQL file %s\n", name);
	abort();
}
