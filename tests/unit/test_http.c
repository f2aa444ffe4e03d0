/* collector/http: the pure decisions of the engine (retry, delay, hints, URL safety). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "collector/http.h"

static const struct retry_policy policy = { .max_attempts = 6, .base_ms = 1000, .max_ms = 60000 };

static void
test_http__classify(void **state)
{
	static const struct {
		CURLcode cc;
		long status;
		const char *body;
		int attempts;
		enum http_verdict want;
	} cases[] = {
		{ CURLE_OK, 200, "", 1, HTTP_DONE },
		{ CURLE_OK, 404, "", 1, HTTP_DONE },
		{ CURLE_OK, 403, "", 1, HTTP_DONE },
		{ CURLE_OK, 429, "", 1, HTTP_RETRY },
		{ CURLE_OK, 429, "", 6, HTTP_DONE }, /* retry cap */
		{ CURLE_OK, 503, "", 2, HTTP_RETRY },
		{ CURLE_OK, 500, "", 5, HTTP_RETRY },
		{ CURLE_OK, 502, "", 1, HTTP_RETRY },
		{ CURLE_OK, 504, "", 1, HTTP_RETRY },
		{ CURLE_OK, 408, "", 1, HTTP_RETRY },
		{ CURLE_OK, 401, "{\"error\":{\"code\":\"ExpiredAuthenticationToken\"}}", 1, HTTP_REAUTH },
		{ CURLE_OK, 401, "{\"error\":{\"code\":\"InvalidAuthenticationToken\"}}", 1, HTTP_REAUTH },
		{ CURLE_OK, 401, "{\"error\":{\"code\":\"InvalidAuthenticationTokenTenant\"}}", 1,
		  HTTP_DONE },
		{ CURLE_OPERATION_TIMEDOUT, 0, "", 1, HTTP_RETRY },
		{ CURLE_COULDNT_CONNECT, 0, "", 3, HTTP_RETRY },
		{ CURLE_RECV_ERROR, 0, "", 1, HTTP_RETRY },
		{ CURLE_PARTIAL_FILE, 200, "", 1, HTTP_RETRY },
		{ CURLE_GOT_NOTHING, 0, "", 1, HTTP_RETRY },
		{ CURLE_GOT_NOTHING, 0, "", 6, HTTP_DONE },
		{ CURLE_PEER_FAILED_VERIFICATION, 0, "", 1, HTTP_DONE },
		{ CURLE_UNSUPPORTED_PROTOCOL, 0, "", 1, HTTP_DONE },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum http_verdict v = http_classify(cases[i].cc, cases[i].status, cases[i].body,
						    cases[i].attempts, &policy);
		if (v != cases[i].want)
			fail_msg("case %zu: got %d, want %d", i, (int)v, (int)cases[i].want);
	}
}

static void
test_http__delay(void **state)
{
	unsigned rng = 42;
	(void)state;
	/* A hint wins, capped. */
	assert_int_equal(http_retry_delay_ms(1, 2000, &policy, &rng), 2000);
	assert_int_equal(http_retry_delay_ms(1, 3600000, &policy, &rng), 60000);
	assert_int_equal(http_retry_delay_ms(1, 0, &policy, &rng), 0);
	/* Backoff doubles, with jitter in [d/2, d]. */
	for (int a = 1; a <= 8; a++) {
		int64_t d = 1000;
		for (int i = 1; i < a && d < 60000; i++)
			d *= 2;
		if (d > 60000)
			d = 60000;
		for (int k = 0; k < 50; k++) {
			int64_t got = http_retry_delay_ms(a, -1, &policy, &rng);
			if (got < d / 2 || got > d)
				fail_msg("attempt %d: %lld not in [%lld, %lld]", a, (long long)got,
					 (long long)(d / 2), (long long)d);
		}
	}
}

/* The jitter comes from the caller's generator: one seed, one sequence; two seeds, two. */
static void
test_http__jitter_seeded(void **state)
{
	unsigned a = 1, b = 1, c = 2;
	int same_ab = 0, same_ac = 0;
	(void)state;
	for (int k = 0; k < 32; k++) {
		int64_t da = http_retry_delay_ms(6, -1, &policy, &a);
		int64_t db = http_retry_delay_ms(6, -1, &policy, &b);
		int64_t dc = http_retry_delay_ms(6, -1, &policy, &c);
		same_ab += da == db;
		same_ac += da == dc;
	}
	assert_int_equal(same_ab, 32);
	assert_true(same_ac < 4);
	/* A hint uses no randomness: the state is untouched. */
	a = 7;
	http_retry_delay_ms(1, 500, &policy, &a);
	assert_int_equal(a, 7);
}

