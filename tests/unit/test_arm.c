/*
 * arm/arm and collector/auth on the real payloads of
 * shared/azure-examples (copied to tests/fixtures/azure/), through a sink
 * that records what it receives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm/access.h"
#include "arm/arm.h"
#include "collector/auth.h"
#include "collector/tenant_resolve.h"
#include "common/buf.h"
#include "common/xalloc.h"

/* The sink writes one text line per record, so tests compare plain strings. */
static struct buf got;

static const char *
s(const char *p)
{
	return p ? p : "-";
}

static int
capture(void *payload, enum rec_type t, int64_t id, const void *rec)
{
	(void)payload;
	switch (t) {
	case REC_LINK: {
		const struct link_rec *r = rec;
		buf_printf(&got, "link %lld %d %s %s %s %s %s\n", (long long)id, r->linked,
			   s(r->partner_id), s(r->partner_name), s(r->object_id), s(r->state),
			   s(r->created_time));
		break;
	}
	case REC_TENANT: {
		const struct tenant_rec *r = rec;
		buf_printf(&got, "tenant %s %s %s\n", r->tenant_id, s(r->display_name),
			   s(r->category));
		break;
	}
	case REC_SUBSCRIPTION: {
		const struct subscription_rec *r = rec;
		buf_printf(&got, "sub %s %s %s %s %s %zu", r->subscription_id, r->tenant_id,
			   s(r->state), s(r->quota_id), s(r->authorization_source), r->n_managed_by);
		for (size_t i = 0; i < r->n_managed_by; i++)
			buf_printf(&got, " %s", r->managed_by[i]);
		buf_addc(&got, '\n');
		break;
	}
	case REC_ROLE_ASSIGNMENT: {
		const struct role_assignment_rec *r = rec;
		buf_printf(&got, "ra %s %s %s %s %s %s %s\n", r->subscription_id, r->role_guid,
			   r->scope_level, s(r->resource_group), s(r->principal_type),
			   s(r->created_on), s(r->principal_id));
		break;
	}
	case REC_ROLE_DEFINITION: {
		const struct role_definition_rec *r = rec;
		buf_printf(&got, "rd %s %s %s", r->role_guid, s(r->role_name), s(r->role_type));
		for (size_t i = 0; i < r->n_perms; i++)
			buf_printf(&got, " %s=%s", r->perms[i].kind, r->perms[i].pattern);
		buf_addc(&got, '\n');
		break;
	}
	case REC_LIGHTHOUSE: {
		const struct lighthouse_rec *r = rec;
		buf_printf(&got, "lh %s %s %s %s", r->subscription_id, s(r->managed_by_tenant_id),
			   s(r->plan_name), s(r->created_at));
		for (size_t i = 0; i < r->n_auths; i++)
			buf_printf(&got, " %s:%s:%d", r->auths[i].principal_id, r->auths[i].role_guid,
				   r->auths[i].eligible);
		buf_addc(&got, '\n');
		break;
	}
	case REC_COST_ROW: {
		const struct cost_row_rec *r = rec;
		buf_printf(&got, "cost %s %s %.4f %s\n", r->usage_date, r->resource_group, r->cost,
			   r->currency);
		break;
	}
	case REC_PIM: {
		const struct pim_rec *r = rec;
		buf_printf(&got, "pim %s %s %s %s %s %s %s %s %s %s %s\n", r->kind, r->item_id,
			   r->scope_level, r->role_guid, s(r->principal_id), s(r->member_type),
			   s(r->assignment_type), s(r->status), s(r->start_time), s(r->end_time),
			   s(r->eligibility_id));
		break;
	}
	case REC_GROUP_CHECK: {
		const struct group_check_rec *r = rec;
		buf_printf(&got, "group %s %d %d\n", r->group_id, (int)r->outcome, r->member);
		break;
	}
	case REC_COST_RESOURCE: {
		const struct cost_resource_rec *r = rec;
		buf_printf(&got, "resource %s %s %.4f %s\n", r->usage_date, r->resource_id, r->cost,
			   r->currency);
		break;
	}
	default:
		buf_printf(&got, "other %d\n", (int)t);
	}
	return 0;
}

