#include "import/import.h"
#include "arm/arm.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "db/store.h"
#include "import/cost.h"
#include "common/csvin.h"
#include "common/smap.h"
#include "model/scope.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_JSON_FILE (64u * 1024 * 1024)
#define MAX_JSON_STRING (64u * 1024)	/* no az or ARM value is longer */
#define MAX_NAME_BYTES 256	/* display names, user names, --label */

enum file_kind {
	FK_LINK,		/* az managementpartner show / GET .../partners */
	FK_LINK_NONE,		/* empty or NotFound: not linked */
	FK_LINK_ERROR,		/* another error: the link could not be read */
	FK_ACCOUNTS,		/* az account list / show */
	FK_SUBSCRIPTIONS,	/* az account subscription list / GET /subscriptions */
	FK_TENANTS,		/* az account tenant list / GET /tenants */
	FK_ROLE_ASSIGNMENTS,
	FK_ROLE_DEFINITIONS,
	FK_LIGHTHOUSE,
	FK_COST_QUERY,
	FK_COST_CSV,
	FK_EMPTY_LIST,
};

enum entry_kind {
	E_UNKNOWN,
	E_ACCOUNT,
	E_SUBSCRIPTION,
	E_TENANT,
	E_ROLE_ASSIGNMENT,
	E_ROLE_DEFINITION,
	E_LIGHTHOUSE,
};

struct jfile {
	char *name;
	enum file_kind kind;
	cJSON *root;	/* the parsed file */
	cJSON *list;	/* borrowed: the entries (root, root.value or a wrapper) */
	cJSON *wrap;	/* owned {"value": list} wrapper with references, or NULL */
	char *raw;	/* the text (link files only) */
	char *error;	/* FK_LINK_ERROR: code and message */
	size_t n_unknown_sub;	/* role assignments whose subscription is not in the file */
	struct smap ra_subs;	/* the subscriptions its role assignments were listed for */
};

struct sub {
	char id[37];
	char *name, *tenant, *state, *quota, *spending, *placement, *authsrc;
	char **managed;
	size_t n_managed;
};

struct import {
	const struct import_opts *o;
	struct jfile *files;
	size_t n_files;
	int link_file;		/* index or -1 */
	bool have_subs_source;
	struct sub **subs;	/* in order of first appearance */
	size_t n_subs;
	struct smap sub_index;	/* id -> struct sub * */
	struct smap other_subs;	/* subscriptions listed for other tenants -> that tenant */
	char *tenant_name, *tenant_domain, *user_name;
	struct smap ra_subs;	/* subscriptions with role assignment data */
	struct smap lh_subs;	/* subscriptions with Lighthouse data */
	struct smap direct;	/* direct principals of role assignments -> count */
	struct smap roles_used;	/* role GUIDs referenced -> role name or NULL */
	struct smap roles_defined;
	size_t n_group_assignments;
	struct cost_agg cost;
	bool have_cost;
	int cost_file_no;
	struct smap cost_query_no;	/* subscription -> file number of its query pages */
	long cost_rows_seen;	/* rows of the cost query response being read */
	struct import_notes notes;
	char oid[37];
	char period[8];
	bool finished;
	/* phase 2 counters */
	size_t kept, dropped_groups, dropped_other, n_not_imported;
	const struct sink *out;
	int64_t identity;
	const char *emit_file;
	struct err *emit_err;
};

/* --- small helpers ------------------------------------------------------ */

static void note(struct import *im, const char *fmt, ...) PRINTFLIKE(2, 3);

static void
note(struct import *im, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_adds(&b, tmp);
	im->notes.v = xrealloc(im->notes.v, (im->notes.n + 1) * sizeof(*im->notes.v));
	im->notes.v[im->notes.n++] = buf_detach(&b);
}

void
import_notes_release(struct import_notes *notes)
{
	for (size_t i = 0; i < notes->n; i++)
		free(notes->v[i]);
	free(notes->v);
	notes->v = NULL;
	notes->n = 0;
}

static bool
has(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key) != NULL;
}

static void
lower_guid(const char *in, char *out)
{
	for (int i = 0; i < 36; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[36] = '\0';
}

/* The subscription GUID after "subscriptions/" in an id, lowercased; false if none. */
static bool
id_subscription(const char *id, char *out)
{
	const char *p = id;

	while (p && *p) {
		if (str_istarts(p, "subscriptions/") && (p == id || p[-1] == '/')) {
			char g[37];
			p += 14;
			if (strlen(p) < 36)
				return false;
			memcpy(g, p, 36);
			g[36] = '\0';
			if (!is_guid(g) || (p[36] != '\0' && p[36] != '/'))
				return false;
			lower_guid(g, out);
			return true;
		}
		p = strchr(p, '/');
		if (p)
			p++;
	}
	return false;
}

static const char *
only_subscription(const struct import *im)
{
	return im->n_subs == 1 ? im->subs[0]->id : NULL;
}

/* --- classification ----------------------------------------------------- */

static enum entry_kind
classify_entry(const cJSON *e)
{
	const cJSON *p = arm_obj(e, "properties");

	if (!cJSON_IsObject(e))
		return E_UNKNOWN;
	if ((has(e, "roleDefinitionId") && has(e, "scope")) ||
	    (p && has(p, "roleDefinitionId") && has(p, "scope")))
		return E_ROLE_ASSIGNMENT;
	if (has(e, "roleName") || (p && has(p, "roleName")) ||
	    (has(e, "permissions") && has(e, "assignableScopes")))
		return E_ROLE_DEFINITION;
	if (p && (has(p, "registrationDefinitionId") || has(p, "registrationDefinition")))
		return E_LIGHTHOUSE;
	if (has(e, "homeTenantId") || has(e, "isDefault") || has(e, "cloudName") ||
	    has(e, "environmentName"))
		return E_ACCOUNT;
	if (has(e, "subscriptionId") &&
	    (has(e, "subscriptionPolicies") || has(e, "authorizationSource") || has(e, "state")))
		return E_SUBSCRIPTION;
	if (has(e, "tenantId") &&
	    (has(e, "tenantCategory") || has(e, "defaultDomain") || has(e, "domains")))
		return E_TENANT;
	return E_UNKNOWN;
}

static enum file_kind
entry_file_kind(enum entry_kind k)
{
	switch (k) {
	case E_ACCOUNT:
		return FK_ACCOUNTS;
	case E_SUBSCRIPTION:
		return FK_SUBSCRIPTIONS;
	case E_TENANT:
		return FK_TENANTS;
	case E_ROLE_ASSIGNMENT:
		return FK_ROLE_ASSIGNMENTS;
	case E_ROLE_DEFINITION:
		return FK_ROLE_DEFINITIONS;
	case E_LIGHTHOUSE:
		return FK_LIGHTHOUSE;
	case E_UNKNOWN:
		break;
	}
	return FK_EMPTY_LIST;
}

static bool
not_found_text(const char *code, const char *msg)
{
	const char *texts[] = { code, msg };

	for (int i = 0; i < 2; i++) {
		const char *t = texts[i];
		for (; t && *t; t++)
			if (str_istarts(t, "notfound") || str_istarts(t, "not found") ||
			    str_istarts(t, "not linked") || str_istarts(t, "no partner"))
				return true;
	}
	return false;
}

/* --- subscriptions ------------------------------------------------------ */

static struct sub *
sub_get(struct import *im, const char *id)
{
	char key[37];
	int created;

	lower_guid(id, key);
	void **slot = smap_slot(&im->sub_index, key, &created);
	if (created) {
		struct sub *s = xcalloc(1, sizeof(*s));
		memcpy(s->id, key, sizeof(key));
		*slot = s;
		im->subs = xrealloc(im->subs, (im->n_subs + 1) * sizeof(*im->subs));
		im->subs[im->n_subs++] = s;
	}
	return *slot;
}

static void
fill(char **dst, const char *v)
{
	if (*dst == NULL && v && *v)
		*dst = xstrdup(v);
}

static void
sub_free(struct sub *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s->tenant);
	free(s->state);
	free(s->quota);
	free(s->spending);
	free(s->placement);
	free(s->authsrc);
	for (size_t i = 0; i < s->n_managed; i++)
		free(s->managed[i]);
	free(s->managed);
	free(s);
}

static void
sub_add_managed(struct sub *s, const char *tid)
{
	for (size_t i = 0; i < s->n_managed; i++)
		if (str_ieq(s->managed[i], tid))
			return;
	s->managed = xrealloc(s->managed, (s->n_managed + 1) * sizeof(*s->managed));
	s->managed[s->n_managed++] = xstrdup(tid);
}

