#include "common/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
is_guid(const char *s)
{
	static const int groups[] = { 8, 4, 4, 4, 12 };

	if (s == NULL)
		return false;
	for (int g = 0; g < 5; g++) {
		for (int i = 0; i < groups[g]; i++, s++)
			if (!isxdigit((unsigned char)*s))
				return false;
		if (g < 4 && *s++ != '-')
			return false;
	}
	return *s == '\0';
}

bool
str_ieq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

bool
str_istarts(const char *s, const char *prefix)
{
	if (s == NULL)
		return false;
	for (; *prefix; s++, prefix++)
		if (*s == '\0' || tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
			return false;
	return true;
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

time_t
ymd_to_epoch(int y, int m, int d)
{
	/* Howard Hinnant's days_from_civil. */
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (time_t)((era * 146097 + doe - 719468) * 86400L);
}

static int
days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

time_t
iso_parse(const char *s)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	s += n;
	if (*s == 'T' || *s == ' ') {
		if (sscanf(s + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3)
			return -1;
		s += 1 + n;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	time_t t = ymd_to_epoch(y, mo, d) + h * 3600 + mi * 60 + sec;
	if (*s == '+' || *s == '-') {
		int oh = 0, om = 0;
		if (sscanf(s + 1, "%2d:%2d", &oh, &om) < 1)
			return -1;
		long off = oh * 3600L + om * 60L;
		t -= *s == '+' ? off : -off;
	}
	return t;
}

void
epoch_to_iso(time_t t, char *out, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *now_fake;
static int now_looked;

void
now_set_override(const char *value)
{
	now_fake = value;
	now_looked = value != NULL;
}

time_t
now_epoch(void)
{
	const char *fake;

	/* Called per request: read the environment once. */
	if (!now_looked) {
		now_fake = getenv("PALSCOPE_NOW");
		now_looked = 1;
	}
	fake = now_fake;
	if (fake && *fake) {
		char *end;
		long long v = strtoll(fake, &end, 10);
		if (*end == '\0')
			return (time_t)v;
		time_t t = iso_parse(fake);
		if (t >= 0)
			return t;
	}
	return time(NULL);
}

void
now_iso(char *out, size_t n)
{
	epoch_to_iso(now_epoch(), out, n);
}

bool
period_parse(const char *period, char *first, char *last)
{
	int y, m, n = 0;

	if (period == NULL || sscanf(period, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 ||
	    period[7] != '\0' || y < 2000 || y > 2999 || m < 1 || m > 12 || period[4] != '-')
		return false;
	snprintf(first, 11, "%04d-%02d-01", y, m);
	snprintf(last, 11, "%04d-%02d-%02d", y, m, days_in_month(y, m));
	return true;
}

void
period_previous(char *out, size_t n)
{
	time_t t = now_epoch();
	struct tm tm;

	gmtime_r(&t, &tm);
	int y = tm.tm_year + 1900, m = tm.tm_mon; /* tm_mon is 0-based: this is last month */
	if (m == 0) {
		m = 12;
		y--;
	}
	snprintf(out, n, "%04d-%02d", y, m);
}

enum period_when
period_when(const char *period)
{
	int y = 0, m = 0;
	time_t now = now_epoch();

	if (sscanf(period, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
		return PERIOD_OVER;
	time_t start = ymd_to_epoch(y, m, 1);
	time_t end = m == 12 ? ymd_to_epoch(y + 1, 1, 1) : ymd_to_epoch(y, m + 1, 1);
	return now < start ? PERIOD_FUTURE : now < end ? PERIOD_CURRENT : PERIOD_OVER;
}

time_t
http_date_parse(const char *s)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char wd[4], ms[4];
	int d, y, h, mi, sec;

	if (s == NULL || sscanf(s, "%3s, %d %3s %d %d:%d:%d GMT", wd, &d, ms, &y, &h, &mi, &sec) != 7)
		return -1;
	for (int m = 0; m < 12; m++)
		if (strcmp(ms, mon[m]) == 0)
			return ymd_to_epoch(y, m + 1, d) + h * 3600 + mi * 60 + sec;
	return -1;
}

const char *
host_name(char *out, size_t n)
{
	if (n == 0)
		return out;
	if (gethostname(out, n) != 0)
		out[0] = '\0';
	out[n - 1] = '\0';
	return out;
}
