/*
 * The policy switches (sql/views/11_policy_option.sql, db/policy.c) on the rule fixture
 * (tests/fixtures/report/rules.sql) plus its policy cases (policy.sql: a Marketplace
 * delegation, a run against Azure Government): every value of every switch against the
 * subscriptions and customers reports in tests/golden/policy/ (UPDATE_GOLDEN=1 rewrites them),
 * the rows each value must change, the change log, usage errors, and the summaries rebuilt in
 * the same transaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tempdb.h"
#include "testutil.h"
#include "db/db.h"
#include "db/policy.h"
#include "db/summary.h"
#include "reports/report.h"

#define GOLDEN TEST_FIXTURES "/../golden/policy"
#define SUB(n) "5ub00000-0000-4000-8000-0000000000" #n

static char path[256];
static struct db db = DB_INIT;

static int
load(const char *file)
{
	struct err err = ERR_INIT;
	char *sql = test_slurp(file, NULL);
	int rc = sql ? db_exec(&db, sql, &err) : -1;

	if (rc < 0)
		fprintf(stderr, "fixture %s: %s\n", file, err.msg);
	free(sql);
	return rc;
}

static int
setup(void **state)
{
	struct err err = ERR_INIT;
	(void)state;

	tempdb_path(path, sizeof(path), "policy");
	tempdb_remove(path);
	if (db_open(&db, path, DB_CREATE, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	if (load(TEST_FIXTURES "/report/rules.sql") < 0 ||
	    load(TEST_FIXTURES "/report/policy.sql") < 0)
		return -1;
	if (db_summaries_update(&db, NULL, &err) < 0) {
		fprintf(stderr, "summaries: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_close(&db);
	tempdb_remove(path);
	return 0;
}

static void
set(const char *key, const char *value)
{
	struct err err = ERR_INIT;

	if (db_policy_set(&db, key, value, NULL, NULL, 0, &err) < 0)
		fail_msg("rules set %s %s: %s", key, value, err.msg);
}

static int64_t
count(const char *sql)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	int64_t n;

	assert_int_equal(db_prepare(&db, sql, &st, &err), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
golden(const char *key, const char *value, const char *report)
{
	struct err err = ERR_INIT;
	char out[300], want_path[512];
	const char *why;

	snprintf(out, sizeof(out), "%s.%s-%s.%s.csv", path, key, value, report);
	snprintf(want_path, sizeof(want_path), "%s/%s-%s.%s.csv", GOLDEN, key, value, report);
	if (report_write_path(&db, report_find(report), "2026-10", out, 0, NULL, &err) < 0)
		fail_msg("report %s: %s", report, err.msg);
	if ((why = test_golden_check(out, want_path)) != NULL)
		fail_msg("%s=%s: report %s: %s", key, value, report, why);
}

/* What a value must decide (each switch's other rows are in the golden files). */
static const struct value_case {
	const char *key, *value, *sub, *status, *code, *reasons, *explain;
} cases[] = {
	{ "ea", "pal", SUB(05), "ATTRIBUTED", "", "EA_SUBSCRIPTION", "PAL counts on EA" },
	{ "ea", "dpor", SUB(05), "MISSING", "EA_DPOR_EXPECTED", "EA_DPOR_EXPECTED",
	  "`palscope rules set ea pal`" },
	{ "read_only_roles", "not_eligible", SUB(03), "MISSING", "ROLE_NOT_ELIGIBLE",
	  "ROLE_NOT_ELIGIBLE", "policy read_only_roles=not_eligible" },
	{ "read_only_roles", "count", SUB(03), "ATTRIBUTED", "", "", "Reader at subscription" },
	/* a read-only custom role: read_only_roles=count counts it too (custom_roles default) */
	{ "read_only_roles", "count", SUB(15), "ATTRIBUTED", "", "ROLE_ELIGIBILITY_UNKNOWN",
	  "Auditor (custom)" },
	{ "custom_roles", "write_actions", SUB(14), "ATTRIBUTED", "", "ROLE_ELIGIBILITY_UNKNOWN",
	  "write actions" },
	{ "custom_roles", "write_actions", SUB(15), "MISSING", "ROLE_NOT_ELIGIBLE",
	  "ROLE_NOT_ELIGIBLE", "Auditor (custom)" },
	{ "custom_roles", "count", SUB(15), "ATTRIBUTED", "", "ROLE_ELIGIBILITY_UNKNOWN",
	  "Auditor (custom)" },
	{ "custom_roles", "not_eligible", SUB(14), "MISSING", "ROLE_NOT_ELIGIBLE", "ROLE_NOT_ELIGIBLE",
	  "custom_roles=not_eligible" },
	/* an unreadable role definition is unlisted too */
	{ "custom_roles", "not_eligible", SUB(20), "MISSING", "ROLE_NOT_ELIGIBLE", "ROLE_NOT_ELIGIBLE",
	  "custom_roles=not_eligible" },
	{ "marketplace_lighthouse", "warning", SUB(91), "ATTRIBUTED", "", "MARKETPLACE_OFFER",
	  "recognised through Marketplace, not PAL" },
	{ "marketplace_lighthouse", "warning", SUB(92), "ATTRIBUTED", "", "", "Support Request" },
	{ "marketplace_lighthouse", "blocking", SUB(91), "MISSING", "MARKETPLACE_OFFER",
	  "MARKETPLACE_OFFER", "marketplace_lighthouse=blocking" },
	/* access through a plain delegation as well: PAL counts */
	{ "marketplace_lighthouse", "blocking", SUB(92), "ATTRIBUTED", "", "", "Support Request" },
	{ "sovereign_cloud", "blocking", SUB(90), "MISSING", "CLOUD_NOT_ELIGIBLE",
	  "CLOUD_NOT_ELIGIBLE", "collected in Azure Government (collect --cloud usgov)" },
	{ "sovereign_cloud", "ignore", SUB(90), "ATTRIBUTED", "", "", "155.00 of 155.00 USD" },
};

