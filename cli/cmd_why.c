/*
 * palscope why: the story of one customer or subscription (reports/why_story.h builds and
 * renders it). This file parses the options, asks for the stories of the customers the argument
 * names (at most MAX_CUSTOMERS told) and prints them. Colour only when stdout is a terminal and
 * NO_COLOR is unset. No match: what could have seen it, or suggestions, on stderr, exit 1.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "db/db.h"
#include "reports/diff.h"
#include "reports/why_story.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_CUSTOMERS 20

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope why <tenant-id | subscription-id | name> [--db FILE] "
	       "[--period YYYY-MM]\n                    [--since RUN|YYYY-MM]\n\n"
	       "Explain why a customer or subscription is (or is not) attributed: the chain\n"
	       "identity -> link -> role -> scope -> cost with a mark per step, the reason codes\n"
	       "and the fix. A name matches any part of a customer or subscription name,\n"
	       "ignoring case.\n\n");
	cli_opts_help(stdout, args);
	cli_help_footer(stdout);
}

struct why_print {
	FILE *fp;
	struct why_text_opts text;
	size_t n;
};

static int
print_story(const struct why_story *s, void *ctx, struct err *err)
{
	struct why_print *p = ctx;

	(void)err;
	if (p->n++ > 0)
		fputs("\n", p->fp);
	why_story_render_text(p->fp, s, &p->text);
	return 0;
}

int
cmd_why(int argc, char **argv)
{
	const char *dbpath = NULL, *period = NULL, *since = NULL, *q;
	const struct cli_arg args[] = {
		{ O_DB, &dbpath },
		{ O_PERIOD, &period },
		{ O_SINCE, &since },
		{ CLI_OPERAND, (char *)"customer or subscription (id or name)" },
		{ CLI_END, NULL },
	};
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct why_query wq = WHY_QUERY_INIT;
	struct why_print pr = { stdout, { false, 0 }, 0 };
	char dflt[16], from_period[8] = "", to_period[8] = "";
	size_t n = 0;
	int pos, rc = EXIT_OK;

	if (!cli_parse("why", args, print_help, argc, argv, &pos, &rc))
		return rc;
	q = argv[pos];
	if (*q == '\0')
		return usage_error("why", "empty name");
	pr.text.colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;

	if (cli_db_open(&db, dbpath, 0, &err) < 0)
		goto fail;
	if (cli_report_period(&db, &period, dflt, sizeof(dflt), &err) < 0)
		goto fail;
	/* --since: the change views for (since, the newest complete run of the period) */
	if (since && (diff_resolve(&db, "--since", period, 0, &wq.since_to, to_period, &err) < 0 ||
		      diff_resolve(&db, "--since", since, wq.since_to, &wq.since_from, from_period,
				   &err) < 0 ||
		      diff_prepare(&db, wq.since_from, wq.since_to, &err) < 0))
		goto fail;
	wq.period = period;
	wq.q = q;
	wq.limit = MAX_CUSTOMERS;
	/* PALSCOPE_WHY_FULL=1: evaluate the whole period (the same answer, for comparison) */
	wq.full = getenv("PALSCOPE_WHY_FULL") != NULL;
	wq.since_from_period = from_period;
	wq.since_to_period = to_period;
	if (why_story_each(&db, &wq, print_story, &pr, &n, &err) < 0)
		goto fail;
	if (n > MAX_CUSTOMERS)
		fprintf(pr.fp, "\n(%zu more customers match '%s'; give a longer name or an id)\n",
			n - MAX_CUSTOMERS, q);
	if (n == 0) {
		if (why_story_no_match(stderr, &db, period, q, &err) < 0)
			goto fail;
		rc = EXIT_FAILED;
	}
	goto done;
fail:
	rc = cli_fail(&err);
done:
	db_close(&db);
	return rc;
}
