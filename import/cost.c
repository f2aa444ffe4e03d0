#include "import/cost.h"
#include "common/csvin.h"
#include "common/util.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Header names by preference (compared normalised: case, spaces and '_' ignored). */
static const char *const sub_names[] = { "SubscriptionGuid", "SubscriptionId", NULL };
static const char *const date_names[] = { "Date", "UsageDate", "UsageDateTime", "UsageStart",
					   NULL };
static const char *const cost_names[] = { "CostInBillingCurrency", "Cost", "PreTaxCost",
					   "ExtendedCost", NULL };
static const char *const cur_names[] = { "BillingCurrency", "BillingCurrencyCode", "Currency",
					  NULL };
static const char *const rg_names[] = { "ResourceGroup", "ResourceGroupName", NULL };
static const char *const rid_names[] = { "ResourceId", "InstanceId", "InstanceName", NULL };
static const char *const customer_names[] = { "CustomerTenantId", NULL };

size_t
cost_utf8_chars(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

bool
import_ymd_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1990 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

static int
digits(const char *s, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (isdigit((unsigned char)s[n]) && n < max) {
		v = v * 10 + (s[n] - '0');
		n++;
	}
	if (n < min || isdigit((unsigned char)s[n]))
		return 0;
	*out = v;
	return n;
}

bool
import_date_parse(const char *s, struct raw_date *out)
{
	int p1, p2, p3, n;
	char sep;
	const char *q = s;

	while (*q == ' ')
		q++;
	if ((n = digits(q, 1, 4, &p1)) == 0)
		return false;
	q += n;
	sep = *q;
	if (sep != '-' && sep != '/' && sep != '.')
		return false;
	q++;
	int n1 = n;
	if ((n = digits(q, 1, 2, &p2)) == 0 || q[n] != sep)
		return false;
	q += n + 1;
	if ((n = digits(q, n1 == 4 ? 1 : 4, n1 == 4 ? 2 : 4, &p3)) == 0)
		return false;
	q += n;
	/* a time may follow: "T00:00:00Z", " 00:00:00", " 12:00 AM" */
	if (*q != '\0' && *q != 'T' && *q != ' ')
		return false;
	if (n1 == 4) {
		if (sep == '.' )
			return false;
		out->kind = DATE_YMD;
		out->y = p1;
		out->a = p2;
		out->b = p3;
		return import_ymd_valid(p1, p2, p3);
	}
	if (sep == '-')
		return false; /* 01-02-2026: no export writes this */
	out->y = p3;
	out->a = p1;
	out->b = p2;
	if (sep == '.') {
		out->kind = DATE_DMY;
		return import_ymd_valid(p3, p2, p1);
	}
	out->kind = DATE_SLASH;
	return import_ymd_valid(p3, p1, p2) || import_ymd_valid(p3, p2, p1);
}

static void
cell_free(void *v)
{
	struct cost_cell *c = v;

	if (c == NULL)
		return;
	free(c->rg);
	free(c->currency);
	free(c->sub);
	free(c);
}

void
cost_agg_release(struct cost_agg *a)
{
	smap_release(&a->file, cell_free);
	smap_release(&a->all, cell_free);
	smap_release(&a->owner, NULL);
	smap_release(&a->subs, NULL);
	smap_release(&a->file_subs, NULL);
	buf_release(&a->key);
}

void
cost_agg_begin_file(struct cost_agg *a, int file_no, const char *name)
{
	smap_release(&a->file, cell_free);
	smap_release(&a->file_subs, NULL);
	a->file_no = file_no;
	a->file_name = name;
	a->any_slash = false;
	a->slash_line = a->mdy_line = a->dmy_line = 0;
	a->cost_col = 0;
	a->cost_colname = NULL;
}

static void
lower_into(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addc(b, (char)tolower((unsigned char)*s));
}

void
cost_agg_add(struct cost_agg *a, const char *sub, const struct raw_date *d, const char *rg,
	     const char *currency, double cost, long line, const char *date_text)
{
	struct buf *k = &a->key;
	int created;

	if (d->kind == DATE_SLASH) {
		bool mdy = import_ymd_valid(d->y, d->a, d->b);
		bool dmy = import_ymd_valid(d->y, d->b, d->a);
		if (!a->any_slash) {
			a->any_slash = true;
			a->slash_line = line;
			snprintf(a->slash_text, sizeof(a->slash_text), "%s", date_text);
		}
		if (mdy && !dmy && a->mdy_line == 0) {
			a->mdy_line = line;
			snprintf(a->mdy_text, sizeof(a->mdy_text), "%s", date_text);
		}
		if (dmy && !mdy && a->dmy_line == 0) {
			a->dmy_line = line;
			snprintf(a->dmy_text, sizeof(a->dmy_text), "%s", date_text);
		}
	}
	buf_reset(k);
	buf_printf(k, "%s|%d:%d-%d-%d|", sub, (int)d->kind, d->y, d->a, d->b);
	lower_into(k, rg);
	buf_addc(k, '|');
	buf_adds(k, currency);
	void **slot = smap_slot(&a->file, buf_cstr(k), &created);
	if (created) {
		struct cost_cell *c = xcalloc(1, sizeof(*c));
		c->rg = xstrdup(rg);
		c->currency = xstrdup(currency);
		c->sub = xstrdup(sub);
		c->raw = *d;
		*slot = c;
	}
	((struct cost_cell *)*slot)->cost += cost;
	((struct cost_cell *)*slot)->line = line;
	smap_slot(&a->file_subs, sub, NULL);
}

int
cost_agg_end_file(struct cost_agg *a, char *date_format, size_t n, struct err *err)
{
	bool dmy_order = false;
	int rc = 0;

	if (date_format && n)
		date_format[0] = '\0';
	if (a->any_slash) {
		if (a->mdy_line && a->dmy_line)
			return err_set(err, RC_PARSE,
				       "%s: dates in two orders: line %ld has '%s' (MM/DD/YYYY) and "
				       "line %ld has '%s' (DD/MM/YYYY)",
				       a->file_name, a->mdy_line, a->mdy_text, a->dmy_line,
				       a->dmy_text);
		if (!a->mdy_line && !a->dmy_line)
			return err_set(err, RC_PARSE,
				       "%s:%ld: the date '%s' and every other date in the file read "
				       "as MM/DD/YYYY or as DD/MM/YYYY: cannot tell which; export "
				       "with YYYY-MM-DD dates",
				       a->file_name, a->slash_line, a->slash_text);
		dmy_order = a->dmy_line != 0;
		if (date_format)
			snprintf(date_format, n, "%s", dmy_order ? "DD/MM/YYYY" : "MM/DD/YYYY");
	}
	for (size_t i = 0; i < a->file.cap; i++) {
		struct cost_cell *c = a->file.vals[i];
		int y, m, d, created;
		if (a->file.keys[i] == NULL)
			continue;
		y = c->raw.y;
		switch (c->raw.kind) {
		case DATE_YMD:
			m = c->raw.a;
			d = c->raw.b;
			break;
		case DATE_DMY:
			d = c->raw.a;
			m = c->raw.b;
			break;
		case DATE_SLASH:
		default:
			m = dmy_order ? c->raw.b : c->raw.a;
			d = dmy_order ? c->raw.a : c->raw.b;
			break;
		}
		if (date_format && n && date_format[0] == '\0' && c->raw.kind != DATE_SLASH)
			snprintf(date_format, n, "%s",
				 c->raw.kind == DATE_YMD ? "YYYY-MM-DD" : "DD.MM.YYYY");
		char day[16];
		snprintf(day, sizeof(day), "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
		day[10] = '\0';
		if (c->cost < -COST_NEGATIVE_EPSILON) {
			char where[160] = "";
			if (a->cost_col > 0 && c->line > 0)
				snprintf(where, sizeof(where), ":%ld: column %d ('%s')", c->line,
					 a->cost_col, a->cost_colname ? a->cost_colname : "");
			rc = err_set(err, RC_PARSE,
				     "%s%s: the daily total of subscription %s, resource group '%s', "
				     "%s is %.2f %s: below zero (a buggy export? refunds are never "
				     "more than a day's cost)",
				     a->file_name, where, c->sub, c->rg, day, c->cost, c->currency);
			goto out;
		}
		/* overlap: the same subscription and day from two files */
		buf_reset(&a->key);
		buf_printf(&a->key, "%s|%s", c->sub, day);
		void **own = smap_slot(&a->owner, buf_cstr(&a->key), &created);
		if (created) {
			*own = (void *)(intptr_t)a->file_no;
		} else if ((intptr_t)*own != a->file_no) {
			rc = err_set(err, RC_PARSE,
				     "%s: cost of subscription %s on %s is also in an earlier file "
				     "(imported twice, or overlapping exports?)",
				     a->file_name, c->sub, day);
			goto out;
		}
		buf_reset(&a->key);
		buf_printf(&a->key, "%s|%s|", c->sub, day);
		lower_into(&a->key, c->rg);
		buf_addc(&a->key, '|');
		buf_adds(&a->key, c->currency);
		void **slot = smap_slot(&a->all, buf_cstr(&a->key), &created);
		if (created) {
			struct cost_cell *t = xcalloc(1, sizeof(*t));
			t->rg = xstrdup(c->rg);
			t->currency = xstrdup(c->currency);
			t->sub = xstrdup(c->sub);
			memcpy(t->day, day, 11);
			*slot = t;
		}
		((struct cost_cell *)*slot)->cost += c->cost;
		if (a->first_day[0] == '\0' || strcmp(day, a->first_day) < 0)
			memcpy(a->first_day, day, 11);
		if (strcmp(day, a->last_day) > 0)
			memcpy(a->last_day, day, 11);
	}
	for (size_t i = 0; i < a->file_subs.cap; i++)
		if (a->file_subs.keys[i])
			*smap_slot(&a->subs, a->file_subs.keys[i], NULL) =
				(void *)(intptr_t)a->file_no;
out:
	smap_release(&a->file, cell_free);
	return rc;
}

bool
cost_csv_detect(const struct csvin *c)
{
	return csvin_find(c, cost_names) >= 0 && csvin_find(c, date_names) >= 0 &&
	       (csvin_find(c, sub_names) >= 0 || csvin_find(c, rid_names) >= 0);
}

/* The subscription GUID of "GUID", "/subscriptions/GUID[/...]" (lowercased into out). */
static bool
sub_guid(const char *s, char *out)
{
	const char *p = s;

	if (str_istarts(p, "/subscriptions/"))
		p += 15;
	if (strlen(p) < 36)
		return false;
	memcpy(out, p, 36);
	out[36] = '\0';
	if (!is_guid(out) || (p[36] != '\0' && p[36] != '/'))
		return false;
	for (int i = 0; i < 36; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return true;
}

/* The resource group of a resource id ("" when it names none); copied into b. */
static const char *
rid_group(const char *rid, struct buf *b)
{
	const char *p = rid;

	buf_reset(b);
	while ((p = strchr(p, '/')) != NULL) {
		p++;
		if (str_istarts(p, "resourceGroups/")) {
			p += 15;
			const char *e = strchr(p, '/');
			buf_add(b, p, e ? (size_t)(e - p) : strlen(p));
			break;
		}
	}
	return buf_cstr(b);
}

static void
layout_name(const struct csvin *c, char *out, size_t n)
{
	static const char *const mpa[] = { "CustomerTenantId", NULL };
	static const char *const mca[] = { "CostInBillingCurrency", NULL };
	static const char *const payg19[] = { "PreTaxCost", NULL };
	static const char *const ea21[] = { "BillingCurrencyCode", NULL };
	static const char *const old[] = { "ConsumedQuantity", "InstanceId", "UsageDate", NULL };
	int icost = csvin_find(c, cost_names);
	const char *cost_col = csvin_colname(c, icost);
	bool camel = cost_col[0] >= 'a' && cost_col[0] <= 'z';
	const char *name;

	if (csvin_find(c, mpa) >= 0)
		name = "MPA (partner) cost export";
	else if (csvin_find(c, payg19) >= 0)
		name = "pay-as-you-go usage file (2019 layout)";
	else if (csvin_find(c, ea21) >= 0)
		name = "EA cost export (2021 layout)";
	else if (csvin_find(c, mca) >= 0)
		name = "MCA cost export";
	else if (csvin_find(c, old) >= 0)
		name = "EA usage file (old layout)";
	else
		name = "EA/pay-as-you-go cost export";
	snprintf(out, n, "%s%s", name, camel ? ", camelCase headers" : "");
}

int
cost_csv_read(struct csvin *c, const char *tenant, struct cost_agg *a, int file_no,
	      struct cost_file_info *info, struct err *err)
{
	int isub = csvin_find(c, sub_names), idate = csvin_find(c, date_names);
	int icost = csvin_find(c, cost_names), icur = csvin_find(c, cur_names);
	int irg = csvin_find(c, rg_names), irid = csvin_find(c, rid_names);
	int icust = csvin_find(c, customer_names);
	char dec = csvin_delim(c) == ';' ? ',' : '.';
	struct buf rgbuf = BUF_INIT;
	int rc;

	memset(info, 0, sizeof(*info));
	layout_name(c, info->layout, sizeof(info->layout));
	if (icost < 0 || idate < 0 || (isub < 0 && irid < 0)) {
		rc = err_set(err, RC_PARSE,
			     "%s:1: a cost file needs a cost column (Cost, CostInBillingCurrency or "
			     "PreTaxCost), a date column (Date, UsageDate or UsageDateTime) and "
			     "SubscriptionId or SubscriptionGuid",
			     csvin_name(c));
		goto out;
	}
	int want[] = { isub, idate, icost, icur, irg, irid, icust };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		csvin_want(c, want[i]);
	cost_agg_begin_file(a, file_no, csvin_name(c));
	a->cost_col = icost + 1;
	a->cost_colname = csvin_colname(c, icost);
	while ((rc = csvin_next(c, err)) > 0) {
		char sub[37];
		struct raw_date d;
		double cost;
		const char *s = isub >= 0 ? csvin_field(c, isub) : "";
		int scol = isub;

		if (*s == '\0' && irid >= 0) {
			s = csvin_field(c, irid);
			scol = irid;
		}
		if (*s == '\0') {
			info->rows_no_subscription++; /* e.g. a purchase at billing-account level */
			continue;
		}
		if (!sub_guid(s, sub)) {
			rc = csvin_fail(c, scol, err, "'%.60s' is not a subscription id", s);
			goto out;
		}
		if (icust >= 0) {
			const char *t = csvin_field(c, icust);
			if (*t && !str_ieq(t, tenant)) {
				rc = csvin_fail(c, icust, err,
						"this row is cost of customer tenant '%.40s', not of "
						"--tenant %s: import each customer's rows with its own "
						"--tenant",
						t, tenant);
				goto out;
			}
		}
		const char *ds = csvin_field(c, idate);
		if (!import_date_parse(ds, &d)) {
			rc = csvin_fail(c, idate, err,
					"bad date '%.40s' (expected YYYY-MM-DD, MM/DD/YYYY or "
					"DD.MM.YYYY)",
					ds);
			goto out;
		}
		const char *cs = csvin_field(c, icost);
		if (!csvin_number(cs, dec, &cost)) {
			rc = csvin_fail(c, icost, err, "bad number '%.40s'%s", cs,
					dec == ',' ? " (in a ';'-separated file the decimal "
						     "separator is ',')"
						   : "");
			goto out;
		}
		if (fabs(cost) > COST_MAX_ABS) {
			rc = csvin_fail(c, icost, err,
					"cost '%.40s' is out of bounds (at most 1e12 in one row)", cs);
			goto out;
		}
		const char *rg = irg >= 0 ? csvin_field(c, irg) : "";
		int rgcol = irg;
		if (*rg == '\0' && irid >= 0) {
			rg = rid_group(csvin_field(c, irid), &rgbuf);
			rgcol = irid;
		}
		size_t rg_chars = cost_utf8_chars(rg, strlen(rg));
		if (rg_chars > COST_MAX_RG_CHARS) {
			rc = csvin_fail(c, rgcol, err,
					"a resource group name of %zu characters (Azure allows at "
					"most %d)",
					rg_chars, COST_MAX_RG_CHARS);
			goto out;
		}
		const char *cur = icur >= 0 ? csvin_field(c, icur) : "";
		cost_agg_add(a, sub, &d, rg, cur, cost, csvin_line(c), ds);
		info->rows++;
	}
	if (rc < 0)
		goto out;
	info->subscriptions = a->file_subs.n;
	rc = cost_agg_end_file(a, info->date_format, sizeof(info->date_format), err);
out:
	buf_release(&rgbuf);
	return rc;
}
