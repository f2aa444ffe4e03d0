#include "arm/arm.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "model/scope.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
arm_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *
arm_obj(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsObject(v) ? v : NULL;
}

bool
arm_has(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key) != NULL;
}

static int
emit(const struct sink *sink, enum rec_type t, int64_t id, const void *rec, struct err *err)
{
	int rc = sink->emit(sink->payload, t, id, rec);

	if (rc < 0 && err->msg[0] == '\0')
		err_set(err, rc, "cannot store record");
	return rc;
}

const char *
arm_next_link(const cJSON *root)
{
	const char *n = arm_str(root, "nextLink");

	if (n == NULL)
		n = arm_str(arm_obj(root, "properties"), "nextLink");
	return n && *n ? n : NULL;
}

void
arm_error(const cJSON *root, const char **code, const char **message)
{
	const cJSON *e = arm_obj(root, "error");

	*code = *message = NULL;
	if (e) {
		*code = arm_str(e, "code");
		*message = arm_str(e, "message");
	} else if (root) {
		*code = arm_str(root, "code");
		*message = arm_str(root, "message");
		if (*code == NULL)
			*code = arm_str(root, "error"); /* identity platform */
		if (*message == NULL)
			*message = arm_str(root, "error_description");
	}
	if (*code == NULL)
		*code = "";
	if (*message == NULL)
		*message = "";
}

static const cJSON *
value_array(const cJSON *root, const char *what, struct err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "value");

	if (!cJSON_IsArray(v)) {
		err_set(err, RC_PARSE, "%s: response has no 'value' array", what);
		return NULL;
	}
	return v;
}

int
arm_emit_link(const cJSON *root, long http_status, const char *raw, const struct sink *sink,
	      int64_t identity, struct err *err)
{
	struct link_rec r = { 0 };

	r.http_status = http_status;
	r.raw_json = raw;
	if (http_status == 404) {
		r.linked = false;
		return emit(sink, REC_LINK, identity, &r, err);
	}
	const cJSON *p = arm_obj(root, "properties");
	if (p == NULL)
		p = root; /* the CLI's flattened form */
	r.partner_id = arm_str(p, "partnerId");
	if (r.partner_id == NULL)
		return err_set(err, RC_PARSE, "partner link: response has no 'partnerId'");
	r.linked = true;
	r.partner_name = arm_str(p, "partnerName");
	r.tenant_id = arm_str(p, "tenantId");
	r.object_id = arm_str(p, "objectId");
	r.state = arm_str(p, "state");
	r.created_time = arm_str(p, "createdTime");
	r.updated_time = arm_str(p, "updatedTime");
	return emit(sink, REC_LINK, identity, &r, err);
}

int
arm_emit_tenants(const cJSON *root, const struct sink *sink, int64_t identity, struct err *err)
{
	const cJSON *v = value_array(root, "tenants", err), *t;
	int rc;

	if (v == NULL)
		return RC_PARSE;
	cJSON_ArrayForEach(t, v)
	{
		struct tenant_rec r = {
			.tenant_id = arm_str(t, "tenantId"),
			.display_name = arm_str(t, "displayName"),
			.default_domain = arm_str(t, "defaultDomain"),
			.category = arm_str(t, "tenantCategory"),
			.country_code = arm_str(t, "countryCode"),
		};
		if (!is_guid(r.tenant_id))
			return err_set(err, RC_PARSE, "tenants: entry without a valid 'tenantId'");
		if ((rc = emit(sink, REC_TENANT, identity, &r, err)) < 0)
			return rc;
	}
	return 0;
}

int
arm_emit_subscriptions(const cJSON *root, const struct sink *sink, int64_t identity,
		       struct err *err)
{
	const cJSON *v = value_array(root, "subscriptions", err), *s;
	int rc;

