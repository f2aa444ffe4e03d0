#include "collector/accounts.h"
#include "collector/http.h"
#include "common/buf.h"
#include "common/csvin.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/*
 * The columns and the header names that mean them (compared after
 * csvin_norm: case, spaces, '-', '_' and other punctuation ignored), in order
 * of preference. Besides palscope's own names: what the Azure portal shows
 * ("Directory (tenant) ID", "Application (client) ID", "Display name") and
 * what az prints (`az ad sp create-for-rbac`: appId, displayName, tenant;
 * `az account show`: tenantId).
 */
enum col {
	C_TENANT, C_CLIENT, C_SECRET_ENV, C_TOKEN_CMD, C_LABEL, C_AUTH, C_CERT_FILE, C_CERT_PASS_ENV,
	C_CERT_ALG, C_FED_FILE, C__COUNT
};

static const char *const *const col_names[C__COUNT] = {
	[C_TENANT] = (const char *const[]){ "tenant_id", "tenant", "directory_tenant_id",
					    "directory_id", NULL },
	[C_CLIENT] = (const char *const[]){ "client_id", "app_id", "application_client_id",
					    "application_id", NULL },
	[C_SECRET_ENV] = (const char *const[]){ "secret_env", NULL },
	[C_TOKEN_CMD] = (const char *const[]){ "token_command", NULL },
	[C_LABEL] = (const char *const[]){ "label", "display_name", NULL },
	[C_AUTH] = (const char *const[]){ "auth", "auth_kind", NULL },
	[C_CERT_FILE] = (const char *const[]){ "certificate_file", NULL },
	[C_CERT_PASS_ENV] = (const char *const[]){ "certificate_password_env", NULL },
	[C_CERT_ALG] = (const char *const[]){ "certificate_alg", NULL },
	[C_FED_FILE] = (const char *const[]){ "federated_token_file", NULL },
};

/* The columns' names in messages. */
static const char *const col_label[C__COUNT] = {
	[C_TENANT] = "tenant_id", [C_CLIENT] = "client_id", [C_SECRET_ENV] = "secret_env",
	[C_TOKEN_CMD] = "token_command", [C_LABEL] = "label", [C_AUTH] = "auth",
	[C_CERT_FILE] = "certificate_file", [C_CERT_PASS_ENV] = "certificate_password_env",
	[C_CERT_ALG] = "certificate_alg", [C_FED_FILE] = "federated_token_file",
};

