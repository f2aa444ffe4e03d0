#include "db/store.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/sql_embed.h"
#include "db/summary.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum stmt_id {
	ST_IDENTITY_INSERT,
	ST_IDENTITY_OK,
	ST_IDENTITY_FAILED,
	ST_LINK,
	ST_TENANT,
	ST_SUBSCRIPTION,
	ST_MANAGED_BY,
	ST_ROLE_ASSIGNMENT,
	ST_ROLE_DEFINITION,
	ST_ROLE_PERMISSION,
	ST_LIGHTHOUSE,
	ST_LIGHTHOUSE_AUTH,
	ST_COST_STATUS,
	ST_COST,
	ST_FAILURE,
	ST_IDENTITY_DONE,
	ST_READ_DONE,
	ST_PIM,
	ST_PIM_STATUS,
	ST_GROUP_CHECK,
	ST_COST_RESOURCE,
	ST_COST_RESOURCE_STATUS,
	ST__COUNT
};

static const char *const stmt_files[ST__COUNT] = {
	"@queries/identity_insert.sql",	   "@queries/identity_ok.sql",
	"@queries/identity_failed.sql",	   "@queries/link_insert.sql",
	"@queries/tenant_insert.sql",	   "@queries/subscription_insert.sql",
	"@queries/managed_by_insert.sql",  "@queries/role_assignment_insert.sql",
	"@queries/role_definition_insert.sql", "@queries/role_permission_insert.sql",
	"@queries/lighthouse_insert.sql",  "@queries/lighthouse_auth_insert.sql",
	"@queries/cost_status_insert.sql", "@queries/cost_insert.sql",
	"@queries/failure_insert.sql",	   "@queries/identity_done.sql",
	"@queries/read_done.sql",	   "@queries/pim_insert.sql",
	"@queries/pim_status_insert.sql",  "@queries/group_check_insert.sql",
	"@queries/cost_resource_insert.sql", "@queries/cost_resource_status_insert.sql",
};

static const char *const read_outcome_names[] = { "ok", "forbidden", "failed" };
static const char *const cost_outcome_names[] = { "ok", "no_cost", "unreadable" };

/*
 * Cost rows are by far the most numerous (a row per day and resource group):
 * they are inserted COST_BATCH at a time, which saves the per-statement work
 * of SQLite. Rows wait in this buffer until it is full, or until a commit.
 */
#define COST_BATCH 64

struct cost_buf_row {
	int64_t identity;
	char sub[40];
	char date[11];
	char rg[96];
	char cur[16];
	double cost;
};

struct store {
	struct db *db;
	int64_t run_id;
	sqlite3_stmt *st[ST__COUNT];
	int64_t last_commit;
	bool checkpoints;	/* commit as it goes (collect); false: one transaction (import) */
	int cost_idx[7];	/* parameter positions of the hot cost insert */
	unsigned emits;		/* records so far; the clock is read every 32 */
	sqlite3_stmt *cost_batch; /* COST_BATCH rows per statement */
	struct cost_buf_row *cb; /* cost rows waiting for the batch */
	int cb_n;
	struct err err;
};

int64_t
store_run_id(const struct store *s)
{
	return s->run_id;
}

const struct err *
store_last_error(const struct store *s)
{
	return &s->err;
}

static void
store_free(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_finalize(s->cost_batch);
	free(s->cb);
	free(s);
}

/*
 * The batch statement is queries/cost_insert.sql's INSERT with its VALUES
 * tuple repeated COST_BATCH times as positional parameters (no data in the
 * text). Its columns are bound in the order the single statement names them.
 */
static int
prepare_cost_batch(struct store *s, struct err *err)
{
	const char *one = sql_get("queries/cost_insert.sql");
	const char *values = strstr(one, "VALUES");
	struct buf b = BUF_INIT;
	int rc;

	if (values == NULL)
		return err_set(err, RC_DB, "queries/cost_insert.sql has no VALUES clause");
	for (int i = 0; i < 7; i++)
		if (s->cost_idx[i] != i + 1) /* the tuple must list the columns in this order */
			return err_set(err, RC_DB, "queries/cost_insert.sql: parameter %d out of order", i + 1);
	buf_add(&b, one, (size_t)(values - one) + strlen("VALUES"));
	for (int i = 0; i < COST_BATCH; i++)
		buf_adds(&b, i ? ",(?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?)");
	rc = db_prepare(s->db, buf_cstr(&b), &s->cost_batch, err);
	buf_release(&b);
	s->cb = xcalloc(COST_BATCH, sizeof(*s->cb));
	return rc;
}

