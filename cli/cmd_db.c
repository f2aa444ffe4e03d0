/*
 * palscope db: what the database holds. "db version" prints the schema
 * versions, "db runs" lists every run, newest first, "db prune" deletes old
 * runs in one transaction (sql/queries/prune_runs.sql).
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "db/db.h"
#include "reports/output.h"

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
	       "       palscope db runs [--db FILE] [-o FORMAT]\n"
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
	struct cli_output_args oa;
	const struct cli_arg args[] = {
		{ O_DB, &dbpath }, { O_KEEP_PERIODS, &keep }, { O_BEFORE, &before },
		{ O_VACUUM, &vacuum }, { CLI_INCLUDE, cli_output_only_args_init(&oa) },
		{ CLI_OPERAND, (char *)"action (version, runs or prune)" },
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
	if (oa.format && strcmp(action, "runs") != 0)
		return usage_error("db", "--output goes with db runs");
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
	/* the table as it always read; the other formats with the query's own names */
	static const struct out_field table[] = {
		{ "run", OUT_T_INT },	    { "kind", OUT_T_TEXT },	 { "period", OUT_T_TEXT },
		{ "status", OUT_T_TEXT },   { "started", OUT_T_TEXT },	 { "ended", OUT_T_TEXT },
		{ "ok/failed", OUT_T_TEXT }, { "partial-period", OUT_T_TEXT },
	};
	static const struct out_field fields[] = {
		{ "run_id", OUT_T_INT },	    { "kind", OUT_T_TEXT },
		{ "period", OUT_T_TEXT },	    { "status", OUT_T_TEXT },
		{ "started_at", OUT_T_TEXT },	    { "ended_at", OUT_T_TEXT },
		{ "identities_ok", OUT_T_INT },	    { "identities_failed", OUT_T_INT },
		{ "partial_period", OUT_T_INT },
	};
	enum out_format fmt = cli_output_format(&oa, OUT_TABLE);
	struct out o;
	if (fmt == OUT_TABLE)
		out_begin(&o, stdout, fmt, 0, table, sizeof(table) / sizeof(table[0]));
	else
		out_begin(&o, stdout, fmt, 0, fields, sizeof(fields) / sizeof(fields[0]));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *ended = (const char *)sqlite3_column_text(st, 5);
		out_int(&o, sqlite3_column_int64(st, 0));
		for (int i = 1; i <= 4; i++)
			out_str(&o, (const char *)sqlite3_column_text(st, i));
		if (fmt == OUT_TABLE) {
			char counts[32];
			snprintf(counts, sizeof(counts), "%d/%d", sqlite3_column_int(st, 6),
				 sqlite3_column_int(st, 7));
			out_str(&o, ended);
			out_str(&o, counts);
			out_str(&o, sqlite3_column_int(st, 8) ? "yes" : "no");
		} else {
			out_str(&o, ended && strcmp(ended, "-") != 0 ? ended : NULL);
			out_int(&o, sqlite3_column_int64(st, 6));
			out_int(&o, sqlite3_column_int64(st, 7));
			out_int(&o, sqlite3_column_int(st, 8) ? 1 : 0);
		}
		out_end_row(&o);
	}
	if (out_end(&o) < 0)
		rc = cli_stdout_error(o.errnum);
out:
	sqlite3_finalize(st);
	db_close(&db);
	return rc;
}
