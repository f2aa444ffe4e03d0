/*
 * The change causes (sql/views/70-77) on tests/fixtures/diff/diff.sql (gen_diff.py): two runs,
 * 2026-09 and 2026-10, one tenant per cause. The database views compare consecutive periods
 * (diff_pair); diff_prepare (reports/diff.c) evaluates the same views for any pair, here the
 * other way round. Also: the status snapshots are the views evaluated as of their run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixturedb.h"
#include "tempdb.h"
#include "testutil.h"
#include "db/as_of.h"
#include "db/db.h"
#include "db/summary.h"
#include "reports/diff.h"

static char path[256];
static struct db db = DB_INIT;

static int
setup(void **state)
{
	(void)state;
	return fixturedb_open(&db, path, sizeof(path), "diff", TEST_FIXTURES "/diff/diff.sql");
}

static int
teardown(void **state)
{
	(void)state;
	db_close(&db);
	tempdb_remove(path);
	return 0;
}

#define SID(n) "5d1f0000-0000-4000-8000-0000000000" #n

struct cause_case {
	const char *subscription_id;
	const char *cause;
	const char *evidence;	/* a fragment the evidence must hold */
};

/* The cause and evidence of one subscription in subscription_diff (NULL: no row). */
static void
check_subscription(const struct cause_case *c)
{
	sqlite3_stmt *st = NULL;
	struct err err = ERR_INIT;

	assert_int_equal(db_prepare(&db, "SELECT cause, evidence FROM subscription_diff "
					 "WHERE subscription_id = :s", &st, &err), 0);
	db_bind_text(st, ":s", c->subscription_id);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row in subscription_diff (want %s)", c->subscription_id, c->cause);
	const char *cause = (const char *)sqlite3_column_text(st, 0);
	const char *ev = (const char *)sqlite3_column_text(st, 1);
	if (strcmp(cause, c->cause) != 0)
		fail_msg("%s: cause %s, want %s (%s)", c->subscription_id, cause, c->cause, ev);
	if (strstr(ev, c->evidence) == NULL)
		fail_msg("%s: evidence lacks '%s': %s", c->subscription_id, c->evidence, ev);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static const struct cause_case forward[] = {
	{ SID(01), "LINK_REMOVED", "'link-removed' in tenant d1ff0000-0000-4000-8000-000000000001 "
				  "was linked to partner ID 1234567 (since 2025-05-05) in run 1 and is "
				  "not linked in run 2 (GET partners answered 404)" },
	{ SID(02), "ROLE_CHANGED", "'role-changed' held Contributor at subscription on the "
				  "subscription in run 1 (2026-09, 2026-10-02) and holds Reader at "
				  "subscription in run 2 (2026-10, 2026-11-02)" },
	{ SID(03), "SCOPE_CHANGED", "held Contributor at subscription on the subscription in run 1 "
				   "(2026-09, 2026-10-02) and holds Contributor at resource group "
				   "rg-empty" },
	{ SID(04), "ROLE_REMOVED", "the role assignment Contributor at subscription of "
				  "'role-removed' on the subscription was removed between run 1 "
				  "(2026-09, 2026-10-02) and run 2 (2026-10, 2026-11-02) (it still holds "
				  "Reader at subscription)" },
	{ SID(05), "SUBSCRIPTION_DISABLED", "was Enabled in run 1 (2026-09, 2026-10-02) and is "
					   "Disabled in run 2" },
	{ SID(06), "OFFER_CHANGED", "was PayAsYouGo_2014-09-01 in run 1 (2026-09, 2026-10-02) and is "
				   "FreeTrial_2014-09-01 in run 2" },
	{ SID(07), "COST_UNREADABLE_NOW", "(100.00 EUR in 2026-09); in run 2 (2026-10, 2026-11-02) "
					 "the cost query of 'cost-unreadable' failed (HTTP 403 "
					 "RBACAccessDenied The client does not have authorization" },
	{ SID(08), "USAGE_STOPPED", "usage 100.00 EUR in 2026-09 as of run 1 (2026-09, 2026-10-02), "
				   "none (0.00) in 2026-10" },
	{ SID(09), "SUBSCRIPTION_MOVED_TENANT", "moved from tenant d1ff0000-0000-4000-8000-000000000009 "
					       "(Customer moved-from) to tenant "
					       "d1ff0000-0000-4000-8000-000000000010 (Customer "
					       "moved-to)" },
	{ SID(12), "SUBSCRIPTION_GONE", "'gone' saw the subscription in run 1 (2026-09, 2026-10-02) "
				       "and does not see it in run 2" },
	{ SID(13), "IDENTITY_SIGNIN_FAILING", "sign-in as 'signin-failing' to tenant "
					     "d1ff0000-0000-4000-8000-000000000012 worked in run 1 "
					     "(2026-10-02) and fails in run 2 (2026-11-02) with "
					     "AADSTS700016: sign-in failed" },
	{ SID(14), "IDENTITY_NOT_COLLECTED", "'not-collected' (tenant "
					    "d1ff0000-0000-4000-8000-000000000013) was collected in "
					    "run 1" },
	{ SID(15), "LIGHTHOUSE_DELEGATION_REMOVED", "the Lighthouse delegation 'Managed by us' of the "
						   "subscription to tenant "
						   "d1ff0000-0000-4000-8000-000000000014 (Customer "
						   "managing), created 2025-04-04, through which "
						   "'managing' saw it" },
	{ SID(17), "USAGE_STARTED", "no usage (0.00) in 2026-09 as of run 1 (2026-09, 2026-10-02), "
				   "100.00 EUR in 2026-10" },
	{ SID(18), "LINK_CHANGED", "was linked to partner ID 7654321 in run 1 and is linked to "
				  "1234567" },
};

static void
test_diff__each_cause_from_the_stored_data(void **state)
{
	(void)state;
	assert_string_equal(test_one(&db, "SELECT from_run || '>' || to_run || ' ' || from_period || "
					  "'>' || to_period FROM diff_pair"),
			    "1>2 2026-09>2026-10");
	for (size_t i = 0; i < sizeof(forward) / sizeof(forward[0]); i++)
		check_subscription(&forward[i]);
	/* unchanged ones are not listed: 10 (moved-to's own), 11 (gone's other), 16, 19 */
	assert_string_equal(test_one(&db, "SELECT count(*) FROM subscription_diff"), "15");
	assert_string_equal(test_one(&db, "SELECT count(*) FROM subscription_diff WHERE "
					  "subscription_id IN ('" SID(10) "', '" SID(11) "', '" SID(16)
					  "', '" SID(19) "')"),
			    "0");
	/* amounts: attributed usage, 0 when not attributed; the currency */
	assert_string_equal(test_one(&db, "SELECT printf('%.2f %.2f %s', from_attributed_usage, "
					  "to_attributed_usage, currency) FROM subscription_diff "
					  "WHERE subscription_id = '" SID(01) "'"),
			    "100.00 0.00 EUR");
}

static void
test_diff__customers(void **state)
{
	(void)state;
	/* a customer collects its own identities' and its subscriptions' causes */
	assert_string_equal(test_one(&db, "SELECT cause FROM customer_diff WHERE tenant_id = "
					  "'d1ff0000-0000-4000-8000-000000000012'"),
			    "IDENTITY_SIGNIN_FAILING");
	/* a moved subscription counts for both customers */
	assert_string_equal(test_one(&db, "SELECT group_concat(cause, ',') FROM (SELECT cause FROM "
					  "customer_diff WHERE tenant_id IN "
					  "('d1ff0000-0000-4000-8000-000000000009', "
					  "'d1ff0000-0000-4000-8000-000000000010') ORDER BY tenant_id)"),
			    "SUBSCRIPTION_MOVED_TENANT,SUBSCRIPTION_MOVED_TENANT");
	/* the subscription's evidence says which subscription */
	assert_non_null(strstr(test_one(&db, "SELECT evidence FROM customer_diff WHERE tenant_id = "
					     "'d1ff0000-0000-4000-8000-000000000004'"),
			       "'Subscription 4' (" SID(04) "): the role assignment"));
	/* the delegating customer, with no identity of its own */
	assert_string_equal(test_one(&db, "SELECT customer_name || ' ' || cause FROM customer_diff "
					  "WHERE tenant_id = 'd1ff0000-0000-4000-8000-000000000040'"),
			    "Delegating Ltd LIGHTHOUSE_DELEGATION_REMOVED");
	assert_string_equal(test_one(&db, "SELECT count(*) FROM customer_diff WHERE tenant_id = "
					  "'d1ff0000-0000-4000-8000-000000000017'"),
			    "0");
}

static const struct cause_case backward[] = {
	{ SID(01), "LINK_ADDED", "was not linked in run 2 and is linked to partner ID 1234567" },
	{ SID(02), "ROLE_CHANGED", "held Reader at subscription on the subscription in run 2" },
	{ SID(04), "ROLE_ADDED", "'role-removed' holds Contributor at subscription on the "
				"subscription in run 1" },
	{ SID(05), "SUBSCRIPTION_ENABLED", "was Disabled in run 2 (2026-10, 2026-11-02) and is "
					  "Enabled in run 1" },
	{ SID(07), "COST_READABLE_NOW", "the cost could not be read in run 2" },
	{ SID(08), "USAGE_STARTED", "100.00 EUR in 2026-09" },
	{ SID(13), "IDENTITY_SIGNIN_WORKING", "failed in run 2 (sign-in failed: HTTP 400 "
					     "unauthorized_client: AADSTS700016" },
	{ SID(14), "IDENTITY_NEWLY_COLLECTED", "was not collected in run 2" },
	{ SID(15), "LIGHTHOUSE_DELEGATION_ADDED", "the Lighthouse delegation 'Managed by us'" },
	{ SID(17), "USAGE_STOPPED", "none (0.00) in 2026-09" },
};

static void
test_diff__any_pair_either_way(void **state)
{
	struct err err = ERR_INIT;
	(void)state;

	assert_int_equal(diff_prepare(&db, 2, 1, &err), 0);
	for (size_t i = 0; i < sizeof(backward) / sizeof(backward[0]); i++)
		check_subscription(&backward[i]);
	assert_string_equal(test_one(&db, "SELECT min(from_run) || max(to_run) FROM subscription_diff"),
			    "21");
	assert_int_equal(db_as_of_clear(&db, &err), 0);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM temp.sqlite_schema"), "0");
	assert_string_equal(test_one(&db, "SELECT from_run FROM subscription_diff LIMIT 1"), "1");
}

static void
test_diff__resolve(void **state)
{
	struct err err = ERR_INIT;
	int64_t run = 0;
	char period[8];
	(void)state;

	assert_int_equal(diff_resolve(&db, "--to", NULL, 0, &run, period, &err), 0);
	assert_int_equal(run, 2);
	assert_string_equal(period, "2026-10");
	assert_int_equal(diff_resolve(&db, "--from", NULL, 2, &run, period, &err), 0);
	assert_int_equal(run, 1);
	assert_int_equal(diff_resolve(&db, "--from", "2026-09", 0, &run, NULL, &err), 0);
	assert_int_equal(run, 1);
	assert_int_equal(diff_resolve(&db, "--from", NULL, 1, &run, NULL, &err), RC_NOTFOUND);
	assert_non_null(strstr(err.msg, "no complete run before the other run"));
	assert_int_equal(diff_resolve(&db, "--from", "7", 0, &run, NULL, &err), RC_NOTFOUND);
	assert_int_equal(diff_resolve(&db, "--from", "2026-9", 0, &run, NULL, &err), RC_USAGE);
}

static void
test_diff__snapshots_are_the_views_as_of_their_run(void **state)
{
	struct err err = ERR_INIT;
	char want[512];
	(void)state;

	/* as of run 1, the views give exactly run 1's snapshot */
	assert_int_equal(db_as_of_run(&db, 1, NULL, 0, &err), 0);
	snprintf(want, sizeof(want), "%s",
		 test_one(&db, "SELECT count(*) || ' ' || group_concat(status || reason_code, ',') FROM "
			       "(SELECT status, reason_code FROM subscription_status WHERE period = "
			       "'2026-09' ORDER BY subscription_id)"));
	assert_int_equal(db_as_of_clear(&db, &err), 0);
	assert_string_equal(test_one(&db, "SELECT count(*) || ' ' || group_concat(status || reason_code, "
					  "',') FROM (SELECT status, reason_code FROM "
					  "subscription_snapshot WHERE run_id = 1 ORDER BY "
					  "subscription_id)"),
			    want);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM snapshot_built"), "2");
	/* the snapshots go with their run (db prune) */
	assert_int_equal(db_exec(&db, "BEGIN; DELETE FROM run WHERE run_id = 1", &err), 0);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM subscription_snapshot WHERE run_id = 1"),
			    "0");
	assert_int_equal(db_exec(&db, "ROLLBACK", &err), 0);
}

