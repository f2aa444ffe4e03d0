/*
 * The many-customers `why` benchmark (issue 13): every customer's story of a period through
 * why_story_each (reports/why_story.h, wq.q = NULL, tenant order), each as why_story_json
 * writes it (compact), optionally one per line into OUT. Prints the count and the bytes;
 * bench/why/run.sh builds it against a build tree and times it.
 * Usage: why_all DB PERIOD [OUT]
 */
#include "db/db.h"
#include "reports/why_story.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static size_t bytes;
static int fn(const struct why_story *s, void *ctx, struct err *err) {
	(void)err; cJSON *o = why_story_json(s); char *t = cJSON_PrintUnformatted(o);
	bytes += strlen(t); if (ctx) fprintf(ctx, "%s\n", t); free(t); cJSON_Delete(o); return 0; }
int main(int argc, char **argv) {
	struct db db = DB_INIT; struct err err = ERR_INIT; struct why_query wq = WHY_QUERY_INIT; size_t n;
	if (db_open(&db, argv[1], 0, &err) < 0) { fprintf(stderr, "%s\n", err.msg); return 1; }
	db_exec(&db, "PRAGMA temp_store = MEMORY", &err);
	wq.period = argv[2]; wq.by_tenant = true;
	FILE *out = argc > 3 ? fopen(argv[3], "w") : NULL;
	if (why_story_each(&db, &wq, fn, out, &n, &err) < 0) { fprintf(stderr, "%s\n", err.msg); return 1; }
	fprintf(stderr, "%zu stories, %zu bytes\n", n, bytes); if (out) fclose(out); db_close(&db); return 0; }
