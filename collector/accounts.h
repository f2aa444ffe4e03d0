/*
 * The accounts file: CSV with a header row, read through common/csvin (the
 * project's one CSV layer: BOM, ',' ';' or TAB, CRLF, Windows-1252 converted,
 * NUL refused), columns by name in any order (case, spaces, '-' and '_'
 * ignored; the portal's and az's names accepted), unknown columns ignored,
 * empty and all-separator rows skipped:
 *   tenant_id (required; a GUID or a domain), client_id + secret_env, or
 *   token_command, label.
 * Secrets themselves never appear in the file: secret_env names the
 * environment variable that holds one.
 */
#ifndef PALSCOPE_COLLECTOR_ACCOUNTS_H
#define PALSCOPE_COLLECTOR_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/* Bounds of the accounts file's cells (bytes). */
#define ACCOUNTS_MAX_LABEL 256
#define ACCOUNTS_MAX_COMMAND 4096

/* How an identity signs in (identity.auth_kind stores account_auth_name()). */
enum account_auth {
	AUTH_SECRET,		/* client credentials with a secret from secret_env */
	AUTH_TOKEN_COMMAND,	/* a command that prints an ARM access token */
	AUTH_USER,		/* the signed-in user of palscope login (a refresh token) */
};

/* "secret", "token_command", "user": the identity.auth_kind values. */
const char *account_auth_name(enum account_auth a);

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

/* One identity from AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET. */
int accounts_from_env(struct accounts *out, struct err *err);

void accounts_release(struct accounts *a);

/* [A-Za-z_][A-Za-z0-9_]*: what secret_env must look like. */
bool accounts_is_env_name(const char *s);

/* A DNS name with at least two labels and a letters-only top-level label (contoso.com). */
bool accounts_is_domain(const char *s);

/* A human name for messages: label, else client id, else "token command". */
const char *account_name(const struct account *a);

#endif
