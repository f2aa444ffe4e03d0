/*
 * The `why` story (reports/why_story.h): built from the rows of sql/scripts/why_customers.sql
 * and sql/reports/why_pairs.sql for every matching customer in one pass, and rendered as the
 * text of `palscope why`. Which checks fail is read from each pair's codes by reason-code name
 * (the rules and their texts live in sql/views/); this file only says which code belongs to
 * which step and words the evidence.
 */
#include "reports/why_story.h"

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "reports/output.h"
#include "reports/report.h"
#include "reports/report_csv.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WHY_WIDTH 80

static const char *const check_names[WHY_N_CHECKS] = {
	"identity", "offer", "link", "role", "scope", "cost",
};

/* ---- string storage for one story: blocks freed together ---- */

struct pool_block {
	struct pool_block *next;
	size_t used, cap;
	char data[];
};

struct pool {
	struct pool_block *head;
};

static const char *
pool_dup(struct pool *p, const char *s)
{
	size_t n = strlen(s) + 1;
	struct pool_block *b = p->head;

	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > 16384 ? n : 16384;
		b = xmalloc(sizeof(*b) + cap);
		b->next = p->head;
		b->used = 0;
		b->cap = cap;
		p->head = b;
	}
	memcpy(b->data + b->used, s, n);
	b->used += n;
	return b->data + b->used - n;
}

/* Keep the first block (emptied) for the next story. */
static void
pool_reset(struct pool *p)
{
	struct pool_block *b = p->head, *next;

	if (b == NULL)
		return;
	for (struct pool_block *c = b->next; c; c = next) {
		next = c->next;
		free(c);
	}
	b->next = NULL;
	b->used = 0;
}

static void
pool_release(struct pool *p)
{
	pool_reset(p);
	free(p->head);
	p->head = NULL;
}

/* ---- rows ---- */

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

/* Columns looked up by name once per statement: a reordered query cannot shift a reading. */
static int
cols_find(sqlite3_stmt *st, const char *file, const char *const *names, int n, int *ix,
	  struct err *err)
{
	int nc = sqlite3_column_count(st);

	for (int k = 0; k < n; k++) {
		ix[k] = -1;
		for (int i = 0; i < nc; i++)
			if (strcmp(sqlite3_column_name(st, i), names[k]) == 0)
				ix[k] = i;
		if (ix[k] < 0)
			return err_set(err, RC_DB, "why: %s has no column %s", file, names[k]);
	}
	return 0;
}

enum {
	C_RANK, C_TENANT, C_NAME, C_STATUS, C_CODE, C_REASONS, C_SUBS, C_ATTR_SUBS, C_ATTR_USAGE,
	C_CURRENCY, C_EXPLANATION, C_WHOLE, C_ACTOR, C_N
};

static const char *const customer_cols[C_N] = {
	"rank", "tenant_id", "customer_name", "status", "reason_code", "reasons", "subscriptions",
	"attributed_subscriptions", "attributed_usage", "currency", "explanation", "whole", "actor",
};

enum {
	P_RANK, P_SUB_ID, P_SUB_NAME, P_STATUS, P_CODE, P_REASONS, P_EXPLANATION, P_CHOSEN,
	P_IDENTITY, P_IDENTITY_TENANT, P_VIA_LH, P_CODES, P_FAILURE, P_PARTNER_ID, P_LINK_STATE,
	P_LINK_CREATED, P_EXPECTED, P_ROLES, P_WHOLE, P_RGS, P_START, P_STATE, P_QUOTA, P_TOTAL,
	P_CURRENCY, P_PAIR_ATTRIBUTED, P_ACTOR, P_N
};

static const char *const pair_cols[P_N] = {
	"customer_rank", "subscription_id", "subscription_name", "status", "reason_code", "reasons",
	"explanation", "chosen", "identity_name", "identity_tenant_id", "via_lighthouse", "codes",
	"failure", "partner_id", "link_state", "link_created", "expected_partner_ids", "roles",
	"n_eligible_whole", "covered_rgs", "access_start", "state", "quota_id", "total", "currency",
	"pair_attributed", "actor",
};

struct prow {
	sqlite3_stmt *st;
	int ix[P_N];
};

static const char *
rcol(const struct prow *r, int k)
{
	return col(r->st, r->ix[k]);
}

static int64_t
rnum(const struct prow *r, int k)
{
	return sqlite3_column_int64(r->st, r->ix[k]);
}

/* The verdict of one check, by reason-code name: does the pair's codes list hold it? */
static bool
chk(const struct prow *r, const char *code)
{
	const char *codes = rcol(r, P_CODES);
	size_t n = strlen(code);

	for (const char *p = codes; (p = strstr(p, code)) != NULL; p += n)
		if ((p == codes || p[-1] == ';') && (p[n] == ';' || p[n] == '\0'))
			return true;
	return false;
}