static bool
managed_by(const struct subscription_rec *r, const char *tenant)
{
	for (size_t i = 0; i < r->n_managed_by; i++)
		if (str_ieq(r->managed_by[i], tenant))
			return true;
	return false;
}

/* Sink for arm_emit_subscriptions in phase 1: check the tenant, merge. */
static int
capture_subscription(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	struct import *im = payload;
	const struct subscription_rec *r = rec;

	(void)identity;
	if (type != REC_SUBSCRIPTION)
		return 0;
	if (!str_ieq(r->tenant_id, im->o->tenant) && !managed_by(r, im->o->tenant))
		return err_set(im->emit_err, RC_PARSE,
			       "%s: subscription %s belongs to tenant %s, not to --tenant %s (and "
			       "is not delegated to it)",
			       im->emit_file, r->subscription_id, r->tenant_id, im->o->tenant);
	if (r->display_name && strlen(r->display_name) > MAX_NAME_BYTES)
		return err_set(im->emit_err, RC_PARSE,
			       "%s: subscription %s: 'displayName' of %zu bytes (at most %d)",
			       im->emit_file, r->subscription_id, strlen(r->display_name),
			       MAX_NAME_BYTES);
	struct sub *s = sub_get(im, r->subscription_id);
	fill(&s->name, r->display_name);
	fill(&s->tenant, r->tenant_id);
	fill(&s->state, r->state);
	fill(&s->quota, r->quota_id);
	fill(&s->spending, r->spending_limit);
	fill(&s->placement, r->location_placement_id);
	fill(&s->authsrc, r->authorization_source);
	for (size_t i = 0; i < r->n_managed_by; i++)
		sub_add_managed(s, r->managed_by[i]);
	return 0;
}

/* Bound: a name (display name, user name) of at most MAX_NAME_BYTES. */
static int
check_name(const char *file, size_t entry, const char *key, const char *v, struct err *err)
{
	if (v == NULL || strlen(v) <= MAX_NAME_BYTES)
		return 0;
	return err_set(err, RC_PARSE, "%s: entry %zu: '%s' of %zu bytes (at most %d)", file, entry,
		       key, strlen(v), MAX_NAME_BYTES);
}

/* Subscriptions az account list --all printed for other tenants: id -> that tenant. */
static void
remember_other(struct import *im, const char *sub, const char *tenant)
{
	char key[37];
	int created;

	lower_guid(sub, key);
	void **slot = smap_slot(&im->other_subs, key, &created);
	if (created)
		*slot = xstrdup(tenant);
}

/*
 * az account list --all lists the subscriptions of every tenant the user is
 * signed in to: keep --tenant's (tenantId = the tenant whose token listed
 * it), count the others, and fail only when none is of --tenant.
 */
static int
load_accounts(struct import *im, struct jfile *f, struct err *err)
{
	const cJSON *e;
	size_t i = 0, kept = 0, left_out = 0, tenant_level = 0, other_tl = 0;
	struct smap others = SMAP_INIT;
	const char *first_other = NULL, *first_other_tid = NULL;

	cJSON_ArrayForEach(e, f->list)
	{
		const char *id = arm_str(e, "id"), *tid = arm_str(e, "tenantId");
		const char *home = arm_str(e, "homeTenantId");
		i++;
		if (!is_guid(id)) {
			smap_release(&others, NULL);
			return err_set(err, RC_PARSE, "%s: entry %zu has no subscription 'id'",
				       f->name, i);
		}
		if (tid == NULL || !is_guid(tid)) {
			smap_release(&others, NULL);
			return err_set(err, RC_PARSE,
				       "%s: entry %zu (subscription %s) has no 'tenantId' GUID",
				       f->name, i, id);
		}
		/*
		 * az login --allow-no-subscriptions adds a "tenant level account": id is
		 * the tenant's, name "N/A(tenant level account)" (azure-cli-core
		 * _profile.py _TENANT_LEVEL_ACCOUNT_NAME). It is no subscription.
		 */
		const char *nm = arm_str(e, "name");
		int nrc;
		if ((nrc = check_name(f->name, i, "name", nm, err)) < 0 ||
		    (nrc = check_name(f->name, i, "tenantDisplayName",
				      arm_str(e, "tenantDisplayName"), err)) < 0 ||
		    (nrc = check_name(f->name, i, "user.name", arm_str(arm_obj(e, "user"), "name"),
				      err)) < 0) {
			smap_release(&others, NULL);
			return nrc;
		}
		bool tl = str_ieq(id, tid) || (nm && strcmp(nm, "N/A(tenant level account)") == 0);
		if (!str_ieq(tid, im->o->tenant)) {
			char t[37];
			if (tl) {
				other_tl++;
				continue;
			}
			lower_guid(tid, t);
			smap_slot(&others, t, NULL);
			remember_other(im, id, t);
			if (first_other == NULL) {
				first_other = id;
				first_other_tid = tid;
			}
			left_out++;
			continue;
		}
		fill(&im->tenant_name, arm_str(e, "tenantDisplayName"));
		fill(&im->tenant_domain, arm_str(e, "tenantDefaultDomain"));
		fill(&im->user_name, arm_str(arm_obj(e, "user"), "name"));
		if (tl) {
			tenant_level++;
			continue;
		}
		kept++;
		struct sub *s = sub_get(im, id);
		fill(&s->name, arm_str(e, "name"));
		free(s->tenant); /* the subscription list's assumed tenant gives way */
		s->tenant = NULL;
		fill(&s->tenant, home ? home : tid);
		fill(&s->state, arm_str(e, "state"));
		const cJSON *m, *mbt = cJSON_GetObjectItemCaseSensitive(e, "managedByTenants");
		const cJSON *mlist = cJSON_IsArray(mbt) ? mbt : NULL;
		cJSON_ArrayForEach(m, mlist)
		{
			const char *t = arm_str(m, "tenantId");
			if (t)
				sub_add_managed(s, t);
		}
	}
	size_t n_other_tenants = others.n;
	smap_release(&others, NULL);
	if (kept == 0 && tenant_level == 0 && first_other == NULL)
		return err_set(err, RC_PARSE,
			       "%s: nothing in it is of --tenant %s (only tenant level accounts of "
			       "other tenants)",
			       f->name, im->o->tenant);
	if (kept == 0 && tenant_level == 0)
		return err_set(err, RC_PARSE,
			       "%s: subscription %s was listed in tenant %s, not in --tenant %s, and "
			       "so were the other %zu: nothing in the file is of --tenant (the "
			       "file of another tenant?)",
			       f->name, first_other, first_other_tid, im->o->tenant, left_out - 1);
	im->have_subs_source = true;
	note(im, "%s: az account list (%zu subscription%s of --tenant%s)", f->name, kept,
	     kept == 1 ? "" : "s", tenant_level ? "; its tenant level account is no subscription" : "");
	if (left_out)
		note(im, "%s: %zu subscription%s of %zu other tenant%s left out", f->name, left_out,
		     left_out == 1 ? "" : "s", n_other_tenants, n_other_tenants == 1 ? "" : "s");
	if (other_tl)
		note(im, "%s: %zu tenant level account%s of other tenants left out", f->name,
		     other_tl, other_tl == 1 ? "" : "s");
	return 0;
}

/* --- role assignments ------------------------------------------------------ */

/* The subscription a role assignment was listed for; NULL when the record does not say. */
static const char *
ra_subscription(const struct role_assignment_rec *r, char *buf)
{
	struct scope_info si;

	scope_parse(r->scope, &si);
	if (si.subscription_id[0]) {
		lower_guid(si.subscription_id, buf);
		return buf;
	}
	if (r->role_definition_id && id_subscription(r->role_definition_id, buf))
		return buf;
	return NULL;
}

static bool
is_group(const char *type)
{
	return type && str_ieq(type, "Group");
}

/* Length in characters of the resource group segment of a scope (0: none). */
static size_t
scope_rg_chars(const char *scope)
{
	const char *p = scope;

	while (p && (p = strchr(p, '/')) != NULL) {
		p++;
		if (str_istarts(p, "resourceGroups/")) {
			p += 15;
			const char *e = strchr(p, '/');
			return cost_utf8_chars(p, e ? (size_t)(e - p) : strlen(p));
		}
	}
	return 0;
}

