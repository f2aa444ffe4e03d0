/*
 * --user for collect and link: the signed-in user of palscope login (or a device code sign-in
 * for this run only) and one identity per tenant the user reaches (collector/user_tenants.h).
 */
#include "cli/cli.h"
#include "collector/devicecode.h"
#include "collector/token_cache.h"
#include "collector/user_tenants.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

int
cli_user_accounts(const char *cmd, const struct azure_endpoint *ep, const char *tenants_path,
		  bool no_cache, struct user_credential *cred, struct accounts *out,
		  struct user_tenant_pages *pages)
{
	struct user_tenant *tv = NULL;
	struct err err = ERR_INIT;
	char cached_login[512] = "";
	size_t n = 0;
	int rc = EXIT_OK;

	if (tenants_path && user_tenants_load(tenants_path, &tv, &n, &err) < 0)
		return usage_error(cmd, "%s", err.msg);
	cli_on_stop_signals();
	if (no_cache) {
		struct azure_endpoint lep = *ep;
		struct user_claims claims;
		lep.arm_url = lep.login_url; /* the device code flow talks to the identity platform */
		struct devicecode_opts dopt = { .ep = &lep, .stop = &cli_stop_flag };
		if (devicecode_login(&dopt, cred, &claims, &err) < 0) {
			log_error("%s", err.msg);
			rc = EXIT_FAILED;
			goto out;
		}
		if (!cred->oid[0] && str_ieq(claims.tid, cred->home_tenant))
			memcpy(cred->oid, claims.oid, sizeof(cred->oid));
	} else {
		int lrc = token_cache_load(cred, cached_login, sizeof(cached_login), &err);
		if (lrc == RC_NOTFOUND) {
			rc = usage_error(cmd, "--user: not signed in: run palscope login first "
				       "(or --user --no-cache)");
			goto out;
		}
		if (lrc < 0) {
			log_error("%s", err.msg);
			rc = EXIT_FAILED;
			goto out;
		}
		if (cached_login[0] && strcmp(cached_login, ep->login_url) != 0) {
			rc = usage_error(cmd,
					 "--user: the sign-in was made at %s, not %s: run palscope "
					 "login with the same --cloud/--login-url",
					 cached_login, ep->login_url);
			goto out;
		}
	}
	if (tv == NULL && user_tenants_list(ep, cred, &cli_stop_flag, &tv, &n, pages, &err) < 0) {
		log_error("%s", err.msg);
		rc = EXIT_FAILED;
		goto out;
	}
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		struct account *a = &out->v[i];
		a->auth = AUTH_USER;
		a->tenant_id = xstrdup(tv[i].id);
		a->upn = xstrdup(cred->upn[0] ? cred->upn : cred->oid);
	}
	if (!no_cache && cred->replaced > 0 && token_cache_save(cred, ep->login_url, &err) < 0)
		log_error("%s", err.msg);
	if (log_level >= LOG_INFO)
		log_info("signed in as %s: %zu tenant(s)", cred->upn, n);
out:
	free(tv);
	return rc;
}

int
cli_az_accounts(const char *cmd, const struct azure_endpoint *ep, struct accounts *out,
		struct user_tenant_pages *pages)
{
	struct user_tenant *tv = NULL;
	struct az_signin who;
	struct err err = ERR_INIT;
	size_t n = 0;

	(void)cmd;
	cli_on_stop_signals();
	if (az_tenants_list(ep, NULL, &cli_stop_flag, &tv, &n, pages, &who, &err) < 0) {
		log_error("--az: %s", err.msg);
		return EXIT_FAILED;
	}
	out->v = xcalloc(n ? n : 1, sizeof(*out->v));
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		struct account *a = &out->v[i];
		a->auth = AUTH_AZ;
		a->az_all = true;
		a->tenant_id = xstrdup(tv[i].id);
		a->upn = xstrdup(who.upn[0] ? who.upn : who.oid);
	}
	if (log_level >= LOG_INFO)
		log_info("az is signed in as %s (tenant %s): %zu tenant(s)", who.upn, who.tenant, n);
	free(tv);
	return EXIT_OK;
}

