/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Time zones (see include/spoor/artifact.h): classic syslog, dpkg.log and
 * apt's history.log write local time without saying in which zone, so
 * their times are converted with the zone of the host that wrote them.
 * A zone is read from TZif content (RFC 8536, versions 1 to 4: the
 * 64-bit table of a version 2+ file, and its footer, a POSIX TZ string,
 * for times past the table) or from a POSIX TZ string alone.  The TZif
 * content may come from an image, so every count is checked against the
 * bytes before it sizes anything.  This module never consults the C
 * library's idea of a zone: the zone of the evidence is not the zone of
 * the machine that reads it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifact/parsers.h"

/* A TZif file is a few kilobytes; anything near this is not one. */
#define TZIF_MAX_BYTES	(1 << 20)
/* RFC 8536: a UT offset lies in [-89999, 93599] seconds. */
#define OFF_MIN		(-89999)
#define OFF_MAX		93599

/* When a POSIX rule switches: "Jn", "n" or "Mm.w.d", at a local time. */
struct rule_date {
	char kind;		/* 'J', 'D' (zero-based day), 'M' */
	int n, m, w, d;
	int32_t time;		/* seconds after local midnight */
};

struct posix_tz {
	int valid;
	int has_dst;
	int32_t std_off, dst_off;	/* seconds east of UTC */
	struct rule_date start, end;
};

struct sp_zone {
	char name[128];
	size_t ntimes;
	int64_t *times;		/* transitions, UTC seconds, ascending */
	unsigned char *idx;	/* the type from each transition on */
	size_t ntypes;
	int32_t off[256];
	struct posix_tz footer;	/* past the table, or the whole zone */
};

/* ---- POSIX TZ strings ---- */

static const char *
tz_name(const char *p)
{
	const char *s = p;

	if (*p == '<') {
		for (p++; *p != '\0' && *p != '>'; p++)
			if (!isalnum((unsigned char)*p) && *p != '+' &&
			    *p != '-')
				return NULL;
		if (*p != '>' || p - s < 4)
			return NULL;
		return p + 1;
	}
	while (isalpha((unsigned char)*p))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] with hours up to max, into *v seconds. */
