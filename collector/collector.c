#include "collector/collector.h"
#include "arm/access.h"
#include "arm/arm.h"
#include "arm/json_arena.h"
#include "collector/session.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/smap.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define API_PARTNER "2018-02-01"
#define API_RESOURCES "2022-12-01"
#define API_AUTHZ "2022-04-01"
#define API_LIGHTHOUSE "2022-10-01"
#define API_COST "2023-11-01"
#define API_PIM "2020-10-01"
#define GRAPH_BATCH 20 /* checkMemberGroups takes at most 20 group ids */
/* identities in progress per transfer (--concurrency): see struct collector */
#define COLLECT_SLOTS_PER_TRANSFER 4

/* K_PIM + enum pim_list: the three PIM lists. */
enum kind { K_TOKEN, K_LINK, K_TENANTS, K_SUBS, K_ROLES, K_ROLEDEF, K_LIGHTHOUSE, K_COST,
	    K_PIM, K_PIM_ACTIVE, K_PIM_REQUEST, K_GRAPH, K_COST_RESOURCE };

static const char *const kind_names[] = {
	"token",      "link",	 "tenants",	     "subscriptions", "role_assignments",
	"role_definition", "lighthouse", "cost",	     "pim_eligibility", "pim_assignment",
	"pim_request", "graph",	 "cost_resource",
};

struct collector;

struct ident {
	struct session_ident si;	/* sign-in state; si.user points back here */
	struct session_ident graph_si;	/* the same principal signed in to Microsoft Graph */
	struct collector *c;
	const struct account *acct;
	int64_t id;
	bool failed_any;
	bool finished;		/* nothing of its own is pending */
	bool graph_started;	/* group checks sent (or recorded as impossible) */
	bool done;		/* counted: REC_IDENTITY_DONE sent, or queued in waiting until the
				 * role definitions it may need are read */
	int pending;		/* reads submitted and not yet done */
	char (*groups)[37];	/* group ids to check with Graph (lower case, distinct) */
	size_t n_groups, cap_groups;
	char (*res_subs)[37];	/* subscriptions whose per-resource cost was asked for */
	size_t n_res_subs, cap_res_subs;
	struct ident *next;	/* on the free list or the reap list */
};

/* One request chain (a list and its nextLink pages). */
struct chain {
	struct ident *ident;
	enum kind kind;
	char sub[37];
	long rows;		/* cost rows over all pages */
	int page;
	size_t group0, ngroups; /* K_GRAPH: the batch of ident->groups asked */
};

struct collector {
	const struct collect_opts *o;
	struct session *session;
	struct http_engine *engine;
	const struct sink *sink;
	struct sink fwd;	/* intercepts records to schedule follow-up reads */
	struct chain *cur;	/* the chain whose page is being parsed */
	/*
	 * Identities are read through a window of slots (a few per transfer), not all at
	 * once: an identity takes a slot when it starts and gives it back when it is finished,
	 * and the next one starts then. What the run holds (requests queued, tokens, group
	 * sets) is bounded by the window, not by the number of identities.
	 */
	const struct accounts *accounts;
	const int64_t *ids;
	size_t n;		/* identities in the run */
	size_t next;		/* the next one to start */
	struct ident *idents;	/* the slots */
	size_t n_slots;
	struct ident *free_slots;
	struct ident *reap;	/* finished: released at the next callback (see reap()) */
	bool reaping;
	int64_t *waiting;	/* finished identities waiting for role definitions to be read */
	size_t n_waiting, cap_waiting;
	int n_ok, n_failed;
	char first[11], last[11];
	char *cost_body;
	char *cost_resource_body;
	/* a signed-in user's tenant list: read for one identity of the run (user_tenants_wanted) */
	enum { UT_UNREAD, UT_READING, UT_READ } user_tenants;
	struct smap roledefs;	/* role GUIDs requested (lowercase; no values) */
	int roledef_pending;	/* role definition reads in flight */
	volatile sig_atomic_t *stop;
	int sink_rc;
	struct err sink_err;
	int finished;
	int64_t t0, last_progress;
	long subs, assignments, cost_rows;
};

struct retry_policy
collect_default_retry(void)
{
	struct retry_policy p = { .max_attempts = 6, .base_ms = 1000, .max_ms = 60000 };
	const char *b = getenv("PALSCOPE_RETRY_BASE_MS");

	/* Tests shorten the backoff; Retry-After hints are still honoured. */
	if (b && atol(b) > 0)
		p.base_ms = atol(b);
	return p;
}

/* ---- bookkeeping ------------------------------------------------------ */

static void
progress(struct collector *c, bool final)
{
	int64_t now = now_ms();

	if (!c->o->progress || (!final && now - c->last_progress < 500))
		return;
	c->last_progress = now;
	const struct http_stats *st = http_engine_stats(c->engine);
	fprintf(stderr, "\rpalscope: identities %d/%zu, requests %ld, retries %ld, %.1fs%s",
		c->finished, c->n, st->requests, st->retries, (double)(now - c->t0) / 1000.0,
		final ? "\n" : "");
}

