/*
 * Partner link management on the signed-in session (collector/session.h):
 * for every identity, sign in, read its current link
 * (GET /providers/Microsoft.ManagementPartner/partners), decide with
 * link_plan_decide and, for apply/remove, send the change (PUT, PATCH or
 * DELETE .../partners/{id}). Every change is recorded in the audit log
 * before it is sent and completed when the answer arrives.
 *
 * Idempotent: nothing is written without reading the link first, and a
 * create that answers "conflict" (or an update/remove that answers "not
 * found") is checked by reading the link again, so a retried or re-run
 * change is never made twice. One identity's failure never stops the others.
 */
#ifndef PALSCOPE_LINKS_EXEC_H
#define PALSCOPE_LINKS_EXEC_H

#include <signal.h>
#include <stdbool.h>

#include "collector/accounts.h"
#include "collector/session.h"
#include "collector/http.h"
#include "common/err.h"
#include "links/plan.h"

struct link_audit;

enum link_cmd { LINK_CMD_SHOW, LINK_CMD_PLAN, LINK_CMD_APPLY, LINK_CMD_REMOVE };

struct link_run_opts {
	enum link_cmd cmd;
	struct azure_endpoint ep;
	const char *partner_id;	/* plan/apply/remove */
	bool allow_update;	/* --update */
	const bool *selected;	/* per account (same order); NULL = all */
	struct link_audit *audit; /* apply/remove: where changes are recorded */
	struct user_credential *user; /* the signed-in user (AUTH_USER identities), or NULL */
};

enum link_outcome {
	LINK_O_NONE,		/* no change was sent */
	LINK_O_OK,		/* the change was made (or found already made) */
	LINK_O_FAILED,		/* the change was refused or could not be made */
	LINK_O_PENDING,		/* interrupted while the change was in flight */
};

struct link_result {
	const struct account *acct;
	bool selected;
	bool signed_in;
	char oid[37];		/* the token's oid claim */
	bool read_ok;		/* the current link was read */
	bool linked;		/* ... and it is a link (Active) */
	char partner_id[24], partner_name[160], state[24], created_time[40], updated_time[40];
	char link_object_id[40];
	struct link_decision d;
	enum link_outcome outcome;
	char after[24];		/* partner ID after the change ("" = not linked) */
	long http_status;	/* of the change request (0: none) */
	char request_id[80];
	char error_code[80];
	char error_message[512]; /* Azure's message as received */
	bool failed;		/* sign-in, read or change failed */
	char explanation[1024];	/* plain words: why it failed, or a note */
};

struct link_run_stats {
	int identities, selected, created, updated, removed, unchanged, skipped, failed, pending;
	long requests, retries, throttled;
	double seconds;
};

/*
 * Run o->cmd for every account; res has accts->n entries (filled in).
 * Returns 0, or negative with err set when the run itself failed (the
 * per-identity failures are in res and st).
 */
int link_run(const struct link_run_opts *o, const struct accounts *accts, struct link_result *res,
	     volatile sig_atomic_t *stop, struct link_run_stats *st, struct err *err);

#endif