static void
money_text(char *out, size_t n, double v, const char *currency)
{
	char num[32];

	csv_format_money(v, num, sizeof(num));
	snprintf(out, n, "%s%s%s", num, *currency ? " " : "", currency);
}

static struct why_money
money_col(struct pool *p, sqlite3_stmt *st, int i, const char *currency)
{
	struct why_money m;

	m.known = sqlite3_column_type(st, i) != SQLITE_NULL;
	m.amount = sqlite3_column_double(st, i);
	m.currency = pool_dup(p, currency);
	return m;
}

/* "a;b" -> "a; b" into b. */
static void
add_list(struct buf *b, const char *list)
{
	for (const char *p = list; *p; p++) {
		buf_addc(b, *p);
		if (*p == ';')
			buf_addc(b, ' ');
	}
}

/* The six checks of the deciding pair: verdict and evidence. */
static void
build_checks(struct pool *pool, struct why_sub *sub, const struct prow *r, const char *period)
{
	struct buf b = BUF_INIT;
	char m1[64], m2[64];
	const char *cur = rcol(r, P_CURRENCY);
	bool lh = rnum(r, P_VIA_LH) != 0, ok[WHY_N_CHECKS];
	/* no role that counts: the role check fails, and there is no scope to speak of */
	bool no_access = chk(r, "NO_RBAC") || chk(r, "ROLE_NOT_ELIGIBLE") ||
			 chk(r, "PIM_ELIGIBLE_ONLY");
	const char *ev[WHY_N_CHECKS];

	/* identity */
	buf_printf(&b, "'%s' signed in to %stenant %s", rcol(r, P_IDENTITY),
		   lh ? "the managing " : "", rcol(r, P_IDENTITY_TENANT));
	if (chk(r, "COLLECTION_FAILED"))
		buf_printf(&b, "; a required read failed: %s", rcol(r, P_FAILURE));
	if (chk(r, "PRINCIPAL_DELETED"))
		buf_adds(&b, "; the identity that held the link was deleted");
	if (chk(r, "PRINCIPAL_DISABLED"))
		buf_adds(&b, "; the identity that held the link is disabled");
	ok[WHY_CHECK_IDENTITY] = !(chk(r, "COLLECTION_FAILED") || chk(r, "PRINCIPAL_DELETED") ||
				   chk(r, "PRINCIPAL_DISABLED"));
	ev[WHY_CHECK_IDENTITY] = pool_dup(pool, buf_cstr(&b));
	buf_reset(&b);

	/* offer */
	buf_printf(&b, "state %s, offer %s", *rcol(r, P_STATE) ? rcol(r, P_STATE) : "?",
		   *rcol(r, P_QUOTA) ? rcol(r, P_QUOTA) : "?");
	if (chk(r, "SUBSCRIPTION_NOT_ACTIVE"))
		buf_adds(&b, " (not active)");
	if (chk(r, "EA_DPOR_EXPECTED"))
		buf_adds(&b, " (Enterprise Agreement: DPOR, not PAL)");
	if (chk(r, "OFFER_EXCLUDED"))
		buf_adds(&b, " (offer excluded)");
	if (chk(r, "CSP_SUBSCRIPTION"))
		buf_adds(&b, " (CSP: may show as CSP, not PAL)");
	if (chk(r, "EA_SUBSCRIPTION"))
		buf_adds(&b, " (Enterprise Agreement: counted, policy ea=pal; Learn still says DPOR)");
	if (chk(r, "CLOUD_NOT_ELIGIBLE"))
		buf_adds(&b, " (Azure Government or China: PAL is not available there)");
	if (chk(r, "MARKETPLACE_OFFER"))
		buf_adds(&b, " (access only through a Marketplace managed-service offer)");
	ok[WHY_CHECK_OFFER] = !(chk(r, "SUBSCRIPTION_NOT_ACTIVE") || chk(r, "EA_DPOR_EXPECTED") ||
				chk(r, "OFFER_EXCLUDED") || chk(r, "CLOUD_NOT_ELIGIBLE") ||
				strcmp(rcol(r, P_CODE), "MARKETPLACE_OFFER") == 0);
	ev[WHY_CHECK_OFFER] = pool_dup(pool, buf_cstr(&b));
	buf_reset(&b);

	/* link */
	if (chk(r, "COLLECTION_FAILED") && !*rcol(r, P_LINK_STATE) && !*rcol(r, P_PARTNER_ID))
		buf_adds(&b, "unknown (not read)");
	else if (chk(r, "NO_LINK"))
		buf_printf(&b, "not linked%s", strcmp(rcol(r, P_LINK_STATE), "Deleted") == 0
						       ? " (link deleted)" : "");
	else
		buf_printf(&b, "partner ID %s, %s since %s", rcol(r, P_PARTNER_ID),
			   rcol(r, P_LINK_STATE), rcol(r, P_LINK_CREATED));
	if (chk(r, "LINK_WRONG_PARTNER_ID"))
		buf_printf(&b, "; expected %s", rcol(r, P_EXPECTED));
	ok[WHY_CHECK_LINK] = !(chk(r, "COLLECTION_FAILED") && !*rcol(r, P_PARTNER_ID)) &&
			     !chk(r, "NO_LINK") && !chk(r, "LINK_WRONG_PARTNER_ID");
	ev[WHY_CHECK_LINK] = pool_dup(pool, buf_cstr(&b));
	buf_reset(&b);

	/* role */
	add_list(&b, rcol(r, P_ROLES));
	if (!*rcol(r, P_ROLES))
		buf_adds(&b, "no role assignment");
	if (chk(r, "ROLE_NOT_ELIGIBLE"))
		buf_adds(&b, "; none eligible for partner earned credit");
	if (chk(r, "PIM_ELIGIBLE_ONLY"))
		buf_printf(&b, "; PIM-eligible only, never active in %s", period);
	if (chk(r, "ASSIGNMENT_TOO_RECENT"))
		buf_printf(&b, "; eligible access began %s, after %s", rcol(r, P_START), period);
	else if (*rcol(r, P_START) && !no_access)
		buf_printf(&b, "; eligible since %s", rcol(r, P_START));
	if (chk(r, "ROLE_ELIGIBILITY_UNKNOWN"))
		buf_adds(&b, "; eligibility inferred (custom or unlisted role)");
	ok[WHY_CHECK_ROLE] = !(no_access || chk(r, "ASSIGNMENT_TOO_RECENT"));
	ev[WHY_CHECK_ROLE] = pool_dup(pool, buf_cstr(&b));
	buf_reset(&b);

	/* scope */
	if (no_access)
		buf_adds(&b, "no eligible access");
	else if (rnum(r, P_WHOLE) > 0)
		buf_adds(&b, "whole subscription");
	else
		buf_printf(&b, "resource group(s) %s only", rcol(r, P_RGS));
	if (chk(r, "SCOPE_EXCLUDES_USAGE"))
		buf_adds(&b, ", which had no cost in the period");
	ok[WHY_CHECK_SCOPE] = !(no_access || chk(r, "SCOPE_EXCLUDES_USAGE"));
	ev[WHY_CHECK_SCOPE] = pool_dup(pool, buf_cstr(&b));
	buf_reset(&b);

	/* cost */
	if (chk(r, "USAGE_UNREADABLE")) {
		buf_adds(&b, "unreadable");
	} else {
		money_text(m1, sizeof(m1), sqlite3_column_double(r->st, r->ix[P_TOTAL]), cur);
		/* no currency: no cost row was read, so no amount to show */
		buf_printf(&b, "%s in %s", *cur ? m1 : "no cost", period);
		if (*cur && sqlite3_column_type(r->st, r->ix[P_PAIR_ATTRIBUTED]) != SQLITE_NULL) {
			money_text(m2, sizeof(m2),
				   sqlite3_column_double(r->st, r->ix[P_PAIR_ATTRIBUTED]), cur);
			buf_printf(&b, ", %s attributed", m2);
		}
		if (chk(r, "NO_USAGE"))
			buf_adds(&b, " (no usage)");
	}
	ok[WHY_CHECK_COST] = !(chk(r, "USAGE_UNREADABLE") || chk(r, "NO_USAGE"));
	ev[WHY_CHECK_COST] = pool_dup(pool, buf_cstr(&b));
	buf_release(&b);

	for (int k = 0; k < WHY_N_CHECKS; k++) {
		sub->checks[k].name = check_names[k];
		sub->checks[k].ok = ok[k];
		sub->checks[k].evidence = ev[k];
	}
}

