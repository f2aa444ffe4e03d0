/*
 * palscope import: a run made from files instead of API calls. Each file is
 * recognised by its content (az CLI JSON, ARM bodies saved from `az rest`,
 * Cost Management CSVs), checked against the import's tenant, and turned
 * into the same records the collector produces (model/records.h), written
 * through the same sink.
 *
 * The identity's object id is, in this order: --object-id; the objectId of
 * the partner link file; the one principal that holds the direct (non-group)
 * role assignments in the role assignment files. Group assignments (listed
 * by `az role assignment list --include-groups`) are kept only with
 * include_groups; assignments of any other principal are dropped.
 *
 * Lifecycle: import_new, import_add_file (or import_add_buffer) per file,
 * import_finish (decides object id and period, lists what is missing),
 * import_emit to a sink, import_free. import_run does all of it against a
 * database in one transaction.
 */
#ifndef PALSCOPE_IMPORT_IMPORT_H
#define PALSCOPE_IMPORT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "model/records.h"

struct db;

struct import_opts {
	const char *tenant;			/* --tenant, a GUID */
	const char *const *partner_ids;
	size_t n_partner_ids;
	const char *period;			/* NULL: from the cost data, else previous month */
	const char *object_id;			/* NULL: from the files */
	const char *label;			/* NULL: "import" */
	bool include_groups;
};

/* Lines for the user: what each file was taken as, then what is missing. */
struct import_notes {
	char **v;
	size_t n;
};

void import_notes_release(struct import_notes *notes);

struct import;

/* The options are borrowed and must outlive the import. */
struct import *import_new(const struct import_opts *opts);
void import_free(struct import *im);

/* Read one file. Errors name the file (and line and column where there are lines). */
int import_add_file(struct import *im, const char *path, struct err *err);

/* As import_add_file on a memory buffer (tests, fuzzing). */
int import_add_buffer(struct import *im, const char *name, const void *data, size_t len,
		      struct err *err);

/* After the last file: object id, period, consistency checks, the "missing" notes. */
int import_finish(struct import *im, struct err *err);

/* The period ("YYYY-MM") and object id ("" when unknown) after import_finish. */
const char *import_period(const struct import *im);
const char *import_object_id(const struct import *im);

/* Every record of the import, for identity (REC_IDENTITY_OK last). */
int import_emit(struct import *im, const struct sink *sink, int64_t identity, struct err *err);

/* Notes so far; the import keeps ownership. */
const struct import_notes *import_get_notes(const struct import *im);

/* import_add_file for each file, then import_finish. */
int import_load(struct import *im, char *const *files, size_t n, struct err *err);

/*
 * Store a loaded import into db as one run (kind 'import', one identity) in
 * a single transaction: on any error nothing is stored. *run_id: the new run.
 */
int import_store(struct db *db, struct import *im, int64_t *run_id, struct err *err);

/*
 * The whole import into db as one run (kind 'import', one identity), in a
 * single transaction: on any error nothing is stored. notes gets the lines
 * to print (caller releases), *run_id the new run.
 */
int import_run(struct db *db, const struct import_opts *opts, char *const *files, size_t n,
	       struct import_notes *notes, int64_t *run_id, struct err *err);

#endif
