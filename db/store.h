/*
 * Writing a run: the sink that turns model records into rows. Data is
 * written in transactions committed every few hundred milliseconds, so an
 * interrupted run keeps what it had and stays marked 'running' (read as
 * incomplete) unless store_end_run marks it otherwise; earlier runs are
 * never touched.
 */
#ifndef PALSCOPE_DB_STORE_H
#define PALSCOPE_DB_STORE_H

#include <stdbool.h>

#include "db/db.h"
#include "model/records.h"

struct store;

struct run_info {
	const char *kind;	/* collect | import */
	const char *period;	/* YYYY-MM */
	const char *cloud;
	const char *arm_url;
	const char *const *partner_ids;
	size_t n_partner_ids;
	bool partial_period;	/* collected before the period ended (run.partial_period) */
};

/* Insert the run row (committed at once) and open the first data transaction. */
int store_begin_run(struct db *db, const struct run_info *info, struct store **out,
		    struct err *err);

/*
 * As store_begin_run, but the run row is not committed on its own: the whole
 * run is one transaction (for imports), so store_abort leaves the database as
 * it was. Do not call store_checkpoint on such a store.
 */
int store_begin_run_tx(struct db *db, const struct run_info *info, struct store **out,
		       struct err *err);

int64_t store_run_id(const struct store *s);

/* One identity of the run; *out is its id for sink calls. */
int store_add_identity(struct store *s, const char *tenant_id, const char *client_id,
		       const char *label, const char *auth_kind, int source_line, int64_t *out,
		       struct err *err);

/* As store_add_identity, with a signed-in user's user principal name (identity.upn). */
int store_add_user_identity(struct store *s, const char *tenant_id, const char *client_id,
			    const char *label, const char *auth_kind, const char *upn,
			    int source_line, int64_t *out, struct err *err);

/* The sink interface (struct sink.emit); payload is the struct store. */
int store_emit(void *payload, enum rec_type type, int64_t identity, const void *rec);

/* The first error a failing store_emit hit (for the caller's message). */
const struct err *store_last_error(const struct store *s);

/* Commit what is pending if the last commit is older than ~250 ms. */
int store_checkpoint(struct store *s, struct err *err);

/*
 * Commit, write the status ('complete', 'partial' or 'incomplete') and the
 * counts, and free the store. requests/retries come from the engine.
 */
int store_end_run(struct store *s, const char *status, long requests, long retries,
		  struct err *err);

/* Roll back the open transaction and free the store; the run row stays 'running'. */
void store_abort(struct store *s);

#endif
