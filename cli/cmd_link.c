/*
 * palscope link show|plan|apply|remove|history: the Partner Admin Link of
 * every identity of the accounts file, read and changed through
 * Microsoft.ManagementPartner, each signed in to its own tenant. plan shows
 * what apply would do; apply and remove record every change in the audit
 * log of the database, which history lists.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "collector/accounts.h"
#include "collector/token_cache.h"
#include "collector/collector.h"
#include "collector/tenant_resolve.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "links/audit.h"
#include "links/exec.h"
#include "links/report_filter.h"
#include "reports/report_csv.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope link show    [--accounts FILE | --user] [--csv] [endpoint options]\n"
	       "       palscope link plan    [--accounts FILE] --partner-id ID [--update]\n"
	       "                             [--only-missing-from REPORT.csv] [endpoint options]\n"
	       "       palscope link apply   [--accounts FILE] --partner-id ID [--update]\n"
	       "                             [--only-missing-from REPORT.csv] [--db FILE]\n"
	       "                             [endpoint options]\n"
	       "       palscope link remove  [--accounts FILE] --partner-id ID --yes [--db FILE]\n"
	       "                             [endpoint options]\n"
	       "       palscope link history [--db FILE] [--tenant GUID] [--limit N] [--csv]\n\n"
	       "Show, plan, make or remove the Partner Admin Link of every identity, each\n"
	       "signed in to its own tenant (Microsoft.ManagementPartner, api-version 2018-02-01).\n\n"
	       "  show     the current link of each identity\n"
	       "  plan     what apply would do; changes nothing\n"
	       "  apply    not linked: create the link; linked to ID: nothing; linked to another\n"
	       "           ID: skipped (it may be another location of your organisation, or\n"
	       "           another partner's link), replaced only with --update\n"
	       "  remove   delete links to ID (only those); needs --yes\n"
	       "  history  the changes apply and remove made (the audit log)\n\n"
	       "Exit status: 0 done, 1 some identity failed (after the summary), 2 usage error\n"
	       "or bad input, 3 the audit database cannot be used.\n\n");
	cli_opts_help(stdout, args);
	cli_help_footer(stdout);
}

struct link_args {
	const char *sub;
	enum link_cmd cmd;
	bool history;
	const char *dbpath, *accounts, *partner_id, *only_missing, *tenant, *tenants;
	bool user, no_cache;
	struct cli_list partner_ids;
	struct cli_endpoint_args ea;
	long limit;
	bool update, yes, csv, quiet;
};

static int
parse_args(int argc, char **argv, struct link_args *a)
{
	cli_endpoint_args_init(&a->ea, CLI_EP_ARM | CLI_EP_CONCURRENCY);
	const struct cli_arg args[] = {
		{ O_ACCOUNTS, &a->accounts },
		{ O_LINK_USER, &a->user },
		{ O_TENANTS, &a->tenants },
		{ O_NO_CACHE, &a->no_cache },
		{ O_LINK_PARTNER_ID, &a->partner_ids },
		{ O_UPDATE, &a->update },
		{ O_ONLY_MISSING, &a->only_missing },
		{ O_YES, &a->yes },
		{ O_DB, &a->dbpath },
		{ O_CSV, &a->csv },
		{ O_HISTORY_TENANT, &a->tenant },
		{ O_LIMIT, &a->limit },
		{ CLI_SECTION, (char *)"endpoint options:" },
		{ CLI_INCLUDE, a->ea.args },
		{ O_QUIET, &a->quiet },
		{ CLI_END, NULL },
	};
	int pos, rc;

	if (!cli_parse("link", args, print_help, argc, argv, &pos, &rc))
		return rc == EXIT_OK ? -1 : rc;
	if (a->partner_ids.n > 1)
		return usage_error("link", "--partner-id is given twice");
	a->partner_id = a->partner_ids.n ? a->partner_ids.v[0] : NULL;

	/* Which options make sense for which subcommand. */
	bool is_show = !a->history && a->cmd == LINK_CMD_SHOW;
	bool is_remove = !a->history && a->cmd == LINK_CMD_REMOVE;
	bool plans = !a->history && (a->cmd == LINK_CMD_PLAN || a->cmd == LINK_CMD_APPLY);
	if (!a->history && !is_show && a->partner_id == NULL)
		return usage_error("link", "link %s needs --partner-id", a->sub);
	if ((a->history || is_show) && a->partner_id)
		return usage_error("link", "--partner-id does not apply to link %s", a->sub);
	if (!plans && (a->update || a->only_missing))
		return usage_error("link", "--update and --only-missing-from apply to link plan "
					   "and link apply only");
	if (!is_remove && a->yes)
		return usage_error("link", "--yes applies to link remove only");
	if (!a->history && !is_show && a->csv)
		return usage_error("link", "--csv applies to link show and link history only");
	if (!a->history && (a->tenant || a->limit))
		return usage_error("link", "--tenant and --limit apply to link history only");
	if (!a->user && (a->tenants || a->no_cache))
		return usage_error("link", "%s needs --user", a->tenants ? "--tenants" : "--no-cache");
	if (a->user && a->accounts)
		return usage_error("link", "--user and --accounts: give one of them");
	if (a->history && (a->accounts || a->user || a->ea.o.cloud || a->ea.o.arm_url ||
			   a->ea.o.login_url || a->ea.o.ca_bundle || a->ea.concurrency))
		return usage_error("link", "link history reads the database only: no --accounts "
					   "or endpoint options");
	/* --db is accepted (and unused) by show and plan, so plan and apply take the same options. */
	if (is_remove && !a->yes)
		return usage_error("link",
				   "link remove deletes the link to %s of every identity that has "
				   "one; add --yes to confirm (see 'palscope link plan' and 'palscope "
				   "link show' first)",
				   a->partner_id);
	return 0;
}

