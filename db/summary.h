/*
 * Per-run summaries (sql/migrations/0006_run_summary.sql): the access and cost aggregates the
 * report views read, built once per run instead of on every report. They are derived data and
 * can always be rebuilt from the run's tables.
 */
#ifndef PALSCOPE_DB_SUMMARY_H
#define PALSCOPE_DB_SUMMARY_H

#include <stdint.h>

#include "db/db.h"

/*
 * (Re)build the summaries of run_id inside the caller's transaction and mark them current
 * (run_summary), which puts the run in effect for the views. The status snapshots
 * (migrations/0010_status_snapshot.sql) of run_id and of the later runs of its period are
 * marked out of date, not built: a collect's end costs the summaries only, and the snapshots
 * are built by db_snapshots_update the first time a command reads them.
 */
int db_summaries_build(struct db *db, int64_t run_id, struct err *err);

/*
 * Build the status snapshots of every run that has current summaries and no current snapshot
 * (snapshot_built), each "as of" its run, in one transaction: what diff, report trend,
 * why --since and report html call (db_open with DB_SNAPSHOTS) before they read them. *built
 * (may be NULL) gets how many runs were built. A read-only database that needs them is an error,
 * not a report without changes.
 */
int db_snapshots_update(struct db *db, int *built, struct err *err);

/*
 * Bring every run's summaries up to date before reading the report views: builds those of runs
 * without current summaries (older databases, runs a crash left 'running'), one transaction.
 * A run still being collected (its process alive) is left to its collector; until it ends the
 * views keep the period's earlier runs in effect. *built (may be NULL) gets how many runs were
 * built. A read-only database that needs building is an error, not a wrong report.
 */
int db_summaries_update(struct db *db, int *built, struct err *err);

/*
 * Forget every run's summaries and build them again inside the caller's transaction (the
 * policy changed: cli/cmd_rules.c), so the next report reads summaries of the new rules; every
 * status snapshot is marked out of date (rebuilt when next read). A run still being collected is
 * left to its collector. *built (may be NULL) gets how many runs.
 */
int db_summaries_rebuild_tx(struct db *db, int *built, struct err *err);

/* Forget every run's summaries (the rules or the schema changed); they are rebuilt lazily. */
int db_summaries_invalidate(struct db *db, struct err *err);

#endif
