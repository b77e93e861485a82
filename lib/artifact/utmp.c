/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Login records: utmp, wtmp and btmp (glibc's struct utmp, one event per
 * record, logins paired with their logouts by tty into sessions) and
 * lastlog (292-byte records indexed by uid, one login event per user who
 * ever logged in, named from the source's /etc/passwd when it is known).  The strings in them are fixed-size and not always
 * NUL-terminated.
 *
 * struct utmp is 384 bytes with a 32-bit time where glibc keeps the
 * 32-bit layout (x86-64, i386, 32-bit ARM) and 400 bytes with a 64-bit
 * ut_session and ut_tv elsewhere (aarch64, riscv64 ...), in the byte
 * order of the host that wrote it.  The layout of a file is not written
 * in it: it is the one of the four under which the records at the start
 * of the file have a known type, a possible pid and a plausible time
 * (a record of zeros says nothing).  A file none fits is refused with a
 * problem rather than decoded into garbage.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "artifact/parsers.h"


/* Offsets in struct utmp common to every layout. */
#define UT_TYPE		0	/* int16 and 2 bytes of padding */
#define UT_PID		4
#define UT_LINE		8	/* [32] */
#define UT_ID		40	/* [4] */
#define UT_USER		44	/* [32] */
#define UT_HOST		76	/* [256] */
#define UT_SESSION	336	/* int32, or int64 in the 400-byte layout */

/*
 * The bytes read to tell the layout: every record in them is weighed.
 * 48000 bytes are 125 records of 384 and 120 of 400.
 */
#define SNIFF_BYTES	48000

/* Plausible seconds of a login record: 1980-01-01 to 2100-01-01. */
#define PLAUSIBLE_MIN	INT64_C(315532800)
#define PLAUSIBLE_MAX	INT64_C(4102444800)
#define PID_MAX		INT64_C(4194304)	/* the kernel's PID_MAX_LIMIT */

struct utmp_layout {
	const char *name;	/* "layout" of the events (not the first) */
	size_t size;
	int big_endian;
	size_t sec, usec, addr;	/* offsets of ut_tv and ut_addr_v6 */
	int wide;		/* 64-bit ut_session and ut_tv */
};

/* In the order a tie is broken: the common layouts first. */
static const struct utmp_layout layouts[] = {
	{ "x86", 384, 0, 340, 344, 348, 0 },	/* x86-64, i386, arm */
	{ "le64", 400, 0, 344, 352, 360, 1 },	/* aarch64, riscv64 */
	{ "be64", 400, 1, 344, 352, 360, 1 },	/* s390x, ppc64 */
	{ "be32", 384, 1, 340, 344, 348, 0 },	/* mips, ppc */
};
#define NLAYOUTS	(sizeof(layouts) / sizeof(layouts[0]))


enum {
	UT_EMPTY, UT_RUN_LVL, UT_BOOT_TIME, UT_NEW_TIME, UT_OLD_TIME,
	UT_INIT_PROCESS, UT_LOGIN_PROCESS, UT_USER_PROCESS, UT_DEAD_PROCESS,
	UT_ACCOUNTING, UT_NTYPES
};

static const char *const type_names[UT_NTYPES] = {
	"EMPTY", "RUN_LVL", "BOOT_TIME", "NEW_TIME", "OLD_TIME",
	"INIT_PROCESS", "LOGIN_PROCESS", "USER_PROCESS", "DEAD_PROCESS",
	"ACCOUNTING"
};

/*
 * Logins waiting for their logout.  wtmp of a busy host has few open at
 * once; past the bound the oldest is forgotten (its logout then carries
 * no duration), which keeps memory fixed whatever the file says.
 */
#define MAX_OPEN	256

struct open_login {
	char line[33];
	char user[33];
	int32_t pid;
	sp_time_ns time;
};

struct sessions {
	struct open_login open[MAX_OPEN];
	size_t n;
	struct sp_boot boot;	/* the boot the records are in */
};

static int32_t
le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
	    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* A signed integer of n (2, 4 or 8) bytes at p in layout l's order. */
static int64_t
get_int(const struct utmp_layout *l, const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[l->big_endian ? n - 1 - i : i] << (8 * i);
	if (n < 8 && (v >> (8 * n - 1)) != 0)
		v |= ~UINT64_C(0) << (8 * n);	/* sign-extend */
	return (int64_t)v;
}

static int64_t
ut_type(const struct utmp_layout *l, const unsigned char *r)
{
	return get_int(l, r + UT_TYPE, 2);
}

static int64_t
ut_pid(const struct utmp_layout *l, const unsigned char *r)
{
	return get_int(l, r + UT_PID, 4);
}

static int64_t
ut_session(const struct utmp_layout *l, const unsigned char *r)
{
	return get_int(l, r + UT_SESSION, l->wide ? 8 : 4);
}

static int64_t
ut_sec(const struct utmp_layout *l, const unsigned char *r)
{
	return get_int(l, r + l->sec, l->wide ? 8 : 4);
}

static int64_t
ut_usec(const struct utmp_layout *l, const unsigned char *r)
{
	return get_int(l, r + l->usec, l->wide ? 8 : 4);
}

/*
 * Copy the fixed-size field src[n] up to its first NUL into dst (n + 1
 * bytes), each byte that is not valid UTF-8 replaced by '?', so what
 * reaches the case is text.
 */
static void
field(char *dst, const unsigned char *src, size_t n)
{
	size_t len = strnlen((const char *)src, n), i = 0, k;

	while (i < len) {
		if ((k = sp_utf8_seq(src + i, len - i)) == 0) {
			*dst++ = '?';
			i++;
			continue;
		}
		memcpy(dst, src + i, k);
		dst += k;
		i += k;
	}
	*dst = '\0';
}

/* The address in ut_addr_v6: IPv4 when only the first word is set. */
static int
address(char *buf, size_t size, const unsigned char *a)
{
	static const unsigned char zero[12];

	if (memcmp(a + 4, zero, 12) == 0) {
		if (memcmp(a, zero, 4) == 0)
			return 0;
		return inet_ntop(AF_INET, a, buf, size) != NULL;
	}
	return inet_ntop(AF_INET6, a, buf, size) != NULL;
}

/* "wtmp", "btmp" or "utmp", from the origin's file name. */
static const char *
utmp_artifact(const char *origin)
{
	const char *base;

	if (origin == NULL)
		return "wtmp";
	base = strrchr(origin, '/');
	base = base != NULL ? base + 1 : origin;
	if (strstr(base, "btmp") != NULL)
		return "btmp";
	if (strstr(base, "wtmp") != NULL)
		return "wtmp";
	if (strstr(base, "utmp") != NULL)
		return "utmp";
	return "wtmp";
}

static void
session_open(struct sessions *s, const char *line, const char *user,
    int32_t pid, sp_time_ns t)
{
	struct open_login *o;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->open[i].line, line) == 0)
			break;
	if (i == s->n) {
		if (s->n == MAX_OPEN) {
			memmove(&s->open[0], &s->open[1],
			    (MAX_OPEN - 1) * sizeof(s->open[0]));
			s->n--;
		}
		i = s->n++;
	}
	o = &s->open[i];
	snprintf(o->line, sizeof(o->line), "%s", line);
	snprintf(o->user, sizeof(o->user), "%s", user);
	o->pid = pid;
	o->time = t;
}

