/*
 * db/summary: the per-run summaries the report views read are built when missing, rebuilt when
 * the rules change or the run is still running, and never silently stale (tests/fixtures/report/
 * rules.sql inserts its runs as plain rows, as an older palscope or a crash would leave them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "tempdb.h"
#include "testutil.h"
#include "db/db.h"
#include "db/summary.h"

#define SUB01 "5ub00000-0000-4000-8000-000000000001"

static char path[256];

static void
exec_ok(struct db *db, const char *sql)
{
	struct err err = ERR_INIT;

	if (db_exec(db, sql, &err) < 0)
		fail_msg("%s", err.msg);
}

/* A database holding the fixture's runs, without summaries. */
static int
setup(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	char *sql;
	(void)state;

	tempdb_path(path, sizeof(path), "summary");
	tempdb_remove(path);
	if (db_open(&db, path, DB_CREATE, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	sql = test_slurp(TEST_FIXTURES "/report/rules.sql", NULL);
	if (sql == NULL || db_exec(&db, sql, &err) < 0) {
		fprintf(stderr, "fixture: %s\n", err.msg);
		free(sql);
		db_close(&db);
		return -1;
	}
	free(sql);
	db_close(&db);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tempdb_remove(path);
	return 0;
}

#define SUB01_STATUS \
	"SELECT status || ' ' || CASE WHEN attributed IS NULL THEN '-' " \
	"ELSE printf('%.2f', attributed) END FROM subscription_status " \
	"WHERE period = '2026-10' AND subscription_id = '" SUB01 "'"

static void
test_summary__open_builds_missing(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	int built = -1;
	(void)state;

	/* Read-only, a database whose runs lack summaries is refused, not reported wrongly. */
	assert_int_equal(db_open(&db, path, DB_READONLY, &err), RC_DB);
	assert_non_null(strstr(err.msg, "read-only"));
	assert_non_null(strstr(err.msg, "no current summary"));

	assert_int_equal(db_open(&db, path, 0, &err), 0);
	assert_string_equal(test_one(&db, "SELECT count(*) = (SELECT count(*) FROM run) "
				     "FROM run_summary"), "1");
	assert_string_equal(test_one(&db, "SELECT count(*) > 0 FROM pair_summary"), "1");
	assert_string_equal(test_one(&db, SUB01_STATUS), "ATTRIBUTED 310.00");
	/* Nothing left to build. */
	assert_int_equal(db_summaries_update(&db, &built, &err), 0);
	assert_int_equal(built, 0);
	db_close(&db);

	assert_int_equal(db_open(&db, path, DB_READONLY, &err), 0);
	assert_string_equal(test_one(&db, SUB01_STATUS), "ATTRIBUTED 310.00");
	db_close(&db);
}

static void
test_summary__rules_change_rebuilds(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	(void)state;

	assert_int_equal(db_open(&db, path, 0, &err), 0);
	/* Summaries as another version of the rules would have left them ... */
	exec_ok(&db, "UPDATE pair_summary SET n_access = 0, n_eligible = 0");
	exec_ok(&db, "UPDATE cost_total_summary SET cost = 0");
	assert_string_equal(test_one(&db, SUB01_STATUS), "MISSING -");
	/* ... and views from that version. */
	exec_ok(&db, "UPDATE palscope_meta SET value = 'older views' WHERE key = 'views'");
	db_close(&db);

	assert_int_equal(db_open(&db, path, 0, &err), 0);
	assert_string_equal(test_one(&db, SUB01_STATUS), "ATTRIBUTED 310.00");
	db_close(&db);
}

static void
test_summary__running_run(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	char host[256], sql[512];
	int built = -1;
	pid_t dead;
	(void)state;

	assert_int_equal(db_open(&db, path, 0, &err), 0);
	/* A run still being collected by a live process (this one) on this host ... */
	host_name(host, sizeof(host));
	snprintf(sql, sizeof(sql),
		 "UPDATE run SET status = 'running', ended_at = NULL, pid = %d, host = '%s' "
		 "WHERE run_id = 2; DELETE FROM run_summary WHERE run_id = 2",
		 (int)getpid(), host);
	exec_ok(&db, sql);
	exec_ok(&db, "INSERT INTO cost_daily (run_id, identity_id, subscription_id, usage_date, "
		     "resource_group, cost, currency) SELECT 2, identity_id, subscription_id, "
		     "'2026-10-31', 'late-rg', 90, currency FROM cost_total_summary "
		     "WHERE subscription_id = '" SUB01 "' AND identity_id IN "
		     "(SELECT identity_id FROM identity WHERE run_id = 2)");
	/* ... is left to its collector: not built, not in effect. */
	assert_int_equal(db_summaries_update(&db, &built, &err), 0);
	assert_int_equal(built, 0);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM effective_identity WHERE run_id = 2"), "0");
	assert_string_equal(test_one(&db, SUB01_STATUS), "");

	/* Its process gone (a crash, SIGKILL), the next reader summarizes it and it is in effect. */
	dead = fork();
	assert_true(dead >= 0);
	if (dead == 0)
		_exit(0);
	assert_int_equal(waitpid(dead, NULL, 0), dead);
	snprintf(sql, sizeof(sql), "UPDATE run SET pid = %d WHERE run_id = 2", (int)dead);
	exec_ok(&db, sql);
	assert_int_equal(db_summaries_update(&db, &built, &err), 0);
	assert_int_equal(built, 1);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM run_summary WHERE run_id = 2"), "1");
	assert_string_equal(test_one(&db, SUB01_STATUS), "ATTRIBUTED 400.00");

	/* A 'running' run from another host cannot be asked: left alone. */
	exec_ok(&db, "UPDATE run SET host = 'elsewhere.invalid' WHERE run_id = 2; "
		     "DELETE FROM run_summary WHERE run_id = 2");
	assert_int_equal(db_summaries_update(&db, &built, &err), 0);
	assert_int_equal(built, 0);
	/* Without a pid (written before migration 0006) it is taken as finished. */
	exec_ok(&db, "UPDATE run SET pid = NULL WHERE run_id = 2");
	assert_int_equal(db_summaries_update(&db, &built, &err), 0);
	assert_int_equal(built, 1);
	db_close(&db);
}

static void
test_summary__deleting_a_run_deletes_its_summaries(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	(void)state;

	assert_int_equal(db_open(&db, path, 0, &err), 0);
	assert_string_equal(test_one(&db, "SELECT count(*) > 0 FROM pair_summary p JOIN identity i "
				     "ON i.identity_id = p.identity_id WHERE i.run_id = 2"), "1");
	exec_ok(&db, "DELETE FROM run WHERE run_id = 2");
	assert_string_equal(test_one(&db, "SELECT count(*) FROM run_summary WHERE run_id = 2"), "0");
	assert_string_equal(test_one(&db, "SELECT count(*) FROM pair_summary WHERE identity_id NOT IN "
				     "(SELECT identity_id FROM identity)"), "0");
	assert_string_equal(test_one(&db, "SELECT count(*) FROM cost_summary WHERE identity_id NOT IN "
				     "(SELECT identity_id FROM identity)"), "0");
	db_close(&db);
}

/*
 * The status snapshots are not built with the summaries: db_open(DB_SNAPSHOTS) builds those
 * missing, once; read-only, missing ones are an error. (t685 drives the same through the CLI.)
 */
static void
test_summary__snapshots_lazy(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	int built = -1;
	(void)state;

	assert_int_equal(db_open(&db, path, 0, &err), 0);
	assert_string_equal(test_one(&db, "SELECT count(*) > 0 FROM run_summary"), "1");
	assert_string_equal(test_one(&db, "SELECT count(*) FROM snapshot_built"), "0");
	db_close(&db);

	assert_int_equal(db_open(&db, path, DB_READONLY | DB_SNAPSHOTS, &err), RC_DB);
	assert_non_null(strstr(err.msg, "read-only"));
	assert_non_null(strstr(err.msg, "no current status snapshot"));
	err = (struct err)ERR_INIT;

	assert_int_equal(db_open(&db, path, DB_SNAPSHOTS, &err), 0);
	assert_string_equal(test_one(&db, "SELECT count(*) = (SELECT count(*) FROM run_summary) "
				     "FROM snapshot_built"), "1");
	assert_string_equal(test_one(&db, "SELECT count(*) > 0 FROM subscription_snapshot"), "1");
	assert_int_equal(db_snapshots_update(&db, &built, &err), 0);
	assert_int_equal(built, 0);
	/* run 2's summaries rebuilt: its snapshot and the later ones of its period are stale */
	exec_ok(&db, "DELETE FROM run_summary WHERE run_id = 2");
	assert_int_equal(db_summaries_update(&db, &built, &err), 0);
	assert_int_equal(built, 1);
	assert_string_equal(test_one(&db, "SELECT group_concat(run_id) FROM (SELECT r.run_id FROM "
				     "run r WHERE NOT EXISTS (SELECT 1 FROM snapshot_built b WHERE "
				     "b.run_id = r.run_id) ORDER BY 1)"),
			    test_one(&db, "SELECT group_concat(run_id) FROM (SELECT run_id FROM run "
				     "WHERE period = (SELECT period FROM run WHERE run_id = 2) AND "
				     "run_id >= 2 ORDER BY 1)"));
	assert_int_equal(db_snapshots_update(&db, &built, &err), 0);
	assert_true(built >= 1);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM run r WHERE NOT EXISTS (SELECT 1 FROM "
				     "snapshot_built b WHERE b.run_id = r.run_id)"), "0");
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_summary__open_builds_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary__rules_change_rebuilds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary__running_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary__snapshots_lazy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary__deleting_a_run_deletes_its_summaries,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
