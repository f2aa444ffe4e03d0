/*
 * palscope db: what the database holds. "db version" prints the schema
 * versions, "db runs" lists every run, newest first.
 */
#include "cli/cli.h"
#include "db/db.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
print_help(void)
{
	printf("usage: palscope db version [--db FILE]\n"
	       "       palscope db runs [--db FILE]\n\n"
	       "  version   the database's schema version and this binary's\n"
	       "  runs      every run: id, kind, period, status, start, end, counts\n\n"
	       "  --db FILE   database (default $PALSCOPE_DB, else palscope.db)\n");
}

int
cmd_db(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *dbpath = NULL;
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	int c, rc = EXIT_OK;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbpath = optarg;
			break;
		case 'h':
			print_help();
			return EXIT_OK;
		default:
			return usage_error("db", "bad option");
		}
	}
	if (optind >= argc)
		return usage_error("db", "missing action (version or runs)");
	const char *action = argv[optind];
	if (strcmp(action, "version") != 0 && strcmp(action, "runs") != 0)
		return usage_error("db", "unknown action '%s'", action);

	if (access(default_db_path(dbpath), F_OK) != 0) {
		fprintf(stderr, "palscope: error: database '%s' does not exist\n",
			default_db_path(dbpath));
		return EXIT_FAILED;
	}
	/* Read the file as it is: no migration, no view or summary rebuild. */
	if (db_connect(&db, default_db_path(dbpath), DB_READONLY, &err) < 0) {
		fprintf(stderr, "palscope: error: %s\n", err.msg);
		return EXIT_FAILED;
	}
	if (strcmp(action, "version") == 0) {
		int version = 0;
		if (db_user_version(&db, &version, &err) < 0) {
			fprintf(stderr, "palscope: error: %s\n", err.msg);
			rc = EXIT_FAILED;
		} else {
			printf("schema %d (this palscope supports %d)\n", version,
			       db_schema_version());
		}
		goto out;
	}
	if (db_prepare(&db,
		       "SELECT run_id, kind, period, status, started_at, coalesce(ended_at, '-'), "
		       "identities_ok, identities_failed, subscriptions, role_assignments, cost_rows "
		       "FROM run ORDER BY run_id DESC",
		       &st, &err) < 0) {
		fprintf(stderr, "palscope: error: %s\n", err.msg);
		rc = EXIT_FAILED;
		goto out;
	}
	printf("%-5s %-8s %-8s %-11s %-21s %-21s %s\n", "run", "kind", "period", "status", "started",
	       "ended", "ok/failed subs roles cost-rows");
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("%-5d %-8s %-8s %-11s %-21s %-21s %d/%d %d %d %d\n", sqlite3_column_int(st, 0),
		       sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
		       sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
		       sqlite3_column_text(st, 5), sqlite3_column_int(st, 6),
		       sqlite3_column_int(st, 7), sqlite3_column_int(st, 8),
		       sqlite3_column_int(st, 9), sqlite3_column_int(st, 10));
out:
	sqlite3_finalize(st);
	db_close(&db);
	return rc;
}