/* ---- output ------------------------------------------------------------------ */

/* Width of the identity column: the longest name, 8 to 40 characters. */
static int
name_width(const struct link_result *res, size_t n)
{
	size_t w = 8;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(account_name(res[i].acct));
		if (len > w)
			w = len;
	}
	return (int)(w > 40 ? 40 : w);
}

static const char *
or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void
cell(struct report_csv *o, const char *s)
{
	if (s && *s)
		report_csv_text(o, s, strlen(s));
	else
		report_csv_empty(o);
}

static int
print_show(const struct link_result *res, size_t n, bool csv)
{
	if (csv) {
		struct report_csv o;
		static const char *const hdr[] = { "identity",	   "tenant_id",	   "client_id",
						   "object_id",	   "linked",	   "partner_id",
						   "partner_name", "state",	   "created_time",
						   "updated_time", "status",	   "error" };
		report_csv_begin(&o, stdout, false);
		for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
			cell(&o, hdr[i]);
		report_csv_end_row(&o);
		for (size_t i = 0; i < n; i++) {
			const struct link_result *r = &res[i];
			cell(&o, account_name(r->acct));
			cell(&o, r->acct->tenant_id);
			cell(&o, r->acct->client_id);
			cell(&o, r->link_object_id[0] ? r->link_object_id : r->oid);
			if (r->read_ok)
				report_csv_int(&o, r->linked ? 1 : 0);
			else
				report_csv_empty(&o);
			cell(&o, r->linked ? r->partner_id : NULL);
			cell(&o, r->linked ? r->partner_name : NULL);
			cell(&o, r->read_ok ? r->state : NULL);
			cell(&o, r->created_time);
			cell(&o, r->updated_time);
			cell(&o, r->failed ? "failed" : "ok");
			cell(&o, r->failed ? r->explanation : NULL);
			report_csv_end_row(&o);
		}
		return report_csv_end(&o);
	}
	int w = name_width(res, n);
	printf("%-*s %-36s %-10s %-8s %-28s %s\n", w, "IDENTITY", "TENANT", "PARTNER", "STATE",
	       "UPDATED", "PARTNER NAME");
	for (size_t i = 0; i < n; i++) {
		const struct link_result *r = &res[i];
		if (r->failed) {
			printf("%-*s %-36s %-10s %-8s error: %s\n", w, account_name(r->acct),
			       r->acct->tenant_id, "?", "?", r->explanation);
			continue;
		}
		printf("%-*s %-36s %-10s %-8s %-28s %s\n", w, account_name(r->acct),
		       r->acct->tenant_id, r->linked ? r->partner_id : "-",
		       r->linked ? or_dash(r->state) : "none", r->linked ? or_dash(r->updated_time) : "-",
		       r->linked ? or_dash(r->partner_name) : "not linked");
	}
	return 0;
}

