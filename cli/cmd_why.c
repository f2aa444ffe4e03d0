/*
 * palscope why: the story of one customer or subscription (reports/why_story.h builds and
 * renders it). This file parses the options, asks for the stories of the customers the argument
 * names (at most MAX_CUSTOMERS told) and prints them. Colour only when stdout is a terminal and
 * NO_COLOR is unset. No match: what could have seen it, or suggestions, on stderr, exit 1.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "db/as_of.h"
#include "db/db.h"
#include "reports/diff.h"
#include "reports/output.h"
#include "reports/why_story.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CUSTOMERS 20

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope why <tenant-id | subscription-id | name> [--db FILE] "
	       "[--period YYYY-MM]\n                    [--since RUN|YYYY-MM] "
	       "[--output table|json|csv|tsv]\n\n"
	       "Explain why a customer or subscription is (or is not) attributed: the chain\n"
	       "identity -> link -> role -> scope -> cost with a mark per step, the reason codes\n"
	       "and the fix. A name matches any part of a customer or subscription name,\n"
	       "ignoring case. --output table (the default) is the story as text, wrapped to\n"
	       "the terminal ($COLUMNS), json the structured story, csv and tsv one row per\n"
	       "check.\n\n");
	cli_opts_help(stdout, args);
	cli_help_footer(stdout);
}

/* --output csv|tsv: one row per check of each subscription told */
static const struct out_field check_fields[] = {
	{ "tenant_id", OUT_T_TEXT }, { "customer_name", OUT_T_TEXT },
	{ "subscription_id", OUT_T_TEXT }, { "check", OUT_T_TEXT }, { "ok", OUT_T_INT },
	{ "evidence", OUT_T_TEXT }, { "fix", OUT_T_TEXT },
};

struct why_print {
	FILE *fp;
	enum out_format fmt;
	struct why_text_opts text;
	struct out rows;	/* csv, tsv */
	size_t n;
};

static void
check_row(struct out *o, const struct why_story *s, const char *sub, const char *check, bool ok,
	  const char *evidence, const char *fix)
{
	out_str(o, s->tenant_id);
	out_str(o, s->customer_name);
	out_str(o, sub);
	out_str(o, check);
	out_int(o, ok);
	out_str(o, evidence);
	out_str(o, fix);
	out_end_row(o);
}

static int
print_story(const struct why_story *s, void *ctx, struct err *err)
{
	struct why_print *p = ctx;
	bool told = false;

	(void)err;
	switch (p->fmt) {
	case OUT_TABLE:
		if (p->n > 0)
			fputs("\n", p->fp);
		why_story_render_text(p->fp, s, &p->text);
		break;
	case OUT_JSON: {
		cJSON *o = why_story_json(s);
		char *text = cJSON_Print(o);
		fputs(p->n > 0 ? ",\n" : "[\n", p->fp);
		fputs(text, p->fp);
		cJSON_free(text);
		cJSON_Delete(o);
		break;
	}
	case OUT_CSV:
	case OUT_TSV:
		for (size_t i = 0; i < s->n_subs; i++) {
			const struct why_sub *sub = &s->subs[i];
			if (!sub->has_checks)
				continue;
			told = true;
			for (int k = 0; k < WHY_N_CHECKS; k++)
				check_row(&p->rows, s, sub->subscription_id, sub->checks[k].name,
					  sub->checks[k].ok, sub->checks[k].evidence, sub->fix);
		}
		/* a customer without a subscription told: its own verdict, one row */
		if (!told)
			check_row(&p->rows, s, "", "customer", strcmp(s->status, "ATTRIBUTED") == 0,
				  *s->reasons ? s->reasons : s->status, s->fix);
		break;
	}
	p->n++;
	return 0;
}

int
cmd_why(int argc, char **argv)
{
	const char *dbpath = NULL, *period = NULL, *since = NULL, *q;
	struct cli_output_args oa;
	const struct cli_arg args[] = {
		{ O_DB, &dbpath },
		{ O_PERIOD, &period },
		{ O_SINCE, &since },
		{ CLI_INCLUDE, cli_output_only_args_init(&oa) },
		{ CLI_OPERAND, (char *)"customer or subscription (id or name)" },
		{ CLI_END, NULL },
	};
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct why_query wq = WHY_QUERY_INIT;
	struct why_print pr;
	char dflt[16], from_period[8] = "", to_period[8] = "";
	size_t n = 0;
	int pos, rc = EXIT_OK;

	if (!cli_parse("why", args, print_help, argc, argv, &pos, &rc))
		return rc;
	q = argv[pos];
	if (*q == '\0')
		return usage_error("why", "empty name");
	memset(&pr, 0, sizeof(pr));
	pr.fp = stdout;
	/* the story reads as text; csv, tsv and json only when asked for */
	pr.fmt = cli_output_format(&oa, OUT_TABLE);
	pr.text.colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	pr.text.width = (size_t)out_terminal_width(stdout);
	if (pr.fmt == OUT_CSV || pr.fmt == OUT_TSV)
		out_begin(&pr.rows, stdout, pr.fmt, 0, check_fields,
			  sizeof(check_fields) / sizeof(check_fields[0]));

	if (cli_db_open(&db, dbpath, since ? DB_SNAPSHOTS : 0, &err) < 0)
		goto fail;
	if (cli_report_period(&db, &period, dflt, sizeof(dflt), &err) < 0 ||
	    db_as_of_period(&db, period, &err) < 0)
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
	if (pr.fmt == OUT_JSON)
		fputs(pr.n > 0 ? "\n]\n" : "[]\n", pr.fp);
	if ((pr.fmt == OUT_CSV || pr.fmt == OUT_TSV) && out_end(&pr.rows) < 0) {
		err_set(&err, RC_IO, "why: writing the rows: %s", strerror(pr.rows.errnum));
		goto fail;
	}
	if (n > MAX_CUSTOMERS) {
		/* on stderr when stdout is data: the data stays parseable */
		FILE *note = pr.fmt == OUT_TABLE ? pr.fp : stderr;
		fprintf(note, "%s(%zu more customers match '%s'; give a longer name or an id)\n",
			pr.fmt == OUT_TABLE ? "\n" : "", n - MAX_CUSTOMERS, q);
	}
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
