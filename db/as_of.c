#include "db/as_of.h"
#include "db/sql_embed.h"
#include "common/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_VIEW "views/05_run_in_effect.sql"

int
db_as_of_clear(struct db *db, struct err *err)
{
	for (;;) {
		sqlite3_stmt *st = NULL;
		char *drop = NULL;
		int rc;

		if (sqlite3_prepare_v2(db->h, "SELECT name FROM temp.sqlite_schema WHERE type = 'view'",
				       -1, &st, NULL) != SQLITE_OK)
			return err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
		if (sqlite3_step(st) == SQLITE_ROW)
			drop = sqlite3_mprintf("DROP VIEW temp.\"%w\"", sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		if (drop == NULL)
			return 0;
		rc = db_exec(db, drop, err);
		sqlite3_free(drop);
		if (rc < 0)
			return rc;
	}
}

/* Look the run up: its period, and whether it is in effect (summaries built). */
static int
run_lookup(struct db *db, int64_t run_id, char *period, size_t n, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db,
			"SELECT period, EXISTS (SELECT 1 FROM run_summary s WHERE s.run_id = r.run_id) "
			"FROM run r WHERE r.run_id = :run_id",
			&st, err);
	if (rc < 0)
		return rc;
	db_bind_int(st, ":run_id", run_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = err_set(err, RC_NOTFOUND,
			     "database '%s' has no run %" PRId64 " (palscope db runs lists them)",
			     db->path, run_id);
	else if (rc != SQLITE_ROW)
		rc = err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	else if (sqlite3_column_int(st, 1) == 0)
		rc = err_set(err, RC_ERROR,
			     "run %" PRId64 " is still being collected (it is not in effect until it "
			     "ends)", run_id);
	else {
		if (period)
			snprintf(period, n, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* TEMP copies of every view of sql/views/ but skip (NULL: none). */
static int
copy_views(struct db *db, const char *skip, struct err *err)
{
	int rc = 0;

	for (const struct sql_file *f = sql_files; rc == 0 && f->name; f++) {
		const char *at;
		char *sql;

		if (strncmp(f->name, "views/", 6) != 0 || (skip && strcmp(f->name, skip) == 0))
			continue;
		/* One view per file: the same text, created in the TEMP schema. */
		at = strstr(f->text, "CREATE VIEW ");
		if (at == NULL)
			return err_set(err, RC_ERROR, "sql/%s: no CREATE VIEW", f->name);
		sql = xasprintf("CREATE TEMP VIEW %s", at + strlen("CREATE VIEW "));
		rc = db_exec(db, sql, err);
		free(sql);
		if (rc < 0)
			err_prefix(err, "sql/%s (TEMP copy): ", f->name);
	}
	return rc;
}

int
db_temp_views(struct db *db, const char *base_file, const char *base_sql, struct err *err)
{
	int rc;

	if ((rc = db_as_of_clear(db, err)) < 0 || (rc = db_exec(db, base_sql, err)) < 0)
		return rc;
	if ((rc = copy_views(db, base_file, err)) < 0) {
		struct err ignored = ERR_INIT;
		db_as_of_clear(db, &ignored);
	}
	return rc;
}

int
db_temp_views_ensure(struct db *db, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, have;

	rc = db_prepare(db, "SELECT EXISTS (SELECT 1 FROM temp.sqlite_schema WHERE type = 'view' "
			"AND name = 'effective_identity')", &st, err);
	if (rc < 0)
		return rc;
	have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return have ? 0 : copy_views(db, NULL, err);
}

int
db_as_of_run(struct db *db, int64_t run_id, char *period, size_t n, struct err *err)
{
	char *sql;
	int rc;

	if ((rc = run_lookup(db, run_id, period, n, err)) < 0)
		return rc;
	sql = xasprintf("CREATE TEMP VIEW run_in_effect AS SELECT r.* FROM main.run_in_effect r "
			"WHERE r.period = (SELECT period FROM main.run WHERE run_id = %" PRId64 ") "
			"AND r.run_id <= %" PRId64,
			run_id, run_id);
	rc = db_temp_views(db, RUN_VIEW, sql, err);
	free(sql);
	return rc;
}

int
db_as_of_period(struct db *db, const char *period, struct err *err)
{
	char *sql;
	int rc;

	sql = sqlite3_mprintf("CREATE TEMP VIEW run_in_effect AS SELECT r.* FROM main.run_in_effect r "
			      "WHERE r.period = %Q",
			      period);
	if (sql == NULL)
		die("out of memory");
	rc = db_temp_views(db, RUN_VIEW, sql, err);
	sqlite3_free(sql);
	return rc;
}
