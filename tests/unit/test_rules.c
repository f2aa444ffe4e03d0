/*
 * The attribution rules (sql/views/) on tests/fixtures/report/rules.sql: one subscription per
 * reason code and warning, the customer rollup, effective runs, and the CSV reports against
 * tests/golden/report/ (UPDATE_GOLDEN=1 rewrites the golden files).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixturedb.h"
#include "tempdb.h"
#include "testutil.h"
#include "db/db.h"
#include "db/summary.h"
#include "reports/report.h"

#define GOLDEN TEST_FIXTURES "/../golden/report"

static char path[256];
static struct db db = DB_INIT;

static int
setup(void **state)
{
	(void)state;
	return fixturedb_open(&db, path, sizeof(path), "rules", TEST_FIXTURES "/report/rules.sql");
}

static int
teardown(void **state)
{
	(void)state;
	db_close(&db);
	tempdb_remove(path);
	return 0;
}

#define SUB(n) "5ub00000-0000-4000-8000-0000000000" #n
#define TEN(n) "aaaaaaaa-0000-4000-8000-0000000000" #n
#define NOUSE -1.0

static const struct sub_case {
	const char *id;
	const char *status;
	const char *code;
	const char *reasons;
	double usage;		/* NOUSE: NULL (unreadable) */
	double attributed;	/* NOUSE: not attributed */
	const char *explain;	/* a fragment the explanation must hold */
} sub_cases[] = {
	{ SUB(01), "ATTRIBUTED", "", "", 310, 310, "through 'contoso-guest'" },
	{ SUB(02), "MISSING", "SUBSCRIPTION_NOT_ACTIVE", "SUBSCRIPTION_NOT_ACTIVE", 31, NOUSE,
	  "Disabled" },
	{ SUB(03), "MISSING", "ROLE_NOT_ELIGIBLE", "ROLE_NOT_ELIGIBLE", 31, NOUSE,
	  "Support Request Contributor" },
	{ SUB(04), "MISSING", "NO_RBAC", "NO_RBAC", 31, NOUSE, "holds no role assignment" },
	/* policy ea = pal (the default): evaluated like any other, with the warning */
	{ SUB(05), "ATTRIBUTED", "", "EA_SUBSCRIPTION", 31, 31,
	  "PAL counts on EA per Microsoft's partner team (2026)" },
	{ SUB(06), "MISSING", "OFFER_EXCLUDED", "OFFER_EXCLUDED", 31, NOUSE, "FreeTrial_" },
	{ SUB(07), "ATTRIBUTED", "", "", 62, 62, "62.00 of 62.00" },
	{ SUB(08), "UNKNOWN", "USAGE_UNREADABLE", "USAGE_UNREADABLE", NOUSE, NOUSE,
	  "RBACAccessDenied" },
	{ SUB(09), "MISSING", "NO_USAGE", "NO_USAGE", 0, NOUSE, "no cost in 2026-10" },
	{ SUB(10), "MISSING", "SCOPE_EXCLUDES_USAGE", "SCOPE_EXCLUDES_USAGE", 155, NOUSE,
	  "app-rg" },
	{ SUB(11), "ATTRIBUTED", "", "", 93, 31, "31.00 of 93.00" },
	{ SUB(12), "MISSING", "ASSIGNMENT_TOO_RECENT", "ASSIGNMENT_TOO_RECENT", 31, NOUSE,
	  "2026-11-03T09:00:00Z" },
	{ SUB(13), "ATTRIBUTED", "", "", 31, 16, "16.00 of 31.00" },
	{ SUB(14), "ATTRIBUTED", "", "ROLE_ELIGIBILITY_UNKNOWN", 31, 31, "write actions" },
	{ SUB(15), "MISSING", "ROLE_NOT_ELIGIBLE", "ROLE_NOT_ELIGIBLE", 31, NOUSE,
	  "Auditor (custom)" },
	{ SUB(16), "ATTRIBUTED", "", "CSP_SUBSCRIPTION", 31, 31, "CSP" },
	{ SUB(17), "ATTRIBUTED", "", "", 31, 31, "management group contoso-mg" },
	{ SUB(18), "ATTRIBUTED", "", "", 31, 31, "Support Request Contributor" },
	{ SUB(19), "UNKNOWN", "COLLECTION_FAILED", "COLLECTION_FAILED", 31, NOUSE,
	  "role_assignments" },
	{ SUB(20), "ATTRIBUTED", "", "ROLE_ELIGIBILITY_UNKNOWN", 31, 31, "could not be read" },
	{ SUB(21), "MISSING", "LINK_WRONG_PARTNER_ID", "LINK_WRONG_PARTNER_ID", 31, NOUSE,
	  "az managementpartner update --partner-id 1234567" },
	{ SUB(22), "MISSING", "NO_LINK", "NO_LINK", 31, NOUSE,
	  "--only-missing-from <this report>`; a CSP partner signed in through its partner access "
	  "(GDAP/AOBO) cannot create the link" },
	{ SUB(23), "ATTRIBUTED", "", "", 31, 31, "other currencies" },
	{ SUB(24), "ATTRIBUTED", "", "", 31, 31, "at root" },
	{ SUB(25), "ATTRIBUTED", "", "", 62, 31, "resource vm1 in vm-rg" },
	{ SUB(26), "UNKNOWN", "USAGE_UNREADABLE", "USAGE_UNREADABLE;CSP_SUBSCRIPTION", NOUSE, NOUSE,
	  "cost visibility policy" },
	{ SUB(27), "ATTRIBUTED", "", "", 31, 31,
	  "Contributor at subscription (principal Unknown: identity not found, a deleted identity "
	  "still holding the role)" },
	{ SUB(28), "ATTRIBUTED", "", "", 201.5, 77.5,
	  "77.50 of 201.50 EUR in 2026-10 counted (only days and resource groups with eligible "
	  "access; single resources: vm1 in vm-rg 77.50)" },
	{ SUB(29), "MISSING", "SCOPE_EXCLUDES_USAGE", "SCOPE_EXCLUDES_USAGE", 93, NOUSE,
	  "holds eligible roles only on resource(s) vm1 in vm-rg, which had no cost in 2026-10" },
	{ SUB(30), "ATTRIBUTED", "", "", 93, 93, "via Lighthouse" },
	{ SUB(31), "MISSING", "NO_RBAC", "NO_RBAC", 93, NOUSE, "just-in-time" },
	{ SUB(32), "ATTRIBUTED", "", "", 124, 31, "lh-rg" },
	{ SUB(33), "ATTRIBUTED", "", "", 31, 31,
	  "(Contributor at subscription via Lighthouse through '9a000000-0000-4000-8000-000000000011' "
	  "(member, verified)): 31.00" },
	{ SUB(34), "MISSING", "ROLE_NOT_ELIGIBLE", "ROLE_NOT_ELIGIBLE", 31, NOUSE,
	  "holds only Reader at resource group ops-rg via Lighthouse through "
	  "'9a000000-0000-4000-8000-000000000013' (member, verified), not eligible" },
	{ SUB(35), "ATTRIBUTED", "", "GROUP_MEMBERSHIP_UNVERIFIED", 31, 31,
	  "(membership inferred)): 31.00 of 31.00 EUR in 2026-10 counted (note: membership of "
	  "'msp-sp' in the Lighthouse group(s) named in the delegation is inferred, not verified: "
	  "Microsoft Graph did not answer checkMemberGroups (forbidden, HTTP 403 "
	  "Authorization_RequestDenied)" },
	{ SUB(40), "UNKNOWN", "COLLECTION_FAILED", "COLLECTION_FAILED", 31, NOUSE,
	  "could not be read" },
	{ SUB(41), "ATTRIBUTED", "", "", 31, 31, "proseware-guest" },
	/* PIM */
	{ SUB(50), "MISSING", "PIM_ELIGIBLE_ONLY", "PIM_ELIGIBLE_ONLY;ROLE_NOT_ELIGIBLE", 31, NOUSE,
	  "only PIM-eligible for Contributor at subscription and was never active in 2026-10 (it "
	  "holds permanently only Reader at subscription)" },
	{ SUB(51), "MISSING", "PIM_ELIGIBLE_ONLY", "PIM_ELIGIBLE_ONLY", 31, NOUSE,
	  "only role assignments active at a time count" },
	{ SUB(52), "ATTRIBUTED", "", "PIM_PARTIAL", 31, 0.5,
	  "the PIM role was active 12.0 of 744 hours of the period (1.6%)" },
	{ SUB(53), "ATTRIBUTED", "", "", 31, 31,
	  "(PIM-activated Contributor at subscription): 31.00 of 31.00" },
	{ SUB(54), "ATTRIBUTED", "", "PIM_UNREADABLE", 31, 31,
	  "PIM could not be read (active, eligible, request: forbidden, HTTP 403 "
	  "AuthorizationFailed): evaluated on role assignments alone" },
};

