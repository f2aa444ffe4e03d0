#include "reports/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/xalloc.h"
#include "db/as_of.h"
#include "db/db.h"
#include "reports/output.h"

#define T REPORT_COL_TEXT
#define I REPORT_COL_INT
#define M REPORT_COL_MONEY

static const struct report_column subscriptions_cols[] = {
	{ "tenant_id", T },	{ "customer_name", T }, { "subscription_id", T },
	{ "subscription_name", T }, { "offer", T },	{ "state", T },
	{ "status", T },	{ "reason_code", T },	{ "reasons", T },
	{ "partner_id", T },	{ "principals", T },	{ "roles", T },
	{ "usage", M },		{ "currency", T },	{ "explanation", T },
	{ "attributed_usage", M },
};

static const struct report_column customers_cols[] = {
	{ "tenant_id", T },	    { "customer_name", T },
	{ "status", T },	    { "reason_code", T },
	{ "subscriptions", I },	    { "attributed_subscriptions", I },
	{ "attributed_usage", M }, { "currency", T },
	{ "explanation", T },	    { "usage", M },
	{ "missing_usage", M },
};

static const struct report_column summary_cols[] = {
	{ "section", T },	{ "key", T },	   { "customers", I }, { "subscriptions", I },
	{ "amount", M },	{ "currency", T }, { "detail", T },
};

static const struct report_column trend_cols[] = {
	{ "period", T },		  { "run_id", I },
	{ "currency", T },		  { "customers", I },
	{ "attributed_customers", I },	  { "missing_customers", I },
	{ "unknown_customers", I },	  { "subscriptions", I },
	{ "attributed_subscriptions", I }, { "missing_subscriptions", I },
	{ "unknown_subscriptions", I },	  { "usage", M },
	{ "attributed_usage", M },	  { "missing_usage", M },
	{ "compared_with", T },		  { "changed_customers", I },
	{ "changed_subscriptions", I },	  { "note", T },
};

#undef T
#undef I
#undef M

#define COLS(a) a, sizeof(a) / sizeof(a[0])

const struct report_spec report_specs[] = {
	{ "customers", "@reports/customers.sql",
	  "per customer: status, reason, usage, attributed and missing usage", COLS(customers_cols) },
	{ "subscriptions", "@reports/subscriptions.sql",
	  "per subscription: status, reasons, roles, usage, attributed usage",
	  COLS(subscriptions_cols) },
	{ "summary", "@reports/summary.sql",
	  "usage at stake per reason code, worth the most first; totals", COLS(summary_cols) },
	{ "trend", "@reports/trend.sql",
	  "per period and currency: status counts, money, changes (--from/--to)",
	  COLS(trend_cols) },
	{ NULL, NULL, NULL, NULL, 0 },
};

static const char *range_from, *range_to;

void
report_set_range(const char *from, const char *to)
{
	range_from = from;
	range_to = to;
}

const struct report_spec *
report_find(const char *name)
{
	for (const struct report_spec *s = report_specs; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

int
report_default_period(struct db *db, char *out, size_t n, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "@reports/default_period.sql", &st, err);
	if (rc < 0)
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = err_set(err, RC_NOTFOUND, "database '%s' holds no run; run 'palscope collect' first",
			     db->path);
	} else {
		rc = err_set(err, RC_DB, "database '%s': %s", db->path, db_errmsg(db));
	}
out:
	sqlite3_finalize(st);
	return rc;
}

static void
write_cell(struct out *o, sqlite3_stmt *st, int i, enum report_col_type type)
{
	int t = sqlite3_column_type(st, i);

	if (t == SQLITE_NULL && type != REPORT_COL_TEXT) {
		out_null(o);
		return;
	}
	switch (type) {
	case REPORT_COL_INT:
		out_int(o, sqlite3_column_int64(st, i));
		break;
	case REPORT_COL_MONEY:
		out_money(o, sqlite3_column_double(st, i));
		break;
	case REPORT_COL_TEXT: {
		const char *s = (const char *)sqlite3_column_text(st, i);
		out_text(o, s, s ? (size_t)sqlite3_column_bytes(st, i) : 0);
		break;
	}
	}
}