static int
sink_emit(struct collector *c, enum rec_type t, int64_t id, const void *rec)
{
	int rc = c->sink->emit(c->sink->payload, t, id, rec);

	if (rc < 0 && c->sink_rc == 0) {
		c->sink_rc = rc;
		err_set(&c->sink_err, rc, "cannot store collected data");
		*c->stop = 1;
	}
	return rc;
}

static bool graph_start(struct collector *c, struct ident *id);
/*
 * An identity is done when its own reads are, and no role definition is still being read: the
 * rules read the definitions of its roles, which another identity may have asked for first.
 */
static void
maybe_done(struct ident *id)
{
	struct collector *c = id->c;
	bool failed = id->failed_any || id->si.signin_failed;

	if (id->done || !id->finished)
		return;
	id->done = true;
	if (failed)
		c->n_failed++;
	if (c->roledef_pending > 0) {
		/* done when the definitions are read (flush_waiting); ok unless failed */
		if (c->n_waiting == c->cap_waiting) {
			c->cap_waiting = c->cap_waiting ? 2 * c->cap_waiting : 64;
			c->waiting = xrealloc(c->waiting, c->cap_waiting * sizeof(*c->waiting));
		}
		c->waiting[c->n_waiting++] = failed ? -id->id : id->id;
		return;
	}
	if (!failed)
		c->n_ok++;
	sink_emit(c, REC_IDENTITY_DONE, id->id, NULL);
}

/* No role definition is being read: the identities that waited for them are done. */
static void
flush_waiting(struct collector *c)
{
	for (size_t i = 0; i < c->n_waiting; i++) {
		int64_t v = c->waiting[i];

		if (v > 0)
			c->n_ok++;
		sink_emit(c, REC_IDENTITY_DONE, v > 0 ? v : -v, NULL);
	}
	c->n_waiting = 0;
}

static void
maybe_finish(struct ident *id)
{
	if (id->finished || id->pending > 0 || id->si.token_pending || id->graph_si.token_pending)
		return;
	/* ARM is read: now the groups it named, once, with Microsoft Graph */
	if (!id->graph_started && !*id->c->stop && graph_start(id->c, id) &&
	    (id->pending > 0 || id->graph_si.token_pending))
		return;
	id->finished = true;
	id->c->finished++;
	maybe_done(id);
	progress(id->c, false);
	/* nothing refers to the slot any more once the callback that got here returns */
	id->next = id->c->reap;
	id->c->reap = id;
}

/* Start identities while slots are free. */
static void
start_next(struct collector *c)
{
	while (c->free_slots && c->next < c->n && !*c->stop) {
		struct ident *id = c->free_slots;
		size_t i = c->next++;

		c->free_slots = id->next;
		memset(id, 0, sizeof(*id));
		id->c = c;
		id->acct = &c->accounts->v[i];
		id->id = c->ids[i];
		id->si.acct = id->acct;
		id->si.id = id->id;
		id->si.user = id;
		session_start(c->session, &id->si);
		maybe_finish(id);
	}
}

static void
release_slot(struct ident *id)
{
	session_ident_release(&id->si);
	session_ident_release(&id->graph_si);
	free(id->groups);
	free(id->res_subs);
	memset(id, 0, sizeof(*id));
}

/*
 * Give the slots of finished identities back and start the next identities. Called on
 * entry to every engine callback: an identity on the reap list finished in an earlier
 * callback, which has returned, so neither the engine nor the session refers to it.
 * Starting an identity can call back synchronously (a token command); those calls
 * do not reap (reaping is set).
 */
static void
reap(struct collector *c)
{
	if (c->reaping)
		return;
	c->reaping = true;
	for (;;) {
		while (c->reap) {
			struct ident *id = c->reap;

			c->reap = id->next;
			release_slot(id);
			id->next = c->free_slots;
			c->free_slots = id;
		}
		start_next(c);
		if (!c->reap || !c->free_slots || c->next >= c->n || *c->stop)
			break;
	}
	c->reaping = false;
}

/* The reads of an identity whose completion is recorded (struct read_rec). */
static void
read_done(struct collector *c, const struct chain *ch)
{
	if (ch->kind == K_TOKEN || ch->kind == K_ROLEDEF)
		return;
	struct read_rec rr = { .kind = kind_names[ch->kind],
			       .subscription_id = ch->sub[0] ? ch->sub : NULL };
	sink_emit(c, REC_READ_DONE, ch->ident->id, &rr);
}