static const char *
tz_hms(const char *p, int max, int32_t *v)
{
	int sign = 1, h = 0, m = 0, s = 0, n = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	while (isdigit((unsigned char)*p) && n < 3) {
		h = h * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || h > max)
		return NULL;
	if (*p == ':') {
		p++;
		if (!isdigit((unsigned char)p[0]) ||
		    !isdigit((unsigned char)p[1]))
			return NULL;
		m = (p[0] - '0') * 10 + (p[1] - '0');
		p += 2;
		if (*p == ':') {
			p++;
			if (!isdigit((unsigned char)p[0]) ||
			    !isdigit((unsigned char)p[1]))
				return NULL;
			s = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
	}
	if (m > 59 || s > 59)
		return NULL;
	*v = sign * (h * 3600 + m * 60 + s);
	return p;
}

static const char *
tz_num(const char *p, int lo, int hi, int *v)
{
	int n = 0;

	*v = 0;
	while (isdigit((unsigned char)*p) && n < 4) {
		*v = *v * 10 + (*p++ - '0');
		n++;
	}
	return n > 0 && *v >= lo && *v <= hi ? p : NULL;
}

static const char *
tz_date(const char *p, struct rule_date *r)
{
	r->time = 7200;
	if (*p == 'J') {
		r->kind = 'J';
		p = tz_num(p + 1, 1, 365, &r->n);
	} else if (*p == 'M') {
		r->kind = 'M';
		if ((p = tz_num(p + 1, 1, 12, &r->m)) == NULL || *p++ != '.' ||
		    (p = tz_num(p, 1, 5, &r->w)) == NULL || *p++ != '.')
			return NULL;
		p = tz_num(p, 0, 6, &r->d);
	} else {
		r->kind = 'D';
		p = tz_num(p, 0, 365, &r->n);
	}
	if (p != NULL && *p == '/')
		p = tz_hms(p + 1, 167, &r->time);	/* RFC 8536 3.3.1 */
	return p;
}

static int
posix_parse(const char *s, struct posix_tz *tz)
{
	const char *p = s;
	int32_t v;

	memset(tz, 0, sizeof(*tz));
	if ((p = tz_name(p)) == NULL || (p = tz_hms(p, 24, &v)) == NULL)
		return -1;
	tz->std_off = -v;	/* POSIX counts west of Greenwich */
	if (*p == '\0') {
		tz->valid = 1;
		return 0;
	}
	if ((p = tz_name(p)) == NULL)
		return -1;
	tz->has_dst = 1;
	tz->dst_off = tz->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if ((p = tz_hms(p, 24, &v)) == NULL)
			return -1;
		tz->dst_off = -v;
	}
	if (*p == '\0') {
		/* no rule: the one the C library assumes, the US's */
		tz->start = (struct rule_date){ 'M', 0, 3, 2, 0, 7200 };
		tz->end = (struct rule_date){ 'M', 0, 11, 1, 0, 7200 };
	} else if (*p++ != ',' || (p = tz_date(p, &tz->start)) == NULL ||
	    *p++ != ',' || (p = tz_date(p, &tz->end)) == NULL || *p != '\0')
		return -1;
	tz->valid = 1;
	return 0;
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The year of day z since the epoch. */
static int64_t
year_of(int64_t z)
{
	int64_t era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return y + (mp >= 10);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The day (since the epoch) rule r names in year y. */
static int64_t
rule_day(const struct rule_date *r, int64_t y)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int64_t jan1 = sp_time_days_from_civil(y, 1, 1), first;
	int dow, day, len;

	switch (r->kind) {
	case 'J':
		return jan1 + r->n - 1 + (leap(y) && r->n >= 60);
	case 'D':
		return jan1 + r->n;
	default:
		first = sp_time_days_from_civil(y, (unsigned)r->m, 1);
		dow = (int)(((first + 4) % 7 + 7) % 7);	/* 1970-01-01: Thu */
		day = 1 + (r->d - dow + 7) % 7 + (r->w - 1) * 7;
		len = mdays[r->m - 1] + (r->m == 2 && leap(y));
		while (day > len)
			day -= 7;
		return first + day - 1;
	}
}

static int32_t
posix_offset(const struct posix_tz *tz, int64_t u, int *isdst)
{
	int64_t y, s, e;

	*isdst = 0;
	if (!tz->has_dst)
		return tz->std_off;
	y = year_of(floor_div(u + tz->std_off, 86400));
	s = rule_day(&tz->start, y) * 86400 + tz->start.time - tz->std_off;
	e = rule_day(&tz->end, y) * 86400 + tz->end.time - tz->dst_off;
	if (s < e)
		*isdst = u >= s && u < e;
	else
		*isdst = !(u >= e && u < s);
	return *isdst ? tz->dst_off : tz->std_off;
}

/* ---- TZif ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint64_t isut, isstd, leap, time, type, chars;
};

/* Read the 44-byte header at p (len bytes left) into c. */
static int
tzif_header(const unsigned char *p, size_t len, struct tzif_counts *c,
    char *version, struct sp_err *err)
{
	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return sp_err_set(err, SP_E_FORMAT, 0, "not TZif");
	*version = (char)p[4];
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	if (c->type == 0 || c->type > 256 || c->chars == 0 ||
	    (c->isut != 0 && c->isut != c->type) ||
	    (c->isstd != 0 && c->isstd != c->type))
		return sp_err_set(err, SP_E_CORRUPT, 0, "TZif: impossible "
		    "counts");
	return SP_OK;
}

/* The size of the data block of c with times of tsize bytes. */
static uint64_t
tzif_block(const struct tzif_counts *c, unsigned tsize)
{
	return c->time * tsize + c->time + c->type * 6 + c->chars +
	    c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int
tzif_read(struct sp_zone *z, const unsigned char *p, size_t len,
    unsigned tsize, const struct tzif_counts *c, struct sp_err *err)
{
	const unsigned char *tp = p, *ip = tp + c->time * tsize,
	    *ty = ip + c->time;
	size_t i;

	if ((z->times = malloc((c->time ? c->time : 1) * sizeof(int64_t)))
	    == NULL || (z->idx = malloc(c->time ? c->time : 1)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "TZif");
	(void)len;
	for (i = 0; i < c->time; i++) {
		z->times[i] = tsize == 8 ? be64(tp + i * 8) :
		    (int64_t)(int32_t)be32(tp + i * 4);
		z->idx[i] = ip[i];
		if (ip[i] >= c->type)
			return sp_err_set(err, SP_E_CORRUPT, 0, "TZif: "
			    "transition %zu names type %u of %u", i, ip[i],
			    (unsigned)c->type);
		if (i > 0 && z->times[i] <= z->times[i - 1])
			return sp_err_set(err, SP_E_CORRUPT, 0, "TZif: "
			    "transitions out of order at %zu", i);
	}
	z->ntimes = c->time;
	for (i = 0; i < c->type; i++) {
		int32_t off = (int32_t)be32(ty + i * 6);
		if (off < OFF_MIN || off > OFF_MAX)
			return sp_err_set(err, SP_E_CORRUPT, 0, "TZif: UT "
			    "offset %d out of range", (int)off);
		z->off[i] = off;
	}
	z->ntypes = c->type;
	return SP_OK;
}

int
sp_zone_from_tzif(struct sp_zone **out, const void *buf, size_t len,
    const char *name, struct sp_err *err)
{
	const unsigned char *p = buf;
	struct tzif_counts c;
	struct sp_zone *z;
	uint64_t b1, b2;
	char version, footer[256] = "";
	const unsigned char *f = NULL, *nl;
	int rc;

	*out = NULL;
	if (len > TZIF_MAX_BYTES)
		return sp_err_set(err, SP_E_FORMAT, 0, "TZif: larger than "
		    "1 MiB");
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "TZif");
	if ((rc = tzif_header(p, len, &c, &version, err)) != SP_OK)
		goto fail;
	if ((b1 = tzif_block(&c, 4)) > len - 44) {
		rc = sp_err_set(err, SP_E_CORRUPT, 0, "TZif: data past the "
		    "end");
		goto fail;
	}
	if (version == '\0') {
		rc = tzif_read(z, p + 44, (size_t)b1, 4, &c, err);
		goto done;
	}
	/* version 2 and later: the 64-bit block after the 32-bit one */
	p += 44 + b1;
	len -= 44 + (size_t)b1;
	if ((rc = tzif_header(p, len, &c, &version, err)) != SP_OK)
		goto fail;
	if ((b2 = tzif_block(&c, 8)) > len - 44) {
		rc = sp_err_set(err, SP_E_CORRUPT, 0, "TZif: data past the "
		    "end");
		goto fail;
	}
	if ((rc = tzif_read(z, p + 44, (size_t)b2, 8, &c, err)) != SP_OK)
		goto fail;
	f = p + 44 + b2;
	len -= 44 + (size_t)b2;
	/* the footer: "\nTZ\n"; an unreadable one leaves the table alone */
	if (len >= 2 && f[0] == '\n' &&
	    (nl = memchr(f + 1, '\n', len - 1)) != NULL &&
	    (size_t)(nl - f - 1) < sizeof(footer)) {
		memcpy(footer, f + 1, (size_t)(nl - f - 1));
		footer[nl - f - 1] = '\0';
		if (footer[0] != '\0')
			(void)posix_parse(footer, &z->footer);
	}
done:
	if (rc != SP_OK)
		goto fail;
	if (name != NULL && name[0] != '\0')
		snprintf(z->name, sizeof(z->name), "%s", name);
	else if (z->footer.valid)
		snprintf(z->name, sizeof(z->name), "%s", footer);
	else
		snprintf(z->name, sizeof(z->name), "%s", "(TZif)");
	*out = z;
	return SP_OK;
fail:
	sp_zone_free(z);
	return rc;
}

int
sp_zone_from_posix(struct sp_zone **out, const char *tz, struct sp_err *err)
{
	struct sp_zone *z;

	*out = NULL;
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "zone");
	if (posix_parse(tz, &z->footer) != 0) {
		free(z);
		return sp_err_set(err, SP_E_USAGE, 0, "'%s' is not a POSIX "
		    "TZ string", tz);
	}
	snprintf(z->name, sizeof(z->name), "%s", tz);
	*out = z;
	return SP_OK;
}

int
sp_zone_load(struct sp_zone **out, const char *name, struct sp_err *err)
{
	const char *dir = getenv("TZDIR");
	unsigned char *buf = NULL;
	char path[1024];
	size_t n = 0;
	ssize_t r;
	int fd, rc;

	*out = NULL;
	if (name == NULL || name[0] == '\0' || name[0] == '/' ||
	    strstr(name, "..") != NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "unknown time zone '%s'",
		    name ? name : "");
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir :
	    "/usr/share/zoneinfo", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		/* not in the database: a POSIX rule ("EST5EDT"), or UTC */
		if ((strcmp(name, "UTC") == 0 ||
		    strpbrk(name, "0123456789") != NULL) &&
		    sp_zone_from_posix(out, strcmp(name, "UTC") == 0 ? "UTC0" :
		    name, err) == SP_OK) {
			sp_zone_set_name(*out, name);
			return SP_OK;
		}
		return sp_err_set(err, SP_E_USAGE, 0, "unknown time zone "
		    "'%s'", name);
	}
	if ((buf = malloc(TZIF_MAX_BYTES + 1)) == NULL) {
		close(fd);
		return sp_err_set(err, SP_E_NOMEM, 0, "zone");
	}
	while (n <= TZIF_MAX_BYTES && (r = read(fd, buf + n,
	    TZIF_MAX_BYTES + 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	rc = sp_zone_from_tzif(out, buf, n, name, err);
	free(buf);
	if (rc != SP_OK)
		sp_err_prefix(err, "time zone '%s'", name);
	return rc;
}

void
sp_zone_free(struct sp_zone *z)
{
	if (z == NULL)
		return;
	free(z->times);
	free(z->idx);
	free(z);
}

const char *
sp_zone_name(const struct sp_zone *z)
{
	return z->name;
}

void
sp_zone_set_name(struct sp_zone *z, const char *name)
{
	snprintf(z->name, sizeof(z->name), "%s", name);
}

int32_t
sp_zone_offset(const struct sp_zone *z, int64_t u)
{
	size_t lo, hi, mid;
	int isdst;

	if (z->ntimes == 0)
		return z->footer.valid ? posix_offset(&z->footer, u, &isdst) :
		    z->ntypes > 0 ? z->off[0] : 0;
	if (u < z->times[0])
		return z->off[0];
	if (u >= z->times[z->ntimes - 1] && z->footer.valid)
		return posix_offset(&z->footer, u, &isdst);
	lo = 0;
	hi = z->ntimes;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (z->times[mid] <= u)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[z->idx[lo]];
}

int
sp_zone_to_utc(const struct sp_zone *z, int64_t local, int64_t *utc)
{
	int32_t ob, oa;
	int vb, va;

	/* the offsets in force well before and well after the local time */
	ob = sp_zone_offset(z, local - 2 * 86400);
	oa = sp_zone_offset(z, local + 2 * 86400);
	vb = sp_zone_offset(z, local - ob) == ob;
	va = sp_zone_offset(z, local - oa) == oa;
	if (ob == oa || (vb && !va)) {
		*utc = local - ob;
		return vb ? SP_ZONE_EXACT : SP_ZONE_GAP;
	}
	if (va && !vb) {
		*utc = local - oa;
		return SP_ZONE_EXACT;
	}
	if (va && vb) {
		/* the hour repeated when clocks go back: the first one */
		*utc = local - (ob > oa ? ob : oa);
		return SP_ZONE_AMBIGUOUS;
	}
	/* the hour skipped when clocks go forward: read with the old offset */
	*utc = local - ob;
	return SP_ZONE_GAP;
}

void
sp_zone_apply(const struct sp_zone *z, sp_time_ns *t, struct sp_extra *x,
    const char *text)
{
	int64_t utc;
	int fit;

	if (z == NULL || *t == SP_TIME_NONE) {
		sp_extra_str(x, "zone", "UTC assumed");
		return;
	}
	fit = sp_zone_to_utc(z, sp_time_sec(*t), &utc);
	*t = sp_time_from_parts(utc, sp_time_nsec(*t));
	sp_extra_str(x, "zone", z->name);
	if (text != NULL && text[0] != '\0')
		sp_extra_str(x, "local_time", text);
	if (fit != SP_ZONE_EXACT)
		sp_extra_str(x, "local_time_fit", fit == SP_ZONE_AMBIGUOUS ?
		    "ambiguous" : "gap");
}