static void
check_money(const char *what, size_t i, sqlite3_stmt *st, int col, double want)
{
	if (want == NOUSE) {
		if (sqlite3_column_type(st, col) != SQLITE_NULL)
			fail_msg("case %zu: %s should be NULL, got %f", i, what,
				 sqlite3_column_double(st, col));
		return;
	}
	if (sqlite3_column_type(st, col) == SQLITE_NULL ||
	    fabs(sqlite3_column_double(st, col) - want) > 0.001)
		fail_msg("case %zu: %s = %f, want %f", i, what, sqlite3_column_double(st, col), want);
}

static void
test_rules__every_subscription(void **state)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	(void)state;

	assert_int_equal(
		db_prepare(&db,
			   "SELECT subscription_id, status, reason_code, reasons, usage, "
			   "CASE WHEN status = 'ATTRIBUTED' THEN attributed END, explanation "
			   "FROM subscription_status WHERE period = '2026-10' ORDER BY subscription_id",
			   &st, &err),
		0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_true(n < sizeof(sub_cases) / sizeof(sub_cases[0]));
		const struct sub_case *c = &sub_cases[n];
		const char *got[4];
		for (int k = 0; k < 4; k++)
			got[k] = (const char *)sqlite3_column_text(st, k);
		if (strcmp(got[0], c->id) || strcmp(got[1], c->status) || strcmp(got[2], c->code) ||
		    strcmp(got[3], c->reasons))
			fail_msg("case %zu (%s): got %s/%s/%s/[%s], want %s/%s/%s/[%s]", n, c->id,
				 got[0], got[1], got[2], got[3], c->id, c->status, c->code,
				 c->reasons);
		check_money("usage", n, st, 4, c->usage);
		check_money("attributed", n, st, 5, c->attributed);
		if (strstr((const char *)sqlite3_column_text(st, 6), c->explain) == NULL)
			fail_msg("case %zu: explanation [%s] lacks [%s]", n,
				 sqlite3_column_text(st, 6), c->explain);
		n++;
	}
	sqlite3_finalize(st);
	assert_int_equal(n, sizeof(sub_cases) / sizeof(sub_cases[0]));
}