/* Phase 1: which subscriptions and principals the file covers. */
static int
gather_assignment(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	struct import *im = payload;
	const struct role_assignment_rec *r = rec;
	char sb[37];

	(void)identity;
	if (type != REC_ROLE_ASSIGNMENT)
		return 0;
	const char *sub = ra_subscription(r, sb);
	struct jfile *f = &im->files[im->n_files - 1];
	size_t rg_len = scope_rg_chars(r->scope);
	if (rg_len > COST_MAX_RG_CHARS)
		return err_set(im->emit_err, RC_PARSE,
			       "assignment '%.80s': the resource group name in its scope has %zu "
			       "characters (Azure allows at most %d)",
			       r->assignment_id ? r->assignment_id : "", rg_len, COST_MAX_RG_CHARS);
	if (sub) {
		smap_slot(&im->ra_subs, sub, NULL);
		smap_slot(&f->ra_subs, sub, NULL);
	} else {
		f->n_unknown_sub++;
	}
	if (is_group(r->principal_type)) {
		im->n_group_assignments++;
	} else if (r->principal_id && is_guid(r->principal_id)) {
		char p[37];
		lower_guid(r->principal_id, p);
		void **slot = smap_slot(&im->direct, p, NULL);
		*slot = (void *)((intptr_t)*slot + 1);
	}
	int created;
	void **role = smap_slot(&im->roles_used, r->role_guid, &created);
	(void)role;
	return 0;
}

/* Phase 2: keep the identity's own (and, if asked, its groups') assignments. */
static int
forward_assignment(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	struct import *im = payload;
	struct role_assignment_rec r = *(const struct role_assignment_rec *)rec;
	char sb[37];

	(void)identity;
	if (type != REC_ROLE_ASSIGNMENT)
		return 0;
	if (is_group(r.principal_type)) {
		if (!im->o->include_groups) {
			im->dropped_groups++;
			return 0;
		}
	} else if (r.principal_id && im->oid[0] && !str_ieq(r.principal_id, im->oid)) {
		im->dropped_other++;
		return 0;
	}
	r.subscription_id = ra_subscription(&r, sb);
	if (r.subscription_id == NULL)
		r.subscription_id = only_subscription(im);
	if (r.subscription_id == NULL)
		return err_set(im->emit_err, RC_PARSE,
			       "%s: assignment '%s' at scope '%s' does not say which subscription "
			       "it was listed for, and the import has %zu subscriptions",
			       im->emit_file, r.assignment_id, r.scope, im->n_subs);
	im->kept++;
	return im->out->emit(im->out->payload, REC_ROLE_ASSIGNMENT, im->identity, &r);
}

static int
noop_sink(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	(void)payload;
	(void)type;
	(void)identity;
	(void)rec;
	return 0;
}

/* --- role definitions ------------------------------------------------------ */

/*
 * The CLI prints definitions flattened (roleName, roleType, permissions at
 * the top); arm_emit_role_definition reads the ARM form. Build the ARM form
 * from references (nothing is copied; deleting the wrapper leaves e intact).
 */
static cJSON *
definition_arm_form(cJSON *e)
{
	cJSON *w, *p;

	if (arm_obj(e, "properties"))
		return NULL;
	w = cJSON_CreateObject();
	p = cJSON_CreateObject();
	cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
	if (id)
		cJSON_AddItemReferenceToObject(w, "id", id);
	const char *map[][2] = { { "roleName", "roleName" },
				 { "roleType", "type" },
				 { "description", "description" },
				 { "permissions", "permissions" } };
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(e, map[i][0]);
		if (v)
			cJSON_AddItemReferenceToObject(p, map[i][1], v);
	}
	cJSON_AddItemToObject(w, "properties", p);
	return w;
}

static int
each_definition(struct import *im, struct jfile *f, const struct sink *sink, struct err *err)
{
	cJSON *e;
	int rc = 0;

	cJSON_ArrayForEach(e, f->list)
	{
		cJSON *w = definition_arm_form(e);
		rc = arm_emit_role_definition(w ? w : e, sink, err);
		cJSON_Delete(w);
		if (rc < 0) {
			err_prefix(err, "%s: ", f->name);
			return rc;
		}
	}
	(void)im;
	return 0;
}

static int
capture_definition(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	struct import *im = payload;
	const struct role_definition_rec *r = rec;

	(void)identity;
	if (type == REC_ROLE_DEFINITION)
		smap_slot(&im->roles_defined, r->role_guid, NULL);
	return 0;
}

/* --- Lighthouse ------------------------------------------------------------ */

static int
forward_lighthouse(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	struct import *im = payload;
	struct lighthouse_rec r = *(const struct lighthouse_rec *)rec;
	char sb[37];

	(void)identity;
	if (type != REC_LIGHTHOUSE)
		return 0;
	r.subscription_id = id_subscription(r.assignment_id, sb) ? sb : only_subscription(im);
	if (r.subscription_id == NULL)
		return err_set(im->emit_err, RC_PARSE,
			       "%s: registration assignment '%s' is not inside a subscription",
			       im->emit_file, r.assignment_id);
	if (im->out == NULL) {
		smap_slot(&im->lh_subs, r.subscription_id, NULL);
		return 0;
	}
	return im->out->emit(im->out->payload, REC_LIGHTHOUSE, im->identity, &r);
}

/* --- cost query bodies -------------------------------------------------- */

struct cost_capture {
	struct import *im;
};

static int
capture_cost(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	struct import *im = payload;
	const struct cost_row_rec *r = rec;
	struct raw_date d = { DATE_YMD, 0, 0, 0 };

	(void)identity;
	if (type != REC_COST_ROW)
		return 0;
	im->cost_rows_seen++;
	if (!isfinite(r->cost) || fabs(r->cost) > COST_MAX_ABS)
		return err_set(im->emit_err, RC_PARSE,
			       "row %ld: cost %g is out of bounds (at most 1e12 in one row)",
			       im->cost_rows_seen, r->cost);
	size_t rgc = r->resource_group ? cost_utf8_chars(r->resource_group,
							 strlen(r->resource_group))
				       : 0;
	if (rgc > COST_MAX_RG_CHARS)
		return err_set(im->emit_err, RC_PARSE,
			       "row %ld: a resource group name of %zu characters (Azure allows at "
			       "most %d)",
			       im->cost_rows_seen, rgc, COST_MAX_RG_CHARS);
	d.y = atoi(r->usage_date);
	d.a = atoi(r->usage_date + 5);
	d.b = atoi(r->usage_date + 8);
	cost_agg_add(&im->cost, r->subscription_id, &d, r->resource_group ? r->resource_group : "",
		     r->currency ? r->currency : "", r->cost, 0, r->usage_date);
	return 0;
}

/* --- loading one file ----------------------------------------------------- */

