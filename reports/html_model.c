/*
 * The HTML report's model: one cJSON object built from the SQL the CSV reports run (customers,
 * subscriptions, summary, trend, diff, runs) plus funnel.sql and actions.sql, over the period's
 * subscription_status and customer_status evaluated once (sql/scripts/html_materialize.sql).
 * Field names are the CSV columns; numbers are JSON numbers (money rounded to cents as the CSV
 * writes it). html_render (reports/html.c) draws the page from this model alone.
 */
#include "reports/html.h"

#include <ctype.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "common/log.h"
#include "common/smap.h"
#include "common/util.h"
#include "version.h"
#include "common/xalloc.h"
#include "db/as_of.h"
#include "db/db.h"
#include "reports/diff.h"
#include "reports/period.h"
#include "reports/report.h"
#include "reports/report_csv.h"

/* CPU milliseconds of this process, for the -vv timings (the machine is shared: wall time varies). */
static int64_t
cpu_ms(void)
{
	return (int64_t)(clock() / (CLOCKS_PER_SEC / 1000));
}

/* A money value as the CSV writes it (rounded half away from zero to cents). */
static double
cents(double v)
{
	char num[32];

	csv_format_money(v, num, sizeof(num));
	return strtod(num, NULL);
}

static cJSON *
cell_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return cJSON_CreateNull();
	case SQLITE_INTEGER:
		return cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return cJSON_CreateNumber(cents(sqlite3_column_double(st, i)));
	default:
		return cJSON_CreateString((const char *)sqlite3_column_text(st, i));
	}
}

/* Called for each row object; return < 0 to stop with that code. */
typedef int (*row_fn)(cJSON *row, void *arg, struct err *err);

/*
 * Run the embedded statement sql (":period" and ":run" bound when it names them) and append one
 * object per row to arr (column names as keys), passing each to fn (may be NULL).
 */
static int
rows_json(struct db *db, const char *sql, const char *period, int64_t run_id, cJSON *arr,
	  row_fn fn, void *arg, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, n;

	if ((rc = db_prepare(db, sql, &st, err)) < 0)
		return rc;
	if (period && sqlite3_bind_parameter_index(st, ":period") > 0)
		db_bind_text(st, ":period", period);
	if (run_id > 0 && sqlite3_bind_parameter_index(st, ":run") > 0)
		db_bind_int(st, ":run", run_id);
	n = sqlite3_column_count(st);
	int64_t t0 = cpu_ms();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *row = cJSON_CreateObject();
		for (int i = 0; i < n; i++)
			cJSON_AddItemToObject(row, sqlite3_column_name(st, i), cell_json(st, i));
		cJSON_AddItemToArray(arr, row);
		if (fn && (rc = fn(row, arg, err)) < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		rc = err_set(err, RC_DB, "report html (%s): %s", sql + 1, db_errmsg(db));
		goto out;
	}
	log_debug("report html: %s, %d rows in %" PRId64 " ms CPU", sql + 1, cJSON_GetArraySize(arr),
		  cpu_ms() - t0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

#define str html_json_str
#define num html_json_num

static void
add_warning(void *arg, const char *msg)
{
	cJSON_AddItemToArray(arg, cJSON_CreateString(msg));
}

/* headline.money[] entry of currency, created on first use. */
static cJSON *
money_of(cJSON *money, const char *currency)
{
	cJSON *m;

	cJSON_ArrayForEach(m, money)
		if (strcmp(str(m, "currency"), currency) == 0)
			return m;
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "currency", currency);
	cJSON_AddNumberToObject(m, "usage", 0);
	cJSON_AddNumberToObject(m, "attributed_usage", 0);
	cJSON_AddNumberToObject(m, "usage_at_stake", 0);
	cJSON_AddItemToArray(money, m);
	return m;
}

static void
set_num(cJSON *o, const char *key, double v)
{
	cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateNumber(v));
}

