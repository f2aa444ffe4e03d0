/*
 * Client assertions: certificates and keys are made here with OpenSSL (RSA
 * 2048, self-signed, as `New-SelfSignedCertificate` / `openssl req -x509`
 * would), written as PEM and PKCS#12, loaded back, and the signed JWT is
 * taken apart and its signature verified with the certificate's public key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/assertion.h"
#include "common/buf.h"

static char dir[] = "/tmp/palscope-assertion-XXXXXX";

static EVP_PKEY *
make_cert(const char *alg, X509 **out)
{
	EVP_PKEY *k = strcmp(alg, "EC") == 0 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
	X509 *x = X509_new();

	assert_non_null(k);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"palscope-test", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	*out = x;
	return k;
}

static char *
path_of(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

/* PEM file with the key first or the certificate first; pass encrypts the key. */
static void
write_pem(const char *name, EVP_PKEY *k, X509 *x, int key_first, const char *pass)
{
	FILE *fp = fopen(path_of(name), "w");

	assert_non_null(fp);
	if (!key_first)
		PEM_write_X509(fp, x);
	if (pass)
		PEM_write_PKCS8PrivateKey(fp, k, EVP_aes_256_cbc(), pass, (int)strlen(pass), NULL,
					  NULL);
	else
		PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL);
	if (key_first)
		PEM_write_X509(fp, x);
	fclose(fp);
}

static void
write_p12(const char *name, EVP_PKEY *k, X509 *x, const char *pass)
{
	PKCS12 *p = PKCS12_create(pass, "palscope", k, x, NULL, 0, 0, 0, 0, 0);
	FILE *fp = fopen(path_of(name), "wb");

	assert_non_null(p);
	assert_non_null(fp);
	i2d_PKCS12_fp(fp, p);
	fclose(fp);
	PKCS12_free(p);
}

static EVP_PKEY *rsa_key, *other_key;
static X509 *rsa_cert, *other_cert;

static int
setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	rsa_key = make_cert("RSA", &rsa_cert);
	other_key = make_cert("RSA", &other_cert);
	write_pem("key-first.pem", rsa_key, rsa_cert, 1, NULL);
	write_pem("cert-first.pem", rsa_key, rsa_cert, 0, NULL);
	write_pem("encrypted.pem", rsa_key, rsa_cert, 0, "pem-pass");
	write_p12("cert.pfx", rsa_key, rsa_cert, "pfx-pass");
	write_p12("nopass.pfx", rsa_key, rsa_cert, NULL);
	/* the certificate of one key with another key */
	FILE *fp = fopen(path_of("mismatch.pem"), "w");
	PEM_write_X509(fp, rsa_cert);
	PEM_write_PrivateKey(fp, other_key, NULL, NULL, 0, NULL, NULL);
	fclose(fp);
	X509 *ec_cert;
	EVP_PKEY *ec = make_cert("EC", &ec_cert);
	write_pem("ec.pem", ec, ec_cert, 0, NULL);
	EVP_PKEY_free(ec);
	X509_free(ec_cert);
	fp = fopen(path_of("cert-only.pem"), "w");
	PEM_write_X509(fp, rsa_cert);
	fclose(fp);
	fp = fopen(path_of("garbage.bin"), "w");
	fputs("\x30\x82garbage", fp);
	fclose(fp);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(other_key);
	X509_free(rsa_cert);
	X509_free(other_cert);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
