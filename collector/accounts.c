#include "collector/accounts.h"
#include "common/csvin.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The columns and the header names that mean them (compared after
 * csvin_norm: case, spaces, '-', '_' and other punctuation ignored), in order
 * of preference. Besides palscope's own names: what the Azure portal shows
 * ("Directory (tenant) ID", "Application (client) ID", "Display name") and
 * what az prints (`az ad sp create-for-rbac`: appId, displayName, tenant;
 * `az account show`: tenantId).
 */
enum col { C_TENANT, C_CLIENT, C_SECRET_ENV, C_TOKEN_CMD, C_LABEL, C__COUNT };

static const char *const *const col_names[C__COUNT] = {
	[C_TENANT] = (const char *const[]){ "tenant_id", "tenant", "directory_tenant_id",
					    "directory_id", NULL },
	[C_CLIENT] = (const char *const[]){ "client_id", "app_id", "application_client_id",
					    "application_id", NULL },
	[C_SECRET_ENV] = (const char *const[]){ "secret_env", NULL },
	[C_TOKEN_CMD] = (const char *const[]){ "token_command", NULL },
	[C_LABEL] = (const char *const[]){ "label", "display_name", NULL },
};

/* Columns that would hold a secret itself (what `az ad sp create-for-rbac` prints as password). */
static const char *const secret_cols[] = { "password", "client_secret", "secret",
					   "secret_value", NULL };

/* Bounds of a cell (documented in README.md "The accounts file"). */
static const size_t col_max[C__COUNT] = {
	[C_TENANT] = 255, [C_CLIENT] = 36, [C_SECRET_ENV] = 255,
	[C_TOKEN_CMD] = ACCOUNTS_MAX_COMMAND, [C_LABEL] = ACCOUNTS_MAX_LABEL,
};

bool
accounts_is_env_name(const char *s)
{
	if (s == NULL || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_') || (unsigned char)*s >= 0x80)
			return false;
	return true;
}

bool
accounts_is_domain(const char *s)
{
	size_t label = 0, labels = 0, n = strlen(s);
	const char *last = s;

	if (n == 0 || n > 253)
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			labels++;
			label = 0;
			last = p + 1;
		} else if (isalnum(ch) && ch < 0x80) {
			label++;
		} else if (ch == '-' && label > 0) {
			label++;
		} else {
			return false;
		}
		if (label > 63)
			return false;
	}
	if (label == 0 || labels == 0)
		return false;
	/* the top-level label is letters only (not an IP address) */
	for (const char *p = last; *p; p++)
		if (!isalpha((unsigned char)*p))
			return false;
	return true;
}

static char *
dup_or_null(const char *s)
{
	return *s ? xstrdup(s) : NULL;
}

/* One data row into a (owned by the caller's list on success). RC_USAGE with err set on bad input. */
static int
read_row(struct csvin *in, const int *col, const struct accounts *done, struct account *a,
	 struct err *err)
{
	const char *v[C__COUNT];

