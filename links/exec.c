#include "links/exec.h"
#include "arm/arm.h"
#include "collector/session.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "links/audit.h"
#include "links/explain.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINK_API "2018-02-01"
#define LINK_PATH "/providers/Microsoft.ManagementPartner/partners"

enum step { STEP_READ, STEP_WRITE, STEP_VERIFY };

struct linker;

struct lident {
	struct session_ident si;	/* si.user points back here */
	struct linker *L;
	struct link_result *res;
	int64_t change_id;		/* audit row of the change in flight, 0 = none */
	bool audit_failed;		/* the change was not sent: it could not be recorded */
	/* the first answer to the change, kept while it is verified */
	long w_status;
	char w_request_id[80];
	char w_code[80];
	char w_message[512];
};

struct linker {
	const struct link_run_opts *o;
	struct session *session;
	struct http_engine *engine;
	struct lident *ids;
	size_t n;
};

/* ---- the link as read -------------------------------------------------- */

struct capture {
	struct link_result *res;
};

static int
capture_emit(void *payload, enum rec_type t, int64_t identity, const void *rec)
{
	struct capture *c = payload;
	const struct link_rec *l = rec;
	struct link_result *r = c->res;

	(void)identity;
	if (t != REC_LINK)
		return 0;
	snprintf(r->partner_id, sizeof(r->partner_id), "%s", l->partner_id ? l->partner_id : "");
	snprintf(r->partner_name, sizeof(r->partner_name), "%s",
		 l->partner_name ? l->partner_name : "");
	snprintf(r->state, sizeof(r->state), "%s", l->state ? l->state : "");
	snprintf(r->created_time, sizeof(r->created_time), "%s",
		 l->created_time ? l->created_time : "");
	snprintf(r->updated_time, sizeof(r->updated_time), "%s",
		 l->updated_time ? l->updated_time : "");
	snprintf(r->link_object_id, sizeof(r->link_object_id), "%s",
		 l->object_id ? l->object_id : "");
	r->linked = link_state_kind(l->linked, l->state) == LINK_CUR_LINKED;
	return 0;
}

/*
 * Parse a GET .../partners answer (200 or 404) into res. Returns false
 * with res->explanation set when the answer is not a link.
 */
static bool
parse_link(const struct http_req *r, struct link_result *res)
{
	struct capture cap = { res };
	struct sink sink = { capture_emit, &cap };
	struct err err = ERR_INIT;
	cJSON *root = NULL;
	bool ok = false;

	memset(res->partner_id, 0, sizeof(res->partner_id));
	res->partner_name[0] = res->state[0] = res->created_time[0] = res->updated_time[0] = '\0';
	res->link_object_id[0] = '\0';
	res->linked = false;
	if (r->status == 404) {
		ok = true;
		goto out;
	}
	root = cJSON_ParseWithLength(r->resp.ptr ? r->resp.ptr : "", r->resp.len);
	if (root == NULL) {
		snprintf(res->explanation, sizeof(res->explanation),
			 "the current link could not be read: the answer (%zu bytes) is not valid "
			 "JSON",
			 r->resp.len);
		goto out;
	}
	if (arm_emit_link(root, r->status, buf_cstr(&r->resp), &sink, 0, &err) < 0) {
		snprintf(res->explanation, sizeof(res->explanation),
			 "the current link could not be read: %s", err.msg);
		goto out;
	}
	ok = true;
out:
	cJSON_Delete(root);
	return ok;
}

/* The ARM error of a failed answer, copied into the result. */
static void
take_error(const struct http_req *r, char *code, size_t ncode, char *msg, size_t nmsg)
{
	const char *c = "", *m = "";
	cJSON *root = NULL;

	if (r->status > 0 && r->resp.len) {
		root = cJSON_ParseWithLength(r->resp.ptr, r->resp.len);
		arm_error(root, &c, &m);
	}
	snprintf(code, ncode, "%s", c);
	snprintf(msg, nmsg, "%s", m);
	cJSON_Delete(root);
}

/* ---- requests ------------------------------------------------------------ */

static void on_done(struct http_req *r, void *payload);

static void
submit(struct lident *id, enum step step, const char *method, const char *url)
{
	struct http_req *r = session_req(&id->si, method, url);

	r->done = on_done;
	r->payload = id;
	r->kind = (int)step;
	http_submit(id->L->engine, r);
}

static void
submit_read(struct lident *id, enum step step)
{
	char *url = xasprintf("%s" LINK_PATH "?api-version=" LINK_API, id->L->o->ep.arm_url);

	submit(id, step, "GET", url);
	free(url);
}