static void
bind_cost(struct store *s, sqlite3_stmt *st, int base, int64_t identity, const char *sub,
	  const char *date, const char *rg, double cost, const char *cur)
{
	/* Text is bound without a copy: it lives until the statement has run. */
	sqlite3_bind_int64(st, base + 1, s->run_id);
	sqlite3_bind_int64(st, base + 2, identity);
	sqlite3_bind_text(st, base + 3, sub, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 4, date, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 5, rg, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, base + 6, cost);
	sqlite3_bind_text(st, base + 7, cur, -1, SQLITE_STATIC);
}

static int
run_cost(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return err_set(&s->err, RC_DB, "cannot store cost: %s", db_errmsg(s->db));
	return 0;
}

/* Insert the buffered cost rows: one batch statement when full, else one by one. */
static int
flush_cost(struct store *s)
{
	int rc = 0, n = s->cb_n;

	s->cb_n = 0;
	if (n == COST_BATCH) {
		for (int i = 0; i < n; i++) {
			const struct cost_buf_row *r = &s->cb[i];
			bind_cost(s, s->cost_batch, 7 * i, r->identity, r->sub, r->date, r->rg,
				  r->cost, r->cur);
		}
		return run_cost(s, s->cost_batch);
	}
	for (int i = 0; i < n && rc == 0; i++) {
		const struct cost_buf_row *r = &s->cb[i];
		bind_cost(s, s->st[ST_COST], 0, r->identity, r->sub, r->date, r->rg, r->cost,
			  r->cur);
		rc = run_cost(s, s->st[ST_COST]);
	}
	return rc;
}

static int
add_cost(struct store *s, int64_t id, const struct cost_row_rec *r)
{
	const char *rg = r->resource_group ? r->resource_group : "";
	const char *cur = r->currency ? r->currency : "";
	struct cost_buf_row *b;

	if (strlen(r->subscription_id) >= sizeof(b->sub) || strlen(rg) >= sizeof(b->rg) ||
	    strlen(cur) >= sizeof(b->cur)) {
		/* Too long for the buffer (never for real Azure names): insert it now. */
		int rc = flush_cost(s);
		if (rc == 0) {
			bind_cost(s, s->st[ST_COST], 0, id, r->subscription_id, r->usage_date, rg,
				  r->cost, cur);
			rc = run_cost(s, s->st[ST_COST]);
		}
		return rc;
	}
	b = &s->cb[s->cb_n++];
	b->identity = id;
	memcpy(b->sub, r->subscription_id, strlen(r->subscription_id) + 1);
	memcpy(b->date, r->usage_date, sizeof(b->date));
	memcpy(b->rg, rg, strlen(rg) + 1);
	memcpy(b->cur, cur, strlen(cur) + 1);
	b->cost = r->cost;
	return s->cb_n == COST_BATCH ? flush_cost(s) : 0;
}

static int
begin_run(struct db *db, const struct run_info *info, bool commit_run, struct store **out,
	  struct err *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;
	char first[11], last[11], now[32], host[256];
	int rc;

	*out = NULL;
	s->db = db;
	if (!period_parse(info->period, first, last)) {
		rc = err_set(err, RC_USAGE, "bad period '%s' (expected YYYY-MM)", info->period);
		goto fail;
	}
	now_iso(now, sizeof(now));
	if ((rc = db_begin(db, err)) < 0)
		goto fail;
	if ((rc = db_prepare(db, "@queries/run_begin.sql", &st, err)) < 0)
		goto fail_rollback;
	db_bind_text(st, ":kind", info->kind);
	db_bind_text(st, ":started_at", now);
	db_bind_text(st, ":period", info->period);
	db_bind_text(st, ":period_start", first);
	db_bind_text(st, ":period_end", last);
	db_bind_text(st, ":cloud", info->cloud ? info->cloud : "public");
	db_bind_text(st, ":arm_url", info->arm_url ? info->arm_url : "");
	db_bind_int(st, ":pid", (int64_t)getpid());
	db_bind_text(st, ":host", host_name(host, sizeof(host)));
	db_bind_int(st, ":partial_period", info->partial_period ? 1 : 0);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = err_set(err, RC_DB, "cannot start a run: %s", db_errmsg(db));
		goto fail_rollback;
	}
	s->run_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = db_prepare(db, "@queries/run_partner_id.sql", &st, err)) < 0)
		goto fail_rollback;
	for (size_t i = 0; i < info->n_partner_ids; i++) {
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_text(st, ":partner_id", info->partner_ids[i]);
		if ((rc = db_step_done(db, st, err)) < 0)
			goto fail_rollback;
	}
	sqlite3_finalize(st);
	st = NULL;
	for (int i = 0; i < ST__COUNT; i++)
		if ((rc = db_prepare(db, stmt_files[i], &s->st[i], err)) < 0)
			goto fail_rollback;
	/* The run row is committed on its own: a crash later still shows the run. */
	if (commit_run && ((rc = db_commit(db, err)) < 0 || (rc = db_begin(db, err)) < 0))
		goto fail_rollback;
	s->last_commit = now_ms();
	s->checkpoints = commit_run;
	static const char *const cost_params[7] = { ":run_id", ":identity_id", ":subscription_id",
						     ":usage_date", ":resource_group", ":cost",
						     ":currency" };
	for (int i = 0; i < 7; i++)
		s->cost_idx[i] = sqlite3_bind_parameter_index(s->st[ST_COST], cost_params[i]);
	if ((rc = prepare_cost_batch(s, err)) < 0)
		goto fail;
	*out = s;
	return 0;

