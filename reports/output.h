/*
 * The output layer every printing command shares: rows of named fields written as one of
 *   csv    the contract's CSV (reports/report_csv: quoted text, formula guard, --excel);
 *   table  aligned columns by display width (UTF-8 aware: combining marks 0, CJK 2), fitted
 *          to the terminal width: free-text columns are wrapped (never inside a backticked
 *          command), the others truncated with "…";
 *   json   an array of objects with the CSV header's names, numbers as numbers, null for an
 *          empty number;
 *   tsv    no header, one line per row, tab-separated; tab, newline, carriage return and
 *          backslash in a value written as \t \n \r \\.
 * csv, json and tsv stream; table holds the rows until out_end (it needs every width).
 */
#ifndef PALSCOPE_REPORTS_OUTPUT_H
#define PALSCOPE_REPORTS_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/report_csv.h"

/* OUT_CSV is 0: flags without a format are the CSV they always were. */
enum out_format { OUT_CSV = 0, OUT_TABLE, OUT_JSON, OUT_TSV };

/* "csv", "table", "json", "tsv" by enum value; NULL-terminated. */
extern const char *const out_format_names[];

/* The format called name, or -1. */
int out_format_find(const char *name);

enum out_type {
	OUT_T_TEXT,	/* a string (CSV: quoted, formula-guarded) */
	OUT_T_INT,	/* an integer */
	OUT_T_MONEY,	/* a number with two decimals, '.' whatever the locale */
};

struct out_field {
	const char *name;
	enum out_type type;
};

struct out_cell {
	char *s;	/* NULL: empty */
};

struct out {
	FILE *fp;
	enum out_format fmt;
	const struct out_field *f;
	size_t nf;
	size_t col;		/* cells written on the current row */
	size_t rows;
	bool failed;
	int errnum;		/* errno of the first failed write */
	struct report_csv csv;	/* OUT_CSV */
	int width;		/* OUT_TABLE: columns to fit, 0: no limit */
	struct out_cell *cells;	/* OUT_TABLE: rows * nf cells */
	size_t ncells, cap;
};

enum { OUT_EXCEL = 1 };	/* csv: UTF-8 byte order mark and CRLF line ends */

/* Start fp's document of the nf fields f (they must outlive o); csv and json write the header. */
void out_begin(struct out *o, FILE *fp, enum out_format fmt, unsigned flags,
	       const struct out_field *f, size_t nf);
/* The next cell of the row: text (s NULL: empty), a number, or empty (json: null; "" for text). */
void out_text(struct out *o, const char *s, size_t len);
void out_str(struct out *o, const char *s);	/* out_text of a C string, NULL or "" empty */
void out_int(struct out *o, int64_t v);
void out_money(struct out *o, double v);
void out_null(struct out *o);
void out_end_row(struct out *o);
/* Write what is held (table), close the document, flush. 0, or -1 with o->errnum set. */
int out_end(struct out *o);

/* Columns s (len bytes of UTF-8) takes on a terminal: wcwidth in C.UTF-8, invalid bytes 1. */
size_t out_display_width(const char *s, size_t len);

/* The terminal width for fp: $COLUMNS, else the terminal's (TIOCGWINSZ), else 0 (no limit). */
int out_terminal_width(FILE *fp);

#endif
