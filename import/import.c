/*
 * palscope import: the dispatcher (each file is taken by its first bytes: JSON to arm_body.c, az's
 * text output to az.c, anything else as a CSV to cost.c), the shared helpers of internal.h, the
 * lifecycle, and storing the run (import.h).
 */
#include "import/internal.h"
#include "common/buf.h"
#include "common/csvin.h"
#include "common/util.h"
#include "common/xalloc.h"
#include "db/db.h"
#include "db/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void
imp_note(struct import *im, const char *fmt, ...)
{
	va_list ap;
	struct buf b = BUF_INIT;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	buf_adds(&b, tmp);
	im->notes.v = xrealloc(im->notes.v, (im->notes.n + 1) * sizeof(*im->notes.v));
	im->notes.v[im->notes.n++] = buf_detach(&b);
}

void
import_notes_release(struct import_notes *notes)
{
	for (size_t i = 0; i < notes->n; i++)
		free(notes->v[i]);
	free(notes->v);
	notes->v = NULL;
	notes->n = 0;
}

void
imp_lower_guid(const char *in, char *out)
{
	for (int i = 0; i < 36; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[36] = '\0';
}

/* The subscription GUID after "subscriptions/" in an id, lowercased; false if none. */
bool
imp_id_subscription(const char *id, char *out)
{
	const char *p = id;

	while (p && *p) {
		if (str_istarts(p, "subscriptions/") && (p == id || p[-1] == '/')) {
			char g[37];
			p += 14;
			if (strlen(p) < 36)
				return false;
			memcpy(g, p, 36);
			g[36] = '\0';
			if (!is_guid(g) || (p[36] != '\0' && p[36] != '/'))
				return false;
			imp_lower_guid(g, out);
			return true;
		}
		p = strchr(p, '/');
		if (p)
			p++;
	}
	return false;
}

const char *
imp_only_subscription(const struct import *im)
{
	return im->n_subs == 1 ? im->subs[0]->id : NULL;
}

bool
imp_not_found_text(const char *code, const char *msg)
{
	const char *texts[] = { code, msg };

	for (int i = 0; i < 2; i++) {
		const char *t = texts[i];
		for (; t && *t; t++)
			if (str_istarts(t, "notfound") || str_istarts(t, "not found") ||
			    str_istarts(t, "not linked") || str_istarts(t, "no partner"))
				return true;
	}
	return false;
}

struct sub *
imp_sub_get(struct import *im, const char *id)
{
	char key[37];
	int created;

	imp_lower_guid(id, key);
	void **slot = smap_slot(&im->sub_index, key, &created);
	if (created) {
		struct sub *s = xcalloc(1, sizeof(*s));
		memcpy(s->id, key, sizeof(key));
		*slot = s;
		im->subs = xrealloc(im->subs, (im->n_subs + 1) * sizeof(*im->subs));
		im->subs[im->n_subs++] = s;
	}
	return *slot;
}

void
imp_fill(char **dst, const char *v)
{
	if (*dst == NULL && v && *v)
		*dst = xstrdup(v);
}

void
imp_sub_free(struct sub *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s->tenant);
	free(s->state);
	free(s->quota);
	free(s->spending);
	free(s->placement);
	free(s->authsrc);
	for (size_t i = 0; i < s->n_managed; i++)
		free(s->managed[i]);
	free(s->managed);
	free(s);
}

void
imp_sub_add_managed(struct sub *s, const char *tid)
{
	for (size_t i = 0; i < s->n_managed; i++)
		if (str_ieq(s->managed[i], tid))
			return;
	s->managed = xrealloc(s->managed, (s->n_managed + 1) * sizeof(*s->managed));
	s->managed[s->n_managed++] = xstrdup(tid);
}

