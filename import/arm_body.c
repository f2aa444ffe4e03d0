/*
 * JSON files: parsed (with the bounds of README "Bad input"), classified by their shape, and read
 * through arm/'s parsers: partner link bodies and ARM errors, lists of subscriptions, tenants,
 * role assignments, role definitions and Lighthouse assignments (az's JSON arrays and ARM's
 * {"value": [...]}), and cost query responses saved from `az rest`.
 */
#include "import/internal.h"
#include "arm/arm.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "model/scope.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum entry_kind
classify_entry(const cJSON *e)
{
	const cJSON *p = arm_obj(e, "properties");

	if (!cJSON_IsObject(e))
		return E_UNKNOWN;
	if ((arm_has(e, "roleDefinitionId") && arm_has(e, "scope")) ||
	    (p && arm_has(p, "roleDefinitionId") && arm_has(p, "scope")))
		return E_ROLE_ASSIGNMENT;
	if (arm_has(e, "roleName") || (p && arm_has(p, "roleName")) ||
	    (arm_has(e, "permissions") && arm_has(e, "assignableScopes")))
		return E_ROLE_DEFINITION;
	if (p && (arm_has(p, "registrationDefinitionId") || arm_has(p, "registrationDefinition")))
		return E_LIGHTHOUSE;
	if (arm_has(e, "homeTenantId") || arm_has(e, "isDefault") || arm_has(e, "cloudName") ||
	    arm_has(e, "environmentName"))
		return E_ACCOUNT;
	if (arm_has(e, "subscriptionId") &&
	    (arm_has(e, "subscriptionPolicies") || arm_has(e, "authorizationSource") ||
	     arm_has(e, "state")))
		return E_SUBSCRIPTION;
	if (arm_has(e, "tenantId") &&
	    (arm_has(e, "tenantCategory") || arm_has(e, "defaultDomain") || arm_has(e, "domains")))
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
	struct sub *s = imp_sub_get(im, r->subscription_id);
	imp_fill(&s->name, r->display_name);
	imp_fill(&s->tenant, r->tenant_id);
	imp_fill(&s->state, r->state);
	imp_fill(&s->quota, r->quota_id);
	imp_fill(&s->spending, r->spending_limit);
	imp_fill(&s->placement, r->location_placement_id);
	imp_fill(&s->authsrc, r->authorization_source);
	for (size_t i = 0; i < r->n_managed_by; i++)
		imp_sub_add_managed(s, r->managed_by[i]);
	return 0;
}

/* The subscription a role assignment was listed for; NULL when the record does not say. */
static const char *
ra_subscription(const struct role_assignment_rec *r, char *buf)
{
	struct scope_info si;

	scope_parse(r->scope, &si);
	if (si.subscription_id[0]) {
		imp_lower_guid(si.subscription_id, buf);
		return buf;
	}
	if (r->role_definition_id && imp_id_subscription(r->role_definition_id, buf))
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
		imp_lower_guid(r->principal_id, p);
		void **slot = smap_slot(&im->direct, p, NULL);
		*slot = (void *)((intptr_t)*slot + 1);
	}
	int created;
	void **role = smap_slot(&im->roles_used, r->role_guid, &created);
	(void)role;
	return 0;
}

/* Phase 2: keep the identity's own (and, if asked, its groups') assignments. */
int
imp_forward_assignment(void *payload, enum rec_type type, int64_t identity, const void *rec)
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
		r.subscription_id = imp_only_subscription(im);
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