/* Take the login the logout on line (by pid) ends; 0 if none is open. */
static int
session_close(struct sessions *s, const char *line, int32_t pid,
    struct open_login *out)
{
	size_t i, found = s->n;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->open[i].line, line) != 0)
			continue;
		if (found == s->n || s->open[i].pid == pid)
			found = i;
	}
	if (found == s->n)
		return 0;
	*out = s->open[found];
	memmove(&s->open[found], &s->open[found + 1],
	    (s->n - found - 1) * sizeof(s->open[0]));
	s->n--;
	return 1;
}

static void
format_duration(char *buf, size_t size, int64_t sec)
{
	if (sec >= 86400)
		snprintf(buf, size, "%" PRId64 "d%02" PRId64 "h%02" PRId64 "m",
		    sec / 86400, sec % 86400 / 3600, sec % 3600 / 60);
	else if (sec >= 3600)
		snprintf(buf, size, "%" PRId64 "h%02" PRId64 "m%02" PRId64 "s",
		    sec / 3600, sec % 3600 / 60, sec % 60);
	else
		snprintf(buf, size, "%" PRId64 "m%02" PRId64 "s", sec / 60,
		    sec % 60);
}

/*
 * sysvinit keeps the new run level in the low byte of a RUN_LVL record's
 * ut_pid and the previous one in the next ("N" at boot); "" when a byte
 * is no level character.
 */