static void
identity_failed(struct ident *id, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
identity_failed(struct ident *id, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	id->failed_any = true;
	sink_emit(id->c, REC_IDENTITY_FAILED, id->id, msg);
}

/*
 * Record a failed request. code/message default to the ARM error in the
 * response body, or to curl's message when no response arrived.
 */
static void
record_failure(struct collector *c, struct chain *ch, const struct http_req *r, const char *code,
	       const char *message)
{
	cJSON *root = NULL;
	const char *bcode = "", *bmsg = "";

	if (r->status > 0 && r->resp.len) {
		root = cJSON_ParseWithLength(r->resp.ptr, r->resp.len);
		arm_error(root, &bcode, &bmsg);
	}
	struct failure_rec f = {
		.subscription_id = ch->sub[0] ? ch->sub : NULL,
		.kind = kind_names[ch->kind],
		.method = r->method,
		.url = r->url,
		.http_status = r->status,
		.transport_error = r->cc != CURLE_OK ? r->errbuf : NULL,
		.error_code = code ? code : (*bcode ? bcode : NULL),
		.error_message = message ? message : (*bmsg ? bmsg : NULL),
		.request_id = r->request_id[0] ? r->request_id : NULL,
		.attempts = r->attempts,
	};
	ch->ident->failed_any = true;
	log_info("%s: %s %s failed: HTTP %ld %s", account_name(ch->ident->acct), r->method,
		 kind_names[ch->kind], r->status,
		 f.error_code ? f.error_code : (f.transport_error ? f.transport_error : ""));
	sink_emit(c, REC_FAILURE, ch->ident->id, &f);
	cJSON_Delete(root);
}

/* ---- requests ----------------------------------------------------------- */

static void on_done(struct http_req *r, void *payload);

static struct chain *
chain_new(struct ident *id, enum kind k, const char *sub)
{
	struct chain *ch = xcalloc(1, sizeof(*ch));

	ch->ident = id;
	ch->kind = k;
	if (sub)
		snprintf(ch->sub, sizeof(ch->sub), "%s", sub);
	return ch;
}

static void
submit(struct collector *c, struct chain *ch, const char *method, const char *url,
       const char *json_body)
{
	struct http_req *r = session_req(ch->kind == K_GRAPH ? &ch->ident->graph_si
							    : &ch->ident->si,
					 method, url);

	if (json_body) {
		r->body = xstrdup(json_body);
		r->content_type = "application/json";
	}
	r->done = on_done;
	r->payload = c;
	r->tag = ch;
	r->tag_free = free;
	r->kind = (int)ch->kind;
	if (ch->kind == K_ROLEDEF)
		c->roledef_pending++;
	ch->page++;
	ch->ident->pending++;
	http_submit(c->engine, r);
}

static void
submit_arm(struct collector *c, struct ident *id, enum kind k, const char *sub, const char *path,
	   const char *json_body)
{
	char *url = xasprintf("%s%s", c->o->ep.arm_url, path);

	submit(c, chain_new(id, k, sub), json_body ? "POST" : "GET", url, json_body);
	free(url);
}

/* ---- Microsoft Graph: the groups named in the identity's grants ---------------- */

/* Add a GUID to a set (lower case); false when it is there already or not a GUID. */
static bool
id_set_add(char (**v)[37], size_t *n, size_t *cap, const char *guid)
{
	char g[37];

	if (!is_guid(guid))
		return false;
	for (int i = 0; i < 37; i++)
		g[i] = (char)((guid[i] >= 'A' && guid[i] <= 'Z') ? guid[i] + 32 : guid[i]);
	for (size_t i = 0; i < *n; i++)
		if (memcmp((*v)[i], g, 37) == 0)
			return false;
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	memcpy((*v)[(*n)++], g, 37);
	return true;
}

/* Groups [from, from + n) of id could not be checked: recorded as unverified. */
static void
groups_unverified(struct collector *c, struct ident *id, size_t from, size_t n,
		  enum read_outcome outcome, long http_status, const char *code,
		  const char *message)
{
	for (size_t i = from; i < from + n && i < id->n_groups; i++) {
		struct group_check_rec g = { .group_id = id->groups[i],
					     .outcome = outcome,
					     .http_status = http_status,
					     .error_code = code && *code ? code : NULL,
					     .error_message = message && *message ? message : NULL };
		sink_emit(c, REC_GROUP_CHECK, id->id, &g);
	}
}

/* Signed in to Graph: checkMemberGroups for the groups, GRAPH_BATCH at a time. */
static void
graph_send(struct collector *c, struct ident *id)
{
	for (size_t i = 0; i < id->n_groups; i += GRAPH_BATCH) {
		const char *ids[GRAPH_BATCH];
		size_t n = id->n_groups - i < GRAPH_BATCH ? id->n_groups - i : GRAPH_BATCH;
		for (size_t k = 0; k < n; k++)
			ids[k] = id->groups[i + k];
		char *body = access_member_groups_body(ids, n);
		char *url = xasprintf("%s/v1.0/servicePrincipals/%s/checkMemberGroups",
				      c->o->ep.graph_url, id->si.oid);
		struct chain *ch = chain_new(id, K_GRAPH, NULL);
		ch->group0 = i;
		ch->ngroups = n;
		submit(c, ch, "POST", url, body);
		free(url);
		free(body);
	}
}

/*
 * After the identity's ARM reads: check the groups they named, or record why not. True when
 * a Graph sign-in was started.
 */
static bool
graph_start(struct collector *c, struct ident *id)
{
	id->graph_started = true;
	if (id->n_groups == 0 || !id->si.signed_in || id->si.signin_failed)
		return false;
	if (c->o->ep.graph_url == NULL || c->o->ep.graph_resource == NULL) {
		groups_unverified(c, id, 0, id->n_groups, READ_FAILED, 0, "GraphNotRead",
				  "no Microsoft Graph endpoint for this run");
		return false;
	}
	if (id->acct->token_command || id->acct->auth == AUTH_AZ) {
		groups_unverified(c, id, 0, id->n_groups, READ_FAILED, 0, "NoGraphToken",
				  "a token command gives an ARM token only: group membership "
				  "not verified");
		return false;
	}
	if (id->acct->auth == AUTH_USER) {
		groups_unverified(c, id, 0, id->n_groups, READ_FAILED, 0, "NoGraphToken",
				  "a signed-in user is read with an ARM token only: group "
				  "membership not verified");
		return false;
	}
	id->graph_si.acct = id->acct;
	id->graph_si.id = id->id;
	id->graph_si.user = id;
	id->graph_si.resource = c->o->ep.graph_resource;
	session_start(c->session, &id->graph_si);
	return true;
}

/* One sign-in's identities, whose tenant list is the same (see user_tenants_wanted). */
static bool
shares_tenants(const struct account *a)
{
	return a->auth == AUTH_USER || a->az_all;
}

/*
 * GET /tenants answers "the tenants for your account": for a signed-in user that is every
 * directory the user belongs to, the same whichever tenant's token asks, so the user's
 * identities store it once, not once per tenant (500 guest tenants: 500 lists of 500). The
 * pages read at sign-in are the home tenant identity's list; without them (--tenants FILE)
 * the first user identity signed in reads it, and another tries if that read fails. The
 * others' tenant lists are left unread (nothing reads them but the tenant names). The same
 * holds for the identities of az's sign-in (collect --az: its default tenant's list).
 */
static bool
user_tenants_wanted(struct collector *c, struct ident *id)
{
	const struct user_tenant_pages *p = c->o->user_tenant_pages;

	if (!shares_tenants(id->acct))
		return true;
	if (c->user_tenants != UT_UNREAD)
		return false;
	if (p == NULL || p->n == 0) {
		c->user_tenants = UT_READING;
		return true;
	}
	if (!str_ieq(id->acct->tenant_id, p->tenant))
		return false;
	for (size_t i = 0; i < p->n; i++) {
		struct err err = ERR_INIT;
		cJSON *root = cJSON_Parse(p->v[i]);
		int rc = root ? arm_emit_tenants(root, c->sink, id->id, &err) : RC_PARSE;
		cJSON_Delete(root);
		if (rc < 0) { /* read it here then: its failure is recorded like any */
			c->user_tenants = UT_READING;
			return true;
		}
	}
	struct chain ch = { .ident = id, .kind = K_TENANTS };
	read_done(c, &ch);
	c->user_tenants = UT_READ;
	return false;
}

/* The user's tenant list could not be read by id: another user identity in progress reads it,
 * else the next one signed in. */
static void
user_tenants_failed(struct collector *c, const struct ident *id)
{
	c->user_tenants = UT_UNREAD;
	for (size_t i = 0; i < c->n_slots; i++) {
		struct ident *o = &c->idents[i];

		if (o != id && o->c && !o->finished && o->si.signed_in && shares_tenants(o->acct) &&
		    !*c->stop) {
			c->user_tenants = UT_READING;
			submit_arm(c, o, K_TENANTS, NULL, "/tenants?api-version=" API_RESOURCES, NULL);
			return;
		}
	}
}

static void
after_signin(struct session_ident *si, void *payload)
{
	struct collector *c = payload;
	struct ident *id = si->user;

	reap(c);
	if (si == &id->graph_si) {
		graph_send(c, id);
		return;
	}
	sink_emit(c, REC_IDENTITY_OK, id->id, si->oid);
	submit_arm(c, id, K_LINK, NULL,
		   "/providers/Microsoft.ManagementPartner/partners?api-version=" API_PARTNER, NULL);
	if (user_tenants_wanted(c, id))
		submit_arm(c, id, K_TENANTS, NULL, "/tenants?api-version=" API_RESOURCES, NULL);
	submit_arm(c, id, K_SUBS, NULL, "/subscriptions?api-version=" API_RESOURCES, NULL);
}

static void
signin_failed(struct session_ident *si, const struct http_req *r, void *payload)
{
	struct collector *c = payload;
	struct ident *id = si->user;

	reap(c);
	if (si == &id->graph_si) {
		/* group membership stays unverified; the identity's ARM reads stand */
		groups_unverified(c, id, 0, id->n_groups, READ_FAILED, r ? r->status : 0,
				  "GraphSignInFailed", si->error);
		return;
	}
	if (r) {
		struct chain ch = { .ident = id, .kind = K_TOKEN };
		record_failure(c, &ch, r, NULL, si->error);
	}
	identity_failed(id, "%s", si->error);
}

static void
token_done(struct session_ident *si, void *payload)
{
	reap(payload);
	maybe_finish(si->user);
}

/* ---- follow-ups scheduled from parsed records ---------------------------- */

static bool
roledef_add(struct collector *c, const char *guid)
{
	char g[37];
	int created = 0;

	for (int i = 0; i < 36; i++)
		g[i] = (char)((guid[i] >= 'A' && guid[i] <= 'Z') ? guid[i] + 32 : guid[i]);
	g[36] = '\0';
	smap_slot(&c->roledefs, g, &created);
	return created != 0;
}

static bool
safe_path(const char *p)
{
	if (p == NULL || p[0] != '/')
		return false;
	for (; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '/' || *p == '.' || *p == '-' || *p == '_'))
			return false;
	return true;
}

