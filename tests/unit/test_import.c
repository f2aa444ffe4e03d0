/* Importers: dates, file recognition, merging, principal filtering, and the crasher corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "import/cost.h"
#include "import/import.h"
#include "import/pc.h"
#include "testutil.h"

#define TEN "11111111-1111-4111-8111-111111111111"
#define S1 "aaaaaaaa-0000-4000-8000-000000000001"

struct counts {
	int n[REC__COUNT];
	char last_sub[40];
	double cost;
};

static int
count_sink(void *payload, enum rec_type type, int64_t identity, const void *rec)
{
	struct counts *c = payload;

	(void)identity;
	c->n[type]++;
	if (type == REC_ROLE_ASSIGNMENT)
		snprintf(c->last_sub, sizeof(c->last_sub), "%s",
			 ((const struct role_assignment_rec *)rec)->subscription_id);
	if (type == REC_COST_ROW)
		c->cost += ((const struct cost_row_rec *)rec)->cost;
	return 0;
}

static int
add_fixture(struct import *im, const char *name, struct err *err)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/import/%s", TEST_FIXTURES, name);
	return import_add_file(im, path, err);
}

static void
test_import__dates(void **state)
{
	(void)state;
	struct raw_date d;

	assert_true(import_date_parse("2026-10-05", &d));
	assert_int_equal(d.kind, DATE_YMD);
	assert_true(import_date_parse("2026-10-05T00:00:00.0000000Z", &d));
	assert_true(import_date_parse("2026/10/05", &d));
	assert_true(import_date_parse("05.10.2026", &d));
	assert_int_equal(d.kind, DATE_DMY);
	assert_int_equal(d.b, 10);
	assert_true(import_date_parse("10/5/2026 12:00:00 AM", &d));
	assert_int_equal(d.kind, DATE_SLASH);
	assert_false(import_date_parse("2026-02-30", &d));
	assert_false(import_date_parse("31.02.2026", &d));
	assert_false(import_date_parse("13/13/2026", &d));
	assert_false(import_date_parse("05-10-2026", &d));
	assert_false(import_date_parse("10/05/26", &d));
	assert_false(import_date_parse("20261005", &d));
	assert_false(import_date_parse("", &d));
	assert_true(import_ymd_valid(2028, 2, 29));
	assert_false(import_ymd_valid(2026, 2, 29));
}

static void
test_import__slash_order_per_file(void **state)
{
	(void)state;
	struct cost_agg a = COST_AGG_INIT;
	struct err err = ERR_INIT;
	struct raw_date d1, d2;
	char fmt[16];

	/* 05/10 alone is ambiguous; 13/10 in the same file says DD/MM */
	assert_true(import_date_parse("05/10/2026", &d1));
	assert_true(import_date_parse("13/10/2026", &d2));
	cost_agg_begin_file(&a, 1, "f.csv");
	cost_agg_add(&a, S1, &d1, "rg", "EUR", 1.0, 2, "05/10/2026");
	cost_agg_add(&a, S1, &d2, "RG", "EUR", 2.0, 3, "13/10/2026");
	assert_int_equal(cost_agg_end_file(&a, fmt, sizeof(fmt), &err), 0);
	assert_string_equal(fmt, "DD/MM/YYYY");
	assert_string_equal(a.first_day, "2026-10-05");
	assert_string_equal(a.last_day, "2026-10-13");
	/* a second file may be MM/DD on its own evidence */
	assert_true(import_date_parse("10/20/2026", &d1));
	cost_agg_begin_file(&a, 2, "g.csv");
	cost_agg_add(&a, "aaaaaaaa-0000-4000-8000-000000000002", &d1, "", "EUR", 1.0, 2,
		     "10/20/2026");
	assert_int_equal(cost_agg_end_file(&a, fmt, sizeof(fmt), &err), 0);
	assert_string_equal(fmt, "MM/DD/YYYY");
	assert_int_equal(a.all.n, 3);
	cost_agg_release(&a);
}

