/*
 * reports/html: escaping of every text, the model embedded with '<' escaped, the CSP hash of the
 * one script, hostile names in every place the page shows a name, and a failed write reported.
 * The model here is a hand-made one in the shape html_model_build gives (t800 builds real ones
 * from databases).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "reports/html.h"

static char *
escaped(const char *s)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);

	assert_non_null(fp);
	html_escape(fp, s);
	fclose(fp);
	return p;
}

static void
test_html__escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "=HYPERLINK(\"http://x\")", "=HYPERLINK(&quot;http://x&quot;)" },
		{ "a'b\"c&d", "a&#39;b&quot;c&amp;d" },
		{ "Müller & Söhne", "Müller &amp; Söhne" },
		{ "&amp;", "&amp;amp;" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = escaped(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static const char *const hostile = "<script>alert(1)</script>";

/* A model with one customer named hostile, in each list that names customers. */
static cJSON *
model(void)
{
	cJSON *m = cJSON_CreateObject(), *c, *a, *h, *money, *r;

	cJSON_AddNumberToObject(m, "schema", 1);
	cJSON_AddStringToObject(m, "period", "2026-10");
	cJSON_AddNullToObject(m, "as_of_run");
	cJSON_AddStringToObject(m, "generated_at", "2026-11-02T08:00:00Z");
	cJSON_AddStringToObject(m, "palscope_version", "0.1.0");
	cJSON_AddArrayToObject(m, "warnings");
	r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "run_id", 1);
	cJSON_AddStringToObject(r, "status", "complete");
	cJSON_AddStringToObject(r, "detail", hostile);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "runs"), r);
	h = cJSON_AddObjectToObject(m, "headline");
	cJSON_AddNumberToObject(h, "customers", 1);
	cJSON_AddNumberToObject(h, "customers_counted", 0);
	cJSON_AddNumberToObject(h, "customers_missing", 1);
	cJSON_AddNumberToObject(h, "customers_unknown", 0);
	money = cJSON_AddArrayToObject(h, "money");
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "currency", "EUR");
	cJSON_AddNumberToObject(r, "usage", 1234567.5);
	cJSON_AddNumberToObject(r, "attributed_usage", 0);
	cJSON_AddNumberToObject(r, "usage_at_stake", 1234567.5);
	cJSON_AddItemToArray(money, r);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "reason_code", "NO_LINK");
	cJSON_AddNumberToObject(r, "customers", 1);
	cJSON_AddNumberToObject(r, "usage_at_stake", 1234567.5);
	cJSON_AddStringToObject(r, "currency", "EUR");
	cJSON_AddStringToObject(r, "detail", hostile);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "reasons"), r);
	cJSON_AddArrayToObject(m, "funnel");
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "actor", "partner");
	cJSON_AddStringToObject(a, "reason_code", "NO_LINK");
	cJSON_AddStringToObject(a, "customer_name", hostile);
	cJSON_AddStringToObject(a, "tenant_id", "a0000001-0000-4000-8000-000000000000");
	cJSON_AddStringToObject(a, "identity_name", hostile);
	cJSON_AddNumberToObject(a, "subscriptions", 1);
	cJSON_AddNumberToObject(a, "usage_at_stake", 1234567.5);
	cJSON_AddStringToObject(a, "currency", "EUR");
	cJSON_AddStringToObject(a, "text", "run `az managementpartner create --partner-id 1234567` <b>");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "actions"), a);
	cJSON_AddArrayToObject(m, "trend");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "tenant_id", "a0000001-0000-4000-8000-000000000000");
	cJSON_AddStringToObject(c, "customer_name", hostile);
	cJSON_AddStringToObject(c, "status", "MISSING");
	cJSON_AddStringToObject(c, "reason_code", "NO_LINK");
	cJSON_AddNumberToObject(c, "subscriptions", 1);
	cJSON_AddNumberToObject(c, "attributed_subscriptions", 0);
	cJSON_AddNumberToObject(c, "attributed_usage", 0);
	cJSON_AddStringToObject(c, "currency", "EUR");
	cJSON_AddStringToObject(c, "explanation", "'</script><script>alert(2)</script>' is not linked");
	cJSON_AddNumberToObject(c, "usage", 1234567.5);
	cJSON_AddNumberToObject(c, "missing_usage", 1234567.5);
	cJSON_AddArrayToObject(cJSON_AddObjectToObject(c, "why"), "subscriptions");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "customers"), c);
	return m;
}

