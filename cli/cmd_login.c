/*
 * palscope login / logout: sign in as yourself with the device code flow
 * (collector/devicecode.h) and keep the refresh token in the token cache
 * (collector/token_cache.h), so `collect --user` and `link ... --user` can
 * reach every tenant you are a member or guest of; logout deletes it.
 */
#include "cli/cli.h"
#include "collector/devicecode.h"
#include "collector/token_cache.h"
#include "common/log.h"
#include "common/util.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
print_help(void)
{
	printf("usage: palscope login [--tenant TENANT] [--client-id ID] [--cloud NAME]\n"
	       "                      [--login-url URL] [--ca-bundle FILE] [--timeout SECONDS]\n"
	       "       palscope logout\n\n"
	       "Sign in as yourself with a device code (open the URL shown, enter the code)\n"
	       "and keep the sign-in for 'collect --user' and 'link ... --user'. The refresh\n"
	       "token is kept in $XDG_STATE_HOME/palscope/login.json (default\n"
	       "~/.local/state/palscope/), readable by you only; logout deletes it.\n\n"
	       "  --tenant TENANT    tenant to sign in to (GUID or domain; default: your home\n"
	       "                     tenant). Sign in to a guest tenant once this way when it\n"
	       "                     requires multi-factor authentication\n"
	       "  --client-id ID     public client application (default " USER_DEFAULT_CLIENT_ID
	       ",\n"
	       "                     the one the Azure CLI uses)\n"
	       "  --cloud NAME       public (default), china or usgov endpoints\n"
	       "  --login-url URL    identity platform endpoint (overrides --cloud)\n"
	       "  --ca-bundle FILE   trust this CA bundle (certificate checks stay on)\n"
	       "  --timeout SECONDS  per-request timeout (default 120)\n\n"
	       "Exit status: 0 signed in, 1 the sign-in failed, 2 usage error.\n");
}

static void
print_logout_help(void)
{
	printf("usage: palscope logout\n\n"
	       "Forget the sign-in of 'palscope login': delete the refresh token kept in\n"
	       "$XDG_STATE_HOME/palscope/login.json (default ~/.local/state/palscope/).\n\n"
	       "Exit status: 0 done (also when there was no sign-in), 1 the file could not be\n"
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
	enum { O_TENANT = 256, O_CLIENT, O_CLOUD, O_LOGIN, O_CA, O_TIMEOUT };
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, O_TENANT },
		{ "client-id", required_argument, NULL, O_CLIENT },
		{ "cloud", required_argument, NULL, O_CLOUD },
		{ "login-url", required_argument, NULL, O_LOGIN },
		{ "ca-bundle", required_argument, NULL, O_CA },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tenant = NULL, *client = NULL;
	struct cli_endpoint_opts eopt = { 0 };
	struct cli_endpoints ep = { 0 };
	struct user_credential cred = { 0 }, old = { 0 };
	struct user_claims claims;
	struct err err = ERR_INIT;
	char file[PATH_MAX], old_login[512];
	long timeout_s = 120;
	int c, rc = EXIT_OK;
	char *end;

	if (strcmp(argv[0], "logout") == 0)
		return cmd_logout(argc, argv);
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_TENANT:
			tenant = optarg;
			break;
		case O_CLIENT:
			if (!is_guid(optarg))
				return usage_error("login", "--client-id '%s' is not a GUID", optarg);
			client = optarg;
			break;
		case O_CLOUD:
			eopt.cloud = optarg;
			break;
		case O_LOGIN:
			eopt.login_url = optarg;
			break;
		case O_CA:
			eopt.ca_bundle = optarg;
			break;
		case O_TIMEOUT:
			timeout_s = strtol(optarg, &end, 10);
			if (*end || timeout_s < 1 || timeout_s > 3600)
				return usage_error("login", "--timeout '%s' must be 1 to 3600 seconds",
						   optarg);
			break;
		case 'h':
			print_help();
			return EXIT_OK;
		default:
			return usage_error("login", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("login", "unexpected argument '%s'", argv[optind]);
	if (tenant && (!*tenant || strpbrk(tenant, "/?#% ")))
		return usage_error("login", "--tenant '%s' is not a tenant id or domain", tenant);
	if ((rc = cli_endpoints_resolve("login", &eopt, &ep)) != 0)
		return rc;
	if (token_cache_paths(NULL, file, sizeof(file), &err) < 0) {
		rc = usage_error("login", "%s", err.msg);
		goto out;
	}
	cli_on_stop_signals();
	struct azure_endpoint aep = cli_azure_endpoint(&ep, eopt.ca_bundle, 4, timeout_s);
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
