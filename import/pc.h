/*
 * Partner Center Insights downloads (the PAL / partner attribution view of
 * Azure consumption) for palscope reconcile: columns such as
 * CustomerTenantId, CustomerName, SubscriptionGuid, PartnerAttributionType,
 * Month and MPN ID, matched by name whatever their case or spacing; only
 * rows whose attribution type is PAL / Partner Admin Link are kept. Same CSV
 * rules as every import (csvin.h).
 */
#ifndef PALSCOPE_IMPORT_PC_H
#define PALSCOPE_IMPORT_PC_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

struct db;

struct pc_info {
	long rows;		/* data rows read */
	long pal_rows;		/* rows with PAL attribution (all months) */
	long period_rows;	/* PAL rows of the period */
	bool by_subscription;	/* the file has subscription ids */
	char months[128];	/* the PAL months in the file, "2026-09;2026-10" */
};

/*
 * Parse a Month cell: "2026-10", "2026-10-01[T...]", "202610", "10/2026",
 * "10/1/2026" (a month column's day is 1), "Oct 2026", "October 2026".
 * out gets "YYYY-MM" (8 bytes). false when it is none of these.
 */
bool pc_month_parse(const char *s, char *out);

/*
 * Create (if missing) and empty the temporary tables the reconcile queries
 * read: temp.pc_row and temp.reconcile_meta (today's date, "YYYY-MM-DD";
 * today may be NULL). Nothing is written to the database file.
 */
int pc_temp_tables(struct db *db, const char *today, struct err *err);

/*
 * Read path into temp.pc_row (call pc_temp_tables first; emptied here):
 * tenant_id, customer_name, subscription_id, partner_id, month, acr.
 * Errors name file, line and column.
 */
int pc_load(struct db *db, const char *path, struct pc_info *info, struct err *err);

#endif
