#include "collector/accounts.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum col { C_TENANT, C_CLIENT, C_SECRET_ENV, C_TOKEN_CMD, C_LABEL, C__COUNT };
static const char *const col_names[C__COUNT] = { "tenant_id", "client_id", "secret_env",
						  "token_command", "label" };

struct parse_state {
	const char *path;
	struct accounts *out;
	struct err *err;
	int line;		/* current record's line (1 = header) */
	int field;		/* index in the current record */
	int map[64];		/* field index -> enum col, or -1 */
	int nfields_header;
	char *cur[C__COUNT];	/* current record's values */
	bool failed;
	bool header_done;
};

static char *
trimmed_copy(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void
on_field(void *data, size_t len, void *ud)
{
	struct parse_state *ps = ud;
	const char *s = data ? data : "";

	if (ps->failed)
		return;
	if (!ps->header_done) {
		char *name = trimmed_copy(s, len);
		if (ps->field < 64) {
			ps->map[ps->field] = -1;
			for (int c = 0; c < C__COUNT; c++)
				if (str_ieq(name, col_names[c]))
					ps->map[ps->field] = c;
		}
		free(name);
	} else if (ps->field < 64 && ps->field < ps->nfields_header && ps->map[ps->field] >= 0) {
		int c = ps->map[ps->field];
		free(ps->cur[c]);
		ps->cur[c] = trimmed_copy(s, len);
		if (ps->cur[c][0] == '\0') {
			free(ps->cur[c]);
			ps->cur[c] = NULL;
		}
	}
	ps->field++;
}

static int fail(struct parse_state *ps, const char *fmt, ...) PRINTFLIKE(2, 3);

static int
fail(struct parse_state *ps, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (ps->failed)
		return RC_USAGE;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(ps->err, RC_USAGE, "%s:%d: %s", ps->path, ps->line, msg);
	ps->failed = true;
	return RC_USAGE;
}

static int
check_record(struct parse_state *ps)
{
	char **v = ps->cur;

	if (v[C_TENANT] == NULL)
		return fail(ps, "missing tenant_id");
	if (!is_guid(v[C_TENANT]))
		return fail(ps, "tenant_id '%s' is not a GUID", v[C_TENANT]);
	if (v[C_TOKEN_CMD] == NULL) {
		if (v[C_CLIENT] == NULL)
			return fail(ps, "missing client_id (or token_command)");
		if (!is_guid(v[C_CLIENT]))
			return fail(ps, "client_id '%s' is not a GUID", v[C_CLIENT]);
		if (v[C_SECRET_ENV] == NULL)
			return fail(ps, "missing secret_env for client_id '%s'", v[C_CLIENT]);
		const char *secret = getenv(v[C_SECRET_ENV]);
		if (secret == NULL)
			return fail(ps, "environment variable '%s' (secret_env) is not set",
				    v[C_SECRET_ENV]);
		if (*secret == '\0')
			return fail(ps, "environment variable '%s' (secret_env) is empty",
				    v[C_SECRET_ENV]);
	} else if (v[C_CLIENT] && !is_guid(v[C_CLIENT])) {
		return fail(ps, "client_id '%s' is not a GUID", v[C_CLIENT]);
	}
	for (size_t i = 0; i < ps->out->n; i++) {
		const struct account *a = &ps->out->v[i];
		bool same_id = v[C_TOKEN_CMD] == NULL && a->token_command == NULL &&
			       str_ieq(a->client_id, v[C_CLIENT]);
		bool same_cmd = v[C_TOKEN_CMD] && a->token_command &&
				strcmp(a->token_command, v[C_TOKEN_CMD]) == 0;
		if (str_ieq(a->tenant_id, v[C_TENANT]) && (same_id || same_cmd)) {
			return fail(ps, "duplicate identity (same tenant and client as line %d)",
				    a->line);
		}
	}
	return 0;
}

static void
on_record(int c, void *ud)
{
	struct parse_state *ps = ud;

	(void)c;
	if (ps->failed)
		goto next;
	if (!ps->header_done) {
		ps->header_done = true;
		ps->nfields_header = ps->field;
		bool has_tenant = false;
		for (int i = 0; i < ps->field && i < 64; i++)
			has_tenant |= ps->map[i] == C_TENANT;
		if (!has_tenant)
			fail(ps, "no 'tenant_id' column in the header");
		goto next;
	}
	bool blank = true;
	for (int i = 0; i < C__COUNT; i++)
		blank &= ps->cur[i] == NULL;
	if (blank && ps->field <= 1)
		goto next; /* an empty line */
	check_record(ps);
	if (!ps->failed) {
		struct accounts *o = ps->out;
		o->v = xrealloc(o->v, (o->n + 1) * sizeof(*o->v));
		struct account *a = &o->v[o->n++];
		a->line = ps->line;
		a->tenant_id = ps->cur[C_TENANT];
		a->client_id = ps->cur[C_CLIENT];
		a->secret_env = ps->cur[C_SECRET_ENV];
		a->token_command = ps->cur[C_TOKEN_CMD];
		a->label = ps->cur[C_LABEL];
		memset(ps->cur, 0, sizeof(ps->cur));
	}
next:
	for (int i = 0; i < C__COUNT; i++) {
		free(ps->cur[i]);
		ps->cur[i] = NULL;
	}
	ps->field = 0;
	ps->line++;
}

int
accounts_load(const char *path, struct accounts *out, struct err *err)
{
	struct parse_state ps = { .path = path, .out = out, .err = err, .line = 1 };
	struct csv_parser p;
	char chunk[65536];
	FILE *fp;
	size_t n;
	int rc = 0;

	out->v = NULL;
	out->n = 0;
	fp = fopen(path, "rb");
	if (fp == NULL)
		return err_set(err, RC_USAGE, "cannot open accounts file '%s': %s", path,
			       strerror(errno));
	if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0) {
		fclose(fp);
		return err_set(err, RC_ERROR, "cannot initialise the CSV parser");
	}
	bool first = true;
	while (!ps.failed && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		const char *data = chunk;
		if (first && n >= 3 && memcmp(chunk, "\xEF\xBB\xBF", 3) == 0) {
			data += 3; /* UTF-8 BOM (Excel): before the parser, so a quoted first cell works */
			n -= 3;
		}
		first = false;
		if (csv_parse(&p, data, n, on_field, on_record, &ps) != n) {
			err_set(err, RC_USAGE, "%s:%d: %s", path, ps.line,
				csv_strerror(csv_error(&p)));
			ps.failed = true;
		}
	}
	if (!ps.failed && ferror(fp)) {
		err_set(err, RC_USAGE, "cannot read accounts file '%s': %s", path, strerror(errno));
		ps.failed = true;
	}
	if (!ps.failed && csv_fini(&p, on_field, on_record, &ps) != 0) {
		err_set(err, RC_USAGE, "%s:%d: %s", path, ps.line, csv_strerror(csv_error(&p)));
		ps.failed = true;
	}
	csv_free(&p);
	fclose(fp);
	for (int i = 0; i < C__COUNT; i++)
		free(ps.cur[i]);
	if (!ps.failed && !ps.header_done) {
		err_set(err, RC_USAGE, "%s: empty file (expected a header row with tenant_id)",
			path);
		ps.failed = true;
	}
	if (!ps.failed && out->n == 0) {
		err_set(err, RC_USAGE, "%s: no identities after the header row", path);
		ps.failed = true;
	}
	if (ps.failed) {
		accounts_release(out);
		rc = RC_USAGE;
	}
	return rc;
}