static void
check_case(const struct value_case *c)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	const char *got[4];

	assert_int_equal(db_prepare(&db,
				    "SELECT status, reason_code, reasons, explanation "
				    "FROM subscription_status WHERE period = '2026-10' "
				    "AND subscription_id = :sub",
				    &st, &err),
			 0);
	db_bind_text(st, ":sub", c->sub);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s=%s: no row for %s", c->key, c->value, c->sub);
	for (int k = 0; k < 4; k++)
		got[k] = (const char *)sqlite3_column_text(st, k);
	if (strcmp(got[0], c->status) || strcmp(got[1], c->code) || strcmp(got[2], c->reasons))
		fail_msg("%s=%s, %s: got %s/%s/[%s], want %s/%s/[%s]", c->key, c->value, c->sub,
			 got[0], got[1], got[2], c->status, c->code, c->reasons);
	if (strstr(got[3], c->explain) == NULL)
		fail_msg("%s=%s, %s: explanation [%s] lacks [%s]", c->key, c->value, c->sub, got[3],
			 c->explain);
	sqlite3_finalize(st);
}

static const char *const defaults[][2] = {
	{ "ea", "pal" }, { "read_only_roles", "not_eligible" }, { "custom_roles", "write_actions" },
	{ "marketplace_lighthouse", "warning" }, { "sovereign_cloud", "blocking" },
};

static void
test_policy__every_value(void **state)
{
	size_t nc = sizeof(cases) / sizeof(cases[0]);
	(void)state;

	for (size_t i = 0; i < nc; i++) {
		const struct value_case *c = &cases[i];
		bool first = i == 0 || strcmp(cases[i - 1].key, c->key) ||
			     strcmp(cases[i - 1].value, c->value);
		if (first) {
			set(c->key, c->value);
			golden(c->key, c->value, "subscriptions");
			golden(c->key, c->value, "customers");
		}
		check_case(c);
		/* back to the defaults before the next switch */
		if (i + 1 == nc || strcmp(cases[i + 1].key, c->key))
			for (size_t d = 0; d < sizeof(defaults) / sizeof(defaults[0]); d++)
				set(defaults[d][0], defaults[d][1]);
	}
	/* the defaults are the first value of each switch: the default golden files again */
	golden("ea", "pal", "subscriptions");
}