/*
 * The identity holds a grant on a single resource of sub: read the subscription's cost per
 * resource too (once), so the rules can attribute exactly those resources.
 */
static void
cost_by_resource(struct collector *c, struct ident *id, const char *sub)
{
	char path[256];

	if (!id_set_add(&id->res_subs, &id->n_res_subs, &id->cap_res_subs, sub))
		return;
	snprintf(path, sizeof(path),
		 "/subscriptions/%s/providers/Microsoft.CostManagement/query?api-version=" API_COST,
		 sub);
	submit_arm(c, id, K_COST_RESOURCE, sub, path, c->cost_resource_body);
}

static int
fwd_emit(void *payload, enum rec_type t, int64_t identity, const void *rec)
{
	struct collector *c = payload;
	struct ident *id = c->cur ? c->cur->ident : NULL;
	int rc = sink_emit(c, t, identity, rec);

	if (rc < 0 || id == NULL)
		return rc;
	if (t == REC_SUBSCRIPTION) {
		const struct subscription_rec *s = rec;
		char path[512];
		c->subs++;
		snprintf(path, sizeof(path),
			 "/subscriptions/%s/providers/Microsoft.Authorization/roleAssignments"
			 "?$filter=assignedTo(%%27%s%%27)&api-version=" API_AUTHZ,
			 s->subscription_id, id->si.oid);
		submit_arm(c, id, K_ROLES, s->subscription_id, path, NULL);
		for (size_t i = 0; i < s->n_managed_by; i++) {
			if (!str_ieq(s->managed_by[i], id->acct->tenant_id))
				continue;
			snprintf(path, sizeof(path),
				 "/subscriptions/%s/providers/Microsoft.ManagedServices/"
				 "registrationAssignments?$expandRegistrationDefinition=true"
				 "&api-version=" API_LIGHTHOUSE,
				 s->subscription_id);
			submit_arm(c, id, K_LIGHTHOUSE, s->subscription_id, path, NULL);
			break;
		}
		snprintf(path, sizeof(path),
			 "/subscriptions/%s/providers/Microsoft.CostManagement/query"
			 "?api-version=" API_COST,
			 s->subscription_id);
		submit_arm(c, id, K_COST, s->subscription_id, path, c->cost_body);
		for (int l = PIM_ELIGIBLE; l <= PIM_REQUEST; l++) {
			snprintf(path, sizeof(path),
				 "/subscriptions/%s/providers/Microsoft.Authorization/%s"
				 "?$filter=assignedTo(%%27%s%%27)&api-version=" API_PIM,
				 s->subscription_id, pim_resource_type((enum pim_list)l),
				 id->si.oid);
			submit_arm(c, id, (enum kind)(K_PIM + l), s->subscription_id, path, NULL);
		}
	} else if (t == REC_PIM) {
		const struct pim_rec *p = rec;
		if (strcmp(p->kind, "request") != 0 && strcmp(p->scope_level, "resource") == 0)
			cost_by_resource(c, id, p->subscription_id);
		if (p->principal_type && str_ieq(p->principal_type, "Group") &&
		    !str_ieq(p->principal_id, id->si.oid))
			id_set_add(&id->groups, &id->n_groups, &id->cap_groups, p->principal_id);
	} else if (t == REC_LIGHTHOUSE) {
		const struct lighthouse_rec *l = rec;
		for (size_t i = 0; i < l->n_auths; i++)
			if ((l->managed_by_tenant_id == NULL ||
			     str_ieq(l->managed_by_tenant_id, id->acct->tenant_id)) &&
			    !str_ieq(l->auths[i].principal_id, id->si.oid))
				id_set_add(&id->groups, &id->n_groups, &id->cap_groups,
					   l->auths[i].principal_id);
	} else if (t == REC_ROLE_ASSIGNMENT) {
		const struct role_assignment_rec *a = rec;
		c->assignments++;
		if (strcmp(a->scope_level, "resource") == 0)
			cost_by_resource(c, id, a->subscription_id);
		if (a->principal_type && str_ieq(a->principal_type, "Group") &&
		    !str_ieq(a->principal_id, id->si.oid))
			id_set_add(&id->groups, &id->n_groups, &id->cap_groups, a->principal_id);
		if (roledef_add(c, a->role_guid)) {
			if (safe_path(a->role_definition_id)) {
				char *path = xasprintf("%s?api-version=" API_AUTHZ,
						       a->role_definition_id);
				submit_arm(c, id, K_ROLEDEF, NULL, path, NULL);
				free(path);
			} else {
				log_warn("role definition id '%s' is not a safe path; not read",
					 a->role_definition_id);
			}
		}
	} else if (t == REC_COST_ROW) {
		c->cost_rows++;
	}
	return rc;
}