static void
json_position(const char *data, const char *at, long *line, long *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = data; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static struct jfile *
new_jfile(struct import *im, const char *name, enum file_kind kind)
{
	im->files = xrealloc(im->files, (im->n_files + 1) * sizeof(*im->files));
	struct jfile *f = &im->files[im->n_files++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->kind = kind;
	return f;
}

static int
set_link_file(struct import *im, const char *name, struct err *err)
{
	if (im->link_file >= 0)
		return err_set(err, RC_PARSE,
			       "%s: a second partner link file (the first is '%s'): one import is "
			       "one identity",
			       name, im->files[im->link_file].name);
	im->link_file = (int)im->n_files - 1;
	return 0;
}

static int
load_link(struct import *im, struct jfile *f, struct err *err)
{
	const cJSON *p = arm_obj(f->root, "properties");
	const char *tid, *oid, *pid;
	int rc;

	if ((rc = set_link_file(im, f->name, err)) < 0)
		return rc;
	if (p == NULL)
		p = f->root;
	tid = arm_str(p, "tenantId");
	oid = arm_str(p, "objectId");
	pid = arm_str(p, "partnerId");
	if (tid && !str_ieq(tid, im->o->tenant))
		return err_set(err, RC_PARSE,
			       "%s: the partner link is in tenant %s, not in --tenant %s", f->name,
			       tid, im->o->tenant);
	if (oid && !is_guid(oid))
		return err_set(err, RC_PARSE, "%s: objectId '%s' is not a GUID", f->name, oid);
	note(im, "%s: %s: linked to partner ID %s (%s)%s%s", f->name,
	     p == f->root ? "az managementpartner show" : "ARM partner link response", pid,
	     arm_str(p, "state") ? arm_str(p, "state") : "state not given",
	     oid ? ", object id " : "", oid ? oid : "");
	return 0;
}

/* The line at *pos (without its end of line); *pos moves past it. */
static bool
next_line(const char *data, size_t len, size_t *pos, const char **line, size_t *n)
{
	size_t i = *pos;

	if (i >= len)
		return false;
	*line = data + i;
	while (i < len && data[i] != '\n' && data[i] != '\r')
		i++;
	*n = (size_t)(data + i - *line);
	if (i < len && data[i] == '\r')
		i++;
	if (i < len && data[i] == '\n')
		i++;
	*pos = i;
	return true;
}

static bool
line_starts(const char *line, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(line, prefix, k) == 0;
}

/*
 * az's stderr saved with 2>&1 starts with lines of "WARNING: ..." (an
 * extension being installed, a preview notice) before the JSON on stdout or
 * the "ERROR: ..." line. The offset of the first other non-blank line.
 */
static size_t
after_az_warnings(const char *data, size_t len)
{
	size_t pos = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, start = pos;
	const char *line;
	size_t n;

	while (next_line(data, len, &pos, &line, &n)) {
		while (n && isspace((unsigned char)*line)) {
			line++;
			n--;
		}
		if (n && !line_starts(line, n, "WARNING:"))
			return (size_t)(line - data);
		start = pos;
	}
	return start;
}

/* Is this az's error output? *at is the offset of the ERROR line. */
static bool
az_error_text(const char *data, size_t len, size_t *at)
{
	*at = after_az_warnings(data, len);
	return line_starts(data + *at, len - *at, "ERROR:");
}

static char *
dup_trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n > 1000)
		n = 1000;
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/*
 * az's error text (azure-cli-core aaz/_error_format.py AAZODataV4Format, as
 * azure-core's ODataV4Format): "ERROR: (Code) Message", then "Code: Code" and
 * "Message: Message" lines. Older az (msrest) printed "ERROR: Operation returned
 * an invalid status code 'Not Found'". The code and message are taken from it;
 * a NotFound is "not linked", stored as a collected 404 is: linked = 0, HTTP 404,
 * the body {"error":{"code","message"}} the service sent.
 */
static int
load_error_text(struct import *im, const char *name, const char *data, size_t len, size_t at,
		struct err *err)
{
	char *code = NULL, *msg = NULL;
	const char *line = data + at;
	size_t n = 0, pos = at;
	int rc;

	next_line(data, len, &pos, &line, &n);
	line += 6; /* "ERROR:" */
	n -= 6;
	while (n && *line == ' ') {
		line++;
		n--;
	}
	const char *close = n && *line == '(' ? memchr(line, ')', n) : NULL;
	if (close) {
		code = dup_trimmed(line + 1, (size_t)(close - line - 1));
		msg = dup_trimmed(close + 1, n - (size_t)(close + 1 - line));
	} else {
		msg = dup_trimmed(line, n);
		if (strstr(msg, "'Not Found'"))
			code = xstrdup("NotFound");
	}
	while (next_line(data, len, &pos, &line, &n)) {
		if (line_starts(line, n, "Code: ")) {
			free(code);
			code = dup_trimmed(line + 6, n - 6);
		} else if (line_starts(line, n, "Message: ")) {
			free(msg);
			msg = dup_trimmed(line + 9, n - 9);
		}
	}
	struct jfile *f = new_jfile(im, name, FK_LINK_NONE);
	f->error = xasprintf("%s%s%s", code ? code : "", code ? ": " : "", msg);
	if (code && not_found_text(code, NULL)) {
		cJSON *body = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(body, "error");
		cJSON_AddStringToObject(e, "code", code);
		cJSON_AddStringToObject(e, "message", msg);
		f->raw = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
	} else {
		f->raw = xmalloc(len + 1);
		memcpy(f->raw, data, len);
		f->raw[len] = '\0';
		if (code == NULL && not_found_text(msg, NULL))
			f->kind = FK_LINK_NONE;
		else
			f->kind = FK_LINK_ERROR;
	}
	if ((rc = set_link_file(im, name, err)) < 0)
		goto out;
	if (f->kind == FK_LINK_NONE)
		note(im, "%s: az error output (%s): taken as 'az managementpartner show' of a "
			 "principal with no partner link (not linked)",
		     name, f->error);
	else
		note(im, "%s: az error output (%s): taken as a failed 'az managementpartner show' "
			 "(the link could not be read)",
		     name, f->error);
out:
	free(code);
	free(msg);
	return rc;
}

/*
 * Bound: a JSON string longer than MAX_JSON_STRING bytes (no az or ARM value
 * is; a 10 MB "resource group name" is a broken or hostile file) is refused
 * with the line and column where it starts.
 */
static int
check_json_strings(const char *name, const char *data, size_t len, struct err *err)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '"')
			continue;
		size_t start = i++;
		while (i < len && data[i] != '"') {
			if (data[i] == '\\')
				i++;
			i++;
		}
		size_t n = (i > len ? len : i) - start - 1;
		if (n > MAX_JSON_STRING) {
			long line, col;
			json_position(data, data + start, &line, &col);
			return err_set(err, RC_PARSE,
				       "%s:%ld:%ld: a string of %zu bytes (at most %u: no az or ARM "
				       "value is longer)",
				       name, line, col, n, MAX_JSON_STRING);
		}
	}
	return 0;
}

