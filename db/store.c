#include "db/store.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/sql_embed.h"
#include "db/summary.h"

#include <stdbool.h>
#include <stddef.h>
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

/*
 * Each record's columns, as a table: the statement parameter, how the member is bound and
 * where it is. One loop binds every record type (db_bind_* stop on a name the statement lacks).
 */
enum field_kind {
	F_TEXT,		/* const char * (NULL binds NULL) */
	F_TEXT_OR_EMPTY, /* const char * (NULL binds "") */
	F_CHARS,	/* char[] */
	F_LONG,
	F_INT,
	F_BOOL,
	F_DOUBLE,
	F_READ_OUTCOME,	/* enum read_outcome, bound by name */
	F_COST_OUTCOME,	/* enum cost_outcome, bound by name */
};

struct field {
	const char *param;
	enum field_kind kind;
	size_t off;
};

#define FIELD_AS(T, m, k, p) { p, k, offsetof(struct T, m) }
#define FIELD(T, m, k) FIELD_AS(T, m, k, ":" #m)
#define TEXT(T, m) FIELD(T, m, F_TEXT)
#define N_FIELDS(a) (sizeof(a) / sizeof((a)[0]))

static const struct field link_fields[] = {
	FIELD(link_rec, linked, F_BOOL),    TEXT(link_rec, partner_id),
	TEXT(link_rec, partner_name),	    TEXT(link_rec, tenant_id),
	TEXT(link_rec, object_id),	    TEXT(link_rec, state),
	TEXT(link_rec, created_time),	    TEXT(link_rec, updated_time),
	FIELD(link_rec, http_status, F_LONG), TEXT(link_rec, raw_json),
};
static const struct field tenant_fields[] = {
	TEXT(tenant_rec, tenant_id),	  TEXT(tenant_rec, display_name),
	TEXT(tenant_rec, default_domain), FIELD_AS(tenant_rec, category, F_TEXT, ":tenant_category"),
	TEXT(tenant_rec, country_code),
};
static const struct field subscription_fields[] = {
	TEXT(subscription_rec, subscription_id), TEXT(subscription_rec, display_name),
	TEXT(subscription_rec, tenant_id),	 TEXT(subscription_rec, state),
	TEXT(subscription_rec, quota_id),	 TEXT(subscription_rec, spending_limit),
	TEXT(subscription_rec, location_placement_id),
	TEXT(subscription_rec, authorization_source),
};
static const struct field role_assignment_fields[] = {
	TEXT(role_assignment_rec, subscription_id), TEXT(role_assignment_rec, assignment_id),
	TEXT(role_assignment_rec, scope),	    TEXT(role_assignment_rec, role_guid),
	TEXT(role_assignment_rec, role_definition_id), TEXT(role_assignment_rec, principal_id),
	TEXT(role_assignment_rec, principal_type),  TEXT(role_assignment_rec, created_on),
	TEXT(role_assignment_rec, condition),	    TEXT(role_assignment_rec, resource_group),
	TEXT(role_assignment_rec, scope_level),
};
static const struct field role_definition_fields[] = {
	TEXT(role_definition_rec, role_guid), TEXT(role_definition_rec, role_name),
	TEXT(role_definition_rec, role_type), TEXT(role_definition_rec, description),
};
static const struct field role_permission_fields[] = {
	TEXT(role_permission_rec, kind), TEXT(role_permission_rec, pattern),
};
static const struct field lighthouse_fields[] = {
	TEXT(lighthouse_rec, subscription_id),	  TEXT(lighthouse_rec, assignment_id),
	TEXT(lighthouse_rec, registration_definition_id), TEXT(lighthouse_rec, definition_name),
	TEXT(lighthouse_rec, managed_by_tenant_id), TEXT(lighthouse_rec, managed_by_tenant_name),
	TEXT(lighthouse_rec, managee_tenant_id),  TEXT(lighthouse_rec, managee_tenant_name),
	TEXT(lighthouse_rec, provisioning_state), TEXT(lighthouse_rec, plan_name),
	TEXT(lighthouse_rec, plan_publisher),	  TEXT(lighthouse_rec, created_at),
};
static const struct field lighthouse_auth_fields[] = {
	TEXT(lighthouse_auth_rec, principal_id), TEXT(lighthouse_auth_rec, principal_name),
	TEXT(lighthouse_auth_rec, role_guid),	 FIELD(lighthouse_auth_rec, eligible, F_BOOL),
};
static const struct field pim_fields[] = {
	TEXT(pim_rec, subscription_id), TEXT(pim_rec, kind),	      TEXT(pim_rec, item_id),
	TEXT(pim_rec, scope),		TEXT(pim_rec, scope_level),   TEXT(pim_rec, resource_group),
	TEXT(pim_rec, role_guid),	TEXT(pim_rec, principal_id),  TEXT(pim_rec, principal_type),
	TEXT(pim_rec, member_type),	TEXT(pim_rec, assignment_type), TEXT(pim_rec, request_type),
	TEXT(pim_rec, status),		TEXT(pim_rec, start_time),    TEXT(pim_rec, end_time),
	TEXT(pim_rec, eligibility_id),	TEXT(pim_rec, created_on),
};
static const struct field cost_status_fields[] = {
	TEXT(cost_status_rec, subscription_id), FIELD_AS(cost_status_rec, outcome, F_COST_OUTCOME, ":status"),
	FIELD(cost_status_rec, http_status, F_LONG), TEXT(cost_status_rec, error_code),
	TEXT(cost_status_rec, error_message),
};
static const struct field failure_fields[] = {
	TEXT(failure_rec, subscription_id), TEXT(failure_rec, kind),
	TEXT(failure_rec, method),	    TEXT(failure_rec, url),
	FIELD(failure_rec, http_status, F_LONG), TEXT(failure_rec, transport_error),
	TEXT(failure_rec, error_code),	    TEXT(failure_rec, error_message),
	TEXT(failure_rec, request_id),	    FIELD(failure_rec, attempts, F_INT),
};
static const struct field pim_status_fields[] = {
	TEXT(pim_status_rec, subscription_id), TEXT(pim_status_rec, list),
	FIELD_AS(pim_status_rec, outcome, F_READ_OUTCOME, ":status"),
	FIELD(pim_status_rec, http_status, F_LONG), TEXT(pim_status_rec, error_code),
	TEXT(pim_status_rec, error_message),
};
static const struct field group_check_fields[] = {
	TEXT(group_check_rec, group_id), FIELD_AS(group_check_rec, outcome, F_READ_OUTCOME, ":status"),
	FIELD(group_check_rec, http_status, F_LONG), TEXT(group_check_rec, error_code),
	TEXT(group_check_rec, error_message),
};
static const struct field cost_resource_fields[] = {
	TEXT(cost_resource_rec, subscription_id), FIELD(cost_resource_rec, usage_date, F_CHARS),
	TEXT(cost_resource_rec, resource_id),	  FIELD(cost_resource_rec, cost, F_DOUBLE),
	FIELD(cost_resource_rec, currency, F_TEXT_OR_EMPTY),
};
static const struct field read_fields[] = {
	TEXT(read_rec, kind), TEXT(read_rec, subscription_id),
};

