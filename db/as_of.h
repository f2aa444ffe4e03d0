/*
 * Evaluating the rule views "as of" one run (palscope report --run, palscope diff, why --since).
 * The views read runs through run_in_effect (sql/views/05_run_in_effect.sql). db_as_of_run gives
 * the connection TEMP copies of every view of sql/views/ (the same text: the rules stay in one
 * place) over a TEMP run_in_effect that holds only the runs of the run's period up to and
 * including it; unqualified names resolve to the TEMP schema first, so every report query then
 * answers as of that run. Nothing is written to the database (works on a read-only file).
 */
#ifndef PALSCOPE_DB_AS_OF_H
#define PALSCOPE_DB_AS_OF_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/*
 * Evaluate as of run_id from now on; its period goes to period ("YYYY-MM", n >= 8; may be NULL).
 * RC_NOTFOUND when there is no such run, RC_ERROR when it is not in effect yet (still being
 * collected). Calling it again replaces the previous run.
 */
int db_as_of_run(struct db *db, int64_t run_id, char *period, size_t n, struct err *err);

/*
 * The general form: run base_sql (a CREATE TEMP VIEW standing in for the view of
 * sql/<base_file>), then TEMP copies of every other view of sql/views/. palscope diff uses it with
 * its own diff_pair (views/70_diff_pair.sql).
 */
int db_temp_views(struct db *db, const char *base_file, const char *base_sql, struct err *err);

/*
 * TEMP copies of every view of sql/views/, unless the connection has them already (as of a run,
 * or diff's pair): TEMP tables or views created before or after then stand in for main ones
 * (palscope why narrows `subscription` and `identity` to the customers it is asked about).
 */
int db_temp_views_ensure(struct db *db, struct err *err);

/*
 * Evaluate one period only: TEMP copies of every view over a TEMP run_in_effect holding only the
 * runs of period (every run of it in effect, as the main views do). The answer is the main views'
 * answer for that period; what changes is the work. The rule views partition their windows by
 * period, but SQLite does not push a WHERE on the period into a subquery whose window functions
 * differ in their definitions (customer_status has several), so on a database of 12 periods
 * `WHERE period = P` evaluated every period's rows (report customers 12 x slower, report summary
 * 205 s and 2 GB, bench/README.md). The period reports, why and reconcile narrow to their period.
 */
int db_as_of_period(struct db *db, const char *period, struct err *err);

/* Back to the database's own views (every run in effect). */
int db_as_of_clear(struct db *db, struct err *err);

#endif
