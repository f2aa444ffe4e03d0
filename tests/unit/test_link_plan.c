/* links/plan, links/explain, links/report_filter: pure functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links/explain.h"
#include "links/plan.h"
#include "links/report_filter.h"

/* ---- plan ---------------------------------------------------------------- */

struct plan_case {
	bool remove, allow_update, selected;
	enum link_cur_kind kind;
	const char *have;
	enum link_verdict want;
	const char *method;
	const char *reason_has;
};

static const struct plan_case plan_cases[] = {
	/* apply / plan */
	{ false, false, true, LINK_CUR_NONE, NULL, LINK_V_CREATE, "PUT", "not linked" },
	{ false, true, true, LINK_CUR_NONE, NULL, LINK_V_CREATE, "PUT", "link to 1234567" },
	{ false, false, true, LINK_CUR_LINKED, "1234567", LINK_V_NOTHING, NULL, "already linked" },
	{ false, true, true, LINK_CUR_LINKED, "1234567", LINK_V_NOTHING, NULL, "already linked" },
	{ false, false, true, LINK_CUR_LINKED, "7654321", LINK_V_SKIP_OTHER, NULL, "--update" },
	{ false, false, true, LINK_CUR_LINKED, "1234568", LINK_V_SKIP_OTHER, NULL,
	  "another location" },
	{ false, true, true, LINK_CUR_LINKED, "7654321", LINK_V_UPDATE, "PATCH", "7654321" },
	/* a prefix or a longer ID is another ID */
	{ false, false, true, LINK_CUR_LINKED, "12345678", LINK_V_SKIP_OTHER, NULL, NULL },
	{ false, false, true, LINK_CUR_LINKED, "123456", LINK_V_SKIP_OTHER, NULL, NULL },
	{ false, true, true, LINK_CUR_UNKNOWN, NULL, LINK_V_UNKNOWN, NULL, "could not be read" },
	{ false, true, false, LINK_CUR_NONE, NULL, LINK_V_NOT_SELECTED, NULL, "NO_LINK" },
	{ false, true, false, LINK_CUR_UNKNOWN, NULL, LINK_V_NOT_SELECTED, NULL, NULL },
	/* remove */
	{ true, false, true, LINK_CUR_LINKED, "1234567", LINK_V_REMOVE, "DELETE", "remove" },
	{ true, true, true, LINK_CUR_LINKED, "1234567", LINK_V_REMOVE, "DELETE", NULL },
	{ true, false, true, LINK_CUR_LINKED, "7654321", LINK_V_KEEP_OTHER, NULL,
	  "only links to the given ID" },
	{ true, true, true, LINK_CUR_LINKED, "7654321", LINK_V_KEEP_OTHER, NULL, NULL },
	{ true, false, true, LINK_CUR_NONE, NULL, LINK_V_NOTHING, NULL, "nothing to remove" },
	{ true, false, true, LINK_CUR_UNKNOWN, NULL, LINK_V_UNKNOWN, NULL, NULL },
};

static void
test_link_plan__table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(plan_cases) / sizeof(plan_cases[0]); i++) {
		const struct plan_case *c = &plan_cases[i];
		struct link_want w = { .remove = c->remove, .partner_id = "1234567",
				       .allow_update = c->allow_update, .selected = c->selected };
		struct link_current cur = { .kind = c->kind, .partner_id = c->have };
		struct link_decision d;
		link_plan_decide(&w, &cur, &d);
		if (d.verdict != c->want)
			fail_msg("case %zu: verdict %s, expected %s", i, link_verdict_name(d.verdict),
				 link_verdict_name(c->want));
		if (c->method)
			assert_string_equal(d.method, c->method);
		else
			assert_null(d.method);
		assert_int_equal(link_verdict_writes(d.verdict), c->method != NULL);
		assert_int_equal(d.operation != NULL, c->method != NULL);
		assert_true(d.reason[0] != '\0');
		if (c->reason_has && strstr(d.reason, c->reason_has) == NULL)
			fail_msg("case %zu: reason '%s' lacks '%s'", i, d.reason, c->reason_has);
	}
}

static void
test_link_plan__operations(void **state)
{
	struct link_want w = { .partner_id = "1234567", .allow_update = true, .selected = true };
	struct link_current none = { .kind = LINK_CUR_NONE };
	struct link_current other = { .kind = LINK_CUR_LINKED, .partner_id = "7654321" };
	struct link_current same = { .kind = LINK_CUR_LINKED, .partner_id = "1234567" };
	struct link_decision d;

	(void)state;
	link_plan_decide(&w, &none, &d);
	assert_string_equal(d.operation, "create");
	link_plan_decide(&w, &other, &d);
	assert_string_equal(d.operation, "update");
	w.remove = true;
	link_plan_decide(&w, &same, &d);
	assert_string_equal(d.operation, "remove");
}