/* Which keys of the run a statement takes besides the record's own columns. */
enum { K_RUN = 1, K_IDENTITY = 2 };

struct rec_bind {
	enum stmt_id st;
	unsigned keys;
	const struct field *f;
	size_t n;
};

#define REC_BIND(stmt, keys, fields) { stmt, keys, fields, N_FIELDS(fields) }

/* The record types stored by one statement from the record alone (the others: store_emit_one). */
static const struct rec_bind rec_binds[REC__COUNT] = {
	[REC_READ_DONE] = REC_BIND(ST_READ_DONE, K_IDENTITY, read_fields),
	[REC_LINK] = REC_BIND(ST_LINK, K_RUN | K_IDENTITY, link_fields),
	[REC_TENANT] = REC_BIND(ST_TENANT, K_RUN | K_IDENTITY, tenant_fields),
	[REC_ROLE_ASSIGNMENT] = REC_BIND(ST_ROLE_ASSIGNMENT, K_RUN | K_IDENTITY, role_assignment_fields),
	[REC_COST_STATUS] = REC_BIND(ST_COST_STATUS, K_RUN | K_IDENTITY, cost_status_fields),
	[REC_COST_RESOURCE_STATUS] =
		REC_BIND(ST_COST_RESOURCE_STATUS, K_RUN | K_IDENTITY, cost_status_fields),
	[REC_PIM] = REC_BIND(ST_PIM, K_RUN | K_IDENTITY, pim_fields),
	[REC_PIM_STATUS] = REC_BIND(ST_PIM_STATUS, K_RUN | K_IDENTITY, pim_status_fields),
	[REC_COST_RESOURCE] = REC_BIND(ST_COST_RESOURCE, K_RUN | K_IDENTITY, cost_resource_fields),
};

