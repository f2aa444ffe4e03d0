/*
 * palscope login: the OAuth 2.0 device authorization grant of the Microsoft
 * identity platform (MicrosoftDocs/azure-docs v2-oauth2-device-code.md).
 * POST {login}/{tenant}/oauth2/v2.0/devicecode with the client id and scope
 * "{arm}/.default offline_access"; Microsoft's message (the URL and the
 * code) goes to stderr; then POST .../token with the device code every
 * `interval` seconds: authorization_pending keeps polling, slow_down adds
 * 5 s to the interval, authorization_declined, expired_token and
 * bad_verification_code end it. The answer's access token must be for the
 * tenant asked (when a GUID was given) and name the user (oid); its
 * refresh token is what the token cache keeps.
 */
#ifndef PALSCOPE_COLLECTOR_DEVICECODE_H
#define PALSCOPE_COLLECTOR_DEVICECODE_H

#include "collector/session.h"
#include "collector/user_auth.h"
#include "common/err.h"

struct devicecode_opts {
	const struct azure_endpoint *ep;
	const char *tenant;	/* GUID, domain, or "organizations" (default) */
	const char *client_id;	/* NULL: USER_DEFAULT_CLIENT_ID */
	volatile sig_atomic_t *stop;	/* set by a signal: give up */
};

/*
 * Sign in. On success c holds the client id, the user's home tenant, object
 * id, UPN and the refresh token (owned by c), and claims what the access
 * token said (its tenant, mfa). RC_AUTH with the reason otherwise.
 */
int devicecode_login(const struct devicecode_opts *o, struct user_credential *c,
		     struct user_claims *claims, struct err *err);

#endif