/* ---- responses ------------------------------------------------------------- */

static void
cost_unreadable(struct collector *c, struct chain *ch, const struct http_req *r,
		const char *code, const char *message)
{
	cJSON *root = NULL;
	const char *bcode = "", *bmsg = "";

	if (r->resp.len) {
		root = cJSON_ParseWithLength(r->resp.ptr, r->resp.len);
		arm_error(root, &bcode, &bmsg);
	}
	struct cost_status_rec s = {
		.subscription_id = ch->sub,
		.outcome = COST_UNREADABLE,
		.http_status = r->status,
		.error_code = code ? code : (*bcode ? bcode : NULL),
		.error_message = message ? message : (*bmsg ? bmsg : (r->cc ? r->errbuf : NULL)),
	};
	sink_emit(c, ch->kind == K_COST ? REC_COST_STATUS : REC_COST_RESOURCE_STATUS, ch->ident->id,
		  &s);
	cJSON_Delete(root);
}

/* The cost query (or the per-resource one) of ch ended with this outcome. */
static void
cost_done(struct collector *c, struct chain *ch, long http_status)
{
	struct cost_status_rec s = { .subscription_id = ch->sub,
				     .outcome = ch->rows > 0 ? COST_OK : COST_NONE,
				     .http_status = http_status };

	sink_emit(c, ch->kind == K_COST ? REC_COST_STATUS : REC_COST_RESOURCE_STATUS, ch->ident->id,
		  &s);
}

