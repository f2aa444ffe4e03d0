/*
 * The why story builder (reports/why_story.c) on the rule fixture (tests/fixtures/report/rules.sql:
 * one subscription per reason code): every customer's story in one pass, the checks that fail
 * for each reason code, the order, the limit and the count, a query naming one subscription,
 * money with its currency, and the text rendering of a failed check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fixturedb.h"
#include "tempdb.h"
#include "testutil.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "reports/report.h"
#include "reports/why_story.h"

#include <cjson/cJSON.h>

#define PERIOD "2026-10"
#define SUB(n) "5ub00000-0000-4000-8000-0000000000" #n

static char path[256];
static struct db db = DB_INIT;

static int
setup(void **state)
{
	(void)state;
	return fixturedb_open(&db, path, sizeof(path), "why_story", TEST_FIXTURES "/report/rules.sql");
}

static int
teardown(void **state)
{
	(void)state;
	db_close(&db);
	tempdb_remove(path);
	return 0;
}

/* What the walk saw: per deciding pair its subscription, status, reason and failed checks. */
struct seen_sub {
	char id[64], status[16], code[40];
	unsigned failed;	/* bit per enum why_check_kind */
	char evidence[WHY_N_CHECKS][512];
	char usage_currency[8];
	double usage;
};

struct seen {
	size_t n_customers;
	char tenants[64][64], names[64][128];
	bool whole[64];
	size_t n_subs;
	struct seen_sub subs[128];
	int stop_after;		/* > 0: return RC_DB from the callback after that many */
};

static int
collect(const struct why_story *s, void *ctx, struct err *err)
{
	struct seen *w = ctx;
	size_t c = w->n_customers++;

	assert_true(c < 64);
	snprintf(w->tenants[c], sizeof(w->tenants[c]), "%s", s->tenant_id);
	snprintf(w->names[c], sizeof(w->names[c]), "%s", s->customer_name);
	w->whole[c] = s->whole;
	assert_string_equal(s->period, PERIOD);
	for (size_t i = 0; i < s->n_subs; i++) {
		const struct why_sub *sub = &s->subs[i];
		if (!sub->has_checks)
			continue;
		assert_true(w->n_subs < 128);
		struct seen_sub *o = &w->subs[w->n_subs++];
		snprintf(o->id, sizeof(o->id), "%s", sub->subscription_id);
		snprintf(o->status, sizeof(o->status), "%s", sub->status);
		snprintf(o->code, sizeof(o->code), "%s", sub->reason_code);
		snprintf(o->usage_currency, sizeof(o->usage_currency), "%s", sub->usage.currency);
		o->usage = sub->usage.amount;
		o->failed = 0;
		for (int k = 0; k < WHY_N_CHECKS; k++) {
			assert_non_null(sub->checks[k].name);
			assert_non_null(sub->checks[k].evidence);
			assert_null(strchr(sub->checks[k].evidence, '\n'));
			if (!sub->checks[k].ok)
				o->failed |= 1u << k;
			snprintf(o->evidence[k], sizeof(o->evidence[k]), "%s", sub->checks[k].evidence);
		}
	}
	if (w->stop_after > 0 && (int)w->n_customers >= w->stop_after)
		return err_set(err, RC_DB, "stopped by the callback");
	return 0;
}

static const struct seen_sub *
find_sub(const struct seen *w, const char *id)
{
	for (size_t i = 0; i < w->n_subs; i++)
		if (strcmp(w->subs[i].id, id) == 0)
			return &w->subs[i];
	return NULL;
}