static const struct sink sink = { capture, NULL };

/* Load a fixture; spec examples are unwrapped to responses.<status>.body. */
static cJSON *
fixture(const char *name, const char *status)
{
	char path[512];
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	snprintf(path, sizeof(path), "%s/azure/%s", TEST_FIXTURES, name);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	cJSON *root = cJSON_Parse(buf_cstr(&b));
	buf_release(&b);
	assert_non_null(root);
	if (status) {
		cJSON *body = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "responses"),
								      status),
						  "body");
		assert_non_null(body);
		cJSON *copy = cJSON_Duplicate(body, 1);
		cJSON_Delete(root);
		return copy;
	}
	return root;
}

static int
reset(void **state)
{
	(void)state;
	buf_reset(&got);
	return 0;
}

static void
test_arm__subscriptions(void **state)
{
	struct err err = ERR_INIT;
	cJSON *root = fixture("GetSubscriptions.json", "200");
	(void)state;

	assert_int_equal(arm_emit_subscriptions(root, &sink, 7, &err), 0);
	assert_string_equal(buf_cstr(&got),
			    "sub 291bba3f-e0a5-47bc-a099-3bdcb2a50a05 31c75423-32d6-4322-88b7-c478bdde4858 "
			    "Enabled Internal_2014-09-01 RoleBased 1 8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7\n"
			    "sub 72ac930a-f34e-42d8-b06d-dc2a9e12ed71 2a0ff0de-96b2-4859-bb7c-a430d07a3e0c "
			    "Enabled Internal_2014-09-01 RoleBased 2 8f70baf1-1f6e-46a2-a1ff-238dac1ebfb7 "
			    "f7fb6af2-321d-47c8-9c0f-b0239eaad39a\n");
	/* The spec example's nextLink is the placeholder "...". */
	assert_string_equal(arm_next_link(root), "...");
	cJSON_Delete(root);
}

static void
test_arm__tenants(void **state)
{
	struct err err = ERR_INIT;
	cJSON *root = fixture("GetTenants.json", "200");
	(void)state;

	assert_int_equal(arm_emit_tenants(root, &sink, 1, &err), 0);
	assert_non_null(strstr(buf_cstr(&got),
			       "tenant 83abe5cd-bcc3-441a-bd86-e6a75360cecc Contoso Corp. Home\n"));
	assert_non_null(strstr(buf_cstr(&got), "ProjectedBy"));
	cJSON_Delete(root);
}

static void
test_arm__role_assignments(void **state)
{
	struct err err = ERR_INIT;
	cJSON *root = fixture("azure-cli-recording-roleAssignments-list-principalId-filter-response.json",
			      NULL);
	(void)state;

	assert_int_equal(arm_emit_role_assignments(root, "00000000-0000-0000-0000-000000000000",
						   &sink, 1, &err),
			 0);
	assert_string_equal(buf_cstr(&got),
			    "ra 00000000-0000-0000-0000-000000000000 acdd72a7-3385-48ef-bd42-f606fba81ae7 "
			    "resource_group cli_role_assign000001 ServicePrincipal "
			    "2025-04-14T08:54:26.7153899Z 88c53162-584e-4c98-984b-62149c2e9bca\n");
	assert_null(arm_next_link(root));
	cJSON_Delete(root);
}

static void
test_arm__role_definition(void **state)
{
	struct err err = ERR_INIT;
	cJSON *root = fixture("azure-cli-recording-roleDefinitions-list-roleName-Reader-response.json",
			      NULL);
	(void)state;

	/* The GET by id returns one definition: the list's first element has that shape. */
	assert_int_equal(arm_emit_role_definition(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "value"), 0),
						  &sink, &err),
			 0);
	assert_string_equal(buf_cstr(&got),
			    "rd acdd72a7-3385-48ef-bd42-f606fba81ae7 Reader BuiltInRole action=*/read\n");
	cJSON_Delete(root);
}