static void
test_link_plan__state(void **state)
{
	(void)state;
	assert_int_equal(link_state_kind(false, NULL), LINK_CUR_NONE);
	assert_int_equal(link_state_kind(false, "Active"), LINK_CUR_NONE);
	assert_int_equal(link_state_kind(true, "Active"), LINK_CUR_LINKED);
	assert_int_equal(link_state_kind(true, NULL), LINK_CUR_LINKED);
	assert_int_equal(link_state_kind(true, "Deleted"), LINK_CUR_NONE);
	assert_int_equal(link_state_kind(true, "deleted"), LINK_CUR_NONE);
}

/* Idempotence: applying a plan's outcome and planning again gives nothing to do. */
static void
test_link_plan__idempotent(void **state)
{
	const char *starts[] = { NULL, "1234567", "7654321" };

	(void)state;
	for (int remove = 0; remove < 2; remove++) {
		for (size_t i = 0; i < 3; i++) {
			struct link_want w = { .remove = remove, .partner_id = "1234567",
					       .allow_update = true, .selected = true };
			struct link_current c = { .kind = starts[i] ? LINK_CUR_LINKED
								    : LINK_CUR_NONE,
						  .partner_id = starts[i] };
			struct link_decision d;
			link_plan_decide(&w, &c, &d);
			if (d.verdict == LINK_V_CREATE || d.verdict == LINK_V_UPDATE)
				c = (struct link_current){ LINK_CUR_LINKED, "1234567" };
			else if (d.verdict == LINK_V_REMOVE)
				c = (struct link_current){ LINK_CUR_NONE, NULL };
			link_plan_decide(&w, &c, &d);
			assert_false(link_verdict_writes(d.verdict));
		}
	}
}

/* ---- explain ------------------------------------------------------------------ */

static void
test_link_explain__problems(void **state)
{
	char out[1024];

	(void)state;
	assert_int_equal(link_problem_of("PUT", 400, "BadRequest",
					 "We don't have a record for this partner ID '9999999'. "
					 "Please check the partner ID and try again."),
			 LINK_P_UNKNOWN_ID);
	link_explain("PUT", 400, "BadRequest", "We don't have a record for this partner ID '99'.",
		     "99", NULL, out, sizeof(out));
	assert_non_null(strstr(out, "We don't have a record for this partner ID"));
	assert_non_null(strstr(out, "global"));
	assert_non_null(strstr(out, "location"));
	assert_non_null(strstr(out, "[BadRequest: We don't have"));

	const char *s19 = "Operation failed with message 'The user does not have an account in "
			  "this tenant, work with the administrator to add the account. If you "
			  "are a CSP partner logged in the customer tenant, you will not be able "
			  "to link the Partner ID'";
	assert_int_equal(link_problem_of("PUT", 400, "BadRequest", s19), LINK_P_CANNOT_LINK);
	assert_int_equal(link_problem_of("PATCH", 403, NULL, s19), LINK_P_CANNOT_LINK);
	link_explain("PUT", 400, "BadRequest", s19, "1234567", NULL, out, sizeof(out));
	assert_non_null(strstr(out, "foreign principal"));

	assert_int_equal(link_problem_of("PUT", 409, "Conflict", "already linked"),
			 LINK_P_CONFLICT);
	assert_int_equal(link_problem_of("PUT", 400, "PartnerIdAlreadyLinked", "x"),
			 LINK_P_CONFLICT);
	link_explain("PUT", 409, "Conflict", "Partner '1' is already linked", "1234567", NULL, out,
		     sizeof(out));
	assert_non_null(strstr(out, "conflict"));

	assert_int_equal(link_problem_of("PATCH", 404, "NotFound", "x"), LINK_P_GONE);
	assert_int_equal(link_problem_of("DELETE", 404, "NotFound", "x"), LINK_P_GONE);
	assert_int_equal(link_problem_of("GET", 404, "NotFound", "x"), LINK_P_OTHER);
	link_explain("DELETE", 404, "NotFound", "No partner association", "1234567", NULL, out,
		     sizeof(out));
	assert_non_null(strstr(out, "no link to 1234567"));

	assert_int_equal(link_problem_of("PUT", 403, "AuthorizationFailed", "no"), LINK_P_DENIED);
	assert_int_equal(link_problem_of("PUT", 429, "TooManyRequests", "slow"),
			 LINK_P_THROTTLED);
	assert_int_equal(link_problem_of("PUT", 503, NULL, NULL), LINK_P_SERVER);
	assert_int_equal(link_problem_of("PUT", 0, NULL, NULL), LINK_P_NO_RESPONSE);
	link_explain("PUT", 0, NULL, NULL, "1", "Connection refused", out, sizeof(out));
	assert_non_null(strstr(out, "Connection refused"));
	link_explain("PUT", 418, NULL, NULL, "1", NULL, out, sizeof(out));
	assert_string_equal(out, "the request failed (HTTP 418)");

	/* Tiny buffers are truncated, never overrun. */
	char small[8];
	link_explain("PUT", 400, "BadRequest", s19, "1234567", NULL, small, sizeof(small));
	assert_int_equal(strlen(small), 7);
}

/* ---- report filter --------------------------------------------------------------- */

#define T1 "a0000005-0000-4000-8000-000000000000"
#define T2 "a0000007-0000-4000-8000-000000000000"
#define T3 "a0000001-0000-4000-8000-000000000000"

