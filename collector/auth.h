/*
 * Signing in: the client-credentials token request, the token response, the
 * principal's object id from the token's oid claim, and token commands.
 * Secrets and tokens are never logged or stored.
 */
#ifndef PALSCOPE_COLLECTOR_AUTH_H
#define PALSCOPE_COLLECTOR_AUTH_H

#include <time.h>

#include "common/err.h"

struct cJSON;

/* "{login}/{tenant}/oauth2/v2.0/token"; caller frees. */
char *auth_token_url(const char *login_base, const char *tenant_id);

/*
 * The form body: client_id, scope "{resource}/.default", client_secret,
 * grant_type=client_credentials, URL-encoded. Caller frees (and should wipe).
 */
char *auth_token_body(const char *client_id, const char *secret, const char *resource);

/*
 * The form body of a client-credentials request with a client assertion (a certificate's
 * signed JWT or a federated token): client_id, scope, client_assertion_type jwt-bearer,
 * client_assertion, grant_type. Caller frees (and should wipe).
 */
char *auth_assertion_body(const char *client_id, const char *assertion, const char *resource);

/*
 * Parse a token endpoint response (also a managed identity endpoint's: expires_in or
 * expires_on, numbers or strings). On success *token (caller frees) and
 * *expires_at (absolute epoch) are set. On an error response the message
 * carries the AADSTS code and text (never the secret).
 */
int auth_parse_token_response(long http_status, const char *body, char **token,
			      time_t *expires_at, struct err *err);

/*
 * The oid claim (and tid, when tid_out is not NULL; 37 bytes each) of a JWT
 * access token. Returns RC_PARSE when the token is not a JWT with an oid.
 */
int auth_token_claims(const char *token, char *oid_out, char *tid_out, time_t *exp_out,
		      struct err *err);

/*
 * The decoded payload (claims) of a JWT access token; caller deletes it.
 * RC_PARSE when the token is not a JWT.
 */
int auth_token_payload(const char *token, struct cJSON **out, struct err *err);

/*
 * Run a token command with /bin/sh and take the first non-empty line of its
 * standard output as an ARM access token (caller frees). The child's
 * environment is this process's without the n_unset variables named in unset
 * (other identities' secrets).
 */
int auth_run_token_command(const char *command, const char *const *unset, size_t n_unset,
			   char **token, struct err *err);

/*
 * azure-identity's AzureCliCredential: run `az account get-access-token --tenant T
 * --resource R --output json` (az from PATH, no shell; without --tenant when tenant_id is
 * NULL: az's default tenant) and take accessToken, expires_on (epoch; 0 when absent) and
 * tenant (into tenant_out, 37 bytes, when not NULL; "" when absent). A non-zero exit says how
 * to sign in to that tenant: az's AADSTS error on stderr is classified (collector/aadsts.h).
 */
int auth_run_az(const char *tenant_id, const char *resource, const char *const *unset,
		size_t n_unset, char **token, time_t *expires_at, char *tenant_out,
		struct err *err);

#endif