fail_rollback:
	db_rollback(db);
fail:
	sqlite3_finalize(st);
	store_free(s);
	return rc;
}

int
store_begin_run(struct db *db, const struct run_info *info, struct store **out, struct err *err)
{
	return begin_run(db, info, true, out, err);
}

int
store_begin_run_tx(struct db *db, const struct run_info *info, struct store **out,
		   struct err *err)
{
	return begin_run(db, info, false, out, err);
}

int
store_add_identity(struct store *s, const char *tenant_id, const char *client_id,
		   const char *label, const char *auth_kind, int source_line, int64_t *out,
		   struct err *err)
{
	return store_add_user_identity(s, tenant_id, client_id, label, auth_kind, NULL,
				       source_line, out, err);
}

int
store_add_user_identity(struct store *s, const char *tenant_id, const char *client_id,
			const char *label, const char *auth_kind, const char *upn,
			int source_line, int64_t *out, struct err *err)
{
	sqlite3_stmt *st = s->st[ST_IDENTITY_INSERT];

	db_bind_int(st, ":run_id", s->run_id);
	db_bind_text(st, ":tenant_id", tenant_id);
	db_bind_text(st, ":client_id", client_id);
	db_bind_text(st, ":label", label);
	db_bind_text(st, ":auth_kind", auth_kind);
	db_bind_text(st, ":upn", upn);
	if (source_line > 0)
		db_bind_int(st, ":source_line", source_line);
	else
		db_bind_text(st, ":source_line", NULL);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW)
		return err_set(err, RC_DB, "cannot store identity: %s", db_errmsg(s->db));
	return 0;
}

static int
step(struct store *s, sqlite3_stmt *st)
{
	return db_step_done(s->db, st, &s->err);
}

static int
emit_link(struct store *s, int64_t id, const struct link_rec *r)
{
	sqlite3_stmt *st = s->st[ST_LINK];

	db_bind_int(st, ":identity_id", id);
	db_bind_int(st, ":run_id", s->run_id);
	db_bind_int(st, ":linked", r->linked);
	db_bind_text(st, ":partner_id", r->partner_id);
	db_bind_text(st, ":partner_name", r->partner_name);
	db_bind_text(st, ":tenant_id", r->tenant_id);
	db_bind_text(st, ":object_id", r->object_id);
	db_bind_text(st, ":state", r->state);
	db_bind_text(st, ":created_time", r->created_time);
	db_bind_text(st, ":updated_time", r->updated_time);
	db_bind_int(st, ":http_status", r->http_status);
	db_bind_text(st, ":raw_json", r->raw_json);
	return step(s, st);
}