static void
test_import__cli_and_arm_forms(void **state)
{
	(void)state;
	struct import_opts o = { .tenant = TEN, .include_groups = false };
	struct import *im = import_new(&o);
	struct err err = ERR_INIT;
	struct counts c = { 0 };
	struct sink sink = { count_sink, &c };

	assert_int_equal(add_fixture(im, "link-arm.json", &err), 0);
	assert_int_equal(add_fixture(im, "account-list.json", &err), 0);
	assert_int_equal(add_fixture(im, "account-subscription-list.json", &err), 0);
	assert_int_equal(add_fixture(im, "ra-s1.json", &err), 0);
	assert_int_equal(add_fixture(im, "ra-s3.json", &err), 0);
	assert_int_equal(add_fixture(im, "cost-mpa.csv", &err), 0);
	/* an ARM roleAssignments body as `az rest` saves it */
	static const char arm_ra[] =
		"{\"value\":[{\"properties\":{\"roleDefinitionId\":\"/subscriptions/" S1
		"/providers/Microsoft.Authorization/roleDefinitions/"
		"b24988ac-6180-42a0-ab88-20f7382dd24c\",\"principalId\":"
		"\"22222222-2222-4222-8222-222222222222\",\"principalType\":\"User\",\"scope\":"
		"\"/subscriptions/" S1 "/resourceGroups/x\",\"createdOn\":\"2025-04-14T08:54:26Z\"},"
		"\"id\":\"/subscriptions/" S1 "/resourceGroups/x/providers/Microsoft.Authorization/"
		"roleAssignments/r1\",\"name\":\"r1\"}]}";
	assert_int_equal(import_add_buffer(im, "arm-ra.json", arm_ra, sizeof(arm_ra) - 1, &err), 0);
	assert_int_equal(import_finish(im, &err), 0);
	assert_string_equal(import_period(im), "2026-10");
	assert_string_equal(import_object_id(im), "22222222-2222-4222-8222-222222222222");
	assert_int_equal(import_emit(im, &sink, 1, &err), 0);
	assert_int_equal(c.n[REC_LINK], 1);
	assert_int_equal(c.n[REC_SUBSCRIPTION], 3);
	assert_int_equal(c.n[REC_TENANT], 1);
	/* 2 direct in ra-s1, the group one in ra-s3 dropped without include_groups, 1 ARM */
	assert_int_equal(c.n[REC_ROLE_ASSIGNMENT], 3);
	assert_int_equal(c.n[REC_COST_ROW], 2);
	assert_true(c.cost > 9.99 && c.cost < 10.01);
	assert_int_equal(c.n[REC_COST_STATUS], 3);
	/* S2 had no role assignment file */
	assert_int_equal(c.n[REC_FAILURE], 1);
	assert_int_equal(c.n[REC_IDENTITY_OK], 1);
	import_free(im);
}