int
imp_forward_lighthouse(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	struct import *im = payload;
	struct lighthouse_rec r = *(const struct lighthouse_rec *)rec;
	char sb[37];

	(void)identity;
	if (type != REC_LIGHTHOUSE)
		return 0;
	r.subscription_id = imp_id_subscription(r.assignment_id, sb) ? sb : imp_only_subscription(im);
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

static int
load_link(struct import *im, struct jfile *f, struct err *err)
{
	const cJSON *p = arm_obj(f->root, "properties");
	const char *tid, *oid, *pid;
	int rc;

	if ((rc = imp_set_link_file(im, f->name, err)) < 0)
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
	imp_note(im, "%s: %s: linked to partner ID %s (%s)%s%s", f->name,
		 p == f->root ? "az managementpartner show" : "ARM partner link response", pid,
		 arm_str(p, "state") ? arm_str(p, "state") : "state not given",
		 oid ? ", object id " : "", oid ? oid : "");
	return 0;
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

int
imp_load_json(struct import *im, const char *name, const char *data, size_t len, struct err *err)
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
	f = imp_new_jfile(im, name, FK_EMPTY_LIST);
	f->root = root;

	const cJSON *props = arm_obj(root, "properties");
	if (cJSON_IsObject(root) &&
	    (arm_has(root, "partnerId") || (props && arm_has(props, "partnerId")))) {
		f->kind = FK_LINK;
		f->raw = xmalloc(len + 1);
		memcpy(f->raw, data, len);
		f->raw[len] = '\0';
		return load_link(im, f, err);
	}
	if (cJSON_IsObject(root) &&
	    (arm_obj(root, "error") || (arm_has(root, "code") && arm_has(root, "message")))) {
		const char *code, *msg;
		arm_error(root, &code, &msg);
		f->raw = xmalloc(len + 1);
		memcpy(f->raw, data, len);
		f->raw[len] = '\0';
		f->error = xasprintf("%s: %s", code, msg);
		if ((rc = imp_set_link_file(im, name, err)) < 0)
			return rc;
		if (imp_not_found_text(code, msg)) {
			f->kind = FK_LINK_NONE;
			imp_note(im, "%s: ARM error %s: taken as the partner link response of a "
				     "principal with no partner link",
				 name, code);
		} else {
			f->kind = FK_LINK_ERROR;
			imp_note(im, "%s: ARM error %s: taken as a failed partner link read", name,
				 code);
		}
		return 0;
	}
	if (cJSON_IsObject(root) && props && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
						      props, "columns"))) {
		char sub[37];
		const char *id = arm_str(root, "id");
		if (id == NULL || !imp_id_subscription(id, sub))
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
		imp_note(im, "%s: cost query response for subscription %s (%ld rows)", name, sub,
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
		imp_note(im, "%s: an empty list: nothing to import from it", name);
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
		return imp_load_accounts(im, f, err);
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
			if (cJSON_IsObject(se) && !arm_has(se, "tenantId")) {
				cJSON_AddStringToObject(se, "tenantId", im->o->tenant);
				no_tenant++;
			}
		}
		if ((rc = arm_emit_subscriptions(f->wrap, &cap, 0, err)) < 0) {
			if (strncmp(err->msg, name, strlen(name)) != 0)
				err_prefix(err, "%s: ", name);
			return rc;
		}
		imp_note(im, "%s: %s subscription list (%zu subscription%s, with quotaId%s)", name,
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
		imp_note(im, "%s: %s tenant list (%zu tenant%s)", name, form, n, n == 1 ? "" : "s");
		return 0;
	}
	case FK_ROLE_ASSIGNMENTS: {
		struct sink cap = { gather_assignment, im };
		if ((rc = arm_emit_role_assignments(f->wrap, NULL, &cap, 0, err)) < 0) {
			err_prefix(err, "%s: ", name);
			return rc;
		}
		imp_note(im, "%s: %s role assignment list (%zu assignment%s)", name,
			 strcmp(form, "ARM") == 0 ? "ARM" : "az", n, n == 1 ? "" : "s");
		return 0;
	}
	case FK_ROLE_DEFINITIONS: {
		struct sink cap = { capture_definition, im };
		if ((rc = imp_each_definition(im, f, &cap, err)) < 0)
			return rc;
		imp_note(im, "%s: %s role definition list (%zu definition%s)", name, form, n,
			 n == 1 ? "" : "s");
		return 0;
	}
	case FK_LIGHTHOUSE: {
		struct sink cap = { imp_forward_lighthouse, im };
		const struct sink *saved = im->out;
		im->out = NULL;
		rc = arm_emit_lighthouse(f->wrap, NULL, &cap, 0, err);
		im->out = saved;
		if (rc < 0) {
			if (strncmp(err->msg, name, strlen(name)) != 0)
				err_prefix(err, "%s: ", name);
			return rc;
		}
		imp_note(im, "%s: Lighthouse registration assignments (%zu)", name, n);
		return 0;
	}
	default:
		break;
	}
	return 0;
}
