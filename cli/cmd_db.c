/*
 * palscope db: what the database holds. "db version" prints the schema
 * versions, "db runs" lists every run, newest first, "db prune" deletes old
 * runs in one transaction (sql/queries/prune_runs.sql).
 */
#include "cli/cli.h"
#include "db/db.h"

#include "common/util.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
print_help(void)
{
	printf("usage: palscope db version [--db FILE]\n"
	       "       palscope db runs [--db FILE]\n"
	       "       palscope db prune (--keep-periods N | --before YYYY-MM) [--vacuum] [--db FILE]\n\n"
	       "  version   the database's schema version and this binary's\n"
	       "  runs      every run: id, kind, period, status, start, end, identities ok/failed,\n"
	       "            partial period (collected before the period ended)\n"
	       "  prune     delete the runs of all but the N newest periods, or of periods before\n"
	       "            YYYY-MM, in one transaction; --vacuum then gives the space back\n\n"
	       "  --db FILE   database (default $PALSCOPE_DB, else palscope.db)\n");
}

/*
 * Delete old runs in one transaction (keep < 0: no --keep-periods), then VACUUM on request.
 * Returns 0 or an RC_* code with err set.
 */
static int
prune_runs(struct db *db, long keep, const char *before, bool vacuum, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, n;

	if ((rc = db_begin(db, err)) < 0)
		return rc;
	if ((rc = db_prepare(db, "@queries/prune_runs.sql", &st, err)) == 0) {
		if (keep >= 0)
			db_bind_int(st, ":keep", keep);
		else
			db_bind_text(st, ":keep", NULL);
		db_bind_text(st, ":before", before);
		rc = db_step_done(db, st, err);
	}
	n = sqlite3_changes(db->h);
	sqlite3_finalize(st);
	if (rc == 0)
		rc = db_commit(db, err);
	if (rc < 0) {
		db_rollback(db);
		return rc;
	}
	printf("deleted %d run%s\n", n, n == 1 ? "" : "s");
	if (vacuum && (rc = db_exec(db, "VACUUM", err)) < 0)
		return rc;
	return 0;
}

int
cmd_db(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "keep-periods", required_argument, NULL, 'k' },
					      { "before", required_argument, NULL, 'b' },
					      { "vacuum", no_argument, NULL, 'v' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *dbpath = NULL, *keep = NULL, *before = NULL;
	bool vacuum = false;
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
		case 'k':
			keep = optarg;
			break;
		case 'b':
			before = optarg;
			break;
		case 'v':
			vacuum = true;
			break;
		case 'h':
			print_help();
			return EXIT_OK;
		default:
			return usage_error("db", "bad option");
		}
	}
	if (optind >= argc)
		return usage_error("db", "missing action (version, runs or prune)");
	const char *action = argv[optind];
	bool prune = strcmp(action, "prune") == 0;
	if (strcmp(action, "version") != 0 && strcmp(action, "runs") != 0 && !prune)
		return usage_error("db", "unknown action '%s'", action);
	if (optind + 1 < argc)
		return usage_error("db", "unexpected argument '%s'", argv[optind + 1]);
	if (!prune && (keep || before || vacuum))
		return usage_error("db", "--keep-periods, --before and --vacuum go with prune");
	char *end = NULL;
	long nkeep = keep ? strtol(keep, &end, 10) : 0;
	char first[11], last[11];
	if (prune && (keep == NULL) == (before == NULL))
		return usage_error("db", "prune needs one of --keep-periods N or --before YYYY-MM");
	if (keep && (end == keep || *end != '\0' || nkeep < 1 || nkeep > 100000))
		return usage_error("db", "bad --keep-periods '%s' (want a number of periods, >= 1)",
				   keep);
	if (before && !period_parse(before, first, last))
		return usage_error("db", "bad --before '%s' (want YYYY-MM)", before);

	/* Read the file as it is: no migration, no view or summary rebuild. prune writes: it
	 * opens the file as every writer does (migrated to this binary's schema). */
	if ((prune ? cli_db_open(&db, dbpath, 0, &err)
		   : cli_db_connect(&db, dbpath, DB_READONLY, &err)) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (strcmp(action, "version") == 0) {
		int version = 0;
		if (db_user_version(&db, &version, &err) < 0) {
			rc = cli_fail(&err);
		} else {
			printf("schema %d (this palscope supports %d)\n", version,
			       db_schema_version());
		}
		goto out;
	}
	if (prune) {
		if (prune_runs(&db, keep ? nkeep : -1, before, vacuum, &err) < 0)
			rc = cli_fail(&err);
		goto out;
	}
	/* A file read as it is may predate the partial_period column (migration 0007). */
	bool flag = false;
	if (db_prepare(&db, "SELECT count(*) FROM pragma_table_info('run') "
			    "WHERE name = 'partial_period'", &st, &err) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		flag = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	st = NULL;
	if (db_prepare(&db, flag ? "@reports/db_runs.sql" : "@reports/db_runs_pre0007.sql", &st,
		       &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	printf("%-5s %-8s %-8s %-11s %-21s %-21s %-9s %s\n", "run", "kind", "period", "status",
	       "started", "ended", "ok/failed", "partial-period");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char counts[32];
		snprintf(counts, sizeof(counts), "%d/%d", sqlite3_column_int(st, 6),
			 sqlite3_column_int(st, 7));
		printf("%-5d %-8s %-8s %-11s %-21s %-21s %-9s %s\n", sqlite3_column_int(st, 0),
		       sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
		       sqlite3_column_text(st, 3), sqlite3_column_text(st, 4),
		       sqlite3_column_text(st, 5), counts, sqlite3_column_int(st, 8) ? "yes" : "no");
	}
out:
	sqlite3_finalize(st);
	db_close(&db);
	return rc;
}