	if (v == NULL)
		return RC_PARSE;
	cJSON_ArrayForEach(s, v)
	{
		const cJSON *pol = arm_obj(s, "subscriptionPolicies");
		const cJSON *mbt = cJSON_GetObjectItemCaseSensitive(s, "managedByTenants");
		const char *managed[64];
		size_t n = 0;
		const cJSON *m, *mlist = cJSON_IsArray(mbt) ? mbt : NULL;
		cJSON_ArrayForEach(m, mlist)
		{
			const char *tid = arm_str(m, "tenantId");
			if (tid && n < sizeof(managed) / sizeof(managed[0]))
				managed[n++] = tid;
		}
		struct subscription_rec r = {
			.subscription_id = arm_str(s, "subscriptionId"),
			.display_name = arm_str(s, "displayName"),
			.tenant_id = arm_str(s, "tenantId"),
			.state = arm_str(s, "state"),
			.quota_id = arm_str(pol, "quotaId"),
			.spending_limit = arm_str(pol, "spendingLimit"),
			.location_placement_id = arm_str(pol, "locationPlacementId"),
			.authorization_source = arm_str(s, "authorizationSource"),
			.managed_by = managed,
			.n_managed_by = n,
		};
		if (!is_guid(r.subscription_id))
			return err_set(err, RC_PARSE,
				       "subscriptions: entry without a valid 'subscriptionId'");
		if (r.tenant_id == NULL)
			return err_set(err, RC_PARSE, "subscription '%s' has no 'tenantId'",
				       r.subscription_id);
		if ((rc = emit(sink, REC_SUBSCRIPTION, identity, &r, err)) < 0)
			return rc;
	}
	return 0;
}

int
arm_emit_role_assignments(const cJSON *root, const char *subscription_id,
			  const struct sink *sink, int64_t identity, struct err *err)
{
	const cJSON *v = value_array(root, "roleAssignments", err), *a;
	int rc;

	if (v == NULL)
		return RC_PARSE;
	cJSON_ArrayForEach(a, v)
	{
		const cJSON *p = arm_obj(a, "properties");
		char guid[37];
		struct scope_info si;
		if (p == NULL)
			p = a; /* very old CLI output: flattened */
		struct role_assignment_rec r = {
			.subscription_id = subscription_id,
			.assignment_id = arm_str(a, "id"),
			.scope = arm_str(p, "scope"),
			.role_definition_id = arm_str(p, "roleDefinitionId"),
			.principal_id = arm_str(p, "principalId"),
			.principal_type = arm_str(p, "principalType"),
			.created_on = arm_str(p, "createdOn"),
			.condition = arm_str(p, "condition"),
		};
		if (r.assignment_id == NULL || r.scope == NULL ||
		    trailing_guid(r.role_definition_id, guid) < 0)
			return err_set(err, RC_PARSE,
				       "roleAssignments: entry without 'id', 'scope' or a "
				       "'roleDefinitionId' ending in a GUID");
		scope_parse(r.scope, &si);
		r.role_guid = guid;
		r.scope_level = scope_level_name(si.level);
		r.resource_group = si.resource_group[0] ? si.resource_group : NULL;
		if ((rc = emit(sink, REC_ROLE_ASSIGNMENT, identity, &r, err)) < 0)
			return rc;
	}
	return 0;
}

int
arm_emit_role_definition(const cJSON *root, const struct sink *sink, struct err *err)
{
	static const char *const kinds[] = { "actions", "notActions", "dataActions",
					     "notDataActions" };
	static const char *const names[] = { "action", "notAction", "dataAction", "notDataAction" };
	const cJSON *p = arm_obj(root, "properties");
	struct role_permission_rec *perms = NULL;
	size_t n = 0, cap = 0;
	char guid[37];
	const cJSON *perm;
	int rc;

	if (p == NULL || trailing_guid(arm_str(root, "id"), guid) < 0)
		return err_set(err, RC_PARSE, "roleDefinition: no 'properties' or 'id'");
	cJSON_ArrayForEach(perm, cJSON_GetObjectItemCaseSensitive(p, "permissions"))
	{
		for (int k = 0; k < 4; k++) {
			const cJSON *pat;
			cJSON_ArrayForEach(pat, cJSON_GetObjectItemCaseSensitive(perm, kinds[k]))
			{
				if (!cJSON_IsString(pat))
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					perms = xrealloc(perms, cap * sizeof(*perms));
				}
				perms[n].kind = names[k];
				perms[n].pattern = pat->valuestring;
				n++;
			}
		}
	}
	struct role_definition_rec r = {
		.role_guid = guid,
		.role_name = arm_str(p, "roleName"),
		.role_type = arm_str(p, "type"),
		.description = arm_str(p, "description"),
		.perms = perms,
		.n_perms = n,
	};
	rc = emit(sink, REC_ROLE_DEFINITION, 0, &r, err);
	free(perms);
	return rc;
}