/* ASCII case-insensitive substring test, like the SQL's instr(lower(), lower()). */
static bool
icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (str_istarts(hay, needle))
			return true;
	return n == 0;
}

/* "counted in 2026-09" / "missing in run 4 (NO_LINK)": one side of the --since story. */
static void
since_side(struct buf *b, const char *status, const char *reason, double amount,
	   const char *currency, const char *period, int64_t run, bool same_period)
{
	char money[64];

	money_text(money, sizeof(money), amount, currency);
	if (*status == '\0')
		buf_printf(b, "not reported");
	else if (strcmp(status, "ATTRIBUTED") == 0 && *currency)
		buf_printf(b, "counted (%s)", money);
	else if (strcmp(status, "ATTRIBUTED") == 0)
		buf_printf(b, "counted");
	else
		buf_printf(b, "%s (%s)", strcmp(status, "MISSING") == 0 ? "missing" : "unknown",
			   reason);
	if (same_period)
		buf_printf(b, " as of run %" PRId64, run);
	else
		buf_printf(b, " in %s", period);
}

/* The --since sentence of one customer (the TEMP diff views of diff_prepare). */
static int
build_since(struct pool *pool, struct db *db, const struct why_query *wq, const char *tenant,
	    const char **out, struct err *err)
{
	sqlite3_stmt *st = NULL;
	struct buf b = BUF_INIT;
	bool same = strcmp(wq->since_from_period, wq->since_to_period) == 0;
	int rc;

	if ((rc = db_prepare(db, "@reports/why_since.sql", &st, err)) < 0)
		return rc;
	db_bind_text(st, ":tenant_id", tenant);
	buf_printf(&b, "Since run %" PRId64 " (%s): ", wq->since_from, wq->since_from_period);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *cur = col(st, 6), *cause = col(st, 7);
		since_side(&b, col(st, 0), col(st, 2), sqlite3_column_double(st, 4), cur,
			   wq->since_from_period, wq->since_from, same);
		buf_printf(&b, ", ");
		since_side(&b, col(st, 1), col(st, 3), sqlite3_column_double(st, 5), cur,
			   wq->since_to_period, wq->since_to, same);
		if (*cause)
			buf_printf(&b, ": %s. %s.", cause, col(st, 8));
		else
			buf_printf(&b, ". %s.", col(st, 8));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		buf_printf(&b, "no change in status, reason or attributed usage as of run %" PRId64
			       " (%s).", wq->since_to, wq->since_to_period);
		rc = 0;
	} else {
		rc = err_set(err, RC_DB, "why --since: %s", db_errmsg(db));
	}
	sqlite3_finalize(st);
	if (rc == 0)
		*out = pool_dup(pool, buf_cstr(&b));
	buf_release(&b);
	return rc;
}

