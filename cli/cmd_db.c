/*
 * palscope db: what the database holds. "db version" prints the schema
 * versions, "db runs" lists every run, newest first, "db prune" deletes old
 * runs in one transaction (sql/queries/prune_runs.sql).
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "db/db.h"

#include "common/util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope db version [--db FILE]\n"
	       "       palscope db runs [--db FILE]\n"
	       "       palscope db prune (--keep-periods N | --before YYYY-MM) [--vacuum] [--db FILE]\n\n"
	       "  version   the database's schema version and this binary's\n"
	       "  runs      every run: id, kind, period, status, start, end, identities ok/failed,\n"
	       "            partial period (collected before the period ended)\n"
	       "  prune     delete the runs of all but the N newest periods, or of periods before\n"
	       "            YYYY-MM, in one transaction; --vacuum then gives the space back\n\n");
	cli_opts_help(stdout, args);
	cli_help_footer(stdout);
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
	const char *dbpath = NULL, *before = NULL;
	long keep = 0;
	bool vacuum = false;
	const struct cli_arg args[] = {
		{ O_DB, &dbpath }, { O_KEEP_PERIODS, &keep }, { O_BEFORE, &before },
		{ O_VACUUM, &vacuum }, { CLI_OPERAND, (char *)"action (version, runs or prune)" },
		{ CLI_END, NULL },
	};
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	int pos, rc = EXIT_OK;

	if (!cli_parse("db", args, print_help, argc, argv, &pos, &rc))
		return rc;
	const char *action = argv[pos];
	bool prune = strcmp(action, "prune") == 0;
	if (strcmp(action, "version") != 0 && strcmp(action, "runs") != 0 && !prune)
		return usage_error("db", "unknown action '%s'", action);
	if (!prune && (keep || before || vacuum))
		return usage_error("db", "--keep-periods, --before and --vacuum go with prune");
	if (prune && (keep == 0) == (before == NULL))
		return usage_error("db", "prune needs one of --keep-periods N or --before YYYY-MM");

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
		if (prune_runs(&db, keep ? keep : -1, before, vacuum, &err) < 0)
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
