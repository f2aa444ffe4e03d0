/*
 * The one "make ready" step: schema migration, view rebuild, summary
 * building and (when asked) the status snapshots, in that order, on a connection db_connect opened. db.c knows
 * nothing of the summaries; this file ties the two together.
 */
#include "db/db.h"
#include "db/summary.h"

#include <stddef.h>

int
db_open(struct db *db, const char *path, unsigned flags, struct err *err)
{
	int applied = 0;
	int rc = db_connect(db, path, flags, err);

	if (rc < 0)
		return rc;
	rc = db_migrate(db, &applied, err);
	/* The schema changed: summaries built under the old one are rebuilt when next read. */
	if (rc == 0 && applied > 0)
		rc = db_summaries_invalidate(db, err);
	/* The rules changed: so may every summary (rebuilt below or when next read). */
	if (rc == 0)
		rc = db_views_apply(db, db_summaries_invalidate, err);
	/* The views read per-run summaries: build any that are missing or out of date. */
	if (rc == 0)
		rc = db_summaries_update(db, NULL, err);
	/* Built the first time a command reads them, not at every run's end (db/summary.h). */
	if (rc == 0 && (flags & DB_SNAPSHOTS))
		rc = db_snapshots_update(db, NULL, err);
	if (rc < 0)
		db_close(db);
	return rc;
}
