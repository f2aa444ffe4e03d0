/* Small pure helpers: time, GUIDs, strings. No I/O. */
#ifndef PALSCOPE_COMMON_UTIL_H
#define PALSCOPE_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* 8-4-4-4-12 hexadecimal, case-insensitive. */
bool is_guid(const char *s);

/* Case-insensitive ASCII comparison helpers. */
bool str_ieq(const char *a, const char *b);
bool str_istarts(const char *s, const char *prefix);

/* Monotonic milliseconds. */
int64_t now_ms(void);

/*
 * The current UTC time as "YYYY-MM-DDTHH:MM:SSZ" in out (at least 21 bytes).
 * PALSCOPE_NOW (same format, or an epoch number) overrides it, for tests.
 */
void now_iso(char *out, size_t n);

/* This machine's host name into out (always NUL-terminated; "" if unknown); returns out. */
const char *host_name(char *out, size_t n);
time_t now_epoch(void);

/* Set "now" as PALSCOPE_NOW would (read once, at first use); NULL reads it again. */
void now_set_override(const char *value);

/* Format an epoch as ISO 8601 UTC (at least 21 bytes). */
void epoch_to_iso(time_t t, char *out, size_t n);

/*
 * Parse "YYYY-MM" into first/last day strings ("YYYY-MM-DD", 11 bytes each).
 * Returns false if the text is not a valid month.
 */
bool period_parse(const char *period, char *first, char *last);

/* The calendar month before the current one, "YYYY-MM" (8 bytes). */
void period_previous(char *out, size_t n);

/* Where a month ("YYYY-MM", valid) is against now (now_epoch, UTC): over, running or to come. */
enum period_when { PERIOD_OVER, PERIOD_CURRENT, PERIOD_FUTURE };
enum period_when period_when(const char *period);

/* Parse an HTTP date (RFC 7231 IMF-fixdate) to epoch; -1 on failure. */
time_t http_date_parse(const char *s);

/* Parse ISO 8601 "YYYY-MM-DDTHH:MM:SS[.frac][Z|+hh:mm]" to epoch; -1 on failure. */
time_t iso_parse(const char *s);

/* Days-from-civil: epoch seconds of YYYY-MM-DD 00:00:00Z. */
time_t ymd_to_epoch(int y, int m, int d);

#endif
