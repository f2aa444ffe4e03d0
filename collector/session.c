#include "collector/session.h"
#include "collector/aadsts.h"
#include "collector/assertion.h"
#include "collector/auth.h"
#include "collector/user_auth.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct session {
	struct session_opts o;
	struct http_engine *engine;
	const struct accounts *accounts;
};

void
session_set_accounts(struct session *s, const struct accounts *accounts)
{
	s->accounts = accounts;
}

/*
 * What a's token command (or az) must not see: the other identities' secret variables, every
 * certificate password variable, and the SDK's secret variables unless one is its own secret_env.
 */
static const char **
hidden_env(const struct session *s, const struct account *a, size_t *n)
{
	static const char *const sdk_secrets[] = { "AZURE_CLIENT_SECRET",
						   "AZURE_CLIENT_CERTIFICATE_PASSWORD",
						   "IDENTITY_HEADER" };
	size_t n_sdk = sizeof(sdk_secrets) / sizeof(sdk_secrets[0]);
	size_t cap = 2 * (s->accounts ? s->accounts->n : 0) + n_sdk;
	const char **v = xcalloc(cap, sizeof(*v));

	*n = 0;
	for (size_t i = 0; s->accounts && i < s->accounts->n; i++) {
		const char *e = s->accounts->v[i].secret_env;
		if (e && !(a->secret_env && strcmp(a->secret_env, e) == 0))
			v[(*n)++] = e;
		if (s->accounts->v[i].certificate_password_env)
			v[(*n)++] = s->accounts->v[i].certificate_password_env;
	}
	for (size_t k = 0; k < n_sdk; k++)
		if (!(a->secret_env && strcmp(a->secret_env, sdk_secrets[k]) == 0))
			v[(*n)++] = sdk_secrets[k];
	return v;
}

static void
wipe_token(struct session_ident *si)
{
	if (si->token) {
		memset(si->token, 0, strlen(si->token));
		free(si->token);
		si->token = NULL;
	}
}

static void
fail_signin(struct session *s, struct session_ident *si, const struct http_req *r,
	    const char *msg)
{
	si->signin_failed = true;
	snprintf(si->error, sizeof(si->error), "%s", msg);
	if (s->o.hooks.signin_failed)
		s->o.hooks.signin_failed(si, r, s->o.hooks.payload);
	http_engine_wakeup(s->engine); /* deferred requests now fail */
}

static void
got_token(struct session *s, struct session_ident *si, char *token, time_t exp)
{
	wipe_token(si);
	si->token = token;
	si->token_exp = exp;
	si->token_gen++;
	http_engine_wakeup(s->engine);
	if (!si->signed_in) {
		si->signed_in = true;
		if (s->o.hooks.signed_in)
			s->o.hooks.signed_in(si, s->o.hooks.payload);
	}
}

/*
 * IMDS answers on the machine's own link: off Azure nothing does, and the engine's connect
 * timeout (10 s, and its retries) would be spent on an address that never answers. Like the
 * Azure SDKs' IMDS probe (azure-identity for .NET and Java: a 1 s connect timeout, no retries,
 * Azure/azure-sdk-for-net#20609, AzureAD/microsoft-authentication-library-for-java#808; Python:
 * 0.3 s, azure/identity/_credentials/imds.py), the IMDS request gets 1 s to connect, and a
 * connect that fails or times out is final.
 */
#define SESSION_IMDS_CONNECT_MS 1000

/* "host[:port]" of url (at most n - 1 bytes). */
static void
url_host(const char *url, char *out, size_t n)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	snprintf(out, n, "%.*s", (int)strcspn(p, "/?#"), p);
}

/* Why a token request failed, in plain words: a signed-in user's AADSTS code comes with its fix. */
static void
token_error(const struct session *s, const struct session_ident *si, const struct http_req *r,
	    struct err *err)
{
	char line[512];

	if (r->cc != CURLE_OK && r->connect_timeout_ms > 0 && r->not_connected &&
	    si->acct->auth == AUTH_MANAGED_IDENTITY) {
		char host[128];
		url_host(r->url, host, sizeof(host));
		err_set(err, RC_AUTH,
			"no managed identity endpoint answered at %s within %ld s: not on Azure? use "
			"IDENTITY_ENDPOINT or another auth kind",
			host, r->connect_timeout_ms / 1000);
		return;
	}
	if (r->cc != CURLE_OK) {
		err_set(err, RC_AUTH, "sign-in failed: %s", r->errbuf);
		return;
	}
	if (si->acct->auth == AUTH_USER &&
	    aadsts_explain(aadsts_code(buf_cstr(&r->resp)), si->acct->tenant_id,
			   s->o.user ? s->o.user->client_id : NULL, line, sizeof(line))) {
		err_set(err, RC_AUTH, "sign-in failed: %s", line);
		return;
	}
	if (err->msg[0] == '\0') {
		char *tok = NULL;
		time_t exp;
		auth_parse_token_response(r->status, buf_cstr(&r->resp), &tok, &exp, err);
		free(tok);
	}
}

