/* collector/aadsts, user_auth and token_cache: the signed-in user's pieces without the network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/aadsts.h"
#include "collector/token_cache.h"
#include "collector/user_auth.h"
#include "testutil.h"

static void
test_user_auth__aadsts_code(void **state)
{
	char oauth[64];
	(void)state;
	/* shared/azure-examples/identity/token-client-credentials-error.json */
	char *body = test_slurp(TEST_FIXTURES "/azure/token-client-credentials-error.json", NULL);
	assert_non_null(body);
	assert_int_equal(aadsts_code(body), 70011);
	aadsts_error(body, oauth, sizeof(oauth));
	assert_string_equal(oauth, "invalid_scope");
	free(body);
	/* No error_codes: the number after AADSTS in the description. */
	assert_int_equal(aadsts_code("{\"error\":\"invalid_grant\",\"error_description\":"
				     "\"AADSTS50076: Due to a configuration change\"}"),
			 50076);
	assert_int_equal(aadsts_code("not json"), 0);
}

static void
test_user_auth__explain(void **state)
{
	char out[512];
	const char *t = "f0000003-0000-4000-8000-000000000000";
	(void)state;
	assert_true(aadsts_explain(50076, t, NULL, out, sizeof(out)));
	assert_non_null(strstr(out, "sign in to it once: palscope login --tenant "
				    "f0000003-0000-4000-8000-000000000000"));
	assert_true(aadsts_explain(53003, t, NULL, out, sizeof(out)));
	assert_non_null(strstr(out, "Conditional Access"));
	assert_true(aadsts_explain(500212, t, NULL, out, sizeof(out)));
	assert_non_null(strstr(out, "outbound cross-tenant access"));
	assert_true(aadsts_explain(50020, t, NULL, out, sizeof(out)));
	assert_non_null(strstr(out, "not a member or guest"));
	assert_true(aadsts_explain(700082, NULL, NULL, out, sizeof(out)));
	assert_non_null(strstr(out, "sign in again: palscope login"));
	assert_true(aadsts_explain(65001, t, USER_DEFAULT_CLIENT_ID, out, sizeof(out)));
	assert_non_null(strstr(out, "consent"));
	assert_non_null(strstr(out, "--client-id"));
	/* az signs in as the Azure CLI's application: no --client-id to give it */
	assert_true(aadsts_explain_as(65001, t, NULL, "az login", out, sizeof(out)));
	assert_non_null(strstr(out, "the Azure CLI's application (04b07795-8ddb-461a-bbee-"
				    "02f9e1bf7b46) is not consented to in tenant f0000003"));
	assert_null(strstr(out, "--client-id"));
	assert_true(aadsts_explain_as(500011, t, NULL, "az login", out, sizeof(out)));
	assert_non_null(strstr(out, "is not present in tenant f0000003-0000-4000-8000-000000000000 "
				    "(AADSTS500011)"));
	assert_true(aadsts_is_expired(50173));
	assert_false(aadsts_is_expired(50076));
	assert_false(aadsts_explain(7000215, t, NULL, out, sizeof(out)));
}