static bool
is_pim(enum kind k)
{
	return k == K_PIM || k == K_PIM_ACTIVE || k == K_PIM_REQUEST;
}

/*
 * A PIM list of ch ended: read, denied (the subscription is then evaluated on role
 * assignments alone) or failed. code/message default to the ARM error of r's body.
 */
static void
pim_status(struct collector *c, struct chain *ch, enum read_outcome o, const struct http_req *r)
{
	cJSON *root = NULL;
	const char *code = "", *msg = "";

	if (o != READ_OK && r->resp.len) {
		root = cJSON_ParseWithLength(r->resp.ptr, r->resp.len);
		arm_error(root, &code, &msg);
	}
	struct pim_status_rec s = { .subscription_id = ch->sub,
				    .list = pim_kind_name((enum pim_list)(ch->kind - K_PIM)),
				    .outcome = o,
				    .http_status = r->status,
				    .error_code = *code ? code : NULL,
				    .error_message = *msg ? msg : (r->cc ? r->errbuf : NULL) };
	sink_emit(c, REC_PIM_STATUS, ch->ident->id, &s);
	cJSON_Delete(root);
}

/* A checkMemberGroups batch was denied (403) or failed: its groups stay unverified. */
static void
graph_unverified(struct collector *c, struct chain *ch, enum read_outcome o,
		 const struct http_req *r)
{
	cJSON *root = NULL;
	const char *code = "", *msg = "";

	if (r->resp.len) {
		root = cJSON_ParseWithLength(r->resp.ptr, r->resp.len);
		arm_error(root, &code, &msg);
	}
	groups_unverified(c, ch->ident, ch->group0, ch->ngroups, o, r->status, code,
			  *msg ? msg : (r->cc ? r->errbuf : NULL));
	cJSON_Delete(root);
}

static void
chain_failed(struct collector *c, struct chain *ch, const struct http_req *r, const char *code,
	     const char *message)
{
	record_failure(c, ch, r, code, message);
	if (ch->kind == K_TENANTS && shares_tenants(ch->ident->acct))
		user_tenants_failed(c, ch->ident);
	switch (ch->kind) {
	case K_LINK:
		identity_failed(ch->ident, "the partner link could not be read (HTTP %ld)", r->status);
		break;
	case K_SUBS:
		identity_failed(ch->ident, "the subscription list could not be read (HTTP %ld)",
				r->status);
		break;
	case K_COST:
	case K_COST_RESOURCE:
		cost_unreadable(c, ch, r, code, message);
		break;
	case K_PIM:
	case K_PIM_ACTIVE:
	case K_PIM_REQUEST:
		pim_status(c, ch, READ_FAILED, r);
		break;
	case K_GRAPH:
		graph_unverified(c, ch, READ_FAILED, r);
		break;
	default:
		break;
	}
	read_done(c, ch); /* read to its end: the failure is what it found */
}

