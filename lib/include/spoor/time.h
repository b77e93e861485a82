/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time: every stored time is UTC nanoseconds since the epoch (sp_time_ns).
 * SP_TIME_NONE marks a time the source does not have.
 */
#ifndef SPOOR_TIME_H
#define SPOOR_TIME_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>

typedef int64_t sp_time_ns;

#define SP_TIME_NONE INT64_MIN
#define SP_NS_PER_SEC INT64_C(1000000000)
/* The whole seconds an sp_time_ns holds with any nanoseconds:
 * 1677-09-21T00:12:45Z to 2262-04-11T23:47:15Z. */
#define SP_TIME_SEC_MIN (INT64_MIN / SP_NS_PER_SEC + 1)
#define SP_TIME_SEC_MAX (INT64_MAX / SP_NS_PER_SEC - 1)

/* Combine seconds and nanoseconds; saturates instead of overflowing. */
sp_time_ns sp_time_from_parts(int64_t sec, int64_t nsec);

/* Seconds (floor) and nanoseconds of t. */
int64_t sp_time_sec(sp_time_ns t);
int32_t sp_time_nsec(sp_time_ns t);

/* The current UTC time. */
sp_time_ns sp_time_now(void);

/* Seconds from *t0 (CLOCK_MONOTONIC) to now, for rates and progress. */
double sp_time_elapsed(const struct timespec *t0);

#define SP_TIME_ISO_MAX 40

/*
 * Format t as ISO-8601 UTC into buf (at least SP_TIME_ISO_MAX bytes):
 * "2026-03-14T10:42:17Z", or with frac_digits 1..9 that many fraction
 * digits ("…17.123456789Z").  SP_TIME_NONE formats as "".  Returns buf.
 */
char *sp_time_format_iso(sp_time_ns t, int frac_digits, char *buf, size_t size);

/*
 * Parse an ISO-8601 time ("2026-03-14T10:42:17.5Z", "2026-03-14 10:42:17",
 * "+01:00" offsets, a bare date) into *t.  Returns SP_OK or SP_E_DATA.
 */
int sp_time_parse_iso(const char *s, sp_time_ns *t);

/*
 * Make zone (a tz database name such as "Europe/Berlin", or a POSIX TZ
 * string such as "EST5EDT") the process's local time zone, which libtsk
 * uses to read FAT's local times.  Returns SP_OK or SP_E_USAGE for a name
 * the tz database does not have.
 */
int sp_time_set_zone(const char *zone);

/* Days since 1970-01-01 for a proleptic Gregorian date (no time zone). */
int64_t sp_time_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
