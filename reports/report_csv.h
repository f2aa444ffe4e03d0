/*
 * CSV cells on libcsv (RFC 4180): text cells are always quoted by csv_fwrite() with inner quotes
 * doubled, and a text cell that begins with '=', '+', '-', '@', tab or carriage return gets a
 * leading "'" so spreadsheets do not run it as a formula. Numeric cells are written bare and never
 * get the prefix. Money uses '.' and two decimals whatever the locale (integer arithmetic, no
 * printf("%f")).
 */
#ifndef PALSCOPE_REPORTS_REPORT_CSV_H
#define PALSCOPE_REPORTS_REPORT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct report_csv {
	FILE *fp;
	bool excel;	/* CRLF line ends (the BOM is written by report_csv_begin) */
	bool in_row;	/* a cell was written on the current row */
	bool failed;	/* a write failed; checked by report_csv_end() */
	int errnum;	/* errno of the first failed write */
};

/* Start a document on fp; writes the UTF-8 BOM when excel. */
void report_csv_begin(struct report_csv *o, FILE *fp, bool excel);
void report_csv_text(struct report_csv *o, const char *s, size_t len);
void report_csv_int(struct report_csv *o, int64_t v);
/* v == NULL-like cells are written with report_csv_empty(). */
void report_csv_money(struct report_csv *o, double v);
void report_csv_empty(struct report_csv *o);
void report_csv_end_row(struct report_csv *o);
/* Flush; returns 0, or -1 if any write failed. */
int report_csv_end(struct report_csv *o);

/* True when a text cell needs the "'" prefix. */
bool csv_needs_guard(const char *s, size_t len);

/*
 * Format v rounded half away from zero to cents as "[-]D.DD" into out (at least 32 bytes).
 * Values beyond +-9e15 are clamped. Never prints "-0.00".
 */
void csv_format_money(double v, char *out, size_t n);

#endif