static void
follow(struct collector *c, struct chain *ch, const cJSON *root, const struct http_req *r)
{
	const char *next = arm_next_link(root);

	if (next == NULL) {
		if (ch->kind == K_COST || ch->kind == K_COST_RESOURCE)
			cost_done(c, ch, r->status);
		else if (is_pim(ch->kind))
			pim_status(c, ch, READ_OK, r);
		else if (ch->kind == K_TENANTS && shares_tenants(ch->ident->acct))
			c->user_tenants = UT_READ;
		read_done(c, ch);
		free(ch);
		return;
	}
	if (!http_same_origin(next, c->o->ep.arm_url)) {
		chain_failed(c, ch, r, "ForeignNextLink",
			     "nextLink points to another host; not followed");
		free(ch);
		return;
	}
	submit(c, ch, r->method, next, r->body);
}

static void
on_done(struct http_req *r, void *payload)
{
	struct collector *c = payload;
	struct chain *ch = r->tag;
	struct ident *id = ch->ident;
	cJSON *root = NULL;
	struct err err = ERR_INIT;
	int rc = 0;

	reap(c);
	r->tag = NULL; /* the chain is ours now: freed below or passed to the next page */
	id->pending--;
	if (ch->kind == K_ROLEDEF && --c->roledef_pending == 0)
		flush_waiting(c); /* (this one is done at out, if it is finished) */
	json_arena_open(); /* every tree parsed below is deleted at out: */
	if (r->cc != CURLE_OK) {
		chain_failed(c, ch, r, NULL, NULL);
		free(ch);
		goto out;
	}
	if (ch->kind == K_LINK && r->status == 404) {
		root = cJSON_ParseWithLength(r->resp.ptr ? r->resp.ptr : "", r->resp.len);
		arm_emit_link(root, 404, buf_cstr(&r->resp), c->sink, id->id, &err);
		read_done(c, ch);
		free(ch);
		goto out;
	}
	bool cost = ch->kind == K_COST || ch->kind == K_COST_RESOURCE;
	if (cost && r->status == 204) {
		cost_done(c, ch, 204);
		read_done(c, ch);
		free(ch);
		goto out;
	}
	if ((is_pim(ch->kind) || ch->kind == K_GRAPH) && (r->status == 401 || r->status == 403)) {
		/* denied: a fact to report (the rules fall back to what ARM showed) */
		if (ch->kind == K_GRAPH)
			graph_unverified(c, ch, READ_FORBIDDEN, r);
		else
			pim_status(c, ch, READ_FORBIDDEN, r);
		read_done(c, ch);
		free(ch);
		goto out;
	}
	if (cost && (r->status == 400 || r->status == 401 || r->status == 403 ||
		     r->status == 404)) {
		/* Cost is unreadable for this principal: a fact to report, not a failed run. */
		cost_unreadable(c, ch, r, NULL, NULL);
		read_done(c, ch);
		free(ch);
		goto out;
	}
	if (r->status < 200 || r->status >= 300) {
		chain_failed(c, ch, r, NULL, NULL);
		free(ch);
		goto out;
	}
	root = cJSON_ParseWithLength(r->resp.ptr ? r->resp.ptr : "", r->resp.len);
	if (root == NULL) {
		char msg[128];
		snprintf(msg, sizeof(msg), "the response body (%zu bytes) is not valid JSON",
			 r->resp.len);
		chain_failed(c, ch, r, "MalformedResponse", msg);
		free(ch);
		goto out;
	}
	c->cur = ch;
	switch (ch->kind) {
	case K_LINK:
		rc = arm_emit_link(root, r->status, buf_cstr(&r->resp), &c->fwd, id->id, &err);
		break;
	case K_TENANTS:
		rc = arm_emit_tenants(root, &c->fwd, id->id, &err);
		break;
	case K_SUBS:
		rc = arm_emit_subscriptions(root, &c->fwd, id->id, &err);
		break;
	case K_ROLES:
		rc = arm_emit_role_assignments(root, ch->sub, &c->fwd, id->id, &err);
		break;
	case K_ROLEDEF:
		rc = arm_emit_role_definition(root, &c->fwd, &err);
		break;
	case K_LIGHTHOUSE:
		rc = arm_emit_lighthouse(root, ch->sub, &c->fwd, id->id, &err);
		break;
	case K_COST:
	case K_COST_RESOURCE: {
		long rows = 0;
		rc = arm_emit_cost(root, ch->sub, &c->fwd, id->id, &rows, &err);
		ch->rows += rows;
		break;
	}
	case K_PIM:
	case K_PIM_ACTIVE:
	case K_PIM_REQUEST:
		rc = access_emit_pim(root, (enum pim_list)(ch->kind - K_PIM), ch->sub, &c->fwd,
				     id->id, &err);
		break;
	case K_GRAPH: {
		const char *asked[GRAPH_BATCH];
		for (size_t i = 0; i < ch->ngroups; i++)
			asked[i] = id->groups[ch->group0 + i];
		rc = access_emit_member_groups(root, asked, ch->ngroups, &c->fwd, id->id, &err);
		break;
	}
	case K_TOKEN:
		break;
	}
	c->cur = NULL;
	if (rc < 0) {
		if (c->sink_rc == 0)
			chain_failed(c, ch, r, "UnexpectedShape", err.msg);
		free(ch);
		goto out;
	}
	if (ch->kind == K_LINK || ch->kind == K_ROLEDEF || ch->kind == K_GRAPH) {
		read_done(c, ch);
		free(ch);
	} else
		follow(c, ch, root, r);
out:
	cJSON_Delete(root);
	json_arena_close();
	http_req_free(r);
	maybe_finish(id);
}