b64url_decode(const char *in, size_t len, struct buf *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		const char *p = strchr(tab, in[i]);
		assert_non_null(p);
		acc = (acc << 6) | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static cJSON *
part_json(const char *start, const char *end)
{
	struct buf b = BUF_INIT;

	b64url_decode(start, (size_t)(end - start), &b);
	cJSON *j = cJSON_Parse(buf_cstr(&b));
	buf_release(&b);
	assert_non_null(j);
	return j;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static void
expect_thumb(const char *got, const EVP_MD *md)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	struct buf b = BUF_INIT;

	assert_int_equal(X509_digest(rsa_cert, md, d, &n), 1);
	buf_add_b64url(&b, d, n);
	assert_non_null(got);
	assert_string_equal(got, buf_cstr(&b));
	buf_release(&b);
}

static void
check_assertion(enum assertion_alg alg)
{
	struct client_cert *c = NULL;
	struct err err = ERR_INIT;
	char *jwt = NULL;
	const char *aud = "https://login.microsoftonline.com/t1/oauth2/v2.0/token";

	assert_int_equal(client_cert_load(path_of("cert-first.pem"), NULL, &c, &err), 0);
	assert_int_equal(client_assertion_make(c, alg, "c1010001-1111-4000-8000-000000000000", aud,
					       1790000000, &jwt, &err),
			 0);
	const char *d1 = strchr(jwt, '.'), *d2 = strchr(d1 + 1, '.');
	assert_non_null(d2);
	assert_null(strchr(d2 + 1, '.'));
	cJSON *h = part_json(jwt, d1), *cl = part_json(d1 + 1, d2);
	assert_string_equal(str(h, "typ"), "JWT");
	if (alg == ASSERTION_PS256) {
		assert_string_equal(str(h, "alg"), "PS256");
		expect_thumb(str(h, "x5t#S256"), EVP_sha256());
		assert_null(str(h, "x5t"));
	} else {
		assert_string_equal(str(h, "alg"), "RS256");
		expect_thumb(str(h, "x5t"), EVP_sha1());
		assert_null(str(h, "x5t#S256"));
	}
	assert_string_equal(str(cl, "aud"), aud);
	assert_string_equal(str(cl, "iss"), "c1010001-1111-4000-8000-000000000000");
	assert_string_equal(str(cl, "sub"), "c1010001-1111-4000-8000-000000000000");
	assert_int_equal(strlen(str(cl, "jti")), 36);
	assert_true(num(cl, "nbf") == 1790000000);
	assert_true(num(cl, "exp") == 1790000000 + 600);

	/* The signature verifies with the certificate's public key, and only over these bytes. */
	struct buf sig = BUF_INIT;
	b64url_decode(d2 + 1, strlen(d2 + 1), &sig);
	assert_int_equal(sig.len, 256);
	for (int tamper = 0; tamper < 2; tamper++) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = NULL;
		EVP_PKEY *pub = X509_get0_pubkey(rsa_cert);
		assert_int_equal(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pub), 1);
		if (alg == ASSERTION_PS256) {
			EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32);
		}
		struct buf in = BUF_INIT;
		buf_add(&in, jwt, (size_t)(d2 - jwt));
		if (tamper)
			in.ptr[5] ^= 1;
		int v = EVP_DigestVerify(md, (unsigned char *)sig.ptr, sig.len,
					 (unsigned char *)in.ptr, in.len);
		assert_int_equal(v, tamper ? 0 : 1);
		buf_release(&in);
		EVP_MD_CTX_free(md);
	}
	/* A second assertion has a new jti. */
	char *jwt2 = NULL;
	assert_int_equal(client_assertion_make(c, alg, "c1010001-1111-4000-8000-000000000000", aud,
					       1790000000, &jwt2, &err),
			 0);
	const char *e1 = strchr(jwt2, '.'), *e2 = strchr(e1 + 1, '.');
	cJSON *cl2 = part_json(e1 + 1, e2);
	assert_string_not_equal(str(cl, "jti"), str(cl2, "jti"));
	cJSON_Delete(cl2);
	free(jwt2);
	buf_release(&sig);
	cJSON_Delete(h);
	cJSON_Delete(cl);
	free(jwt);
	client_cert_free(c);
}

static void
test_rs256(void **state)
{
	(void)state;
	check_assertion(ASSERTION_RS256);
}

static void
test_ps256(void **state)
{
	(void)state;
	check_assertion(ASSERTION_PS256);
}

static void
expect_load(const char *name, const char *pass, int ok, const char *msg_part)
{
	struct client_cert *c = NULL;
	struct err err = ERR_INIT;
	int rc = client_cert_load(path_of(name), pass, &c, &err);

	if (ok) {
		if (rc != 0)
			fail_msg("%s: %s", name, err.msg);
		expect_thumb(client_cert_x5t(c), EVP_sha1());
		expect_thumb(client_cert_x5t_s256(c), EVP_sha256());
	} else {
		assert_int_equal(rc, RC_USAGE);
		assert_null(c);
		if (strstr(err.msg, msg_part) == NULL)
			fail_msg("%s: '%s' lacks '%s'", name, err.msg, msg_part);
		assert_non_null(strstr(err.msg, name));
		if (pass)
			assert_null(strstr(err.msg, pass));
	}
	client_cert_free(c);
}

static void
test_load_forms(void **state)
{
	(void)state;
	expect_load("key-first.pem", NULL, 1, NULL);
	expect_load("cert-first.pem", NULL, 1, NULL);
	expect_load("encrypted.pem", "pem-pass", 1, NULL);
	expect_load("cert.pfx", "pfx-pass", 1, NULL);
	expect_load("nopass.pfx", NULL, 1, NULL);
}

static void
test_load_errors(void **state)
{
	(void)state;
	expect_load("encrypted.pem", NULL, 0, "encrypted");
	expect_load("encrypted.pem", "not-it", 0, "wrong password");
	expect_load("cert.pfx", "not-it", 0, "wrong PKCS#12 password");
	expect_load("mismatch.pem", NULL, 0, "does not belong");
	expect_load("ec.pem", NULL, 0, "not RSA");
	expect_load("cert-only.pem", NULL, 0, "no PRIVATE KEY");
	expect_load("garbage.bin", NULL, 0, "neither PEM");
	expect_load("missing.pem", NULL, 0, "cannot open");
}

static void
test_alg_parse(void **state)
{
	enum assertion_alg a = ASSERTION_RS256;

	(void)state;
	assert_true(assertion_alg_parse("ps256", &a));
	assert_int_equal(a, ASSERTION_PS256);
	assert_true(assertion_alg_parse("RS256", &a));
	assert_int_equal(a, ASSERTION_RS256);
	assert_false(assertion_alg_parse("HS256", &a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rs256),
		cmocka_unit_test(test_ps256),
		cmocka_unit_test(test_load_forms),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_alg_parse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