static void
runlevels(int32_t pid, char level[2], char prev[2])
{
	int c = pid & 0xff, p = pid >> 8 & 0xff;

	level[0] = prev[0] = level[1] = prev[1] = '\0';
	if (pid < 0 || pid > 0xffff)
		return;
	if ((c >= '0' && c <= '9') || c == 'S' || c == 's' || c == 'N')
		level[0] = (char)c;
	if ((p >= '0' && p <= '9') || p == 'S' || p == 's' || p == 'N')
		prev[0] = (char)p;
}

static int
utmp_record(struct sp_artifact_ctx *ctx, struct sessions *s,
    struct sp_extra *x, const char *artifact, const struct utmp_layout *l,
    const unsigned char *r, int64_t offset)
{
	char line[33], id[5], user[33], host[257], addr[INET6_ADDRSTRLEN];
	char msg[512], iso[SP_TIME_ISO_MAX], dur[64], level[2], prev[2];
	struct open_login login;
	struct sp_event e;
	int64_t type = ut_type(l, r), sec = ut_sec(l, r), usec = ut_usec(l, r);
	int64_t session = ut_session(l, r), duration = 0;
	int32_t pid = (int32_t)ut_pid(l, r);
	int has_addr, paired = 0, zeroed;
	size_t i;

	/* a record of zeros is what log wipers leave in place of one */
	for (i = 0; i < l->size && r[i] == 0; i++)
		;
	zeroed = i == l->size;

	if (type < 0 || type >= UT_NTYPES) {
		sp_artifact_problem(ctx, 0, "offset %" PRId64 ": unknown "
		    "record type %d", offset, (int)type);
		return 0;
	}
	/* a 64-bit time can say anything: none before 1970 or after 2100 */
	if (sec < 0 || sec >= PLAUSIBLE_MAX) {
		sp_artifact_problem(ctx, 0, "offset %" PRId64 ": implausible "
		    "time %" PRId64 "; record skipped", offset, sec);
		return 0;
	}
	field(line, r + UT_LINE, 32);
	field(id, r + UT_ID, 4);
	field(user, r + UT_USER, 32);
	field(host, r + UT_HOST, 256);
	has_addr = address(addr, sizeof(addr), r + l->addr);

	sp_event_init(&e);
	e.artifact = artifact;
	e.offset = offset;
	e.pid = pid > 0 ? pid : -1;
	if (usec < 0 || usec > 999999)
		usec = 0;	/* keep the second, which is what matters */
	e.time = sp_time_from_parts(sec, usec * 1000);
	e.user = user[0] != '\0' ? user : NULL;
	/* "~" is the line of boot, runlevel and shutdown records */
	e.tty = line[0] != '\0' && strcmp(line, "~") != 0 ? line : NULL;
	if (session > 0)
		e.session = session;
	/* a boot record (BOOT_TIME, or "reboot" in other writers) */
	if (strcmp(artifact, "btmp") != 0 && (type == UT_BOOT_TIME ||
	    strcmp(user, "reboot") == 0))
		sp_boot_begin(&s->boot, e.time);
	e.boot_id = sp_boot_id(&s->boot);

	if (strcmp(artifact, "btmp") == 0) {
		e.time_desc = "login_failed";
		snprintf(msg, sizeof(msg), "failed login%s%s%s%s%s%s",
		    user[0] ? " of " : "", user, line[0] ? " on " : "", line,
		    host[0] ? " from " : "", host);
	} else {
		switch (type) {
		case UT_USER_PROCESS:
			e.time_desc = "login";
			snprintf(msg, sizeof(msg), "login of %s on %s%s%s",
			    user[0] ? user : "?", line[0] ? line : "?",
			    host[0] ? " from " : "", host);
			if (line[0] != '\0')
				session_open(s, line, user, pid, e.time);
			break;
		case UT_DEAD_PROCESS:
			e.time_desc = "logout";
			paired = line[0] != '\0' &&
			    session_close(s, line, pid, &login);
			if (paired) {
				if (e.user == NULL && login.user[0] != '\0')
					e.user = login.user;
				/* unsigned: the difference of any two fits */
				duration = e.time >= login.time ?
				    (int64_t)(((uint64_t)e.time -
				    (uint64_t)login.time) / SP_NS_PER_SEC) : 0;
				format_duration(dur, sizeof(dur), duration);
				snprintf(msg, sizeof(msg), "logout of %s on "
				    "%s after %s", login.user[0] ?
				    login.user : "?", line, dur);
			} else
				snprintf(msg, sizeof(msg), "end of process "
				    "%d on %s", (int)pid, line[0] ? line :
				    "?");
			break;
		case UT_BOOT_TIME:
			e.time_desc = "boot";
			snprintf(msg, sizeof(msg), "system boot%s%s%s",
			    host[0] ? " (kernel " : "", host,
			    host[0] ? ")" : "");
			s->n = 0;	/* no session outlives a boot */
			break;
		case UT_RUN_LVL:
			if (strcmp(user, "shutdown") == 0) {
				e.time_desc = "shutdown";
				snprintf(msg, sizeof(msg), "system shutdown");
				s->n = 0;
			} else {
				e.time_desc = "runlevel";
				runlevels(pid, level, prev);
				snprintf(msg, sizeof(msg), "runlevel %s%s%s%s",
				    level[0] ? level : "change",
				    prev[0] ? " (was " : "", prev,
				    prev[0] ? ")" : "");
			}
			break;
		default:
			e.time_desc = "entry";
			if (zeroed) {
				snprintf(msg, sizeof(msg), "zeroed record");
				break;
			}
			snprintf(msg, sizeof(msg), "%s record%s%s%s%s",
			    type_names[type], line[0] ? " on " : "", line,
			    user[0] ? " for " : "", user);
			break;
		}
	}
	e.message = msg;

	sp_extra_begin(x);
	sp_extra_str(x, "type", type_names[type]);
	if (line[0] != '\0')
		sp_extra_str(x, "line", line);
	if (host[0] != '\0')
		sp_extra_str(x, "host", host);
	if (has_addr)
		sp_extra_str(x, "address", addr);
	if (id[0] != '\0')
		sp_extra_str(x, "id", id);
	sp_extra_int(x, "session", session);
	if (type == UT_RUN_LVL) {
		runlevels(pid, level, prev);
		if (level[0] != '\0')
			sp_extra_str(x, "runlevel", level);
		if (prev[0] != '\0')
			sp_extra_str(x, "previous_runlevel", prev);
	}
	if (paired) {
		sp_extra_str(x, "login_time", sp_time_format_iso(login.time, 6,
		    iso, sizeof(iso)));
		sp_extra_int(x, "duration_s", duration);
	}
	if (l != &layouts[0])
		sp_extra_str(x, "layout", l->name);
	if (zeroed)
		sp_extra_bool(x, "zeroed", 1);
	e.extra = sp_extra_text(x);
	return sp_artifact_emit(ctx, &e);
}