/* The customers of the query into temp.why_customer and the period's subscriptions. */
static int
story_prepare(struct db *db, const struct why_query *wq, struct err *err)
{
	const struct db_param p[] = {
		{ ":period", wq->period, 0 },
		{ ":q", wq->q ? wq->q : "", 0 },
		{ ":all", NULL, wq->q == NULL },
		{ ":by_tenant", NULL, wq->by_tenant },
	};
	int rc;

	/* what an earlier walk on this connection left (its scope, its subscriptions) */
	if ((rc = report_why_unscope(db, err)) < 0)
		return rc;
	/*
	 * Evaluate the views for the customers q can be about only (full: the whole period, the
	 * same answer, for comparison).
	 */
	if (wq->q && !wq->full && (rc = report_why_scope(db, wq->period, wq->q, err)) < 0)
		return rc;
	if ((rc = report_why_prepare(db, wq->period, err)) < 0)
		return rc;
	return db_exec_script(db, "scripts/why_customers.sql", p, 4, err);
}

struct walk {
	struct db *db;
	const struct why_query *wq;
	struct pool pool;
	struct prow pr;
	int prc;			/* the pair statement's last step */
	struct why_sub *subs;
	size_t cap;
};

/* Fill s from the customer row, then take the pair rows of its rank. */
static int
build_story(struct walk *w, sqlite3_stmt *cst, const int *cx, struct why_story *s,
	    struct err *err)
{
	struct pool *pl = &w->pool;
	const char *q = w->wq->q;
	int64_t rank = sqlite3_column_int64(cst, cx[C_RANK]);
	int rc;

	memset(s, 0, sizeof(*s));
	s->tenant_id = pool_dup(pl, col(cst, cx[C_TENANT]));
	s->customer_name = pool_dup(pl, col(cst, cx[C_NAME]));
	s->status = pool_dup(pl, col(cst, cx[C_STATUS]));
	s->reason_code = pool_dup(pl, col(cst, cx[C_CODE]));
	s->reasons = pool_dup(pl, col(cst, cx[C_REASONS]));
	s->fix = pool_dup(pl, col(cst, cx[C_EXPLANATION]));
	s->actor = pool_dup(pl, col(cst, cx[C_ACTOR]));
	s->subscriptions = sqlite3_column_int(cst, cx[C_SUBS]);
	s->attributed_subscriptions = sqlite3_column_int(cst, cx[C_ATTR_SUBS]);
	s->attributed_usage = money_col(pl, cst, cx[C_ATTR_USAGE], col(cst, cx[C_CURRENCY]));
	s->period = w->wq->period;
	s->whole = sqlite3_column_int(cst, cx[C_WHOLE]) != 0;
	if (w->wq->since_from > 0 &&
	    (rc = build_since(pl, w->db, w->wq, s->tenant_id, &s->since, err)) < 0)
		return rc;