/*
 * The claims of a new token: its oid into si, and its tenant, which must be the one asked
 * (a token for another tenant is never used). -1 with err set otherwise.
 */
static int
check_claims(struct session_ident *si, const char *tok, struct err *err)
{
	const char *want = si->acct->tenant_id;
	char tid[37] = "";

	if (si->acct->auth == AUTH_USER || si->acct->auth == AUTH_AZ) {
		struct user_claims uc;
		if (user_token_claims(tok, &uc, err) < 0)
			return -1;
		memcpy(si->oid, uc.oid, sizeof(si->oid));
		memcpy(tid, uc.tid, sizeof(tid));
		si->mfa = uc.mfa;
	} else if (auth_token_claims(tok, si->oid, tid, NULL, err) < 0) {
		return -1;
	}
	memcpy(si->tid, tid, sizeof(si->tid));
	if (tid[0] && want && is_guid(want) && !str_ieq(tid, want))
		return err_set(err, RC_AUTH,
			       "sign-in failed: the token is for tenant %s, not tenant %s: not used",
			       tid, want);
	return 0;
}

static void
on_token(struct http_req *r, void *payload)
{
	struct session *s = payload;
	struct session_ident *si = r->principal;
	struct err err = ERR_INIT;
	char *tok = NULL;
	time_t exp = 0;

	si->token_pending = false;
	if (r->cc == CURLE_OK &&
	    auth_parse_token_response(r->status, buf_cstr(&r->resp), &tok, &exp, &err) == 0) {
		if (si->acct->auth == AUTH_USER && s->o.user) {
			/* the newest refresh token is the one to keep, even if this token is not used */
			char *rt = user_response_refresh_token(buf_cstr(&r->resp));
			if (rt) {
				user_credential_take(s->o.user, rt);
				s->o.user->replaced++;
			}
		}
		if (check_claims(si, tok, &err) == 0) {
			got_token(s, si, tok, exp);
			tok = NULL;
			goto out;
		}
	} else {
		err.msg[0] = '\0';
		token_error(s, si, r, &err);
	}
	if (tok) {
		memset(tok, 0, strlen(tok));
		free(tok);
	}
	fail_signin(s, si, r, err.msg);
out:
	if (s->o.hooks.token_done)
		s->o.hooks.token_done(si, s->o.hooks.payload);
	http_req_free(r);
}

/* Send r as si's token request (its answer goes to on_token). */
static void
submit_token_req(struct session *s, struct session_ident *si, struct http_req *r)
{
	r->is_token = true;
	r->principal = si;
	r->done = on_token;
	r->payload = s;
	si->token_pending = true;
	http_submit(s->engine, r);
}

/* POST the form body (taken over) to si's tenant's token endpoint. */
static void
submit_token(struct session *s, struct session_ident *si, char *body)
{
	char *url = auth_token_url(s->o.login_url, si->acct->tenant_id);
	struct http_req *r = http_req_new("POST", url);

	free(url);
	r->body = body;
	r->content_type = "application/x-www-form-urlencoded";
	submit_token_req(s, si, r);
}

static const char *
resource_of(const struct session *s, const struct session_ident *si)
{
	return si->resource ? si->resource : s->o.resource;
}

/* Bound of a federated token file (a projected service account token is ~1-2 KB). */
#define FEDERATED_MAX 65536

/*
 * The client assertion in a federated token file, read now (the platform rotates it: a
 * token read earlier may have been replaced), surrounding white space trimmed.
 */
static int
read_federated(const char *path, char **out, struct err *err)
{
	FILE *f = fopen(path, "rb");
	char *b;
	size_t n;

	*out = NULL;
	if (f == NULL)
		return err_set(err, RC_AUTH, "federated_token_file '%.200s': %s", path,
			       strerror(errno));
	b = xmalloc(FEDERATED_MAX + 1);
	n = fread(b, 1, FEDERATED_MAX + 1, f);
	fclose(f);
	if (n > FEDERATED_MAX) {
		memset(b, 0, n);
		free(b);
		return err_set(err, RC_AUTH, "federated_token_file '%.200s': larger than %d bytes",
			       path, FEDERATED_MAX);
	}
	b[n] = '\0';
	size_t start = 0;
	while (start < n && isspace((unsigned char)b[start]))
		start++;
	while (n > start && isspace((unsigned char)b[n - 1]))
		b[--n] = '\0';
	if (n == start) {
		free(b);
		return err_set(err, RC_AUTH, "federated_token_file '%.200s' is empty", path);
	}
	memmove(b, b + start, n - start + 1);
	*out = b;
	return 0;
}