/*
 * How record r reads under layout l: 1 it fits (a known type, a pid the
 * kernel could give, a session that is an int32, microseconds below a
 * second and a time from 1980 to 2100), -1 it does not, 0 it says
 * nothing (all zeros, or an EMPTY record without a time, which zeros
 * read in the wrong layout also look like).
 */
static int
record_fits(const struct utmp_layout *l, const unsigned char *r)
{
	int64_t type, pid, sec, usec, ses;
	size_t i;

	for (i = 0; i < l->size && r[i] == 0; i++)
		;
	if (i == l->size)
		return 0;
	type = ut_type(l, r);
	pid = ut_pid(l, r);
	sec = ut_sec(l, r);
	usec = ut_usec(l, r);
	ses = ut_session(l, r);
	if (type < 0 || type >= UT_NTYPES || pid < 0 || pid > PID_MAX ||
	    usec < 0 || usec > 999999 || ses < -1 || ses > INT64_C(0xffffffff))
		return -1;
	/* an EMPTY record without a time: mostly zeros, as any layout's */
	if (type == UT_EMPTY && sec == 0)
		return 0;
	return sec >= PLAUSIBLE_MIN && sec < PLAUSIBLE_MAX ? 1 : -1;
}

/*
 * The layout of the n bytes at the start of a file: the one under which
 * more records fit than not, and most fit; a tie goes to the earlier in
 * layouts[].  Zeros alone are read as the x86 layout, which decodes them
 * as any other would.  NULL when no layout fits.
 */