static int
emit_subscription(struct store *s, int64_t id, const struct subscription_rec *r)
{
	sqlite3_stmt *st = s->st[ST_SUBSCRIPTION];
	int rc;

	db_bind_int(st, ":run_id", s->run_id);
	db_bind_int(st, ":identity_id", id);
	db_bind_text(st, ":subscription_id", r->subscription_id);
	db_bind_text(st, ":display_name", r->display_name);
	db_bind_text(st, ":tenant_id", r->tenant_id);
	db_bind_text(st, ":state", r->state);
	db_bind_text(st, ":quota_id", r->quota_id);
	db_bind_text(st, ":spending_limit", r->spending_limit);
	db_bind_text(st, ":location_placement_id", r->location_placement_id);
	db_bind_text(st, ":authorization_source", r->authorization_source);
	if ((rc = step(s, st)) < 0)
		return rc;
	st = s->st[ST_MANAGED_BY];
	for (size_t i = 0; i < r->n_managed_by; i++) {
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":subscription_id", r->subscription_id);
		db_bind_text(st, ":managing_tenant_id", r->managed_by[i]);
		if ((rc = step(s, st)) < 0)
			return rc;
	}
	return 0;
}

static int
emit_role_definition(struct store *s, const struct role_definition_rec *r)
{
	sqlite3_stmt *st = s->st[ST_ROLE_DEFINITION];
	int rc;

	db_bind_int(st, ":run_id", s->run_id);
	db_bind_text(st, ":role_guid", r->role_guid);
	db_bind_text(st, ":role_name", r->role_name);
	db_bind_text(st, ":role_type", r->role_type);
	db_bind_text(st, ":description", r->description);
	if ((rc = step(s, st)) < 0)
		return rc;
	st = s->st[ST_ROLE_PERMISSION];
	for (size_t i = 0; i < r->n_perms; i++) {
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_text(st, ":role_guid", r->role_guid);
		db_bind_text(st, ":kind", r->perms[i].kind);
		db_bind_text(st, ":pattern", r->perms[i].pattern);
		if ((rc = step(s, st)) < 0)
			return rc;
	}
	return 0;
}

static int
emit_lighthouse(struct store *s, int64_t id, const struct lighthouse_rec *r)
{
	sqlite3_stmt *st = s->st[ST_LIGHTHOUSE];
	int rc;

	db_bind_int(st, ":run_id", s->run_id);
	db_bind_int(st, ":identity_id", id);
	db_bind_text(st, ":subscription_id", r->subscription_id);
	db_bind_text(st, ":assignment_id", r->assignment_id);
	db_bind_text(st, ":registration_definition_id", r->registration_definition_id);
	db_bind_text(st, ":definition_name", r->definition_name);
	db_bind_text(st, ":managed_by_tenant_id", r->managed_by_tenant_id);
	db_bind_text(st, ":managed_by_tenant_name", r->managed_by_tenant_name);
	db_bind_text(st, ":managee_tenant_id", r->managee_tenant_id);
	db_bind_text(st, ":managee_tenant_name", r->managee_tenant_name);
	db_bind_text(st, ":provisioning_state", r->provisioning_state);
	db_bind_text(st, ":plan_name", r->plan_name);
	db_bind_text(st, ":plan_publisher", r->plan_publisher);
	db_bind_text(st, ":created_at", r->created_at);
	if ((rc = step(s, st)) < 0)
		return rc;
	st = s->st[ST_LIGHTHOUSE_AUTH];
	for (size_t i = 0; i < r->n_auths; i++) {
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":subscription_id", r->subscription_id);
		db_bind_text(st, ":assignment_id", r->assignment_id);
		db_bind_text(st, ":principal_id", r->auths[i].principal_id);
		db_bind_text(st, ":principal_name", r->auths[i].principal_name);
		db_bind_text(st, ":role_guid", r->auths[i].role_guid);
		db_bind_int(st, ":eligible", r->auths[i].eligible);
		if ((rc = step(s, st)) < 0)
			return rc;
	}
	return 0;
}

static int
emit_pim(struct store *s, int64_t id, const struct pim_rec *r)
{
	sqlite3_stmt *st = s->st[ST_PIM];

	db_bind_int(st, ":run_id", s->run_id);
	db_bind_int(st, ":identity_id", id);
	db_bind_text(st, ":subscription_id", r->subscription_id);
	db_bind_text(st, ":kind", r->kind);
	db_bind_text(st, ":item_id", r->item_id);
	db_bind_text(st, ":scope", r->scope);
	db_bind_text(st, ":scope_level", r->scope_level);
	db_bind_text(st, ":resource_group", r->resource_group);
	db_bind_text(st, ":role_guid", r->role_guid);
	db_bind_text(st, ":principal_id", r->principal_id);
	db_bind_text(st, ":principal_type", r->principal_type);
	db_bind_text(st, ":member_type", r->member_type);
	db_bind_text(st, ":assignment_type", r->assignment_type);
	db_bind_text(st, ":request_type", r->request_type);
	db_bind_text(st, ":status", r->status);
	db_bind_text(st, ":start_time", r->start_time);
	db_bind_text(st, ":end_time", r->end_time);
	db_bind_text(st, ":eligibility_id", r->eligibility_id);
	db_bind_text(st, ":created_on", r->created_on);
	return step(s, st);
}