static void
test_arm__lighthouse(void **state)
{
	struct err err = ERR_INIT;
	cJSON *root = fixture("GetRegistrationAssignmentsWithManagedByTenantIdEqFilter.json", "200");
	(void)state;

	assert_int_equal(arm_emit_lighthouse(root, "0afefe50-734e-4610-8c82-a144aff49dea", &sink, 1,
					     &err),
			 0);
	/* Permanent authorizations (0) and the just-in-time one (1); bare role GUIDs; plan kept. */
	assert_string_equal(buf_cstr(&got),
			    "lh 0afefe50-734e-4610-8c82-a144aff49dea 83abe5cd-bcc3-441a-bd86-e6a75360cecc "
			    "addesai-plan 2021-11-22T19:56:05.0703382Z "
			    "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc:acdd72a7-3385-48ef-bd42-f606fba81ae7:0 "
			    "f98d86a2-4cc4-4e9d-ad47-b3e80a1bcdfc:18d7d88d-d35e-4fb5-a5c3-7773c20a72d9:0 "
			    "700bddf4-2c3b-4cd1-bb02-6a2c622524f4:8e3af657-a8ff-443c-a75c-2fe8c4bcb635:1\n");
	cJSON_Delete(root);
}

static void
test_arm__cost(void **state)
{
	struct err err = ERR_INIT;
	long rows = 0;
	cJSON *root = fixture("SubscriptionQuery.json", "200");
	(void)state;

	assert_int_equal(arm_emit_cost(root, "s", &sink, 1, &rows, &err), 0);
	assert_true(rows > 2);
	assert_true(strncmp(buf_cstr(&got), "cost 2018-03-31 ScreenSharingTest-peer 2.1033 USD\n",
			    50) == 0);
	cJSON_Delete(root);

	/* Columns are found by name, in any order; a bad date is an error. */
	buf_reset(&got);
	root = cJSON_Parse("{\"properties\":{\"columns\":[{\"name\":\"UsageDate\",\"type\":\"Number\"},"
			   "{\"name\":\"Currency\",\"type\":\"String\"},{\"name\":\"ResourceGroupName\","
			   "\"type\":\"String\"},{\"name\":\"Cost\",\"type\":\"Number\"}],"
			   "\"rows\":[[20261031,\"EUR\",\"RG-A\",1.5]],\"nextLink\":\"https://x/n\"}}");
	assert_int_equal(arm_emit_cost(root, "s", &sink, 1, &rows, &err), 0);
	assert_string_equal(buf_cstr(&got), "cost 2026-10-31 RG-A 1.5000 EUR\n");
	assert_string_equal(arm_next_link(root), "https://x/n");
	cJSON_Delete(root);
	root = cJSON_Parse("{\"properties\":{\"columns\":[{\"name\":\"UsageDate\"},{\"name\":\"Cost\"}],"
			   "\"rows\":[[20261332,1.5]]}}");
	assert_int_equal(arm_emit_cost(root, "s", &sink, 1, &rows, &err), RC_PARSE);
	cJSON_Delete(root);
}

