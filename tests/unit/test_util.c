/* common/util and model/scope: pure helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "model/scope.h"

static void
test_util__guid(void **state)
{
	(void)state;
	assert_true(is_guid("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"));
	assert_true(is_guid("8E3AF657-A8FF-443C-A75C-2FE8C4BCB635"));
	assert_false(is_guid("8e3af657-a8ff-443c-a75c-2fe8c4bcb63"));
	assert_false(is_guid("0afefe50-734e-4610-8a82-a144ahf49dea")); /* spec placeholder */
	assert_false(is_guid("8e3af657-a8ff-443c-a75c-2fe8c4bcb6355"));
	assert_false(is_guid(""));
	assert_false(is_guid(NULL));
}

static void
test_util__period(void **state)
{
	char a[11], b[11];
	(void)state;
	assert_true(period_parse("2026-10", a, b));
	assert_string_equal(a, "2026-10-01");
	assert_string_equal(b, "2026-10-31");
	assert_true(period_parse("2024-02", a, b));
	assert_string_equal(b, "2024-02-29");
	assert_true(period_parse("2026-02", a, b));
	assert_string_equal(b, "2026-02-28");
	assert_false(period_parse("2026-13", a, b));
	assert_false(period_parse("2026-1", a, b));
	assert_false(period_parse("2026-10-01", a, b));
	assert_false(period_parse("abcd-10", a, b));
}

static void
test_util__previous_period(void **state)
{
	char p[8];
	(void)state;
	now_set_override("2026-01-15T10:00:00Z");
	period_previous(p, sizeof(p));
	assert_string_equal(p, "2025-12");
	now_set_override("2026-12-02T00:00:00Z");
	period_previous(p, sizeof(p));
	assert_string_equal(p, "2026-11");
	now_set_override(NULL);
}

/* A month is over at 00:00:00 UTC of the next month's first day, not a second before. */
static void
test_util__period_when(void **state)
{
	(void)state;
	now_set_override("2026-12-31T23:59:59Z");
	assert_int_equal(period_when("2026-12"), PERIOD_CURRENT);
	assert_int_equal(period_when("2026-11"), PERIOD_OVER);
	assert_int_equal(period_when("2027-01"), PERIOD_FUTURE);
	now_set_override("2027-01-01T00:00:00Z");
	assert_int_equal(period_when("2026-12"), PERIOD_OVER);
	assert_int_equal(period_when("2027-01"), PERIOD_CURRENT);
	assert_int_equal(period_when("2027-02"), PERIOD_FUTURE);
	now_set_override("2028-02-29T12:00:00Z");
	assert_int_equal(period_when("2028-02"), PERIOD_CURRENT);
	assert_int_equal(period_when("2028-03"), PERIOD_FUTURE);
	now_set_override(NULL);
}

static void
test_util__times(void **state)
{
	(void)state;
	assert_int_equal(iso_parse("1970-01-02T00:00:00Z"), 86400);
	assert_int_equal(iso_parse("2025-04-14T08:54:26.7153899Z"), 1744620866);
	assert_int_equal(iso_parse("2024-10-14T20:25:32.172518+00:00"), 1728937532);
	assert_int_equal(iso_parse("2024-10-14T22:25:32+02:00"), 1728937532);
	assert_int_equal(iso_parse("2024-02-30T00:00:00Z"), -1);
	assert_int_equal(http_date_parse("Wed, 21 Oct 2015 07:28:00 GMT"), 1445412480);
	assert_int_equal(http_date_parse("soon"), -1);
}

static void
test_scope__parse(void **state)
{
	struct scope_info si;
	(void)state;
	scope_parse("/", &si);
	assert_int_equal(si.level, SCOPE_ROOT);
	scope_parse("/providers/Microsoft.Management/managementGroups/mg1", &si);
	assert_int_equal(si.level, SCOPE_MANAGEMENT_GROUP);
	scope_parse("/subscriptions/00000000-0000-0000-0000-000000000000", &si);
	assert_int_equal(si.level, SCOPE_SUBSCRIPTION);
	assert_string_equal(si.subscription_id, "00000000-0000-0000-0000-000000000000");
	scope_parse("/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/RG-A", &si);
	assert_int_equal(si.level, SCOPE_RESOURCE_GROUP);
	assert_string_equal(si.resource_group, "RG-A");
	scope_parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v",
		    &si);
	assert_int_equal(si.level, SCOPE_RESOURCE);
	assert_string_equal(si.resource_group, "rg");
	scope_parse("nonsense", &si);
	assert_int_equal(si.level, SCOPE_OTHER);
}

static void
test_scope__trailing_guid(void **state)
{
	char g[37];
	(void)state;
	assert_int_equal(trailing_guid("/subscriptions/x/providers/Microsoft.Authorization/"
				       "roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
				       g),
			 0);
	assert_string_equal(g, "acdd72a7-3385-48ef-bd42-f606fba81ae7");
	assert_int_equal(trailing_guid("acdd72a7-3385-48ef-bd42-f606fba81ae7", g), 0);
	assert_int_equal(trailing_guid("/x/notaguid", g), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util__guid),
		cmocka_unit_test(test_util__period),
		cmocka_unit_test(test_util__previous_period),
		cmocka_unit_test(test_util__period_when),
		cmocka_unit_test(test_util__times),
		cmocka_unit_test(test_scope__parse),
		cmocka_unit_test(test_scope__trailing_guid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
