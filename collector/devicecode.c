#include "collector/devicecode.h"
#include "collector/aadsts.h"
#include "collector/auth.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
#define SLOW_DOWN_MS 5000

struct dc {
	const struct devicecode_opts *o;
	struct http_engine *engine;
	const char *tenant;
	char client_id[37];
	char *device_code;
	int64_t interval_ms, deadline_ms;
	char *access_token, *refresh_token;
	int rc;
	struct err err;
};

static char *
oauth_url(const char *login, const char *tenant, const char *what)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(login);

	while (n && login[n - 1] == '/')
		n--;
	buf_add(&b, login, n);
	buf_addc(&b, '/');
	buf_add_urlenc(&b, tenant);
	buf_adds(&b, "/oauth2/v2.0/");
	buf_adds(&b, what);
	return buf_detach(&b);
}

static void on_poll(struct http_req *r, void *payload);

static void
fail(struct dc *d, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
fail(struct dc *d, const char *fmt, ...)
{
	va_list ap;

	if (d->rc < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(d->err.msg, sizeof(d->err.msg), fmt, ap);
	va_end(ap);
	d->rc = d->err.code = RC_AUTH;
}

/* Why a token endpoint answer is an error, in plain words (fix included when known). */
static void
describe(struct dc *d, const struct http_req *r, const char *what)
{
	const char *body = buf_cstr(&r->resp);
	char line[400], oauth[64];
	long code = aadsts_code(body);
	struct err e = ERR_INIT;
	char *tok = NULL;
	time_t exp;

	if (r->cc != CURLE_OK) {
		fail(d, "%s failed: %s", what, r->errbuf);
		return;
	}
	if (aadsts_explain(code, d->tenant, d->client_id, line, sizeof(line))) {
		fail(d, "%s failed: %s", what, line);
		return;
	}
	aadsts_error(body, oauth, sizeof(oauth));
	auth_parse_token_response(r->status, body, &tok, &exp, &e);
	free(tok);
	fail(d, "%s failed: %s", what, oauth[0] || e.msg[0] ? e.msg : "no answer");
}

static void
submit_poll(struct dc *d)
{
	struct buf b = BUF_INIT;
	char *url = oauth_url(d->o->ep->login_url, d->tenant, "token");
	struct http_req *r = http_req_new("POST", url);

	free(url);
	buf_adds(&b, "grant_type=");
	buf_add_urlenc(&b, DEVICE_GRANT);
	buf_adds(&b, "&client_id=");
	buf_add_urlenc(&b, d->client_id);
	buf_adds(&b, "&device_code=");
	buf_add_urlenc(&b, d->device_code);
	r->body = buf_detach(&b);
	r->content_type = "application/x-www-form-urlencoded";
	r->is_token = true;
	r->not_before = now_ms() + d->interval_ms;
	r->done = on_poll;
	r->payload = d;
	http_submit(d->engine, r);
}

static void
on_poll(struct http_req *r, void *payload)
{
	struct dc *d = payload;
	const char *body = buf_cstr(&r->resp);
	char oauth[64] = "";

	if (r->cc == CURLE_OK && r->status == 200) {
		struct err e = ERR_INIT;
		time_t exp;
		if (auth_parse_token_response(r->status, body, &d->access_token, &exp, &e) < 0) {
			fail(d, "%s", e.msg);
		} else if ((d->refresh_token = user_response_refresh_token(body)) == NULL) {
			fail(d, "Microsoft answered without a refresh token (offline_access was not "
				"granted), so the sign-in cannot be kept");
		}
		goto out;
	}
	if (r->cc == CURLE_OK)
		aadsts_error(body, oauth, sizeof(oauth));
	if (strcmp(oauth, "authorization_pending") == 0 || strcmp(oauth, "slow_down") == 0) {
		if (strcmp(oauth, "slow_down") == 0) {
			d->interval_ms += SLOW_DOWN_MS;
			log_info("Microsoft asked to poll more slowly: every %lld s now",
				 (long long)(d->interval_ms / 1000));
		}
		if (now_ms() + d->interval_ms > d->deadline_ms)
			fail(d, "the code expired before the sign-in was completed: run palscope "
				"login again");
		else
			submit_poll(d);
	} else if (strcmp(oauth, "authorization_declined") == 0) {
		fail(d, "the sign-in was declined in the browser: nothing was kept");
	} else if (strcmp(oauth, "expired_token") == 0) {
		fail(d, "the code expired before the sign-in was completed: run palscope login "
			"again");
	} else if (strcmp(oauth, "bad_verification_code") == 0) {
		fail(d, "Microsoft did not recognise the device code (bad_verification_code): run "
			"palscope login again");
	} else {
		describe(d, r, "sign-in");
	}
out:
	http_req_free(r);
}

static void
on_devicecode(struct http_req *r, void *payload)
{
	struct dc *d = payload;
	cJSON *root = NULL;

	if (r->cc != CURLE_OK || r->status != 200 ||
	    (root = cJSON_ParseWithLength(r->resp.ptr ? r->resp.ptr : "", r->resp.len)) == NULL) {
		describe(d, r, "the device code request");
		goto out;
	}
	const cJSON *dcode = cJSON_GetObjectItemCaseSensitive(root, "device_code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	const cJSON *uri = cJSON_GetObjectItemCaseSensitive(root, "verification_uri");
	const cJSON *ucode = cJSON_GetObjectItemCaseSensitive(root, "user_code");
	const cJSON *iv = cJSON_GetObjectItemCaseSensitive(root, "interval");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	if (!cJSON_IsString(dcode) || !dcode->valuestring[0]) {
		fail(d, "the device code answer has no device_code");
		goto out;
	}
	/* Microsoft's own words: the URL and the code to enter there. */
	if (cJSON_IsString(msg))
		fprintf(stderr, "%s\n", msg->valuestring);
	else
		fprintf(stderr, "To sign in, open %s and enter the code %s\n",
			cJSON_IsString(uri) ? uri->valuestring : "https://microsoft.com/devicelogin",
			cJSON_IsString(ucode) ? ucode->valuestring : "?");
	fflush(stderr);
	d->device_code = xstrdup(dcode->valuestring);
	d->interval_ms = (cJSON_IsNumber(iv) && iv->valuedouble >= 1 ? (int64_t)iv->valuedouble : 5) *
			 1000;
	d->deadline_ms = now_ms() + (cJSON_IsNumber(ex) && ex->valuedouble > 0
					     ? (int64_t)ex->valuedouble
					     : 900) * 1000;
	submit_poll(d);
out:
	if (root) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "device_code");
		if (cJSON_IsString(v))
			memset(v->valuestring, 0, strlen(v->valuestring));
	}
	cJSON_Delete(root);
	http_req_free(r);
}

static void
wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

int
devicecode_login(const struct devicecode_opts *o, struct user_credential *c,
		 struct user_claims *claims, struct err *err)
{
	struct dc d = { .o = o, .tenant = o->tenant ? o->tenant : "organizations" };
	struct session_hooks hooks = { 0 };
	struct session *s = session_open(o->ep, 1u << 20, &hooks);
	struct err e = ERR_INIT;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	memset(claims, 0, sizeof(*claims));
	snprintf(d.client_id, sizeof(d.client_id), "%s",
		 o->client_id ? o->client_id : USER_DEFAULT_CLIENT_ID);
	d.engine = session_engine(s);

	char *url = oauth_url(o->ep->login_url, d.tenant, "devicecode");
	char *scope = user_scope_encoded(o->ep->resource);
	struct http_req *r = http_req_new("POST", url);
	free(url);
	struct buf b = BUF_INIT;
	buf_adds(&b, "client_id=");
	buf_add_urlenc(&b, d.client_id);
	buf_adds(&b, "&scope=");
	buf_adds(&b, scope);
	free(scope);
	r->body = buf_detach(&b);
	r->content_type = "application/x-www-form-urlencoded";
	r->is_token = true;
	r->done = on_devicecode;
	r->payload = &d;
	http_submit(d.engine, r);
	struct err herr = ERR_INIT;
	if (http_engine_run(d.engine, o->stop, &herr) < 0)
		fail(&d, "%s", herr.msg);
	session_free(s);
	if (*o->stop && d.rc == 0 && d.access_token == NULL)
		fail(&d, "interrupted before the sign-in was completed");

	if (d.rc == 0 && user_token_claims(d.access_token, claims, &e) < 0)
		fail(&d, "%s", e.msg);
	if (d.rc == 0 && is_guid(d.tenant) && !str_ieq(claims->tid, d.tenant))
		fail(&d, "the token is for tenant %s, not for tenant %s that was asked: not used",
		     claims->tid, d.tenant);
	if (d.rc == 0) {
		memcpy(c->client_id, d.client_id, sizeof(c->client_id));
		memcpy(c->home_tenant, claims->home_tid, sizeof(c->home_tenant));
		if (str_ieq(claims->tid, claims->home_tid))
			memcpy(c->oid, claims->oid, sizeof(c->oid));
		snprintf(c->upn, sizeof(c->upn), "%s", claims->upn);
		c->refresh_token = d.refresh_token;
		d.refresh_token = NULL;
	} else {
		*err = d.err;
		rc = d.rc;
	}
	wipe_free(d.device_code);
	wipe_free(d.access_token);
	wipe_free(d.refresh_token);
	return rc;
}
