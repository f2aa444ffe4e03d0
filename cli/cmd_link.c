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
#include "links/render.h"
#include "links/report_filter.h"
#include "reports/output.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope link show    [--accounts FILE | --user] [-o FORMAT] [endpoint options]\n"
	       "       palscope link plan    [--accounts FILE] --partner-id ID [--update]\n"
	       "                             [--only-missing-from REPORT.csv] [-o FORMAT]\n"
	       "                             [endpoint options]\n"
	       "       palscope link apply   [--accounts FILE] --partner-id ID [--update]\n"
	       "                             [--only-missing-from REPORT.csv] [--db FILE]\n"
	       "                             [-o FORMAT] [endpoint options]\n"
	       "       palscope link remove  [--accounts FILE] --partner-id ID --yes [--db FILE]\n"
	       "                             [-o FORMAT] [endpoint options]\n"
	       "       palscope link history [--db FILE] [--tenant GUID] [--limit N] [-o FORMAT]\n\n"
	       "Show, plan, make or remove the Partner Admin Link of every identity, each\n"
	       "signed in to its own tenant (Microsoft.ManagementPartner, api-version 2018-02-01).\n\n"
	       "  show     the current link of each identity\n"
	       "  plan     what apply would do; changes nothing\n"
	       "  apply    not linked: create the link; linked to ID: nothing; linked to another\n"
	       "           ID: skipped (it may be another location of your organisation, or\n"
	       "           another partner's link), replaced only with --update\n"
	       "  remove   delete links to ID (only those); needs --yes\n"
	       "  history  the changes apply and remove made (the audit log)\n\n"
	       "-o table (the default) is for reading, with the summary under it; csv, json and\n"
	       "tsv print the rows only, with the fields of the CSV header.\n\n"
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
	struct cli_output_args oa;
	enum out_format fmt;	/* -o, --csv; default table */
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
		{ CLI_INCLUDE, cli_output_only_args_init(&a->oa) },
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
	a->fmt = cli_output_format(&a->oa, OUT_TABLE);
	if (a->csv && a->oa.format && a->fmt != OUT_CSV)
		return usage_error("link", "--csv and --output %s: give one of them", a->oa.format);
	if (a->csv)
		a->fmt = OUT_CSV;
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

static int
run_history(const struct link_args *a)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct link_history_out h;
	const char *path = default_db_path(a->dbpath);
	int rc = EXIT_OK;

	if (access(path, F_OK) != 0) {
		if (a->fmt == OUT_TABLE)
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
	link_history_begin(&h, stdout, a->fmt);
	if (link_audit_history(&db, a->tenant, a->limit ? a->limit : -1, link_history_row, &h,
			       &err) < 0)
		rc = cli_fail(&err);
	if (link_history_end(&h) < 0 && rc == EXIT_OK)
		rc = cli_stdout_error(h.o.errnum);
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
	bool file_az = false;
	if (!a->user && (rc = cli_az_expand("link", &aep, &accts, NULL, &file_az)) != 0)
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

	int werr = a->cmd == LINK_CMD_SHOW ? link_print_show(stdout, res, accts.n, a->fmt)
					   : link_print_plan(stdout, res, accts.n, a->cmd, a->fmt);
	if (werr && lrc == 0) {
		lrc_exit = cli_stdout_error(werr);
		lrc = -1;
	}
	int64_t batch = audit ? link_audit_batch_id(audit) : 0;
	if (a->fmt == OUT_TABLE && !a->quiet && !werr)
		link_print_summary(stdout, a->cmd, a->partner_id, &st, batch,
				   default_db_path(a->dbpath));
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
