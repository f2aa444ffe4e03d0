/* links/audit: the link change log in a fresh database. */
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
#include "db/db.h"
#include "links/audit.h"

struct rows {
	int n;
	char outcome[8][16];
	char after[8][16];
	long status[8];
};

static int
collect_row(const struct link_history_row *r, void *payload)
{
	struct rows *rs = payload;

	if (rs->n < 8) {
		snprintf(rs->outcome[rs->n], 16, "%s", r->outcome);
		snprintf(rs->after[rs->n], 16, "%s", r->partner_after ? r->partner_after : "-");
		rs->status[rs->n] = r->http_status;
	}
	rs->n++;
	return 0;
}

static void
test_link_audit__log(void **state)
{
	char path[256];
	struct db db = DB_INIT;
	struct err err = ERR_INIT;
	struct link_audit *a = NULL;
	int64_t c1 = 0, c2 = 0, c3 = 0;

	(void)state;
	tempdb_path(path, sizeof(path), "link-audit");
	tempdb_remove(path);
	assert_int_equal(db_open(&db, path, DB_CREATE, &err), 0);
	struct link_batch_info bi = { .command = "apply", .partner_id = "1234567",
				      .allow_update = true, .arm_url = "http://127.0.0.1:1",
				      .identities = 3 };
	assert_int_equal(link_audit_begin(&db, &bi, &a, &err), 0);
	assert_true(link_audit_batch_id(a) > 0);

	struct link_change_start s = { .identity = "alpha", .client_id = "c1",
				       .tenant_id = "a0000001-0000-4000-8000-000000000000",
				       .object_id = "o1", .operation = "create", .method = "PUT" };
	assert_int_equal(link_audit_change_begin(a, &s, &c1, &err), 0);
	s.identity = "bravo";
	s.operation = "update";
	s.method = "PATCH";
	s.partner_before = "7654321";
	s.tenant_id = "a0000002-0000-4000-8000-000000000000";
	assert_int_equal(link_audit_change_begin(a, &s, &c2, &err), 0);
	s.identity = "charlie";
	s.tenant_id = "a0000003-0000-4000-8000-000000000000";
	assert_int_equal(link_audit_change_begin(a, &s, &c3, &err), 0);
	assert_true(c1 < c2 && c2 < c3);

	struct link_change_end ok = { .ok = true, .partner_after = "1234567", .http_status = 200,
				      .request_id = "rid-1" };
	assert_int_equal(link_audit_change_end(a, c1, &ok, &err), 0);
	struct link_change_end bad = { .ok = false, .partner_after = "7654321",
				       .http_status = 400, .error_code = "BadRequest",
				       .error_message = "nope", .explanation = "plain words" };
	assert_int_equal(link_audit_change_end(a, c2, &bad, &err), 0);
	/* A finished change is never rewritten. */
	assert_int_equal(link_audit_change_end(a, c1, &bad, &err), 0);
	/* c3 stays pending (an interrupted change). */
	assert_int_equal(link_audit_end(a, "partial", 1, 1, &err), 0);

	struct rows rs = { 0 };
	assert_int_equal(link_audit_history(&db, NULL, -1, collect_row, &rs, &err), 0);
	assert_int_equal(rs.n, 3);
	assert_string_equal(rs.outcome[0], "ok");
	assert_string_equal(rs.after[0], "1234567");
	assert_int_equal(rs.status[0], 200);
	assert_string_equal(rs.outcome[1], "failed");
	assert_int_equal(rs.status[1], 400);
	assert_string_equal(rs.outcome[2], "pending");
	assert_int_equal(rs.status[2], 0);

	memset(&rs, 0, sizeof(rs));
	assert_int_equal(link_audit_history(&db, "A0000002-0000-4000-8000-000000000000", -1,
					    collect_row, &rs, &err),
			 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.outcome[0], "failed");

	memset(&rs, 0, sizeof(rs));
	assert_int_equal(link_audit_history(&db, NULL, 2, collect_row, &rs, &err), 0);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.outcome[0], "failed"); /* the newest two, oldest first */
	assert_string_equal(rs.outcome[1], "pending");

	sqlite3_stmt *st = NULL;
	assert_int_equal(db_prepare(&db, "SELECT status, changed, failed FROM link_batch", &st,
				    &err),
			 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "partial");
	assert_int_equal(sqlite3_column_int(st, 1), 1);
	sqlite3_finalize(st);
	db_close(&db);
	tempdb_remove(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_audit__log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
