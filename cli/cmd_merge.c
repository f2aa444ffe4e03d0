/*
 * palscope merge OTHER.db: copy another palscope database's runs into this one (db/merge.h),
 * so a team can send one person its databases and report once: runs combine by identity
 * (tenant + object id), so everybody's sign-ins count.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/log.h"
#include "db/db.h"
#include "db/merge.h"

#include <stdio.h>
#include <stdlib.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope merge [--db FILE] OTHER.db [OTHER.db ...]\n\n"
	       "Copy the runs of other palscope databases (same or older schema; they are\n"
	       "read, never changed) into this one, each file in one transaction. Runs\n"
	       "already here (the same run uuid) are skipped, so merging again copies nothing.\n"
	       "Reports then combine everybody's runs: per identity (tenant + object id) the\n"
	       "newest complete run of the period is in effect. --db is the database to merge\n"
	       "into; it is created when missing.\n\n");
	cli_opts_help(stdout, args);
	printf("\nExit status: 0 merged, 2 usage error or a missing file, 3 a database that\n"
	       "cannot be used (not palscope's, newer than this palscope, locked, ...); the\n"
	       "files merged before it stay merged.\n");
	cli_help_footer(stdout);
}

struct ctx {
	const char *path;
	bool quiet;
};

static void
on_run(void *payload, bool copied, int64_t other_id, int64_t new_id, const char *uuid,
       const char *kind, const char *period, const char *status, const char *who)
{
	const struct ctx *c = payload;

	if (c->quiet)
		return;
	if (copied)
		fprintf(stderr, "palscope: run %lld of %s (%s %s %s, %s) is run %lld here; signed in as: %s\n",
			(long long)other_id, c->path, kind, period, status, uuid, (long long)new_id,
			who ? who : "(none)");
	else
		fprintf(stderr, "palscope: run %lld of %s (%s) is already here: skipped\n",
			(long long)other_id, c->path, uuid);
}

int
cmd_merge(int argc, char **argv)
{
	const char *dbpath = NULL;
	struct ctx ctx = { 0 };
	const struct cli_arg args[] = {
		{ O_DB, &dbpath },
		{ O_QUIET, &ctx.quiet },
		{ CLI_OPERANDS, NULL },
		{ CLI_END, NULL },
	};
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	int pos, rc = EXIT_OK;

	if (!cli_parse("merge", args, print_help, argc, argv, &pos, &rc))
		return rc;
	if (pos >= argc)
		return usage_error("merge", "name the database(s) to merge: palscope merge OTHER.db");
	if (cli_db_open(&db, dbpath, DB_CREATE, &err) < 0)
		return cli_fail(&err);
	for (int i = pos; i < argc && rc == EXIT_OK; i++) {
		struct merge_stats st;
		ctx.path = argv[i];
		if (db_merge(&db, argv[i], on_run, &ctx, &st, &err) < 0) {
			rc = cli_fail(&err);
			break;
		}
		if (!ctx.quiet)
			fprintf(stderr,
				"palscope: merged %s: %ld run(s) copied (%ld identities, %ld rows), %ld "
				"already here\n",
				argv[i], st.runs_copied, st.identities, st.rows, st.runs_skipped);
	}
	db_close(&db);
	/* Opening again builds the summaries of the copied runs (what the reports read). */
	if (rc == EXIT_OK && cli_db_open(&db, dbpath, 0, &err) < 0)
		rc = cli_fail(&err);
	db_close(&db);
	return rc;
}