/* ---- the run ---------------------------------------------------------------- */

int
collect_run(const struct collect_opts *o, const struct accounts *accounts, const int64_t *ids,
	    const struct sink *sink, volatile sig_atomic_t *stop, struct collect_summary *sum,
	    struct err *err)
{
	struct collector c = { .o = o, .sink = sink, .stop = stop };
	struct session_hooks hooks = { .signed_in = after_signin, .signin_failed = signin_failed,
				       .token_done = token_done, .payload = &c };
	int rc = 0;

	memset(sum, 0, sizeof(*sum));
	if (!period_parse(o->period, c.first, c.last))
		return err_set(err, RC_USAGE, "bad period '%s'", o->period);
	c.fwd.emit = fwd_emit;
	c.fwd.payload = &c;
	c.cost_body = arm_cost_query_body(c.first, c.last);
	c.cost_resource_body = arm_cost_query_body_by(c.first, c.last, "ResourceId");
	c.session = session_open(&o->ep, 64u << 20, &hooks);
	session_set_accounts(c.session, accounts);
	session_set_user(c.session, o->user);
	c.engine = session_engine(c.session);
	c.n = accounts->n;
	c.accounts = accounts;
	c.ids = ids;
	/* enough identities in progress to keep every transfer busy: most wait on one request */
	c.n_slots = (size_t)(o->ep.concurrency > 0 ? o->ep.concurrency : 16) * COLLECT_SLOTS_PER_TRANSFER;
	if (c.n_slots > c.n)
		c.n_slots = c.n ? c.n : 1;
	c.idents = xcalloc(c.n_slots, sizeof(*c.idents));
	for (size_t i = c.n_slots; i-- > 0;) {
		c.idents[i].next = c.free_slots;
		c.free_slots = &c.idents[i];
	}
	c.t0 = now_ms();
	/*
	 * glibc returns the top of the heap to the kernel whenever 128 KB of it is
	 * free, and a run frees and reallocates that much all the time (SQLite's
	 * statement and page buffers, response trees): 2,000 brk calls and twice the
	 * page faults on a 200-tenant collect. Keep up to 8 MB; the peak RSS is
	 * not raised, only the memory under it is reused instead of faulted again.
	 */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	json_arena_install();
	/*
	 * Each identity's reads follow its token; a finished identity's slot goes to the
	 * next one. The engine stops when nothing is queued: identities that finished in
	 * its last callbacks are reaped here and the next ones started, until none is left.
	 */
	reap(&c);
	for (;;) {
		size_t started;

		if (http_engine_run(c.engine, stop, err) < 0) {
			rc = err->code;
			break;
		}
		if (*stop)
			break;
		started = c.next;
		reap(&c);
		if (c.next == started)
			break;
	}
	progress(&c, true);

	const struct http_stats *st = http_engine_stats(c.engine);
	sum->identities = (int)c.n;
	/* identities stopped part-way: failed if something failed, else neither */
	for (size_t i = 0; i < c.n_slots; i++) {
		struct ident *id = &c.idents[i];

		if (id->c && !id->done && (id->failed_any || id->si.signin_failed))
			c.n_failed++;
	}
	sum->identities_failed = c.n_failed;
	sum->identities_ok = c.n_ok;
	sum->subscriptions = c.subs;
	sum->role_assignments = c.assignments;
	sum->cost_rows = c.cost_rows;
	sum->requests = st->requests;
	sum->retries = st->retries;
	sum->throttled = st->throttled;
	sum->failures = st->failures;
	sum->seconds = (double)(now_ms() - c.t0) / 1000.0;
	if (c.sink_rc < 0 && rc == 0) {
		*err = c.sink_err;
		rc = c.sink_rc;
	}

	/* Frees queued requests (and their chains), then wipes the tokens. */
	session_free(c.session);
	for (size_t i = 0; i < c.n_slots; i++)
		release_slot(&c.idents[i]);
	free(c.idents);
	free(c.waiting);
	smap_release(&c.roledefs, NULL);
	free(c.cost_resource_body);
	free(c.cost_body);
	json_arena_uninstall();
	return rc;
}
