/*
 * palscope collect: sign in as each identity of the accounts file, read what
 * Azure says about its partner link, access and cost, and store it as one
 * run in the database. Prints a one-screen summary on stderr.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "collector/accounts.h"
#include "collector/collector.h"
#include "collector/http.h"
#include "collector/tenant_resolve.h"
#include "collector/token_cache.h"
#include "collector/user_tenants.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "db/store.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope collect --accounts FILE --partner-id ID [--partner-id ID ...]\n"
	       "       palscope collect --user [--tenants FILE] [--no-cache] --partner-id ID ...\n"
	       "       palscope collect --az --partner-id ID ...\n"
	       "                        [--db FILE] [--period YYYY-MM [--allow-partial-period]]\n"
	       "                        [--cloud public|china|usgov]\n"
	       "                        [--arm-url URL] [--login-url URL] [--graph-url URL]\n"
	       "                        [--ca-bundle FILE]\n"
	       "                        [--concurrency N] [--timeout SECONDS] [--quiet]\n\n"
	       "Sign in as each identity and store its partner link, tenants, subscriptions,\n"
	       "role assignments, PIM schedules, role definitions, Lighthouse delegations,\n"
	       "group memberships (Microsoft Graph) and daily cost as\n"
	       "one run in the database.\n\n"
	       "Exit status: 0 all collected, 1 some identity failed (see the summary),\n"
	       "2 usage error or bad input, 3 the database cannot be used.\n\n");
	cli_opts_help(stdout, args);
	cli_help_footer(stdout);
}

/* The failed identities of the run, ten at most, then where to see them all. */
static void
print_failures(struct db *db, int64_t run_id, const char *path)
{
	sqlite3_stmt *st = NULL;
	struct err err = ERR_INIT;
	int n = 0;

	if (db_prepare(db, "@queries/run_failures.sql", &st, &err) < 0)
		return;
	db_bind_int(st, ":run_id", run_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (++n > 10)
			continue;
		int failures = sqlite3_column_int(st, 3);
		fprintf(stderr, "  failed: %s (tenant %s): %.160s%s\n", sqlite3_column_text(st, 0),
			sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
			failures > 1 ? " (and more)" : "");
	}
	sqlite3_finalize(st);
	if (n > 10)
		fprintf(stderr, "  ... and %d more\n", n - 10);
	fprintf(stderr,
		"palscope: every failed request: sqlite3 %s \"SELECT kind, http_status, error_code, "
		"error_message, url FROM request_failure WHERE run_id = %lld\"\n",
		path, (long long)run_id);
}

/* The summary's line on the tenants the accounts file gave as domains. */
static void
print_domains(const struct tenant_domains *d)
{
	if (d->n == 0)
		return;
	fputs("palscope: tenant domains:", stderr);
	for (size_t k = 0; k < d->n; k++) {
		if (d->v[k].tenant_id[0])
			fprintf(stderr, "%s %s -> %s", k ? ";" : "", d->v[k].domain, d->v[k].tenant_id);
		else
			fprintf(stderr, "%s %s not resolved (%.200s)", k ? ";" : "", d->v[k].domain,
				d->v[k].error);
	}
	fputc('\n', stderr);
}

