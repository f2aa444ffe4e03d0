/*
 * palscope diff and why --since: compare what the reports said as of two runs. The comparison
 * and its causes are views (sql/views/70-77) over the status snapshots of each run
 * (migrations/0010_status_snapshot.sql); diff_prepare gives the connection TEMP copies of them
 * over a diff_pair of its own two runs (db/as_of.c).
 */
#ifndef PALSCOPE_REPORTS_DIFF_H
#define PALSCOPE_REPORTS_DIFF_H

#include <stdint.h>

#include "common/err.h"
#include "reports/report.h"

struct db;

/* The CSV of palscope diff (customers) and diff --subscriptions. */
extern const struct report_spec diff_customers_spec;
extern const struct report_spec diff_subscriptions_spec;

/*
 * The run that a --from/--to value names: "YYYY-MM" is the newest complete run of that period,
 * digits are that run; NULL is the newest complete run. before > 0 restricts a period or NULL to
 * runs before it (the default --from). *run gets the id, period (>= 8 bytes, may be NULL) its
 * period. RC_NOTFOUND (with a message naming what) when there is none; a run without status
 * snapshots is an error.
 */
int diff_resolve(struct db *db, const char *what, const char *spec, int64_t before, int64_t *run,
		 char *period, struct err *err);

/* Evaluate the change views for the pair (from, to) from now on. */
int diff_prepare(struct db *db, int64_t from, int64_t to, struct err *err);

#endif
