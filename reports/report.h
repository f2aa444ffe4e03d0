/*
 * Reports: each one is an embedded SQL file (sql/reports/<name>.sql, one SELECT taking :period)
 * plus a column table saying which cells are text and which are money. report_write() streams
 * the rows to a CSV file through report_csv; nothing is held in memory beyond one row.
 */
#ifndef PALSCOPE_REPORTS_REPORT_H
#define PALSCOPE_REPORTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"
#include "reports/output.h"

struct db;

/* The output layer's types (reports/output.h), by the same numbers. */
enum report_col_type {
	REPORT_COL_TEXT = OUT_T_TEXT,	/* quoted, formula-guarded */
	REPORT_COL_INT = OUT_T_INT,	/* bare integer */
	REPORT_COL_MONEY = OUT_T_MONEY,	/* bare number, '.' and two decimals; NULL gives an empty cell */
};

struct report_column {
	const char *name;
	enum report_col_type type;
};

struct report_spec {
	const char *name;		/* "customers" */
	const char *sql;		/* "@reports/customers.sql" */
	const char *summary;		/* one line for help */
	const struct report_column *cols;
	size_t ncols;
};

enum {
	REPORT_EXCEL = 1 << 0,	/* UTF-8 BOM and CRLF line ends (csv) */
};
/* The output format (enum out_format, reports/output.h) in report_write's flags; none is csv. */
#define REPORT_FORMAT(f) ((unsigned)(f) << 4)
#define REPORT_FORMAT_OF(flags) ((enum out_format)(((flags) >> 4) & 0xF))

/* The report table, terminated by an entry with name == NULL. */
extern const struct report_spec report_specs[];

/*
 * The months a range report (trend: its SQL takes :from and :to, not :period) covers, bound as :from and :to by report_write;
 * NULL = the report's default (the first / last period with a run). The strings must outlive
 * the report_write calls.
 */
void report_set_range(const char *from, const char *to);

/* The spec called name, or NULL. */
const struct report_spec *report_find(const char *name);

/*
 * The period of the newest run into out ("YYYY-MM", at least 8 bytes). RC_NOTFOUND when the
 * database holds no run.
 */
int report_default_period(struct db *db, char *out, size_t n, struct err *err);

/*
 * palscope why: evaluate the period's subscription_status once into temp.why_subscription
 * (sql/reports/why_subscriptions.sql), which why_pairs.sql and why_names.sql read.
 */
int report_why_prepare(struct db *db, const char *period, struct err *err);

/*
 * palscope why q: from now on the rule views are evaluated only for the customers q can be
 * about (sql/scripts/why_scope.sql: the same views over narrowed subscription and identity
 * lists), so one customer is answered without evaluating the period. Call before
 * report_why_prepare. report_why_unscope goes back to the whole period (for the "did you mean"
 * suggestions) and drops temp.why_subscription.
 */
int report_why_scope(struct db *db, const char *period, const char *q, struct err *err);
int report_why_unscope(struct db *db, struct err *err);

/*
 * Run spec for period and write it to fp in the format of flags (REPORT_FORMAT; csv: the
 * header row first). Checks that the statement's
 * columns match the table. Returns 0 or an RC_* code; *rows (may be NULL) gets the row count.
 */
int report_write(struct db *db, const struct report_spec *spec, const char *period, FILE *fp,
		 unsigned flags, size_t *rows, struct err *err);

/*
 * report_write to path: NULL or "-" is stdout; a regular file (or a new one) is written to
 * "<path>.tmp" and renamed over path only when complete, so a failed run leaves no half-written
 * report; a device, pipe or symbolic link is written in place. Errors name path and its
 * directory (RC_IO).
 */
int report_write_path(struct db *db, const struct report_spec *spec, const char *period,
		      const char *path, unsigned flags, size_t *rows, struct err *err);

/* Writes one document to fp: 0 or an RC_* code (RC_IO: a write failed, errno kept). */
typedef int (*report_writer_fn)(FILE *fp, void *arg, struct err *err);

/*
 * The output side of report_write_path for any writer (the HTML report): path NULL or "-" is
 * stdout; a regular or new file is written to "<path>.tmp", synced and renamed over
 * path when complete; a device, pipe or symbolic link is written in place. Errors name path and
 * its directory (RC_IO).
 */
int report_output_path(const char *path, report_writer_fn write, void *arg, struct err *err);

#endif