/* The headline and the reasons from the summary report's rows. */
static void
from_summary(cJSON *model, const cJSON *summary)
{
	cJSON *h = cJSON_AddObjectToObject(model, "headline");
	cJSON *reasons = cJSON_AddArrayToObject(model, "reasons");
	cJSON *money = cJSON_CreateArray();
	const cJSON *r;
	double customers = 0;

	cJSON_AddNumberToObject(h, "customers", 0);
	cJSON_AddNumberToObject(h, "customers_counted", 0);
	cJSON_AddNumberToObject(h, "customers_missing", 0);
	cJSON_AddNumberToObject(h, "customers_unknown", 0);
	cJSON_AddNumberToObject(h, "subscriptions_counted", 0);
	cJSON_AddNumberToObject(h, "subscriptions_missing", 0);
	cJSON_AddNumberToObject(h, "subscriptions_unknown", 0);
	cJSON_ArrayForEach(r, summary) {
		const char *sec = str(r, "section"), *key = str(r, "key");
		if (strcmp(sec, "status") == 0) {
			const char *w = strcmp(key, "ATTRIBUTED") == 0 ? "counted"
					: strcmp(key, "MISSING") == 0  ? "missing"
								       : "unknown";
			char k[32];
			snprintf(k, sizeof(k), "customers_%s", w);
			set_num(h, k, num(r, "customers"));
			snprintf(k, sizeof(k), "subscriptions_%s", w);
			set_num(h, k, num(r, "subscriptions"));
			customers += num(r, "customers");
		} else if (strcmp(sec, "usage") == 0) {
			set_num(money_of(money, key), "usage", num(r, "amount"));
		} else if (strcmp(sec, "attributed") == 0) {
			set_num(money_of(money, key), "attributed_usage", num(r, "amount"));
		} else if (strcmp(sec, "missing") == 0) {
			set_num(money_of(money, key), "usage_at_stake", num(r, "amount"));
		} else if (strcmp(sec, "blocking") == 0) {
			cJSON *o = cJSON_CreateObject();
			const cJSON *amount = cJSON_GetObjectItemCaseSensitive(r, "amount");
			cJSON_AddStringToObject(o, "reason_code", key);
			cJSON_AddNumberToObject(o, "customers", num(r, "customers"));
			cJSON_AddNumberToObject(o, "subscriptions", num(r, "subscriptions"));
			cJSON_AddItemToObject(o, "usage_at_stake",
					      cJSON_IsNumber(amount)
						      ? cJSON_CreateNumber(amount->valuedouble)
						      : cJSON_CreateNull());
			cJSON_AddStringToObject(o, "currency", str(r, "currency"));
			cJSON_AddStringToObject(o, "detail", str(r, "detail"));
			cJSON_AddItemToArray(reasons, o);
		}
	}
	set_num(h, "customers", customers);
	cJSON_AddItemToObject(h, "money", money);
}

/* The runs of the period with the summary's words for each (whose sign-ins). */
static void
runs_detail(cJSON *runs, const cJSON *summary)
{
	cJSON *run;
	const cJSON *r;

	cJSON_ArrayForEach(run, runs) {
		char id[32];
		snprintf(id, sizeof(id), "%.0f", num(run, "run_id"));
		cJSON_ArrayForEach(r, summary)
			if (strcmp(str(r, "section"), "run") == 0 && strcmp(str(r, "key"), id) == 0)
				cJSON_AddStringToObject(run, "detail", str(r, "detail"));
	}
}

/* A lower-case copy of a tenant id, the key customers are looked up by. */
static void
tenant_key(char *out, size_t n, const char *tenant)
{
	size_t i;

	for (i = 0; i + 1 < n && tenant[i]; i++)
		out[i] = (char)tolower((unsigned char)tenant[i]);
	out[i] = 0;
}

struct cust_ctx {
	struct smap by_tenant;	/* lower-case tenant id -> the customer's "why" object */
};

/*
 * Each customer row gets "why": the story of that customer beside its explanation (the
 * customers report's, which names the deciding subscription and its fix). Until the structured
 * why story is in reports/, it is the subscriptions report's rows of that customer that are not
 * attributed, without their explanation texts (on the 10,000-customer bench those alone are
 * 7 MB, half the size budget; `palscope why TENANT` prints them).
 */
static int
customer_row(cJSON *row, void *arg, struct err *err)
{
	struct cust_ctx *c = arg;
	char key[128];
	cJSON *why = cJSON_AddObjectToObject(row, "why");

	(void)err;
	cJSON_AddArrayToObject(why, "subscriptions");
	tenant_key(key, sizeof(key), str(row, "tenant_id"));
	*smap_slot(&c->by_tenant, key, NULL) = why;
	return 0;
}

