#include "reports/period.h"
#include "common/buf.h"
#include "common/log.h"
#include "db/db.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <string.h>

int
report_period_check(struct db *db, const char *period, struct err *err)
{
	sqlite3_stmt *st = NULL;
	struct buf others = BUF_INIT;
	int rc, n = 0;
	bool found = false;

	if ((rc = db_prepare(db, "@reports/periods.sql", &st, err)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(p, period) == 0) {
			found = true;
			break;
		}
		buf_printf(&others, "%s%s", n++ ? ", " : "", p);
	}
	if (found)
		rc = 0;
	else if (rc != SQLITE_DONE)
		rc = err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	else if (n == 0)
		rc = err_set(err, RC_NOTFOUND, "no run for %s; database '%s' holds no run at all "
			     "(run 'palscope collect' or 'palscope import' first)", period, db->path);
	else
		rc = err_set(err, RC_NOTFOUND, "no run for %s; runs exist for %s", period,
			     buf_cstr(&others));
	sqlite3_finalize(st);
	buf_release(&others);
	return rc;
}

static void
warn_log(void *arg, const char *msg)
{
	(void)arg;
	log_warn("%s", msg);
}

void
report_partial_warnings(struct db *db, const char *period, report_warn_fn emit, void *arg)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	struct buf b = BUF_INIT;

	if (db_prepare(db, "@reports/partial_period_runs.sql", &st, &err) < 0)
		return;
	db_bind_text(st, ":period", period);
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_reset(&b);
		buf_printf(&b, "run %d was collected on %s, before %s ended (--allow-partial-period): "
			   "its cost is incomplete, so usage, attributed cost and NO_USAGE may change",
			   sqlite3_column_int(st, 0), (const char *)sqlite3_column_text(st, 1), period);
		emit(arg, buf_cstr(&b));
	}
	sqlite3_finalize(st);
	buf_release(&b);
}

void
report_period_warn_partial(struct db *db, const char *period)
{
	report_partial_warnings(db, period, warn_log, NULL);
}

void
report_runs_warnings(struct db *db, const char *period, report_warn_fn emit, void *arg)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	struct buf b = BUF_INIT;

	if (emit == NULL)
		emit = warn_log;
	if (db_prepare(db, "@reports/runs.sql", &st, &err) < 0)
		return;
	db_bind_text(st, ":period", period);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 2);
		if (strcmp(status, "complete") == 0)
			continue;
		buf_reset(&b);
		buf_printf(&b, "run %d (%s) is %s: what it could not read is reported as UNKNOWN",
			   sqlite3_column_int(st, 0), period,
			   strcmp(status, "running") == 0 ? "incomplete (it never finished)" : status);
		emit(arg, buf_cstr(&b));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (db_prepare(db, "@reports/runs_in_progress.sql", &st, &err) < 0)
		goto out;
	db_bind_text(st, ":period", period);
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_reset(&b);
		buf_printf(&b, "run %d (%s) is still being collected (pid %d on %s, since %s): the "
			   "report uses the period's earlier runs until it ends",
			   sqlite3_column_int(st, 0), period, sqlite3_column_int(st, 2),
			   (const char *)sqlite3_column_text(st, 3),
			   (const char *)sqlite3_column_text(st, 1));
		emit(arg, buf_cstr(&b));
	}
out:
	sqlite3_finalize(st);
	buf_release(&b);
}
