#include "links/audit.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"

#include <stdlib.h>

struct link_audit {
	struct db *db;
	int64_t batch_id;
	sqlite3_stmt *begin, *end;
};

int64_t
link_audit_batch_id(const struct link_audit *a)
{
	return a->batch_id;
}

static void
audit_free(struct link_audit *a)
{
	if (a == NULL)
		return;
	sqlite3_finalize(a->begin);
	sqlite3_finalize(a->end);
	free(a);
}

int
link_audit_begin(struct db *db, const struct link_batch_info *info, struct link_audit **out,
		 struct err *err)
{
	struct link_audit *a = xcalloc(1, sizeof(*a));
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	*out = NULL;
	a->db = db;
	if ((rc = db_prepare(db, "@queries/link_audit_batch_begin.sql", &st, err)) < 0 ||
	    (rc = db_prepare(db, "@queries/link_audit_change_begin.sql", &a->begin, err)) < 0 ||
	    (rc = db_prepare(db, "@queries/link_audit_change_end.sql", &a->end, err)) < 0)
		goto fail;
	now_iso(now, sizeof(now));
	db_bind_text(st, ":command", info->command);
	db_bind_text(st, ":partner_id", info->partner_id);
	db_bind_int(st, ":allow_update", info->allow_update);
	db_bind_text(st, ":only_missing_from", info->only_missing_from);
	db_bind_text(st, ":arm_url", info->arm_url);
	db_bind_text(st, ":started_at", now);
	db_bind_int(st, ":identities", info->identities);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = err_set(err, RC_DB, "cannot start the link audit: %s", db_errmsg(db));
		goto fail;
	}
	a->batch_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	*out = a;
	return 0;
fail:
	sqlite3_finalize(st);
	audit_free(a);
	return rc;
}

int
link_audit_change_begin(struct link_audit *a, const struct link_change_start *c,
			int64_t *change_id, struct err *err)
{
	sqlite3_stmt *st = a->begin;
	char now[32];
	int rc = 0;

	now_iso(now, sizeof(now));
	db_bind_int(st, ":batch_id", a->batch_id);
	db_bind_text(st, ":identity", c->identity);
	db_bind_text(st, ":client_id", c->client_id);
	db_bind_text(st, ":tenant_id", c->tenant_id);
	db_bind_text(st, ":object_id", c->object_id && *c->object_id ? c->object_id : NULL);
	db_bind_text(st, ":operation", c->operation);
	db_bind_text(st, ":method", c->method);
	db_bind_text(st, ":partner_before", c->partner_before);
	db_bind_text(st, ":started_at", now);
	if (sqlite3_step(st) == SQLITE_ROW)
		*change_id = sqlite3_column_int64(st, 0);
	else
		rc = err_set(err, RC_DB, "cannot write the link audit: %s",
			     db_errmsg(a->db));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int
link_audit_change_end(struct link_audit *a, int64_t change_id, const struct link_change_end *e,
		      struct err *err)
{
	sqlite3_stmt *st = a->end;
	char now[32];

	now_iso(now, sizeof(now));
	db_bind_int(st, ":change_id", change_id);
	db_bind_text(st, ":outcome", e->ok ? "ok" : "failed");
	db_bind_text(st, ":partner_after", e->partner_after);
	db_bind_text(st, ":finished_at", now);
	if (e->http_status > 0)
		db_bind_int(st, ":http_status", e->http_status);
	else
		db_bind_text(st, ":http_status", NULL);
	db_bind_text(st, ":request_id", e->request_id && *e->request_id ? e->request_id : NULL);
	db_bind_text(st, ":error_code", e->error_code && *e->error_code ? e->error_code : NULL);
	db_bind_text(st, ":error_message",
		     e->error_message && *e->error_message ? e->error_message : NULL);
	db_bind_text(st, ":explanation", e->explanation && *e->explanation ? e->explanation : NULL);
	int rc = db_step_done(a->db, st, err);
	sqlite3_clear_bindings(st);
	return rc;
}

int
link_audit_end(struct link_audit *a, const char *status, int changed, int failed, struct err *err)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	if (a == NULL)
		return 0;
	rc = db_prepare(a->db, "@queries/link_audit_batch_end.sql", &st, err);
	if (rc == 0) {
		now_iso(now, sizeof(now));
		db_bind_int(st, ":batch_id", a->batch_id);
		db_bind_text(st, ":ended_at", now);
		db_bind_text(st, ":status", status);
		db_bind_int(st, ":changed", changed);
		db_bind_int(st, ":failed", failed);
		rc = db_step_done(a->db, st, err);
	}
	sqlite3_finalize(st);
	audit_free(a);
	return rc;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
link_audit_history(struct db *db, const char *tenant_id, long limit,
		   int (*fn)(const struct link_history_row *row, void *payload), void *payload,
		   struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, s;

	if ((rc = db_prepare(db, "@queries/link_audit_history.sql", &st, err)) < 0)
		return rc;
	db_bind_text(st, ":tenant_id", tenant_id);
	db_bind_int(st, ":limit", limit < 0 ? -1 : limit);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct link_history_row r = {
			.change_id = sqlite3_column_int64(st, 0),
			.batch_id = sqlite3_column_int64(st, 1),
			.command = col_text(st, 2),
			.started_at = col_text(st, 3),
			.finished_at = col_text(st, 4),
			.identity = col_text(st, 5),
			.client_id = col_text(st, 6),
			.tenant_id = col_text(st, 7),
			.object_id = col_text(st, 8),
			.operation = col_text(st, 9),
			.method = col_text(st, 10),
			.partner_before = col_text(st, 11),
			.partner_after = col_text(st, 12),
			.outcome = col_text(st, 13),
			.http_status = (long)sqlite3_column_int64(st, 14),
			.request_id = col_text(st, 15),
			.error_code = col_text(st, 16),
			.error_message = col_text(st, 17),
			.explanation = col_text(st, 18),
		};
		if (fn(&r, payload) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = err_set(err, RC_DB, "cannot read the link audit: %s", db_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}
