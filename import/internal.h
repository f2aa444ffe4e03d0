/*
 * What the files of one import share while they are read (import/ only; the public interface
 * is import.h). The import is split by input kind:
 *   import.c    the dispatcher (a file's first bytes say what it is: JSON, az text, CSV), the
 *               lifecycle, and storing the run;
 *   az.c        az CLI outputs: `az account list` and flattened role definitions (JSON), and
 *               az's text: ERROR/WARNING lines, empty output, `null`;
 *   arm_body.c  JSON parsed and classified; ARM response bodies (`az rest` output, and the az
 *               lists that have the ARM shape) read through arm/'s parsers: partner link, ARM
 *               errors, subscriptions, tenants, role assignments and definitions, Lighthouse,
 *               cost query responses;
 *   cost.c      cost exports (CSV) and the daily cost aggregate (cost.h);
 *   identity.c  after the last file: the identity's object id and period, what is missing, and
 *               the records it makes up.
 */
#ifndef PALSCOPE_IMPORT_INTERNAL_H
#define PALSCOPE_IMPORT_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/smap.h"
#include "common/util.h"
#include "import/cost.h"
#include "import/import.h"
#include "model/records.h"

#define MAX_JSON_FILE (64u * 1024 * 1024)
#define MAX_JSON_STRING (64u * 1024)	/* no az or ARM value is longer */
#define MAX_NAME_BYTES 256	/* display names, user names, --label */

enum file_kind {
	FK_LINK,		/* az managementpartner show / GET .../partners */
	FK_LINK_NONE,		/* empty or NotFound: not linked */
	FK_LINK_ERROR,		/* another error: the link could not be read */
	FK_ACCOUNTS,		/* az account list / show */
	FK_SUBSCRIPTIONS,	/* az account subscription list / GET /subscriptions */
	FK_TENANTS,		/* az account tenant list / GET /tenants */
	FK_ROLE_ASSIGNMENTS,
	FK_ROLE_DEFINITIONS,
	FK_LIGHTHOUSE,
	FK_COST_QUERY,
	FK_COST_CSV,
	FK_EMPTY_LIST,
};

enum entry_kind {
	E_UNKNOWN,
	E_ACCOUNT,
	E_SUBSCRIPTION,
	E_TENANT,
	E_ROLE_ASSIGNMENT,
	E_ROLE_DEFINITION,
	E_LIGHTHOUSE,
};

struct jfile {
	char *name;
	enum file_kind kind;
	cJSON *root;	/* the parsed file */
	cJSON *list;	/* borrowed: the entries (root, root.value or a wrapper) */
	cJSON *wrap;	/* owned {"value": list} wrapper with references, or NULL */
	char *raw;	/* the text (link files only) */
	char *error;	/* FK_LINK_ERROR: code and message */
	size_t n_unknown_sub;	/* role assignments whose subscription is not in the file */
	struct smap ra_subs;	/* the subscriptions its role assignments were listed for */
};

struct sub {
	char id[37];
	char *name, *tenant, *state, *quota, *spending, *placement, *authsrc;
	char **managed;
	size_t n_managed;
};

struct import {
	const struct import_opts *o;
	struct jfile *files;
	size_t n_files;
	int link_file;		/* index or -1 */
	bool have_subs_source;
	struct sub **subs;	/* in order of first appearance */
	size_t n_subs;
	struct smap sub_index;	/* id -> struct sub * */
	struct smap other_subs;	/* subscriptions listed for other tenants -> that tenant */
	char *tenant_name, *tenant_domain, *user_name;
	struct smap ra_subs;	/* subscriptions with role assignment data */
	struct smap lh_subs;	/* subscriptions with Lighthouse data */
	struct smap direct;	/* direct principals of role assignments -> count */
	struct smap roles_used;	/* role GUIDs referenced -> role name or NULL */
	struct smap roles_defined;
	size_t n_group_assignments;
	struct cost_agg cost;
	bool have_cost;
	int cost_file_no;
	struct smap cost_query_no;	/* subscription -> file number of its query pages */
	long cost_rows_seen;	/* rows of the cost query response being read */
	struct import_notes notes;
	char oid[37];
	char period[8];
	bool finished;
	/* phase 2 counters */
	size_t kept, dropped_groups, dropped_other, n_not_imported;
	const struct sink *out;
	int64_t identity;
	const char *emit_file;
	struct err *emit_err;
};


/* import.c: notes, ids, the subscription table, files */
void imp_note(struct import *im, const char *fmt, ...) PRINTFLIKE(2, 3);
void imp_lower_guid(const char *in, char *out);
/* The subscription GUID after "subscriptions/" in an id, lowercased; false if none. */
bool imp_id_subscription(const char *id, char *out);
/* The one subscription of the import, or NULL when there are none or several. */
const char *imp_only_subscription(const struct import *im);
/* Does an error code or message say "not found" / "not linked"? */
bool imp_not_found_text(const char *code, const char *msg);
/* The subscription of id (created on first sight, in order of appearance). */
struct sub *imp_sub_get(struct import *im, const char *id);
/* *dst = a copy of v unless *dst is set already or v is empty. */
void imp_fill(char **dst, const char *v);
void imp_sub_free(struct sub *s);
void imp_sub_add_managed(struct sub *s, const char *tid);
struct jfile *imp_new_jfile(struct import *im, const char *name, enum file_kind kind);
/* The last file is the partner link file; an error if there is one already. */
int imp_set_link_file(struct import *im, const char *name, struct err *err);

/* az.c */
int imp_load_accounts(struct import *im, struct jfile *f, struct err *err);
/* Each role definition of f (az's flattened form or ARM's) to sink. */
int imp_each_definition(struct import *im, struct jfile *f, const struct sink *sink,
			struct err *err);
/* Is this az's error output? *at is the offset of the ERROR line. */
bool imp_az_error_text(const char *data, size_t len, size_t *at);
int imp_load_error_text(struct import *im, const char *name, const char *data, size_t len,
			size_t at, struct err *err);
/* An empty file (raw "") or az's "null": a principal with no partner link. */
int imp_load_unlinked(struct import *im, const char *name, const char *raw, struct err *err);

/* arm_body.c */
int imp_load_json(struct import *im, const char *name, const char *data, size_t len,
		  struct err *err);
/* Sinks of import_emit: the identity's role assignments, Lighthouse assignments. */
int imp_forward_assignment(void *payload, enum rec_type type, int64_t identity, const void *rec);
int imp_forward_lighthouse(void *payload, enum rec_type type, int64_t identity, const void *rec);

#endif
