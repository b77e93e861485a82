/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UTC nanosecond time helpers (see include/spoor/time.h).  Civil-date
 * conversion is done by arithmetic, not by the C library, so it is the same
 * in every time zone and for every year.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spoor/err.h"
#include "spoor/time.h"

sp_time_ns
sp_time_from_parts(int64_t sec, int64_t nsec)
{
	if (sec > SP_TIME_SEC_MAX)
		return INT64_MAX;
	if (sec < SP_TIME_SEC_MIN)
		return INT64_MIN + 1;
	return sec * SP_NS_PER_SEC + nsec;
}

int64_t
sp_time_sec(sp_time_ns t)
{
	int64_t s = t / SP_NS_PER_SEC;

	if (t % SP_NS_PER_SEC < 0)
		s--;
	return s;
}

int32_t
sp_time_nsec(sp_time_ns t)
{
	int64_t r = t % SP_NS_PER_SEC;

	return (int32_t)(r < 0 ? r + SP_NS_PER_SEC : r);
}

sp_time_ns
sp_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return sp_time_from_parts(ts.tv_sec, ts.tv_nsec);
}

double
sp_time_elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Howard Hinnant's days_from_civil. */
int64_t
sp_time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

char *
sp_time_format_iso(sp_time_ns t, int frac_digits, char *buf, size_t size)
{
	int64_t sec, days, rem, y;
	unsigned m, d;
	int32_t ns;
	int n;

	if (size == 0)
		return buf;
	if (t == SP_TIME_NONE) {
		buf[0] = '\0';
		return buf;
	}
	sec = sp_time_sec(t);
	ns = sp_time_nsec(t);
	days = sec / 86400;
	rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	n = snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02d",
	    (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
	    (int)(rem % 60));
	if (frac_digits > 0 && n > 0 && (size_t)n < size) {
		char frac[16];
		if (frac_digits > 9)
			frac_digits = 9;
		snprintf(frac, sizeof(frac), "%09d", (int)ns);
		n += snprintf(buf + n, size - n, ".%.*s", frac_digits, frac);
	}
	if (n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, "Z");
	return buf;
}

static int
digits(const char **p, int n, int64_t *v)
{
	int64_t x = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

int
sp_time_parse_iso(const char *s, sp_time_ns *t)
{
	int64_t y, mo, d, h = 0, mi = 0, se = 0, ns = 0, oh, om, sec;
	const char *p = s;
	int scale = 100000000, sign;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return SP_E_DATA;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap;

	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return SP_E_DATA;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return SP_E_DATA;
	/* sp_time_ns holds 1677-09-21 to 2262-04-11: the years bound the
	 * arithmetic here, the seconds below the exact range */
	if (y < 1677 || y > 2262)
		return SP_E_DATA;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return SP_E_DATA;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se))
				return SP_E_DATA;
			if (*p == '.' || *p == ',') {
				p++;
				if (!isdigit((unsigned char)*p))
					return SP_E_DATA;
				while (isdigit((unsigned char)*p)) {
					ns += (*p - '0') * scale;
					scale /= 10;
					p++;
				}
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return SP_E_DATA;
	}
	sec = sp_time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		sign = *p++ == '+' ? 1 : -1;
		if (digits(&p, 2, &oh))
			return SP_E_DATA;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) || oh > 23 || om > 59)
			return SP_E_DATA;
		sec -= sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0')
		return SP_E_DATA;
	/* a time the offset or a leap second moves past the range would be
	 * clamped to another time: it is not one spoor can hold */
	if (sec < SP_TIME_SEC_MIN || sec > SP_TIME_SEC_MAX)
		return SP_E_DATA;
	*t = sp_time_from_parts(sec, ns);
	return SP_OK;
}

int
sp_time_set_zone(const char *zone)
{
	char path[512];
	const char *dir = getenv("TZDIR");

	if (zone == NULL || zone[0] == '\0' || strstr(zone, "..") != NULL)
		return SP_E_USAGE;
	/* a name must exist in the tz database; a POSIX rule has digits */
	if (strpbrk(zone, "0123456789") == NULL && strcmp(zone, "UTC") != 0) {
		snprintf(path, sizeof(path), "%s/%s",
		    dir ? dir : "/usr/share/zoneinfo", zone);
		if (access(path, R_OK) != 0)
			return SP_E_USAGE;
	}
	if (setenv("TZ", zone, 1) != 0)
		return SP_E_USAGE;
	tzset();
	return SP_OK;
}
