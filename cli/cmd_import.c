/*
 * palscope import: create a run from files a partner manager can produce
 * without giving palscope a secret: az CLI output, ARM responses saved from
 * `az rest`, and Cost Management CSV exports. Every report and `why` then
 * works on it as on a collected run. The import is one transaction: on any
 * error the database is left as it was (exit 2 for bad input).
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "import/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope import --tenant TENANT_ID --partner-id ID [--partner-id ID ...]\n"
	       "                       [--db FILE] [--period YYYY-MM] [--object-id OID]\n"
	       "                       [--include-groups] [--label NAME] FILE...\n\n"
	       "Create a run (one identity in TENANT_ID) from files, recognised by content:\n"
	       "  az managementpartner show -o json > link.json 2>&1 (az's NotFound text,\n"
	       "     empty, [] or null = not linked)\n"
	       "  az account list --all -o json, az account subscription list -o json\n"
	       "  az role assignment list --all --assignee OID --include-inherited\n"
	       "     --include-groups -o json            (one file per subscription)\n"
	       "  az role definition list -o json\n"
	       "  az rest output (partners, subscriptions, tenants, roleAssignments,\n"
	       "     roleDefinitions, registrationAssignments, cost query)\n"
	       "  Cost Management export or portal download CSV (EA, MCA, MPA, older layouts)\n\n"
	       "Exit status: 0 imported, 2 bad usage or bad input, 3 the database cannot be\n"
	       "used (nothing stored on any error).\n\n");
	cli_opts_help(stdout, args);
	cli_help_footer(stdout);
}

static void
print_summary(struct db *db, int64_t run_id)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;

	if (db_prepare(db, "@queries/import_run_summary.sql", &st, &err) < 0)
		return;
	db_bind_int(st, ":run_id", run_id);
	if (sqlite3_step(st) == SQLITE_ROW && log_level >= LOG_WARN)
		fprintf(stderr,
			"imported run %lld (period %s, %s): %d subscriptions, %d role assignments, "
			"%d daily cost rows\n",
			(long long)run_id, sqlite3_column_text(st, 4), sqlite3_column_text(st, 0),
			sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
			sqlite3_column_int(st, 3));
	sqlite3_finalize(st);
}

static void
print_notes(const struct import *im)
{
	const struct import_notes *n = import_get_notes(im);

	if (log_level < LOG_WARN)
		return;
	for (size_t i = 0; i < n->n; i++)
		fprintf(stderr, "%s\n", n->v[i]);
}

int
cmd_import(int argc, char **argv)
{
	struct import_opts io = { 0 };
	struct cli_list pids = { 0 };
	const char *dbpath = NULL;
	const struct cli_arg args[] = {
		{ O_DB, &dbpath },	       { O_IMPORT_TENANT, &io.tenant },
		{ O_PARTNER_ID, &pids },       { O_IMPORT_PERIOD, &io.period },
		{ O_OBJECT_ID, &io.object_id }, { O_INCLUDE_GROUPS, &io.include_groups },
		{ O_LABEL, &io.label },	       { CLI_OPERANDS, NULL },
		{ CLI_END, NULL },
	};
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct import *im = NULL;
	int64_t run_id = 0;
	int pos, rc = EXIT_OK;

	if (!cli_parse("import", args, print_help, argc, argv, &pos, &rc))
		goto out;
	if (io.tenant == NULL)
		rc = usage_error("import", "missing --tenant");
	else if (pids.n == 0)
		rc = usage_error("import", "missing --partner-id");
	else if (pos >= argc)
		rc = usage_error("import", "no files to import");
	if (rc != EXIT_OK)
		goto out;
	io.partner_ids = pids.v;
	io.n_partner_ids = pids.n;

	/* Read and check every file before the database is touched. */
	im = import_new(&io);
	int irc = import_load(im, argv + pos, (size_t)(argc - pos), &err);
	if (irc == 0 && (irc = cli_db_open(&db, dbpath, DB_CREATE, &err)) == 0)
		irc = import_store(&db, im, &run_id, &err);
	print_notes(im);
	if (irc < 0) {
		struct err e1 = err;
		err_set(&e1, err.code ? err.code : irc, "%s; nothing was imported", err.msg);
		rc = cli_fail(&e1);
		goto out;
	}
	print_summary(&db, run_id);
out:
	import_free(im);
	db_close(&db);
	free(pids.v);
	return rc;
}