static const struct cust_case {
	const char *tenant;
	const char *name;
	const char *status;
	const char *code;
	int subs, attributed;
	double usage;
} cust_cases[] = {
	{ TEN(01), "Contoso Ltd", "ATTRIBUTED", "", 32, 18, 869 },
	{ TEN(02), "Fabrikam, Inc.", "MISSING", "LINK_WRONG_PARTNER_ID", 1, 0, 0 },
	{ TEN(03), "Northwind (label)", "MISSING", "NO_RBAC", 0, 0, 0 },
	{ TEN(04), "Litware", "UNKNOWN", "COLLECTION_FAILED", 0, 0, 0 },
	{ TEN(05), "Adatum", "MISSING", "NO_LINK", 0, 0, 0 },
	{ TEN(06), "Tailspin", "MISSING", "NO_LINK", 1, 0, 0 },
	{ TEN(07), "Woodgrove", "UNKNOWN", "COLLECTION_FAILED", 1, 0, 0 },
	{ TEN(08), "Proseware", "ATTRIBUTED", "", 1, 1, 31 },
	/* TEN(09) is the managing tenant: no subscriptions of its own, no row. */
	{ TEN(10), "Lighthouse Customer", "ATTRIBUTED", "", 6, 4, 186 },
	/* sign-ins that said the principal is gone, and an expired secret (not gone) */
	{ TEN(11), "Deleted app", "MISSING", "PRINCIPAL_DELETED", 0, 0, 0 },
	{ TEN(12), "disabled.user@example.com", "MISSING", "PRINCIPAL_DISABLED", 0, 0, 0 },
	{ TEN(13), "Expired secret", "UNKNOWN", "COLLECTION_FAILED", 0, 0, 0 },
};

static void
test_rules__customer_rollup(void **state)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	(void)state;

	assert_int_equal(db_prepare(&db,
				    "SELECT tenant_id, customer_name, status, reason_code, subscriptions, "
				    "attributed_subscriptions, attributed_usage FROM customer_status "
				    "WHERE period = '2026-10' ORDER BY tenant_id",
				    &st, &err),
			 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_true(n < sizeof(cust_cases) / sizeof(cust_cases[0]));
		const struct cust_case *c = &cust_cases[n];
		if (strcmp((const char *)sqlite3_column_text(st, 0), c->tenant) ||
		    strcmp((const char *)sqlite3_column_text(st, 1), c->name) ||
		    strcmp((const char *)sqlite3_column_text(st, 2), c->status) ||
		    strcmp((const char *)sqlite3_column_text(st, 3), c->code) ||
		    sqlite3_column_int(st, 4) != c->subs || sqlite3_column_int(st, 5) != c->attributed ||
		    fabs(sqlite3_column_double(st, 6) - c->usage) > 0.001)
			fail_msg("customer %zu: got %s '%s' %s %s %d %d %f", n,
				 sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
				 sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
				 sqlite3_column_int(st, 4), sqlite3_column_int(st, 5),
				 sqlite3_column_double(st, 6));
		n++;
	}
	sqlite3_finalize(st);
	assert_int_equal(n, sizeof(cust_cases) / sizeof(cust_cases[0]));
}