/* The result column of plan/apply/remove. */
static void
result_text(const struct link_result *r, enum link_cmd cmd, char *out, size_t n)
{
	if (r->outcome == LINK_O_OK) {
		const char *note = r->explanation[0] ? r->explanation : NULL;
		if (r->d.verdict == LINK_V_REMOVE)
			snprintf(out, n, "done: link to %s removed (HTTP %ld, request %s)%s%s",
				 r->partner_id, r->http_status, or_dash(r->request_id),
				 note ? "; " : "", note ? note : "");
		else
			snprintf(out, n, "done: now linked to %s (HTTP %ld, request %s)%s%s",
				 or_dash(r->after), r->http_status, or_dash(r->request_id),
				 note ? "; " : "", note ? note : "");
		return;
	}
	if (r->failed) {
		if (r->outcome == LINK_O_FAILED)
			snprintf(out, n, "FAILED (HTTP %ld, request %s): %s", r->http_status,
				 or_dash(r->request_id), r->explanation);
		else
			snprintf(out, n, "FAILED: %s", r->explanation);
		return;
	}
	if (cmd == LINK_CMD_PLAN && link_verdict_writes(r->d.verdict))
		snprintf(out, n, "would %s: %s", r->d.operation, r->d.reason);
	else
		snprintf(out, n, "%s", r->d.reason);
}

static void
print_plan(const struct link_result *res, size_t n, enum link_cmd cmd)
{
	char text[1600];

	int w = name_width(res, n);
	printf("%-*s %-36s %-10s %-12s %s\n", w, "IDENTITY", "TENANT", "CURRENT", "ACTION",
	       cmd == LINK_CMD_PLAN ? "DETAIL" : "RESULT");
	for (size_t i = 0; i < n; i++) {
		const struct link_result *r = &res[i];
		const char *cur = !r->selected ? "" : !r->read_ok ? "?" : r->linked ? r->partner_id : "none";
		const char *action = r->failed && !link_verdict_writes(r->d.verdict)
					     ? "error"
					     : link_verdict_name(r->d.verdict);
		result_text(r, cmd, text, sizeof(text));
		printf("%-*s %-36s %-10s %-12s %s\n", w, account_name(r->acct), r->acct->tenant_id,
		       or_dash(cur), action, text);
	}
}

static void
print_summary(const struct link_args *a, const struct link_run_stats *st, int64_t batch)
{
	int not_selected = st->identities - st->selected;

	if (a->quiet)
		return;
	if (a->cmd == LINK_CMD_SHOW) {
		printf("\nlink show: %d identities, %d could not be read; %ld requests (%ld "
		       "retries, %ld throttled), %.1fs\n",
		       st->identities, st->failed, st->requests, st->retries, st->throttled,
		       st->seconds);
		return;
	}
	if (a->cmd == LINK_CMD_PLAN)
		printf("\nlink plan for partner ID %s: %d to create, %d to update, %d already "
		       "linked, %d skipped",
		       a->partner_id, st->created, st->updated, st->unchanged, st->skipped);
	else if (a->cmd == LINK_CMD_APPLY)
		printf("\nlink apply of partner ID %s: %d created, %d updated, %d unchanged, %d "
		       "skipped",
		       a->partner_id, st->created, st->updated, st->unchanged, st->skipped);
	else
		printf("\nlink remove of partner ID %s: %d removed, %d unchanged, %d kept (linked "
		       "to another ID)",
		       a->partner_id, st->removed, st->unchanged, st->skipped);
	printf(", %d failed", st->failed);
	if (not_selected)
		printf(", %d not selected", not_selected);
	printf(" (%d identities); %ld requests (%ld retries, %ld throttled), %.1fs\n",
	       st->identities, st->requests, st->retries, st->throttled, st->seconds);
	if (batch > 0)
		printf("audit: batch %lld in %s ('palscope link history' lists it)\n",
		       (long long)batch, default_db_path(a->dbpath));
	if (a->cmd == LINK_CMD_PLAN && (st->created || st->updated))
		printf("run 'palscope link apply' with the same options to make these changes\n");
}

