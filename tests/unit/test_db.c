/* db/: migrations, refusal of newer or foreign databases, views, file mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tempdb.h"
#include "db/db.h"
#include "reports/report.h"
#include "import/pc.h"
#include "db/sql_embed.h"

static char path[256];

static int
setup(void **state)
{
	(void)state;
	tempdb_path(path, sizeof(path), "db");
	tempdb_remove(path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tempdb_remove(path);
	return 0;
}

static void
test_db__migrates_new_file_0600(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct stat st;
	sqlite3_stmt *s = NULL;
	(void)state;

	assert_int_equal(db_open(&db, path, DB_CREATE, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(db_prepare(&db, "PRAGMA user_version", &s, &err), 0);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), db_schema_version());
	sqlite3_finalize(s);
	assert_int_equal(db_prepare(&db, "SELECT count(*) FROM role_eligibility", &s, &err), 0);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_true(sqlite3_column_int(s, 0) >= 120);
	sqlite3_finalize(s);
	assert_int_equal(db_prepare(&db, "PRAGMA integrity_check", &s, &err), 0);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	db_close(&db);

	/* Reopening is a no-op. */
	assert_int_equal(db_open(&db, path, DB_CREATE, &err), 0);
	db_close(&db);
}

static void
test_db__refuses_newer(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	char sql[128];
	(void)state;

	assert_int_equal(db_open(&db, path, DB_CREATE, &err), 0);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", db_schema_version() + 1);
	assert_int_equal(db_exec(&db, sql, &err), 0);
	db_close(&db);
	assert_int_equal(db_open(&db, path, DB_CREATE, &err), RC_DB);
	assert_non_null(strstr(err.msg, "newer than this palscope"));
}

static void
test_db__refuses_foreign(void **state)
{
	sqlite3 *h = NULL;
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	(void)state;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(db_open(&db, path, DB_CREATE, &err), RC_DB);
	assert_non_null(strstr(err.msg, "not a palscope database"));
}

/* A --db that does not exist is the user's input (RC_INPUT, exit 2), and it is not created. */
static void
test_db__missing_file_is_input_error(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	(void)state;

	assert_int_equal(db_open(&db, path, 0, &err), RC_INPUT);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_int_equal(access(path, F_OK), -1);
	db_close(&db);
	assert_int_equal(db_connect(&db, path, DB_READONLY, &err), RC_INPUT);
	db_close(&db);
}

/* A damaged file: RC_DB, and the message says what it means and names the file. */
static void
test_db__corrupt_file_explained(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	FILE *fp;
	(void)state;

	fp = fopen(path, "w");
	assert_non_null(fp);
	for (int i = 0; i < 4096; i++)
		fputc((i * 37 + 11) % 256, fp);
	fclose(fp);
	assert_int_equal(db_open(&db, path, 0, &err), RC_DB);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "damaged or is not a database"));
	db_close(&db);
}