	/* The pair rows are in rank order: skip any before this customer, take its own. */
	while (w->prc == SQLITE_ROW && rnum(&w->pr, P_RANK) < rank)
		w->prc = sqlite3_step(w->pr.st);
	for (; w->prc == SQLITE_ROW && rnum(&w->pr, P_RANK) == rank;
	     w->prc = sqlite3_step(w->pr.st)) {
		const struct prow *r = &w->pr;
		const char *sid = rcol(r, P_SUB_ID), *sname = rcol(r, P_SUB_NAME);
		struct why_sub *sub;

		if (!s->whole && q && !str_ieq(sid, q) && !icontains(sname, q))
			continue;
		if (s->n_subs == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 16;
			w->subs = xrealloc(w->subs, w->cap * sizeof(*w->subs));
		}
		sub = &w->subs[s->n_subs++];
		memset(sub, 0, sizeof(*sub));
		sub->subscription_id = pool_dup(pl, sid);
		sub->subscription_name = pool_dup(pl, sname);
		sub->status = pool_dup(pl, rcol(r, P_STATUS));
		sub->reason_code = pool_dup(pl, rcol(r, P_CODE));
		sub->reasons = pool_dup(pl, rcol(r, P_REASONS));
		sub->fix = pool_dup(pl, rcol(r, P_EXPLANATION));
		sub->actor = pool_dup(pl, rcol(r, P_ACTOR));
		sub->identity_name = pool_dup(pl, rcol(r, P_IDENTITY));
		sub->identity_tenant_id = pool_dup(pl, rcol(r, P_IDENTITY_TENANT));
		sub->via_lighthouse = rnum(r, P_VIA_LH) != 0;
		sub->codes = pool_dup(pl, rcol(r, P_CODES));
		sub->has_checks = rnum(r, P_CHOSEN) != 0;
		sub->usage = money_col(pl, r->st, r->ix[P_TOTAL], rcol(r, P_CURRENCY));
		sub->attributed = money_col(pl, r->st, r->ix[P_PAIR_ATTRIBUTED], rcol(r, P_CURRENCY));
		if (sub->has_checks)
			build_checks(pl, sub, r, w->wq->period);
	}
	s->subs = w->subs;
	if (w->prc != SQLITE_ROW && w->prc != SQLITE_DONE)
		return err_set(err, RC_DB, "why: %s", db_errmsg(w->db));
	return 0;
}

