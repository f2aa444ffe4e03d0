/* The real-world CSV layer: BOM, delimiters, line ends, quoting, numbers, line numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/csvin.h"

static struct csvin *
open_str(const char *s)
{
	struct csvin *c = NULL;
	struct err err = ERR_INIT;

	assert_int_equal(csvin_open_mem(&c, s, strlen(s), "t.csv", &err), 0);
	for (int i = 0; i < csvin_ncols(c); i++)
		csvin_want(c, i);
	return c;
}

static void
test_csvin__bom_semicolon_crlf(void **state)
{
	(void)state;
	static const char *const names[] = { "Cost In Billing Currency", NULL };
	struct csvin *c = open_str("\xEF\xBB\xBF"
				   "Sub;costInBillingCurrency;Note\r\n"
				   "a;1,5;\"x;y\"\r\n"
				   "\r\n"
				   "b;2;\"multi\r\nline\"\r\n"
				   "c;3;last");
	struct err err = ERR_INIT;

	assert_int_equal(csvin_delim(c), ';');
	assert_int_equal(csvin_ncols(c), 3);
	assert_string_equal(csvin_colname(c, 0), "Sub");
	assert_int_equal(csvin_find(c, names), 1);
	assert_int_equal(csvin_next(c, &err), 1);
	assert_string_equal(csvin_field(c, 1), "1,5");
	assert_string_equal(csvin_field(c, 2), "x;y");
	assert_int_equal(csvin_line(c), 2);
	assert_int_equal(csvin_next(c, &err), 1);
	assert_string_equal(csvin_field(c, 0), "b");
	assert_string_equal(csvin_field(c, 2), "multi\r\nline");
	assert_int_equal(csvin_line(c), 4);
	assert_int_equal(csvin_next(c, &err), 1);
	assert_string_equal(csvin_field(c, 2), "last");
	assert_int_equal(csvin_line(c), 6);
	assert_int_equal(csvin_next(c, &err), 0);
	assert_int_equal(csvin_rows(c), 3);
	assert_int_equal(csvin_fail(c, 1, &err, "bad"), RC_PARSE);
	assert_string_equal(err.msg, "t.csv:6: column 2 ('costInBillingCurrency'): bad");
	csvin_free(c);
}

static void
test_csvin__comma_tab_and_short_rows(void **state)
{
	(void)state;
	struct err err = ERR_INIT;
	struct csvin *c = open_str("a,b,c\n1,2\n  x , y ,z,extra\n");

	assert_int_equal(csvin_delim(c), ',');
	assert_int_equal(csvin_next(c, &err), 1);
	assert_string_equal(csvin_field(c, 2), "");
	assert_int_equal(csvin_next(c, &err), 1);
	assert_string_equal(csvin_field(c, 0), "x");
	assert_string_equal(csvin_field(c, 1), "y");
	assert_int_equal(csvin_next(c, &err), 0);
	csvin_free(c);
	c = open_str("a\tb\n1\t2\n");
	assert_int_equal(csvin_delim(c), '\t');
	assert_int_equal(csvin_next(c, &err), 1);
	assert_string_equal(csvin_field(c, 1), "2");
	csvin_free(c);
}

static void
test_csvin__empty_and_utf16(void **state)
{
	(void)state;
	struct csvin *c = NULL;
	struct err err = ERR_INIT;

	assert_int_equal(csvin_open_mem(&c, "", 0, "e.csv", &err), RC_PARSE);
	assert_null(c);
	assert_int_equal(csvin_open_mem(&c, "\n\n", 2, "e.csv", &err), RC_PARSE);
	assert_int_equal(csvin_open_mem(&c, "\xFF\xFE" "a\0", 4, "u.csv", &err), RC_PARSE);
	assert_non_null(strstr(err.msg, "UTF-16"));
}

static void
test_csvin__numbers(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		char dec;
		bool ok;
		double v;
	} cases[] = {
		{ "1.5", '.', true, 1.5 },	   { "-0.25", '.', true, -0.25 },
		{ "1,5", ',', true, 1.5 },	   { "1.234,56", ',', true, 1234.56 },
		{ "1,234.56", '.', true, 1234.56 }, { "1.234", ',', false, 0 },
		{ "0.5", ',', false, 0 },	   { "2,5E-01", ',', true, 0.25 },
		{ "1e3", '.', true, 1000 },	   { " 7 ", '.', true, 7 },
		{ "", '.', false, 0 },		   { "abc", '.', false, 0 },
		{ "1.2.3", '.', false, 0 },	   { "nan", '.', false, 0 },
		{ "1e999", '.', false, 0 },	   { "12,34.5", '.', false, 0 },
		{ ".5", '.', true, 0.5 },	   { "1,5", '.', false, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = 0;
		bool ok = csvin_number(cases[i].s, cases[i].dec, &v);
		if (ok != cases[i].ok)
			fail_msg("case %zu '%s': ok=%d", i, cases[i].s, ok);
		if (ok && v != cases[i].v)
			fail_msg("case %zu '%s': %g", i, cases[i].s, v);
	}
}

static void
test_csvin__norm(void **state)
{
	(void)state;
	char out[64];

	csvin_norm("Cost In_Billing-Currency", 24, out);
	assert_string_equal(out, "costinbillingcurrency");
	csvin_norm("MPN ID", 6, out);
	assert_string_equal(out, "mpnid");
}

static void
test_csvin__unterminated_quote(void **state)
{
	(void)state;
	struct err err = ERR_INIT;
	struct csvin *c = open_str("a,b\n1,\"open\n2,3\n");
	int rc;

	while ((rc = csvin_next(c, &err)) > 0)
		;
	/* an unterminated quote swallows the rest of the file: an error naming where it opened */
	assert_int_equal(rc, RC_PARSE);
	assert_non_null(strstr(err.msg, "t.csv:2:"));
	csvin_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csvin__bom_semicolon_crlf),
		cmocka_unit_test(test_csvin__comma_tab_and_short_rows),
		cmocka_unit_test(test_csvin__empty_and_utf16),
		cmocka_unit_test(test_csvin__numbers),
		cmocka_unit_test(test_csvin__norm),
		cmocka_unit_test(test_csvin__unterminated_quote),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