static void
test_import__errors_name_the_file(void **state)
{
	(void)state;
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[{\"id\":1", "x.json:1:8: invalid JSON (the file ends early" },
		{ "[{\"id\" 1}]", "x.json:1:8: invalid JSON" },
		{ "{\"a\":1} x", "x.json:1:9: text after the JSON value" },
		{ "{\"foo\":1}", "x.json: unknown JSON file" },
		{ "[{\"roleName\":\"x\"},{\"homeTenantId\":\"y\"}]", "x.json: entry 2 is not of the same kind" },
		{ "a,b\n1,2\n", "x.json:1: unknown file type" },
		{ "WARNING: an az warning and no error\n", "x.json:1: unknown file type" },
		{ "nullx\n", "x.json:1: unknown file type" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct import_opts o = { .tenant = TEN };
		struct import *im = import_new(&o);
		struct err err = ERR_INIT;
		int rc = import_add_buffer(im, "x.json", cases[i].text, strlen(cases[i].text), &err);
		if (rc >= 0 || strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
			fail_msg("case %zu: rc %d '%s'", i, rc, err.msg);
		import_free(im);
	}
}

/* What az printed (saved with 2>&1), null: the link file, and what it was taken as. */
static void
test_import__az_error_text(void **state)
{
	(void)state;
	static const struct {
		const char *text, *note;
	} cases[] = {
		{ "ERROR: (NotFound) No partner.\nCode: NotFound\nMessage: No partner.\n",
		  "x.txt: az error output (NotFound: No partner.): taken as 'az managementpartner show' of "
		  "a principal with no partner link (not linked)" },
		{ "\xEF\xBB\xBFWARNING: The command requires the extension managementpartner. It will "
		  "be installed first.\r\nERROR: (NotFound) m\r\nCode: NotFound\r\nMessage: m\r\n",
		  "x.txt: az error output (NotFound: m): taken as 'az managementpartner show' of a "
		  "principal with no partner link (not linked)" },
		{ "ERROR: Operation returned an invalid status code 'Not Found'\n",
		  "x.txt: az error output (NotFound: Operation returned an invalid status code 'Not "
		  "Found'): taken as 'az managementpartner show' of a principal with no partner link" },
		{ "ERROR: Please run 'az login' to setup account.\n",
		  "x.txt: az error output (Please run 'az login' to setup account.): taken as a failed "
		  "'az managementpartner show' (the link could not be read)" },
		{ "ERROR: (AuthorizationFailed) no.\nCode: AuthorizationFailed\nMessage: no.\n",
		  "x.txt: az error output (AuthorizationFailed: no.): taken as a failed" },
		{ " null\n", "x.txt: null: taken as 'az managementpartner show' of a principal with no "
			      "partner link (not linked)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct import_opts o = { .tenant = TEN };
		struct import *im = import_new(&o);
		struct err err = ERR_INIT;
		int rc = import_add_buffer(im, "x.txt", cases[i].text, strlen(cases[i].text), &err);
		const struct import_notes *n = import_get_notes(im);
		if (rc < 0 || n->n != 1 || strncmp(n->v[0], cases[i].note, strlen(cases[i].note)) != 0)
			fail_msg("case %zu: rc %d '%s' note '%s'", i, rc, err.msg, n->n ? n->v[0] : "");
		import_free(im);
	}
}

static void
test_import__pc_month(void **state)
{
	(void)state;
	static const struct {
		const char *s, *want;
	} cases[] = {
		{ "2026-10", "2026-10" },     { "2026-10-01T00:00:00", "2026-10" },
		{ "202610", "2026-10" },      { "10/2026", "2026-10" },
		{ "10/1/2026", "2026-10" },   { "1/10/2026", "2026-10" },
		{ "Oct 2026", "2026-10" },    { "October 2026", "2026-10" },
		{ "10/5/2026", NULL },	      { "2026-13", NULL },
		{ "", NULL },		      { "sometime", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[8] = "";
		bool ok = pc_month_parse(cases[i].s, out);
		if (ok != (cases[i].want != NULL) || (ok && strcmp(out, cases[i].want) != 0))
			fail_msg("case %zu '%s': %d '%s'", i, cases[i].s, ok, out);
	}
}

/* Inputs that once crashed a fuzzer: each must now be a clean result. */
static void
test_import__crashers(void **state)
{
	(void)state;
	char dir[512];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/import/crashers", TEST_FIXTURES);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[1024];
		size_t len;
		if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		char *data = test_slurp(path, &len);
		assert_non_null(data);
		struct import_opts o = { .tenant = TEN, .include_groups = true };
		struct import *im = import_new(&o);
		struct err err = ERR_INIT;
		struct counts c = { 0 };
		struct sink sink = { count_sink, &c };
		if (import_add_buffer(im, e->d_name, data, len, &err) == 0 &&
		    import_finish(im, &err) == 0)
			(void)import_emit(im, &sink, 1, &err);
		import_free(im);
		free(data);
		n++;
	}
	closedir(d);
	print_message("%d crasher inputs replayed\n", n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import__dates),
		cmocka_unit_test(test_import__slash_order_per_file),
		cmocka_unit_test(test_import__cli_and_arm_forms),
		cmocka_unit_test(test_import__errors_name_the_file),
		cmocka_unit_test(test_import__az_error_text),
		cmocka_unit_test(test_import__pc_month),
		cmocka_unit_test(test_import__crashers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