static int64_t
count(const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n;

	assert_int_equal(sqlite3_prepare_v2(db.h, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

#define F(k) (1u << WHY_CHECK_##k)

/* The failed checks each reason code's subscription must show (and no other). */
static const struct {
	const char *id, *code;
	unsigned failed;
	int check;		/* a check whose evidence must hold text */
	const char *text;
} cases[] = {
	{ SUB(01), "", 0, WHY_CHECK_LINK, "partner ID 1234567, Active since" },
	{ SUB(02), "SUBSCRIPTION_NOT_ACTIVE", F(OFFER), WHY_CHECK_OFFER, "(not active)" },
	{ SUB(03), "ROLE_NOT_ELIGIBLE", F(ROLE) | F(SCOPE), WHY_CHECK_ROLE,
	  "none eligible for partner earned credit" },
	{ SUB(04), "NO_RBAC", F(ROLE) | F(SCOPE), WHY_CHECK_ROLE, "no role assignment" },
	{ SUB(06), "OFFER_EXCLUDED", F(OFFER), WHY_CHECK_OFFER, "offer FreeTrial_" },
	{ SUB(08), "USAGE_UNREADABLE", F(COST), WHY_CHECK_COST, "unreadable" },
	{ SUB(09), "NO_USAGE", F(COST), WHY_CHECK_COST, "(no usage)" },
	{ SUB(10), "SCOPE_EXCLUDES_USAGE", F(SCOPE), WHY_CHECK_SCOPE,
	  "which had no cost in the period" },
	{ SUB(12), "ASSIGNMENT_TOO_RECENT", F(ROLE), WHY_CHECK_ROLE,
	  "eligible access began 2026-11-03T09:00:00Z, after 2026-10" },
	{ SUB(19), "COLLECTION_FAILED", F(IDENTITY), WHY_CHECK_IDENTITY, "a required read failed" },
	{ SUB(21), "LINK_WRONG_PARTNER_ID", F(LINK), WHY_CHECK_LINK, "; expected 1234567" },
	{ SUB(22), "NO_LINK", F(LINK), WHY_CHECK_LINK, "not linked" },
};

static void
test_why_story__every_customer_one_pass(void **state)
{
	struct why_query wq = WHY_QUERY_INIT;
	struct err err = ERR_INIT;
	struct seen *w = xcalloc(1, sizeof(*w));
	unsigned any_failed = 0;
	size_t n = 0;
	(void)state;

	wq.period = PERIOD;
	assert_int_equal(why_story_each(&db, &wq, collect, w, &n, &err), 0);
	/* every customer once, in name order, each told whole */
	assert_int_equal((int64_t)n,
			 count("SELECT count(*) FROM customer_status WHERE period = '" PERIOD "'"));
	assert_int_equal(w->n_customers, n);
	for (size_t i = 0; i < n; i++) {
		assert_true(w->whole[i]);
		if (i > 0)
			assert_true(strcasecmp(w->names[i - 1], w->names[i]) <= 0);
	}
	/* every subscription of the period once, with the view's status and reason */
	assert_int_equal((int64_t)w->n_subs,
			 count("SELECT count(*) FROM subscription_status WHERE period = '" PERIOD
			       "' AND identity_id IS NOT NULL"));
	for (size_t i = 0; i < w->n_subs; i++) {
		char sql[256];
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM subscription_status WHERE period = '" PERIOD
			 "' AND subscription_id = '%s' AND status = '%s' AND reason_code = '%s'",
			 w->subs[i].id, w->subs[i].status, w->subs[i].code);
		if (count(sql) != 1)
			fail_msg("%s: %s %s is not the view's verdict", w->subs[i].id,
				 w->subs[i].status, w->subs[i].code);
		/* an attributed subscription passes every check */
		if (strcmp(w->subs[i].status, "ATTRIBUTED") == 0 && w->subs[i].failed != 0)
			fail_msg("%s: attributed, but check bits %x failed", w->subs[i].id,
				 w->subs[i].failed);
		any_failed |= w->subs[i].failed;
	}
	/* each check fails somewhere in the fixture */
	assert_int_equal(any_failed, (1u << WHY_N_CHECKS) - 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct seen_sub *s = find_sub(w, cases[i].id);
		if (s == NULL)
			fail_msg("%s: no story", cases[i].id);
		assert_string_equal(s->code, cases[i].code);
		if (s->failed != cases[i].failed)
			fail_msg("%s (%s): failed checks %x, want %x", cases[i].id, cases[i].code,
				 s->failed, cases[i].failed);
		if (strstr(s->evidence[cases[i].check], cases[i].text) == NULL)
			fail_msg("%s: evidence '%s' lacks '%s'", cases[i].id,
				 s->evidence[cases[i].check], cases[i].text);
	}
	/* money carries its currency: SUB(07) used 62.00 EUR */
	const struct seen_sub *s7 = find_sub(w, SUB(07));
	assert_non_null(s7);
	assert_string_equal(s7->usage_currency, "EUR");
	assert_true(s7->usage > 61.99 && s7->usage < 62.01);
	assert_non_null(strstr(s7->evidence[WHY_CHECK_COST], "62.00 EUR in 2026-10"));
	free(w);
}

static void
test_why_story__order_limit_and_stop(void **state)
{
	struct why_query wq = WHY_QUERY_INIT;
	struct err err = ERR_INIT;
	struct seen *w = xcalloc(1, sizeof(*w));
	size_t n = 0, total;
	(void)state;

	wq.period = PERIOD;
	wq.by_tenant = true;
	assert_int_equal(why_story_each(&db, &wq, collect, w, &total, &err), 0);
	assert_true(total > 3);
	for (size_t i = 1; i < w->n_customers; i++)
		assert_true(strcmp(w->tenants[i - 1], w->tenants[i]) < 0);

	/* limit: three stories built, every match counted */
	memset(w, 0, sizeof(*w));
	wq.by_tenant = false;
	wq.limit = 3;
	assert_int_equal(why_story_each(&db, &wq, collect, w, &n, &err), 0);
	assert_int_equal(n, total);
	assert_int_equal(w->n_customers, 3);

	/* a callback's error stops the walk and is returned */
	memset(w, 0, sizeof(*w));
	wq.limit = 0;
	w->stop_after = 2;
	assert_int_equal(why_story_each(&db, &wq, collect, w, &n, &err), RC_DB);
	assert_int_equal(w->n_customers, 2);
	assert_non_null(strstr(err.msg, "stopped by the callback"));
	free(w);
}

/* A subscription id: its customer only, not whole, that subscription only (scoped evaluation). */
static void
test_why_story__one_subscription(void **state)
{
	struct why_query wq = WHY_QUERY_INIT;
	struct err err = ERR_INIT;
	struct seen *w = xcalloc(1, sizeof(*w));
	size_t n = 0;
	(void)state;

	wq.period = PERIOD;
	wq.q = SUB(22);
	assert_int_equal(why_story_each(&db, &wq, collect, w, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_false(w->whole[0]);
	assert_int_equal(w->n_subs, 1);
	assert_string_equal(w->subs[0].id, SUB(22));
	assert_int_equal(w->subs[0].failed, F(LINK));
	free(w);
	assert_int_equal(why_story_no_match(stderr, &db, PERIOD, "zz-no-such", &err), 0);
}

/* The text of a failed check: the mark, the check's name, the evidence. */
static int
render(const struct why_story *s, void *ctx, struct err *err)
{
	(void)err;
	why_story_render_text(ctx, s, NULL);
	return 0;
}

static void
test_why_story__text(void **state)
{
	struct why_query wq = WHY_QUERY_INIT;
	struct err err = ERR_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	(void)state;

	assert_non_null(fp);
	wq.period = PERIOD;
	wq.q = SUB(22);
	assert_int_equal(why_story_each(&db, &wq, render, fp, NULL, &err), 0);
	fclose(fp);
	assert_non_null(strstr(text, "Customer MISSING NO_LINK:"));
	assert_non_null(strstr(text, "    [FAIL] link     not linked"));
	assert_non_null(strstr(text, "    [ok]   identity '"));
	assert_non_null(strstr(text, "    id " SUB(22) "\n"));
	for (const char *l = text; *l; ) {
		const char *e = strchr(l, '\n');
		assert_non_null(e);
		/* wider only for a backticked command, whole on its line */
		if ((size_t)(e - l) > 80) {
			const char *t = memchr(l, '`', (size_t)(e - l));
			assert_non_null(t);
			assert_non_null(memchr(t + 1, '`', (size_t)(e - t - 1)));
		}
		l = e + 1;
	}
	free(text);
}

/* Every story as `why -o json` writes it (why_story_json, unformatted), kept in order. */
struct jsons {
	size_t n;
	char *tenant[64], *json[64];
};

static int
keep_json(const struct why_story *s, void *ctx, struct err *err)
{
	struct jsons *j = ctx;
	cJSON *o = why_story_json(s);
	(void)err;

	assert_true(j->n < 64);
	j->tenant[j->n] = xstrdup(s->tenant_id);
	j->json[j->n++] = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return 0;
}

/*
 * The all-customers walk (the rule views' rows evaluated once, set-based: what the HTML report
 * embeds) gives every customer the same JSON as `why TENANT` (a query scoped to the customers it
 * can be about, evaluated through the per-subscription lookups), byte for byte.
 */
static void
test_why_story__all_equals_each_tenant(void **state)
{
	struct why_query wq = WHY_QUERY_INIT;
	struct err err = ERR_INIT;
	struct jsons *all = xcalloc(1, sizeof(*all));
	size_t n = 0, differ = 0;
	(void)state;

	wq.period = PERIOD;
	wq.by_tenant = true;
	assert_int_equal(why_story_each(&db, &wq, keep_json, all, &n, &err), 0);
	assert_true(n >= 10);
	assert_int_equal(all->n, n);
	for (size_t i = 0; i < all->n; i++) {
		struct why_query one = WHY_QUERY_INIT;
		struct jsons *j = xcalloc(1, sizeof(*j));
		one.period = PERIOD;
		one.q = all->tenant[i];
		assert_int_equal(why_story_each(&db, &one, keep_json, j, NULL, &err), 0);
		/* a tenant id names its customer (and no other: ids are not parts of names here) */
		assert_int_equal(j->n, 1);
		if (strcmp(j->json[0], all->json[i]) != 0) {
			print_error("%s:\n  all: %s\n  one: %s\n", all->tenant[i], all->json[i],
				    j->json[0]);
			differ++;
		}
		/* the story tells something that can fail: checks, or a customer's own verdict */
		assert_non_null(strstr(all->json[i], "\"status\":"));
		free(j->tenant[0]);
		cJSON_free(j->json[0]);
		free(j);
	}
	assert_int_equal(differ, 0);
	for (size_t i = 0; i < all->n; i++) {
		free(all->tenant[i]);
		cJSON_free(all->json[i]);
	}
	free(all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_why_story__every_customer_one_pass),
		cmocka_unit_test(test_why_story__order_limit_and_stop),
		cmocka_unit_test(test_why_story__one_subscription),
		cmocka_unit_test(test_why_story__text),
		cmocka_unit_test(test_why_story__all_equals_each_tenant),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