int
report_write(struct db *db, const struct report_spec *spec, const char *period, FILE *fp,
	     unsigned flags, size_t *rows, struct err *err)
{
	sqlite3_stmt *st = NULL;
	struct out o;
	struct out_field *fields = NULL;
	size_t n = 0;
	int rc;

	rc = db_prepare(db, spec->sql, &st, err);
	if (rc < 0)
		goto out;
	if ((size_t)sqlite3_column_count(st) != spec->ncols) {
		rc = err_set(err, RC_ERROR, "report '%s': query returns %d columns, table has %zu",
			     spec->name, sqlite3_column_count(st), spec->ncols);
		goto out;
	}
	for (size_t i = 0; i < spec->ncols; i++) {
		if (strcmp(sqlite3_column_name(st, (int)i), spec->cols[i].name) != 0) {
			rc = err_set(err, RC_ERROR, "report '%s': column %zu is '%s', expected '%s'",
				     spec->name, i + 1, sqlite3_column_name(st, (int)i),
				     spec->cols[i].name);
			goto out;
		}
	}
	if (sqlite3_bind_parameter_index(st, ":period") > 0)
		db_bind_text(st, ":period", period);
	/* NULL leaves the parameter NULL: the report's own default */
	if (sqlite3_bind_parameter_index(st, ":from") > 0 && range_from)
		db_bind_text(st, ":from", range_from);
	if (sqlite3_bind_parameter_index(st, ":to") > 0 && range_to)
		db_bind_text(st, ":to", range_to);

	fields = xcalloc(spec->ncols, sizeof(*fields));
	for (size_t i = 0; i < spec->ncols; i++)
		fields[i] = (struct out_field){ spec->cols[i].name, (enum out_type)spec->cols[i].type };
	out_begin(&o, fp, REPORT_FORMAT_OF(flags), flags & REPORT_EXCEL ? OUT_EXCEL : 0, fields,
		  spec->ncols);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < spec->ncols; i++)
			write_cell(&o, st, (int)i, spec->cols[i].type);
		out_end_row(&o);
		n++;
		if (o.failed)
			break;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		rc = err_set(err, RC_DB, "report '%s': %s", spec->name, db_errmsg(db));
		out_end(&o);
		goto out;
	}
	if (out_end(&o) < 0) {
		errno = o.errnum;
		rc = err_set(err, RC_IO, "cannot write report '%s': %s", spec->name,
			     strerror(o.errnum));
		goto out;
	}
	rc = 0;
	if (rows)
		*rows = n;
out:
	free(fields);
	sqlite3_finalize(st);
	return rc;
}

/*
 * An output file that cannot be written, named with its directory: "cannot write 'out/x.csv'
 * (directory 'out'): No space left on device".
 */
static int
out_error(struct err *err, const char *verb, const char *path, int e)
{
	const char *slash = strrchr(path, '/');
	int dlen = slash == NULL ? 1 : slash == path ? 1 : (int)(slash - path);

	return err_set(err, RC_IO, "cannot %s '%s' (directory '%.*s'): %s", verb, path, dlen,
		       slash == NULL ? "." : path, strerror(e ? e : EIO));
}

struct write_csv_ctx {
	struct db *db;
	const struct report_spec *spec;
	const char *period;
	unsigned flags;
	size_t *rows;
};

static int
write_csv(FILE *fp, void *arg, struct err *err)
{
	struct write_csv_ctx *c = arg;

	return report_write(c->db, c->spec, c->period, fp, c->flags, c->rows, err);
}

int
report_write_path(struct db *db, const struct report_spec *spec, const char *period,
		  const char *path, unsigned flags, size_t *rows, struct err *err)
{
	struct write_csv_ctx c = { db, spec, period, flags, rows };

	if (path == NULL || strcmp(path, "-") == 0)
		return report_write(db, spec, period, stdout, flags, rows, err);
	return report_output_path(path, write_csv, &c, err);
}

int
report_output_path(const char *path, report_writer_fn write, void *arg, struct err *err)
{
	char *tmp = NULL;
	FILE *fp = NULL;
	struct stat sb;
	int rc;

	/* standard output is checked when the command ends (cli/main.c) */
	if (path == NULL || strcmp(path, "-") == 0)
		return write(stdout, arg, err);

	/*
	 * Anything but a regular file (a device such as /dev/stdout, a pipe, a symbolic link) is
	 * written in place, never replaced by the renamed temporary file.
	 */
	bool special = lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
	tmp = special ? xstrdup(path) : xasprintf("%s.tmp", path);
	fp = fopen(tmp, "w");
	if (fp == NULL) {
		rc = out_error(err, "create", path, errno);
		goto out;
	}
	errno = 0;
	rc = write(fp, arg, err);
	if (rc == RC_IO)
		rc = out_error(err, "write", path, errno);
	if (rc < 0)
		goto out;
	if (!special && fsync(fileno(fp)) != 0 && errno != EINVAL) {
		rc = out_error(err, "write", path, errno);
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		rc = out_error(err, "write", path, errno);
		goto out;
	}
	fp = NULL;
	if (!special && rename(tmp, path) != 0) {
		rc = out_error(err, "replace", path, errno);
		goto out;
	}
out:
	if (fp)
		fclose(fp);
	if (rc < 0 && tmp && !special)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
report_why_prepare(struct db *db, const char *period, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = db_prepare(db, "@reports/why_subscriptions.sql", &st, err)) < 0)
		return rc;
	db_bind_text(st, ":period", period);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	return rc;
}

int
report_why_scope(struct db *db, const char *period, const char *q, struct err *err)
{
	const struct db_param p[] = { { ":period", period, 0 }, { ":q", q, 0 } };
	int rc;

	if ((rc = db_exec_script(db, "scripts/why_scope.sql", p, 2, err)) < 0)
		return rc;
	return db_temp_views_ensure(db, err);
}

int
report_why_unscope(struct db *db, struct err *err)
{
	return db_exec(db, "DROP VIEW IF EXISTS temp.subscription; DROP VIEW IF EXISTS temp.identity; "
		       "DROP VIEW IF EXISTS temp.role_assignment; "
		       "DROP TABLE IF EXISTS temp.why_subscription;", err);
}
