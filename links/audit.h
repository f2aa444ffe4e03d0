/*
 * The link audit log (tables link_batch and link_change, migration 0004).
 * A change is recorded before its request is sent (outcome "pending") and
 * completed with the answer, so an interrupted run leaves evidence of what
 * it was doing. Nothing secret is passed in or stored.
 */
#ifndef PALSCOPE_LINKS_AUDIT_H
#define PALSCOPE_LINKS_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

struct db;
struct link_audit;

struct link_batch_info {
	const char *command;		/* "apply" or "remove" */
	const char *partner_id;
	bool allow_update;
	const char *only_missing_from;	/* NULL when not given */
	const char *arm_url;
	int identities;
};

struct link_change_start {
	const char *identity;		/* account_name() */
	const char *client_id;
	const char *tenant_id;
	const char *object_id;
	const char *operation;		/* create | update | remove */
	const char *method;		/* PUT | PATCH | DELETE */
	const char *partner_before;	/* NULL: not linked */
};

struct link_change_end {
	bool ok;
	const char *partner_after;	/* NULL: not linked */
	long http_status;		/* 0: no response */
	const char *request_id;
	const char *error_code, *error_message, *explanation;
};

/* Start a batch; *out is freed by link_audit_end. */
int link_audit_begin(struct db *db, const struct link_batch_info *info, struct link_audit **out,
		     struct err *err);
int64_t link_audit_batch_id(const struct link_audit *a);

/* Record a change about to be sent; *change_id identifies it for change_end. */
int link_audit_change_begin(struct link_audit *a, const struct link_change_start *c,
			    int64_t *change_id, struct err *err);
int link_audit_change_end(struct link_audit *a, int64_t change_id, const struct link_change_end *e,
			  struct err *err);

/* Close the batch with its status (complete | partial | incomplete) and free a. */
int link_audit_end(struct link_audit *a, const char *status, int changed, int failed,
		   struct err *err);

/* One row of `link history`; pointers valid during the callback only. */
struct link_history_row {
	int64_t change_id, batch_id;
	const char *command, *started_at, *finished_at, *identity, *client_id, *tenant_id,
		*object_id, *operation, *method, *partner_before, *partner_after, *outcome,
		*request_id, *error_code, *error_message, *explanation;
	long http_status;		/* 0 when none */
};

/*
 * Every change, oldest first; tenant_id NULL = all; limit < 0 = all, else
 * the newest `limit`. fn returns 0 to go on.
 */
int link_audit_history(struct db *db, const char *tenant_id, long limit,
		       int (*fn)(const struct link_history_row *row, void *payload), void *payload,
		       struct err *err);

#endif
