/*
 * palscope merge: copy the runs of another palscope database into this one, in one
 * transaction. The other file is read as it is (read-only), copied with VACUUM INTO to a
 * temporary file and migrated there, so a database of the same or an older schema can be
 * merged and is never changed. Runs already present (same run uuid, migration
 * *_user_identities) are skipped. Every table that belongs to a run (a run_id or identity_id
 * column) is copied with the run and identity ids renumbered; integer row ids of other tables
 * are given new values; derived tables (run summaries, status snapshots, palscope_meta) are
 * not copied: they are built for the new runs the next time the database is opened. The link
 * audit log (link_batch, link_change) and reference data (role_eligibility) stay as they are.
 */
#ifndef PALSCOPE_DB_MERGE_H
#define PALSCOPE_DB_MERGE_H

#include <stdint.h>

#include "common/err.h"
#include "db/db.h"

struct merge_stats {
	long runs_copied, runs_skipped, identities, rows;
};

/* One copied or skipped run, for the caller's report. */
typedef void (*merge_run_cb)(void *payload, bool copied, int64_t other_id, int64_t new_id,
			     const char *uuid, const char *kind, const char *period,
			     const char *status, const char *signed_in_as);

int db_merge(struct db *db, const char *other_path, merge_run_cb cb, void *payload,
	     struct merge_stats *st, struct err *err);

#endif
