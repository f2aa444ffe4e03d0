/*
 * The period a report, why or reconcile answers for: refused when no run has it (an empty CSV
 * would look like "no customers"), and flagged when a run in effect for it was collected before
 * the month ended (collect --allow-partial-period: run.partial_period).
 */
#ifndef PALSCOPE_REPORTS_PERIOD_H
#define PALSCOPE_REPORTS_PERIOD_H

#include "common/err.h"

struct db;

/*
 * 0 when the database holds a run of period. Else RC_NOTFOUND with "no run for 2026-11; runs
 * exist for 2026-09, 2026-10" (or "... holds no run at all").
 */
int report_period_check(struct db *db, const char *period, struct err *err);

/* A warning on stderr for each run in effect for period that was collected before it ended. */
void report_period_warn_partial(struct db *db, const char *period);

/* Receives one warning (one line, no newline). */
typedef void (*report_warn_fn)(void *arg, const char *msg);

/* report_period_warn_partial's warnings, each given to emit. */
void report_partial_warnings(struct db *db, const char *period, report_warn_fn emit, void *arg);

/*
 * The runs of period that did not complete (what they could not read is UNKNOWN) and those still
 * being collected, each warning given to emit (NULL: on stderr).
 */
void report_runs_warnings(struct db *db, const char *period, report_warn_fn emit, void *arg);

#endif
