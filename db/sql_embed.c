#include "db/sql_embed.h"

#include <assert.h>
#include <string.h>

const char *
sql_get(const char *name)
{
	for (const struct sql_file *f = sql_files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f->text;
	assert(!"unknown embedded sql file");
	return NULL;
}