/* ---- history ------------------------------------------------------------------- */

struct hist_ctx {
	bool csv;
	struct report_csv o;
	long rows;
};

static int
hist_row(const struct link_history_row *r, void *payload)
{
	struct hist_ctx *h = payload;

	h->rows++;
	if (h->csv) {
		report_csv_int(&h->o, r->change_id);
		report_csv_int(&h->o, r->batch_id);
		cell(&h->o, r->command);
		cell(&h->o, r->started_at);
		cell(&h->o, r->finished_at);
		cell(&h->o, r->identity);
		cell(&h->o, r->client_id);
		cell(&h->o, r->tenant_id);
		cell(&h->o, r->object_id);
		cell(&h->o, r->operation);
		cell(&h->o, r->method);
		cell(&h->o, r->partner_before);
		cell(&h->o, r->partner_after);
		cell(&h->o, r->outcome);
		if (r->http_status)
			report_csv_int(&h->o, r->http_status);
		else
			report_csv_empty(&h->o);
		cell(&h->o, r->request_id);
		cell(&h->o, r->error_code);
		cell(&h->o, r->error_message);
		cell(&h->o, r->explanation);
		report_csv_end_row(&h->o);
		return 0;
	}
	char http[16] = "-";
	if (r->http_status)
		snprintf(http, sizeof(http), "%ld", r->http_status);
	const char *outcome = strcmp(r->outcome, "pending") == 0 ? "unknown" : r->outcome;
	printf("%-5lld %-20s %-6s %-24s %-36s %-7s %10s -> %-10s %-8s %-4s %s\n",
	       (long long)r->change_id, or_dash(r->started_at), or_dash(r->command),
	       or_dash(r->identity), or_dash(r->tenant_id), or_dash(r->operation),
	       or_dash(r->partner_before), or_dash(r->partner_after), outcome, http,
	       or_dash(r->request_id));
	if (strcmp(r->outcome, "pending") == 0)
		printf("      interrupted before the answer arrived: the change may or may not "
		       "have been made\n");
	else if (r->explanation && *r->explanation)
		printf("      %s\n", r->explanation);
	return 0;
}

static int
run_history(const struct link_args *a)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct hist_ctx h = { .csv = a->csv };
	const char *path = default_db_path(a->dbpath);
	int rc = EXIT_OK;

	if (access(path, F_OK) != 0) {
		if (!a->csv)
			printf("no link changes recorded: '%s' does not exist\n", path);
		else
			rc = usage_error("link", "database '%s' does not exist", path);
		return rc;
	}
	if (cli_db_open(&db, path, 0, &err) < 0) {
		rc = cli_fail(&err);
		db_close(&db);
		return rc;
	}
	if (a->csv) {
		static const char *const hdr[] = {
			"change_id",	  "batch_id",	   "command",	  "started_at",
			"finished_at",	  "identity",	   "client_id",	  "tenant_id",
			"object_id",	  "operation",	   "method",	  "partner_before",
			"partner_after",  "outcome",	   "http_status", "request_id",
			"error_code",	  "error_message", "explanation",
		};
		report_csv_begin(&h.o, stdout, false);
		for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
			cell(&h.o, hdr[i]);
		report_csv_end_row(&h.o);
	} else {
		printf("%-5s %-20s %-6s %-24s %-36s %-7s %10s    %-10s %-8s %-4s %s\n", "#", "TIME",
		       "CMD", "IDENTITY", "TENANT", "CHANGE", "BEFORE", "AFTER", "OUTCOME", "HTTP",
		       "REQUEST ID");
	}
	if (link_audit_history(&db, a->tenant, a->limit ? a->limit : -1, hist_row, &h, &err) < 0)
		rc = cli_fail(&err);
	if (a->csv && report_csv_end(&h.o) < 0 && rc == EXIT_OK) {
		err_set(&err, RC_IO, "cannot write to standard output: %s", strerror(h.o.errnum));
		rc = cli_fail(&err);
	}
	if (!a->csv && h.rows == 0)
		printf("(no link changes recorded)\n");
	db_close(&db);
	return rc;
}