int
why_story_each(struct db *db, const struct why_query *wq, why_story_fn fn, void *ctx,
	       size_t *n, struct err *err)
{
	struct walk w;
	sqlite3_stmt *cst = NULL;
	int cx[C_N], rc, step_rc;
	size_t count = 0, limit = wq->limit ? wq->limit : SIZE_MAX;

	memset(&w, 0, sizeof(w));
	w.db = db;
	w.wq = wq;
	w.prc = SQLITE_DONE;
	if (n)
		*n = 0;
	if ((rc = story_prepare(db, wq, err)) < 0)
		return rc;
	if ((rc = db_prepare(db, "@reports/why_customer_rows.sql", &cst, err)) < 0 ||
	    (rc = cols_find(cst, "reports/why_customer_rows.sql", customer_cols, C_N, cx, err)) < 0)
		goto out;
	if ((rc = db_prepare(db, "@reports/why_pairs.sql", &w.pr.st, err)) < 0 ||
	    (rc = cols_find(w.pr.st, "reports/why_pairs.sql", pair_cols, P_N, w.pr.ix, err)) < 0)
		goto out;
	db_bind_text(w.pr.st, ":period", wq->period);
	db_bind_int(w.pr.st, ":limit", limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
	w.prc = sqlite3_step(w.pr.st);
	while ((step_rc = sqlite3_step(cst)) == SQLITE_ROW) {
		struct why_story s;
		if (++count > limit)
			continue;
		if ((rc = build_story(&w, cst, cx, &s, err)) < 0)
			goto out;
		rc = fn(&s, ctx, err);
		pool_reset(&w.pool);
		if (rc < 0)
			goto out;
	}
	if (step_rc != SQLITE_DONE) {
		rc = err_set(err, RC_DB, "why: %s", db_errmsg(db));
		goto out;
	}
	if (n)
		*n = count;
	rc = 0;
out:
	sqlite3_finalize(cst);
	sqlite3_finalize(w.pr.st);
	pool_release(&w.pool);
	free(w.subs);
	return rc;
}

/* ---- text ---- */

struct tout {
	FILE *fp;
	bool colour;
	size_t width;
};

/*
 * Print text word-wrapped to the width: the first line after `lead` (already printed, `used`
 * columns), continuation lines indented by `indent`. Newlines in the text become spaces. A
 * backticked command is one word: it is never broken, so it can be copied whole; one too long
 * for the rest of a line starts the next, and one too long for any line has a line of its own.
 * Widths are display widths (reports/output.h: CJK 2, combining marks 0).
 */
static void
wrap(const struct tout *o, const char *text, size_t used, size_t indent)
{
	size_t pos = used;
	const char *p = text;

	while (*p) {
		while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *e = p;
		bool tick = false;
		while (*e && (tick || (*e != ' ' && *e != '\n' && *e != '\r' && *e != '\t'))) {
			if (*e == '`' && (tick || strchr(e + 1, '`')))
				tick = !tick;
			e++;
		}
		size_t w = out_display_width(p, (size_t)(e - p));
		if (pos > indent && pos + 1 + w > o->width) {
			fprintf(o->fp, "\n%*s", (int)indent, "");
			pos = indent;
		} else if (pos > indent || (pos > used && pos == indent)) {
			fputc(' ', o->fp);
			pos++;
		}
		/* inside a command, a line break of the text is a space */
		for (const char *c = p; c < e; c++)
			fputc(*c == '\n' || *c == '\r' || *c == '\t' ? ' ' : *c, o->fp);
		pos += w;
		p = e;
	}
	fputc('\n', o->fp);
}

/* wrap() for a ';'-separated list: break after each separator. */
static void
wrap_list(const struct tout *o, const char *list, size_t used, size_t indent)
{
	struct buf b = BUF_INIT;

	add_list(&b, list);
	wrap(o, buf_cstr(&b), used, indent);
	buf_release(&b);
}

static void
mark(const struct tout *o, bool ok)
{
	if (o->colour)
		fputs(ok ? "\033[32m[ok]  \033[0m" : "\033[31m[FAIL]\033[0m", o->fp);
	else
		fputs(ok ? "[ok]  " : "[FAIL]", o->fp);
}

/* One step line: "    [ok]   link      text..." wrapped under the text column. */
static void
step(const struct tout *o, const struct why_check *c)
{
	fputs("    ", o->fp);
	mark(o, c->ok);
	fprintf(o->fp, " %-9s", c->name);
	wrap(o, c->evidence, 4 + 6 + 1 + 9, 4 + 6 + 1 + 9);
}

static void
status_word(const struct tout *o, const char *status)
{
	const char *c = strcmp(status, "ATTRIBUTED") == 0 ? "\033[32m"
			: strcmp(status, "MISSING") == 0 ? "\033[31m"
							 : "\033[33m";
	if (o->colour)
		fprintf(o->fp, "%s%s\033[0m", c, status);
	else
		fputs(status, o->fp);
}

static void
render_sub(const struct tout *o, const struct why_sub *sub)
{
	if (sub->has_checks) {
		fputs("\n  Subscription ", o->fp);
		status_word(o, sub->status);
		if (*sub->reason_code)
			fprintf(o->fp, " %s", sub->reason_code);
		fputc(':', o->fp);
		wrap(o, sub->subscription_name,
		     16 + strlen(sub->status) + (*sub->reason_code ? 1 + strlen(sub->reason_code) : 0),
		     6);
		fputs("    id", o->fp);
		wrap(o, sub->subscription_id, 6, 4);
		for (int k = 0; k < WHY_N_CHECKS; k++)
			step(o, &sub->checks[k]);
		fprintf(o->fp, "    %-16s", "reasons");
		wrap_list(o, *sub->reasons ? sub->reasons : "-", 20, 20);
		fprintf(o->fp, "    %-16s", "fix");
		wrap(o, sub->fix, 20, 20);
	} else {
		struct buf b = BUF_INIT;
		buf_printf(&b, "also seen by '%s' (tenant %s): %s", sub->identity_name,
			   sub->identity_tenant_id, *sub->codes ? sub->codes : "passes every check");
		fputs("    ", o->fp);
		wrap(o, buf_cstr(&b), 4, 6);
		buf_release(&b);
	}
}

void
why_story_render_text(FILE *fp, const struct why_story *s, const struct why_text_opts *opts)
{
	struct tout o = { fp, opts && opts->colour, opts && opts->width ? opts->width : WHY_WIDTH };

	if (o.width < 40)	/* the step column alone takes 20 */
		o.width = 40;
	char m[64];

	if (s->since) {
		wrap(&o, s->since, 0, 2);
		fputc('\n', fp);
	}
	fputs("Customer ", fp);
	status_word(&o, s->status);
	if (*s->reason_code)
		fprintf(fp, " %s", s->reason_code);
	fputc(':', fp);
	wrap(&o, s->customer_name,
	     10 + strlen(s->status) + (*s->reason_code ? 1 + strlen(s->reason_code) : 0), 4);
	fputs("  tenant", fp);
	wrap(&o, s->tenant_id, 8, 4);
	/*
	 * The count, unless the fix says it already ("2 of 5 subscriptions attributed, ..."); an
	 * amount only with its currency (none: no cost was read).
	 */
	snprintf(m, sizeof(m), "%d of %d subscription", s->attributed_subscriptions,
		 s->subscriptions);
	if (strncmp(s->fix, m, strlen(m)) != 0) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "%d of %d subscription(s) attributed", s->attributed_subscriptions,
			   s->subscriptions);
		if (*s->attributed_usage.currency) {
			money_text(m, sizeof(m), s->attributed_usage.amount,
				   s->attributed_usage.currency);
			buf_printf(&b, ", %s", m);
		}
		fputs("  ", fp);
		wrap(&o, buf_cstr(&b), 2, 4);
		buf_release(&b);
	}
	if (*s->reasons) {
		fputs("  reasons:", fp);
		wrap_list(&o, s->reasons, 10, 4);
	}
	fputs("  ", fp);
	wrap(&o, s->fix, 2, 2);
	for (size_t i = 0; i < s->n_subs; i++)
		render_sub(&o, &s->subs[i]);
}

