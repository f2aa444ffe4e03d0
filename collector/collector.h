/*
 * A collection: for every identity, sign in, then read its partner link,
 * tenants, subscriptions and, per subscription, role assignments, role
 * definitions (each once per run), Lighthouse delegations and daily cost,
 * all through one HTTP engine. Every record goes to the sink; every request
 * that failed after retries becomes a REC_FAILURE record, so "no data" is
 * never confused with "could not read". One identity's failure never stops
 * the others.
 */
#ifndef PALSCOPE_COLLECTOR_COLLECTOR_H
#define PALSCOPE_COLLECTOR_COLLECTOR_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "collector/accounts.h"
#include "collector/http.h"
#include "collector/session.h"
#include "collector/user_tenants.h"
#include "model/records.h"

struct collect_opts {
	struct azure_endpoint ep;
	const char *period;	/* YYYY-MM */
	bool progress;		/* draw a progress line on stderr */
	struct user_credential *user; /* the signed-in user (AUTH_USER identities), or NULL */
	/* the user's (or az's, collect --az) GET /tenants pages read at sign-in
	 * (cli_user_accounts, cli_az_accounts), or NULL: see collector.c, user_tenants_wanted() */
	const struct user_tenant_pages *user_tenant_pages;
};

struct collect_summary {
	int identities, identities_ok, identities_failed;
	long subscriptions, role_assignments, cost_rows;
	long requests, retries, throttled, failures;
	double seconds;
};

/*
 * Collect for accounts->v[i] under sink identity ids[i]. Returns 0 when the
 * run finished (some identities may have failed: see sum), or a negative
 * RC_* when it could not go on (a sink error; then *stop is set too). When
 * *stop becomes non-zero (a signal), the run ends early and returns 0 with
 * sum->seconds set; the caller marks the run incomplete.
 */
int collect_run(const struct collect_opts *o, const struct accounts *accounts, const int64_t *ids,
		const struct sink *sink, volatile sig_atomic_t *stop, struct collect_summary *sum,
		struct err *err);

/* Default retry policy: 6 tries, 1 s doubling backoff, 60 s cap. */
struct retry_policy collect_default_retry(void);

#endif