static void
fail(struct lident *id, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
fail(struct lident *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(id->res->explanation, sizeof(id->res->explanation), fmt, ap);
	va_end(ap);
	id->res->failed = true;
	log_info("%s: %s", account_name(id->res->acct), id->res->explanation);
}

static void
finish_change(struct lident *id, bool ok, const char *after)
{
	struct link_result *res = id->res;
	struct err err = ERR_INIT;

	res->outcome = ok ? LINK_O_OK : LINK_O_FAILED;
	if (ok)
		snprintf(res->after, sizeof(res->after), "%s", after ? after : "");
	else
		snprintf(res->after, sizeof(res->after), "%s", res->linked ? res->partner_id : "");
	if (!ok)
		res->failed = true;
	if (id->change_id == 0 || id->L->o->audit == NULL)
		return;
	struct link_change_end e = {
		.ok = ok,
		.partner_after = res->after[0] ? res->after : NULL,
		.http_status = res->http_status,
		.request_id = res->request_id,
		.error_code = res->error_code,
		.error_message = res->error_message,
		.explanation = res->explanation,
	};
	if (link_audit_change_end(id->L->o->audit, id->change_id, &e, &err) < 0) {
		log_error("%s: %s", account_name(res->acct), err.msg);
		res->failed = true;
	}
	id->change_id = 0;
}

/*
 * The change is about to be sent: record it first, so that no change is
 * ever made unrecorded (a run killed now leaves a 'pending' row).
 */
static int
write_starting(struct http_req *r)
{
	struct lident *id = r->payload;
	const struct link_run_opts *o = id->L->o;
	struct link_result *res = id->res;
	struct err err = ERR_INIT;
	struct link_change_start c = {
		.identity = account_name(res->acct),
		.client_id = res->acct->client_id,
		.tenant_id = res->acct->tenant_id,
		.object_id = res->oid,
		.operation = res->d.operation,
		.method = res->d.method,
		.partner_before = res->linked ? res->partner_id : NULL,
	};

	if (o->audit && link_audit_change_begin(o->audit, &c, &id->change_id, &err) < 0) {
		snprintf(r->errbuf, sizeof(r->errbuf), "%.200s", err.msg);
		id->audit_failed = true;
		return -1;
	}
	res->outcome = LINK_O_PENDING;
	return 0;
}

/* The link was read: decide, and send the change when there is one. */
static void
decide(struct lident *id)
{
	const struct link_run_opts *o = id->L->o;
	struct link_result *res = id->res;
	struct link_current cur = { .kind = res->linked ? LINK_CUR_LINKED : LINK_CUR_NONE,
				    .partner_id = res->partner_id };
	struct link_want w = { .remove = o->cmd == LINK_CMD_REMOVE, .partner_id = o->partner_id,
			       .allow_update = o->allow_update, .selected = true };

	if (o->cmd == LINK_CMD_SHOW)
		return;
	link_plan_decide(&w, &cur, &res->d);
	if (o->cmd == LINK_CMD_PLAN || !link_verdict_writes(res->d.verdict))
		return;
	/*
	 * Since 2025-10-01 ARM refuses user create/update/delete calls without multi-factor
	 * authentication: say so rather than send a request that will fail.
	 */
	if (id->si.acct->auth == AUTH_USER && !id->si.mfa) {
		fail(id, "this write needs an MFA sign-in: the sign-in to tenant %s has no 'mfa' in "
			 "its amr claim; sign in with multi-factor authentication (palscope login "
			 "--tenant %s) and run again; nothing was sent",
		     id->si.acct->tenant_id, id->si.acct->tenant_id);
		return;
	}

	char *url = xasprintf("%s" LINK_PATH "/%s?api-version=" LINK_API, o->ep.arm_url,
			      o->partner_id);
	struct http_req *r = session_req(&id->si, res->d.method, url);
	free(url);
	r->done = on_done;
	r->payload = id;
	r->kind = (int)STEP_WRITE;
	r->on_start = write_starting;
	http_submit(id->L->engine, r);
}

static void
on_write(struct lident *id, const struct http_req *r)
{
	const struct link_run_opts *o = id->L->o;
	struct link_result *res = id->res;
	const char *method = res->d.method;

	if (id->audit_failed) {
		fail(id, "not changed: the change could not be recorded in the audit log (%s)",
		     r->errbuf);
		return;
	}
	res->http_status = r->status;
	snprintf(res->request_id, sizeof(res->request_id), "%s", r->request_id);
	if (r->cc == CURLE_OK && r->status >= 200 && r->status < 300) {
		const char *after = o->partner_id;
		char after_buf[24] = "";
		if (strcmp(method, "DELETE") == 0) {
			after = NULL;
		} else if (r->resp.len) {
			/* The answer is the link as it now is. */
			struct link_result tmp = { .acct = res->acct };
			if (parse_link(r, &tmp) && tmp.partner_id[0]) {
				snprintf(after_buf, sizeof(after_buf), "%s", tmp.partner_id);
				after = after_buf;
			}
		}
		res->explanation[0] = '\0';
		finish_change(id, true, after);
		return;
	}
	take_error(r, res->error_code, sizeof(res->error_code), res->error_message,
		   sizeof(res->error_message));
	link_explain(method, r->status, res->error_code, res->error_message, o->partner_id,
		     r->cc != CURLE_OK ? r->errbuf : NULL, res->explanation,
		     sizeof(res->explanation));
	enum link_problem p = link_problem_of(method, r->status, res->error_code,
					      res->error_message);
	if (p == LINK_P_CONFLICT || p == LINK_P_GONE || p == LINK_P_NO_RESPONSE) {
		/*
		 * Maybe an earlier try (or someone else) already made this very
		 * change: read the link again before calling it a failure.
		 */
		submit_read(id, STEP_VERIFY);
		return;
	}
	finish_change(id, false, NULL);
}

static void
on_verify(struct lident *id, const struct http_req *r)
{
	const struct link_run_opts *o = id->L->o;
	struct link_result *res = id->res;
	struct link_result now = { .acct = res->acct };
	bool done;

	if (r->cc != CURLE_OK || (r->status != 200 && r->status != 404) || !parse_link(r, &now)) {
		finish_change(id, false, NULL);
		return;
	}
	if (o->cmd == LINK_CMD_REMOVE)
		done = !(now.linked && strcmp(now.partner_id, o->partner_id) == 0);
	else
		done = now.linked && strcmp(now.partner_id, o->partner_id) == 0;
	if (done) {
		snprintf(res->explanation, sizeof(res->explanation),
			 "done: reading the link again shows the change is already made (HTTP %ld "
			 "%s on the change request)",
			 res->http_status, res->error_code[0] ? res->error_code : "");
		res->error_code[0] = res->error_message[0] = '\0';
		finish_change(id, true, o->cmd == LINK_CMD_REMOVE ? NULL : o->partner_id);
		return;
	}
	size_t len = strlen(res->explanation);
	if (now.linked)
		snprintf(res->explanation + len, sizeof(res->explanation) - len,
			 "; it is now linked to %s", now.partner_id);
	else
		snprintf(res->explanation + len, sizeof(res->explanation) - len,
			 "; it is now not linked");
	/* What we know now is what the identity has after this run. */
	res->linked = now.linked;
	snprintf(res->partner_id, sizeof(res->partner_id), "%s", now.partner_id);
	finish_change(id, false, NULL);
}

static void
on_read(struct lident *id, const struct http_req *r)
{
	struct link_result *res = id->res;
	char code[80], msg[512], why[900];

	if (r->cc == CURLE_OK && (r->status == 200 || r->status == 404)) {
		if (!parse_link(r, res)) {
			res->failed = true;
			return;
		}
		res->read_ok = true;
		decide(id);
		return;
	}
	take_error(r, code, sizeof(code), msg, sizeof(msg));
	link_explain("GET", r->status, code, msg, NULL, r->cc != CURLE_OK ? r->errbuf : NULL, why,
		     sizeof(why));
	snprintf(res->error_code, sizeof(res->error_code), "%s", code);
	snprintf(res->error_message, sizeof(res->error_message), "%s", msg);
	fail(id, "the current link could not be read, so nothing was changed: %s", why);
}

static void
on_done(struct http_req *r, void *payload)
{
	struct lident *id = payload;

	switch ((enum step)r->kind) {
	case STEP_READ:
		on_read(id, r);
		break;
	case STEP_WRITE:
		on_write(id, r);
		break;
	case STEP_VERIFY:
		on_verify(id, r);
		break;
	}
	http_req_free(r);
}

/* ---- sign-in hooks --------------------------------------------------------- */

static void
after_signin(struct session_ident *si, void *payload)
{
	struct lident *id = si->user;

	(void)payload;
	id->res->signed_in = true;
	snprintf(id->res->oid, sizeof(id->res->oid), "%s", si->oid);
	submit_read(id, STEP_READ);
}

static const char *
signin_hint(const char *msg)
{
	if (strstr(msg, "AADSTS7000215") || strstr(msg, "AADSTS7000222"))
		return " (the client secret is wrong or expired: check the secret variable)";
	if (strstr(msg, "AADSTS700016"))
		return " (the application is not known in this tenant: check client_id and "
		       "tenant_id, or consent to the app in this tenant)";
	if (strstr(msg, "AADSTS90002"))
		return " (the tenant does not exist: check tenant_id and --cloud)";
	return "";
}

static void
signin_failed(struct session_ident *si, const struct http_req *r, void *payload)
{
	struct lident *id = si->user;

	(void)payload;
	(void)r;
	fail(id, "could not sign in to tenant %s, so nothing was read or changed: %s%s",
	     si->acct->tenant_id, si->error, signin_hint(si->error));
}

/* ---- the run ----------------------------------------------------------------- */

int
link_run(const struct link_run_opts *o, const struct accounts *accts, struct link_result *res,
	 volatile sig_atomic_t *stop, struct link_run_stats *st, struct err *err)
{
	struct linker L = { .o = o, .n = accts->n };
	struct session_hooks hooks = { .signed_in = after_signin, .signin_failed = signin_failed,
				       .payload = &L };
	int64_t t0 = now_ms();
	int rc = 0;

	memset(st, 0, sizeof(*st));
	L.session = session_open(&o->ep, 1u << 20, &hooks);
	session_set_accounts(L.session, accts);
	session_set_user(L.session, o->user);
	L.engine = session_engine(L.session);
	L.ids = xcalloc(L.n ? L.n : 1, sizeof(*L.ids));
	for (size_t i = 0; i < L.n; i++) {
		struct lident *id = &L.ids[i];
		memset(&res[i], 0, sizeof(res[i]));
		res[i].acct = &accts->v[i];
		res[i].selected = o->selected ? o->selected[i] : true;
		id->L = &L;
		id->res = &res[i];
		id->si.acct = &accts->v[i];
		id->si.id = (int64_t)i + 1;
		id->si.user = id;
		if (!res[i].selected) {
			struct link_want w = { .partner_id = o->partner_id, .selected = false };
			struct link_current c = { .kind = LINK_CUR_UNKNOWN };
			link_plan_decide(&w, &c, &res[i].d);
		}
	}
	for (size_t i = 0; i < L.n && !*stop; i++)
		if (res[i].selected)
			session_start(L.session, &L.ids[i].si);
	if (http_engine_run(L.engine, stop, err) < 0)
		rc = err->code;

	const struct http_stats *hs = http_engine_stats(L.engine);
	st->requests = hs->requests;
	st->retries = hs->retries;
	st->throttled = hs->throttled;
	st->identities = (int)L.n;
	for (size_t i = 0; i < L.n; i++) {
		struct link_result *r = &res[i];
		if (!r->selected)
			continue;
		st->selected++;
		if (r->outcome == LINK_O_PENDING) {
			st->pending++;
			r->failed = true;
			snprintf(r->explanation, sizeof(r->explanation),
				 "interrupted while the change was in flight: it may or may not have "
				 "been made; run the command again (it reads the link first)");
			continue;
		}
		if (!r->failed && r->read_ok && link_verdict_writes(r->d.verdict) &&
		    r->outcome == LINK_O_NONE && (o->cmd == LINK_CMD_APPLY || o->cmd == LINK_CMD_REMOVE)) {
			r->failed = true;
			snprintf(r->explanation, sizeof(r->explanation),
				 "interrupted before the change was sent: nothing was changed");
		}
		if (!r->failed && !r->read_ok) {
			/* Stopped before this identity's link was read. */
			r->failed = true;
			snprintf(r->explanation, sizeof(r->explanation),
				 "interrupted before the link was read: nothing was changed");
		}
		if (r->failed) {
			st->failed++;
			continue;
		}
		bool writes = o->cmd == LINK_CMD_APPLY || o->cmd == LINK_CMD_REMOVE;
		if (writes ? r->outcome == LINK_O_OK : link_verdict_writes(r->d.verdict)) {
			if (r->d.verdict == LINK_V_CREATE)
				st->created++;
			else if (r->d.verdict == LINK_V_UPDATE)
				st->updated++;
			else
				st->removed++;
		} else if (r->d.verdict == LINK_V_SKIP_OTHER || r->d.verdict == LINK_V_KEEP_OTHER) {
			st->skipped++;
		} else {
			st->unchanged++;
		}
	}
	st->seconds = (double)(now_ms() - t0) / 1000.0;

	/* Frees queued requests, then wipes the tokens. */
	session_free(L.session);
	for (size_t i = 0; i < L.n; i++)
		session_ident_release(&L.ids[i].si);
	free(L.ids);
	return rc;
}