/* ---- show / plan / apply / remove ----------------------------------------------- */

static int
run_links(struct link_args *a)
{
	struct accounts accts = { 0 };
	struct tenant_domains domains = { 0 };
	struct link_tenant_set only = LINK_TENANT_SET_INIT;
	struct cli_endpoints ep = { 0 };
	struct db db = DB_INIT;
	struct link_audit *audit = NULL;
	struct link_result *res = NULL;
	bool *selected = NULL;
	struct err err = ERR_INIT;
	struct link_run_stats st;
	struct user_credential cred = { 0 };
	bool file_user = false; /* the accounts file has auth user lines: cred is loaded */
	int rc;

	if ((rc = cli_endpoints_resolve("link", &a->ea.o, &ep)) != 0)
		goto out;
	/* Tenants given as domains: their GUIDs (what reports and --only-missing-from name). */
	struct azure_endpoint aep =
		cli_azure_endpoint(&ep, a->ea.o.ca_bundle, a->ea.concurrency, a->ea.timeout_s);
	if (a->user) {
		cli_on_stop_signals();
		if ((rc = cli_user_accounts("link", &aep, a->tenants, a->no_cache, &cred, &accts, NULL)) != 0)
			goto out;
	} else if ((a->accounts ? accounts_load(a->accounts, &accts, &err)
				: accounts_from_env(&accts, &err)) < 0) {
		rc = usage_error("link", "%s", err.msg);
		goto out;
	}
	if (!a->user && (rc = cli_user_for_accounts("link", &aep, &accts, &cred, &file_user)) != 0)
		goto out;
	tenant_resolve(&aep, &accts, &domains, &cli_stop_flag);
	if (tenant_check_duplicates(&accts, a->accounts ? a->accounts : "environment", &err) < 0) {
		rc = usage_error("link", "%s", err.msg);
		goto out;
	}
	for (size_t k = 0; k < domains.n; k++)
		if (domains.v[k].tenant_id[0])
			log_info("tenant domain %s is tenant %s", domains.v[k].domain,
				 domains.v[k].tenant_id);
	if (a->only_missing) {
		if (link_report_tenants(a->only_missing, &only, &err) < 0) {
			rc = usage_error("link", "--only-missing-from: %s", err.msg);
			goto out;
		}
		selected = xcalloc(accts.n ? accts.n : 1, sizeof(*selected));
		for (size_t i = 0; i < accts.n; i++)
			selected[i] = link_tenant_set_has(&only, accts.v[i].tenant_id);
		for (size_t t = 0; t < only.n; t++) {
			bool found = false;
			for (size_t i = 0; i < accts.n && !found; i++)
				found = str_ieq(accts.v[i].tenant_id, only.v[t]);
			if (!found)
				log_warn("%s lists tenant %s as missing, but no identity of the "
					 "accounts file signs in to it",
					 a->only_missing, only.v[t]);
		}
		if (only.n == 0)
			log_warn("%s has no NO_LINK or LINK_WRONG_PARTNER_ID rows: nothing to do",
				 a->only_missing);
	}

	bool writes = a->cmd == LINK_CMD_APPLY || a->cmd == LINK_CMD_REMOVE;
	if (writes) {
		if (cli_db_open(&db, a->dbpath, DB_CREATE, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
		struct link_batch_info bi = {
			.command = a->cmd == LINK_CMD_APPLY ? "apply" : "remove",
			.partner_id = a->partner_id,
			.allow_update = a->update,
			.only_missing_from = a->only_missing,
			.arm_url = ep.arm,
			.identities = (int)accts.n,
		};
		if (link_audit_begin(&db, &bi, &audit, &err) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
	}

	cli_on_stop_signals();

	struct link_run_opts o = {
		.cmd = a->cmd,
		.ep = aep,
		.partner_id = a->partner_id,
		.allow_update = a->update,
		.selected = selected,
		.audit = audit,
		.user = a->user || file_user ? &cred : NULL,
	};
	res = xcalloc(accts.n ? accts.n : 1, sizeof(*res));
	int lrc = link_run(&o, &accts, res, &cli_stop_flag, &st, &err);
	int lrc_exit = lrc < 0 ? cli_fail(&err) : EXIT_OK;

	if (a->cmd == LINK_CMD_SHOW) {
		if (print_show(res, accts.n, a->csv) < 0 && lrc == 0) {
			lrc = -1;
			lrc_exit = EXIT_DB_IO;
		}
	} else {
		print_plan(res, accts.n, a->cmd);
	}
	int64_t batch = audit ? link_audit_batch_id(audit) : 0;
	if (!a->csv)
		print_summary(a, &st, batch);
	if (audit) {
		const char *status = cli_got_signal || lrc < 0 ? "incomplete"
				     : st.failed		? "partial"
							: "complete";
		struct err e2 = ERR_INIT;
		if (link_audit_end(audit, status, st.created + st.updated + st.removed, st.failed,
				   &e2) < 0) {
			lrc_exit = cli_fail(&e2);
			lrc = -1;
		}
		audit = NULL;
	}
	if (cli_got_signal) {
		log_error("interrupted: identities not done are listed as failed; run the command "
			  "again (it reads every link first, so nothing is done twice)");
		rc = EXIT_FAILED;
	} else if (lrc < 0) {
		rc = lrc_exit;
	} else if (st.failed) {
		rc = EXIT_FAILED;
	} else {
		rc = EXIT_OK;
	}
out:
	if (audit)
		link_audit_end(audit, "incomplete", 0, 0, &err);
	db_close(&db);
	free(res);
	free(selected);
	link_tenant_set_release(&only);
	/* Keep the newest refresh token Microsoft gave. */
	if ((a->user || file_user) && !a->no_cache && cred.replaced > 0 &&
	    token_cache_save(&cred, ep.login, &err) < 0)
		log_error("%s", err.msg);
	user_credential_release(&cred);
	accounts_release(&accts);
	tenant_domains_release(&domains);
	cli_endpoints_release(&ep);
	return rc;
}

int
cmd_link(int argc, char **argv)
{
	struct link_args a = { 0 };
	static const struct {
		const char *name;
		enum link_cmd cmd;
		bool history;
	} subs[] = {
		{ "show", LINK_CMD_SHOW, false },     { "plan", LINK_CMD_PLAN, false },
		{ "apply", LINK_CMD_APPLY, false },   { "remove", LINK_CMD_REMOVE, false },
		{ "history", LINK_CMD_SHOW, true },
	};
	int rc;

	if (argc < 2)
		return usage_error("link", "missing link command (show, plan, apply, remove, "
					   "history)");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		char *help[] = { argv[0], (char *)"--help", NULL };
		return parse_args(2, help, &a) < 0 ? EXIT_OK : EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(subs[i].name, argv[1]) == 0) {
			a.sub = subs[i].name;
			a.cmd = subs[i].cmd;
			a.history = subs[i].history;
		}
	}
	if (a.sub == NULL)
		return usage_error("link", "unknown link command '%s' (show, plan, apply, remove, "
					   "history)",
				   argv[1]);
	rc = parse_args(argc - 1, argv + 1, &a);
	if (rc < 0)
		rc = EXIT_OK; /* --help */
	else if (rc == 0)
		rc = a.history ? run_history(&a) : run_links(&a);
	free(a.partner_ids.v);
	return rc;
}