int
cmd_collect(int argc, char **argv)
{
	const char *dbpath = NULL, *accounts_path = NULL, *period_opt = NULL;
	struct cli_list pids = { 0 };
	struct cli_endpoint_args ea;
	bool quiet = false, allow_partial = false, partial_period = false;
	bool user = false, no_cache = false, az = false;
	bool file_user = false; /* the accounts file has auth user lines: cred is loaded */
	const char *tenants_path = NULL;
	struct user_credential cred = { 0 };
	struct user_tenant_pages user_pages = { 0 };
	cli_endpoint_args_init(&ea, CLI_EP_ARM | CLI_EP_GRAPH | CLI_EP_CONCURRENCY);
	const struct cli_arg args[] = {
		{ O_DB, &dbpath },
		{ O_ACCOUNTS, &accounts_path },
		{ O_USER, &user },
		{ O_AZ, &az },
		{ O_TENANTS, &tenants_path },
		{ O_NO_CACHE, &no_cache },
		{ O_PARTNER_ID, &pids },
		{ O_COLLECT_PERIOD, &period_opt },
		{ O_ALLOW_PARTIAL, &allow_partial },
		{ CLI_INCLUDE, ea.args },
		{ O_QUIET, &quiet },
		{ CLI_END, NULL },
	};
	char period[8], first[11], last[11];
	char *arm = NULL, *login = NULL, *graph = NULL;
	struct accounts accts = { 0 };
	struct tenant_domains domains = { 0 };
	struct db db = DB_INIT;
	struct store *store = NULL;
	struct err err = ERR_INIT;
	int64_t *ids = NULL;
	int pos, rc = EXIT_OK;

	if (!cli_parse("collect", args, print_help, argc, argv, &pos, &rc))
		goto out;
	const char **partner_ids = pids.v;
	size_t n_partner = pids.n;
	const char *cloud = ea.o.cloud ? ea.o.cloud : "public";
	if (!user && (tenants_path || no_cache)) {
		rc = usage_error("collect", "%s needs --user", tenants_path ? "--tenants" : "--no-cache");
		goto out;
	}
	if (user && accounts_path) {
		rc = usage_error("collect", "--user and --accounts: give one of them");
		goto out;
	}
	if (az && (user || accounts_path)) {
		rc = usage_error("collect", "--az and %s: give one of them",
				 user ? "--user" : "--accounts");
		goto out;
	}
	if (n_partner == 0) {
		rc = usage_error("collect", "--partner-id is required");
		goto out;
	}
	if (period_opt) {
		snprintf(period, sizeof(period), "%s", period_opt); /* checked by cli_parse */
		period_parse(period, first, last);
		/* The month's cost is final only once it is over (UTC; PALSCOPE_NOW in tests). */
		enum period_when when = period_when(period);
		if (when == PERIOD_FUTURE) {
			rc = usage_error("collect", "%s has not begun: it has no cost to collect yet",
					 period);
			goto out;
		}
		if (when == PERIOD_CURRENT && !allow_partial) {
			rc = usage_error("collect",
					 "%s is not over; its cost is incomplete: use "
					 "--allow-partial-period to collect it anyway",
					 period);
			goto out;
		}
		partial_period = when == PERIOD_CURRENT;
	} else {
		period_previous(period, sizeof(period));
		period_parse(period, first, last);
	}
	struct cli_endpoints ep;
	if ((rc = cli_endpoints_resolve("collect", &ea.o, &ep)) != 0)
		goto out;
	arm = ep.arm; /* owned here from now on (freed at out) */
	login = ep.login;
	graph = ep.graph;

	struct collect_opts co = {
		.ep = cli_azure_endpoint(&ep, ea.o.ca_bundle, ea.concurrency, ea.timeout_s),
		.period = period,
		.progress = !quiet && log_level >= LOG_WARN && isatty(STDERR_FILENO),
	};

	/* Validate all input before the database is touched. */
	if (user) {
		if ((rc = cli_user_accounts("collect", &co.ep, tenants_path, no_cache, &cred, &accts,
					     &user_pages)) != 0)
			goto out;
		co.user = &cred;
		co.user_tenant_pages = &user_pages;
	} else if (az) {
		if ((rc = cli_az_accounts("collect", &co.ep, &accts, &user_pages)) != 0)
			goto out;
		co.user_tenant_pages = &user_pages;
	} else if ((accounts_path ? accounts_load(accounts_path, &accts, &err)
				  : accounts_from_env(&accts, &err)) < 0) {
		rc = usage_error("collect", "%s", err.msg);
		goto out;
	}
	if (!user && (rc = cli_user_for_accounts("collect", &co.ep, &accts, &cred, &file_user)) != 0)
		goto out;
	bool file_az = false;
	if (!user && !az && (rc = cli_az_expand("collect", &co.ep, &accts, &user_pages, &file_az)) != 0)
		goto out;
	if (file_az)
		co.user_tenant_pages = &user_pages;
	if (file_user)
		co.user = &cred;
	if (accts.cp1252_line)
		log_warn("%s is not UTF-8: read as Windows-1252 from line %ld (save it as CSV UTF-8 "
			 "to silence this)", accounts_path, accts.cp1252_line);
	/* Tenants given as domains: their GUIDs, once per domain (a failure is the identity's). */
	struct azure_endpoint aep =
		cli_azure_endpoint(&ep, ea.o.ca_bundle, ea.concurrency, ea.timeout_s);
	tenant_resolve(&aep, &accts, &domains, &cli_stop_flag);
	if (tenant_check_duplicates(&accts, accounts_path ? accounts_path : "environment",
				    &err) < 0) {
		rc = usage_error("collect", "%s", err.msg);
		goto out;
	}
	/*
	 * What collect holds is bounded by --concurrency (collector.c's slots); SQLite's page
	 * cache and the sorters of the run-end summary build would grow with the run: ask it to
	 * stay near 8 MB (a soft limit: it frees cache pages first and never fails a query).
	 */
	sqlite3_soft_heap_limit64(8LL << 20);
	if (cli_db_open(&db, dbpath, DB_CREATE, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	struct run_info ri = { .kind = "collect", .period = period, .cloud = cloud,
			       .arm_url = arm, .partner_ids = partner_ids,
			       .n_partner_ids = n_partner, .partial_period = partial_period };
	if (store_begin_run(&db, &ri, &store, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	ids = xcalloc(accts.n, sizeof(*ids));
	for (size_t i = 0; i < accts.n; i++) {
		const struct account *a = &accts.v[i];
		/* A user is named by its UPN (also what tells two people's failed sign-ins apart). */
		if (store_add_user_identity(store, a->tenant_id, a->client_id,
					    a->label ? a->label : a->upn, account_auth_name(a->auth),
					    a->upn, a->line, &ids[i], &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
	}

	cli_on_stop_signals();

	struct sink sink = { .emit = store_emit, .payload = store };
	struct collect_summary sum;
	if (!quiet)
		log_info("run %lld: %zu identities, period %s, %s", (long long)store_run_id(store),
			 accts.n, period, arm);
	if (partial_period && !quiet)
		log_warn("%s is not over: run %lld is marked partial-period (its cost is incomplete)",
			 period, (long long)store_run_id(store));
	int crc = collect_run(&co, &accts, ids, &sink, &cli_stop_flag, &sum, &err);
	int64_t run_id = store_run_id(store);
	const char *status = cli_got_signal || crc < 0 ? "incomplete"
			     : sum.identities_failed ? "partial"
						     : "complete";
	int crc_exit = crc < 0 ? cli_fail(&err) : EXIT_OK;
	struct err e2 = ERR_INIT;
	if (store_end_run(store, status, sum.requests, sum.retries, &e2) < 0) {
		crc_exit = cli_fail(&e2);
		crc = -1;
	}
	store = NULL;
	if (!quiet && log_level >= LOG_WARN) {
		fprintf(stderr,
			"palscope: run %lld %s: identities %d ok, %d failed of %d; subscriptions %ld; "
			"role assignments %ld; cost rows %ld; requests %ld (%ld retries, %ld "
			"throttled); %.1fs\n",
			(long long)run_id, status, sum.identities_ok, sum.identities_failed,
			sum.identities, sum.subscriptions, sum.role_assignments, sum.cost_rows,
			sum.requests, sum.retries, sum.throttled, sum.seconds);
		print_domains(&domains);
		if (sum.identities_failed)
			print_failures(&db, run_id, default_db_path(dbpath));
	}
	/* Keep the newest refresh token Microsoft gave (the older ones may expire first). */
	if ((user || file_user) && !no_cache && cred.replaced > 0 &&
	    token_cache_save(&cred, login, &e2) < 0)
		log_error("%s", e2.msg);
	if (cli_got_signal) {
		log_error("interrupted; run %lld is marked incomplete", (long long)run_id);
		rc = EXIT_FAILED;
	} else if (crc < 0) {
		rc = crc_exit;
	} else if (sum.identities_failed) {
		rc = EXIT_FAILED;
	}
out:
	if (store)
		store_abort(store);
	db_close(&db);
	accounts_release(&accts);
	tenant_domains_release(&domains);
	user_credential_release(&cred);
	user_tenant_pages_free(&user_pages);
	free(ids);
	free(pids.v);
	free(arm);
	free(login);
	free(graph);
	return rc;
}