static int store_emit_one(struct store *s, enum rec_type type, int64_t id, const void *rec);

int
store_emit(void *payload, enum rec_type type, int64_t id, const void *rec)
{
	struct store *s = payload;
	int rc = store_emit_one(s, type, id, rec);

	/* Commit every ~250 ms so an interrupted run keeps what it had read. */
	if (rc == 0 && (++s->emits & 31) == 0)
		rc = store_checkpoint(s, &s->err);
	return rc;
}

static int
store_emit_one(struct store *s, enum rec_type type, int64_t id, const void *rec)
{
	sqlite3_stmt *st;

	switch (type) {
	case REC_IDENTITY_OK:
		st = s->st[ST_IDENTITY_OK];
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":object_id", rec);
		return step(s, st);
	case REC_IDENTITY_FAILED:
		st = s->st[ST_IDENTITY_FAILED];
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":error", rec);
		return step(s, st);
	case REC_IDENTITY_DONE:
		st = s->st[ST_IDENTITY_DONE];
		db_bind_int(st, ":identity_id", id);
		return step(s, st);
	case REC_READ_DONE: {
		const struct read_rec *r = rec;
		st = s->st[ST_READ_DONE];
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":kind", r->kind);
		db_bind_text(st, ":subscription_id", r->subscription_id);
		return step(s, st);
	}
	case REC_LINK:
		return emit_link(s, id, rec);
	case REC_TENANT: {
		const struct tenant_rec *r = rec;
		st = s->st[ST_TENANT];
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":tenant_id", r->tenant_id);
		db_bind_text(st, ":display_name", r->display_name);
		db_bind_text(st, ":default_domain", r->default_domain);
		db_bind_text(st, ":tenant_category", r->category);
		db_bind_text(st, ":country_code", r->country_code);
		return step(s, st);
	}
	case REC_SUBSCRIPTION:
		return emit_subscription(s, id, rec);
	case REC_ROLE_ASSIGNMENT: {
		const struct role_assignment_rec *r = rec;
		st = s->st[ST_ROLE_ASSIGNMENT];
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":subscription_id", r->subscription_id);
		db_bind_text(st, ":assignment_id", r->assignment_id);
		db_bind_text(st, ":scope", r->scope);
		db_bind_text(st, ":role_guid", r->role_guid);
		db_bind_text(st, ":role_definition_id", r->role_definition_id);
		db_bind_text(st, ":principal_id", r->principal_id);
		db_bind_text(st, ":principal_type", r->principal_type);
		db_bind_text(st, ":created_on", r->created_on);
		db_bind_text(st, ":condition", r->condition);
		db_bind_text(st, ":resource_group", r->resource_group);
		db_bind_text(st, ":scope_level", r->scope_level);
		return step(s, st);
	}
	case REC_ROLE_DEFINITION:
		return emit_role_definition(s, rec);
	case REC_LIGHTHOUSE:
		return emit_lighthouse(s, id, rec);
	case REC_COST_STATUS:
	case REC_COST_RESOURCE_STATUS: {
		const struct cost_status_rec *r = rec;
		st = s->st[type == REC_COST_STATUS ? ST_COST_STATUS : ST_COST_RESOURCE_STATUS];
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":subscription_id", r->subscription_id);
		db_bind_text(st, ":status", cost_outcome_names[r->outcome]);
		db_bind_int(st, ":http_status", r->http_status);
		db_bind_text(st, ":error_code", r->error_code);
		db_bind_text(st, ":error_message", r->error_message);
		return step(s, st);
	}
	case REC_COST_ROW:
		return add_cost(s, id, rec);
	case REC_FAILURE: {
		const struct failure_rec *r = rec;
		char now[32];
		now_iso(now, sizeof(now));
		st = s->st[ST_FAILURE];
		db_bind_int(st, ":run_id", s->run_id);
		if (id > 0)
			db_bind_int(st, ":identity_id", id);
		else
			db_bind_text(st, ":identity_id", NULL);
		db_bind_text(st, ":subscription_id", r->subscription_id);
		db_bind_text(st, ":kind", r->kind);
		db_bind_text(st, ":method", r->method);
		db_bind_text(st, ":url", r->url);
		db_bind_int(st, ":http_status", r->http_status);
		db_bind_text(st, ":transport_error", r->transport_error);
		db_bind_text(st, ":error_code", r->error_code);
		db_bind_text(st, ":error_message", r->error_message);
		db_bind_text(st, ":request_id", r->request_id);
		db_bind_int(st, ":attempts", r->attempts);
		db_bind_text(st, ":at", now);
		return step(s, st);
	}
	case REC_PIM:
		return emit_pim(s, id, rec);
	case REC_PIM_STATUS: {
		const struct pim_status_rec *r = rec;
		st = s->st[ST_PIM_STATUS];
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":subscription_id", r->subscription_id);
		db_bind_text(st, ":list", r->list);
		db_bind_text(st, ":status", read_outcome_names[r->outcome]);
		db_bind_int(st, ":http_status", r->http_status);
		db_bind_text(st, ":error_code", r->error_code);
		db_bind_text(st, ":error_message", r->error_message);
		return step(s, st);
	}
	case REC_GROUP_CHECK: {
		const struct group_check_rec *r = rec;
		st = s->st[ST_GROUP_CHECK];
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":group_id", r->group_id);
		db_bind_text(st, ":status", read_outcome_names[r->outcome]);
		if (r->outcome == READ_OK)
			db_bind_int(st, ":member", r->member);
		else
			db_bind_text(st, ":member", NULL);
		db_bind_int(st, ":http_status", r->http_status);
		db_bind_text(st, ":error_code", r->error_code);
		db_bind_text(st, ":error_message", r->error_message);
		return step(s, st);
	}
	case REC_COST_RESOURCE: {
		const struct cost_resource_rec *r = rec;
		st = s->st[ST_COST_RESOURCE];
		db_bind_int(st, ":run_id", s->run_id);
		db_bind_int(st, ":identity_id", id);
		db_bind_text(st, ":subscription_id", r->subscription_id);
		db_bind_text(st, ":usage_date", r->usage_date);
		db_bind_text(st, ":resource_id", r->resource_id);
		db_bind_double(st, ":cost", r->cost);
		db_bind_text(st, ":currency", r->currency ? r->currency : "");
		return step(s, st);
	}
	case REC__COUNT:
		break;
	}
	return err_set(&s->err, RC_ERROR, "unknown record type %d", (int)type);
}