#define BIT(c) (1u << (c))
/* What each kind needs and what it may have besides tenant_id, label and auth. */
static const struct {
	const char *name;
	unsigned need, allow;
} kinds[] = {
	[AUTH_SECRET] = { "secret", BIT(C_CLIENT) | BIT(C_SECRET_ENV), 0 },
	[AUTH_TOKEN_COMMAND] = { "token_command", BIT(C_TOKEN_CMD), BIT(C_CLIENT) | BIT(C_SECRET_ENV) },
	[AUTH_USER] = { "user", 0, 0 },
	[AUTH_CERTIFICATE] = { "certificate", BIT(C_CLIENT) | BIT(C_CERT_FILE),
			       BIT(C_CERT_PASS_ENV) | BIT(C_CERT_ALG) },
	[AUTH_FEDERATED] = { "federated", BIT(C_CLIENT) | BIT(C_FED_FILE), 0 },
	[AUTH_MANAGED_IDENTITY] = { "managed_identity", 0, BIT(C_CLIENT) },
	[AUTH_AZ] = { "az", 0, 0 },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Columns that would hold a secret itself (what `az ad sp create-for-rbac` prints as password). */
static const char *const secret_cols[] = { "password", "client_secret", "secret",
					   "secret_value", NULL };

/* Bounds of a cell (documented in README.md "The accounts file"). */
static const size_t col_max[C__COUNT] = {
	[C_TENANT] = 255, [C_CLIENT] = 36, [C_SECRET_ENV] = 255,
	[C_TOKEN_CMD] = ACCOUNTS_MAX_COMMAND, [C_LABEL] = ACCOUNTS_MAX_LABEL,
	[C_AUTH] = 32, [C_CERT_FILE] = 4096, [C_CERT_PASS_ENV] = 255, [C_CERT_ALG] = 16,
	[C_FED_FILE] = 4096,
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

int
accounts_mi_endpoint(struct account *a, struct err *err)
{
	const char *ep = getenv("IDENTITY_ENDPOINT"), *hdr = getenv("IDENTITY_HEADER");
	const char *host = getenv("AZURE_POD_IDENTITY_AUTHORITY_HOST");
	struct buf b = BUF_INIT;

	if (ep && *ep) {
		if (!hdr || !*hdr)
			return err_set(err, RC_USAGE,
				       "managed_identity: IDENTITY_ENDPOINT is set but IDENTITY_HEADER "
				       "is not");
		if (!http_is_loopback(ep))
			return err_set(err, RC_USAGE,
				       "managed_identity: IDENTITY_ENDPOINT '%.200s' is not a loopback "
				       "address: refused (only App Service's local endpoint and IMDS "
				       "%s are used)",
				       ep, ACCOUNTS_IMDS_URL);
		a->mi_source = MI_APP_SERVICE;
		a->mi_url = xstrdup(ep);
		return 0;
	}
	if (host && *host && !http_is_loopback(host) && !http_is_imds(host))
		return err_set(err, RC_USAGE,
			       "managed_identity: AZURE_POD_IDENTITY_AUTHORITY_HOST '%.200s' is "
			       "neither loopback nor IMDS %s: refused",
			       host, ACCOUNTS_IMDS_URL);
	const char *base = host && *host ? host : ACCOUNTS_IMDS_URL;
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	buf_add(&b, base, n);
	buf_adds(&b, "/metadata/identity/oauth2/token");
	a->mi_source = MI_IMDS;
	a->mi_url = buf_detach(&b);
	return 0;
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
	/* auth az without a tenant: every tenant az's sign-in reaches (cli_az_expand) */
	enum account_auth kind;
	bool az_all = !*v[C_TENANT] && account_auth_parse(v[C_AUTH], &kind) && kind == AUTH_AZ;
	if (!*v[C_TENANT] && !az_all)
		return csvin_fail(in, col[C_TENANT], err,
				  "missing tenant_id (only auth az may leave it empty: every "
				  "tenant az's sign-in reaches)");
	if (!az_all && !is_guid(v[C_TENANT]) && !accounts_is_domain(v[C_TENANT]))
		return csvin_fail(in, col[C_TENANT], err,
				  "tenant_id '%.80s' is neither a GUID nor a domain name",
				  v[C_TENANT]);
	if (*v[C_AUTH]) {
		if (!account_auth_parse(v[C_AUTH], &kind))
			return csvin_fail(in, col[C_AUTH], err,
					  "unknown auth '%.40s' (secret, certificate, federated, "
					  "managed_identity, az, user or token_command)",
					  v[C_AUTH]);
	} else {
		kind = *v[C_TOKEN_CMD]	 ? AUTH_TOKEN_COMMAND
		       : *v[C_CERT_FILE] ? AUTH_CERTIFICATE
		       : *v[C_FED_FILE]	 ? AUTH_FEDERATED
					 : AUTH_SECRET;
	}
	unsigned need = kinds[kind].need, allow = need | kinds[kind].allow;
	for (int i = C_CLIENT; i < C__COUNT; i++) {
		if (i == C_LABEL || i == C_AUTH || !*v[i] || (allow & BIT(i)))
			continue;
		if (i == C_SECRET_ENV && !accounts_is_env_name(v[i]))
			break; /* said below without showing the cell */
		return csvin_fail(in, col[i], err, "%s is not used with auth %s: leave it empty",
				  col_label[i], kinds[kind].name);
	}
	if (*v[C_SECRET_ENV] && !accounts_is_env_name(v[C_SECRET_ENV]))
		return csvin_fail(in, col[C_SECRET_ENV], err,
				  "secret_env must name an environment variable; the cell looks "
				  "like a secret value and is not shown");
	for (int i = C_CLIENT; i < C__COUNT; i++) {
		if (!(need & BIT(i)) || *v[i])
			continue;
		if (kind == AUTH_SECRET && !*v[C_AUTH] && i == C_CLIENT)
			return csvin_fail(in, col[i], err, "missing client_id (or token_command)");
		if (kind == AUTH_SECRET && i == C_SECRET_ENV)
			return csvin_fail(in, col[i], err, "missing secret_env for client_id '%s'",
					  v[C_CLIENT]);
		return csvin_fail(in, col[i], err, "missing %s (auth %s needs it)", col_label[i],
				  kinds[kind].name);
	}
	if (*v[C_CLIENT] && !is_guid(v[C_CLIENT]))
		return csvin_fail(in, col[C_CLIENT], err, "client_id '%s' is not a GUID",
				  v[C_CLIENT]);
	if (kind == AUTH_SECRET) {
		const char *secret = getenv(v[C_SECRET_ENV]);
		if (secret == NULL)
			return csvin_fail(in, col[C_SECRET_ENV], err,
					  "environment variable '%s' (secret_env) is not set",
					  v[C_SECRET_ENV]);
		if (*secret == '\0')
			return csvin_fail(in, col[C_SECRET_ENV], err,
					  "environment variable '%s' (secret_env) is empty",
					  v[C_SECRET_ENV]);
	}
	enum assertion_alg alg = ASSERTION_RS256;
	if (*v[C_CERT_ALG] && !assertion_alg_parse(v[C_CERT_ALG], &alg))
		return csvin_fail(in, col[C_CERT_ALG], err,
				  "certificate_alg '%.16s' is not RS256 or PS256", v[C_CERT_ALG]);
	if (*v[C_CERT_PASS_ENV]) {
		if (!accounts_is_env_name(v[C_CERT_PASS_ENV]))
			return csvin_fail(in, col[C_CERT_PASS_ENV], err,
					  "certificate_password_env must name an environment "
					  "variable; the cell is not shown");
		if (getenv(v[C_CERT_PASS_ENV]) == NULL)
			return csvin_fail(in, col[C_CERT_PASS_ENV], err,
					  "environment variable '%s' (certificate_password_env) is "
					  "not set",
					  v[C_CERT_PASS_ENV]);
	}
	struct client_cert *cert = NULL;
	if (kind == AUTH_CERTIFICATE) {
		const char *pass = *v[C_CERT_PASS_ENV] ? getenv(v[C_CERT_PASS_ENV]) : NULL;
		struct err e2 = ERR_INIT;
		if (client_cert_load(v[C_CERT_FILE], pass, &cert, &e2) < 0)
			return csvin_fail(in, col[C_CERT_FILE], err, "%s", e2.msg);
	}
	if (kind == AUTH_FEDERATED && access(v[C_FED_FILE], R_OK) != 0)
		return csvin_fail(in, col[C_FED_FILE], err, "federated_token_file '%.200s': %s",
				  v[C_FED_FILE], strerror(errno));
	struct account mi = { 0 };
	if (kind == AUTH_MANAGED_IDENTITY) {
		struct err e2 = ERR_INIT;
		if (accounts_mi_endpoint(&mi, &e2) < 0)
			return csvin_fail(in, col[C_AUTH], err, "%s", e2.msg);
	}
	for (size_t i = 0; i < done->n; i++) {
		const struct account *o = &done->v[i];
		const char *o_tenant = o->tenant_domain ? o->tenant_domain : o->tenant_id;
		if (o->az_all != az_all)
			continue; /* a tenant's az line goes with an every-tenant one */
		/* the same app (any credential), or the same client-less kind (az, user, ...) */
		bool same_id = !*v[C_TOKEN_CMD] && o->token_command == NULL &&
			       str_ieq(o->client_id ? o->client_id : "", v[C_CLIENT]) &&
			       (o->client_id || o->auth == kind);
		bool same_cmd = *v[C_TOKEN_CMD] && o->token_command &&
				strcmp(o->token_command, v[C_TOKEN_CMD]) == 0;
		if ((az_all || str_ieq(o_tenant, v[C_TENANT])) && (same_id || same_cmd)) {
			client_cert_free(cert);
			free(mi.mi_url);
			return csvin_fail(in, -1, err,
					  "duplicate identity (same tenant and client as line %d)",
					  o->line);
		}
	}
	memset(a, 0, sizeof(*a));
	a->line = (int)csvin_line(in);
	a->az_all = az_all;
	a->tenant_id = az_all ? NULL : xstrdup(v[C_TENANT]);
	if (a->tenant_id && !is_guid(a->tenant_id)) {
		for (char *p = a->tenant_id; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		a->tenant_domain = xstrdup(a->tenant_id);
	}
	a->client_id = dup_or_null(v[C_CLIENT]);
	a->secret_env = dup_or_null(v[C_SECRET_ENV]);
	a->token_command = dup_or_null(v[C_TOKEN_CMD]);
	a->auth = kind;
	a->label = dup_or_null(v[C_LABEL]);
	a->certificate_file = dup_or_null(v[C_CERT_FILE]);
	a->certificate_password_env = dup_or_null(v[C_CERT_PASS_ENV]);
	a->cert = cert;
	a->alg = alg;
	a->federated_token_file = dup_or_null(v[C_FED_FILE]);
	a->mi_source = mi.mi_source;
	a->mi_url = mi.mi_url;
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
	const char *cert = getenv("AZURE_CLIENT_CERTIFICATE_PATH");
	const char *pass = getenv("AZURE_CLIENT_CERTIFICATE_PASSWORD");
	const char *fed = getenv("AZURE_FEDERATED_TOKEN_FILE");
	struct client_cert *cc = NULL;

	memset(out, 0, sizeof(*out));
	if (s && !*s)
		s = NULL;
	if (cert && !*cert)
		cert = NULL;
	if (fed && !*fed)
		fed = NULL;
	if (!t || !*t || !c || !*c || !(s || cert || fed))
		return err_set(err, RC_USAGE,
			       "no --accounts file and AZURE_TENANT_ID, AZURE_CLIENT_ID and one of "
			       "AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or "
			       "AZURE_FEDERATED_TOKEN_FILE are not all set");
	if (!is_guid(t) && !accounts_is_domain(t))
		return err_set(err, RC_USAGE, "AZURE_TENANT_ID '%.80s' is neither a GUID nor a domain name", t);
	if (!is_guid(c))
		return err_set(err, RC_USAGE, "AZURE_CLIENT_ID '%.80s' is not a GUID", c);
	if (!s && cert && client_cert_load(cert, pass, &cc, err) < 0) {
		err_prefix(err, "AZURE_CLIENT_CERTIFICATE_PATH: ");
		err->code = RC_USAGE;
		return RC_USAGE;
	}
	if (!s && !cert && access(fed, R_OK) != 0)
		return err_set(err, RC_USAGE, "AZURE_FEDERATED_TOKEN_FILE '%.200s': %s", fed,
			       strerror(errno));
	out->v = xcalloc(1, sizeof(*out->v));
	out->n = 1;
	struct account *a = &out->v[0];
	a->tenant_id = xstrdup(t);
	if (!is_guid(t)) {
		for (char *p = a->tenant_id; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		a->tenant_domain = xstrdup(a->tenant_id);
	}
	a->client_id = xstrdup(c);
	if (s) {
		a->auth = AUTH_SECRET;
		a->secret_env = xstrdup("AZURE_CLIENT_SECRET");
	} else if (cert) {
		a->auth = AUTH_CERTIFICATE;
		a->certificate_file = xstrdup(cert);
		if (pass)
			a->certificate_password_env = xstrdup("AZURE_CLIENT_CERTIFICATE_PASSWORD");
		a->cert = cc;
	} else {
		a->auth = AUTH_FEDERATED;
		a->federated_token_file = xstrdup(fed);
	}
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
		free(a->v[i].certificate_file);
		free(a->v[i].certificate_password_env);
		client_cert_free(a->v[i].cert);
		free(a->v[i].federated_token_file);
		free(a->v[i].mi_url);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

const char *
account_auth_name(enum account_auth a)
{
	return (size_t)a < N_KINDS ? kinds[a].name : "secret";
}

bool
account_auth_parse(const char *s, enum account_auth *out)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (strcasecmp(s, kinds[i].name) == 0) {
			*out = (enum account_auth)i;
			return true;
		}
	return false;
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
	switch (a->auth) {
	case AUTH_MANAGED_IDENTITY:
		return "managed identity";
	case AUTH_AZ:
		return "az";
	default:
		break;
	}
	return "token command";
}
