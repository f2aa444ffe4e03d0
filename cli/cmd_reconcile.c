/*
 * palscope reconcile: set palscope's prediction for a period against what a Partner Center
 * download reports, one CSV row per subscription (or per customer when the download has no
 * subscription ids) with match BOTH / PREDICTED_ONLY / REPORTED_ONLY / NEITHER and the likely
 * causes. The comparison is SQL (sql/reports/reconcile_*.sql) over the rule views and a
 * temporary table of the download's PAL rows; the CSV goes through the reports' writer
 * (header row, formula-injection guard, --excel).
 */
#include "cli/cli.h"
#include "common/log.h"
#include "common/util.h"
#include "db/db.h"
#include "import/pc.h"
#include "reports/period.h"
#include "reports/report.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const struct report_column reconcile_cols[] = {
	{ "match", REPORT_COL_TEXT },
	{ "tenant_id", REPORT_COL_TEXT },
	{ "customer_name", REPORT_COL_TEXT },
	{ "subscription_id", REPORT_COL_TEXT },
	{ "subscription_name", REPORT_COL_TEXT },
	{ "palscope_status", REPORT_COL_TEXT },
	{ "reason_code", REPORT_COL_TEXT },
	{ "palscope_partner_id", REPORT_COL_TEXT },
	{ "reported_partner_ids", REPORT_COL_TEXT },
	{ "reported_acr", REPORT_COL_MONEY },
	{ "likely_causes", REPORT_COL_TEXT },
	{ "explanation", REPORT_COL_TEXT },
};

static const struct report_spec by_subscription = {
	"reconcile", "@reports/reconcile_subscriptions.sql", "reconcile by subscription",
	reconcile_cols, sizeof(reconcile_cols) / sizeof(reconcile_cols[0]),
};

static const struct report_spec by_customer = {
	"reconcile", "@reports/reconcile_customers.sql", "reconcile by customer",
	reconcile_cols, sizeof(reconcile_cols) / sizeof(reconcile_cols[0]),
};

static void
print_help(void)
{
	printf("usage: palscope reconcile --partner-center FILE.csv [--db FILE] [--period YYYY-MM]\n"
	       "                          [--out FILE|-] [--excel]\n\n"
	       "Compare palscope's prediction with a Partner Center download (columns such as\n"
	       "CustomerTenantId, CustomerName, SubscriptionGuid, PartnerAttributionType, Month,\n"
	       "MPN ID; header names in any case; only PAL / Partner Admin Link rows count).\n"
	       "One row per subscription (per customer when the download has no subscription\n"
	       "ids) with match BOTH, PREDICTED_ONLY, REPORTED_ONLY or NEITHER and the likely\n"
	       "causes.\n\n"
	       "  --partner-center FILE  the Partner Center CSV\n"
	       "  --db FILE              database (default $PALSCOPE_DB, else palscope.db)\n"
	       "  --period YYYY-MM       the month (default: the newest run's period)\n"
	       "  --out FILE|-           write to FILE (atomically) or '-' for stdout (default)\n"
	       "  --excel                UTF-8 byte order mark and CRLF line ends\n\n"
	       "Columns: match,tenant_id,customer_name,subscription_id,subscription_name,\n"
	       "palscope_status,reason_code,palscope_partner_id,reported_partner_ids,\n"
	       "reported_acr,likely_causes,explanation\n");
}

/* The policy switches the disagreements point at (sql/reports/reconcile_suggest.sql), on stderr. */
static int
print_suggestions(struct db *db, const char *period, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "@reports/reconcile_suggest.sql", &st, err)) < 0)
		return rc;
	db_bind_text(st, ":period", period);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(stderr, "palscope: suggestion: %s\n", (const char *)sqlite3_column_text(st, 0));
	rc = rc == SQLITE_DONE ? 0
			       : err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int
cmd_reconcile(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "partner-center", required_argument, NULL, 'c' },
					      { "period", required_argument, NULL, 'p' },
					      { "out", required_argument, NULL, 'o' },
					      { "excel", no_argument, NULL, 'x' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *dbpath = NULL, *pcfile = NULL, *period = NULL, *out = NULL;
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct pc_info info;
	char first[11], last[11], dflt[16], today[32];
	unsigned flags = 0;
	size_t rows = 0;
	int c, rc = EXIT_OK;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbpath = optarg;
			break;
		case 'c':
			pcfile = optarg;
			break;
		case 'p':
			period = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'x':
			flags |= REPORT_EXCEL;
			break;
		case 'h':
			print_help();
			return EXIT_OK;
		default:
			return usage_error("reconcile", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("reconcile", "unexpected argument '%s'", argv[optind]);
	if (pcfile == NULL)
		return usage_error("reconcile", "missing --partner-center FILE");
	if (period && !period_parse(period, first, last))
		return usage_error("reconcile", "bad period '%s' (want YYYY-MM)", period);

	if (cli_db_open(&db, dbpath, 0, &err) < 0)
		goto fail;
	if (period == NULL) {
		if (report_default_period(&db, dflt, sizeof(dflt), &err) < 0)
			goto fail;
		period = dflt;
	}
	if (report_period_check(&db, period, &err) < 0)
		goto fail;
	report_period_warn_partial(&db, period);
	now_iso(today, sizeof(today));
	today[10] = '\0';
	if (pc_temp_tables(&db, today, &err) < 0 || pc_load(&db, pcfile, &info, &err) < 0)
		goto fail;
	if (info.pal_rows == 0)
		log_warn("'%s' has no PAL (Partner Admin Link) rows among its %ld rows", pcfile,
			 info.rows);
	else if (strstr(info.months, period) == NULL)
		log_warn("'%s' has no PAL rows for %s (it holds %s)", pcfile, period, info.months);
	if (report_write_path(&db, info.by_subscription ? &by_subscription : &by_customer, period,
			      out, flags, &rows, &err) < 0)
		goto fail;
	if (info.by_subscription && print_suggestions(&db, period, &err) < 0)
		goto fail;
	log_info("reconciled %s by %s: %ld Partner Center rows, %ld PAL, %zu rows written",
		 period, info.by_subscription ? "subscription" : "customer", info.rows,
		 info.pal_rows, rows);
	goto done;
fail:
	rc = cli_fail(&err);
done:
	db_close(&db);
	return rc;
}
