/*
 * A signed-in user (palscope login): the refresh token of a public client
 * (by default the one the Azure CLI and azure-identity use), redeemed at
 * {login}/{tenant}/oauth2/v2.0/token for every tenant the user is a member
 * or guest of. A refresh token is bound to the user and the client, not to
 * a tenant; every answer carries a new one, and the newest is kept.
 *
 * The refresh token lives in memory here and in the token cache
 * (collector/token_cache.h) only: never in the database, a report, a log or
 * an argument list. It is wiped when replaced or released.
 */
#ifndef PALSCOPE_COLLECTOR_USER_AUTH_H
#define PALSCOPE_COLLECTOR_USER_AUTH_H

#include <stdbool.h>
#include <time.h>

#include "common/err.h"

/* azure-identity's DeviceCodeCredential and the az CLI: no app registration needed. */
#define USER_DEFAULT_CLIENT_ID "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

struct user_credential {
	char client_id[37];
	char home_tenant[37];	/* the user's home tenant */
	char oid[37];		/* the user's object id in the home tenant */
	char upn[256];		/* user principal name (or unique_name) */
	char *refresh_token;	/* the newest one seen; owned, wiped when replaced */
	long replaced;		/* how many newer refresh tokens arrived since loading */
};

/* Replace the refresh token with rt (taken over; the old one is wiped). */
void user_credential_take(struct user_credential *c, char *rt);

/* Wipe and free the refresh token. */
void user_credential_release(struct user_credential *c);

/*
 * The form body of a refresh-token redemption for an ARM token:
 * grant_type=refresh_token, client_id, refresh_token, scope
 * "{resource}/.default offline_access". Caller frees (and should wipe).
 */
char *user_token_body(const struct user_credential *c, const char *resource);

/* "{resource}/.default offline_access", URL-encoded into a new string. */
char *user_scope_encoded(const char *resource);

/* The refresh_token of a successful token response (caller frees), or NULL. */
char *user_response_refresh_token(const char *body);

/* What a user's access token says about the user. */
struct user_claims {
	char oid[37];		/* object id in the token's tenant */
	char tid[37];		/* the tenant that issued it */
	char home_tid[37];	/* the user's home tenant: idp's tenant for a guest, else tid */
	char upn[256];		/* upn, else unique_name, else preferred_username */
	bool mfa;		/* "mfa" is in amr */
	bool is_user;		/* idtyp is user, or a upn/unique_name is there */
};

int user_token_claims(const char *token, struct user_claims *out, struct err *err);

#endif
