#include "reports/report_csv.h"

#include <csv.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/xalloc.h"

/* A write failed: keep the first failure's errno for the message. */
static void
mark_failed(struct report_csv *o)
{
	if (!o->failed)
		o->errnum = errno ? errno : EIO;
	o->failed = true;
}

void
report_csv_begin(struct report_csv *o, FILE *fp, bool excel)
{
	o->fp = fp;
	o->excel = excel;
	o->in_row = false;
	o->failed = false;
	o->errnum = 0;
	if (excel && fputs("\xEF\xBB\xBF", fp) == EOF)
		mark_failed(o);
}

static void
separator(struct report_csv *o)
{
	if (o->in_row && fputc(',', o->fp) == EOF)
		mark_failed(o);
	o->in_row = true;
}

bool
csv_needs_guard(const char *s, size_t len)
{
	return len > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
			   s[0] == '\t' || s[0] == '\r');
}

void
report_csv_text(struct report_csv *o, const char *s, size_t len)
{
	separator(o);
	if (s == NULL) {
		s = "";
		len = 0;
	}
	if (csv_needs_guard(s, len)) {
		char *tmp = xmalloc(len + 1);
		tmp[0] = '\'';
		memcpy(tmp + 1, s, len);
		if (csv_fwrite(o->fp, tmp, len + 1) != 0)
			mark_failed(o);
		free(tmp);
		return;
	}
	if (csv_fwrite(o->fp, s, len) != 0)
		mark_failed(o);
}

void
report_csv_int(struct report_csv *o, int64_t v)
{
	separator(o);
	if (fprintf(o->fp, "%" PRId64, v) < 0)
		mark_failed(o);
}

void
csv_format_money(double v, char *out, size_t n)
{
	const double limit = 9e15;
	int64_t cents;
	uint64_t mag;

	if (v != v) /* NaN */
		v = 0;
	if (v > limit)
		v = limit;
	if (v < -limit)
		v = -limit;
	/* Round half away from zero, after a nudge that absorbs binary noise (0.125 -> 0.13). */
	double scaled = v * 100.0;
	scaled += scaled >= 0 ? 0.5 + 1e-7 : -0.5 - 1e-7;
	cents = (int64_t)scaled;
	mag = cents < 0 ? (uint64_t)(-cents) : (uint64_t)cents;
	snprintf(out, n, "%s%" PRIu64 ".%02u", cents < 0 ? "-" : "", mag / 100,
		 (unsigned)(mag % 100));
}

void
report_csv_money(struct report_csv *o, double v)
{
	char num[32];

	separator(o);
	csv_format_money(v, num, sizeof(num));
	if (fputs(num, o->fp) == EOF)
		mark_failed(o);
}

void
report_csv_empty(struct report_csv *o)
{
	separator(o);
}

void
report_csv_end_row(struct report_csv *o)
{
	if (fputs(o->excel ? "\r\n" : "\n", o->fp) == EOF)
		mark_failed(o);
	o->in_row = false;
}

int
report_csv_end(struct report_csv *o)
{
	if (fflush(o->fp) != 0 || ferror(o->fp))
		mark_failed(o);
	return o->failed ? -1 : 0;
}
