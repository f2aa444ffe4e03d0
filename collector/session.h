/*
 * Signed-in identities on an HTTP engine: one token per identity, acquired
 * on first use (client credentials through the engine, a token command, or
 * the signed-in user's refresh token redeemed at the identity's tenant),
 * refreshed before it expires or when ARM answers 401 with an expired or
 * invalid token, and attached to each request as it starts. A 429 holds
 * that identity's requests until the Retry-After time; the others go on.
 *
 * Every token must be for the identity's tenant (its tid claim) and name a
 * principal (oid): a token for another tenant is a failed sign-in, never used.
 *
 * Requests sent as an identity carry it in req->principal. Used by collect
 * and by link management.
 */
#ifndef PALSCOPE_COLLECTOR_SESSION_H
#define PALSCOPE_COLLECTOR_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "collector/accounts.h"
#include "collector/http.h"

struct session_ident {
	const struct account *acct;
	const char *resource;	/* token audience; NULL: the session's (ARM) */
	int64_t id;		/* the sink's identity id */
	void *user;		/* the owner's per-identity state */
	char oid[37];		/* the token's oid claim, once signed in */
	char tid[37];		/* its tid claim ("" when the token has none) */
	bool mfa;		/* the token's amr claim has "mfa" (AUTH_USER) */
	bool signed_in;		/* a token was obtained at least once */
	bool signin_failed;	/* sign-in failed; requests as this identity fail */
	char error[512];	/* why sign-in failed */
	/* private */
	char *token;
	time_t token_exp;
	long token_gen;
	bool token_pending;
	int64_t hold_until;
};

struct session_hooks {
	/* The first successful sign-in of si: start its reads here. */
	void (*signed_in)(struct session_ident *si, void *payload);
	/*
	 * Sign-in failed (si->error says why). r is the token request when one
	 * was sent (its status, body and request id are valid), else NULL.
	 */
	void (*signin_failed)(struct session_ident *si, const struct http_req *r, void *payload);
	/* A token request finished either way (the identity may now be idle). */
	void (*token_done)(struct session_ident *si, void *payload);
	void *payload;
};

struct user_credential;

struct session_opts {
	const char *login_url;	/* identity platform, no trailing slash */
	const char *resource;	/* token audience: scope is "{resource}/.default" */
	struct session_hooks hooks;
	/*
	 * The signed-in user whose refresh token AUTH_USER identities redeem at their
	 * tenant; each answer's new refresh token replaces it (c->replaced counts them).
	 */
	struct user_credential *user;
};

/* Where and how to talk to Azure: what collect and link management share. */
struct azure_endpoint {
	const char *arm_url;	/* Resource Manager, no trailing slash */
	const char *login_url;	/* identity platform, no trailing slash */
	const char *resource;	/* token audience: the cloud's ARM resource, even when
				 * arm_url is overridden */
	const char *graph_url;	/* Microsoft Graph, no trailing slash (NULL: not read) */
	const char *graph_resource; /* its token audience, even when graph_url is overridden */
	const char *ca_bundle;	/* NULL: the system store */
	int concurrency;	/* transfers at once */
	long connect_timeout_ms;
	long timeout_ms;
	struct retry_policy retry;
};

struct session;

/*
 * A session and its engine. eo is used as given except for prepare,
 * on_retry and their payload, which the session sets.
 */
struct session *session_new(const struct session_opts *so, const struct http_engine_opts *eo);
/* Frees the session and its engine (queued requests are dropped). */
void session_free(struct session *s);

/* Wipe and free si's token. */
void session_ident_release(struct session_ident *si);

/*
 * A session on a new engine for ep: plain http only when both endpoints are
 * loopback, responses capped at max_body bytes, HTTP trace at -vv.
 */
struct session *session_open(const struct azure_endpoint *ep, size_t max_body,
			     const struct session_hooks *hooks);

struct http_engine *session_engine(struct session *s);

/* The signed-in user for AUTH_USER identities (see session_opts.user). */
void session_set_user(struct session *s, struct user_credential *c);

/*
 * The identities of the run (kept, not copied): a token command then runs without the
 * secret_env variables of the others, and without AZURE_CLIENT_SECRET unless that is its own.
 */
void session_set_accounts(struct session *s, const struct accounts *accounts);

/*
 * Sign si in. Token commands run now; client-credential sign-ins are queued
 * on the engine. Hooks report the outcome.
 */
void session_start(struct session *s, struct session_ident *si);

/* A new request sent as si (req->principal set); submit it with http_submit. */
struct http_req *session_req(struct session_ident *si, const char *method, const char *url);

#endif