static const struct utmp_layout *
sniff_layout(const unsigned char *buf, size_t n)
{
	const struct utmp_layout *best = NULL;
	int64_t score, best_score = 0, fit, misfit, any = 0;
	size_t i, off;
	int f;

	for (i = 0; i < NLAYOUTS; i++) {
		fit = misfit = 0;
		for (off = 0; off + layouts[i].size <= n;
		    off += layouts[i].size) {
			f = record_fits(&layouts[i], buf + off);
			fit += f > 0;
			misfit += f < 0;
		}
		any |= fit | misfit;
		score = fit - misfit;
		if (fit > misfit && (best == NULL || score > best_score)) {
			best = &layouts[i];
			best_score = score;
		}
	}
	return best != NULL || any ? best : &layouts[0];
}

/*
 * After the last whole record of fixed size: a read error is the parse's
 * error, a partial record at the end a problem.
 */
static int
records_end(struct sp_artifact_ctx *ctx, FILE *in, int64_t offset, size_t n,
    struct sp_err *err)
{
	if (ferror(in))
		return sp_err_set(err, SP_E_IO, 0, "read at offset %" PRId64,
		    offset);
	if (n > 0)
		sp_artifact_problem(ctx, 0, "offset %" PRId64 ": partial "
		    "record of %zu bytes at the end", offset, n);
	return SP_OK;
}

int
sp_parse_utmp(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	const struct utmp_layout *l;
	unsigned char *buf;
	struct sessions *s;
	struct sp_extra x;
	const char *artifact = utmp_artifact(ctx->origin);
	int64_t offset = 0;
	size_t n, off = 0, have;
	int rc = SP_OK;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (buf = malloc(SNIFF_BYTES)) == NULL) {
		free(s);
		return sp_err_set(err, SP_E_NOMEM, 0, "utmp sessions");
	}
	memset(&x, 0, sizeof(x));
	n = fread(buf, 1, SNIFF_BYTES, in);
	if (n < SNIFF_BYTES && ferror(in)) {
		rc = sp_err_set(err, SP_E_IO, 0, "read at offset 0");
		goto done;
	}
	if (n > 0 && (l = sniff_layout(buf, n)) == NULL) {
		sp_artifact_problem(ctx, 0, "no known utmp layout: under "
		    "neither 384- nor 400-byte records, little- or "
		    "big-endian, do the records have a known type, a "
		    "possible pid and a plausible time; not decoded");
		goto done;
	}
	if (n == 0)
		l = &layouts[0];
	for (; off + l->size <= n; off += l->size, offset += l->size)
		if ((rc = utmp_record(ctx, s, &x, artifact, l, buf + off,
		    offset)) != 0)
			goto done;
	/* the rest of the file, a record at a time */
	have = n - off;
	memmove(buf, buf + off, have);
	while (n == SNIFF_BYTES && (have += fread(buf + have, 1,
	    l->size - have, in)) == l->size) {
		if ((rc = utmp_record(ctx, s, &x, artifact, l, buf,
		    offset)) != 0)
			goto done;
		offset += l->size;
		have = 0;
	}
	rc = records_end(ctx, in, offset, have, err);
done:
	sp_extra_release(&x);
	free(buf);
	free(s);
	return rc;
}

/*
 * The layouts of struct lastlog: a 32-bit time on x86-64 and i386 (glibc's
 * __WORDSIZE_TIME64_COMPAT32), a 64-bit one on aarch64 and other 64-bit
 * hosts, and a big-endian 32-bit one (mips, ppc); then line[32] and
 * host[256], the record padded to the time's alignment.
 */
struct lastlog_layout {
	const char *name;
	size_t size, line, host;
	int time64, big;
};

static const struct lastlog_layout lastlog_layouts[] = {
	{ "le32", 292, 4, 36, 0, 0 },
	{ "le64", 296, 8, 40, 1, 0 },
	{ "be32", 292, 4, 36, 0, 1 },
};
#define NLASTLOG (sizeof(lastlog_layouts) / sizeof(lastlog_layouts[0]))

static int64_t
lastlog_time(const struct lastlog_layout *l, const unsigned char *r)
{
	uint64_t v = 0;
	int i;

	if (l->time64) {
		for (i = 7; i >= 0; i--)
			v = v << 8 | r[i];
		return (int64_t)v;
	}
	if (l->big)
		return (int32_t)((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 |
		    (uint32_t)r[2] << 8 | r[3]);
	return le32(r);
}

/* A text field: printable bytes, then NULs to its end. */
static int
lastlog_text(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] >= 0x20 && p[i] < 0x7f)
		i++;
	while (i < n && p[i] == 0)
		i++;
	return i == n;
}

