/*
 * libFuzzer target: bytes -> the real-world CSV layer and the cost and Partner
 * Center readers' number/date/month parsers, as an import reads a CSV file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/cost.h"
#include "common/csvin.h"
#include "import/pc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvin *c = NULL;
	struct err err = ERR_INIT;

	if (csvin_open_mem(&c, data, size, "fuzz.csv", &err) == 0) {
		if (cost_csv_detect(c)) {
			struct cost_agg a = COST_AGG_INIT;
			struct cost_file_info info;
			(void)cost_csv_read(c, "11111111-1111-4111-8111-111111111111", &a, 1, &info,
					    &err);
			cost_agg_release(&a);
		} else {
			for (int i = 0; i < csvin_ncols(c); i++)
				csvin_want(c, i);
			while (csvin_next(c, &err) > 0) {
				for (int i = 0; i < csvin_ncols(c); i++) {
					const char *f = csvin_field(c, i);
					struct raw_date d;
					double v;
					char m[8];
					(void)csvin_number(f, ',', &v);
					(void)csvin_number(f, '.', &v);
					(void)import_date_parse(f, &d);
					(void)pc_month_parse(f, m);
				}
			}
		}
	}
	csvin_free(c);
	return 0;
}
