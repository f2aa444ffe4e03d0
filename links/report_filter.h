/*
 * --only-missing-from REPORT.csv: the tenants of a `palscope report
 * subscriptions` or `customers` CSV whose reason_code is NO_LINK or
 * LINK_WRONG_PARTNER_ID. Columns are found by header name (any order;
 * read through common/csvin like every CSV: a UTF-8 BOM and CRLF line ends
 * from --excel, and a ";" or TAB re-save from a spreadsheet, are fine).
 */
#ifndef PALSCOPE_LINKS_REPORT_FILTER_H
#define PALSCOPE_LINKS_REPORT_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

struct link_tenant_set {
	char (*v)[37];		/* lower-case tenant GUIDs, distinct */
	size_t n, alloc;
	size_t rows;		/* data rows read */
	size_t matched_rows;	/* rows with one of the reason codes */
};

#define LINK_TENANT_SET_INIT { NULL, 0, 0, 0, 0 }

/* Parse a report held in memory; name is used in messages. RC_USAGE on bad input. */
int link_report_tenants_mem(const char *data, size_t len, const char *name,
			    struct link_tenant_set *out, struct err *err);
int link_report_tenants(const char *path, struct link_tenant_set *out, struct err *err);

bool link_tenant_set_has(const struct link_tenant_set *s, const char *tenant_id);
void link_tenant_set_release(struct link_tenant_set *s);

#endif