/* The subscriptions report's columns a story keeps. */
static const char *const story_cols[] = {
	"subscription_id", "subscription_name", "status", "reason_code", "reasons", "usage",
	"currency",
};

static int
add_subscriptions(struct db *db, const char *period, struct cust_ctx *c, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, n, ix[sizeof(story_cols) / sizeof(story_cols[0])], tix = -1, six = -1;
	const size_t ncols = sizeof(story_cols) / sizeof(story_cols[0]);

	if ((rc = db_prepare(db, "@reports/subscriptions.sql", &st, err)) < 0)
		return rc;
	db_bind_text(st, ":period", period);
	n = sqlite3_column_count(st);
	for (size_t k = 0; k < ncols; k++) {
		ix[k] = -1;
		for (int i = 0; i < n; i++)
			if (strcmp(sqlite3_column_name(st, i), story_cols[k]) == 0)
				ix[k] = i;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(sqlite3_column_name(st, i), "tenant_id") == 0)
			tix = i;
		if (strcmp(sqlite3_column_name(st, i), "status") == 0)
			six = i;
	}
	for (size_t k = 0; k < ncols; k++)
		if (ix[k] < 0 || tix < 0 || six < 0) {
			rc = err_set(err, RC_ERROR, "sql/reports/subscriptions.sql: no column '%s'",
				     ix[k] < 0 ? story_cols[k] : "tenant_id/status");
			goto out;
		}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char key[128];
		cJSON *why;

		if (strcmp((const char *)sqlite3_column_text(st, six), "ATTRIBUTED") == 0)
			continue;
		tenant_key(key, sizeof(key), (const char *)sqlite3_column_text(st, tix));
		why = smap_get(&c->by_tenant, key);
		if (why == NULL)
			continue;
		cJSON *o = cJSON_CreateObject();
		for (size_t k = 0; k < ncols; k++)
			cJSON_AddItemToObject(o, story_cols[k], cell_json(st, ix[k]));
		/* reasons: "" when it is the reason code alone (most are; 0.3 MB on the bench) */
		if (strcmp(str(o, "reasons"), str(o, "reason_code")) == 0)
			cJSON_ReplaceItemInObjectCaseSensitive(o, "reasons", cJSON_CreateString(""));
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(why, "subscriptions"), o);
	}
	if (rc != SQLITE_DONE) {
		rc = err_set(err, RC_DB, "report html (subscriptions): %s", db_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/*
 * A backquoted span of a fix text that is a command to run: an az or palscope link/login/collect
 * command line (not a reference such as `palscope rules` or `palscope why`).
 */
static bool
is_fix_command(const char *c)
{
	static const char *const starts[] = { "az ", "palscope link ", "palscope login",
					      "palscope collect" };

	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (strncmp(c, starts[i], strlen(starts[i])) == 0)
			return true;
	return false;
}

/*
 * The commands of a fix: the text's backquoted command lines. A fix with commands is shown as
 * them (signed in as the identity) and its text, which is the explanation in the customer's
 * row, is left out of the model (1.6 MB on the 10,000-customer bench); any other keeps it.
 */
static int
action_row(cJSON *row, void *arg, struct err *err)
{
	cJSON *cmds = cJSON_AddArrayToObject(row, "commands");
	const char *p = str(row, "text");

	(void)arg;
	(void)err;
	for (;;) {
		const char *a = strchr(p, '`'), *b = a ? strchr(a + 1, '`') : NULL;
		if (b == NULL)
			break;
		char *c = xasprintf("%.*s", (int)(b - a - 1), a + 1);
		if (is_fix_command(c))
			cJSON_AddItemToArray(cmds, cJSON_CreateString(c));
		free(c);
		p = b + 1;
	}
	if (cJSON_GetArraySize(cmds) > 0)
		cJSON_DeleteItemFromObjectCaseSensitive(row, "text");
	return 0;
}

/* The changes since the previous run: palscope diff of the period's run and the one before. */
static int
add_changes(struct db *db, const char *period, int64_t run_id, cJSON *model, struct err *err)
{
	struct err ignored = ERR_INIT;
	char spec[32], p_from[16], p_to[16];
	int64_t from = 0, to = 0;
	int rc;

	if (run_id > 0)
		snprintf(spec, sizeof(spec), "%" PRId64, run_id);
	else
		snprintf(spec, sizeof(spec), "%s", period);
	/* no run to compare (the first run, or no snapshots): no changes section */
	if (diff_resolve(db, "--to", spec, 0, &to, p_to, &ignored) < 0 ||
	    diff_resolve(db, "--from", NULL, to, &from, p_from, &ignored) < 0 || from == to)
		return 0;
	cJSON *c = cJSON_AddObjectToObject(model, "changes");
	cJSON_AddNumberToObject(c, "from_run", (double)from);
	cJSON_AddStringToObject(c, "from_period", p_from);
	cJSON_AddNumberToObject(c, "to_run", (double)to);
	cJSON_AddStringToObject(c, "to_period", p_to);
	if ((rc = diff_prepare(db, from, to, err)) < 0)
		return rc;
	return rows_json(db, diff_customers_spec.sql, NULL, 0,
			 cJSON_AddArrayToObject(c, "customers"), NULL, NULL, err);
}

int
html_model_build(struct db *db, const char *period, int64_t run_id, cJSON **out,
		 struct err *err)
{
	cJSON *m = cJSON_CreateObject(), *summary, *runs, *trend;
	struct cust_ctx cc = { SMAP_INIT };
	const struct db_param p[] = { { ":period", period, 0 } };
	char now[32];
	int rc;

	*out = NULL;
	now_iso(now, sizeof(now));
	cJSON_AddNumberToObject(m, "schema", 1);
	cJSON_AddStringToObject(m, "period", period);
	if (run_id > 0)
		cJSON_AddNumberToObject(m, "as_of_run", (double)run_id);
	else
		cJSON_AddNullToObject(m, "as_of_run");
	cJSON_AddStringToObject(m, "generated_at", now);
	cJSON_AddStringToObject(m, "palscope_version", PALSCOPE_VERSION);

	cJSON *warnings = cJSON_AddArrayToObject(m, "warnings");
	report_runs_warnings(db, period, add_warning, warnings);
	report_partial_warnings(db, period, add_warning, warnings);
	runs = cJSON_AddArrayToObject(m, "runs");
	if ((rc = rows_json(db, "@reports/runs.sql", period, 0, runs, NULL, NULL, err)) < 0)
		goto out;

	/* the period's rule views, evaluated once (as of run_id: its TEMP copies exist) */
	int64_t t0 = cpu_ms();
	if ((rc = db_temp_views_ensure(db, err)) < 0 ||
	    (rc = db_exec_script(db, "scripts/html_materialize.sql", p, 1, err)) < 0)
		goto out;
	log_debug("report html: rule views evaluated in %" PRId64 " ms CPU", cpu_ms() - t0);

	summary = cJSON_AddArrayToObject(m, "summary");
	if ((rc = rows_json(db, "@reports/summary.sql", period, 0, summary, NULL, NULL, err)) < 0)
		goto out;
	from_summary(m, summary);
	runs_detail(runs, summary);
	if ((rc = rows_json(db, "@reports/funnel.sql", period, 0, cJSON_AddArrayToObject(m, "funnel"),
			    NULL, NULL, err)) < 0 ||
	    (rc = rows_json(db, "@reports/actions.sql", period, 0,
			    cJSON_AddArrayToObject(m, "actions"), action_row, NULL, err)) < 0 ||
	    (rc = rows_json(db, "@reports/customers.sql", period, 0,
			    cJSON_AddArrayToObject(m, "customers"), customer_row, &cc, err)) < 0 ||
	    (rc = add_subscriptions(db, period, &cc, err)) < 0)
		goto out;

	/* every period from the status snapshots (no rule view) */
	report_set_range(NULL, NULL);
	trend = cJSON_AddArrayToObject(m, "trend");
	if ((rc = rows_json(db, report_find("trend")->sql, NULL, 0, trend, NULL, NULL, err)) < 0)
		goto out;
	/* last: diff_prepare replaces the connection's TEMP views */
	if ((rc = add_changes(db, period, run_id, m, err)) < 0)
		goto out;
	*out = m;
	m = NULL;
	rc = 0;
out:
	smap_release(&cc.by_tenant, NULL);
	cJSON_Delete(m);
	return rc;
}