/*
 * The token request's body for a certificate or federated identity, made now: a new signed
 * assertion (jti, nbf, exp of this moment), or the federated token file as it is now.
 */
static int
assertion_body(const struct session *s, const struct session_ident *si, char **body,
	       struct err *err)
{
	const struct account *a = si->acct;
	char *assertion = NULL;
	int rc;

	if (a->auth == AUTH_CERTIFICATE) {
		/* aud is the token endpoint the assertion is posted to */
		char *aud = auth_token_url(s->o.login_url, a->tenant_id);
		rc = client_assertion_make(a->cert, a->alg, a->client_id, aud, now_epoch(),
					   &assertion, err);
		free(aud);
	} else {
		rc = read_federated(a->federated_token_file, &assertion, err);
	}
	if (rc < 0)
		return rc;
	*body = auth_assertion_body(a->client_id, assertion, resource_of(s, si));
	memset(assertion, 0, strlen(assertion));
	free(assertion);
	return 0;
}

/*
 * A managed identity's token, as azure-identity's ManagedIdentityCredential asks for it:
 * IMDS `GET {IMDS}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=R
 * [&client_id=C]` with `Metadata: true`, or App Service `GET $IDENTITY_ENDPOINT?api-version=
 * 2019-08-01&resource=R[&client_id=C]` with `X-IDENTITY-HEADER: $IDENTITY_HEADER`.
 */
static void
submit_managed_identity(struct session *s, struct session_ident *si)
{
	const struct account *a = si->acct;
	struct buf url = BUF_INIT;
	const char *hdr = getenv("IDENTITY_HEADER");

	if (a->mi_source == MI_APP_SERVICE && (hdr == NULL || *hdr == '\0')) {
		fail_signin(s, si, NULL, "managed_identity: IDENTITY_HEADER is not set");
		return;
	}
	buf_adds(&url, a->mi_url);
	buf_adds(&url, strchr(a->mi_url, '?') ? "&" : "?");
	buf_adds(&url, a->mi_source == MI_IMDS ? "api-version=2018-02-01" : "api-version=2019-08-01");
	buf_adds(&url, "&resource=");
	buf_add_urlenc(&url, resource_of(s, si));
	if (a->client_id) {
		buf_adds(&url, "&client_id=");
		buf_add_urlenc(&url, a->client_id);
	}
	struct http_req *r = http_req_new("GET", buf_cstr(&url));
	buf_release(&url);
	r->extra_header = a->mi_source == MI_IMDS ? xstrdup("Metadata: true")
						  : xconcat("X-IDENTITY-HEADER: ", hdr);
	r->managed_identity = true;
	if (a->mi_source == MI_IMDS)
		r->connect_timeout_ms = SESSION_IMDS_CONNECT_MS;
	submit_token_req(s, si, r);
}

void
session_start(struct session *s, struct session_ident *si)
{
	const struct account *a = si->acct;
	struct err err = ERR_INIT;

	if (si->token_pending || si->signin_failed)
		return;
	if (a->failure) { /* e.g. its tenant domain did not resolve */
		fail_signin(s, si, NULL, a->failure);
		return;
	}
	if (a->token_command || a->auth == AUTH_AZ) {
		char *tok = NULL, az_tenant[37] = "";
		time_t exp = 0, az_exp = 0;
		size_t n_hidden;
		const char **hidden = hidden_env(s, a, &n_hidden);
		int trc = a->token_command
				  ? auth_run_token_command(a->token_command, hidden, n_hidden, &tok, &err)
				  : auth_run_az(a->tenant_id, resource_of(s, si), hidden, n_hidden, &tok,
						&az_exp, az_tenant, &err);
		free(hidden);
		if (trc == 0 && auth_token_claims(tok, si->oid, NULL, &exp, &err) == 0 &&
		    check_claims(si, tok, &err) == 0 &&
		    (a->tenant_id || !az_tenant[0] || str_ieq(az_tenant, si->tid) ||
		     err_set(&err, RC_AUTH,
			     "sign-in failed: az named tenant %s but its token is for tenant %s: not "
			     "used",
			     az_tenant, si->tid) == 0)) {
			if (exp <= 0)
				exp = az_exp;
			got_token(s, si, tok, exp > 0 ? exp : now_epoch() + 3000);
			return;
		}
		if (tok) {
			memset(tok, 0, strlen(tok));
			free(tok);
		}
		fail_signin(s, si, NULL, err.msg);
		return;
	}
	if (a->auth == AUTH_USER) {
		if (s->o.user == NULL || s->o.user->refresh_token == NULL) {
			fail_signin(s, si, NULL, "not signed in: run palscope login");
			return;
		}
		submit_token(s, si, user_token_body(s->o.user, resource_of(s, si)));
		return;
	}
	if (a->auth == AUTH_CERTIFICATE || a->auth == AUTH_FEDERATED) {
		char *body = NULL;
		if (assertion_body(s, si, &body, &err) < 0) {
			fail_signin(s, si, NULL, err.msg);
			return;
		}
		submit_token(s, si, body);
		return;
	}
	if (a->auth == AUTH_MANAGED_IDENTITY) {
		submit_managed_identity(s, si);
		return;
	}
	const char *secret = getenv(a->secret_env);
	if (secret == NULL || *secret == '\0') {
		char msg[300];
		snprintf(msg, sizeof(msg), "environment variable '%s' is empty", a->secret_env);
		fail_signin(s, si, NULL, msg);
		return;
	}
	submit_token(s, si, auth_token_body(a->client_id, secret, resource_of(s, si)));
}