static void
test_http__retry_headers(void **state)
{
	time_t now = 1445412480; /* Wed, 21 Oct 2015 07:28:00 GMT */
	(void)state;
#define H(s) http_parse_retry_header(s, strlen(s), now)
	assert_int_equal(H("Retry-After: 2\r\n"), 2000);
	assert_int_equal(H("retry-after:   17  \r\n"), 17000);
	assert_int_equal(H("Retry-After: Wed, 21 Oct 2015 07:28:30 GMT\r\n"), 30000);
	assert_int_equal(H("Retry-After: Wed, 21 Oct 2015 07:27:00 GMT\r\n"), 0);
	assert_int_equal(H("x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after: 3\r\n"), 3000);
	assert_int_equal(H("x-ms-ratelimit-microsoft.costmanagement-entity-retry-after: 12\r\n"),
			 12000);
	assert_int_equal(H("x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after: 60\r\n"),
			 60000);
	assert_int_equal(H("x-ms-ratelimit-microsoft.costmanagement-qpu-remaining: 3\r\n"), -1);
	assert_int_equal(H("x-ms-ratelimit-remaining-subscription-reads: 11999\r\n"), -1);
	assert_int_equal(H("Retry-After: soon\r\n"), -1);
	assert_int_equal(H("Content-Type: application/json\r\n"), -1);
	assert_int_equal(H("HTTP/1.1 429 Too Many Requests\r\n"), -1);
#undef H
}

static void
test_http__origin(void **state)
{
	(void)state;
	assert_true(http_same_origin("https://management.azure.com/subscriptions?api-version=1&$skiptoken=x",
				     "https://management.azure.com"));
	assert_true(http_same_origin("https://MANAGEMENT.azure.com:443/x", "https://management.azure.com"));
	assert_false(http_same_origin("https://evil.example/x", "https://management.azure.com"));
	assert_false(http_same_origin("http://management.azure.com/x", "https://management.azure.com"));
	assert_false(http_same_origin("https://management.azure.com.evil.example/x",
				      "https://management.azure.com"));
	assert_false(http_same_origin("https://management.azure.com@evil.example/x",
				      "https://management.azure.com"));
	assert_true(http_same_origin("http://127.0.0.1:8080/a", "http://127.0.0.1:8080"));
	assert_false(http_same_origin("http://127.0.0.1:8081/a", "http://127.0.0.1:8080"));
	assert_false(http_same_origin("not a url", "https://management.azure.com"));
}

static void
test_http__loopback(void **state)
{
	(void)state;
	assert_true(http_is_loopback("http://127.0.0.1:1234"));
	assert_true(http_is_loopback("http://127.8.9.10/"));
	assert_true(http_is_loopback("http://localhost:80"));
	assert_true(http_is_loopback("http://[::1]:9000/"));
	assert_false(http_is_loopback("http://10.0.0.1"));
	assert_false(http_is_loopback("http://127.0.0.1.evil.example"));
	assert_false(http_is_loopback("http://management.azure.com"));
	assert_false(http_is_loopback("http://1270.0.0.1"));
	/* IMDS: the one non-loopback http address, exactly (managed identity only) */
	assert_true(http_is_imds("http://169.254.169.254"));
	assert_true(http_is_imds("http://169.254.169.254:80/metadata/identity/oauth2/token?x=1"));
	assert_false(http_is_imds("https://169.254.169.254"));
	assert_false(http_is_imds("http://169.254.169.254:8080"));
	assert_false(http_is_imds("http://169.254.169.254.evil.example"));
	assert_false(http_is_imds("http://169.254.169.25"));
	assert_false(http_is_imds("http://user@10.0.0.1"));
	assert_false(http_is_imds("not a url"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http__classify),	    cmocka_unit_test(test_http__delay),
		cmocka_unit_test(test_http__jitter_seeded),
		cmocka_unit_test(test_http__retry_headers), cmocka_unit_test(test_http__origin),
		cmocka_unit_test(test_http__loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
