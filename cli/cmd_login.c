/*
 * palscope login / logout: sign in as yourself with the device code flow
 * (collector/devicecode.h) and keep the refresh token in the token cache
 * (collector/token_cache.h), so `collect --user` and `link ... --user` can
 * reach every tenant you are a member or guest of; logout deletes it.
 */
#include "cli/cli.h"
#include "cli/opt.h"
#include "collector/devicecode.h"
#include "collector/token_cache.h"
#include "common/log.h"
#include "common/util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_help(const struct cli_arg *args)
{
	printf("usage: palscope login [--tenant TENANT] [--client-id ID] [--cloud NAME]\n"
	       "                      [--login-url URL] [--ca-bundle FILE] [--timeout SECONDS]\n"
	       "       palscope logout\n\n"
	       "Sign in as yourself with a device code (open the URL shown, enter the code)\n"
	       "and keep the sign-in for 'collect --user' and 'link ... --user'. The refresh\n"
	       "token is kept in $XDG_STATE_HOME/palscope/login.json (default\n"
	       "~/.local/state/palscope/), readable by you only; logout deletes it.\n\n");
	cli_opts_help(stdout, args);
	printf("\nExit status: 0 signed in, 1 the sign-in failed, 2 usage error, 3 the sign-in\n"
	       "cannot be kept (the token cache cannot be written).\n");
	cli_help_footer(stdout);
}

static void
print_logout_help(void)
{
	printf("usage: palscope logout\n\n"
	       "Forget the sign-in of 'palscope login': delete the refresh token kept in\n"
	       "$XDG_STATE_HOME/palscope/login.json (default ~/.local/state/palscope/).\n\n"
	       "Exit status: 0 done (also when there was no sign-in), 3 the file could not be\n"
	       "deleted, 2 usage error.\n");
}

static int
cmd_logout(int argc, char **argv)
{
	struct err err = ERR_INIT;
	char file[PATH_MAX];
	bool removed;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		print_logout_help();
		return EXIT_OK;
	}
	if (argc > 1)
		return usage_error("logout", "unexpected argument '%s'", argv[1]);
	if (token_cache_paths(NULL, file, sizeof(file), &err) < 0 ||
	    token_cache_remove(&removed, &err) < 0)
		return cli_fail(&err);
	if (log_level >= LOG_WARN)
		fprintf(stderr, removed ? "palscope: signed out (deleted %s)\n"
					: "palscope: not signed in (no %s)\n",
			file);
	return EXIT_OK;
}

int
cmd_login(int argc, char **argv)
{
	const char *tenant = NULL, *client = NULL;
	struct cli_endpoint_args ea;
	cli_endpoint_args_init(&ea, 0);
	const struct cli_arg args[] = {
		{ O_LOGIN_TENANT, &tenant }, { O_CLIENT_ID, &client },
		{ CLI_INCLUDE, ea.args },    { CLI_END, NULL },
	};
	struct cli_endpoints ep = { 0 };
	struct user_credential cred = { 0 }, old = { 0 };
	struct user_claims claims;
	struct err err = ERR_INIT;
	char file[PATH_MAX], old_login[512];
	int pos, rc = EXIT_OK;

	if (strcmp(argv[0], "logout") == 0)
		return cmd_logout(argc, argv);
	if (!cli_parse("login", args, print_help, argc, argv, &pos, &rc))
		return rc;
	if (tenant && (!*tenant || strpbrk(tenant, "/?#% ")))
		return usage_error("login", "--tenant '%s' is not a tenant id or domain", tenant);
	if ((rc = cli_endpoints_resolve("login", &ea.o, &ep)) != 0)
		return rc;
	if (token_cache_paths(NULL, file, sizeof(file), &err) < 0) {
		rc = usage_error("login", "%s", err.msg);
		goto out;
	}
	cli_on_stop_signals();
	struct azure_endpoint aep = cli_azure_endpoint(&ep, ea.o.ca_bundle, 4, ea.timeout_s);
	aep.arm_url = aep.login_url; /* login talks to the identity platform only */
	struct devicecode_opts dopt = { .ep = &aep, .tenant = tenant, .client_id = client,
					.stop = &cli_stop_flag };
	if (devicecode_login(&dopt, &cred, &claims, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	/* Signing in to a guest tenant: the home tenant's object id is the one already known. */
	if (!cred.oid[0] && token_cache_load(&old, old_login, sizeof(old_login), &err) == 0 &&
	    str_ieq(old.home_tenant, cred.home_tenant))
		memcpy(cred.oid, old.oid, sizeof(cred.oid));
	if (token_cache_save(&cred, ep.login, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (log_level >= LOG_WARN)
		fprintf(stderr,
			"palscope: signed in as %s to tenant %s (object id %s, home tenant %s, "
			"multi-factor authentication: %s); kept in %s\n",
			cred.upn[0] ? cred.upn : "?", claims.tid, claims.oid, cred.home_tenant,
			claims.mfa ? "yes" : "no", file);
out:
	user_credential_release(&cred);
	user_credential_release(&old);
	cli_endpoints_release(&ep);
	return rc;
}