static void
test_link_report__subscriptions(void **state)
{
	const char *csv =
		"tenant_id,customer_name,subscription_id,subscription_name,offer,state,status,"
		"reason_code,reasons,partner_id\n"
		"\"" T3 "\",\"Contoso, Ltd\",\"s1\",\"P\",\"PAYG\",\"Enabled\",\"attributed\","
		"\"ATTRIBUTED\",\"\",\"1234567\"\n"
		"\"" T3 "\",\"Contoso, Ltd\",\"s2\",\"P\",\"PAYG\",\"Enabled\",\"missing\","
		"\"LINK_WRONG_PARTNER_ID\",\"multi\nline\",\"7654321\"\n"
		"\"" T1 "\",\"Adventure\",\"s3\",\"P\",\"PAYG\",\"Enabled\",\"missing\",\"NO_LINK\","
		"\"\",\"\"\n"
		"\"" T1 "\",\"Adventure\",\"s4\",\"P\",\"PAYG\",\"Enabled\",\"missing\",\"NO_LINK\","
		"\"\",\"\"\n";
	struct link_tenant_set s = LINK_TENANT_SET_INIT;
	struct err err = ERR_INIT;

	(void)state;
	assert_int_equal(link_report_tenants_mem(csv, strlen(csv), "r.csv", &s, &err), 0);
	assert_int_equal(s.rows, 4);
	assert_int_equal(s.matched_rows, 3);
	assert_int_equal(s.n, 2);
	assert_true(link_tenant_set_has(&s, T1));
	assert_true(link_tenant_set_has(&s, "A0000001-0000-4000-8000-000000000000"));
	assert_false(link_tenant_set_has(&s, T2));
	link_tenant_set_release(&s);
}

static void
test_link_report__customers_excel(void **state)
{
	/* --excel: BOM, CRLF, columns in another order. */
	const char *csv = "\xEF\xBB\xBF\"tenant_id\",\"customer_name\",\"status\",\"reason_code\","
			  "\"subscriptions\"\r\n"
			  "\"" T2 "\",\"Wide World\",\"missing\",\"LINK_WRONG_PARTNER_ID\",1\r\n"
			  "\"" T1 "\",\"'=Adventure\",\"missing\",\"NO_LINK\",1\r\n"
			  "\"" T3 "\",\"Contoso\",\"attributed\",\"ATTRIBUTED\",5\r\n";
	struct link_tenant_set s = LINK_TENANT_SET_INIT;
	struct err err = ERR_INIT;

	(void)state;
	assert_int_equal(link_report_tenants_mem(csv, strlen(csv), "c.csv", &s, &err), 0);
	assert_int_equal(s.rows, 3);
	assert_int_equal(s.n, 2);
	assert_true(link_tenant_set_has(&s, T1));
	assert_true(link_tenant_set_has(&s, T2));
	assert_false(link_tenant_set_has(&s, T3));
	link_tenant_set_release(&s);

	const char *reordered = "reason_code,x,Tenant_ID\nNO_LINK,1," T3 "\n";
	assert_int_equal(link_report_tenants_mem(reordered, strlen(reordered), "o.csv", &s, &err),
			 0);
	assert_true(link_tenant_set_has(&s, T3));
	link_tenant_set_release(&s);
}

static void
test_link_report__bad(void **state)
{
	struct link_tenant_set s = LINK_TENANT_SET_INIT;
	struct err err = ERR_INIT;
	const char *no_reason = "tenant_id,customer_name\n" T1 ",x\n";
	const char *bad_guid = "tenant_id,reason_code\nnot-a-guid,NO_LINK\n";
	const char *unterminated = "tenant_id,reason_code\n\"" T1 ",NO_LINK\n";

	(void)state;
	assert_int_equal(link_report_tenants_mem(no_reason, strlen(no_reason), "a.csv", &s, &err),
			 RC_USAGE);
	assert_non_null(strstr(err.msg, "reason_code"));
	assert_int_equal(link_report_tenants_mem(bad_guid, strlen(bad_guid), "b.csv", &s, &err),
			 RC_USAGE);
	assert_non_null(strstr(err.msg, "b.csv:2"));
	assert_int_equal(link_report_tenants_mem("", 0, "e.csv", &s, &err), RC_USAGE);
	assert_non_null(strstr(err.msg, "empty"));
	/* libcsv accepts an unterminated quote at EOF only in relaxed mode */
	int rc = link_report_tenants_mem(unterminated, strlen(unterminated), "u.csv", &s, &err);
	assert_true(rc == RC_USAGE || (rc == 0 && s.n == 0));
	link_tenant_set_release(&s);
	assert_int_equal(link_report_tenants("/nonexistent/r.csv", &s, &err), RC_USAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_plan__table),
		cmocka_unit_test(test_link_plan__operations),
		cmocka_unit_test(test_link_plan__state),
		cmocka_unit_test(test_link_plan__idempotent),
		cmocka_unit_test(test_link_explain__problems),
		cmocka_unit_test(test_link_report__subscriptions),
		cmocka_unit_test(test_link_report__customers_excel),
		cmocka_unit_test(test_link_report__bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
