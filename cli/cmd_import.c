/*
 * palscope import: create a run from files a partner manager can produce
 * without giving palscope a secret: az CLI output, ARM responses saved from
 * `az rest`, and Cost Management CSV exports. Every report and `why` then
 * works on it as on a collected run. The import is one transaction: on any
 * error the database is left as it was (exit 2 for bad input).
 */
#include "cli/cli.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "import/import.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_help(void)
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
	       "  --db FILE          database (default $PALSCOPE_DB, else palscope.db)\n"
	       "  --tenant ID        the tenant the files were made in (files naming another\n"
	       "                     tenant are an error)\n"
	       "  --partner-id ID    the partner ID(s) attribution should go to\n"
	       "  --period YYYY-MM   the month (default: the month of the cost data, else the\n"
	       "                     previous month)\n"
	       "  --object-id OID    the signed-in principal (default: the link's objectId, else\n"
	       "                     the principal of the direct role assignments)\n"
	       "  --include-groups   keep assignments held through groups (the role assignment\n"
	       "                     files were made with --include-groups)\n"
	       "  --label NAME       what reports call the identity (default: the az user name,\n"
	       "                     else import; at most 256 bytes)\n\n"
	       "Exit status: 0 imported, 2 bad usage or bad input, 3 the database cannot be\n"
	       "used (nothing stored on any error).\n");
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
	static const struct option opts[] = { { "db", required_argument, NULL, 'd' },
					      { "tenant", required_argument, NULL, 't' },
					      { "partner-id", required_argument, NULL, 'P' },
					      { "period", required_argument, NULL, 'p' },
					      { "object-id", required_argument, NULL, 'O' },
					      { "label", required_argument, NULL, 'l' },
					      { "include-groups", no_argument, NULL, 'g' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	struct import_opts io = { 0 };
	const char **pids = NULL;
	size_t n_pids = 0;
	const char *dbpath = NULL;
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct import *im = NULL;
	int64_t run_id = 0;
	char first[11], last[11];
	int c, rc = EXIT_OK;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dbpath = optarg;
			break;
		case 't':
			io.tenant = optarg;
			break;
		case 'P':
			if (!cli_valid_partner_id(optarg)) {
				free(pids);
				return usage_error("import", "bad --partner-id '%s' (1 to 12 digits)",
						   optarg);
			}
			pids = xrealloc(pids, (n_pids + 1) * sizeof(*pids));
			pids[n_pids++] = optarg;
			break;
		case 'p':
			io.period = optarg;
			break;
		case 'O':
			io.object_id = optarg;
			break;
		case 'l':
			io.label = optarg;
			break;
		case 'g':
			io.include_groups = true;
			break;
		case 'h':
			free(pids);
			print_help();
			return EXIT_OK;
		default:
			free(pids);
			return usage_error("import", "bad option");
		}
	}
	if (io.tenant == NULL)
		rc = usage_error("import", "missing --tenant");
	else if (!is_guid(io.tenant))
		rc = usage_error("import", "--tenant '%s' is not a GUID", io.tenant);
	else if (n_pids == 0)
		rc = usage_error("import", "missing --partner-id");
	else if (io.period && !period_parse(io.period, first, last))
		rc = usage_error("import", "bad --period '%s' (want YYYY-MM)", io.period);
	else if (io.object_id && !is_guid(io.object_id))
		rc = usage_error("import", "--object-id '%s' is not a GUID", io.object_id);
	else if (optind >= argc)
		rc = usage_error("import", "no files to import");
	if (rc != EXIT_OK)
		goto out;
	io.partner_ids = pids;
	io.n_partner_ids = n_pids;

	/* Read and check every file before the database is touched. */
	im = import_new(&io);
	int irc = import_load(im, argv + optind, (size_t)(argc - optind), &err);
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
	free(pids);
	return rc;
}