static int
prepare(struct http_req *r, void *payload)
{
	struct session *s = payload;
	struct session_ident *si = r->principal;
	int64_t now = now_ms();

	if (si && r->is_token && r->attempts > 0 &&
	    (si->acct->auth == AUTH_CERTIFICATE || si->acct->auth == AUTH_FEDERATED)) {
		/*
		 * A retry: the lost answer may have spent the assertion (its jti is accepted
		 * once) or the platform may have rotated the federated token since.
		 */
		struct err err = ERR_INIT;
		char *body = NULL;
		if (assertion_body(s, si, &body, &err) < 0) {
			snprintf(r->errbuf, sizeof(r->errbuf), "%.200s", err.msg);
			return -1;
		}
		memset(r->body, 0, strlen(r->body));
		free(r->body);
		r->body = body;
		return 0;
	}
	if (r->is_token || si == NULL)
		return 0;
	if (si->hold_until > now) {
		r->not_before = si->hold_until;
		return 1;
	}
	if (r->token_rejected) {
		r->token_rejected = false;
		if (r->auth_gen == si->token_gen)
			wipe_token(si);
	}
	if (!si->signin_failed && si->token && now_epoch() >= si->token_exp - 60)
		wipe_token(si); /* about to expire: refresh before sending */
	if (!si->signin_failed && si->token == NULL)
		session_start(s, si);
	if (si->signin_failed) {
		snprintf(r->errbuf, sizeof(r->errbuf), "not sent: %.200s", si->error);
		return -1;
	}
	if (si->token == NULL)
		return 1; /* waiting for the token request */
	free(r->auth_header);
	/* Not xasprintf: glibc's sizing pass over a long token took ~29,000 instructions. */
	r->auth_header = xconcat("Authorization: Bearer ", si->token);
	r->auth_gen = si->token_gen;
	return 0;
}

static void
on_retry(struct http_req *r, void *payload)
{
	struct session_ident *si = r->principal;

	(void)payload;
	if (si && r->status == 429 && r->not_before > si->hold_until)
		si->hold_until = r->not_before;
}

struct session *
session_new(const struct session_opts *so, const struct http_engine_opts *eo)
{
	struct session *s = xcalloc(1, sizeof(*s));
	struct http_engine_opts o = *eo;

	s->o = *so;
	o.prepare = prepare;
	o.on_retry = on_retry;
	o.prepare_payload = s;
	s->engine = http_engine_new(&o);
	return s;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	http_engine_free(s->engine);
	free(s);
}

void
session_ident_release(struct session_ident *si)
{
	wipe_token(si);
}

struct session *
session_open(const struct azure_endpoint *ep, size_t max_body, const struct session_hooks *hooks)
{
	struct http_engine_opts eo = {
		.max_parallel = ep->concurrency > 0 ? ep->concurrency : 16,
		.connect_timeout_ms = ep->connect_timeout_ms,
		.timeout_ms = ep->timeout_ms,
		.allow_http = http_is_loopback(ep->arm_url) && http_is_loopback(ep->login_url),
		.ca_bundle = ep->ca_bundle,
		.max_body = max_body,
		.retry = ep->retry,
		.trace = log_level >= LOG_DEBUG,
	};
	struct session_opts so = {
		.login_url = ep->login_url,
		.resource = ep->resource,
		.hooks = *hooks,
	};

	return session_new(&so, &eo);
}

struct http_engine *
session_engine(struct session *s)
{
	return s->engine;
}

void
session_set_user(struct session *s, struct user_credential *c)
{
	s->o.user = c;
}

struct http_req *
session_req(struct session_ident *si, const char *method, const char *url)
{
	struct http_req *r = http_req_new(method, url);

	r->principal = si;
	return r;
}