/* Deleted and disabled principals: MISSING with the fix to link another identity; an expired
 * secret stays UNKNOWN with "renew the secret"; reasons name the code. */
static void
test_rules__gone_principals(void **state)
{
	static const struct {
		const char *tenant, *reasons, *fix;
	} cases[] = {
		{ TEN(11), "PRINCIPAL_DELETED",
		  "AADSTS700016: Application with identifier 'c1100000-0000-4000-8000-000000000041' was "
		  "not found in the directory 'Deleted Co'.); the identity that held the link is gone "
		  "(deleted) and attribution through it stops: link another identity with access" },
		{ TEN(12), "PRINCIPAL_DISABLED",
		  "the identity that held the link is gone (disabled) and attribution through it stops: "
		  "link another identity with access (signed in as an identity holding an eligible role "
		  "on the customer's subscriptions, `az managementpartner create --partner-id 1234567`) "
		  "and put it in the accounts file in place of 'disabled.user@example.com', or re-enable "
		  "'disabled.user@example.com'." },
		{ TEN(13), "COLLECTION_FAILED", "; renew the secret of 'Expired secret' (its client secret "
						"has expired" },
	};
	struct err err = ERR_INIT;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sqlite3_stmt *st = NULL;
		assert_int_equal(db_prepare(&db,
					    "SELECT reasons, explanation FROM customer_status "
					    "WHERE period = '2026-10' AND tenant_id = ?",
					    &st, &err),
				 0);
		sqlite3_bind_text(st, 1, cases[i].tenant, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), cases[i].reasons);
		if (strstr((const char *)sqlite3_column_text(st, 1), cases[i].fix) == NULL)
			fail_msg("%s: explanation [%s] lacks [%s]", cases[i].tenant,
				 sqlite3_column_text(st, 1), cases[i].fix);
		sqlite3_finalize(st);
	}
}

static void
test_rules__periods_and_default(void **state)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	char period[16];
	(void)state;

	assert_int_equal(report_default_period(&db, period, sizeof(period), &err), 0);
	assert_string_equal(period, "2026-10");
	/* The older period still reads its own run only. */
	assert_int_equal(db_prepare(&db,
				    "SELECT status, attributed FROM subscription_status "
				    "WHERE period = '2026-09'",
				    &st, &err),
			 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ATTRIBUTED");
	assert_true(fabs(sqlite3_column_double(st, 1) - 30) < 0.001);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void
golden(const char *name)
{
	struct err err = ERR_INIT;
	char out[300], want_path[512];
	const char *why;

	snprintf(out, sizeof(out), "%s.%s.csv", path, name);
	snprintf(want_path, sizeof(want_path), "%s/%s.csv", GOLDEN, name);
	if (report_write_path(&db, report_find(name), "2026-10", out, 0, NULL, &err) < 0)
		fail_msg("report %s: %s", name, err.msg);
	if ((why = test_golden_check(out, want_path)) != NULL)
		fail_msg("report %s: %s", name, why);
}

static void
test_rules__golden_reports(void **state)
{
	(void)state;
	golden("subscriptions");
	golden("customers");
	golden("summary");
}

static void
test_rules__atomic_write_leaves_no_file_on_error(void **state)
{
	struct err err = ERR_INIT;
	char out[300], tmp[310];
	(void)state;

	snprintf(out, sizeof(out), "/nonexistent-dir/%d/x.csv", (int)getpid());
	assert_true(report_write_path(&db, report_find("customers"), "2026-10", out, 0, NULL, &err) <
		    0);
	assert_true(strstr(err.msg, "cannot create") != NULL);
	snprintf(out, sizeof(out), "%s.empty.csv", path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	assert_int_equal(report_write_path(&db, report_find("customers"), "1999-01", out,
					   REPORT_EXCEL, NULL, &err),
			 0);
	assert_int_equal(access(tmp, F_OK), -1);
	char *got = test_slurp(out, NULL);
	assert_non_null(got);
	assert_true(strncmp(got, "\xEF\xBB\xBF\"tenant_id\",", 15) == 0);
	assert_non_null(strstr(got, "\"missing_usage\"\r\n"));
	free(got);
	unlink(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules__every_subscription),
		cmocka_unit_test(test_rules__customer_rollup),
		cmocka_unit_test(test_rules__gone_principals),
		cmocka_unit_test(test_rules__periods_and_default),
		cmocka_unit_test(test_rules__golden_reports),
		cmocka_unit_test(test_rules__atomic_write_leaves_no_file_on_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
