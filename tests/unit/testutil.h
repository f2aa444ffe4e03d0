/* Unit tests: small helpers several tests share (a whole file, one value of a query). */
#ifndef PALSCOPE_TESTS_TESTUTIL_H
#define PALSCOPE_TESTS_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "db/db.h"

/* The whole file, NUL-terminated (len, if not NULL, gets its size); NULL if it cannot be read. */
static inline char *
test_slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (len)
		*len = 0;
	if (fp == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	if (len)
		*len = b.len;
	return buf_detach(&b);	/* "" for an empty file */
}

/*
 * Compare the file out with the golden file want (UPDATE_GOLDEN=1 rewrites want from out first).
 * Equal: out is removed and NULL returned. Otherwise a message saying why (in a static buffer),
 * and out is kept for a look.
 */
static inline const char *
test_golden_check(const char *out, const char *want_path)
{
	static char msg[1200];
	size_t got_len, want_len;
	char *got = test_slurp(out, &got_len), *want;
	bool same;

	if (got == NULL) {
		snprintf(msg, sizeof(msg), "no output file %s", out);
		return msg;
	}
	if (getenv("UPDATE_GOLDEN")) {
		FILE *fp = fopen(want_path, "wb");
		if (fp) {
			fwrite(got, 1, got_len, fp);
			fclose(fp);
		}
	}
	want = test_slurp(want_path, &want_len);
	same = want && got_len == want_len && memcmp(got, want, got_len) == 0;
	if (want == NULL)
		snprintf(msg, sizeof(msg), "missing golden file %s (run with UPDATE_GOLDEN=1)",
			 want_path);
	else if (!same)
		snprintf(msg, sizeof(msg), "differs from %s; output kept in %s", want_path, out);
	free(got);
	free(want);
	if (!same)
		return msg;
	unlink(out);
	return NULL;
}

/* The first column of the first row of sql as text ("" for no row or NULL), in a static buffer. */
static inline const char *
test_one(struct db *db, const char *sql)
{
	static char out[512];
	sqlite3_stmt *st = NULL;
	struct err err = ERR_INIT;

	out[0] = '\0';
	if (db_prepare(db, sql, &st, &err) != 0)
		fail_msg("%s", err.msg);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

#endif
