#include "collector/assertion.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CERT_FILE_MAX (1u << 20)

struct client_cert {
	EVP_PKEY *key;
	X509 *cert;
	char x5t[32];		/* base64url of 20 bytes: 27 characters */
	char x5t_s256[48];	/* base64url of 32 bytes: 43 characters */
};

/* OpenSSL's reason for the last failure, or fallback; the queue is cleared. */
static const char *
ssl_reason(char *out, size_t n, const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(out, n, "%s", r ? r : fallback);
	ERR_clear_error();
	return out;
}

static int
read_file(const char *path, struct buf *out, struct err *err)
{
	FILE *fp = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	if (fp == NULL)
		return err_set(err, RC_USAGE, "cannot open certificate file '%s': %s", path,
			       strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && out->len <= CERT_FILE_MAX)
		buf_add(out, chunk, n);
	int bad = ferror(fp);
	fclose(fp);
	if (bad)
		return err_set(err, RC_USAGE, "cannot read certificate file '%s'", path);
	if (out->len > CERT_FILE_MAX)
		return err_set(err, RC_USAGE, "certificate file '%s' is larger than 1 MB", path);
	if (out->len == 0)
		return err_set(err, RC_USAGE, "certificate file '%s' is empty", path);
	return 0;
}

/* Never prompt on the terminal: an encrypted key without a password just fails. */
static int
pem_password(char *buf, int size, int rwflag, void *u)
{
	const char *pw = u;
	size_t n = pw ? strlen(pw) : 0;

	(void)rwflag;
	if (n == 0 || n > (size_t)size)
		return 0;
	memcpy(buf, pw, n);
	return (int)n;
}

static int
load_pem(const char *path, const struct buf *data, const char *password, struct client_cert *c,
	 struct err *err)
{
	char why[160];
	BIO *bio = BIO_new_mem_buf(data->ptr, (int)data->len);

	c->cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (c->cert == NULL)
		return err_set(err, RC_USAGE, "certificate file '%s': no CERTIFICATE block (%s)",
			       path, ssl_reason(why, sizeof(why), "unreadable"));
	bio = BIO_new_mem_buf(data->ptr, (int)data->len);
	c->key = bio ? PEM_read_bio_PrivateKey(bio, NULL, pem_password, (void *)password) : NULL;
	BIO_free(bio);
	if (c->key == NULL) {
		bool encrypted = strstr(data->ptr, "ENCRYPTED") != NULL;
		ssl_reason(why, sizeof(why), "unreadable");
		if (encrypted && (password == NULL || *password == '\0'))
			return err_set(err, RC_USAGE,
				       "certificate file '%s': the private key is encrypted and "
				       "no certificate_password_env is set",
				       path);
		if (encrypted)
			return err_set(err, RC_USAGE,
				       "certificate file '%s': cannot decrypt the private key "
				       "(wrong password?)",
				       path);
		return err_set(err, RC_USAGE,
			       "certificate file '%s': no PRIVATE KEY block beside the certificate (%s)",
			       path, why);
	}
	return 0;
}

static int
parse_p12(const struct buf *data, const char *password, struct client_cert *c)
{
	const unsigned char *p = (const unsigned char *)data->ptr;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)data->len);
	int ok;

	if (p12 == NULL)
		return -1;
	ok = PKCS12_parse(p12, password ? password : "", &c->key, &c->cert, NULL);
	PKCS12_free(p12);
	return ok ? 0 : -1;
}

static int
load_p12(const char *path, const struct buf *data, const char *password, struct client_cert *c,
	 struct err *err)
{
	char why[160];

	if (parse_p12(data, password, c) == 0 && c->key && c->cert)
		return 0;
	ssl_reason(why, sizeof(why), "not PKCS#12");
	/*
	 * Files exported by older tools (Windows, OpenSSL 1.x) use RC2/3DES, which
	 * OpenSSL 3 keeps in its legacy provider: load it once and try again.
	 */
	if (strstr(why, "unsupported") != NULL && OSSL_PROVIDER_load(NULL, "legacy") &&
	    OSSL_PROVIDER_load(NULL, "default")) {
		EVP_PKEY_free(c->key);
		X509_free(c->cert);
		c->key = NULL;
		c->cert = NULL;
		if (parse_p12(data, password, c) == 0 && c->key && c->cert)
			return 0;
		ssl_reason(why, sizeof(why), "not PKCS#12");
	}
	ERR_clear_error();
	if (strstr(why, "mac verify failure") != NULL)
		return err_set(err, RC_USAGE,
			       "certificate file '%s': wrong PKCS#12 password (certificate_password_env)",
			       path);
	return err_set(err, RC_USAGE,
		       "certificate file '%s' is neither PEM (certificate + private key) nor "
		       "PKCS#12 with a certificate and key (%s)",
		       path, why);
}

/* PEM is text with a "-----BEGIN" line; PKCS#12 is DER (binary, starts with a SEQUENCE). */
static bool
is_pem(const struct buf *data)
{
	for (size_t i = 0; i + 10 <= data->len; i++)
		if (memcmp(data->ptr + i, "-----BEGIN", 10) == 0)
			return true;
	return false;
}