/*
 * How well the first n bytes read with l: plausible records less four
 * times the wrong ones, doubled, less one when n is the whole file and l's
 * records do not divide it.
 */
static long
lastlog_score(const struct lastlog_layout *l, const unsigned char *buf,
    size_t n, int at_end)
{
	long good = 0, bad = 0;
	size_t off;
	int64_t t;

	for (off = 0; off + l->size <= n; off += l->size) {
		const unsigned char *r = buf + off;
		size_t i;
		int zero = 1;

		for (i = 0; i < l->size && zero; i++)
			zero = r[i] == 0;
		if (zero)
			continue;
		t = lastlog_time(l, r);
		if (t >= 315532800 && t <= 4102444800 &&
		    lastlog_text(r + l->line, 32) &&
		    lastlog_text(r + l->host, 256))
			good++;
		else
			bad++;
	}
	/* a size that does not divide the file only breaks ties */
	return (good - 4 * bad) * 2 - (at_end && n % l->size != 0);
}

int
sp_parse_lastlog(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	const struct lastlog_layout *l = &lastlog_layouts[0];
	unsigned char *buf;
	char line[33], host[257], uid[24], msg[640];
	const char *name;
	struct sp_extra x;
	struct sp_event e;
	int64_t offset = 0, index = 0, t;
	size_t n, have, off = 0, i;
	long best = LONG_MIN, sc;
	int rc = SP_OK;

	if ((buf = malloc(SNIFF_BYTES)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "lastlog");
	n = fread(buf, 1, SNIFF_BYTES, in);
	if (n < SNIFF_BYTES && ferror(in)) {
		free(buf);
		return sp_err_set(err, SP_E_IO, 0, "read");
	}
	/* the layout the first records read best with; x86-64's on a tie */
	for (i = 0; i < NLASTLOG; i++) {
		sc = lastlog_score(&lastlog_layouts[i], buf, n,
		    n < SNIFF_BYTES);
		if (sc > best) {
			best = sc;
			l = &lastlog_layouts[i];
		}
	}
	if (best < -1) {
		sp_artifact_problem(ctx, 0, "no lastlog layout (x86-64, "
		    "64-bit time, big-endian) fits the records: not read");
		free(buf);
		return SP_OK;
	}
	memset(&x, 0, sizeof(x));
	have = n;
	for (;;) {
		const unsigned char *r;

		if (have - off < l->size) {
			/* the next records from the stream */
			memmove(buf, buf + off, have - off);
			have -= off;
			off = 0;
			if (n == SNIFF_BYTES || have > 0) {
				size_t got = fread(buf + have, 1,
				    SNIFF_BYTES - have, in);

				have += got;
				n = got;
			}
			if (have < l->size)
				break;
		}
		r = buf + off;
		off += l->size;
		offset += (int64_t)l->size;
		index++;
		if ((t = lastlog_time(l, r)) == 0)
			continue;	/* never logged in */
		field(line, r + l->line, 32);
		field(host, r + l->host, 256);
		snprintf(uid, sizeof(uid), "%" PRId64, index - 1);
		/* the name from the source's /etc/passwd, when it has one */
		name = sp_users_name(ctx->users, index - 1);
		snprintf(msg, sizeof(msg), "last login of %s%s%suid %s%s%s%s%s%s",
		    name ? name : "", name ? " " : "", name ? "(" : "", uid,
		    name ? ")" : "", line[0] ? " on " : "", line,
		    host[0] ? " from " : "", host);
		sp_event_init(&e);
		e.time = sp_time_from_parts(t, 0);
		e.time_desc = "login";
		e.artifact = "lastlog";
		e.user = name != NULL ? name : uid;
		e.message = msg;
		e.offset = offset - (int64_t)l->size;
		sp_extra_begin(&x);
		sp_extra_int(&x, "uid", index - 1);
		sp_extra_str(&x, "uid_name", name);
		if (line[0] != '\0')
			sp_extra_str(&x, "line", line);
		if (host[0] != '\0')
			sp_extra_str(&x, "host", host);
		if (l != &lastlog_layouts[0])
			sp_extra_str(&x, "layout", l->name);
		e.extra = sp_extra_text(&x);
		if ((rc = sp_artifact_emit(ctx, &e)) != 0)
			goto done;
	}
	rc = records_end(ctx, in, offset, have - off, err);
done:
	sp_extra_release(&x);
	free(buf);
	return rc;
}
