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

void
report_period_warn_partial(struct db *db, const char *period)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;

	if (db_prepare(db, "@reports/partial_period_runs.sql", &st, &err) < 0)
		return;
	db_bind_text(st, ":period", period);
	while (sqlite3_step(st) == SQLITE_ROW)
		log_warn("run %d was collected on %s, before %s ended (--allow-partial-period): its "
			 "cost is incomplete, so usage, attributed cost and NO_USAGE may change",
			 sqlite3_column_int(st, 0), (const char *)sqlite3_column_text(st, 1), period);
	sqlite3_finalize(st);
}