/*
 * Narrowed to one period (what the period reports, why and reconcile do: db_as_of_period), the
 * views give that period's rows exactly as the database's own views do, and no other period's.
 */
static void
test_diff__one_period_is_the_views_of_that_period(void **state)
{
	/* each query: before the period, after it */
	static const char *const q[][2] = {
		{ "SELECT count(*) || ' ' || group_concat(tenant_id || status || reason_code || "
		  "coalesce(usage, '-') || explanation, ',') FROM (SELECT * FROM customer_status "
		  "WHERE period = '", "' ORDER BY tenant_id)" },
		{ "SELECT count(*) || ' ' || group_concat(subscription_id || status || reasons || "
		  "coalesce(attributed, '-') || explanation, ',') FROM (SELECT * FROM "
		  "subscription_status WHERE period = '", "' ORDER BY subscription_id)" },
		{ "SELECT count(*) || ' ' || group_concat(identity_id || status || ord, ',') FROM "
		  "(SELECT * FROM identity_status WHERE period = '", "' ORDER BY identity_id)" },
	};
	static const char *const periods[] = { "2026-09", "2026-10" };
	struct err err = ERR_INIT;
	char sql[512], want[3][8192];
	(void)state;

	for (size_t p = 0; p < 2; p++) {
		for (size_t i = 0; i < 3; i++) {
			snprintf(sql, sizeof(sql), "%s%s%s", q[i][0], periods[p], q[i][1]);
			snprintf(want[i], sizeof(want[i]), "%s", test_one(&db, sql));
			assert_true(strlen(want[i]) > 10);
		}
		assert_int_equal(db_as_of_period(&db, periods[p], &err), 0);
		for (size_t i = 0; i < 3; i++) {
			snprintf(sql, sizeof(sql), "%s%s%s", q[i][0], periods[p], q[i][1]);
			assert_string_equal(test_one(&db, sql), want[i]);
		}
		/* the other period's runs are not evaluated at all */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM effective_identity WHERE period <> '%s'",
			 periods[p]);
		assert_string_equal(test_one(&db, sql), "0");
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM customer_status WHERE period <> '%s'",
			 periods[p]);
		assert_string_equal(test_one(&db, sql), "0");
		assert_int_equal(db_as_of_clear(&db, &err), 0);
	}
	/* a period without runs: no rows, no error */
	assert_int_equal(db_as_of_period(&db, "2020-01", &err), 0);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM customer_status"), "0");
	assert_int_equal(db_as_of_clear(&db, &err), 0);
	assert_true(atoi(test_one(&db, "SELECT count(DISTINCT period) FROM customer_status")) == 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff__each_cause_from_the_stored_data),
		cmocka_unit_test(test_diff__customers),
		cmocka_unit_test(test_diff__any_pair_either_way),
		cmocka_unit_test(test_diff__resolve),
		cmocka_unit_test(test_diff__snapshots_are_the_views_as_of_their_run),
		cmocka_unit_test(test_diff__one_period_is_the_views_of_that_period),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