int
accounts_from_env(struct accounts *out, struct err *err)
{
	const char *t = getenv("AZURE_TENANT_ID"), *c = getenv("AZURE_CLIENT_ID");
	const char *s = getenv("AZURE_CLIENT_SECRET");

	out->v = NULL;
	out->n = 0;
	if (!t || !*t || !c || !*c || !s || !*s)
		return err_set(err, RC_USAGE,
			       "no --accounts file and AZURE_TENANT_ID, AZURE_CLIENT_ID and "
			       "AZURE_CLIENT_SECRET are not all set");
	if (!is_guid(t))
		return err_set(err, RC_USAGE, "AZURE_TENANT_ID '%s' is not a GUID", t);
	if (!is_guid(c))
		return err_set(err, RC_USAGE, "AZURE_CLIENT_ID '%s' is not a GUID", c);
	out->v = xcalloc(1, sizeof(*out->v));
	out->n = 1;
	out->v[0].tenant_id = xstrdup(t);
	out->v[0].client_id = xstrdup(c);
	out->v[0].secret_env = xstrdup("AZURE_CLIENT_SECRET");
	return 0;
}

void
accounts_release(struct accounts *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].tenant_id);
		free(a->v[i].client_id);
		free(a->v[i].secret_env);
		free(a->v[i].token_command);
		free(a->v[i].label);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

const char *
account_name(const struct account *a)
{
	if (a->label)
		return a->label;
	if (a->client_id)
		return a->client_id;
	return "token command";
}
