/* collector/json_arena: cJSON trees in a bump arena, pass-through outside it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "arm/json_arena.h"
#include "common/buf.h"

/* A cost-query page with n rows, like the collector parses. */
static char *
cost_page(int n)
{
	struct buf b = { 0 };

	buf_adds(&b, "{\"properties\":{\"columns\":[{\"name\":\"Cost\",\"type\":\"Number\"}],\"rows\":[");
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%s[%d.25,%d,\"rg-%d\",\"EUR\"]", i ? "," : "", i, 20261001 + i % 31, i);
	buf_adds(&b, "]}}");
	return b.ptr;
}

static double
sum_rows(const cJSON *root)
{
	const cJSON *rows =
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "properties"),
						 "rows");
	const cJSON *row;
	double s = 0;

	cJSON_ArrayForEach(row, rows)
		s += cJSON_GetArrayItem(row, 0)->valuedouble;
	return s;
}

static void
test_json_arena__parse_in_arena(void **state)
{
	(void)state;
	json_arena_install();
	/* Small and large trees (the large one spans several chunks), many times. */
	for (int round = 0; round < 50; round++) {
		int n = round % 10 == 9 ? 20000 : 62;
		char *text = cost_page(n);
		json_arena_open();
		cJSON *root = cJSON_Parse(text);
		assert_non_null(root);
		assert_true(sum_rows(root) == (double)n * (n - 1) / 2 + 0.25 * n);
		cJSON_Delete(root);
		json_arena_close();
		free(text);
	}
	json_arena_uninstall();
}

static void
test_json_arena__nested_and_outside(void **state)
{
	(void)state;
	json_arena_install();
	/* Outside an open arena the hooks are malloc/free: the tree outlives any close. */
	cJSON *outside = cJSON_Parse("{\"a\":[1,2,3]}");
	assert_non_null(outside);

	json_arena_open();
	cJSON *outer = cJSON_Parse("{\"b\":\"outer\"}");
	json_arena_open();
	cJSON *inner = cJSON_Parse("{\"c\":\"inner\"}");
	cJSON_Delete(inner);
	json_arena_close(); /* inner close: the outer tree is still valid */
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(outer, "b")->valuestring, "outer");
	/* A string printed inside the arena is freed with cJSON_free. */
	char *printed = cJSON_PrintUnformatted(outer);
	assert_string_equal(printed, "{\"b\":\"outer\"}");
	cJSON_free(printed);
	cJSON_Delete(outer);
	json_arena_close();

	/* A tree parsed outside may be deleted while an arena is open. */
	json_arena_open();
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(outside, "a")), 3);
	cJSON_Delete(outside);
	json_arena_close();
	json_arena_uninstall();

	/* After uninstall, cJSON is on malloc/free again. */
	cJSON *plain = cJSON_Parse("[true]");
	assert_non_null(plain);
	cJSON_Delete(plain);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_arena__parse_in_arena),
		cmocka_unit_test(test_json_arena__nested_and_outside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
