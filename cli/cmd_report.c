/*
 * palscope report: write the customers, subscriptions or summary report of one period as CSV.
 * The rules live in sql/views/; each report is one embedded SELECT (sql/reports/) and one entry
 * of the report table (reports/report.c). Rows stream from SQLite to the file.
 */
#include "cli/cli.h"
#include "common/log.h"
#include "common/util.h"
#include "db/as_of.h"
#include "db/db.h"
#include "reports/period.h"
#include "reports/report.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void
print_help(void)
{
	printf("usage: palscope report <name> [--db FILE] [--period YYYY-MM | --run ID] "
	       "[--out FILE|-] [--excel]\n"
	       "       palscope report trend [--db FILE] [--from YYYY-MM] [--to YYYY-MM] "
	       "[--out FILE|-] [--excel]\n\nreports:\n");
	for (const struct report_spec *s = report_specs; s->name; s++)
		printf("  %-14s %s\n", s->name, s->summary);
	printf("\n  --db FILE         database (default $PALSCOPE_DB, else palscope.db)\n"
	       "  --period YYYY-MM  the month to report (default: the newest run's period)\n"
	       "  --run ID          the run's period as of run ID: only the runs of the period up\n"
	       "                    to and including ID (palscope db runs lists them)\n"
	       "  --from YYYY-MM    trend: the first month (default: the first with a run)\n"
	       "  --to YYYY-MM      trend: the last month (default: the last with a run)\n"
	       "  --out FILE|-      write to FILE (atomically) or '-' for stdout (default)\n"
	       "  --excel           UTF-8 byte order mark and CRLF line ends, for Excel\n\n"
	       "The rules are SQL views: sqlite3 palscope.db 'select * from subscription_status'\n"
	       "shows the same answers.\n");
}

/* Warn about runs of the period that did not complete: their gaps show as UNKNOWN. */
static void
warn_runs(struct db *db, const char *period)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;

	if (db_prepare(db, "@reports/runs.sql", &st, &err) < 0)
		return;
	db_bind_text(st, ":period", period);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 2);
		if (strcmp(status, "complete") == 0)
			continue;
		log_warn("run %d (%s) is %s: what it could not read is reported as UNKNOWN",
			 sqlite3_column_int(st, 0), period,
			 strcmp(status, "running") == 0 ? "incomplete (it never finished)" : status);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (db_prepare(db, "@reports/runs_in_progress.sql", &st, &err) < 0)
		return;
	db_bind_text(st, ":period", period);
	while (sqlite3_step(st) == SQLITE_ROW)
		log_warn("run %d (%s) is still being collected (pid %d on %s, since %s): the report "
			 "uses the period's earlier runs until it ends",
			 sqlite3_column_int(st, 0), period, sqlite3_column_int(st, 2),
			 (const char *)sqlite3_column_text(st, 3),
			 (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
}

int
cmd_report(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "period", required_argument, NULL, 'p' },
					      { "run", required_argument, NULL, 'r' },
					      { "out", required_argument, NULL, 'o' },
					      { "excel", no_argument, NULL, 'x' },
					      { "from", required_argument, NULL, 'f' },
					      { "to", required_argument, NULL, 't' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *dbpath = NULL, *period = NULL, *out = NULL, *run = NULL;
	const char *from = NULL, *to = NULL;
	const struct report_spec *spec = NULL;
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	char first[11], last[11], dflt[16], run_period[16];
	int64_t run_id = 0;
	unsigned flags = 0;
	size_t rows = 0;
	int c, rc = EXIT_OK;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbpath = optarg;
			break;
		case 'p':
			period = optarg;
			break;
		case 'r':
			run = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'x':
			flags |= REPORT_EXCEL;
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'h':
			print_help();
			return EXIT_OK;
		default:
			return usage_error("report", "bad option");
		}
	}
	if (optind >= argc)
		return usage_error("report", "missing report name (customers, subscriptions or summary)");
	if (optind + 1 < argc)
		return usage_error("report", "unexpected argument '%s'", argv[optind + 1]);
	spec = report_find(argv[optind]);
	if (spec == NULL)
		return usage_error("report", "unknown report '%s'", argv[optind]);
	if (period && !period_parse(period, first, last))
		return usage_error("report", "bad period '%s' (want YYYY-MM)", period);
	if (run && !cli_parse_run_id(run, &run_id))
		return usage_error("report", "bad --run '%s' (want a run id, see palscope db runs)", run);
	if (run && period)
		return usage_error("report", "--run and --period exclude each other (a run has its "
				   "period)");
	if (strcmp(spec->name, "trend") == 0) {
		if (period || run)
			return usage_error("report", "trend takes --from/--to, not --period or --run");
		if (from && !period_parse(from, first, last))
			return usage_error("report", "bad --from '%s' (want YYYY-MM)", from);
		if (to && !period_parse(to, first, last))
			return usage_error("report", "bad --to '%s' (want YYYY-MM)", to);
		if (from && to && strcmp(from, to) > 0)
			return usage_error("report", "--from %s is after --to %s", from, to);
	} else if (from || to) {
		return usage_error("report", "--from/--to are for report trend");
	}

	/*
	 * Reports stream rows, but SQLite's page caches, sorters and materialised
	 * views grow with the database: ask it to stay near 48 MB (a soft limit:
	 * it frees cache pages first, it never fails a query).
	 */
	sqlite3_soft_heap_limit64(48LL << 20);
	if (cli_db_open(&db, dbpath, 0, &err) < 0)
		goto fail;
	if (strcmp(spec->name, "trend") == 0) {
		/* every period from the status snapshots: no period of its own, no as-of */
		report_set_range(from, to);
		if (report_write_path(&db, spec, NULL, out, flags, &rows, &err) < 0)
			goto fail;
		if (out && strcmp(out, "-") != 0)
			log_info("wrote %zu rows to '%s'", rows, out);
		goto done;
	}
	if (run) {
		if (db_as_of_run(&db, run_id, run_period, sizeof(run_period), &err) < 0)
			goto fail;
		period = run_period;
	}
	if (period == NULL) {
		if (report_default_period(&db, dflt, sizeof(dflt), &err) < 0)
			goto fail;
		period = dflt;
	}
	if (report_period_check(&db, period, &err) < 0)
		goto fail;
	warn_runs(&db, period);
	report_period_warn_partial(&db, period);
	if (report_write_path(&db, spec, period, out, flags, &rows, &err) < 0)
		goto fail;
	if (out && strcmp(out, "-") != 0)
		log_info("wrote %zu rows to '%s' (period %s%s%s)", rows, out, period,
			 run ? ", as of run " : "", run ? run : "");
	goto done;
fail:
	rc = cli_fail(&err);
done:
	db_close(&db);
	return rc;
}
