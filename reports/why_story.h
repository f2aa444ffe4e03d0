/*
 * The `why` story of a customer as data: who the customer is, its status and reasons, and per
 * subscription the checks identity -> offer -> link -> role -> scope -> cost of the deciding
 * identity, each ok or failed with its evidence, the reason codes and the fix (texts from
 * sql/views/12_reason_code.sql through subscription_status/customer_status: the rules are not
 * spelt again here). `palscope why` renders it as text (why_story_render_text), as JSON and as
 * one row per check; the HTML report embeds it.
 *
 * The stories are built in one pass over the rule views' rows for every matching customer at
 * once (sql/scripts/why_customers.sql, then sql/reports/why_pairs.sql grouped by customer), in
 * customer-name order; nothing is held beyond one customer's story. Without q the rule views
 * are evaluated for the whole period, as `report customers` does.
 *
 * Usage (the HTML report: every customer of a period):
 *
 *	struct why_query wq = WHY_QUERY_INIT;
 *	wq.period = "2026-10";		// required
 *	wq.q = NULL;			// NULL: every customer of the period
 *	wq.by_tenant = true;		// in report customers' order
 *	if (why_story_each(db, &wq, my_fn, my_ctx, &n, err) < 0) ...
 *
 *	static int my_fn(const struct why_story *s, void *ctx, struct err *err)
 *	{
 *		for (size_t i = 0; i < s->n_subs; i++) {
 *			const struct why_sub *sub = &s->subs[i];
 *			if (!sub->has_checks) continue;	// only seen by other identities
 *			for (int k = 0; k < WHY_N_CHECKS; k++)
 *				... sub->checks[k].name, .ok, .evidence ...
 *			... sub->fix, sub->reasons, sub->codes ...
 *		}
 *		return 0;	// < 0 (with err set) stops the walk and is returned
 *	}
 *
 * The story and its strings live until the callback returns: copy what you keep. For `why q`,
 * set wq.q (the customers and subscriptions q names, evaluated only for them:
 * sql/scripts/why_scope.sql) and wq.limit (how many stories to build; *n still counts every
 * match). wq.since_from/since_to: the --since story (reports/diff.h: diff_prepare first).
 */
#ifndef PALSCOPE_REPORTS_WHY_STORY_H
#define PALSCOPE_REPORTS_WHY_STORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

struct db;

/* The checks of a subscription, in the order they are told. */
enum why_check_kind {
	WHY_CHECK_IDENTITY,	/* the identity signed in and read what it needs */
	WHY_CHECK_OFFER,	/* the subscription: state, offer, cloud */
	WHY_CHECK_LINK,		/* Partner Admin Link on the identity, and its partner ID */
	WHY_CHECK_ROLE,		/* an eligible role, since when */
	WHY_CHECK_SCOPE,	/* where that role applies, and whether it covers the usage */
	WHY_CHECK_COST,		/* usage and attributed usage in the period */
	WHY_N_CHECKS
};

struct why_check {
	const char *name;	/* "identity", "offer", "link", "role", "scope", "cost" */
	bool ok;
	const char *evidence;	/* one sentence, no newline */
};

/* An amount of money; currency "" when the database has none for it. */
struct why_money {
	double amount;
	bool known;		/* false: the view gave NULL (no cost read) */
	const char *currency;
};

/*
 * One (subscription, identity) pair of the story. The deciding pair of a subscription comes
 * first with has_checks set; the other identities that see the same subscription follow
 * (has_checks false: identity and codes only).
 */
struct why_sub {
	const char *subscription_id, *subscription_name;
	const char *status;		/* ATTRIBUTED | MISSING | UNKNOWN | ... (subscription_status) */
	const char *reason_code;	/* the deciding reason, "" when attributed */
	const char *reasons;		/* every reason code, ';'-separated, "" when none */
	const char *fix;		/* the explanation: what to do (reason_code's text) */
	const char *actor;		/* who must act on fix: partner|customer|none, "" (reason_code) */
	const char *identity_name, *identity_tenant_id;
	bool via_lighthouse;
	const char *codes;		/* this pair's failing checks, ';'-separated */
	bool has_checks;
	struct why_check checks[WHY_N_CHECKS];
	struct why_money usage;		/* the pair's total cost in the period */
	struct why_money attributed;	/* known only when the pair is attributed */
};

struct why_story {
	const char *tenant_id, *customer_name;
	const char *status;		/* customer_status.status */
	const char *reason_code;	/* "" when attributed */
	const char *reasons;		/* ';'-separated */
	const char *fix;		/* customer_status.explanation */
	const char *actor;		/* who must act on fix: partner|customer|none, "" (reason_code) */
	int subscriptions, attributed_subscriptions;
	struct why_money attributed_usage;
	const char *period;
	bool whole;			/* the customer itself matched: every subscription is told */
	const char *since;		/* the --since sentence, NULL when not asked */
	size_t n_subs;
	struct why_sub *subs;
};

struct why_query {
	const char *period;		/* YYYY-MM */
	const char *q;			/* tenant id, subscription id or part of a name; NULL: all */
	size_t limit;			/* stories to build, 0 = all */
	bool full;			/* evaluate the whole period even for q (comparison) */
	bool by_tenant;			/* tenant-id order (report customers'), not name order */
	int64_t since_from, since_to;	/* the --since runs, 0 = none */
	const char *since_from_period, *since_to_period;
};

#define WHY_QUERY_INIT { NULL, NULL, 0, false, false, 0, 0, NULL, NULL }

typedef int (*why_story_fn)(const struct why_story *s, void *ctx, struct err *err);

/*
 * Build the story of each customer wq names (every customer of the period when wq->q is NULL)
 * in customer-name order (wq->by_tenant: tenant-id order) and call fn with it. *n (may be
 * NULL) gets the number of matching customers (stories built: at most wq->limit). Returns 0, fn's negative value, or RC_DB.
 * Leaves the connection scoped to q (why_story_no_match goes back to the whole period).
 */
int why_story_each(struct db *db, const struct why_query *wq, why_story_fn fn, void *ctx,
		   size_t *n, struct err *err);

/* Text rendering: today's `palscope why` story, word-wrapped to width columns. */
struct why_text_opts {
	bool colour;		/* ANSI colour for marks and statuses */
	size_t width;		/* columns, 80 by default (0) */
};

void why_story_render_text(FILE *fp, const struct why_story *s, const struct why_text_opts *o);

/*
 * The story as a JSON object (the caller owns it; field names in man/palscope-why.1.scd):
 * the customer's `report customers` fields (tenant_id, customer_name, status, reason_code,
 * subscriptions, attributed_subscriptions, attributed_usage, currency, explanation), actor,
 * reasons (array of codes), period, whole, since (string or null), and subscription_stories: per
 * deciding pair subscription_id, subscription_name, status, reason_code, actor, reasons,
 * identity_name, identity_tenant_id, via_lighthouse, usage, attributed_usage (null: not
 * attributed), currency, checks [{check, ok, evidence}] in order, fix, also_seen_by
 * [{identity_name, identity_tenant_id, codes}]. Money rounded to cents as the CSV writes it.
 */
struct cJSON;
struct cJSON *why_story_json(const struct why_story *s);

/*
 * Nothing matched q: say so on fp, then what could have seen it (an id:
 * sql/reports/why_unseen.sql) or up to three names like it ("did you mean"), evaluated over the
 * whole period (the scope why_story_each left is dropped first). Returns 0 or RC_DB.
 */
int why_story_no_match(FILE *fp, struct db *db, const char *period, const char *q,
		       struct err *err);

#endif