/* noinline: gcc 12 otherwise takes pointers into the page for pointers to the local p */
static __attribute__((noinline)) char *
render(cJSON *m)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	struct err err = ERR_INIT;

	assert_non_null(fp);
	assert_int_equal(html_render(fp, m, &err), 0);
	fclose(fp);
	return p;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void
test_html__hostile_names_escaped(void **state)
{
	cJSON *m = model();
	char *page = render(m);

	(void)state;
	/* the only <script> tags are the data block and the page's own script */
	assert_int_equal(count(page, "<script"), 2);
	assert_int_equal(count(page, "</script>"), 2);
	assert_null(strstr(page, "alert(1)</"));
	assert_null(strstr(page, "<b>"));
	/* shown escaped in the run, the reason, the action and the table row */
	assert_true(count(page, "&lt;script&gt;alert(1)&lt;/script&gt;") >= 6);
	assert_non_null(strstr(page, "<th>&lt;script&gt;alert(1)&lt;/script&gt;</th>"));
	/* in the JSON block '<' is \u003c, and the text comes back unchanged */
	const char *j = strstr(page, "id=\"palscope-data\">");
	assert_non_null(j);
	j += strlen("id=\"palscope-data\">");
	const char *e = strstr(j, "</script>");
	char *json = strndup(j, (size_t)(e - j));
	assert_null(strchr(json, '<'));
	cJSON *back = cJSON_Parse(json);
	assert_non_null(back);
	/* packed: customers.columns names the values of each of customers.rows */
	cJSON *cust = cJSON_GetObjectItem(back, "customers");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(cust, "columns"), 1)), "customer_name");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetArrayItem(
				    cJSON_GetObjectItem(cust, "rows"), 0), 1)), hostile);
	/* commands of a fix in <code>, money for people */
	assert_non_null(strstr(page, "<code>az managementpartner create --partner-id 1234567</code>"));
	assert_non_null(strstr(page, ">1,234,567.50<"));
	assert_non_null(strstr(page, "data-value=\"1234567.50\""));
	cJSON_Delete(back);
	free(json);
	free(page);
	cJSON_Delete(m);
}

static void
test_html__csp_hash_of_the_script(void **state)
{
	cJSON *m = model();
	char *page = render(m);
	unsigned char md[EVP_MAX_MD_SIZE], b64[128];
	unsigned int len = 0;
	char want[160];

	(void)state;
	const char *s = strstr(page, "<script>");
	assert_non_null(s);
	s += strlen("<script>");
	const char *e = strstr(s, "</script>");
	assert_non_null(e);
	assert_true(e - s > 1000);	/* the real script, not an empty one */
	assert_int_equal(EVP_Digest(s, (size_t)(e - s), md, &len, EVP_sha256(), NULL), 1);
	EVP_EncodeBlock(b64, md, (int)len);
	snprintf(want, sizeof(want), "script-src 'sha256-%s';", (const char *)b64);
	assert_non_null(strstr(page, want));
	assert_non_null(strstr(page, "content=\"default-src 'none'; "));
	assert_null(strstr(page, "http://"));
	assert_null(strstr(page, "https://"));
	free(page);
	cJSON_Delete(m);
}

static void
test_html__write_failure(void **state)
{
	cJSON *m = model();
	struct err err = ERR_INIT;
	FILE *fp = fopen("/dev/full", "w");

	(void)state;
	if (fp == NULL) {
		cJSON_Delete(m);
		fail_msg("/dev/full cannot be opened");
	}
	assert_int_equal(html_render(fp, m, &err), RC_IO);
	assert_non_null(strstr(err.msg, "cannot write the HTML report"));
	fclose(fp);
	cJSON_Delete(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html__escape),
		cmocka_unit_test(test_html__hostile_names_escaped),
		cmocka_unit_test(test_html__csp_hash_of_the_script),
		cmocka_unit_test(test_html__write_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
