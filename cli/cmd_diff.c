/*
 * palscope diff: what changed between two runs, customer by customer (or subscription by
 * subscription), and why: the change views (sql/views/70-77) over the two runs' status
 * snapshots, evaluated for the pair asked (reports/diff.c). Rows stream to the CSV file.
 */
#include "cli/cli.h"
#include "common/log.h"
#include "db/db.h"
#include "reports/diff.h"
#include "reports/report.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void
print_help(void)
{
	printf("usage: palscope diff [--db FILE] [--from RUN|YYYY-MM] [--to RUN|YYYY-MM]\n"
	       "                     [--customers|--subscriptions] [--out FILE|-] [--excel]\n\n"
	       "One CSV row per customer (or subscription) whose status, reason code or attributed\n"
	       "usage changed between two runs, with the causes found in the stored data.\n\n"
	       "  --db FILE            database (default $PALSCOPE_DB, else palscope.db)\n"
	       "  --to RUN|YYYY-MM     the later run, or the newest complete run of a period\n"
	       "                       (default: the newest complete run)\n"
	       "  --from RUN|YYYY-MM   the earlier run, or the newest complete run of a period\n"
	       "                       (default: the newest complete run before --to)\n"
	       "  --customers          one row per customer (the default)\n"
	       "  --subscriptions      one row per subscription\n"
	       "  --out FILE|-         write to FILE (atomically) or '-' for stdout (default)\n"
	       "  --excel              UTF-8 byte order mark and CRLF line ends, for Excel\n\n"
	       "Each run is read as the reports stood right after it (report --run). The rules are\n"
	       "SQL views: sqlite3 palscope.db 'select * from customer_diff' compares consecutive\n"
	       "periods.\n");
}

int
cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "from", required_argument, NULL, 'f' },
					      { "to", required_argument, NULL, 't' },
					      { "customers", no_argument, NULL, 'c' },
					      { "subscriptions", no_argument, NULL, 's' },
					      { "out", required_argument, NULL, 'o' },
					      { "excel", no_argument, NULL, 'x' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *dbpath = NULL, *from = NULL, *to = NULL, *out = NULL;
	const struct report_spec *spec = &diff_customers_spec;
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	int64_t from_run = 0, to_run = 0;
	char from_period[8], to_period[8];
	unsigned flags = 0;
	int kinds = 0, c, rc = EXIT_OK;
	size_t rows = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbpath = optarg;
			break;
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'c':
			spec = &diff_customers_spec;
			kinds |= 1;
			break;
		case 's':
			spec = &diff_subscriptions_spec;
			kinds |= 2;
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
			return usage_error("diff", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("diff", "unexpected argument '%s'", argv[optind]);
	if (kinds == 3)
		return usage_error("diff", "--customers and --subscriptions exclude each other");

	sqlite3_soft_heap_limit64(48LL << 20);
	if (cli_db_open(&db, dbpath, 0, &err) < 0)
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
	    report_write_path(&db, spec, NULL, out, flags, &rows, &err) < 0)
		goto fail;
	if (out && strcmp(out, "-") != 0)
		log_info("wrote %zu changed %s to '%s'", rows,
			 spec == &diff_customers_spec ? "customers" : "subscriptions", out);
	goto done;
fail:
	rc = cli_fail(&err);
done:
	db_close(&db);
	return rc;
}
