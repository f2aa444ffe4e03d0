/*
 * palscope report: write the customers, subscriptions or summary report of one period as CSV.
 * The rules live in sql/views/; each report is one embedded SELECT (sql/reports/) and one entry
 * of the report table (reports/report.c). Rows stream from SQLite to the file.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/log.h"
#include "common/util.h"
#include "db/as_of.h"
#include "db/db.h"
#include "reports/html.h"
#include "reports/period.h"
#include "reports/report.h"

#include <stdio.h>
#include <string.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope report <name> [--db FILE] [--period YYYY-MM | --run ID]\n"
	       "                       [-o FORMAT] [--out FILE|-] [--excel]\n"
	       "       palscope report trend [--db FILE] [--from YYYY-MM] [--to YYYY-MM]\n"
	       "                       [-o FORMAT] [--out FILE|-] [--excel]\n"
	       "       palscope report html [--db FILE] [--period YYYY-MM | --run ID] "
	       "[--out FILE|-]\n\nreports:\n");
	for (const struct report_spec *s = report_specs; s->name; s++)
		printf("  %-14s %s\n", s->name, s->summary);
	printf("  %-14s %s\n", "html",
	       "one self-contained HTML page: charts, actions, customers and their story");
	printf("\n");
	cli_opts_help(stdout, args);
	printf("\nThe rules are SQL views: sqlite3 palscope.db 'select * from subscription_status'\n"
	       "shows the same answers.\n");
	cli_help_footer(stdout);
}

int
cmd_report(int argc, char **argv)
{
	const char *dbpath = NULL, *period = NULL, *run = NULL, *from = NULL, *to = NULL;
	struct cli_output_args oa;
	const struct cli_arg args[] = {
		{ O_DB, &dbpath },	   { O_PERIOD, &period }, { O_RUN, &run },
		{ O_TREND_FROM, &from },   { O_TREND_TO, &to },
		{ CLI_INCLUDE, cli_output_args_init(&oa) },
		{ CLI_OPERAND, (char *)"report name (customers, subscriptions, summary, trend or html)" },
		{ CLI_END, NULL },
	};
	const struct report_spec *spec = NULL;
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	char dflt[16], run_period[16];
	int64_t run_id = 0;
	int pos, rc = EXIT_OK;

	if (!cli_parse("report", args, print_help, argc, argv, &pos, &rc))
		return rc;
	bool html = strcmp(argv[pos], "html") == 0;
	spec = report_find(argv[pos]);
	if (spec == NULL && !html)
		return usage_error("report", "unknown report '%s'", argv[pos]);
	if (html && (oa.excel || oa.format))
		return usage_error("report", "%s is for the other reports, not html",
				   oa.excel ? "--excel" : "--output");
	if (run)
		cli_parse_run_id(run, &run_id); /* checked by cli_parse */
	if (run && period)
		return usage_error("report", "--run and --period exclude each other (a run has its "
				   "period)");
	if (spec && strcmp(spec->name, "trend") == 0) {
		if (period || run)
			return usage_error("report", "trend takes --from/--to, not --period or --run");
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
	bool trend = spec && strcmp(spec->name, "trend") == 0;
	/* trend and the page's trend and changes read the status snapshots */
	if (cli_db_open(&db, dbpath, trend || html ? DB_SNAPSHOTS : 0, &err) < 0)
		goto fail;
	/*
	 * The window sorts of subscription_status and customer_status spill past the
	 * page cache; in a temp file that is about 1 s of system time on the report
	 * bench database (bench/README.md), in memory it is not, and peak RSS stays
	 * lower than the page cache the temp file kept warm.
	 */
	if (db_exec(&db, "PRAGMA temp_store = MEMORY;", &err) < 0)
		goto fail;
	if (trend) {
		/* every period from the status snapshots: no period of its own, no as-of */
		report_set_range(from, to);
		if (cli_write_report(&db, spec, NULL, &oa, "trend", &err) < 0)
			goto fail;
		return cli_close(&db, &err, false);
	}
	if (run) {
		if (db_as_of_run(&db, run_id, run_period, sizeof(run_period), &err) < 0)
			goto fail;
		period = run_period;
	}
	if (cli_report_period(&db, &period, dflt, sizeof(dflt), &err) < 0)
		goto fail;
	/* --run narrowed the views to its period already */
	if (!run && db_as_of_period(&db, period, &err) < 0)
		goto fail;
	report_runs_warnings(&db, period, NULL, NULL);
	char what[64];
	snprintf(what, sizeof(what), "period %s%s%s", period, run ? ", as of run " : "",
		 run ? run : "");
	if (html) {
		size_t n = 0;
		if (html_report_write_path(&db, period, run_id, oa.out, &n, &err) < 0)
			goto fail;
		if (oa.out && strcmp(oa.out, "-") != 0)
			log_info("wrote the HTML report of %zu customers to '%s' (%s)", n, oa.out,
				 what);
		return cli_close(&db, &err, false);
	}
	if (cli_write_report(&db, spec, period, &oa, what, &err) < 0)
		goto fail;
	return cli_close(&db, &err, false);
fail:
	return cli_close(&db, &err, true);
}