static size_t
collect_auths(const cJSON *arr, bool eligible, struct lighthouse_auth_rec **v, size_t n,
	      size_t *cap)
{
	const cJSON *a, *list = cJSON_IsArray(arr) ? arr : NULL;

	cJSON_ArrayForEach(a, list)
	{
		const char *pid = arm_str(a, "principalId"), *rid = arm_str(a, "roleDefinitionId");
		if (pid == NULL || rid == NULL)
			continue;
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*v = xrealloc(*v, *cap * sizeof(**v));
		}
		(*v)[n].principal_id = pid;
		(*v)[n].principal_name = arm_str(a, "principalIdDisplayName");
		(*v)[n].role_guid = rid;
		(*v)[n].eligible = eligible;
		n++;
	}
	return n;
}

int
arm_emit_lighthouse(const cJSON *root, const char *subscription_id, const struct sink *sink,
		    int64_t identity, struct err *err)
{
	const cJSON *v = value_array(root, "registrationAssignments", err), *a;
	int rc = 0;

	if (v == NULL)
		return RC_PARSE;
	cJSON_ArrayForEach(a, v)
	{
		const cJSON *p = arm_obj(a, "properties");
		const cJSON *def = arm_obj(p, "registrationDefinition");
		const cJSON *dp = arm_obj(def, "properties");
		const cJSON *plan = arm_obj(def, "plan");
		const char *created = arm_str(arm_obj(a, "systemData"), "createdAt");
		struct lighthouse_auth_rec *auths = NULL;
		size_t n = 0, cap = 0;

		if (arm_str(a, "id") == NULL || p == NULL)
			return err_set(err, RC_PARSE, "registrationAssignments: entry without 'id'");
		if (created == NULL)
			created = arm_str(arm_obj(def, "systemData"), "createdAt");
		n = collect_auths(cJSON_GetObjectItemCaseSensitive(dp, "authorizations"), false,
				  &auths, n, &cap);
		n = collect_auths(cJSON_GetObjectItemCaseSensitive(dp, "eligibleAuthorizations"),
				  true, &auths, n, &cap);
		struct lighthouse_rec r = {
			.subscription_id = subscription_id,
			.assignment_id = arm_str(a, "id"),
			.registration_definition_id = arm_str(p, "registrationDefinitionId"),
			.definition_name = arm_str(dp, "registrationDefinitionName"),
			.managed_by_tenant_id = arm_str(dp, "managedByTenantId"),
			.managed_by_tenant_name = arm_str(dp, "managedByTenantName"),
			.managee_tenant_id = arm_str(dp, "manageeTenantId"),
			.managee_tenant_name = arm_str(dp, "manageeTenantName"),
			.provisioning_state = arm_str(p, "provisioningState"),
			.plan_name = arm_str(plan, "name"),
			.plan_publisher = arm_str(plan, "publisher"),
			.created_at = created,
			.auths = auths,
			.n_auths = n,
		};
		rc = emit(sink, REC_LIGHTHOUSE, identity, &r, err);
		free(auths);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
column_index(const cJSON *cols, const char *const *names)
{
	int i = 0;
	const cJSON *c;

	cJSON_ArrayForEach(c, cols)
	{
		const char *n = arm_str(c, "name");
		for (const char *const *w = names; n && *w; w++)
			if (str_ieq(n, *w))
				return i;
		i++;
	}
	return -1;
}

static bool
valid_ymd(unsigned y, unsigned m, unsigned d)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static void
put_ymd(char *out, unsigned y, unsigned m, unsigned d)
{
	/* Hot path (one call per cost row): no printf. */
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

static unsigned
digits(const char *s, int n, bool *ok)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			*ok = false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	return v;
}

/* UsageDate: a number yyyymmdd, or a string "2026-10-01T00:00:00" / "20261001". */
static bool
usage_date(const cJSON *v, char *out)
{
	unsigned y, m, d;
	bool ok = true;

	if (cJSON_IsNumber(v)) {
		double x = v->valuedouble;
		if (x < 19000101 || x > 29991231 || x != floor(x))
			return false;
		unsigned n = (unsigned)x;
		y = n / 10000;
		m = n / 100 % 100;
		d = n % 100;
	} else if (cJSON_IsString(v) && strlen(v->valuestring) >= 8) {
		const char *s = v->valuestring;
		if (s[4] == '-') {
			if (strlen(s) < 10 || s[7] != '-')
				return false;
			y = digits(s, 4, &ok);
			m = digits(s + 5, 2, &ok);
			d = digits(s + 8, 2, &ok);
		} else {
			y = digits(s, 4, &ok);
			m = digits(s + 4, 2, &ok);
			d = digits(s + 6, 2, &ok);
		}
	} else {
		return false;
	}
	if (!ok || !valid_ymd(y, m, d))
		return false;
	put_ymd(out, y, m, d);
	return true;
}

int
arm_emit_cost(const cJSON *root, const char *subscription_id, const struct sink *sink,
	      int64_t identity, long *rows, struct err *err)
{
	static const char *const cost_names[] = { "Cost", "PreTaxCost", "totalCost", "CostUSD",
						  "PreTaxCostUSD", NULL };
	static const char *const rg_names[] = { "ResourceGroupName", "ResourceGroup", NULL };
	static const char *const date_names[] = { "UsageDate", NULL };
	static const char *const cur_names[] = { "Currency", "BillingCurrency", NULL };
	static const char *const res_names[] = { "ResourceId", NULL };
	const cJSON *p = arm_obj(root, "properties");
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(p, "columns");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(p, "rows");
	const cJSON *row;
	int rc;

	*rows = 0;
	if (!cJSON_IsArray(cols) || !cJSON_IsArray(data))
		return err_set(err, RC_PARSE, "cost query: no 'properties.columns' and 'rows'");
	int ic = column_index(cols, cost_names), ir = column_index(cols, rg_names);
	int id = column_index(cols, date_names), iu = column_index(cols, cur_names);
	int ix = column_index(cols, res_names); /* the per-resource query */
	if (ic < 0 || id < 0)
		return err_set(err, RC_PARSE, "cost query: no cost or 'UsageDate' column");
	cJSON_ArrayForEach(row, data)
	{
		struct cost_row_rec r = { .subscription_id = subscription_id };
		const cJSON *c = cJSON_GetArrayItem(row, ic);
		const cJSON *g = ir >= 0 ? cJSON_GetArrayItem(row, ir) : NULL;
		const cJSON *u = iu >= 0 ? cJSON_GetArrayItem(row, iu) : NULL;
		if (!cJSON_IsArray(row) || !cJSON_IsNumber(c) || !isfinite(c->valuedouble) ||
		    !usage_date(cJSON_GetArrayItem(row, id), r.usage_date))
			return err_set(err, RC_PARSE, "cost query: row %ld has a bad cost or date",
				       *rows + 1);
		r.cost = c->valuedouble;
		r.resource_group = cJSON_IsString(g) ? g->valuestring : "";
		r.currency = cJSON_IsString(u) ? u->valuestring : "";
		if (ix >= 0) {
			const cJSON *x = cJSON_GetArrayItem(row, ix);
			struct cost_resource_rec rr = { .subscription_id = subscription_id,
							.resource_id = cJSON_IsString(x) ? x->valuestring : "",
							.cost = r.cost,
							.currency = r.currency };
			memcpy(rr.usage_date, r.usage_date, sizeof(rr.usage_date));
			rc = emit(sink, REC_COST_RESOURCE, identity, &rr, err);
		} else {
			rc = emit(sink, REC_COST_ROW, identity, &r, err);
		}
		if (rc < 0)
			return rc;
		(*rows)++;
	}
	return 0;
}

char *
arm_cost_query_body(const char *first_day, const char *last_day)
{
	return arm_cost_query_body_by(first_day, last_day, "ResourceGroupName");
}

char *
arm_cost_query_body_by(const char *first_day, const char *last_day, const char *dimension)
{
	return xasprintf("{\"type\":\"ActualCost\",\"timeframe\":\"Custom\","
			 "\"timePeriod\":{\"from\":\"%sT00:00:00Z\",\"to\":\"%sT23:59:59Z\"},"
			 "\"dataset\":{\"granularity\":\"Daily\","
			 "\"aggregation\":{\"totalCost\":{\"name\":\"Cost\",\"function\":\"Sum\"}},"
			 "\"grouping\":[{\"type\":\"Dimension\",\"name\":\"%s\"}]}}",
			 first_day, last_day, dimension);
}
