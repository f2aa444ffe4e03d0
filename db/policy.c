#include "db/policy.h"
#include "db/summary.h"
#include "common/util.h"

#include <stdio.h>
#include <string.h>

/* The switches' names, '|'-separated, for the usage error. */
static void
keys(struct db *db, char *out, size_t n)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;

	snprintf(out, n, "?");
	if (db_prepare(db, "@queries/policy_keys.sql", &st, &err) < 0)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

int
db_policy_set(struct db *db, const char *key, const char *value, bool *changed, char *old,
	      size_t n, struct err *err)
{
	sqlite3_stmt *st = NULL;
	char cur[64], alts[256], now[32];
	int rc, valid;

	if (changed)
		*changed = false;
	if ((rc = db_prepare(db, "@queries/policy_lookup.sql", &st, err)) < 0)
		return rc;
	db_bind_text(st, ":key", key);
	db_bind_text(st, ":value", value);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return err_set(err, RC_DB, "database '%s': %s", db->path,
				       sqlite3_errmsg(db->h));
		keys(db, alts, sizeof(alts));
		return err_set(err, RC_USAGE, "unknown switch '%s' (one of %s)", key, alts);
	}
	snprintf(cur, sizeof(cur), "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(alts, sizeof(alts), "%s", (const char *)sqlite3_column_text(st, 1));
	valid = sqlite3_column_int(st, 2);
	sqlite3_finalize(st);
	if (!valid)
		return err_set(err, RC_USAGE, "switch %s has no value '%s' (one of %s)", key, value,
			       alts);
	if (old)
		snprintf(old, n, "%s", cur);
	if (strcmp(cur, value) == 0)
		return 0;

	now_iso(now, sizeof(now));
	if ((rc = db_begin(db, err)) < 0)
		return rc;
	if ((rc = db_prepare(db, "@queries/policy_set.sql", &st, err)) == 0) {
		db_bind_text(st, ":key", key);
		db_bind_text(st, ":value", value);
		db_bind_text(st, ":changed_at", now);
		rc = db_step_done(db, st, err);
		sqlite3_finalize(st);
	}
	if (rc == 0 && (rc = db_prepare(db, "@queries/policy_change_insert.sql", &st, err)) == 0) {
		db_bind_text(st, ":changed_at", now);
		db_bind_text(st, ":key", key);
		db_bind_text(st, ":old_value", cur);
		db_bind_text(st, ":new_value", value);
		rc = db_step_done(db, st, err);
		sqlite3_finalize(st);
	}
	/* The summaries read pair_access, which reads the role switches: build them anew. */
	if (rc == 0)
		rc = db_summaries_rebuild_tx(db, NULL, err);
	if (rc == 0)
		rc = db_commit(db, err);
	if (rc < 0) {
		db_rollback(db);
		return rc;
	}
	if (changed)
		*changed = true;
	return 0;
}
