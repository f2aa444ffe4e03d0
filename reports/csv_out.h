/*
 * CSV cells on libcsv (RFC 4180): text cells are always quoted by csv_fwrite() with inner quotes
 * doubled, and a text cell that begins with '=', '+', '-', '@', tab or carriage return gets a
 * leading "'" so spreadsheets do not run it as a formula. Numeric cells are written bare and never
 * get the prefix. Money uses '.' and two decimals whatever the locale (integer arithmetic, no
 * printf("%f")).
 */
#ifndef PALSCOPE_REPORTS_CSV_OUT_H
#define PALSCOPE_REPORTS_CSV_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct csv_out {
	FILE *fp;
	bool excel;	/* CRLF line ends (the BOM is written by csv_out_begin) */
	bool in_row;	/* a cell was written on the current row */
	bool failed;	/* a write failed; checked by csv_out_end() */
};

/* Start a document on fp; writes the UTF-8 BOM when excel. */
void csv_out_begin(struct csv_out *o, FILE *fp, bool excel);
void csv_out_text(struct csv_out *o, const char *s, size_t len);
void csv_out_int(struct csv_out *o, int64_t v);
/* v == NULL-like cells are written with csv_out_empty(). */
void csv_out_money(struct csv_out *o, double v);
void csv_out_empty(struct csv_out *o);
void csv_out_end_row(struct csv_out *o);
/* Flush; returns 0, or -1 if any write failed. */
int csv_out_end(struct csv_out *o);

/* True when a text cell needs the "'" prefix. */
bool csv_needs_guard(const char *s, size_t len);

/*
 * Format v rounded half away from zero to cents as "[-]D.DD" into out (at least 32 bytes).
 * Values beyond +-9e15 are clamped. Never prints "-0.00".
 */
void csv_format_money(double v, char *out, size_t n);

#endif