static int
load_json(struct import *im, const char *name, const char *data, size_t len, struct err *err)
{
	const char *end = NULL;
	cJSON *root;
	struct jfile *f;
	int rc = 0;

	if ((rc = check_json_strings(name, data, len, err)) < 0)
		return rc;
	root = cJSON_ParseWithLengthOpts(data, len, &end, 0);

	if (root == NULL) {
		long line, col;
		const char *at = end && end >= data && end <= data + len ? end : data + len;
		json_position(data, at, &line, &col);
		bool at_end = true;
		for (const char *q = at < data + len ? at + 1 : at; q < data + len; q++)
			at_end &= isspace((unsigned char)*q) != 0;
		return err_set(err, RC_PARSE, "%s:%ld:%ld: invalid JSON%s", name, line, col,
			       at_end ? " (the file ends early: truncated?)" : "");
	}
	for (const char *p = end; p && p < data + len; p++) {
		if (!isspace((unsigned char)*p)) {
			long line, col;
			json_position(data, p, &line, &col);
			cJSON_Delete(root);
			return err_set(err, RC_PARSE, "%s:%ld:%ld: text after the JSON value", name,
				       line, col);
		}
	}
	f = new_jfile(im, name, FK_EMPTY_LIST);
	f->root = root;

	const cJSON *props = arm_obj(root, "properties");
	if (cJSON_IsObject(root) && (has(root, "partnerId") || (props && has(props, "partnerId")))) {
		f->kind = FK_LINK;
		f->raw = xmalloc(len + 1);
		memcpy(f->raw, data, len);
		f->raw[len] = '\0';
		return load_link(im, f, err);
	}
	if (cJSON_IsObject(root) && (arm_obj(root, "error") || (has(root, "code") &&
							      has(root, "message")))) {
		const char *code, *msg;
		arm_error(root, &code, &msg);
		f->raw = xmalloc(len + 1);
		memcpy(f->raw, data, len);
		f->raw[len] = '\0';
		f->error = xasprintf("%s: %s", code, msg);
		if ((rc = set_link_file(im, name, err)) < 0)
			return rc;
		if (not_found_text(code, msg)) {
			f->kind = FK_LINK_NONE;
			note(im, "%s: ARM error %s: taken as the partner link response of a "
				 "principal with no partner link",
			     name, code);
		} else {
			f->kind = FK_LINK_ERROR;
			note(im, "%s: ARM error %s: taken as a failed partner link read", name,
			     code);
		}
		return 0;
	}
	if (cJSON_IsObject(root) && props && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
						      props, "columns"))) {
		char sub[37];
		const char *id = arm_str(root, "id");
		if (id == NULL || !id_subscription(id, sub))
			return err_set(err, RC_PARSE,
				       "%s: a cost query response whose 'id' names no subscription "
				       "(save the response of a subscription-scope query)",
				       name);
		f->kind = FK_COST_QUERY;
		int created;
		void **no = smap_slot(&im->cost_query_no, sub, &created);
		if (created)
			*no = (void *)(intptr_t)++im->cost_file_no;
		cost_agg_begin_file(&im->cost, (int)(intptr_t)*no, name);
		struct sink cap = { capture_cost, im };
		long rows = 0;
		im->emit_err = err;
		im->cost_rows_seen = 0;
		if ((rc = arm_emit_cost(root, sub, &cap, 0, &rows, err)) < 0) {
			err_prefix(err, "%s: ", name);
			return rc;
		}
		if ((rc = cost_agg_end_file(&im->cost, NULL, 0, err)) < 0)
			return rc;
		smap_slot(&im->cost.subs, sub, NULL);
		im->have_cost = true;
		note(im, "%s: cost query response for subscription %s (%ld rows)", name, sub,
		     rows);
		return 0;
	}

	/* Lists: a JSON array (az CLI), {"value": [...]} (ARM), or one object. */
	enum entry_kind ek = E_UNKNOWN;
	const char *form = "az CLI";
	if (cJSON_IsArray(root)) {
		f->list = root;
	} else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "value"))) {
		f->list = cJSON_GetObjectItemCaseSensitive(root, "value");
		form = "ARM";
	} else if (classify_entry(root) != E_UNKNOWN) {
		/* one object (az account show, az role definition show, GET one subscription) */
		f->wrap = cJSON_CreateArray();
		cJSON_AddItemReferenceToArray(f->wrap, root);
		f->list = f->wrap;
	} else {
		return err_set(err, RC_PARSE,
			       "%s: unknown JSON file: not az CLI output or an ARM response palscope "
			       "reads (partner link, subscriptions, tenants, role assignments, role "
			       "definitions, Lighthouse assignments, cost query)",
			       name);
	}
	size_t n = 0, i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, f->list)
	{
		enum entry_kind k = classify_entry(e);
		i++;
		if (k == E_UNKNOWN)
			return err_set(err, RC_PARSE, "%s: entry %zu of the list is of no kind palscope "
						      "reads",
				       name, i);
		if (ek != E_UNKNOWN && k != ek)
			return err_set(err, RC_PARSE, "%s: entry %zu is not of the same kind as entry 1",
				       name, i);
		ek = k;
		n++;
	}
	if (n == 0) {
		f->kind = FK_EMPTY_LIST;
		note(im, "%s: an empty list: nothing to import from it", name);
		return 0;
	}
	f->kind = entry_file_kind(ek);
	if (f->list != f->wrap) {
		/* arm_emit_* read {"value": [...]}: wrap a bare array */
		cJSON *w = cJSON_CreateObject();
		cJSON_AddItemReferenceToObject(w, "value", f->list);
		if (f->wrap)
			cJSON_Delete(f->wrap);
		f->wrap = w;
	} else {
		cJSON *w = cJSON_CreateObject();
		cJSON_AddItemToObject(w, "value", f->wrap);
		f->wrap = w;
	}
	im->emit_file = f->name;
	im->emit_err = err;
	switch (f->kind) {
	case FK_ACCOUNTS:
		return load_accounts(im, f, err);
	case FK_SUBSCRIPTIONS: {
		struct sink cap = { capture_subscription, im };
		size_t no_tenant = 0;
		im->have_subs_source = true;
		/*
		 * az account subscription list (api 2016-06-01) has no tenantId: the
		 * list is GET /subscriptions of the signed-in tenant, so --tenant's.
		 * An az account list entry of the same subscription names its tenant
		 * (load_accounts replaces this one).
		 */
		cJSON *se;
		cJSON_ArrayForEach(se, f->list)
		{
			if (cJSON_IsObject(se) && !has(se, "tenantId")) {
				cJSON_AddStringToObject(se, "tenantId", im->o->tenant);
				no_tenant++;
			}
		}
		if ((rc = arm_emit_subscriptions(f->wrap, &cap, 0, err)) < 0) {
			if (strncmp(err->msg, name, strlen(name)) != 0)
				err_prefix(err, "%s: ", name);
			return rc;
		}
		note(im, "%s: %s subscription list (%zu subscription%s, with quotaId%s)", name,
		     strcmp(form, "ARM") == 0 ? "ARM" : "az account", n, n == 1 ? "" : "s",
		     no_tenant ? "; no tenantId: taken as --tenant's" : "");
		return 0;
	}
	case FK_TENANTS: {
		struct sink nop = { noop_sink, NULL };
		if ((rc = arm_emit_tenants(f->wrap, &nop, 0, err)) < 0) {
			err_prefix(err, "%s: ", name);
			return rc;
		}
		note(im, "%s: %s tenant list (%zu tenant%s)", name, form, n, n == 1 ? "" : "s");
		return 0;
	}
	case FK_ROLE_ASSIGNMENTS: {
		struct sink cap = { gather_assignment, im };
		if ((rc = arm_emit_role_assignments(f->wrap, NULL, &cap, 0, err)) < 0) {
			err_prefix(err, "%s: ", name);
			return rc;
		}
		note(im, "%s: %s role assignment list (%zu assignment%s)", name,
		     strcmp(form, "ARM") == 0 ? "ARM" : "az", n, n == 1 ? "" : "s");
		return 0;
	}
	case FK_ROLE_DEFINITIONS: {
		struct sink cap = { capture_definition, im };
		if ((rc = each_definition(im, f, &cap, err)) < 0)
			return rc;
		note(im, "%s: %s role definition list (%zu definition%s)", name, form, n,
		     n == 1 ? "" : "s");
		return 0;
	}
	case FK_LIGHTHOUSE: {
		struct sink cap = { forward_lighthouse, im };
		const struct sink *saved = im->out;
		im->out = NULL;
		rc = arm_emit_lighthouse(f->wrap, NULL, &cap, 0, err);
		im->out = saved;
		if (rc < 0) {
			if (strncmp(err->msg, name, strlen(name)) != 0)
				err_prefix(err, "%s: ", name);
			return rc;
		}
		note(im, "%s: Lighthouse registration assignments (%zu)", name, n);
		return 0;
	}
	default:
		break;
	}
	return 0;
}

static int
load_csv(struct import *im, struct csvin *c, struct err *err)
{
	static const char *const pc_names[] = { "PartnerAttributionType", "AttributionType",
						 NULL };
	struct cost_file_info info;
	int rc;

	if (!cost_csv_detect(c)) {
		if (csvin_find(c, pc_names) >= 0)
			return err_set(err, RC_PARSE,
				       "%s: a Partner Center download: use 'palscope reconcile "
				       "--partner-center %s'",
				       csvin_name(c), csvin_name(c));
		return err_set(err, RC_PARSE,
			       "%s:1: unknown file type: not az CLI JSON, az error output or a cost "
			       "export CSV (a cost CSV needs a cost column such as Cost or "
			       "CostInBillingCurrency, a Date and a SubscriptionId)",
			       csvin_name(c));
	}
	new_jfile(im, csvin_name(c), FK_COST_CSV);
	rc = cost_csv_read(c, im->o->tenant, &im->cost, ++im->cost_file_no, &info, err);
	if (rc < 0)
		return rc;
	im->have_cost = true;
	char delim[8];
	snprintf(delim, sizeof(delim), "%s", csvin_delim(c) == '\t' ? "tab" :
					     csvin_delim(c) == ';' ? "';'" : "','");
	note(im, "%s: %s, %s-separated%s%s%s (%ld row%s, %zu subscription%s)", csvin_name(c),
	     info.layout, delim, info.date_format[0] ? ", " : "", info.date_format,
	     info.date_format[0] ? " dates" : "", info.rows, info.rows == 1 ? "" : "s",
	     info.subscriptions, info.subscriptions == 1 ? "" : "s");
	if (info.rows_no_subscription)
		note(im, "%s: %ld row%s without a subscription (billing-account charges) ignored",
		     csvin_name(c), info.rows_no_subscription,
		     info.rows_no_subscription == 1 ? "" : "s");
	return 0;
}

/* First non-space byte after a BOM; 0 when none. */
static int
first_byte(const unsigned char *p, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace(p[i]))
		i++;
	return i < len ? p[i] : 0;
}

/* Is the text the JSON literal null (what az prints for a command that returned nothing)? */
static bool
is_json_null(const unsigned char *p, size_t len)
{
	size_t i = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

	while (i < len && isspace(p[i]))
		i++;
	if (len - i < 4 || memcmp(p + i, "null", 4) != 0)
		return false;
	for (i += 4; i < len; i++)
		if (!isspace(p[i]))
			return false;
	return true;
}

static int
load_empty(struct import *im, const char *name, struct err *err)
{
	struct jfile *f = new_jfile(im, name, FK_LINK_NONE);
	int rc;

	f->raw = xstrdup("");
	if ((rc = set_link_file(im, name, err)) < 0)
		return rc;
	note(im, "%s: empty: taken as 'az managementpartner show' of a principal with no "
		 "partner link (not linked)",
	     name);
	return 0;
}

int
import_add_buffer(struct import *im, const char *name, const void *data, size_t len,
		  struct err *err)
{
	const unsigned char *p = data;
	int fb = first_byte(p, len);
	struct csvin *c = NULL;
	int rc;

