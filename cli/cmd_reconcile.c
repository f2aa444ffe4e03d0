/*
 * palscope reconcile: set palscope's prediction for a period against what a Partner Center
 * download reports, one CSV row per subscription (or per customer when the download has no
 * subscription ids) with match BOTH / PREDICTED_ONLY / REPORTED_ONLY / NEITHER and the likely
 * causes. The comparison is SQL (sql/reports/reconcile.sql) over the rule views and a
 * temporary table of the download's PAL rows; the CSV goes through the reports' writer
 * (header row, formula-injection guard, --excel).
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/log.h"
#include "common/util.h"
#include "db/as_of.h"
#include "db/db.h"
#include "import/pc.h"
#include "reports/period.h"
#include "reports/report.h"

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
	"reconcile", "@reports/reconcile.sql", "reconcile by subscription",
	reconcile_cols, sizeof(reconcile_cols) / sizeof(reconcile_cols[0]),
};

static const struct report_spec by_customer = {
	"reconcile", "@reports/reconcile.sql", "reconcile by customer",
	reconcile_cols, sizeof(reconcile_cols) / sizeof(reconcile_cols[0]),
};

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope reconcile --partner-center FILE.csv [--db FILE] [--period YYYY-MM]\n"
	       "                          [-o FORMAT] [--out FILE|-] [--excel]\n\n"
	       "Compare palscope's prediction with a Partner Center download (columns such as\n"
	       "CustomerTenantId, CustomerName, SubscriptionGuid, PartnerAttributionType, Month,\n"
	       "MPN ID; header names in any case; only PAL / Partner Admin Link rows count).\n"
	       "One row per subscription (per customer when the download has no subscription\n"
	       "ids) with match BOTH, PREDICTED_ONLY, REPORTED_ONLY or NEITHER and the likely\n"
	       "causes.\n\n");
	cli_opts_help(stdout, args);
	printf("\nColumns: match,tenant_id,customer_name,subscription_id,subscription_name,\n"
	       "palscope_status,reason_code,palscope_partner_id,reported_partner_ids,\n"
	       "reported_acr,likely_causes,explanation\n");
	cli_help_footer(stdout);
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
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct pc_info info;
	char dflt[16], today[32];
	int pos, rc = EXIT_OK;
	const char *dbpath = NULL, *pcfile = NULL, *period = NULL;
	struct cli_output_args oa;
	const struct cli_arg args[] = {
		{ O_PARTNER_CENTER, &pcfile }, { O_DB, &dbpath },	{ O_PERIOD, &period },
		{ CLI_INCLUDE, cli_output_args_init(&oa) },      { CLI_END, NULL },
	};

	if (!cli_parse("reconcile", args, print_help, argc, argv, &pos, &rc))
		return rc;
	if (pcfile == NULL)
		return usage_error("reconcile", "missing --partner-center FILE");

	if (cli_db_open(&db, dbpath, 0, &err) < 0)
		goto fail;
	if (cli_report_period(&db, &period, dflt, sizeof(dflt), &err) < 0 ||
	    db_as_of_period(&db, period, &err) < 0)
		goto fail;
	now_iso(today, sizeof(today));
	today[10] = '\0';
	if (pc_temp_tables(&db, today, &err) < 0 || pc_load(&db, pcfile, &info, &err) < 0)
		goto fail;
	if (info.pal_rows == 0)
		log_warn("'%s' has no PAL (Partner Admin Link) rows among its %ld rows", pcfile,
			 info.rows);
	else if (strstr(info.months, period) == NULL)
		log_warn("'%s' has no PAL rows for %s (it holds %s)", pcfile, period, info.months);
	char what[160];
	snprintf(what, sizeof(what), "reconciled %s by %s: %ld Partner Center rows, %ld PAL", period,
		 info.by_subscription ? "subscription" : "customer", info.rows, info.pal_rows);
	if (cli_write_report(&db, info.by_subscription ? &by_subscription : &by_customer, period,
			     &oa, what, &err) < 0)
		goto fail;
	if (info.by_subscription && print_suggestions(&db, period, &err) < 0)
		goto fail;
	return cli_close(&db, &err, false);
fail:
	return cli_close(&db, &err, true);
}