static void
b64url(const char *in, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = a[(v >> 18) & 63];
		out[o++] = a[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = a[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = a[v & 63];
	}
	out[o] = '\0';
}

static void
test_user_auth__claims(void **state)
{
	char tok[2048], p[1024];
	struct user_claims c;
	struct err err = ERR_INIT;
	(void)state;
	/* A B2B guest's ARM token: tid is the guest tenant, idp the home tenant, no upn. */
	b64url("{\"oid\":\"0f000003-0000-4000-8000-000000000000\","
	       "\"tid\":\"f0000003-0000-4000-8000-000000000000\","
	       "\"idp\":\"https://sts.windows.net/f0000000-0000-4000-8000-000000000000/\","
	       "\"unique_name\":\"alice@fabrikam.example\",\"idtyp\":\"user\",\"amr\":[\"pwd\",\"mfa\"]}",
	       p);
	snprintf(tok, sizeof(tok), "eyJhbGciOiJSUzI1NiJ9.%s.c2ln", p);
	assert_int_equal(user_token_claims(tok, &c, &err), 0);
	assert_string_equal(c.tid, "f0000003-0000-4000-8000-000000000000");
	assert_string_equal(c.home_tid, "f0000000-0000-4000-8000-000000000000");
	assert_string_equal(c.oid, "0f000003-0000-4000-8000-000000000000");
	assert_string_equal(c.upn, "alice@fabrikam.example");
	assert_true(c.mfa);
	assert_true(c.is_user);
	/* A member without mfa: home = tid, upn wins over unique_name. */
	b64url("{\"oid\":\"0f000000-0000-4000-8000-000000000000\","
	       "\"tid\":\"f0000000-0000-4000-8000-000000000000\",\"upn\":\"alice@x\","
	       "\"unique_name\":\"other\",\"amr\":[\"pwd\"]}",
	       p);
	snprintf(tok, sizeof(tok), "eyJhbGciOiJSUzI1NiJ9.%s.c2ln", p);
	assert_int_equal(user_token_claims(tok, &c, &err), 0);
	assert_string_equal(c.home_tid, "f0000000-0000-4000-8000-000000000000");
	assert_string_equal(c.upn, "alice@x");
	assert_false(c.mfa);
	assert_true(user_token_claims("no-dots", &c, &err) < 0);
}

static void
test_user_auth__body(void **state)
{
	struct user_credential c = { .client_id = USER_DEFAULT_CLIENT_ID };
	(void)state;
	user_credential_take(&c, strdup("0.A+b/c="));
	char *b = user_token_body(&c, "https://management.azure.com/");
	assert_string_equal(b, "grant_type=refresh_token&client_id=" USER_DEFAULT_CLIENT_ID
			       "&scope=https%3A%2F%2Fmanagement.azure.com%2F.default%20offline_access"
			       "&refresh_token=0.A%2Bb%2Fc%3D");
	free(b);
	char *rt = user_response_refresh_token("{\"access_token\":\"x\",\"refresh_token\":\"0.B\"}");
	assert_string_equal(rt, "0.B");
	user_credential_take(&c, rt);
	assert_string_equal(c.refresh_token, "0.B");
	assert_null(user_response_refresh_token("{\"access_token\":\"x\"}"));
	user_credential_release(&c);
	assert_null(c.refresh_token);
}

static void
test_user_auth__cache(void **state)
{
	char tmpl[] = "/tmp/palscope-cache-XXXXXX", dir[4096], file[4096], login[256];
	struct user_credential c = { .client_id = USER_DEFAULT_CLIENT_ID,
				     .home_tenant = "f0000000-0000-4000-8000-000000000000",
				     .oid = "0f000000-0000-4000-8000-000000000000",
				     .upn = "alice@fabrikam.example" };
	struct user_credential back;
	struct err err = ERR_INIT;
	struct stat st;
	bool removed;
	(void)state;
	assert_non_null(mkdtemp(tmpl));
	setenv("XDG_STATE_HOME", tmpl, 1);
	assert_int_equal(token_cache_paths(dir, file, sizeof(dir), &err), 0);
	assert_int_equal(token_cache_load(&back, login, sizeof(login), &err), RC_NOTFOUND);
	c.refresh_token = strdup("0.Asecret");
	assert_int_equal(token_cache_save(&c, "https://login.microsoftonline.com", &err), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(token_cache_load(&back, login, sizeof(login), &err), 0);
	assert_string_equal(back.refresh_token, "0.Asecret");
	assert_string_equal(back.upn, "alice@fabrikam.example");
	assert_string_equal(back.home_tenant, c.home_tenant);
	assert_string_equal(login, "https://login.microsoftonline.com");
	user_credential_release(&back);
	/* Readable by others: refused. */
	assert_int_equal(chmod(file, 0644), 0);
	assert_true(token_cache_load(&back, login, sizeof(login), &err) < 0);
	assert_non_null(strstr(err.msg, "can be read by others"));
	assert_int_equal(token_cache_remove(&removed, &err), 0);
	assert_true(removed);
	assert_int_equal(token_cache_remove(&removed, &err), 0);
	assert_false(removed);
	user_credential_release(&c);
	rmdir(dir);
	rmdir(tmpl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_auth__aadsts_code),
		cmocka_unit_test(test_user_auth__explain),
		cmocka_unit_test(test_user_auth__claims),
		cmocka_unit_test(test_user_auth__body),
		cmocka_unit_test(test_user_auth__cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
