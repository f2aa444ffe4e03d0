#include "db/summary.h"
#include "db/as_of.h"
#include "db/sql_embed.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Run every statement of an embedded file in order, binding :run_id where it appears. */
static int
exec_file(struct db *db, const char *name, int64_t run_id, struct err *err)
{
	const struct db_param p = { ":run_id", NULL, run_id };

	return db_exec_script(db, name, &p, 1, err);
}

/*
 * sql/scripts/summary_build.sql with :run_id and the run's identity id range (:id_lo, :id_hi):
 * bound as constants, the planner seeks the identity-led keys of the run's rows through the
 * rule views instead of scanning every run's (an empty run binds an empty range).
 */
static int
build_file(struct db *db, int64_t run_id, struct err *err)
{
	struct db_param p[] = { { ":run_id", NULL, run_id }, { ":id_lo", NULL, 1 },
				{ ":id_hi", NULL, 0 } };
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "SELECT min(identity_id), max(identity_id) FROM identity "
			     "WHERE run_id = :run_id", &st, err)) < 0)
		return rc;
	db_bind_int(st, ":run_id", run_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		p[1].value = sqlite3_column_int64(st, 0);
		p[2].value = sqlite3_column_int64(st, 1);
	}
	rc = rc == SQLITE_ROW ? 0 : err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	sqlite3_finalize(st);
	return rc < 0 ? rc : db_exec_script(db, "scripts/summary_build.sql", p, 3, err);
}

/* Run a one-statement embedded file binding :run_id and :built_at (now). */
static int
mark(struct db *db, const char *name, int64_t run_id, struct err *err)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	if ((rc = db_prepare(db, name, &st, err)) < 0)
		return rc;
	now_iso(now, sizeof(now));
	db_bind_int(st, ":run_id", run_id);
	db_bind_text(st, ":built_at", now);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

/*
 * The status snapshots of run_id and of the later runs of its period in effect (each is "as of"
 * its run, so an earlier run's new summaries change them): the views evaluated as of each run
 * (db/as_of.c) copied by sql/scripts/snapshot_build.sql.
 */
static int
snapshots_of(struct db *db, const int64_t *runs, size_t n, int rc, struct err *err)
{
	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((rc = db_as_of_run(db, runs[i], NULL, 0, err)) == 0 &&
		    (rc = exec_file(db, "scripts/snapshot_build.sql", runs[i], err)) == 0)
			rc = mark(db, "@queries/snapshot_mark.sql", runs[i], err);
	}
	if (n > 0) {
		struct err ignored = ERR_INIT;
		db_as_of_clear(db, rc < 0 ? &ignored : err);
	}
	return rc;
}

/* The runs a one-column embedded query lists, in its order. */
static int
run_list(struct db *db, const char *name, int64_t **out, size_t *out_n, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t *runs = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if ((rc = db_prepare(db, name, &st, err)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			runs = xrealloc(runs, cap * sizeof(*runs));
		}
		runs[n++] = sqlite3_column_int64(st, 0);
	}
	rc = rc == SQLITE_DONE ? 0
			       : err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	sqlite3_finalize(st);
	if (rc < 0) {
		free(runs);
		return rc;
	}
	*out = runs;
	*out_n = n;
	return 0;
}

int
db_summaries_build(struct db *db, int64_t run_id, struct err *err)
{
	int64_t t0 = now_ms(), t1;
	clock_t c0 = clock(), c1;
	int rc;

	if ((rc = build_file(db, run_id, err)) < 0 ||
	    (rc = mark(db, "@queries/summary_mark.sql", run_id, err)) < 0)
		return rc;
	/* its snapshot and the later ones of its period: rebuilt when next read */
	rc = exec_file(db, "queries/snapshot_invalidate.sql", run_id, err);
	t1 = now_ms();
	c1 = clock();
	/* -vv: what a run's end costs (bench/README.md) */
	log_debug("run %lld: summaries built in %lld ms (CPU %.0f ms); SQLite heap high-water %.1f MB",
		  (long long)run_id, (long long)(t1 - t0), 1000.0 * (double)(c1 - c0) / CLOCKS_PER_SEC,
		  (double)sqlite3_memory_highwater(0) / 1048576.0);
	return rc;
}

/* Whether some aggregate of report trend is missing (sql/queries/trend_stale.sql). */
static int
trend_stale(struct db *db, int *stale, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "@queries/trend_stale.sql", &st, err)) < 0)
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*stale = sqlite3_column_int(st, 0);
	rc = rc == SQLITE_ROW ? 0 : err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int