struct jfile *
imp_new_jfile(struct import *im, const char *name, enum file_kind kind)
{
	im->files = xrealloc(im->files, (im->n_files + 1) * sizeof(*im->files));
	struct jfile *f = &im->files[im->n_files++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->kind = kind;
	return f;
}

int
imp_set_link_file(struct import *im, const char *name, struct err *err)
{
	if (im->link_file >= 0)
		return err_set(err, RC_PARSE,
			       "%s: a second partner link file (the first is '%s'): one import is "
			       "one identity",
			       name, im->files[im->link_file].name);
	im->link_file = (int)im->n_files - 1;
	return 0;
}

static int
load_csv(struct import *im, struct csvin *c, struct err *err)
{
	static const char *const pc_names[] = { "PartnerAttributionType", "AttributionType",
						 NULL };
	struct cost_file_info info;
	int rc;

	if (!cost_csv_detect(c)) {
		if (csvin_find(c, pc_names) >= 0)
			return err_set(err, RC_PARSE,
				       "%s: a Partner Center download: use 'palscope reconcile "
				       "--partner-center %s'",
				       csvin_name(c), csvin_name(c));
		return err_set(err, RC_PARSE,
			       "%s:1: unknown file type: not az CLI JSON, az error output or a cost "
			       "export CSV (a cost CSV needs a cost column such as Cost or "
			       "CostInBillingCurrency, a Date and a SubscriptionId)",
			       csvin_name(c));
	}
	imp_new_jfile(im, csvin_name(c), FK_COST_CSV);
	rc = cost_csv_read(c, im->o->tenant, &im->cost, ++im->cost_file_no, &info, err);
	if (rc < 0)
		return rc;
	im->have_cost = true;
	char delim[8];
	snprintf(delim, sizeof(delim), "%s", csvin_delim(c) == '\t' ? "tab" :
					     csvin_delim(c) == ';' ? "';'" : "','");
	imp_note(im, "%s: %s, %s-separated%s%s%s (%ld row%s, %zu subscription%s)", csvin_name(c),
		 info.layout, delim, info.date_format[0] ? ", " : "", info.date_format,
		 info.date_format[0] ? " dates" : "", info.rows, info.rows == 1 ? "" : "s",
		 info.subscriptions, info.subscriptions == 1 ? "" : "s");
	if (info.rows_no_subscription)
		imp_note(im, "%s: %ld row%s without a subscription (billing-account charges) ignored",
			 csvin_name(c), info.rows_no_subscription,
			 info.rows_no_subscription == 1 ? "" : "s");
	return 0;
}

/* First non-space byte after a BOM; 0 when none. */
static int
first_byte(const unsigned char *p, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && isspace(p[i]))
		i++;
	return i < len ? p[i] : 0;
}

/* Is the text the JSON literal null (what az prints for a command that returned nothing)? */
static bool
is_json_null(const unsigned char *p, size_t len)
{
	size_t i = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

	while (i < len && isspace(p[i]))
		i++;
	if (len - i < 4 || memcmp(p + i, "null", 4) != 0)
		return false;
	for (i += 4; i < len; i++)
		if (!isspace(p[i]))
			return false;
	return true;
}

int
import_add_buffer(struct import *im, const char *name, const void *data, size_t len,
		  struct err *err)
{
	const unsigned char *p = data;
	int fb = first_byte(p, len);
	struct csvin *c = NULL;
	int rc;

	if (fb == 0)
		return imp_load_unlinked(im, name, "", err);
	if (fb == '{' || fb == '[') {
		size_t skip = len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		return imp_load_json(im, name, (const char *)p + skip, len - skip, err);
	}
	size_t at;
	if (imp_az_error_text(data, len, &at))
		return imp_load_error_text(im, name, data, len, at, err);
	if (at > 0 && at < len && (p[at] == '{' || p[at] == '[')) {
		/* az's WARNING lines, then the JSON: blank them out (positions stay right) */
		char *copy = xmalloc(len);
		memcpy(copy, data, len);
		for (size_t i = 0; i < at; i++)
			if (copy[i] != '\n' && copy[i] != '\r')
				copy[i] = ' ';
		rc = imp_load_json(im, name, copy, len, err);
		free(copy);
		if (rc == 0)
			imp_note(im, "%s: the az warnings before the JSON were skipped", name);
		return rc;
	}
	if (is_json_null(p, len))
		return imp_load_unlinked(im, name, "null", err);
	if ((rc = csvin_open_mem(&c, data, len, name, err)) < 0)
		return rc;
	rc = load_csv(im, c, err);
	csvin_free(c);
	return rc;
}

