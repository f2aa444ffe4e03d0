/*
 * Sign-in failures of a signed-in user, per tenant: the AADSTS code of a
 * token endpoint error and what the user can do about it, in plain words
 * (codes and meanings: Microsoft Entra authentication and authorization error
 * codes, MicrosoftDocs/azure-docs reference-error-codes.md).
 */
#ifndef PALSCOPE_COLLECTOR_AADSTS_H
#define PALSCOPE_COLLECTOR_AADSTS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The AADSTS code of a token endpoint error body: the first of
 * "error_codes", else the number after "AADSTS" in error_description;
 * 0 when there is none.
 */
long aadsts_code(const char *body);

/* The error's OAuth "error" value into out ("" when none). */
void aadsts_error(const char *body, char *out, size_t n);

/*
 * One line for a failed sign-in of the signed-in user to tenant: what the
 * code means there and the fix, e.g. "tenant T requires multi-factor
 * authentication (AADSTS50076): sign in to it once: palscope login --tenant T".
 * False (out untouched) for a code without a known fix.
 */
bool aadsts_explain(long code, const char *tenant, const char *client_id, char *out, size_t n);

/* The same with another sign-in command for the fix (az's "az login"). */
bool aadsts_explain_as(long code, const char *tenant, const char *client_id, const char *login,
		       char *out, size_t n);

/* The sign-in has expired or was revoked (700082, 70043, 50173): sign in again. */
bool aadsts_is_expired(long code);

#endif
