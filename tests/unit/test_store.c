/* db/store: a run's records land in their tables; an aborted import leaves nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tempdb.h"
#include "testutil.h"
#include "db/store.h"

static char path[256];

static int
setup(void **state)
{
	(void)state;
	tempdb_path(path, sizeof(path), "store");
	tempdb_remove(path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tempdb_remove(path);
	return 0;
}

static void
test_store__records(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct store *s = NULL;
	const char *pids[] = { "1234567", "1234568" };
	struct run_info ri = { .kind = "collect", .period = "2026-10", .cloud = "public",
			       .arm_url = "https://management.azure.com", .partner_ids = pids,
			       .n_partner_ids = 2 };
	int64_t id = 0;
	(void)state;

	assert_int_equal(db_open(&db, path, DB_CREATE, &err), 0);
	assert_int_equal(store_begin_run(&db, &ri, &s, &err), 0);
	assert_int_equal(store_add_identity(s, "t1", "c1", "Contoso", "secret", 2, &id, &err), 0);
	assert_int_equal(store_emit(s, REC_IDENTITY_OK, id, "oid-1"), 0);

	struct link_rec l = { .linked = true, .partner_id = "1234567", .state = "Active",
			      .http_status = 200, .raw_json = "{}" };
	assert_int_equal(store_emit(s, REC_LINK, id, &l), 0);
	const char *mb[] = { "m1" };
	struct subscription_rec sub = { .subscription_id = "s1", .tenant_id = "t1",
					.state = "Enabled", .quota_id = "PayAsYouGo_2014-09-01",
					.managed_by = mb, .n_managed_by = 1 };
	assert_int_equal(store_emit(s, REC_SUBSCRIPTION, id, &sub), 0);
	struct role_assignment_rec ra = { .subscription_id = "s1", .assignment_id = "a1",
					  .scope = "/subscriptions/s1/resourceGroups/RG",
					  .role_guid = "b24988ac-6180-42a0-ab88-20f7382dd24c",
					  .role_definition_id = "/x/b24988ac-6180-42a0-ab88-20f7382dd24c",
					  .scope_level = "resource_group", .resource_group = "RG" };
	assert_int_equal(store_emit(s, REC_ROLE_ASSIGNMENT, id, &ra), 0);
	struct role_permission_rec perms[] = { { "action", "*/read" }, { "dataAction", "x/write" } };
	struct role_definition_rec rd = { .role_guid = "g", .role_name = "Custom",
					  .role_type = "CustomRole", .perms = perms, .n_perms = 2 };
	assert_int_equal(store_emit(s, REC_ROLE_DEFINITION, 0, &rd), 0);
	struct cost_row_rec c = { .subscription_id = "s1", .usage_date = "2026-10-05",
				  .resource_group = "rg", .cost = 12.25, .currency = "EUR" };
	assert_int_equal(store_emit(s, REC_COST_ROW, id, &c), 0);
	struct cost_status_rec cs = { .subscription_id = "s1", .outcome = COST_OK, .http_status = 200 };
	assert_int_equal(store_emit(s, REC_COST_STATUS, id, &cs), 0);
	struct failure_rec f = { .kind = "lighthouse", .method = "GET", .url = "https://x/y",
				 .http_status = 503, .attempts = 6, .subscription_id = "s1" };
	assert_int_equal(store_emit(s, REC_FAILURE, id, &f), 0);
	/* Signed in is not 'ok': an identity is ok only when every read is done. */
	assert_int_equal(store_checkpoint(s, &err), 0);
	struct read_rec rr = { .kind = "cost", .subscription_id = "s1" };
	assert_int_equal(store_emit(s, REC_READ_DONE, id, &rr), 0);
	struct read_rec rl = { .kind = "link", .subscription_id = NULL };
	assert_int_equal(store_emit(s, REC_READ_DONE, id, &rl), 0);
	assert_int_equal(store_emit(s, REC_READ_DONE, id, &rl), 0); /* twice is once */
	assert_string_equal(test_one(&db, "SELECT status || ' ' || reads_done FROM identity"),
			    "pending 0");
	assert_int_equal(store_emit(s, REC_IDENTITY_DONE, id, NULL), 0);
	assert_int_equal(store_end_run(s, "partial", 42, 3, &err), 0);
	assert_string_equal(test_one(&db, "SELECT group_concat(kind || '/' || subscription_id, ' ') "
				     "FROM (SELECT * FROM identity_read ORDER BY kind)"),
			    "cost/s1 link/");

	assert_string_equal(test_one(&db, "SELECT status || ' ' || identities_total || ' ' || "
				     "identities_failed || ' ' || subscriptions || ' ' || "
				     "role_assignments || ' ' || cost_rows || ' ' || requests || ' ' || "
				     "retries || ' ' || failures FROM run"),
			    "partial 1 1 1 1 1 42 3 1");
	assert_string_equal(test_one(&db, "SELECT group_concat(partner_id) FROM run_partner_id"),
			    "1234567,1234568");
	assert_string_equal(test_one(&db, "SELECT status || object_id || reads_done FROM identity"),
			    "okoid-11");
	assert_string_equal(test_one(&db, "SELECT managing_tenant_id FROM subscription_managed_by"), "m1");
	/* Resource group names compare case-insensitively. */
	assert_string_equal(test_one(&db, "SELECT count(*) FROM role_assignment r JOIN cost_daily c "
				     "ON c.resource_group = r.resource_group"),
			    "1");
	assert_string_equal(test_one(&db, "SELECT count(*) FROM role_permission"), "2");
	assert_string_equal(test_one(&db, "SELECT ended_at IS NOT NULL FROM run"), "1");
	/* The run names its process, so readers can tell it is still being written. */
	char want[32];
	snprintf(want, sizeof(want), "%d 1", (int)getpid());
	assert_string_equal(test_one(&db, "SELECT pid || ' ' || (length(host) > 0) FROM run"), want);
	/* Ending the run built its summaries (what the report views read). */
	assert_string_equal(test_one(&db, "SELECT count(*) FROM run_summary"), "1");
	assert_string_equal(test_one(&db, "SELECT n_access || ' ' || n_eligible || ' ' || covered_rgs || "
				     "' ' || roles FROM pair_summary"),
			    "1 1 RG Contributor at resource group RG");
	assert_string_equal(test_one(&db, "SELECT currency || ' ' || cost || ' ' || n_currencies "
				     "FROM cost_total_summary"),
			    "EUR 12.25 1");
	db_close(&db);
}

static void
test_store__aborted_import_leaves_nothing(void **state)
{
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct store *s = NULL;
	struct run_info ri = { .kind = "import", .period = "2026-10" };
	int64_t id = 0;
	(void)state;

	assert_int_equal(db_open(&db, path, DB_CREATE, &err), 0);
	assert_int_equal(store_begin_run_tx(&db, &ri, &s, &err), 0);
	assert_int_equal(store_add_identity(s, "t1", NULL, "import", "import", 0, &id, &err), 0);
	store_abort(s);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM run"), "0");
	assert_string_equal(test_one(&db, "SELECT count(*) FROM identity"), "0");

	/* A collect run that is aborted keeps its run row, marked running (= incomplete). */
	ri.kind = "collect";
	assert_int_equal(store_begin_run(&db, &ri, &s, &err), 0);
	store_abort(s);
	assert_string_equal(test_one(&db, "SELECT status FROM run"), "running");
	/* A bad period is refused before anything is written. */
	ri.period = "2026-13";
	assert_int_equal(store_begin_run(&db, &ri, &s, &err), RC_USAGE);
	assert_string_equal(test_one(&db, "SELECT count(*) FROM run"), "1");
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store__records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store__aborted_import_leaves_nothing, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