static void
thumbprint(const X509 *cert, const EVP_MD *md, char *out, size_t n)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	struct buf b = BUF_INIT;

	X509_digest(cert, md, d, &len);
	buf_add_b64url(&b, d, len);
	snprintf(out, n, "%s", buf_cstr(&b));
	buf_release(&b);
}

int
client_cert_load(const char *path, const char *password, struct client_cert **out,
		 struct err *err)
{
	struct client_cert *c = xcalloc(1, sizeof(*c));
	struct buf data = BUF_INIT;
	int rc;

	*out = NULL;
	rc = read_file(path, &data, err);
	if (rc == 0) {
		if (is_pem(&data))
			rc = load_pem(path, &data, password, c, err);
		else
			rc = load_p12(path, &data, password, c, err);
	}
	if (data.ptr)
		OPENSSL_cleanse(data.ptr, data.len);
	buf_release(&data);
	if (rc == 0 && EVP_PKEY_get_base_id(c->key) != EVP_PKEY_RSA)
		rc = err_set(err, RC_USAGE,
			     "certificate file '%s': the key is not RSA (Microsoft Entra certificate "
			     "credentials need an RSA key)",
			     path);
	if (rc == 0 && X509_check_private_key(c->cert, c->key) != 1)
		rc = err_set(err, RC_USAGE,
			     "certificate file '%s': the private key does not belong to the certificate",
			     path);
	ERR_clear_error();
	if (rc < 0) {
		client_cert_free(c);
		return rc;
	}
	thumbprint(c->cert, EVP_sha1(), c->x5t, sizeof(c->x5t));
	thumbprint(c->cert, EVP_sha256(), c->x5t_s256, sizeof(c->x5t_s256));
	*out = c;
	return 0;
}

void
client_cert_free(struct client_cert *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_free(c->key);
	X509_free(c->cert);
	free(c);
}

const char *
client_cert_x5t(const struct client_cert *c)
{
	return c->x5t;
}

const char *
client_cert_x5t_s256(const struct client_cert *c)
{
	return c->x5t_s256;
}

int
assertion_alg_parse(const char *s, enum assertion_alg *out)
{
	if (str_ieq(s, "RS256"))
		*out = ASSERTION_RS256;
	else if (str_ieq(s, "PS256"))
		*out = ASSERTION_PS256;
	else
		return 0;
	return 1;
}

static void
add_json_b64(struct buf *b, cJSON *obj)
{
	char *text = cJSON_PrintUnformatted(obj);

	buf_add_b64url(b, text, strlen(text));
	cJSON_free(text);
}

static void
random_uuid(char out[37])
{
	unsigned char r[16];

	if (RAND_bytes(r, sizeof(r)) != 1)
		die("RAND_bytes failed");
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
		 r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
		 r[14], r[15]);
}

int
client_assertion_make(const struct client_cert *c, enum assertion_alg alg,
		      const char *client_id, const char *aud, time_t now, char **out,
		      struct err *err)
{
	cJSON *hdr = cJSON_CreateObject(), *claims = cJSON_CreateObject();
	struct buf jwt = BUF_INIT;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char jti[37], why[160];
	int rc = 0;

	*out = NULL;
	cJSON_AddStringToObject(hdr, "alg", alg == ASSERTION_PS256 ? "PS256" : "RS256");
	cJSON_AddStringToObject(hdr, "typ", "JWT");
	if (alg == ASSERTION_PS256)
		cJSON_AddStringToObject(hdr, "x5t#S256", c->x5t_s256);
	else
		cJSON_AddStringToObject(hdr, "x5t", c->x5t);
	random_uuid(jti);
	cJSON_AddStringToObject(claims, "aud", aud);
	cJSON_AddStringToObject(claims, "iss", client_id);
	cJSON_AddStringToObject(claims, "sub", client_id);
	cJSON_AddStringToObject(claims, "jti", jti);
	cJSON_AddNumberToObject(claims, "nbf", (double)now);
	cJSON_AddNumberToObject(claims, "iat", (double)now);
	cJSON_AddNumberToObject(claims, "exp", (double)(now + ASSERTION_LIFETIME));
	add_json_b64(&jwt, hdr);
	buf_addc(&jwt, '.');
	add_json_b64(&jwt, claims);

	if (md == NULL ||
	    EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, (EVP_PKEY *)c->key) != 1 ||
	    (alg == ASSERTION_PS256 &&
	     (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
	      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)) ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)jwt.ptr, jwt.len) != 1) {
		rc = err_set(err, RC_AUTH, "cannot sign the client assertion: %s",
			     ssl_reason(why, sizeof(why), "signing failed"));
		goto out;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)jwt.ptr, jwt.len) != 1) {
		rc = err_set(err, RC_AUTH, "cannot sign the client assertion: %s",
			     ssl_reason(why, sizeof(why), "signing failed"));
		goto out;
	}
	buf_addc(&jwt, '.');
	buf_add_b64url(&jwt, sig, siglen);
	*out = buf_detach(&jwt);
out:
	free(sig);
	EVP_MD_CTX_free(md);
	cJSON_Delete(hdr);
	cJSON_Delete(claims);
	buf_release(&jwt);
	return rc;
}