int
store_checkpoint(struct store *s, struct err *err)
{
	int64_t now = now_ms();
	int rc;

	if (!s->checkpoints || now - s->last_commit < 250)
		return 0;
	if ((rc = flush_cost(s)) < 0) {
		*err = s->err;
		return rc;
	}
	if ((rc = db_commit(s->db, err)) < 0 || (rc = db_begin(s->db, err)) < 0)
		return rc;
	s->last_commit = now;
	return 0;
}

int
store_end_run(struct store *s, const char *status, long requests, long retries,
	      struct err *err)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	now_iso(now, sizeof(now));
	if ((rc = flush_cost(s)) < 0) {
		*err = s->err;
		goto out;
	}
	if ((rc = db_prepare(s->db, "@queries/run_end.sql", &st, err)) < 0)
		goto out;
	db_bind_int(st, ":run_id", s->run_id);
	db_bind_text(st, ":ended_at", now);
	db_bind_text(st, ":status", status);
	db_bind_int(st, ":requests", requests);
	db_bind_int(st, ":retries", retries);
	if ((rc = db_step_done(s->db, st, err)) < 0)
		goto out;
	if (!s->checkpoints) {
		/* one transaction: every identity of the run is complete, or nothing is stored */
		sqlite3_finalize(st);
		st = NULL;
		if ((rc = db_prepare(s->db, "@queries/run_done_all.sql", &st, err)) < 0)
			goto out;
		db_bind_int(st, ":run_id", s->run_id);
		if ((rc = db_step_done(s->db, st, err)) < 0)
			goto out;
	}
	/* The report views read the run's summaries: built once here, with the run's data. */
	if ((rc = db_summaries_build(s->db, s->run_id, err)) < 0)
		goto out;
	rc = db_commit(s->db, err);
out:
	sqlite3_finalize(st);
	if (rc < 0)
		db_rollback(s->db);
	store_free(s);
	return rc;
}

void
store_abort(struct store *s)
{
	if (s == NULL)
		return;
	db_rollback(s->db);
	store_free(s);
}