	for (int i = 0; i < C__COUNT; i++) {
		v[i] = col[i] >= 0 ? csvin_field(in, col[i]) : "";
		if (csvin_field_len(in, col[i]) > col_max[i])
			return csvin_fail(in, col[i], err, "longer than %zu bytes", col_max[i]);
	}
	if (!*v[C_TENANT])
		return csvin_fail(in, col[C_TENANT], err, "missing tenant_id");
	if (!is_guid(v[C_TENANT]) && !accounts_is_domain(v[C_TENANT]))
		return csvin_fail(in, col[C_TENANT], err,
				  "tenant_id '%.80s' is neither a GUID nor a domain name",
				  v[C_TENANT]);
	if (*v[C_SECRET_ENV] && !accounts_is_env_name(v[C_SECRET_ENV]))
		return csvin_fail(in, col[C_SECRET_ENV], err,
				  "secret_env must name an environment variable; the cell looks "
				  "like a secret value and is not shown");
	if (!*v[C_TOKEN_CMD]) {
		if (!*v[C_CLIENT])
			return csvin_fail(in, col[C_CLIENT], err,
					  "missing client_id (or token_command)");
		if (!is_guid(v[C_CLIENT]))
			return csvin_fail(in, col[C_CLIENT], err, "client_id '%s' is not a GUID",
					  v[C_CLIENT]);
		if (!*v[C_SECRET_ENV])
			return csvin_fail(in, col[C_SECRET_ENV], err,
					  "missing secret_env for client_id '%s'", v[C_CLIENT]);
		const char *secret = getenv(v[C_SECRET_ENV]);
		if (secret == NULL)
			return csvin_fail(in, col[C_SECRET_ENV], err,
					  "environment variable '%s' (secret_env) is not set",
					  v[C_SECRET_ENV]);
		if (*secret == '\0')
			return csvin_fail(in, col[C_SECRET_ENV], err,
					  "environment variable '%s' (secret_env) is empty",
					  v[C_SECRET_ENV]);
	} else if (*v[C_CLIENT] && !is_guid(v[C_CLIENT])) {
		return csvin_fail(in, col[C_CLIENT], err, "client_id '%s' is not a GUID",
				  v[C_CLIENT]);
	}
	for (size_t i = 0; i < done->n; i++) {
		const struct account *o = &done->v[i];
		const char *o_tenant = o->tenant_domain ? o->tenant_domain : o->tenant_id;
		bool same_id = !*v[C_TOKEN_CMD] && o->token_command == NULL &&
			       str_ieq(o->client_id, v[C_CLIENT]);
		bool same_cmd = *v[C_TOKEN_CMD] && o->token_command &&
				strcmp(o->token_command, v[C_TOKEN_CMD]) == 0;
		if (str_ieq(o_tenant, v[C_TENANT]) && (same_id || same_cmd))
			return csvin_fail(in, -1, err,
					  "duplicate identity (same tenant and client as line %d)",
					  o->line);
	}
	memset(a, 0, sizeof(*a));
	a->line = (int)csvin_line(in);
	a->tenant_id = xstrdup(v[C_TENANT]);
	if (!is_guid(a->tenant_id)) {
		for (char *p = a->tenant_id; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		a->tenant_domain = xstrdup(a->tenant_id);
	}
	a->client_id = dup_or_null(v[C_CLIENT]);
	a->secret_env = dup_or_null(v[C_SECRET_ENV]);
	a->token_command = dup_or_null(v[C_TOKEN_CMD]);
	a->auth = a->token_command ? AUTH_TOKEN_COMMAND : AUTH_SECRET;
	a->label = dup_or_null(v[C_LABEL]);
	return 0;
}

static int
read_all(struct csvin *in, struct accounts *out, struct err *err)
{
	int col[C__COUNT];
	int rc;

	for (const char *const *s = secret_cols; *s; s++) {
		const char *probe[2] = { *s, NULL };
		int i = csvin_find(in, probe);
		if (i >= 0)
			return err_set(err, RC_USAGE,
				       "%s:1: column %d ('%.60s') would hold secrets: keep each "
				       "secret in an environment variable and name it in secret_env",
				       csvin_name(in), i + 1, csvin_colname(in, i));
	}
	for (int i = 0; i < C__COUNT; i++) {
		col[i] = csvin_find(in, col_names[i]);
		csvin_want(in, col[i]);
	}
	if (col[C_TENANT] < 0)
		return err_set(err, RC_USAGE,
			       "%s:1: no 'tenant_id' column in the header (also accepted: "
			       "tenantId, tenant, Directory (tenant) ID)",
			       csvin_name(in));
	while ((rc = csvin_next(in, err)) > 0) {
		struct account a;
		if ((rc = read_row(in, col, out, &a, err)) < 0)
			return rc;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = a;
	}
	if (rc < 0)
		return rc;
	if (out->n == 0)
		return err_set(err, RC_USAGE, "%s: no identities after the header row",
			       csvin_name(in));
	out->cp1252_line = csvin_cp1252_line(in);
	return 0;
}

int
accounts_load(const char *path, struct accounts *out, struct err *err)
{
	struct csvin *in = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = csvin_open(&in, path, err)) < 0) {
		if (rc == RC_INPUT)
			err_prefix(err, "accounts file: ");
		else if (strstr(err->msg, "is empty"))
			err_set(err, RC_USAGE, "%s: empty file (expected a header row with tenant_id)",
				path);
		err->code = RC_USAGE;
		return RC_USAGE;
	}
	rc = read_all(in, out, err);
	csvin_free(in);
	if (rc < 0) {
		accounts_release(out);
		err->code = RC_USAGE;
		return RC_USAGE;
	}
	return 0;
}

int
accounts_from_env(struct accounts *out, struct err *err)
{
	const char *t = getenv("AZURE_TENANT_ID"), *c = getenv("AZURE_CLIENT_ID");
	const char *s = getenv("AZURE_CLIENT_SECRET");

	memset(out, 0, sizeof(*out));
	if (!t || !*t || !c || !*c || !s || !*s)
		return err_set(err, RC_USAGE,
			       "no --accounts file and AZURE_TENANT_ID, AZURE_CLIENT_ID and "
			       "AZURE_CLIENT_SECRET are not all set");
	if (!is_guid(t) && !accounts_is_domain(t))
		return err_set(err, RC_USAGE, "AZURE_TENANT_ID '%.80s' is neither a GUID nor a domain name", t);
	if (!is_guid(c))
		return err_set(err, RC_USAGE, "AZURE_CLIENT_ID '%.80s' is not a GUID", c);
	out->v = xcalloc(1, sizeof(*out->v));
	out->n = 1;
	out->v[0].tenant_id = xstrdup(t);
	if (!is_guid(t)) {
		for (char *p = out->v[0].tenant_id; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		out->v[0].tenant_domain = xstrdup(out->v[0].tenant_id);
	}
	out->v[0].client_id = xstrdup(c);
	out->v[0].secret_env = xstrdup("AZURE_CLIENT_SECRET");
	return 0;
}

void
accounts_release(struct accounts *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].tenant_id);
		free(a->v[i].tenant_domain);
		free(a->v[i].failure);
		free(a->v[i].client_id);
		free(a->v[i].secret_env);
		free(a->v[i].token_command);
		free(a->v[i].label);
		free(a->v[i].upn);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

const char *
account_auth_name(enum account_auth a)
{
	switch (a) {
	case AUTH_TOKEN_COMMAND:
		return "token_command";
	case AUTH_USER:
		return "user";
	case AUTH_SECRET:
		break;
	}
	return "secret";
}

const char *
account_name(const struct account *a)
{
	if (a->label)
		return a->label;
	if (a->upn)
		return a->upn;
	if (a->client_id)
		return a->client_id;
	return "token command";
}
