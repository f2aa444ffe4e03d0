/*
 * Client assertions for certificate credentials (RFC 7523 as the Microsoft
 * identity platform takes them): a JWT signed with the certificate's private
 * key, posted as client_assertion with client_assertion_type
 * urn:ietf:params:oauth:client-assertion-type:jwt-bearer.
 *
 *   header: {"alg":"RS256","typ":"JWT","x5t":<base64url SHA-1 of the DER certificate>}
 *       or  {"alg":"PS256","typ":"JWT","x5t#S256":<base64url SHA-256 of it>}
 *   claims: aud = the token endpoint, iss = sub = client_id, jti (random UUID),
 *           nbf = iat = now, exp = now + 600 s
 *
 * Signed with OpenSSL's libcrypto. The private key stays inside the opaque
 * struct client_cert and is freed (and cleansed by OpenSSL) with it.
 */
#ifndef PALSCOPE_COLLECTOR_ASSERTION_H
#define PALSCOPE_COLLECTOR_ASSERTION_H

#include <time.h>

#include "common/err.h"

/* The lifetime of an assertion: Entra ID accepts at most 10 minutes. */
#define ASSERTION_LIFETIME 600

enum assertion_alg {
	ASSERTION_RS256,	/* RSASSA-PKCS1-v1_5 SHA-256, header x5t */
	ASSERTION_PS256,	/* RSASSA-PSS SHA-256 (salt 32, MGF1 SHA-256), header x5t#S256 */
};

struct client_cert;

/*
 * Load a certificate and its RSA private key from path: PEM (CERTIFICATE and
 * PRIVATE KEY blocks in any order; an encrypted key needs password) or
 * PKCS#12 (.pfx/.p12, password may be NULL for none). The key must match the
 * certificate. Errors name the file, never the password.
 */
int client_cert_load(const char *path, const char *password, struct client_cert **out,
		     struct err *err);
void client_cert_free(struct client_cert *c);

/* base64url SHA-1 (x5t) or SHA-256 (x5t#S256) thumbprint of the DER certificate. */
const char *client_cert_x5t(const struct client_cert *c);
const char *client_cert_x5t_s256(const struct client_cert *c);

/*
 * A signed assertion for client_id at the token endpoint aud, valid from now
 * for ASSERTION_LIFETIME seconds (caller wipes and frees *out).
 */
int client_assertion_make(const struct client_cert *c, enum assertion_alg alg,
			  const char *client_id, const char *aud, time_t now, char **out,
			  struct err *err);

/* "RS256" / "PS256" (case-insensitive) -> alg; false for anything else. */
int assertion_alg_parse(const char *s, enum assertion_alg *out);

#endif
