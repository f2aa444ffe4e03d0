/*
 * Reading real-world CSV files (Excel saves, Cost Management exports,
 * Partner Center downloads) on top of libcsv, streaming in constant memory:
 * a UTF-8 BOM is skipped, the delimiter (',', ';' or tab) is detected from
 * the header line, CRLF/LF/CR line ends, quoted fields with embedded
 * newlines, extra columns and header names that differ in case, spacing or
 * punctuation are accepted.
 *
 * A NUL byte in any cell is an error naming line and column. Kept cells
 * (the header and the wanted columns) are always valid UTF-8: a cell that is
 * not is read as Windows-1252 (what Excel's plain "CSV" save writes on
 * Western Windows) and converted, and csvin_cp1252_line() tells the caller
 * to say so; a byte Windows-1252 leaves undefined is an error naming the cell.
 *
 * One CSV reading layer for the project: import, reconcile, the accounts
 * file and link's --only-missing-from report all read through it.
 *
 * Usage: csvin_open() reads the header; csvin_find() locates columns;
 * csvin_want() marks the columns whose values csvin_next() keeps; then
 * csvin_next() until it returns 0. Errors carry "file:line: column N
 * ('Name'): ..." so the user can find the cell.
 */
#ifndef PALSCOPE_COMMON_CSVIN_H
#define PALSCOPE_COMMON_CSVIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"

struct csvin;

/* The longest field accepted (a larger one is an error, not an allocation). */
#define CSVIN_MAX_FIELD (64u * 1024 * 1024)

/*
 * Open path and read its header row. *out is owned by the caller
 * (csvin_free). An empty file, or one without a header, is RC_PARSE.
 */
int csvin_open(struct csvin **out, const char *path, struct err *err);

/* As csvin_open on an open stream (not closed by csvin_free); name is for messages. */
int csvin_open_fp(struct csvin **out, FILE *fp, const char *name, struct err *err);

/* As csvin_open on a memory buffer (for fuzzing and tests); data must outlive the reader. */
int csvin_open_mem(struct csvin **out, const void *data, size_t len, const char *name,
		   struct err *err);

void csvin_free(struct csvin *c);

/* Header: number of columns, a column's name as written (trimmed, BOM removed). */
int csvin_ncols(const struct csvin *c);
const char *csvin_colname(const struct csvin *c, int col);

/*
 * The first column matching one of names (NULL-terminated, in order of
 * preference), compared after csvin_norm(); -1 when none matches.
 */
int csvin_find(const struct csvin *c, const char *const *names);

/* Keep the values of column col (csvin_field returns "" for the others). */
void csvin_want(struct csvin *c, int col);

/* The detected delimiter: ',', ';' or '\t'. */
char csvin_delim(const struct csvin *c);

/*
 * Read the next data row: 1 for a row, 0 at the end, or a negative RC_*
 * with err set. Blank lines are skipped.
 */
int csvin_next(struct csvin *c, struct err *err);

/* The current row's value of a wanted column, trimmed of spaces; "" when absent. */
const char *csvin_field(const struct csvin *c, int col);
size_t csvin_field_len(const struct csvin *c, int col);

/* The physical line where the current row starts (1 = header). */
long csvin_line(const struct csvin *c);

/* Number of data rows read so far. */
long csvin_rows(const struct csvin *c);

/* Set err to "name:line: column N ('Header'): <fmt>" for the current row; returns RC_PARSE. */
int csvin_fail(const struct csvin *c, int col, struct err *err, const char *fmt, ...)
	PRINTFLIKE(4, 5);

/* The first line whose kept cells were converted from Windows-1252 (0: none), and how many cells. */
long csvin_cp1252_line(const struct csvin *c);
long csvin_cp1252_fields(const struct csvin *c);

/* Is s[0..len) well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)? */
bool csvin_utf8_valid(const char *s, size_t len);

/* The file name given at open. */
const char *csvin_name(const struct csvin *c);

/*
 * Normalise a header name for comparison: lowercase ASCII letters and
 * digits only ("Cost In Billing Currency", "cost_in_billing_currency" ->
 * "costinbillingcurrency"). out must hold len + 1 bytes.
 */
void csvin_norm(const char *s, size_t len, char *out);

/*
 * Parse a number as spreadsheets write it: optional sign, digits, one
 * decimal separator dec ('.' or ','), optional exponent. The other
 * character may group thousands only when a decimal part follows
 * ("1.234,56" with dec ','). Surrounding spaces are allowed. Returns false
 * for anything else, including an empty string, "1.234" with dec ',' (is it
 * 1234 or 1.234?), NaN and infinities.
 */
bool csvin_number(const char *s, char dec, double *out);

#endif