db_snapshots_update(struct db *db, int *built, struct err *err)
{
	int64_t *runs = NULL, t0 = now_ms();
	clock_t c0 = clock();
	size_t n = 0;
	int rc, stale = 0;

	if (built)
		*built = 0;
	if ((rc = run_list(db, "@queries/snapshot_stale.sql", &runs, &n, err)) < 0)
		goto out;
	/* report trend's aggregates: a database from before them gets them here, once; read-only,
	 * trend computes them from the snapshots (sql/reports/trend.sql) */
	if (n == 0) {
		if ((rc = trend_stale(db, &stale, err)) < 0 || !stale ||
		    sqlite3_db_readonly(db->h, "main") == 1)
			goto out;
	} else if (sqlite3_db_readonly(db->h, "main") == 1) {
		rc = err_set(err, RC_DB,
			     "database '%s': run %lld has no current status snapshot and the database "
			     "is read-only; open it once with write access (palscope diff)",
			     db->path, (long long)runs[0]);
		goto out;
	}
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	rc = snapshots_of(db, runs, n, 0, err);
	if (rc == 0)
		rc = db_exec_script(db, "scripts/trend_build.sql", NULL, 0, err);
	if (rc == 0)
		rc = db_commit(db, err);
	if (rc < 0)
		db_rollback(db);
	else if (built)
		*built = (int)n;
	log_debug("%s%zu run(s) built in %lld ms (CPU %.0f ms); SQLite heap high-water %.1f MB",
		  n ? "status snapshots of " : "report trend's aggregates of snapshots of 0 new ", n,
		  (long long)(now_ms() - t0),
		  1000.0 * (double)(clock() - c0) / CLOCKS_PER_SEC,
		  (double)sqlite3_memory_highwater(0) / 1048576.0);
out:
	free(runs);
	return rc;
}

/*
 * Is the process that writes a 'running' run still at work? Only a process on this host can be
 * asked; a run from another host is taken as live (a reader must not hold the write lock under a
 * live collector), one without a pid (written before migration 0006) as finished.
 */
static bool
writer_alive(sqlite3_stmt *st)
{
	char host[256];
	const char *h = (const char *)sqlite3_column_text(st, 3);
	int64_t pid = sqlite3_column_int64(st, 2);

	if (sqlite3_column_type(st, 2) == SQLITE_NULL || pid <= 0)
		return false;
	if (h == NULL || strcmp(h, host_name(host, sizeof(host))) != 0)
		return true;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* The runs whose summaries are missing or stale, less those a live collector is writing. */
static int
stale_runs(struct db *db, int64_t **out, size_t *out_n, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int64_t *runs = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if ((rc = db_prepare(db, "@queries/summary_stale.sql", &st, err)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* A run still being collected is summarized by its collector when it ends. */
		if (sqlite3_column_int(st, 1) && writer_alive(st))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			runs = xrealloc(runs, cap * sizeof(*runs));
		}
		runs[n++] = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE)
		rc = err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	else
		rc = 0;
	sqlite3_finalize(st);
	if (rc < 0) {
		free(runs);
		return rc;
	}
	*out = runs;
	*out_n = n;
	return 0;
}

static int
build_runs(struct db *db, const int64_t *runs, size_t n, struct err *err)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		rc = db_summaries_build(db, runs[i], err);
	return rc;
}

int
db_summaries_update(struct db *db, int *built, struct err *err)
{
	int64_t *runs = NULL;
	size_t n = 0;
	int rc;

	if (built)
		*built = 0;
	if ((rc = stale_runs(db, &runs, &n, err)) < 0 || n == 0)
		goto out;
	if (sqlite3_db_readonly(db->h, "main") == 1) {
		rc = err_set(err, RC_DB,
			     "database '%s': run %lld has no current summary and the database is "
			     "read-only; open it once with write access (palscope db version)",
			     db->path, (long long)runs[0]);
		goto out;
	}
	if ((rc = db_begin(db, err)) < 0)
		goto out;
	/* Finished runs, and runs their crashed writer left 'running': their data is final. */
	rc = build_runs(db, runs, n, err);
	if (rc == 0)
		rc = db_commit(db, err);
	if (rc < 0)
		db_rollback(db);
	else if (built)
		*built = (int)n;
out:
	free(runs);
	return rc;
}

int
db_summaries_rebuild_tx(struct db *db, int *built, struct err *err)
{
	int64_t *runs = NULL;
	size_t n = 0;
	int rc;

	if (built)
		*built = 0;
	if ((rc = db_summaries_invalidate(db, err)) < 0 || (rc = stale_runs(db, &runs, &n, err)) < 0)
		return rc;
	/* Every run's summaries; every snapshot is then out of date (rebuilt when next read). */
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = build_file(db, runs[i], err)) == 0)
			rc = mark(db, "@queries/summary_mark.sql", runs[i], err);
	if (rc == 0)
		rc = db_exec_script(db, "queries/snapshot_invalidate_all.sql", NULL, 0, err);
	if (rc == 0 && built)
		*built = (int)n;
	free(runs);
	return rc;
}

int
db_summaries_invalidate(struct db *db, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "@queries/summary_invalidate.sql", &st, err)) < 0)
		return rc;
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}