static void
test_db__every_embedded_query_prepares(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	/* temp.why_customer, which why_pairs.sql and why_customer_rows.sql read */
	const struct db_param why_p[] = { { ":period", "2026-10", 0 }, { ":q", "", 0 },
					  { ":all", NULL, 1 }, { ":by_tenant", NULL, 0 } };
	int n = 0;
	(void)state;

	assert_int_equal(db_open(&db, path, DB_CREATE, &err), 0);
	assert_int_equal(pc_temp_tables(&db, NULL, &err), 0); /* what reconcile_*.sql read */
	assert_int_equal(report_why_prepare(&db, "2026-10", &err), 0); /* what why_*.sql read */
	assert_int_equal(db_exec_script(&db, "scripts/why_customers.sql", why_p, 4, &err), 0);
	for (const struct sql_file *f = sql_files; f->name; f++) {
		if (strncmp(f->name, "queries/", 8) != 0 && strncmp(f->name, "reports/", 8) != 0)
			continue;
		char name[256];
		sqlite3_stmt *s = NULL;
		snprintf(name, sizeof(name), "@%s", f->name);
		if (db_prepare(&db, name, &s, &err) != 0)
			fail_msg("%s", err.msg);
		sqlite3_finalize(s);
		n++;
	}
	/*
	 * sql/scripts/ files hold several statements: each must prepare and run, in order (a later
	 * statement may read a TEMP table an earlier one made), here with NULL parameters on the
	 * empty database, rolled back.
	 */
	assert_int_equal(db_exec(&db, "BEGIN", &err), 0);
	for (const struct sql_file *f = sql_files; f->name; f++) {
		const char *sql = f->text, *tail = NULL;
		if (strncmp(f->name, "scripts/", 8) != 0)
			continue;
		while (*sql) {
			sqlite3_stmt *s = NULL;
			if (sqlite3_prepare_v2(db.h, sql, -1, &s, &tail) != SQLITE_OK)
				fail_msg("%s: %s", f->name, sqlite3_errmsg(db.h));
			if (s != NULL) {
				int rc;
				while ((rc = sqlite3_step(s)) == SQLITE_ROW)
					;
				if (rc != SQLITE_DONE)
					fail_msg("%s: %s", f->name, sqlite3_errmsg(db.h));
			}
			sqlite3_finalize(s);
			sql = tail;
			n++;
		}
	}
	db_rollback(&db);
	assert_true(n > 0);
	db_close(&db);
}

/*
 * A misspelt :name is palscope's bug: it must stop the process loudly in every
 * build (the tests run the Release build, where an assert is compiled out), not
 * bind nothing. fn runs in a child, which must die of SIGABRT with expect on stderr.
 */
static void
assert_child_aborts(void (*fn)(struct db *db), const char *expect)
{
	int fds[2], status = 0;
	char msg[512] = "";
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct db db = DB_INIT;
		struct err err = ERR_INIT;

		dup2(fds[1], 2);
		if (db_open(&db, path, DB_CREATE, &err) != 0)
			_exit(3);
		fn(&db);
		_exit(0); /* not reached */
	}
	close(fds[1]);
	for (size_t got = 0; (n = read(fds[0], msg + got, sizeof(msg) - 1 - got)) > 0;)
		msg[got += (size_t)n] = 0;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	if (strstr(msg, expect) == NULL)
		fail_msg("stderr '%s' does not say '%s'", msg, expect);
}

static void
bind_misspelt(struct db *db)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;

	if (db_prepare(db, "SELECT :tenant_id", &st, &err) != 0)
		_exit(3);
	db_bind_text(st, ":tenant", "x"); /* misspelt */
}

static void
test_db__unknown_parameter_aborts(void **state)
{
	(void)state;
	assert_child_aborts(bind_misspelt, ":tenant is not in the statement");
}

/* A script's parameter that none of its statements takes (db_exec_script): the same bug. */
static void
script_misspelt(struct db *db)
{
	struct err err = ERR_INIT;
	const struct db_param p = { ":todya", "2026-11-01", 0 };

	db_exec_script(db, "scripts/reconcile_temp.sql", &p, 1, &err);
}

static void
script_right(struct db *db)
{
	struct err err = ERR_INIT;
	const struct db_param p = { ":today", "2026-11-01", 0 };

	if (db_exec_script(db, "scripts/reconcile_temp.sql", &p, 1, &err) == 0)
		abort(); /* what the test waits for: the right name runs to the end */
	_exit(4);
}

static void
test_db__script_unknown_parameter_aborts(void **state)
{
	(void)state;
	assert_child_aborts(script_misspelt,
			    ":todya is in no statement of scripts/reconcile_temp.sql");
	assert_child_aborts(script_right, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_db__migrates_new_file_0600, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db__refuses_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db__refuses_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db__missing_file_is_input_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db__corrupt_file_explained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db__every_embedded_query_prepares, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_db__unknown_parameter_aborts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db__script_unknown_parameter_aborts, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
