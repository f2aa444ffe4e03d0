/* reports/report_csv: quoting, formula guard, money format under any locale, Excel mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report_csv.h"

static char *
render(void (*fn)(struct report_csv *), int excel)
{
	char *p = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&p, &n);
	struct report_csv o;

	assert_non_null(fp);
	report_csv_begin(&o, fp, excel);
	fn(&o);
	assert_int_equal(report_csv_end(&o), 0);
	fclose(fp);
	return p;
}

static const struct {
	const char *in;
	const char *out;
} text_cases[] = {
	{ "plain", "\"plain\"" },
	{ "", "\"\"" },
	{ "a,b", "\"a,b\"" },
	{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
	{ "two\nlines", "\"two\nlines\"" },
	{ "ünïcödé Dév", "\"ünïcödé Dév\"" },
	{ "=1+2", "\"'=1+2\"" },
	{ "+1", "\"'+1\"" },
	{ "-1", "\"'-1\"" },
	{ "@SUM(A1)", "\"'@SUM(A1)\"" },
	{ "\tx", "\"'\tx\"" },
	{ "\rx", "\"'\rx\"" },
	{ "=\"x\"", "\"'=\"\"x\"\"\"" },
	{ "a=b", "\"a=b\"" },
};

static size_t text_case;

static void
one_text(struct report_csv *o)
{
	report_csv_text(o, text_cases[text_case].in, strlen(text_cases[text_case].in));
}

static void
test_report_csv__text_cells(void **state)
{
	(void)state;
	for (text_case = 0; text_case < sizeof(text_cases) / sizeof(text_cases[0]); text_case++) {
		char *got = render(one_text, 0);
		if (strcmp(got, text_cases[text_case].out) != 0)
			fail_msg("case %zu: got [%s], want [%s]", text_case, got,
				 text_cases[text_case].out);
		free(got);
	}
}

static const struct {
	double v;
	const char *out;
} money_cases[] = {
	{ 0, "0.00" },	       { 1, "1.00" },	       { 1.005, "1.01" },     { 0.125, "0.13" },
	{ 2.675, "2.68" },     { 1234567.891, "1234567.89" }, { -5, "-5.00" },
	{ -0.004, "0.00" },    { -0.005, "-0.01" },    { 0.1 + 0.2, "0.30" },
	{ 99.999, "100.00" },  { 1e20, "9000000000000000.00" },
};

static void
test_report_csv__money(void **state)
{
	char buf[32];
	(void)state;

	for (int pass = 0; pass < 2; pass++) {
		/* A comma-decimal locale must not change anything (skipped if not installed). */
		if (pass == 1 && setlocale(LC_ALL, "de_DE.UTF-8") == NULL &&
		    setlocale(LC_ALL, "fr_FR.UTF-8") == NULL)
			break;
		for (size_t i = 0; i < sizeof(money_cases) / sizeof(money_cases[0]); i++) {
			csv_format_money(money_cases[i].v, buf, sizeof(buf));
			if (strcmp(buf, money_cases[i].out) != 0)
				fail_msg("pass %d case %zu: got %s, want %s", pass, i, buf,
					 money_cases[i].out);
		}
	}
	setlocale(LC_ALL, "C");
}

static void
row_of_each(struct report_csv *o)
{
	report_csv_text(o, "-x", 2);
	report_csv_money(o, -12.5);
	report_csv_int(o, -3);
	report_csv_empty(o);
	report_csv_text(o, NULL, 0);
	report_csv_end_row(o);
	report_csv_text(o, "b", 1);
	report_csv_end_row(o);
}

static void
test_report_csv__numbers_never_guarded(void **state)
{
	char *got;
	(void)state;

	got = render(row_of_each, 0);
	assert_string_equal(got, "\"'-x\",-12.50,-3,,\"\"\n\"b\"\n");
	free(got);
}

static void
test_report_csv__excel_bom_crlf(void **state)
{
	char *got;
	(void)state;

	got = render(row_of_each, 1);
	assert_string_equal(got, "\xEF\xBB\xBF\"'-x\",-12.50,-3,,\"\"\r\n\"b\"\r\n");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_csv__text_cells),
		cmocka_unit_test(test_report_csv__money),
		cmocka_unit_test(test_report_csv__numbers_never_guarded),
		cmocka_unit_test(test_report_csv__excel_bom_crlf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