static void
test_arm__link_and_errors(void **state)
{
	struct err err = ERR_INIT;
	const char *code, *msg;
	cJSON *root = fixture("GetPartnerDetailsNoPartnerId.json", "200");
	(void)state;

	assert_int_equal(arm_emit_link(root, 200, "{}", &sink, 3, &err), 0);
	assert_string_equal(buf_cstr(&got), "link 3 1 123456 Test_jefl aa67f786-0552-423e-8849-244ed12bf581 "
					    "Active 2018-01-20T01:23:40.5280496Z\n");
	cJSON_Delete(root);
	/* The CLI's flattened form is accepted too. */
	buf_reset(&got);
	root = fixture("az-managementpartner-create-output.json", NULL);
	assert_int_equal(arm_emit_link(root, 200, "{}", &sink, 3, &err), 0);
	assert_non_null(strstr(buf_cstr(&got), "link 3 1 "));
	cJSON_Delete(root);
	/* 404: not linked. */
	buf_reset(&got);
	assert_int_equal(arm_emit_link(NULL, 404, "{\"error\":{}}", &sink, 3, &err), 0);
	assert_string_equal(buf_cstr(&got), "link 3 0 - - - - -\n");

	root = cJSON_Parse("{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"no\"}}");
	arm_error(root, &code, &msg);
	assert_string_equal(code, "AuthorizationFailed");
	assert_string_equal(msg, "no");
	cJSON_Delete(root);
	root = fixture("token-client-credentials-error.json", NULL);
	arm_error(root, &code, &msg);
	assert_string_equal(code, "invalid_scope");
	cJSON_Delete(root);
	arm_error(NULL, &code, &msg);
	assert_string_equal(code, "");

	/* Unexpected shapes are errors, not crashes. */
	root = cJSON_Parse("{\"value\":{}}");
	assert_int_equal(arm_emit_subscriptions(root, &sink, 1, &err), RC_PARSE);
	assert_int_equal(arm_emit_role_assignments(root, "s", &sink, 1, &err), RC_PARSE);
	cJSON_Delete(root);
	root = cJSON_Parse("{\"value\":[{\"subscriptionId\":\"../../x\",\"tenantId\":\"t\"}]}");
	assert_int_equal(arm_emit_subscriptions(root, &sink, 1, &err), RC_PARSE);
	cJSON_Delete(root);
}