int
import_add_file(struct import *im, const char *path, struct err *err)
{
	FILE *fp = fopen(path, "rb");
	unsigned char head[64];
	char *data = NULL;
	struct csvin *c = NULL;
	size_t n;
	int rc = 0;

	if (fp == NULL)
		return err_set(err, RC_INPUT, "cannot open '%s': %s", path, strerror(errno));
	n = fread(head, 1, sizeof(head), fp);
	int fb = first_byte(head, n);
	/* a header line may start with spaces past the first 64 bytes: only JSON needs care */
	if (fb == 0 && n == sizeof(head)) {
		fb = 'x';
	}
	if (fb == 0 && n < sizeof(head)) {
		if (ferror(fp)) {
			rc = err_set(err, RC_INPUT, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		rc = imp_load_unlinked(im, path, "", err);
		goto out;
	}
	size_t hb = n >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	if (fb == '{' || fb == '[' || (n < sizeof(head) && is_json_null(head, n)) ||
	    (n - hb >= 6 && memcmp(head + hb, "ERROR:", 6) == 0) ||
	    (n - hb >= 8 && memcmp(head + hb, "WARNING:", 8) == 0)) {
		struct stat st;
		if (fstat(fileno(fp), &st) == 0 && (size_t)st.st_size > MAX_JSON_FILE) {
			rc = err_set(err, RC_PARSE, "%s: JSON file larger than %u MB", path,
				     MAX_JSON_FILE / (1024 * 1024));
			goto out;
		}
		struct buf b = BUF_INIT;
		char chunk[65536];
		buf_add(&b, head, n);
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
			buf_add(&b, chunk, n);
			if (b.len > MAX_JSON_FILE) {
				buf_release(&b);
				rc = err_set(err, RC_PARSE, "%s: JSON file larger than %u MB", path,
					     MAX_JSON_FILE / (1024 * 1024));
				goto out;
			}
		}
		if (ferror(fp)) {
			buf_release(&b);
			rc = err_set(err, RC_INPUT, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		size_t len = b.len;
		data = buf_detach(&b);
		rc = import_add_buffer(im, path, data ? data : "", len, err);
		goto out;
	}
	if (fseek(fp, 0, SEEK_SET) != 0) {
		rc = err_set(err, RC_INPUT, "cannot rewind '%s': %s", path, strerror(errno));
		goto out;
	}
	if ((rc = csvin_open_fp(&c, fp, path, err)) < 0)
		goto out;
	rc = load_csv(im, c, err);
out:
	csvin_free(c);
	free(data);
	fclose(fp);
	return rc;
}

struct import *
import_new(const struct import_opts *opts)
{
	struct import *im = xcalloc(1, sizeof(*im));
	struct cost_agg init = COST_AGG_INIT;

	im->o = opts;
	im->link_file = -1;
	im->cost = init;
	return im;
}

void
import_free(struct import *im)
{
	if (im == NULL)
		return;
	for (size_t i = 0; i < im->n_files; i++) {
		struct jfile *f = &im->files[i];
		cJSON_Delete(f->wrap);
		cJSON_Delete(f->root);
		smap_release(&f->ra_subs, NULL);
		free(f->name);
		free(f->raw);
		free(f->error);
	}
	free(im->files);
	for (size_t i = 0; i < im->n_subs; i++)
		imp_sub_free(im->subs[i]);
	free(im->subs);
	smap_release(&im->sub_index, NULL);
	smap_release(&im->other_subs, free);
	smap_release(&im->ra_subs, NULL);
	smap_release(&im->lh_subs, NULL);
	smap_release(&im->direct, NULL);
	smap_release(&im->roles_used, NULL);
	smap_release(&im->roles_defined, NULL);
	smap_release(&im->cost_query_no, NULL);
	cost_agg_release(&im->cost);
	free(im->tenant_name);
	free(im->tenant_domain);
	free(im->user_name);
	import_notes_release(&im->notes);
	free(im);
}

const char *
import_period(const struct import *im)
{
	return im->period;
}

const char *
import_object_id(const struct import *im)
{
	return im->oid;
}

const struct import_notes *
import_get_notes(const struct import *im)
{
	return &im->notes;
}

/* Roles neither in the eligibility table nor defined in the import. */
static int
note_unknown_roles(struct import *im, struct db *db, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "@queries/import_role_known.sql", &st, err)) < 0)
		return rc;
	for (size_t i = 0; i < im->roles_used.cap; i++) {
		const char *g = im->roles_used.keys[i];
		if (g == NULL || smap_has(&im->roles_defined, g))
			continue;
		db_bind_text(st, ":role_guid", g);
		int known = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (!known)
			imp_note(im, "missing: role %s is not a built-in role palscope knows and its "
				     "definition was not imported (az role definition list --custom-role-only "
				     "-o json): counted as eligible (ROLE_ELIGIBILITY_UNKNOWN)",
				 g);
	}
	sqlite3_finalize(st);
	return 0;
}