int
cli_user_for_accounts(const char *cmd, const struct azure_endpoint *ep, struct accounts *accts,
		      struct user_credential *cred, bool *have)
{
	struct err err = ERR_INIT;
	char cached_login[512] = "";
	bool any = false;

	*have = false;
	for (size_t i = 0; i < accts->n && !any; i++)
		any = accts->v[i].auth == AUTH_USER;
	if (!any)
		return EXIT_OK;
	int lrc = token_cache_load(cred, cached_login, sizeof(cached_login), &err);
	if (lrc == RC_NOTFOUND)
		return usage_error(cmd, "the accounts file has auth user lines but no one is signed "
				   "in: run palscope login first");
	if (lrc < 0) {
		log_error("%s", err.msg);
		return EXIT_FAILED;
	}
	if (cached_login[0] && strcmp(cached_login, ep->login_url) != 0)
		return usage_error(cmd,
				   "auth user: the sign-in was made at %s, not %s: run palscope "
				   "login with the same --cloud/--login-url",
				   cached_login, ep->login_url);
	for (size_t i = 0; i < accts->n; i++) {
		struct account *a = &accts->v[i];
		if (a->auth == AUTH_USER && a->upn == NULL)
			a->upn = xstrdup(cred->upn[0] ? cred->upn : cred->oid);
	}
	*have = true;
	return EXIT_OK;
}

int
cli_az_expand(const char *cmd, const struct azure_endpoint *ep, struct accounts *accts,
	      struct user_tenant_pages *pages, bool *expanded)
{
	size_t at = accts->n;

	*expanded = false;
	for (size_t i = 0; i < accts->n && at == accts->n; i++)
		if (accts->v[i].az_all)
			at = i;
	if (at == accts->n)
		return EXIT_OK;
	struct account *line = &accts->v[at];
	struct user_tenant *tv = NULL;
	struct az_signin who;
	struct err err = ERR_INIT;
	size_t n = 0;

	cli_on_stop_signals();
	/* az runs without the other lines' secret variables (as for --az) */
	if (az_tenants_list(ep, accts, &cli_stop_flag, &tv, &n, pages, &who, &err) < 0) {
		log_error("%s: accounts line %d (auth az, every tenant): %s", cmd, line->line,
			  err.msg);
		return EXIT_FAILED;
	}
	struct accounts out = { .v = xcalloc(accts->n + n, sizeof(*out.v)),
				.cp1252_line = accts->cp1252_line };
	for (size_t i = 0; i < accts->n; i++) {
		if (i != at) {
			out.v[out.n++] = accts->v[i]; /* moved: its strings are out's now */
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			bool named = false; /* a line of its own for that tenant wins */
			for (size_t j = 0; j < accts->n && !named; j++)
				named = j != at && accts->v[j].auth == AUTH_AZ &&
					accts->v[j].tenant_id && str_ieq(accts->v[j].tenant_id, tv[k].id);
			if (named)
				continue;
			struct account *a = &out.v[out.n++];
			a->auth = AUTH_AZ;
			a->az_all = true;
			a->line = line->line;
			a->tenant_id = xstrdup(tv[k].id);
			a->label = line->label ? xstrdup(line->label) : NULL;
			a->upn = xstrdup(who.upn[0] ? who.upn : who.oid);
		}
	}
	int line_no = line->line;
	struct accounts old = { .v = xmalloc(sizeof(*line)), .n = 1 };
	old.v[0] = *line; /* the every-tenant line itself: its strings go */
	accounts_release(&old);
	free(accts->v);
	*accts = out;
	*expanded = true;
	if (log_level >= LOG_INFO)
		log_info("az is signed in as %s (tenant %s): %zu tenant(s) for accounts line %d",
			 who.upn, who.tenant, n, line_no);
	free(tv);
	return EXIT_OK;
}