static void
test_auth__token(void **state)
{
	struct err err = ERR_INIT;
	char *tok = NULL, *body, oid[37], tid[37];
	time_t exp = 0, jexp = 0;
	(void)state;

	body = auth_token_body("c1", "p&ss=w0rd+/%", "https://management.azure.com/");
	assert_string_equal(body, "client_id=c1&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"
				  "&client_secret=p%26ss%3Dw0rd%2B%2F%25&grant_type=client_credentials");
	free(body);
	body = auth_token_url("https://login.microsoftonline.com/", "t1");
	assert_string_equal(body, "https://login.microsoftonline.com/t1/oauth2/v2.0/token");
	free(body);

	/* {"alg":"none"}.{"oid":"...","tid":"...","exp":1800000000}.sig */
	const char *jwt = "eyJhbGciOiJub25lIn0."
			  "eyJvaWQiOiIxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJ0aWQiOiJh"
			  "YWFhYWFhYS1iYmJiLWNjY2MtZGRkZC1lZWVlZWVlZWVlZWUiLCJleHAiOjE4MDAwMDAwMDB9.c2ln";
	char *resp = xasprintf("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"%s\"}",
			       jwt);
	assert_int_equal(auth_parse_token_response(200, resp, &tok, &exp, &err), 0);
	assert_string_equal(tok, jwt);
	assert_true(exp > 0);
	assert_int_equal(auth_token_claims(tok, oid, tid, &jexp, &err), 0);
	assert_string_equal(oid, "11111111-2222-3333-4444-555555555555");
	assert_string_equal(tid, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_int_equal(jexp, 1800000000);
	free(tok);
	free(resp);

	cJSON *e = fixture("token-client-credentials-error.json", NULL);
	char *etext = cJSON_PrintUnformatted(e);
	cJSON_Delete(e);
	assert_int_equal(auth_parse_token_response(400, etext, &tok, &exp, &err), RC_AUTH);
	assert_null(tok);
	assert_non_null(strstr(err.msg, "invalid_scope: AADSTS70011"));
	assert_null(strchr(err.msg, '\n'));
	free(etext);
	assert_int_equal(auth_token_claims("opaque-token", oid, NULL, NULL, &err), RC_PARSE);
}

/* PIM lists on the 2020-10-01 spec examples. */
static void
test_access__pim(void **state)
{
	struct err err = ERR_INIT;
	(void)state;

	cJSON *root = fixture("GetRoleEligibilityScheduleInstancesByScope.json", "200");
	assert_int_equal(access_emit_pim(root, PIM_ELIGIBLE, "dfa2a084-766f-4003-8ae1-c4aeb893a99f",
					 &sink, 1, &err),
			 0);
	assert_string_equal(buf_cstr(&got),
			    "pim eligible /subscriptions/dfa2a084-766f-4003-8ae1-c4aeb893a99f/providers/"
			    "Microsoft.Authorization/RoleEligibilityScheduleInstances/"
			    "21e4b59a-0499-4fe0-a3c3-43a3055b773a subscription "
			    "b24988ac-6180-42a0-ab88-20f7382dd24c a3bb8764-cb92-4276-9d2a-ca1e895e55ea "
			    "Direct - Provisioned 2020-09-10T00:32:36.86Z 2021-09-10T00:31:41.477Z "
			    "b1477448-2cc6-4ceb-93b4-54a202a89413\n");
	cJSON_Delete(root);

	buf_reset(&got);
	root = fixture("GetRoleAssignmentScheduleInstancesByScope.json", "200");
	assert_int_equal(access_emit_pim(root, PIM_ACTIVE, "s", &sink, 1, &err), 0);
	/* linkedRoleEligibilityScheduleId is a bare GUID here */
	assert_non_null(strstr(buf_cstr(&got), " subscription c8d4ff99-41c3-41a8-9f60-21dfdad59608 "));
	assert_non_null(strstr(buf_cstr(&got), " Direct Assigned Accepted 2020-09-09T21:35:27.91Z "
					       "2020-09-10T05:35:17.91Z "
					       "b1477448-2cc6-4ceb-93b4-54a202a89413\n"));
	cJSON_Delete(root);

	/* a request's window: scheduleInfo.startDateTime + expiration.duration (PT8H) */
	buf_reset(&got);
	root = fixture("GetRoleAssignmentScheduleRequestByScope.json", "200");
	assert_int_equal(access_emit_pim(root, PIM_REQUEST, "s", &sink, 1, &err), 0);
	assert_non_null(strstr(buf_cstr(&got), " Provisioned 2020-09-09T21:35:27.91Z "
					       "2020-09-10T05:35:27Z -\n"));
	cJSON_Delete(root);

	/* no 'value', or an entry without a role: the shape is refused */
	root = cJSON_Parse("{\"values\":[]}");
	assert_int_equal(access_emit_pim(root, PIM_ACTIVE, "s", &sink, 1, &err), RC_PARSE);
	cJSON_Delete(root);
	root = cJSON_Parse("{\"value\":[{\"id\":\"x\",\"properties\":{\"scope\":\"/\"}}]}");
	assert_int_equal(access_emit_pim(root, PIM_ACTIVE, "s", &sink, 1, &err), RC_PARSE);
	cJSON_Delete(root);

	assert_int_equal(iso_duration_seconds("PT8H"), 8 * 3600);
	assert_int_equal(iso_duration_seconds("P1DT30M"), 86400 + 1800);
	assert_int_equal(iso_duration_seconds("PT90S"), 90);
	assert_int_equal(iso_duration_seconds("P1M"), -1);
	assert_int_equal(iso_duration_seconds("PT"), 0);
	assert_int_equal(iso_duration_seconds("8H"), -1);
	assert_int_equal(iso_duration_seconds("PT8"), -1);
}

/* checkMemberGroups on the Graph docs' example: the asked ids, each member or not. */
static void
test_access__member_groups(void **state)
{
	struct err err = ERR_INIT;
	cJSON *req = fixture("graph-checkMemberGroups-request.json", NULL);
	cJSON *root = fixture("graph-checkMemberGroups-response.json", NULL);
	const char *asked[5];
	const cJSON *g;
	size_t n = 0;
	(void)state;

	cJSON_ArrayForEach(g, cJSON_GetObjectItem(req, "groupIds")) asked[n++] = g->valuestring;
	assert_int_equal(n, 5);
	char *body = access_member_groups_body(asked, n);
	cJSON *mine = cJSON_Parse(body);
	assert_true(cJSON_Compare(mine, req, 1)); /* the body we send is the documented one */
	cJSON_Delete(mine);
	free(body);
	assert_int_equal(access_emit_member_groups(root, asked, n, &sink, 1, &err), 0);
	assert_string_equal(buf_cstr(&got), "group f448435d-3ca7-4073-8152-a1fd73c0fd09 0 1\n"
					    "group bd7c6263-4dd5-4ae8-8c96-556e1c0bece6 0 0\n"
					    "group 93670da6-d731-4366-94b5-abed40b6016b 0 1\n"
					    "group f5484ab1-4d4d-41ec-a9b8-754b3957bfc7 0 1\n"
					    "group c9103f26-f3cf-4004-a611-2a14e81b8f79 0 1\n");
	cJSON_Delete(root);
	root = cJSON_Parse("{\"value\":[1]}");
	assert_int_equal(access_emit_member_groups(root, asked, n, &sink, 1, &err), RC_PARSE);
	cJSON_Delete(root);
	cJSON_Delete(req);
}

/*
 * The per-resource query: the grouped example's shape (the grouping dimension is a String
 * column of its name) with ResourceId, daily; ResourceGroup-grouped pages stay cost rows.
 */
static void
test_access__cost_by_resource(void **state)
{
	struct err err = ERR_INIT;
	long rows = 0;
	(void)state;

	cJSON *root = fixture("SubscriptionQueryGrouping.json", "200");
	assert_int_equal(arm_emit_cost(root, "s", &sink, 1, &rows, &err), RC_PARSE); /* no UsageDate */
	cJSON_Delete(root);
	buf_reset(&got);
	root = cJSON_Parse("{\"properties\":{\"nextLink\":null,\"columns\":["
			   "{\"name\":\"totalCost\",\"type\":\"Number\"},"
			   "{\"name\":\"ResourceId\",\"type\":\"String\"},"
			   "{\"name\":\"UsageDate\",\"type\":\"Number\"},"
			   "{\"name\":\"Currency\",\"type\":\"String\"}],\"rows\":["
			   "[2.5,\"/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/"
			   "virtualmachines/vm1\",20261002,\"EUR\"]]}}");
	assert_int_equal(arm_emit_cost(root, "s", &sink, 1, &rows, &err), 0);
	assert_int_equal(rows, 1);
	assert_string_equal(buf_cstr(&got), "resource 2026-10-02 /subscriptions/s/resourcegroups/rg/"
					    "providers/microsoft.compute/virtualmachines/vm1 2.5000 EUR\n");
	cJSON_Delete(root);
	char *b = arm_cost_query_body_by("2026-10-01", "2026-10-31", "ResourceId");
	assert_non_null(strstr(b, "\"grouping\":[{\"type\":\"Dimension\",\"name\":\"ResourceId\"}]"));
	free(b);
}

static void
test_auth__token_command(void **state)
{
	struct err err = ERR_INIT;
	char *tok = NULL;
	(void)state;

	assert_int_equal(auth_run_token_command("printf '\\n  abc.def.ghi  \\n'", NULL, 0, &tok, &err), 0);
	assert_string_equal(tok, "abc.def.ghi");
	free(tok);
	assert_int_equal(auth_run_token_command("exit 3", NULL, 0, &tok, &err), RC_AUTH);
	assert_non_null(strstr(err.msg, "status 3"));
	assert_int_equal(auth_run_token_command("true", NULL, 0, &tok, &err), RC_AUTH);

	/* the variables named are not in the child's environment; the others are */
	const char *unset[] = { "PALSCOPE_T_A", "PALSCOPE_T_C" };
	setenv("PALSCOPE_T_A", "a", 1);
	setenv("PALSCOPE_T_AB", "ab", 1);
	setenv("PALSCOPE_T_B", "b", 1);
	assert_int_equal(auth_run_token_command("printf '%s.%s.%s' \"${PALSCOPE_T_A-none}\" "
						"\"${PALSCOPE_T_AB-none}\" \"${PALSCOPE_T_B-none}\"",
						unset, 2, &tok, &err),
			 0);
	assert_string_equal(tok, "none.ab.b");
	free(tok);
	assert_string_equal(getenv("PALSCOPE_T_A"), "a"); /* ours is untouched */
}

/*
 * The tenant GUID of an OpenID discovery document: from issuer (v2.0 and v1 forms), else from
 * token_endpoint; none from the common document's "{tenantid}" placeholder or "common".
 */
static void
test_tenant__discovery(void **state)
{
	char g[37];
	(void)state;

#define DISC(s) tenant_from_discovery(s, strlen(s), g)
	assert_int_equal(DISC("{\"issuer\":\"https://login.microsoftonline.com/"
			      "A0000001-0000-4000-8000-000000000000/v2.0\",\"token_endpoint\":"
			      "\"https://login.microsoftonline.com/common/oauth2/v2.0/token\"}"), 0);
	assert_string_equal(g, "a0000001-0000-4000-8000-000000000000");
	assert_int_equal(DISC("{\"issuer\":\"https://sts.windows.net/"
			      "72f988bf-86f1-41af-91ab-2d7cd011db47/\"}"), 0);
	assert_string_equal(g, "72f988bf-86f1-41af-91ab-2d7cd011db47");
	assert_int_equal(DISC("{\"issuer\":\"https://login.microsoftonline.com/{tenantid}/v2.0\","
			      "\"token_endpoint\":\"https://login.microsoftonline.com/"
			      "a0000004-0000-4000-8000-000000000000/oauth2/v2.0/token\"}"), 0);
	assert_string_equal(g, "a0000004-0000-4000-8000-000000000000");
	assert_int_equal(DISC("{\"issuer\":\"https://login.microsoftonline.com/{tenantid}/v2.0\","
			      "\"token_endpoint\":\"https://login.microsoftonline.com/common/oauth2/"
			      "v2.0/token\"}"), -1);
	assert_int_equal(DISC("{\"error\":\"invalid_tenant\"}"), -1);
	assert_int_equal(DISC("not json"), -1);
	assert_int_equal(DISC("{\"issuer\":\"a0000004-0000-4000-8000-000000000000\"}"), -1);
#undef DISC
}

/* The shared getters: the right type or NULL (arm_has: any type), NULL objects pass through. */
static void
test_arm__getters(void **state)
{
	(void)state;
	cJSON *root = cJSON_Parse("{\"s\":\"x\",\"n\":1,\"o\":{\"s\":\"inner\"},\"a\":[]}");
	assert_non_null(root);
	assert_string_equal(arm_str(root, "s"), "x");
	assert_null(arm_str(root, "n"));
	assert_null(arm_str(root, "o"));
	assert_null(arm_str(root, "missing"));
	assert_null(arm_str(NULL, "s"));
	assert_string_equal(arm_str(arm_obj(root, "o"), "s"), "inner");
	assert_null(arm_obj(root, "a"));
	assert_null(arm_obj(root, "s"));
	assert_null(arm_obj(NULL, "o"));
	assert_null(arm_str(arm_obj(root, "missing"), "s"));
	/* arm_has: present with any type (the importer's shape tests), case-sensitive */
	assert_true(arm_has(root, "n") && arm_has(root, "a") && arm_has(root, "o"));
	assert_false(arm_has(root, "S"));
	assert_false(arm_has(root, "missing"));
	assert_false(arm_has(NULL, "s"));
	cJSON_Delete(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arm__getters),
		cmocka_unit_test_setup(test_arm__subscriptions, reset),
		cmocka_unit_test_setup(test_arm__tenants, reset),
		cmocka_unit_test_setup(test_arm__role_assignments, reset),
		cmocka_unit_test_setup(test_arm__role_definition, reset),
		cmocka_unit_test_setup(test_arm__lighthouse, reset),
		cmocka_unit_test_setup(test_arm__cost, reset),
		cmocka_unit_test_setup(test_arm__link_and_errors, reset),
		cmocka_unit_test_setup(test_access__pim, reset),
		cmocka_unit_test_setup(test_access__member_groups, reset),
		cmocka_unit_test_setup(test_access__cost_by_resource, reset),
		cmocka_unit_test(test_auth__token),
		cmocka_unit_test(test_auth__token_command),
		cmocka_unit_test(test_tenant__discovery),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	buf_release(&got);
	return rc;
}