static void
test_policy__changes_recorded_and_summaries_rebuilt(void **state)
{
	struct err err = ERR_INIT;
	bool changed = true;
	char old[32];
	int64_t before = count("SELECT count(*) FROM policy_change");
	int64_t runs = count("SELECT count(*) FROM run");
	(void)state;

	/* identity 10's Reader on SUB(03): no eligible grant under the default */
	assert_int_equal(count("SELECT n_eligible FROM pair_summary WHERE identity_id = 10 AND "
			       "subscription_id = '" SUB(03) "'"),
			 0);
	assert_int_equal(db_policy_set(&db, "read_only_roles", "count", &changed, old, sizeof(old),
				       &err),
			 0);
	assert_true(changed);
	assert_string_equal(old, "not_eligible");
	/* rebuilt in the same transaction: every run has current summaries, of the new rules */
	assert_int_equal(count("SELECT count(*) FROM run_summary"), runs);
	assert_int_equal(count("SELECT n_eligible FROM pair_summary WHERE identity_id = 10 AND "
			       "subscription_id = '" SUB(03) "'"),
			 1);
	assert_int_equal(count("SELECT count(*) FROM policy_change"), before + 1);
	assert_int_equal(count("SELECT count(*) FROM policy_change WHERE change_id = "
			       "(SELECT max(change_id) FROM policy_change) AND key = "
			       "'read_only_roles' AND old_value = 'not_eligible' AND new_value = "
			       "'count' AND changed_at LIKE '20__-__-__T__:__:__Z'"),
			 1);
	assert_int_equal(count("SELECT count(*) FROM policy_switch WHERE key = 'read_only_roles' "
			       "AND value = 'count' AND NOT is_default AND changed_at IS NOT NULL"),
			 1);
	/* report summary says which policy it used */
	{
		char out[300];
		char *got;
		snprintf(out, sizeof(out), "%s.summary.csv", path);
		assert_int_equal(report_write_path(&db, report_find("summary"), "2026-10", out, 0,
						   NULL, &err),
				 0);
		got = test_slurp(out, NULL);
		assert_non_null(got);
		assert_non_null(strstr(got, "\"policy\",\"read_only_roles\",,,,\"\",\"count (default "
					    "not_eligible, set 20"));
		assert_non_null(strstr(got, "\"policy\",\"ea\",,,,\"\",\"pal (default)\""));
		free(got);
		unlink(out);
	}
	/* the same value again: nothing written */
	assert_int_equal(db_policy_set(&db, "read_only_roles", "count", &changed, NULL, 0, &err), 0);
	assert_false(changed);
	assert_int_equal(count("SELECT count(*) FROM policy_change"), before + 1);
	set("read_only_roles", "not_eligible");
	assert_int_equal(count("SELECT n_eligible FROM pair_summary WHERE identity_id = 10 AND "
			       "subscription_id = '" SUB(03) "'"),
			 0);
}

static void
test_policy__usage_errors_change_nothing(void **state)
{
	struct err err = ERR_INIT;
	int64_t before = count("SELECT count(*) FROM policy_change");
	(void)state;

	assert_int_equal(db_policy_set(&db, "ea", "maybe", NULL, NULL, 0, &err), RC_USAGE);
	assert_string_equal(err.msg, "switch ea has no value 'maybe' (one of pal|dpor)");
	err = (struct err)ERR_INIT;
	assert_int_equal(db_policy_set(&db, "colour", "red", NULL, NULL, 0, &err), RC_USAGE);
	assert_string_equal(err.msg, "unknown switch 'colour' (one of ea|read_only_roles|"
				     "custom_roles|marketplace_lighthouse|sovereign_cloud)");
	assert_int_equal(count("SELECT count(*) FROM policy_change"), before);
	assert_int_equal(count("SELECT count(*) FROM policy_switch WHERE is_default"), 5);
}

static void
test_policy__every_code_has_a_source(void **state)
{
	(void)state;
	assert_int_equal(count("SELECT count(*) FROM reason_code WHERE code NOT IN "
			       "(SELECT code FROM reason_source)"),
			 0);
	assert_int_equal(count("SELECT count(*) FROM reason_source WHERE confidence NOT IN "
			       "('official', 'microsoft_staff', 'inference')"),
			 0);
	assert_int_equal(count("SELECT count(*) FROM policy_option WHERE confidence NOT IN "
			       "('official', 'microsoft_staff', 'inference')"),
			 0);
	/* each switch one default; every stored key is a switch */
	assert_int_equal(count("SELECT count(*) FROM (SELECT key FROM policy_option GROUP BY key "
			       "HAVING sum(is_default) <> 1)"),
			 0);
	assert_int_equal(count("SELECT count(*) FROM policy WHERE key NOT IN "
			       "(SELECT key FROM policy_option)"),
			 0);
	/* a code whose kind the policy decides */
	assert_int_equal(count("SELECT count(*) FROM reason_code WHERE code = 'MARKETPLACE_OFFER' "
			       "AND kind = 'warning' AND status IS NULL"),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy__every_value),
		cmocka_unit_test(test_policy__changes_recorded_and_summaries_rebuilt),
		cmocka_unit_test(test_policy__usage_errors_change_nothing),
		cmocka_unit_test(test_policy__every_code_has_a_source),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
