/*
 * Cost data for an import: Cost Management export / portal download CSVs
 * (every layout of ../shared/docs/azure-api.md section 5.3) and saved cost
 * query bodies, aggregated to daily cost per (subscription, resource group,
 * currency). Memory grows with the number of distinct aggregate keys, never
 * with the number of rows.
 *
 * Dates are read as exports and Excel write them: YYYY-MM-DD (optionally
 * with a time), YYYY/MM/DD, dd.mm.yyyy, and MM/DD/YYYY or DD/MM/YYYY, which
 * are told apart per file by the evidence in the file itself (a first part
 * above 12 rules out MM/DD). A file whose slash dates fit both orders is an
 * error: never a guess.
 */
#ifndef PALSCOPE_IMPORT_COST_H
#define PALSCOPE_IMPORT_COST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/smap.h"
#include "model/records.h"

struct csvin;

enum date_kind { DATE_YMD, DATE_DMY, DATE_SLASH };

/*
 * Bounds on what a cost file may hold (README, "Bad input"): one row's cost
 * at most 1e12 in absolute value, a resource group name at most 90
 * characters (Azure's limit), and no daily total (subscription, day,
 * resource group, currency) below zero.
 */
#define COST_MAX_ABS 1e12
#define COST_MAX_RG_CHARS 90
#define COST_NEGATIVE_EPSILON 0.005

/* Characters (UTF-8 code points) in s[0..n). */
size_t cost_utf8_chars(const char *s, size_t n);

struct raw_date {
	enum date_kind kind;
	int y, a, b;	/* YMD: a = month, b = day; DMY: a = day, b = month; SLASH: a/b/y */
};

/* Parse one date cell; false when it is no date form we accept. */
bool import_date_parse(const char *s, struct raw_date *out);

/* Is y-m-d a real calendar day? */
bool import_ymd_valid(int y, int m, int d);

struct cost_agg {
	struct smap file;	/* the current file: raw date keys */
	struct smap all;	/* resolved: "sub|date|rg|currency" -> struct cost_cell */
	struct smap owner;	/* "sub|date" -> file number + 1 (overlap check) */
	struct smap subs;	/* subscription id (lowercase) -> file number + 1 */
	struct smap file_subs;	/* the current file's subscriptions */
	bool any_slash;
	long slash_line, mdy_line, dmy_line;	/* first evidence lines */
	char mdy_text[24], dmy_text[24], slash_text[24];
	const char *file_name;
	int file_no;
	char first_day[11], last_day[11];	/* range of resolved dates, "" when none */
	struct buf key;		/* scratch */
	int cost_col;		/* the current CSV's cost column (1-based; 0: not a CSV) */
	const char *cost_colname;
};

struct cost_cell {
	double cost;
	char *rg;	/* as first written */
	char *currency;
	char *sub;
	char day[11];		/* resolved YYYY-MM-DD */
	struct raw_date raw;	/* as read (current file only) */
	long line;		/* the last line that added to it (current file only) */
};

/* What one CSV was taken as, for the import notes. */
struct cost_file_info {
	char layout[64];
	char date_format[16];
	long rows;
	long rows_no_subscription;
	size_t subscriptions;
};

#define COST_AGG_INIT { SMAP_INIT, SMAP_INIT, SMAP_INIT, SMAP_INIT, SMAP_INIT, false, 0, 0, 0, \
			{ 0 }, { 0 }, { 0 }, NULL, 0, { 0 }, { 0 }, BUF_INIT, 0, NULL }

void cost_agg_release(struct cost_agg *a);

/* Start a file (file_no > 0, distinct per file; name for messages). */
void cost_agg_begin_file(struct cost_agg *a, int file_no, const char *name);

/* Add one cost line of the current file; sub is a GUID. */
void cost_agg_add(struct cost_agg *a, const char *sub, const struct raw_date *d, const char *rg,
		  const char *currency, double cost, long line, const char *date_text);

/*
 * Resolve the current file's dates and merge it into the totals. Errors:
 * ambiguous or contradictory dates, or a (subscription, day) that another
 * file already holds (the same export imported twice would double the cost).
 */
int cost_agg_end_file(struct cost_agg *a, char *date_format, size_t n, struct err *err);

/*
 * Is this a cost CSV (a cost, a date and a subscription column)? Leaves
 * the reader untouched.
 */
bool cost_csv_detect(const struct csvin *c);

/*
 * Read a cost CSV into the aggregate as file file_no. tenant: the import's
 * tenant (a CustomerTenantId column naming another tenant is an error).
 */
int cost_csv_read(struct csvin *c, const char *tenant, struct cost_agg *a, int file_no,
		  struct cost_file_info *info, struct err *err);

#endif
