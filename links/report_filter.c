#include "links/report_filter.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rf_state {
	const char *name;
	struct link_tenant_set *out;
	struct err *err;
	int line;
	int field;
	int col_tenant, col_reason;
	bool header_done;
	bool failed;
	char tenant[64];
	char reason[64];
};

static void
copy_trimmed(char *dst, size_t n, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void
on_field(void *data, size_t len, void *ud)
{
	struct rf_state *st = ud;
	const char *s = data ? data : "";
	char cell[64];

	if (st->failed)
		return;
	copy_trimmed(cell, sizeof(cell), s, len);
	if (!st->header_done) {
		for (char *p = cell; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (strcmp(cell, "tenant_id") == 0 && st->col_tenant < 0)
			st->col_tenant = st->field;
		else if (strcmp(cell, "reason_code") == 0 && st->col_reason < 0)
			st->col_reason = st->field;
	} else if (st->field == st->col_tenant) {
		snprintf(st->tenant, sizeof(st->tenant), "%s", cell);
	} else if (st->field == st->col_reason) {
		snprintf(st->reason, sizeof(st->reason), "%s", cell);
	}
	st->field++;
}

static void
add_tenant(struct link_tenant_set *s, const char *t)
{
	if (link_tenant_set_has(s, t))
		return;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 16;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	for (int i = 0; i < 36; i++)
		s->v[s->n][i] = (char)tolower((unsigned char)t[i]);
	s->v[s->n][36] = '\0';
	s->n++;
}

static void
on_record(int c, void *ud)
{
	struct rf_state *st = ud;

	(void)c;
	if (st->failed)
		return;
	if (!st->header_done) {
		st->header_done = true;
		if (st->col_tenant < 0 || st->col_reason < 0) {
			err_set(st->err, RC_USAGE,
				"%s: no '%s' column in the header: expected a 'palscope report "
				"subscriptions' or 'report customers' CSV",
				st->name, st->col_tenant < 0 ? "tenant_id" : "reason_code");
			st->failed = true;
		}
	} else if (st->field > 1 || st->tenant[0] || st->reason[0]) {
		st->out->rows++;
		if (strcmp(st->reason, "NO_LINK") == 0 ||
		    strcmp(st->reason, "LINK_WRONG_PARTNER_ID") == 0) {
			if (!is_guid(st->tenant)) {
				err_set(st->err, RC_USAGE, "%s:%d: tenant_id '%.40s' is not a GUID",
					st->name, st->line, st->tenant);
				st->failed = true;
				return;
			}
			st->out->matched_rows++;
			add_tenant(st->out, st->tenant);
		}
	}
	st->line++;
	st->field = 0;
	st->tenant[0] = st->reason[0] = '\0';
}

int
link_report_tenants_mem(const char *data, size_t len, const char *name,
			struct link_tenant_set *out, struct err *err)
{
	struct csv_parser p;
	struct rf_state st = { .name = name, .out = out, .err = err, .line = 1,
			       .col_tenant = -1, .col_reason = -1 };

	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3; /* UTF-8 BOM from --excel: before the parser, so a quoted cell follows */
		len -= 3;
	}
	if (csv_init(&p, CSV_APPEND_NULL) != 0)
		return err_set(err, RC_ERROR, "%s: cannot initialise the CSV parser", name);
	if (csv_parse(&p, data, len, on_field, on_record, &st) != len && !st.failed) {
		err_set(err, RC_USAGE, "%s:%d: %s", name, st.line, csv_strerror(csv_error(&p)));
		st.failed = true;
	}
	if (!st.failed && csv_fini(&p, on_field, on_record, &st) != 0) {
		err_set(err, RC_USAGE, "%s:%d: %s", name, st.line, csv_strerror(csv_error(&p)));
		st.failed = true;
	}
	csv_free(&p);
	if (!st.failed && !st.header_done) {
		err_set(err, RC_USAGE, "%s: the file is empty", name);
		st.failed = true;
	}
	if (st.failed) {
		link_tenant_set_release(out);
		return RC_USAGE;
	}
	return 0;
}

int
link_report_tenants(const char *path, struct link_tenant_set *out, struct err *err)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0, alloc = 0, n;
	int rc;

	if (fp == NULL)
		return err_set(err, RC_USAGE, "cannot open '%s': %s", path, strerror(errno));
	do {
		if (len + 65536 > alloc) {
			alloc = alloc ? alloc * 2 : 65536 * 2;
			if (alloc > (256u << 20)) {
				fclose(fp);
				free(data);
				return err_set(err, RC_USAGE, "'%s' is larger than 256 MB", path);
			}
			data = xrealloc(data, alloc);
		}
		n = fread(data + len, 1, alloc - len, fp);
		len += n;
	} while (n > 0);
	if (ferror(fp)) {
		fclose(fp);
		free(data);
		return err_set(err, RC_USAGE, "cannot read '%s'", path);
	}
	fclose(fp);
	rc = link_report_tenants_mem(data ? data : "", len, path, out, err);
	free(data);
	return rc;
}

bool
link_tenant_set_has(const struct link_tenant_set *s, const char *tenant_id)
{
	for (size_t i = 0; i < s->n; i++)
		if (str_ieq(s->v[i], tenant_id))
			return true;
	return false;
}

void
link_tenant_set_release(struct link_tenant_set *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}