/* ---- JSON ---- */

/* Money as the CSV writes it: rounded to cents; null when unknown. */
static cJSON *
json_money(const struct why_money *m)
{
	char num[32];

	if (!m->known)
		return cJSON_CreateNull();
	csv_format_money(m->amount, num, sizeof(num));
	return cJSON_CreateNumber(strtod(num, NULL));
}

/* "A;B" -> ["A","B"] */
static cJSON *
json_codes(const char *list)
{
	cJSON *a = cJSON_CreateArray();
	const char *p = list;

	while (*p) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n > 0) {
			char *s = xmalloc(n + 1);
			memcpy(s, p, n);
			s[n] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(s));
			free(s);
		}
		p += n + (e != NULL);
	}
	return a;
}

cJSON *
why_story_json(const struct why_story *s)
{
	cJSON *o = cJSON_CreateObject(), *subs = cJSON_CreateArray(), *cur = NULL;

	cJSON_AddStringToObject(o, "tenant_id", s->tenant_id);
	cJSON_AddStringToObject(o, "customer_name", s->customer_name);
	cJSON_AddStringToObject(o, "status", s->status);
	cJSON_AddStringToObject(o, "reason_code", s->reason_code);
	cJSON_AddNumberToObject(o, "subscriptions", s->subscriptions);
	cJSON_AddNumberToObject(o, "attributed_subscriptions", s->attributed_subscriptions);
	cJSON_AddItemToObject(o, "attributed_usage", json_money(&s->attributed_usage));
	cJSON_AddStringToObject(o, "currency", s->attributed_usage.currency);
	cJSON_AddStringToObject(o, "explanation", s->fix);
	cJSON_AddStringToObject(o, "actor", s->actor);
	cJSON_AddItemToObject(o, "reasons", json_codes(s->reasons));
	cJSON_AddStringToObject(o, "period", s->period);
	cJSON_AddBoolToObject(o, "whole", s->whole);
	if (s->since)
		cJSON_AddStringToObject(o, "since", s->since);
	else
		cJSON_AddNullToObject(o, "since");
	for (size_t i = 0; i < s->n_subs; i++) {
		const struct why_sub *sub = &s->subs[i];
		if (!sub->has_checks) {
			cJSON *seen;
			if (cur == NULL)	/* seen by others only: no deciding pair told */
				continue;
			seen = cJSON_CreateObject();
			cJSON_AddStringToObject(seen, "identity_name", sub->identity_name);
			cJSON_AddStringToObject(seen, "identity_tenant_id", sub->identity_tenant_id);
			cJSON_AddItemToObject(seen, "codes", json_codes(sub->codes));
			cJSON_AddItemToArray(cJSON_GetObjectItem(cur, "also_seen_by"), seen);
			continue;
		}
		cJSON *checks = cJSON_CreateArray();
		cur = cJSON_CreateObject();
		cJSON_AddStringToObject(cur, "subscription_id", sub->subscription_id);
		cJSON_AddStringToObject(cur, "subscription_name", sub->subscription_name);
		cJSON_AddStringToObject(cur, "status", sub->status);
		cJSON_AddStringToObject(cur, "reason_code", sub->reason_code);
		cJSON_AddStringToObject(cur, "actor", sub->actor);
		cJSON_AddItemToObject(cur, "reasons", json_codes(sub->reasons));
		cJSON_AddStringToObject(cur, "identity_name", sub->identity_name);
		cJSON_AddStringToObject(cur, "identity_tenant_id", sub->identity_tenant_id);
		cJSON_AddBoolToObject(cur, "via_lighthouse", sub->via_lighthouse);
		cJSON_AddItemToObject(cur, "usage", json_money(&sub->usage));
		cJSON_AddItemToObject(cur, "attributed_usage", json_money(&sub->attributed));
		cJSON_AddStringToObject(cur, "currency", sub->usage.currency);
		for (int k = 0; k < WHY_N_CHECKS; k++) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddStringToObject(c, "check", sub->checks[k].name);
			cJSON_AddBoolToObject(c, "ok", sub->checks[k].ok);
			cJSON_AddStringToObject(c, "evidence", sub->checks[k].evidence);
			cJSON_AddItemToArray(checks, c);
		}
		cJSON_AddItemToObject(cur, "checks", checks);
		cJSON_AddStringToObject(cur, "fix", sub->fix);
		cJSON_AddArrayToObject(cur, "also_seen_by");
		cJSON_AddItemToArray(subs, cur);
	}
	cJSON_AddItemToObject(o, "subscription_stories", subs);
	return o;
}

/* ---- no match ---- */