static void
bind_fields(sqlite3_stmt *st, const void *rec, const struct field *f, size_t n)
{
	const char *base = rec;

	for (size_t i = 0; i < n; i++) {
		const void *p = base + f[i].off;
		const char *v;

		switch (f[i].kind) {
		case F_TEXT:
			db_bind_text(st, f[i].param, *(const char *const *)p);
			break;
		case F_TEXT_OR_EMPTY:
			v = *(const char *const *)p;
			db_bind_text(st, f[i].param, v ? v : "");
			break;
		case F_CHARS:
			db_bind_text(st, f[i].param, (const char *)p);
			break;
		case F_LONG:
			db_bind_int(st, f[i].param, *(const long *)p);
			break;
		case F_INT:
			db_bind_int(st, f[i].param, *(const int *)p);
			break;
		case F_BOOL:
			db_bind_int(st, f[i].param, *(const bool *)p ? 1 : 0);
			break;
		case F_DOUBLE:
			db_bind_double(st, f[i].param, *(const double *)p);
			break;
		case F_READ_OUTCOME:
			db_bind_text(st, f[i].param, read_outcome_names[*(const enum read_outcome *)p]);
			break;
		case F_COST_OUTCOME:
			db_bind_text(st, f[i].param, cost_outcome_names[*(const enum cost_outcome *)p]);
			break;
		}
	}
}

/* Binds the run keys and the record's columns; the caller binds anything else and steps. */
static sqlite3_stmt *
bind_record(struct store *s, enum stmt_id id, unsigned keys, int64_t identity, const void *rec,
	    const struct field *f, size_t n)
{
	sqlite3_stmt *st = s->st[id];

	if (keys & K_RUN)
		db_bind_int(st, ":run_id", s->run_id);
	if (keys & K_IDENTITY)
		db_bind_int(st, ":identity_id", identity);
	bind_fields(st, rec, f, n);
	return st;
}

static int
emit_subscription(struct store *s, int64_t id, const struct subscription_rec *r)
{
	sqlite3_stmt *st;
	int rc;

	st = bind_record(s, ST_SUBSCRIPTION, K_RUN | K_IDENTITY, id, r, subscription_fields,
			 N_FIELDS(subscription_fields));
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
	sqlite3_stmt *st;
	int rc;

	st = bind_record(s, ST_ROLE_DEFINITION, K_RUN, 0, r, role_definition_fields,
			 N_FIELDS(role_definition_fields));
	if ((rc = step(s, st)) < 0)
		return rc;
	for (size_t i = 0; i < r->n_perms; i++) {
		st = bind_record(s, ST_ROLE_PERMISSION, K_RUN, 0, &r->perms[i],
				 role_permission_fields, N_FIELDS(role_permission_fields));
		db_bind_text(st, ":role_guid", r->role_guid);
		if ((rc = step(s, st)) < 0)
			return rc;
	}
	return 0;
}

static int
emit_lighthouse(struct store *s, int64_t id, const struct lighthouse_rec *r)
{
	sqlite3_stmt *st;
	int rc;

	st = bind_record(s, ST_LIGHTHOUSE, K_RUN | K_IDENTITY, id, r, lighthouse_fields,
			 N_FIELDS(lighthouse_fields));
	if ((rc = step(s, st)) < 0)
		return rc;
	for (size_t i = 0; i < r->n_auths; i++) {
		st = bind_record(s, ST_LIGHTHOUSE_AUTH, K_RUN | K_IDENTITY, id, &r->auths[i],
				 lighthouse_auth_fields, N_FIELDS(lighthouse_auth_fields));
		db_bind_text(st, ":subscription_id", r->subscription_id);
		db_bind_text(st, ":assignment_id", r->assignment_id);
		if ((rc = step(s, st)) < 0)
			return rc;
	}
	return 0;
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

	if ((unsigned)type >= REC__COUNT)
		return err_set(&s->err, RC_ERROR, "unknown record type %d", (int)type);
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
	case REC_SUBSCRIPTION:
		return emit_subscription(s, id, rec);
	case REC_ROLE_DEFINITION:
		return emit_role_definition(s, rec);
	case REC_LIGHTHOUSE:
		return emit_lighthouse(s, id, rec);
	case REC_COST_ROW:
		return add_cost(s, id, rec);
	case REC_FAILURE: {
		char now[32];
		now_iso(now, sizeof(now));
		st = bind_record(s, ST_FAILURE, K_RUN, 0, rec, failure_fields, N_FIELDS(failure_fields));
		if (id > 0)
			db_bind_int(st, ":identity_id", id);
		else
			db_bind_text(st, ":identity_id", NULL);
		db_bind_text(st, ":at", now);
		return step(s, st);
	}
	case REC_GROUP_CHECK: {
		const struct group_check_rec *r = rec;
		st = bind_record(s, ST_GROUP_CHECK, K_RUN | K_IDENTITY, id, r, group_check_fields,
				 N_FIELDS(group_check_fields));
		if (r->outcome == READ_OK)
			db_bind_int(st, ":member", r->member);
		else
			db_bind_text(st, ":member", NULL);
		return step(s, st);
	}
	default: {
		const struct rec_bind *b = &rec_binds[type];
		if (b->f == NULL)
			break;
		return step(s, bind_record(s, b->st, b->keys, id, rec, b->f, b->n));
	}
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
