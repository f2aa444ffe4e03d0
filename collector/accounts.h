/*
 * The accounts file: CSV with a header row, read through common/csvin (the
 * project's one CSV layer: BOM, ',' ';' or TAB, CRLF, Windows-1252 converted,
 * NUL refused), columns by name in any order (case, spaces, '-' and '_'
 * ignored; the portal's and az's names accepted), unknown columns ignored,
 * empty and all-separator rows skipped:
 *   tenant_id (required; a GUID or a domain), auth (the kind; default inferred),
 *   client_id + secret_env, or token_command, or client_id + certificate_file
 *   (+ certificate_password_env, certificate_alg), or client_id +
 *   federated_token_file, label.
 * Secrets themselves never appear in the file: secret_env names the
 * environment variable that holds one.
 */
#ifndef PALSCOPE_COLLECTOR_ACCOUNTS_H
#define PALSCOPE_COLLECTOR_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "collector/assertion.h"
#include "common/err.h"

/* Bounds of the accounts file's cells (bytes). */
#define ACCOUNTS_MAX_LABEL 256
#define ACCOUNTS_MAX_COMMAND 4096

/* How an identity signs in (identity.auth_kind stores account_auth_name()). */
enum account_auth {
	AUTH_SECRET,		/* client credentials with a secret from secret_env */
	AUTH_TOKEN_COMMAND,	/* a command that prints an ARM access token */
	AUTH_USER,		/* the signed-in user of palscope login (a refresh token) */
	AUTH_CERTIFICATE,	/* client assertion signed with certificate_file's key */
	AUTH_FEDERATED,		/* federated_token_file's contents are the client assertion */
	AUTH_MANAGED_IDENTITY,	/* the machine's managed identity (IMDS or IDENTITY_ENDPOINT) */
	AUTH_AZ,		/* az account get-access-token --tenant T */
};

/*
 * "secret", "token_command", "user", "certificate", "federated", "managed_identity", "az":
 * the identity.auth_kind values and the accounts file's auth column.
 */
const char *account_auth_name(enum account_auth a);

/* The kind named s (case-insensitive); false for anything else. */
bool account_auth_parse(const char *s, enum account_auth *out);

/* Where a managed identity's token comes from. */
enum mi_source {
	MI_IMDS,		/* GET {IMDS}/metadata/identity/oauth2/token, Metadata: true */
	MI_APP_SERVICE,		/* GET $IDENTITY_ENDPOINT, X-IDENTITY-HEADER: $IDENTITY_HEADER */
};

/* The Azure Instance Metadata Service: the only non-loopback http address palscope talks to. */
#define ACCOUNTS_IMDS_URL "http://169.254.169.254"

struct account {
	enum account_auth auth;
	int line;		/* line of the file (0 for the environment identity) */
	char *tenant_id;	/* a GUID; the domain (lowercase) until tenant_resolve() */
	char *tenant_domain;	/* the domain as given, when the tenant was one; else NULL */
	char *failure;		/* why this identity cannot be used (domain not resolved); NULL */
	char *client_id;	/* NULL with token_command */
	char *secret_env;	/* the variable's name, never its value */
	char *token_command;
	char *label;		/* NULL when not given */
	char *upn;		/* AUTH_USER: the user principal name; else NULL */
	char *certificate_file;	/* AUTH_CERTIFICATE: PEM or PKCS#12 */
	char *certificate_password_env; /* the PKCS#12 password's variable name, or NULL */
	struct client_cert *cert; /* AUTH_CERTIFICATE: loaded and checked at load time */
	enum assertion_alg alg;	/* AUTH_CERTIFICATE: RS256 (x5t) unless certificate_alg says PS256 */
	char *federated_token_file; /* AUTH_FEDERATED: re-read on every token request */
	enum mi_source mi_source; /* AUTH_MANAGED_IDENTITY */
	char *mi_url;		/* AUTH_MANAGED_IDENTITY: the token endpoint, without query */
	bool az_all;		/* AUTH_AZ: one of the tenants az's sign-in reaches (collect --az);
				 * they share one tenant list, like a signed-in user's */
};

struct accounts {
	struct account *v;
	size_t n;
	long cp1252_line;	/* the file was read as Windows-1252 from this line (0: UTF-8) */
};

/*
 * Load and validate path. Every problem (missing column, malformed GUID,
 * duplicate identity, unset or empty secret variable) is one error naming
 * the file and line; returns RC_USAGE then.
 */
int accounts_load(const char *path, struct accounts *out, struct err *err);

/*
 * One identity from the environment, as azure-identity's EnvironmentCredential and
 * WorkloadIdentityCredential read it: AZURE_TENANT_ID + AZURE_CLIENT_ID with
 * AZURE_CLIENT_SECRET, else AZURE_CLIENT_CERTIFICATE_PATH (+ AZURE_CLIENT_CERTIFICATE_PASSWORD),
 * else AZURE_FEDERATED_TOKEN_FILE.
 */
int accounts_from_env(struct accounts *out, struct err *err);

void accounts_release(struct accounts *a);

/*
 * A managed identity's token endpoint from the environment, as azure-identity finds it:
 * App Service's IDENTITY_ENDPOINT + IDENTITY_HEADER (must be loopback), else IMDS
 * (AZURE_POD_IDENTITY_AUTHORITY_HOST, loopback or IMDS itself, overrides its address).
 * Sets a->mi_source and a->mi_url (owned); RC_USAGE for any other address.
 */
int accounts_mi_endpoint(struct account *a, struct err *err);

/* [A-Za-z_][A-Za-z0-9_]*: what secret_env must look like. */
bool accounts_is_env_name(const char *s);

/* A DNS name with at least two labels and a letters-only top-level label (contoso.com). */
bool accounts_is_domain(const char *s);

/* A human name for messages: label, else client id, else "token command". */
const char *account_name(const struct account *a);

#endif
