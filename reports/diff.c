#include "reports/diff.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/util.h"
#include "common/xalloc.h"
#include "db/as_of.h"
#include "db/db.h"

#define T REPORT_COL_TEXT
#define I REPORT_COL_INT
#define M REPORT_COL_MONEY

static const struct report_column diff_cols[] = {
	{ "tenant_id", T },	   { "customer_name", T },	  { "subscription_id", T },
	{ "subscription_name", T }, { "from_run", I },		   { "to_run", I },
	{ "from_status", T },	   { "to_status", T },		   { "from_reason", T },
	{ "to_reason", T },	   { "from_attributed_usage", M }, { "to_attributed_usage", M },
	{ "currency", T },	   { "cause", T },		   { "evidence", T },
};

#undef T
#undef I
#undef M

const struct report_spec diff_customers_spec = {
	"diff", "@reports/diff_customers.sql", "changed customers between two runs", diff_cols,
	sizeof(diff_cols) / sizeof(diff_cols[0]),
};

const struct report_spec diff_subscriptions_spec = {
	"diff --subscriptions", "@reports/diff_subscriptions.sql",
	"changed subscriptions between two runs", diff_cols, sizeof(diff_cols) / sizeof(diff_cols[0]),
};

int
diff_resolve(struct db *db, const char *what, const char *spec, int64_t before, int64_t *run,
	     char *period, struct err *err)
{
	sqlite3_stmt *st = NULL;
	char first[11], last[11];
	bool is_period = spec && period_parse(spec, first, last);
	int64_t id = 0;
	int rc;

	if (spec && !is_period) {
		char *end = NULL;
		long long v = strtoll(spec, &end, 10);
		if (*spec < '0' || *spec > '9' || *end != '\0' || v <= 0)
			return err_set(err, RC_USAGE, "%s '%s' is neither a run id nor a period (YYYY-MM)",
				       what, spec);
		id = v;
	}
	if ((rc = db_prepare(db, "@reports/diff_run.sql", &st, err)) < 0)
		return rc;
	if (id > 0)
		db_bind_int(st, ":run_id", id);
	db_bind_text(st, ":period", is_period ? spec : NULL);
	if (before > 0 && id == 0)
		db_bind_int(st, ":before", before);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 2) == 0) {
		rc = err_set(err, RC_ERROR,
			     "%s: run %" PRId64 " has no status snapshot (it is still being collected, or "
			     "the database was last opened read-only: open it once with write access)",
			     what, (int64_t)sqlite3_column_int64(st, 0));
	} else if (rc == SQLITE_ROW) {
		*run = sqlite3_column_int64(st, 0);
		if (period)
			snprintf(period, 8, "%s", (const char *)sqlite3_column_text(st, 1));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		if (id > 0)
			rc = err_set(err, RC_NOTFOUND,
				     "%s: database '%s' has no run %" PRId64 " (palscope db runs lists them)",
				     what, db->path, id);
		else if (is_period)
			rc = err_set(err, RC_NOTFOUND, "%s: no complete run of %s%s", what, spec,
				     before > 0 ? " before the other run" : "");
		else
			rc = err_set(err, RC_NOTFOUND, "%s: no complete run%s to compare", what,
				     before > 0 ? " before the other run" : "");
	} else {
		rc = err_set(err, RC_DB, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
	}
	sqlite3_finalize(st);
	return rc;
}

int
diff_prepare(struct db *db, int64_t from, int64_t to, struct err *err)
{
	char *sql = xasprintf("CREATE TEMP VIEW diff_pair AS SELECT %" PRId64 " AS from_run, "
			      "(SELECT period FROM main.run WHERE run_id = %" PRId64 ") AS from_period, "
			      "%" PRId64 " AS to_run, "
			      "(SELECT period FROM main.run WHERE run_id = %" PRId64 ") AS to_period",
			      from, from, to, to);
	int rc = db_temp_views(db, "views/70_diff_pair.sql", sql, err);

	free(sql);
	return rc;
}
