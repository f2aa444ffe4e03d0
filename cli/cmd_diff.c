/*
 * palscope diff: what changed between two runs, customer by customer (or subscription by
 * subscription), and why: the change views (sql/views/70-77) over the two runs' status
 * snapshots, evaluated for the pair asked (reports/diff.c). Rows stream to the CSV file.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/log.h"
#include "db/db.h"
#include "reports/diff.h"
#include "reports/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope diff [--db FILE] [--from RUN|YYYY-MM] [--to RUN|YYYY-MM]\n"
	       "                     [--customers|--subscriptions] [-o FORMAT]\n"
	       "                     [--out FILE|-] [--excel]\n\n"
	       "One CSV row per customer (or subscription) whose status, reason code or attributed\n"
	       "usage changed between two runs, with the causes found in the stored data.\n\n");
	cli_opts_help(stdout, args);
	printf("\nEach run is read as the reports stood right after it (report --run). The rules are\n"
	       "SQL views: sqlite3 palscope.db 'select * from customer_diff' compares consecutive\n"
	       "periods.\n");
	cli_help_footer(stdout);
}

int
cmd_diff(int argc, char **argv)
{
	const char *dbpath = NULL, *from = NULL, *to = NULL;
	bool customers = false, subscriptions = false;
	struct cli_output_args oa;
	const struct cli_arg args[] = {
		{ O_DB, &dbpath },
		{ O_DIFF_TO, &to },
		{ O_DIFF_FROM, &from },
		{ O_DIFF_CUSTOMERS, &customers },
		{ O_DIFF_SUBSCRIPTIONS, &subscriptions },
		{ CLI_INCLUDE, cli_output_args_init(&oa) },
		{ CLI_END, NULL },
	};
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	int64_t from_run = 0, to_run = 0;
	char from_period[8], to_period[8];
	int pos, rc = EXIT_OK;

	if (!cli_parse("diff", args, print_help, argc, argv, &pos, &rc))
		return rc;
	const struct report_spec *spec = subscriptions ? &diff_subscriptions_spec
						       : &diff_customers_spec;
	if (customers && subscriptions)
		return usage_error("diff", "--customers and --subscriptions exclude each other");

	sqlite3_soft_heap_limit64(48LL << 20);
	if (cli_db_open(&db, dbpath, DB_SNAPSHOTS, &err) < 0)
		goto fail;
	if (diff_resolve(&db, "--to", to, 0, &to_run, to_period, &err) < 0 ||
	    diff_resolve(&db, "--from", from, to_run, &from_run, from_period, &err) < 0)
		goto fail;
	if (from_run == to_run) {
		err_set(&err, RC_USAGE, "--from and --to are both run %" PRId64 ": nothing to compare",
			to_run);
		goto fail;
	}
	log_info("comparing run %" PRId64 " (%s) with run %" PRId64 " (%s)", from_run, from_period,
		 to_run, to_period);
	if (diff_prepare(&db, from_run, to_run, &err) < 0 ||
	    cli_write_report(&db, spec, NULL, &oa,
			     spec == &diff_customers_spec ? "changed customers"
							  : "changed subscriptions",
			     &err) < 0)
		goto fail;
	return cli_close(&db, &err, false);
fail:
	return cli_close(&db, &err, true);
}