int
import_store(struct db *db, struct import *im, int64_t *run_id, struct err *err)
{
	const struct import_opts *opts = im->o;
	struct store *st = NULL;
	int64_t identity = 0;
	int rc = 0;

	*run_id = 0;
	if ((rc = note_unknown_roles(im, db, err)) < 0)
		return rc;
	struct run_info info = {
		.kind = "import",
		.period = im->period,
		.cloud = "public",
		.arm_url = "",
		.partner_ids = opts->partner_ids,
		.n_partner_ids = opts->n_partner_ids,
	};
	if ((rc = store_begin_run_tx(db, &info, &st, err)) < 0)
		return rc;
	const char *label = opts->label ? opts->label : im->user_name ? im->user_name : "import";
	if ((rc = store_add_identity(st, opts->tenant, NULL, label, "import", 0, &identity,
				     err)) < 0)
		goto out_abort;
	struct sink sink = { store_emit, st };
	if ((rc = import_emit(im, &sink, identity, err)) < 0) {
		const struct err *se = store_last_error(st);
		if (se->msg[0] &&
		    (err->msg[0] == '\0' || strcmp(err->msg, "cannot store record") == 0))
			*err = *se;
		goto out_abort;
	}
	*run_id = store_run_id(st);
	rc = store_end_run(st, im->n_not_imported ? "partial" : "complete", 0, 0, err);
	if (rc < 0)
		*run_id = 0;
	return rc;
out_abort:
	store_abort(st);
	return rc;
}

int
import_load(struct import *im, char *const *files, size_t n, struct err *err)
{
	int rc;

	if (!is_guid(im->o->tenant))
		return err_set(err, RC_USAGE, "--tenant '%s' is not a GUID", im->o->tenant);
	if (im->o->label && strlen(im->o->label) > MAX_NAME_BYTES)
		return err_set(err, RC_USAGE, "--label of %zu bytes (at most %d)",
			       strlen(im->o->label), MAX_NAME_BYTES);
	for (size_t i = 0; i < n; i++)
		if ((rc = import_add_file(im, files[i], err)) < 0)
			return rc;
	return import_finish(im, err);
}

int
import_run(struct db *db, const struct import_opts *opts, char *const *files, size_t n,
	   struct import_notes *notes, int64_t *run_id, struct err *err)
{
	struct import *im = import_new(opts);
	int rc;

	*run_id = 0;
	rc = import_load(im, files, n, err);
	if (rc == 0)
		rc = import_store(db, im, run_id, err);
	*notes = im->notes;
	im->notes.v = NULL;
	im->notes.n = 0;
	import_free(im);
	return rc;
}