	if (fb == 0)
		return load_empty(im, name, err);
	if (fb == '{' || fb == '[') {
		size_t skip = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		return load_json(im, name, (const char *)p + skip, len - skip, err);
	}
	size_t at;
	if (az_error_text(data, len, &at))
		return load_error_text(im, name, data, len, at, err);
	if (at > 0 && at < len && (p[at] == '{' || p[at] == '[')) {
		/* az's WARNING lines, then the JSON: blank them out (positions stay right) */
		char *copy = xmalloc(len);
		memcpy(copy, data, len);
		for (size_t i = 0; i < at; i++)
			if (copy[i] != '\n' && copy[i] != '\r')
				copy[i] = ' ';
		rc = load_json(im, name, copy, len, err);
		free(copy);
		if (rc == 0)
			note(im, "%s: the az warnings before the JSON were skipped", name);
		return rc;
	}
	if (is_json_null(p, len)) {
		struct jfile *f = new_jfile(im, name, FK_LINK_NONE);
		f->raw = xstrdup("null");
		if ((rc = set_link_file(im, name, err)) < 0)
			return rc;
		note(im, "%s: null: taken as 'az managementpartner show' of a principal with no "
			 "partner link (not linked)",
		     name);
		return 0;
	}
	if ((rc = csvin_open_mem(&c, data, len, name, err)) < 0)
		return rc;
	rc = load_csv(im, c, err);
	csvin_free(c);
	return rc;
}