/* Approximate substring distance: edits to make q appear somewhere in name (ASCII case-folded). */
static size_t
fuzzy_distance(const char *q, const char *name)
{
	size_t m = strlen(q), n = strlen(name), best;
	size_t *prev, *cur;

	if (m > 64)
		m = 64;
	if (n > 256)
		n = 256;
	prev = xcalloc(n + 1, sizeof(*prev));
	cur = xcalloc(n + 1, sizeof(*cur));
	for (size_t i = 1; i <= m; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= n; j++) {
			size_t sub = prev[j - 1] + (tolower((unsigned char)q[i - 1]) !=
						    tolower((unsigned char)name[j - 1]));
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		size_t *t = prev;
		prev = cur;
		cur = t;
	}
	best = m;
	for (size_t j = 0; j <= n; j++)
		if (prev[j] < best)
			best = prev[j];
	free(prev);
	free(cur);
	return best;
}

static void
suggest(FILE *fp, struct db *db, const char *period, const char *q)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	char *best[3] = { NULL, NULL, NULL };
	size_t dist[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };
	size_t limit = strlen(q) / 3 + 1;

	if (db_prepare(db, "@reports/why_names.sql", &st, &err) < 0)
		return;
	db_bind_text(st, ":period", period);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = col(st, 0);
		size_t d = fuzzy_distance(q, name);
		if (d > limit)
			continue;
		for (int i = 0; i < 3; i++) {
			if (d < dist[i]) {
				free(best[2]);
				for (int k = 2; k > i; k--) {
					best[k] = best[k - 1];
					dist[k] = dist[k - 1];
				}
				best[i] = xstrdup(name);
				dist[i] = d;
				break;
			}
		}
	}
	sqlite3_finalize(st);
	if (best[0]) {
		fputs("did you mean:", fp);
		for (int i = 0; i < 3 && best[i]; i++)
			fprintf(fp, "%s '%s'", i ? "," : "", best[i]);
		fputc('\n', fp);
	}
	for (int i = 0; i < 3; i++)
		free(best[i]);
}

/*
 * q is a tenant or subscription id that no identity of the period saw: say so, and name what
 * could have seen it (reports/why_unseen.sql): the identities of its tenant (when a run saw it,
 * or an identity signs in to it) that failed to sign in or read their subscriptions, with the
 * error, or that saw no subscription (NO_RBAC); else those of every tenant.
 */
static void
unseen(FILE *fp, struct db *db, const char *period, const char *q)
{
	struct err err = ERR_INIT;
	sqlite3_stmt *st = NULL;
	struct tout o = { fp, false, WHY_WIDTH };
	bool first = true;

	fprintf(fp, "palscope: no identity saw a subscription or tenant %s in %s\n", q, period);
	if (db_prepare(db, "@reports/why_unseen.sql", &st, &err) < 0) {
		log_error("%s", err.msg);
		return;
	}
	db_bind_text(st, ":period", period);
	db_bind_text(st, ":q", q);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *tenants = col(st, 8);
		int n_target = sqlite3_column_int(st, 9);
		if (first) {
			if (*col(st, 5))
				fprintf(fp, "  (%s saw it as subscription '%s' of tenant %s)\n",
					col(st, 5), col(st, 6), col(st, 7));
			if (sqlite3_column_type(st, 0) != SQLITE_NULL)
				fprintf(fp, "  what could have seen it%s%s:\n",
					*tenants ? ", identities of tenant " : "", tenants);
			first = false;
		}
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			if (*tenants && n_target == 0)
				fprintf(fp, "  no identity of tenant %s is in the runs of %s: add "
					    "one to the accounts file (or import its files) and "
					    "collect again\n",
					tenants, period);
			else
				fprintf(fp, "  every identity%s%s of %s signed in and read its "
					    "subscription list, and none lists it: an identity with "
					    "a role on it (or a Lighthouse delegation) must be in the "
					    "accounts file\n",
					*tenants ? " of tenant " : "", tenants, period);
		} else if (*col(st, 2)) {
			fputs("  - ", fp);
			wrap(&o, col(st, 3), 4, 4);
		} else {
			struct buf b = BUF_INIT;
			buf_printf(&b, "'%s' signed in to tenant %s but sees no subscription (NO_RBAC): "
				       "a role on the subscription, or a Lighthouse delegation to it, "
				       "would show it",
				   col(st, 0), col(st, 1));
			fputs("  - ", fp);
			wrap(&o, buf_cstr(&b), 4, 4);
			buf_release(&b);
		}
	}
	sqlite3_finalize(st);
}

int
why_story_no_match(FILE *fp, struct db *db, const char *period, const char *q, struct err *err)
{
	int rc;

	if ((rc = report_why_unscope(db, err)) < 0 || (rc = report_why_prepare(db, period, err)) < 0)
		return rc;
	if (is_guid(q)) {
		unseen(fp, db, period, q);
	} else {
		fprintf(fp, "palscope: no customer or subscription matches '%s' in %s\n", q, period);
		suggest(fp, db, period, q);
	}
	return 0;
}
