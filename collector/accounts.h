/*
 * The accounts file: CSV with a header row, columns by name in any order
 * (case and surrounding spaces ignored), unknown columns ignored:
 *   tenant_id (required), client_id + secret_env, or token_command, label.
 * Secrets themselves never appear in the file: secret_env names the
 * environment variable that holds one.
 */
#ifndef PALSCOPE_COLLECTOR_ACCOUNTS_H
#define PALSCOPE_COLLECTOR_ACCOUNTS_H

#include <stddef.h>

#include "common/err.h"

struct account {
	int line;		/* line of the file (0 for the environment identity) */
	char *tenant_id;
	char *client_id;	/* NULL with token_command */
	char *secret_env;	/* the variable's name, never its value */
	char *token_command;
	char *label;		/* NULL when not given */
};

struct accounts {
	struct account *v;
	size_t n;
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

/* A human name for messages: label, else client id, else "token command". */
const char *account_name(const struct account *a);

#endif