int
import_add_file(struct import *im, const char *path, struct err *err)
{
	FILE *fp = fopen(path, "rb");
	unsigned char head[64];
	char *data = NULL;
	struct csvin *c = NULL;
	size_t n;
	int rc = 0;

	if (fp == NULL)
		return err_set(err, RC_INPUT, "cannot open '%s': %s", path, strerror(errno));
	n = fread(head, 1, sizeof(head), fp);
	int fb = first_byte(head, n);
	/* a header line may start with spaces past the first 64 bytes: only JSON needs care */
	if (fb == 0 && n == sizeof(head)) {
		fb = 'x';
	}
	if (fb == 0 && n < sizeof(head)) {
		if (ferror(fp)) {
			rc = err_set(err, RC_INPUT, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		rc = load_empty(im, path, err);
		goto out;
	}
	size_t hb = n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	if (fb == '{' || fb == '[' || (n < sizeof(head) && is_json_null(head, n)) ||
	    (n - hb >= 6 && memcmp(head + hb, "ERROR:", 6) == 0) ||
	    (n - hb >= 8 && memcmp(head + hb, "WARNING:", 8) == 0)) {
		struct stat st;
		if (fstat(fileno(fp), &st) == 0 && (size_t)st.st_size > MAX_JSON_FILE) {
			rc = err_set(err, RC_PARSE, "%s: JSON file larger than %u MB", path,
				     MAX_JSON_FILE / (1024 * 1024));
			goto out;
		}
		struct buf b = BUF_INIT;
		char chunk[65536];
		buf_add(&b, head, n);
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
			buf_add(&b, chunk, n);
			if (b.len > MAX_JSON_FILE) {
				buf_release(&b);
				rc = err_set(err, RC_PARSE, "%s: JSON file larger than %u MB", path,
					     MAX_JSON_FILE / (1024 * 1024));
				goto out;
			}
		}
		if (ferror(fp)) {
			buf_release(&b);
			rc = err_set(err, RC_INPUT, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		size_t len = b.len;
		data = buf_detach(&b);
		rc = import_add_buffer(im, path, data ? data : "", len, err);
		goto out;
	}
	if (fseek(fp, 0, SEEK_SET) != 0) {
		rc = err_set(err, RC_INPUT, "cannot rewind '%s': %s", path, strerror(errno));
		goto out;
	}
	if ((rc = csvin_open_fp(&c, fp, path, err)) < 0)
		goto out;
	rc = load_csv(im, c, err);
out:
	csvin_free(c);
	free(data);
	fclose(fp);
	return rc;
}

/* --- finish ------------------------------------------------------------ */

static const char *
link_object_id(const struct import *im)
{
	if (im->link_file < 0 || im->files[im->link_file].kind != FK_LINK)
		return NULL;
	const cJSON *root = im->files[im->link_file].root;
	const cJSON *p = arm_obj(root, "properties");
	return arm_str(p ? p : root, "objectId");
}

static int
decide_object_id(struct import *im, struct err *err)
{
	const char *from_link = link_object_id(im);
	const char *src = NULL;

	im->oid[0] = '\0';
	if (im->o->object_id) {
		if (!is_guid(im->o->object_id))
			return err_set(err, RC_USAGE, "--object-id '%s' is not a GUID",
				       im->o->object_id);
		lower_guid(im->o->object_id, im->oid);
		src = "--object-id";
		if (from_link && !str_ieq(from_link, im->oid))
			return err_set(err, RC_PARSE,
				       "%s: the partner link belongs to object id %s, not to "
				       "--object-id %s",
				       im->files[im->link_file].name, from_link, im->oid);
	} else if (from_link) {
		lower_guid(from_link, im->oid);
		src = "the partner link";
	} else if (im->direct.n == 1) {
		for (size_t i = 0; i < im->direct.cap; i++)
			if (im->direct.keys[i])
				memcpy(im->oid, im->direct.keys[i], 37);
		src = "the role assignments";
	} else if (im->direct.n > 1) {
		struct buf b = BUF_INIT;
		size_t k = 0;
		for (size_t i = 0; i < im->direct.cap && k < 3; i++)
			if (im->direct.keys[i]) {
				buf_printf(&b, "%s%s", k ? ", " : "", im->direct.keys[i]);
				k++;
			}
		err_set(err, RC_PARSE,
			"the role assignment files hold direct assignments of %zu principals (%s%s): "
			"give --object-id or the partner link file to say whose they are",
			im->direct.n, buf_cstr(&b), im->direct.n > 3 ? ", ..." : "");
		buf_release(&b);
		return RC_PARSE;
	}
	if (src)
		note(im, "identity: object id %s (from %s)", im->oid, src);
	else
		note(im, "identity: object id unknown (no partner link, role assignment or "
			 "--object-id)");
	return 0;
}

static int
decide_period(struct import *im, struct err *err)
{
	char first[11], last[11];

	if (im->o->period) {
		if (!period_parse(im->o->period, first, last))
			return err_set(err, RC_USAGE, "bad --period '%s' (expected YYYY-MM)",
				       im->o->period);
		snprintf(im->period, sizeof(im->period), "%s", im->o->period);
		return 0;
	}
	if (im->cost.first_day[0]) {
		if (strncmp(im->cost.first_day, im->cost.last_day, 7) != 0)
			return err_set(err, RC_USAGE,
				       "the cost data spans %s to %s: give --period YYYY-MM",
				       im->cost.first_day, im->cost.last_day);
		snprintf(im->period, sizeof(im->period), "%.7s", im->cost.first_day);
		note(im, "period %s (from the cost data)", im->period);
		return 0;
	}
	period_previous(im->period, sizeof(im->period));
	note(im, "period %s (the previous month; no --period and no cost dates)", im->period);
	return 0;
}

int
import_finish(struct import *im, struct err *err)
{
	int rc;

	if ((rc = decide_object_id(im, err)) < 0 || (rc = decide_period(im, err)) < 0)
		return rc;
	for (size_t i = 0; i < im->n_files; i++)
		if (im->files[i].kind == FK_ROLE_ASSIGNMENTS && im->files[i].n_unknown_sub &&
		    only_subscription(im)) {
			smap_slot(&im->ra_subs, only_subscription(im), NULL);
		} else if (im->files[i].kind == FK_ROLE_ASSIGNMENTS && im->files[i].n_unknown_sub) {
			return err_set(err, RC_PARSE,
				       "%s: %zu assignment%s do%s not say which subscription they "
				       "were listed for, and the import has %zu subscriptions",
				       im->files[i].name, im->files[i].n_unknown_sub,
				       im->files[i].n_unknown_sub == 1 ? "" : "s",
				       im->files[i].n_unknown_sub == 1 ? "es" : "", im->n_subs);
		}
	/*
	 * A role assignment file listed for a subscription that az account list
	 * showed in another tenant (and not in --tenant) is another tenant's file.
	 */
	for (size_t i = 0; i < im->n_files; i++) {
		const struct jfile *f = &im->files[i];
		if (f->kind != FK_ROLE_ASSIGNMENTS)
			continue;
		for (size_t k = 0; k < f->ra_subs.cap; k++) {
			const char *sub = f->ra_subs.keys[k];
			if (sub == NULL || smap_has(&im->sub_index, sub) ||
			    !smap_has(&im->other_subs, sub))
				continue;
			return err_set(err, RC_PARSE,
				       "%s: its role assignments were listed for subscription %s, which "
				       "az account list shows in tenant %s, not in --tenant %s (the file "
				       "of another tenant?)",
				       f->name, sub, (const char *)smap_get(&im->other_subs, sub),
				       im->o->tenant);
		}
	}
	if (im->n_group_assignments && !im->o->include_groups)
		note(im, "%zu group assignment%s ignored: pass --include-groups if the principal "
			 "is a member of those groups (az role assignment list --include-groups)",
		     im->n_group_assignments, im->n_group_assignments == 1 ? "" : "s");

	/*
	 * A bare [] (what a list command prints when there is nothing) is
	 * 'az managementpartner show' of a principal with no link when no other
	 * file is the link; an empty role assignment list says nothing anyway.
	 */
	for (size_t i = 0; i < im->n_files && im->link_file < 0; i++) {
		struct jfile *f = &im->files[i];
		if (f->kind != FK_EMPTY_LIST || !cJSON_IsArray(f->root))
			continue;
		f->kind = FK_LINK_NONE;
		f->raw = xstrdup("[]");
		im->link_file = (int)i;
		note(im, "%s: [] and no other partner link file: taken as 'az managementpartner "
			 "show' of a principal with no partner link (not linked)",
		     f->name);
	}

	/* what is missing to evaluate the tenant fully */
	if (im->link_file < 0)
		note(im, "missing: no partner link file (az managementpartner show -o json): "
			 "NO_LINK cannot be decided; the tenant will show COLLECTION_FAILED");
	if (!im->have_subs_source)
		note(im, "missing: no subscription list (az account list --all -o json): no "
			 "subscription can be evaluated; the tenant will show COLLECTION_FAILED");
	for (size_t i = 0; i < im->n_subs; i++) {
		struct sub *s = im->subs[i];
		bool delegated = false;
		for (size_t k = 0; k < s->n_managed; k++)
			delegated |= str_ieq(s->managed[k], im->o->tenant) &&
				     !str_ieq(s->tenant ? s->tenant : "", im->o->tenant);
		if (!smap_has(&im->ra_subs, s->id))
			note(im, "missing: no role assignments for subscription %s (az role assignment "
				 "list --all --assignee %s --include-inherited --include-groups "
				 "--subscription %s -o json): it will show COLLECTION_FAILED",
			     s->id, im->oid[0] ? im->oid : "OBJECT_ID", s->id);
		if (s->quota == NULL) {
			note(im, "missing: no quotaId for subscription %s (az account subscription "
				 "list -o json): EA_DPOR_EXPECTED and OFFER_EXCLUDED cannot be decided",
			     s->id);
		}
		if (delegated && !smap_has(&im->lh_subs, s->id)) {
			note(im, "missing: no Lighthouse delegation for delegated subscription %s "
				 "(az rest --url \"/subscriptions/%s/providers/"
				 "Microsoft.ManagedServices/registrationAssignments?"
				 "$expandRegistrationDefinition=true&api-version=2022-10-01\"): it "
				 "will show COLLECTION_FAILED",
			     s->id, s->id);
		}
	}
	if (!im->have_cost && im->n_subs) {
		note(im, "missing: no cost data (a Cost Management export or portal download CSV of "
			 "the month, or az rest cost query responses): NO_USAGE cannot be decided, so "
			 "%s %zu subscription%s will show USAGE_UNREADABLE:",
		     im->n_subs == 1 ? "this" : "these", im->n_subs, im->n_subs == 1 ? "" : "s");
		for (size_t i = 0; i < im->n_subs; i++)
			note(im, "  %s%s%s%s", im->subs[i]->id, im->subs[i]->name ? " (" : "",
			     im->subs[i]->name ? im->subs[i]->name : "", im->subs[i]->name ? ")" : "");
	} else if (im->have_cost)
		for (size_t i = 0; i < im->n_subs; i++)
			if (!smap_has(&im->cost.subs, im->subs[i]->id))
				note(im, "subscription %s has no rows in the cost data: taken as no "
					 "cost (NO_USAGE); if the export did not cover it, import its "
					 "cost too",
				     im->subs[i]->id);
	im->finished = true;
	return 0;
}

/* --- emit ----------------------------------------------------------------- */

static int
put(struct import *im, enum rec_type type, const void *rec)
{
	int rc = im->out->emit(im->out->payload, type, im->identity, rec);

	if (rc < 0 && im->emit_err->msg[0] == '\0')
		err_set(im->emit_err, rc, "cannot store record");
	return rc;
}

static int
not_imported(struct import *im, const char *kind, const char *sub, const char *command,
	     const char *what)
{
	struct failure_rec f = {
		.subscription_id = sub,
		.kind = kind,
		.method = "IMPORT",
		.url = command,
		.http_status = 0,
		.error_code = "NotImported",
		.error_message = what,
		.attempts = 0,
	};
	im->n_not_imported++;
	return put(im, REC_FAILURE, &f);
}

static int
emit_link(struct import *im)
{
	struct jfile *f;
	struct link_rec r = { 0 };

	if (im->link_file < 0)
		return not_imported(im, "link", NULL, "az managementpartner show -o json",
				    "the partner link was not among the imported files");
	f = &im->files[im->link_file];
	switch (f->kind) {
	case FK_LINK:
		return arm_emit_link(f->root, 200, f->raw, im->out, im->identity, im->emit_err);
	case FK_LINK_NONE:
		r.linked = false;
		r.http_status = 404;
		r.raw_json = f->raw;
		return put(im, REC_LINK, &r);
	default: {
		struct failure_rec fr = {
			.kind = "link",
			.method = "IMPORT",
			.url = "az managementpartner show -o json",
			.http_status = 0,
			.error_code = "ImportedError",
			.error_message = f->error ? f->error : "",
			.attempts = 0,
		};
		return put(im, REC_FAILURE, &fr);
	}
	}
}

static int
emit_subscriptions(struct import *im)
{
	int rc;

	if (!im->have_subs_source)
		return not_imported(im, "subscriptions", NULL, "az account list --all -o json",
				    "no subscription list was among the imported files");
	for (size_t i = 0; i < im->n_subs; i++) {
		struct sub *s = im->subs[i];
		struct subscription_rec r = {
			.subscription_id = s->id,
			.display_name = s->name,
			.tenant_id = s->tenant ? s->tenant : im->o->tenant,
			.state = s->state,
			.quota_id = s->quota,
			.spending_limit = s->spending,
			.location_placement_id = s->placement,
			.authorization_source = s->authsrc,
			.managed_by = (const char *const *)s->managed,
			.n_managed_by = s->n_managed,
		};
		if ((rc = put(im, REC_SUBSCRIPTION, &r)) < 0)
			return rc;
	}
	return 0;
}

static int
emit_cost(struct import *im)
{
	char first[11], last[11];
	struct smap seen = SMAP_INIT;
	long outside = 0;
	int rc = 0;

	period_parse(im->period, first, last);
	for (size_t i = 0; i < im->cost.all.cap; i++) {
		struct cost_cell *c = im->cost.all.vals[i];
		if (im->cost.all.keys[i] == NULL)
			continue;
		if (strcmp(c->day, first) < 0 || strcmp(c->day, last) > 0) {
			outside++;
			continue;
		}
		struct cost_row_rec r = {
			.subscription_id = c->sub,
			.resource_group = c->rg,
			.cost = c->cost,
			.currency = c->currency,
		};
		memcpy(r.usage_date, c->day, sizeof(r.usage_date));
		if ((rc = put(im, REC_COST_ROW, &r)) < 0)
			goto out;
	}
	if (outside)
		note(im, "%ld daily cost total%s outside the period %s ignored", outside,
		     outside == 1 ? "" : "s", im->period);
	/* a status for every subscription the import saw */
	for (int pass = 0; pass < 2; pass++) {
		const struct smap *from = pass == 0 ? &im->sub_index : &im->cost.subs;
		for (size_t i = 0; i < from->cap; i++) {
			const char *sub = from->keys[i];
			int created;
			if (sub == NULL)
				continue;
			smap_slot(&seen, sub, &created);
			if (!created)
				continue;
			struct cost_status_rec s = { .subscription_id = sub };
			if (!im->have_cost) {
				s.outcome = COST_UNREADABLE;
				s.error_code = "NotImported";
				s.error_message = "no cost data was among the imported files";
				im->n_not_imported++;
			} else {
				s.outcome = smap_has(&im->cost.subs, sub) ? COST_OK : COST_NONE;
			}
			if ((rc = put(im, REC_COST_STATUS, &s)) < 0)
				goto out;
		}
	}
out:
	smap_release(&seen, NULL);
	return rc;
}

int
import_emit(struct import *im, const struct sink *sink, int64_t identity, struct err *err)
{
	struct sink fwd_ra = { forward_assignment, im };
	struct sink fwd_lh = { forward_lighthouse, im };
	int rc = 0;

	im->out = sink;
	im->identity = identity;
	im->emit_err = err;
	im->kept = im->dropped_groups = im->dropped_other = 0;
	im->n_not_imported = 0;
	if (im->tenant_name || im->tenant_domain) {
		struct tenant_rec t = {
			.tenant_id = im->o->tenant,
			.display_name = im->tenant_name,
			.default_domain = im->tenant_domain,
			.category = "Home",
		};
		if ((rc = put(im, REC_TENANT, &t)) < 0)
			return rc;
	}
	for (size_t i = 0; i < im->n_files; i++)
		if (im->files[i].kind == FK_TENANTS &&
		    (rc = arm_emit_tenants(im->files[i].wrap, sink, identity, err)) < 0)
			return rc;
	if ((rc = emit_link(im)) < 0 || (rc = emit_subscriptions(im)) < 0)
		return rc;
	for (size_t i = 0; i < im->n_files; i++) {
		struct jfile *f = &im->files[i];
		im->emit_file = f->name;
		if (f->kind == FK_ROLE_DEFINITIONS)
			rc = each_definition(im, f, sink, err);
		else if (f->kind == FK_ROLE_ASSIGNMENTS)
			rc = arm_emit_role_assignments(f->wrap, NULL, &fwd_ra, identity, err);
		else if (f->kind == FK_LIGHTHOUSE)
			rc = arm_emit_lighthouse(f->wrap, NULL, &fwd_lh, identity, err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < im->n_subs; i++) {
		struct sub *s = im->subs[i];
		char cmd[256];
		if (smap_has(&im->ra_subs, s->id))
			continue;
		snprintf(cmd, sizeof(cmd),
			 "az role assignment list --all --assignee %s --include-inherited "
			 "--include-groups --subscription %s -o json",
			 im->oid[0] ? im->oid : "OBJECT_ID", s->id);
		if ((rc = not_imported(im, "role_assignments", s->id, cmd,
				       "the role assignments of this subscription were not among "
				       "the imported files")) < 0)
			return rc;
	}
	for (size_t i = 0; i < im->n_subs; i++) {
		struct sub *s = im->subs[i];
		bool delegated = false;
		char cmd[256];
		for (size_t k = 0; k < s->n_managed; k++)
			delegated |= str_ieq(s->managed[k], im->o->tenant) &&
				     !str_ieq(s->tenant ? s->tenant : "", im->o->tenant);
		if (!delegated || smap_has(&im->lh_subs, s->id))
			continue;
		snprintf(cmd, sizeof(cmd),
			 "az rest --url /subscriptions/%s/providers/Microsoft.ManagedServices/"
			 "registrationAssignments?$expandRegistrationDefinition=true&"
			 "api-version=2022-10-01",
			 s->id);
		if ((rc = not_imported(im, "lighthouse", s->id, cmd,
				       "the Lighthouse delegation was not among the imported "
				       "files")) < 0)
			return rc;
	}
	if ((rc = emit_cost(im)) < 0)
		return rc;
	if (im->dropped_other)
		note(im, "%zu role assignment%s of other principals ignored (not object id %s)",
		     im->dropped_other, im->dropped_other == 1 ? "" : "s", im->oid);
	return put(im, REC_IDENTITY_OK, im->oid[0] ? im->oid : NULL);
}

/* --- lifecycle ------------------------------------------------------------ */

struct import *
import_new(const struct import_opts *opts)
{
	struct import *im = xcalloc(1, sizeof(*im));
	struct cost_agg init = COST_AGG_INIT;

	im->o = opts;
	im->link_file = -1;
	im->cost = init;
	return im;
}

void
import_free(struct import *im)
{
	if (im == NULL)
		return;
	for (size_t i = 0; i < im->n_files; i++) {
		struct jfile *f = &im->files[i];
		cJSON_Delete(f->wrap);
		cJSON_Delete(f->root);
		smap_release(&f->ra_subs, NULL);
		free(f->name);
		free(f->raw);
		free(f->error);
	}
	free(im->files);
	for (size_t i = 0; i < im->n_subs; i++)
		sub_free(im->subs[i]);
	free(im->subs);
	smap_release(&im->sub_index, NULL);
	smap_release(&im->other_subs, free);
	smap_release(&im->ra_subs, NULL);
	smap_release(&im->lh_subs, NULL);
	smap_release(&im->direct, NULL);
	smap_release(&im->roles_used, NULL);
	smap_release(&im->roles_defined, NULL);
	smap_release(&im->cost_query_no, NULL);
	cost_agg_release(&im->cost);
	free(im->tenant_name);
	free(im->tenant_domain);
	free(im->user_name);
	import_notes_release(&im->notes);
	free(im);
}

const char *
import_period(const struct import *im)
{
	return im->period;
}

const char *
import_object_id(const struct import *im)
{
	return im->oid;
}

const struct import_notes *
import_get_notes(const struct import *im)
{
	return &im->notes;
}

/* Roles neither in the eligibility table nor defined in the import. */
static int
note_unknown_roles(struct import *im, struct db *db, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "@queries/import_role_known.sql", &st, err)) < 0)
		return rc;
	for (size_t i = 0; i < im->roles_used.cap; i++) {
		const char *g = im->roles_used.keys[i];
		if (g == NULL || smap_has(&im->roles_defined, g))
			continue;
		db_bind_text(st, ":role_guid", g);
		int known = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (!known)
			note(im, "missing: role %s is not a built-in role palscope knows and its "
				 "definition was not imported (az role definition list --custom-role-only "
				 "-o json): counted as eligible (ROLE_ELIGIBILITY_UNKNOWN)",
			     g);
	}
	sqlite3_finalize(st);
	return 0;
}

int
import_store(struct db *db, struct import *im, int64_t *run_id, struct err *err)
{
	const struct import_opts *opts = im->o;
	struct store *st = NULL;
	int64_t identity = 0;
	int rc = 0;

	*run_id = 0;
	if ((rc = note_unknown_roles(im, db, err)) < 0)
		return rc;
	struct run_info info = {
		.kind = "import",
		.period = im->period,
		.cloud = "public",
		.arm_url = "",
		.partner_ids = opts->partner_ids,
		.n_partner_ids = opts->n_partner_ids,
	};
	if ((rc = store_begin_run_tx(db, &info, &st, err)) < 0)
		return rc;
	const char *label = opts->label ? opts->label : im->user_name ? im->user_name : "import";
	if ((rc = store_add_identity(st, opts->tenant, NULL, label, "import", 0, &identity,
				     err)) < 0)
		goto out_abort;
	struct sink sink = { store_emit, st };
	if ((rc = import_emit(im, &sink, identity, err)) < 0) {
		const struct err *se = store_last_error(st);
		if (se->msg[0] &&
		    (err->msg[0] == '\0' || strcmp(err->msg, "cannot store record") == 0))
			*err = *se;
		goto out_abort;
	}
	*run_id = store_run_id(st);
	rc = store_end_run(st, im->n_not_imported ? "partial" : "complete", 0, 0, err);
	if (rc < 0)
		*run_id = 0;
	return rc;
out_abort:
	store_abort(st);
	return rc;
}

int
import_load(struct import *im, char *const *files, size_t n, struct err *err)
{
	int rc;

	if (!is_guid(im->o->tenant))
		return err_set(err, RC_USAGE, "--tenant '%s' is not a GUID", im->o->tenant);
	if (im->o->label && strlen(im->o->label) > MAX_NAME_BYTES)
		return err_set(err, RC_USAGE, "--label of %zu bytes (at most %d)",
			       strlen(im->o->label), MAX_NAME_BYTES);
	for (size_t i = 0; i < n; i++)
		if ((rc = import_add_file(im, files[i], err)) < 0)
			return rc;
	return import_finish(im, err);
}

int
import_run(struct db *db, const struct import_opts *opts, char *const *files, size_t n,
	   struct import_notes *notes, int64_t *run_id, struct err *err)
{
	struct import *im = import_new(opts);
	int rc;

	*run_id = 0;
	rc = import_load(im, files, n, err);
	if (rc == 0)
		rc = import_store(db, im, run_id, err);
	*notes = im->notes;
	im->notes.v = NULL;
	im->notes.n = 0;
	import_free(im);
	return rc;
}
