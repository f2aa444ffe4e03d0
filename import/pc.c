#include "import/pc.h"
#include "common/util.h"
#include "db/db.h"
#include "common/csvin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const tenant_names[] = { "CustomerTenantId", "Customer Tenant Id",
					     "CustomerId", "Customer Id", NULL };
static const char *const cname_names[] = { "CustomerName", "Customer", "CustomerCompanyName",
					    NULL };
static const char *const sub_names[] = { "SubscriptionGuid", "SubscriptionId",
					  "AzureSubscriptionId", NULL };
static const char *const type_names[] = { "PartnerAttributionType", "AttributionType",
					   "PartnerAssociationType", "AssociationType", NULL };
static const char *const month_names[] = { "Month", "UsageMonth", "MonthYear", "Date", NULL };
static const char *const pid_names[] = { "MPN ID", "MPNID", "PartnerId", "PartnerLocationId",
					  "PartnerOneId", "PLA ID", NULL };
static const char *const acr_names[] = { "ACR (USD)", "ACRUSD", "ACR_USD", "ACR",
					  "AzureConsumedRevenue", "AzureConsumedRevenueUSD", NULL };

bool
pc_month_parse(const char *s, char *out)
{
	static const char *const mon[] = { "jan", "feb", "mar", "apr", "may", "jun",
					   "jul", "aug", "sep", "oct", "nov", "dec" };
	int y = 0, m = 0, a = 0, b = 0, n = 0;
	char word[16];

	while (*s == ' ')
		s++;
	if (sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7 && (s[7] == '\0' || s[7] == '-')) {
		/* YYYY-MM or YYYY-MM-DD... */
	} else if (strlen(s) == 6 && sscanf(s, "%4d%2d", &y, &m) == 2 &&
		   strspn(s, "0123456789") == 6) {
		/* YYYYMM */
	} else if (sscanf(s, "%2d/%4d%n", &m, &y, &n) == 2 && s[n] == '\0' && y >= 1000) {
		/* MM/YYYY */
	} else if (sscanf(s, "%2d/%2d/%4d", &a, &b, &y) == 3) {
		if (b == 1)
			m = a;
		else if (a == 1)
			m = b;
		else
			return false;
	} else if (sscanf(s, "%15[A-Za-z] %4d", word, &y) == 2) {
		m = 0;
		for (int i = 0; i < 12; i++)
			if (str_istarts(word, mon[i]))
				m = i + 1;
	} else {
		return false;
	}
	if (y < 2000 || y > 2999 || m < 1 || m > 12)
		return false;
	snprintf(out, 8, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
	return true;
}

static bool
is_pal(const char *t)
{
	char n[64];
	size_t l = strlen(t);

	if (l >= sizeof(n))
		return false;
	csvin_norm(t, l, n);
	return strcmp(n, "pal") == 0 || strcmp(n, "partneradminlink") == 0;
}

static void
add_month(struct pc_info *info, const char *m)
{
	if (strstr(info->months, m))
		return;
	size_t l = strlen(info->months);
	if (l + 9 < sizeof(info->months))
		snprintf(info->months + l, sizeof(info->months) - l, "%s%s", l ? ";" : "", m);
}

int
pc_temp_tables(struct db *db, const char *today, struct err *err)
{
	const struct db_param p = { ":today", today, 0 };

	return db_exec_script(db, "scripts/reconcile_temp.sql", &p, 1, err);
}

int
pc_load(struct db *db, const char *path, struct pc_info *info, struct err *err)
{
	struct csvin *c = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	memset(info, 0, sizeof(*info));
	if ((rc = db_exec(db, "DELETE FROM temp.pc_row", err)) < 0)
		return rc;
	if ((rc = csvin_open(&c, path, err)) < 0)
		goto out;
	int it = csvin_find(c, tenant_names), in = csvin_find(c, cname_names);
	int is = csvin_find(c, sub_names), ity = csvin_find(c, type_names);
	int im = csvin_find(c, month_names), ip = csvin_find(c, pid_names);
	int ia = csvin_find(c, acr_names);
	if (ity < 0 || (it < 0 && is < 0) || im < 0) {
		rc = err_set(err, RC_PARSE,
			     "%s:1: not a Partner Center download: needs PartnerAttributionType, Month "
			     "and CustomerTenantId or SubscriptionGuid columns",
			     path);
		goto out;
	}
	int want[] = { it, in, is, ity, im, ip, ia };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		csvin_want(c, want[i]);
	info->by_subscription = is >= 0;
	if ((rc = db_prepare(db, "UPDATE temp.reconcile_meta SET by_subscription = :by", &st,
			     err)) < 0)
		goto out;
	db_bind_int(st, ":by", info->by_subscription);
	rc = db_step_done(db, st, err);
	sqlite3_finalize(st);
	st = NULL;
	if (rc < 0)
		goto out;
	if ((rc = db_prepare(db,
			     "INSERT INTO temp.pc_row VALUES (:tenant_id, :customer_name, "
			     ":subscription_id, :partner_id, :month, :acr)",
			     &st, err)) < 0)
		goto out;
	char dec = csvin_delim(c) == ';' ? ',' : '.';
	while ((rc = csvin_next(c, err)) > 0) {
		char month[8];
		double acr = 0;
		info->rows++;
		if (!is_pal(csvin_field(c, ity)))
			continue;
		const char *t = csvin_field(c, it), *s = csvin_field(c, is);
		if (*t && !is_guid(t)) {
			rc = csvin_fail(c, it, err, "'%.60s' is not a tenant id", t);
			goto out;
		}
		if (*s && !is_guid(s)) {
			rc = csvin_fail(c, is, err, "'%.60s' is not a subscription id", s);
			goto out;
		}
		if (*t == '\0' && *s == '\0') {
			rc = csvin_fail(c, it, err, "a PAL row with neither tenant nor subscription id");
			goto out;
		}
		if (!pc_month_parse(csvin_field(c, im), month)) {
			rc = csvin_fail(c, im, err, "bad month '%.40s' (expected YYYY-MM)",
					csvin_field(c, im));
			goto out;
		}
		const char *a = csvin_field(c, ia);
		if (ia >= 0 && *a && !csvin_number(a, dec, &acr)) {
			rc = csvin_fail(c, ia, err, "bad number '%.40s'", a);
			goto out;
		}
		info->pal_rows++;
		add_month(info, month);
		db_bind_text(st, ":tenant_id", *t ? t : NULL);
		db_bind_text(st, ":customer_name", in >= 0 ? csvin_field(c, in) : NULL);
		db_bind_text(st, ":subscription_id", *s ? s : NULL);
		db_bind_text(st, ":partner_id", ip >= 0 ? csvin_field(c, ip) : NULL);
		db_bind_text(st, ":month", month);
		if (ia >= 0 && *a)
			db_bind_double(st, ":acr", acr);
		else
			db_bind_text(st, ":acr", NULL);
		if ((rc = db_step_done(db, st, err)) < 0)
			goto out;
	}
out:
	sqlite3_finalize(st);
	csvin_free(c);
	return rc < 0 ? rc : 0;
}
