/*
 * libFuzzer target: bytes -> import file recognition and the az CLI / ARM JSON
 * readers, then the records they would store (to a sink that drops them).
 */
#include <stddef.h>
#include <stdint.h>

#include "import/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
drop(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	(void)payload;
	(void)type;
	(void)identity;
	(void)rec;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts o = { .tenant = "11111111-1111-4111-8111-111111111111",
				 .period = "2026-10",
				 .include_groups = true };
	struct import *im = import_new(&o);
	struct err err = ERR_INIT;
	struct sink sink = { drop, NULL };

	if (import_add_buffer(im, "fuzz.json", data, size, &err) == 0 &&
	    import_finish(im, &err) == 0)
		(void)import_emit(im, &sink, 1, &err);
	import_free(im);
	return 0;
}
