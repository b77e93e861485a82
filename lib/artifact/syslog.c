/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syslog files: traditional BSD lines (RFC 3164, "Mar 14 09:12:03 host
 * prog[pid]: msg", no year and no zone), RFC 5424 ("<34>1 2021-03-06T04:
 * 07:38.25+00:00 host app procid msgid [sd] msg") and rsyslog's
 * high-precision format (an RFC 3339 time in front of a BSD header).
 * Every record becomes one event: a generic "syslog"/"entry" event, or,
 * when the line is one of the auth or cron messages that say who did what
 * (sshd logins, pam_unix sessions, sudo, su, user management, CRON
 * commands), the typed event instead, so that one record is one event.
 *
 * A line that does not start like a record continues the one before it
 * (multi-line messages), as plaso reads them.  A year-less time takes the
 * year of the file's modification time, or the year before for a month
 * after the mtime's month (the log rolled over a new year).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/strbuf.h"
#include "artifact/parsers.h"

#define LINE_MAX_BYTES	(1024 * 1024)	/* a longer line is skipped */
#define RECORD_MAX_BYTES (1024 * 1024)	/* a record with continuations */
#define NAME_MAX_BYTES	256		/* host, program, msgid */

enum syslog_format { FMT_RFC3164, FMT_RFC5424, FMT_RFC3339 };

/* One record: its header fields, and its text with the message last. */
struct record {
	int64_t line;
	sp_time_ns time;
	enum syslog_format format;
	int year_inferred;
	char local[40];			/* the year-less local time as written */
	int pri;			/* -1: none */
	int severity;			/* a severity word's, or -1 */
	char host[NAME_MAX_BYTES];
	char program[NAME_MAX_BYTES];
	char procid[NAME_MAX_BYTES];	/* RFC 5424 PROCID not a number */
	char msgid[NAME_MAX_BYTES];
	int64_t pid;
	char *sd;			/* RFC 5424 structured data, or NULL */
	struct sp_strbuf msg;		/* the message, continuations appended */
};

/* What the parser keeps between lines. */
struct syslog_state {
	struct sp_artifact_ctx *ctx;
	int mtime_year;
	unsigned mtime_month;
	struct record rec;
	int pending;			/* rec holds a record not yet emitted */
	struct sp_strbuf clean;		/* the line with NULs and bad UTF-8 fixed */
	struct sp_extra x;
	struct sp_boots boots;		/* by host */
};

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};
static const char *const facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"clock", "local0", "local1", "local2", "local3", "local4", "local5",
	"local6", "local7"
};
static const char *const severities[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};

/* ---- buffers and lines ---- */

/*
 * Copy raw into clean without NUL bytes (a crash leaves runs of them in
 * front of the next line) and with each byte of invalid UTF-8 written as
 * "\xNN", so the record stays readable text.  Returns -1 on no memory.
 */
static int
clean_line(const struct sp_line *raw, struct sp_strbuf *clean, int *nul, int *bad)
{
	const unsigned char *s = (const unsigned char *)raw->p;
	char hex[5];
	size_t i = 0, j, k;

	*nul = *bad = 0;
	clean->len = 0;
	if (sp_strbuf_addn(clean, "", 0) != 0)
		return -1;
	clean->buf[0] = '\0';
	while (i < raw->len) {
		/* a run of ASCII but NUL, most of a line, goes at once */
		for (j = i; j < raw->len && s[j] != '\0' && s[j] < 0x80; j++)
			;
		if (j > i) {
			if (sp_strbuf_addn(clean, (const char *)s + i, j - i) !=
			    0)
				return -1;
			i = j;
			continue;
		}
		if (s[i] == '\0') {
			*nul = 1;
			i++;
			continue;
		}
		if ((k = sp_utf8_seq(s + i, raw->len - i)) == 0) {
			*bad = 1;
			snprintf(hex, sizeof(hex), "\\x%02x", s[i]);
			if (sp_strbuf_addn(clean, hex, 4) != 0)
				return -1;
			i++;
			continue;
		}
		if (sp_strbuf_addn(clean, (const char *)s + i, k) != 0)
			return -1;
		i += k;
	}
	return 0;
}

/* Whether a continuation line is plain text (no control bytes but TAB). */
static int
plain_text(const struct sp_line *b)
{
	const unsigned char *s = (const unsigned char *)b->p;
	size_t i, k;

	for (i = 0; i < b->len; i += k) {
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return 0;
		if ((k = sp_utf8_seq(s + i, b->len - i)) == 0)
			return 0;
	}
	return 1;
}

/* ---- dates ---- */

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Year and month of days since 1970-01-01 (H. Hinnant's algorithm). */
static void
civil_from_days(int64_t z, int *year, unsigned *month)
{
	int64_t era, doe, yoe, doy, mp, y;
	unsigned m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (m <= 2));
	*month = m;
}

/* Parse exactly n digits at *p into *v. */
static int
digits(const char **p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return 0;
}

/* ---- headers ---- */

/* Copy n bytes of s into a field of NAME_MAX_BYTES; -1 if too long. */
static int
set_field(char *dst, const char *s, size_t n)
{
	if (n >= NAME_MAX_BYTES)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int64_t
parse_pid(const char *s, size_t n)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * A BSD tag: "prog:", "prog[pid]:", or without the colon some writers
 * leave out "prog[pid]" and, when a message follows (more), a word of
 * tag characters that holds '_', '-', '.' or '/' ("log_tag",
 * "systemd-logind"): a bare word such as "Job" is taken for the start of
 * the message.  Fills program and pid when the n bytes at s are one.
 */
static int
program_token(const char *s, size_t n, int more, struct record *r)
{
	const char *lb;
	size_t plen, i;
	int colon = n >= 2 && s[n - 1] == ':', mark = 0;

	if (colon)
		n--;
	if (n >= 1 && s[n - 1] == ']' && (lb = memchr(s, '[', n)) != NULL &&
	    lb > s) {
		plen = (size_t)(lb - s);
		if (!colon && parse_pid(lb + 1, n - 1 - plen - 1) < 0)
			return 0;
		if (set_field(r->program, s, plen) != 0)
			return 0;
		r->pid = parse_pid(lb + 1, n - 1 - plen - 1);
		return 1;
	}
	if (memchr(s, '[', n) != NULL || n == 0)
		return 0;
	if (!colon) {
		if (!more)
			return 0;
		for (i = 0; i < n; i++) {
			if (strchr("_-./", s[i]) != NULL)
				mark = 1;
			else if (!isalnum((unsigned char)s[i]))
				return 0;
		}
		if (!mark || !isalpha((unsigned char)s[0]))
			return 0;
	}
	return set_field(r->program, s, n) == 0;
}

static const char *
skip_spaces(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

static size_t
token_len(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && p[n] != ' ')
		n++;
	return n;
}

/*
 * A severity word where the host would be ("INFO", "WARNING" ...), as
 * ChromeOS writes its logs: its index in severities[], or -1.
 */
static int
severity_word(const char *p, size_t n)
{
	static const struct {
		const char *word;
		int severity;
	} words[] = {
		{ "EMERG", 0 }, { "EMERGENCY", 0 }, { "ALERT", 1 },
		{ "CRIT", 2 }, { "CRITICAL", 2 }, { "ERR", 3 }, { "ERROR", 3 },
		{ "WARN", 4 }, { "WARNING", 4 }, { "NOTICE", 5 }, { "INFO", 6 },
		{ "DEBUG", 7 }
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == n &&
		    memcmp(words[i].word, p, n) == 0)
			return words[i].severity;
	return -1;
}

/*
 * The BSD header after the time: "host prog[pid]: msg", "prog: msg"
 * (no host, as the kernel writes), "SEVERITY prog[pid]: msg" (ChromeOS)
 * or only a message.  Returns the message.
 */
static const char *
bsd_header(const char *p, int no_host, struct record *r)
{
	const char *q;
	size_t n;
	int sev;

	p = skip_spaces(p);
	n = token_len(p);
	if (n == 0)
		return p;
	q = skip_spaces(p + n);
	if (program_token(p, n, 0, r))
		return q;
	if (no_host)
		return p;
	if ((sev = severity_word(p, n)) >= 0 && token_len(q) > 0 &&
	    program_token(q, token_len(q), *skip_spaces(q + token_len(q)) !=
	    '\0', r)) {
		r->severity = sev;
		return skip_spaces(q + token_len(q));
	}
	r->program[0] = '\0';
	r->pid = -1;
	if (set_field(r->host, p, n) != 0)
		return NULL;
	p = q;
	n = token_len(p);
	if (n > 0 && program_token(p, n, *skip_spaces(p + n) != '\0', r))
		return skip_spaces(p + n);
	return p;
}

/* "<PRI>" at *p: 0 to 191. */
static int
parse_pri(const char **p, int *pri)
{
	const char *s = *p + 1;
	int v = 0, n = 0;

	while (isdigit((unsigned char)*s) && n < 3) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || *s != '>' || v > 191)
		return -1;
	*pri = v;
	*p = s + 1;
	return 0;
}

static int
parse_rfc3164(struct syslog_state *st, const char *p, struct record *r,
    const char **why)
{
	int mon, day, h, mi, se, year, colon = 0;
	int64_t ns = 0, scale = 100000000, sec;
	const char *start = p;

	for (mon = 0; mon < 12; mon++)
		if (strncasecmp(p, months[mon], 3) == 0)
			break;
	if (mon == 12) {
		*why = "bad month";
		return -1;
	}
	p += 3;
	if (*p != ' ') {
		*why = "bad month";
		return -1;
	}
	p = skip_spaces(p);
	if (digits(&p, 2, &day) != 0 && digits(&p, 1, &day) != 0) {
		*why = "bad day";
		return -1;
	}
	if (*p++ != ' ' || digits(&p, 2, &h) || *p++ != ':' ||
	    digits(&p, 2, &mi) || *p++ != ':' || digits(&p, 2, &se) ||
	    h > 23 || mi > 59 || se > 60) {
		*why = "bad time of day";
		return -1;
	}
	{
		static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
		    30, 31, 30, 31 };
		if (day < 1 || day > mdays[mon]) {
			*why = "bad day";
			return -1;
		}
	}
	if (*p == '.' || *p == ',') {
		p++;
		if (!isdigit((unsigned char)*p)) {
			*why = "bad fraction of a second";
			return -1;
		}
		for (; isdigit((unsigned char)*p); p++) {
			ns += (*p - '0') * scale;
			scale /= 10;
		}
	}
	snprintf(r->local, sizeof(r->local), "%.*s", (int)(p - start), start);
	if (*p == ':') {
		colon = 1;	/* "Nov 18 01:15:43: --- last message ..." */
		p++;
	}
	if (*p != ' ' && *p != '\0') {
		*why = "bad time of day";
		return -1;
	}
	year = (unsigned)mon + 1 > st->mtime_month ? st->mtime_year - 1 :
	    st->mtime_year;
	if (mon == 1 && day == 29)
		while (!is_leap(year))
			year--;	/* Feb 29 only happens in a leap year */
	sec = sp_time_days_from_civil(year, (unsigned)mon + 1,
	    (unsigned)day) * 86400 + h * 3600 + mi * 60 + se;
	r->time = sp_time_from_parts(sec, ns);
	r->format = FMT_RFC3164;
	r->year_inferred = 1;
	if ((p = bsd_header(p, colon, r)) == NULL) {
		*why = "host name too long";
		return -1;
	}
	if (sp_strbuf_addn(&r->msg, p, strlen(p)) != 0) {
		*why = NULL;
		return -2;
	}
	return 0;
}

/* An RFC 3339 time token of at most 63 bytes at p; returns its length. */
static size_t
parse_iso_token(const char *p, sp_time_ns *t)
{
	char tok[64];
	size_t n = token_len(p);

	if (n < 19 || n >= sizeof(tok) || (p[10] != 'T' && p[10] != 't'))
		return 0;
	memcpy(tok, p, n);
	tok[n] = '\0';
	if (sp_time_parse_iso(tok, t) != SP_OK)
		return 0;
	return n;
}

static int
parse_rfc3339(const char *p, struct record *r, const char **why)
{
	size_t n;

	if ((n = parse_iso_token(p, &r->time)) == 0) {
		*why = "bad timestamp";
		return -1;
	}
	r->format = FMT_RFC3339;
	if ((p = bsd_header(p + n, 0, r)) == NULL) {
		*why = "host name too long";
		return -1;
	}
	if (sp_strbuf_addn(&r->msg, p, strlen(p)) != 0) {
		*why = NULL;
		return -2;
	}
	return 0;
}

/* One RFC 5424 header field into dst ("-" is none); advances *p. */
static int
rfc5424_field(const char **p, char *dst)
{
	size_t n = token_len(*p);

	if (n == 0 || (*p)[n] != ' ')
		return -1;
	if (n == 1 && **p == '-')
		dst[0] = '\0';
	else if (set_field(dst, *p, n) != 0)
		return -1;
	*p += n + 1;
	return 0;
}

/* The end of the structured data at p ("-" or "[id k="v"]..."), or NULL. */
static const char *
sd_end(const char *p)
{
	int quoted;

	if (*p == '-')
		return p + 1;
	if (*p != '[')
		return NULL;
	while (*p == '[') {
		quoted = 0;
		for (p++; *p != '\0'; p++) {
			if (quoted && *p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == ']')
				break;
		}
		if (*p != ']')
			return NULL;
		p++;
	}
	return p;
}

static int
parse_rfc5424(const char *p, struct record *r, const char **why)
{
	char pid[NAME_MAX_BYTES];
	const char *e;
	size_t n;

	*why = "bad RFC 5424 header";
	if (parse_pri(&p, &r->pri) != 0 || !isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != ' ')
		return -1;
	if (*p == '-') {
		*why = "no timestamp";
		return -1;
	}
	if ((n = parse_iso_token(p, &r->time)) == 0 || p[n] != ' ') {
		*why = "bad timestamp";
		return -1;
	}
	p += n + 1;
	if (rfc5424_field(&p, r->host) != 0 ||
	    rfc5424_field(&p, r->program) != 0 ||
	    rfc5424_field(&p, pid) != 0 || rfc5424_field(&p, r->msgid) != 0)
		return -1;
	if ((r->pid = parse_pid(pid, strlen(pid))) < 0)
		memcpy(r->procid, pid, sizeof(pid));
	if ((e = sd_end(p)) == NULL || (*e != ' ' && *e != '\0')) {
		*why = "bad structured data";
		return -1;
	}
	if (*p == '[' && (r->sd = strndup(p, (size_t)(e - p))) == NULL) {
		*why = NULL;
		return -2;
	}
	p = skip_spaces(e);
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* the BOM of a UTF-8 MSG */
	r->format = FMT_RFC5424;
	if (sp_strbuf_addn(&r->msg, p, strlen(p)) != 0) {
		*why = NULL;
		return -2;
	}
	return 0;
}

/* Whether line starts a record rather than continuing the one before. */
static int
starts_record(const char *s)
{
	if (s[0] == '<' && isdigit((unsigned char)s[1]))
		return 1;
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    s[4] == '-')
		return 1;
	return isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]) &&
	    isalpha((unsigned char)s[2]) && s[3] == ' ' &&
	    (s[4] == ' ' || isdigit((unsigned char)s[4]));
}

static void
record_reset(struct record *r)
{
	free(r->sd);
	r->sd = NULL;
	r->line = 0;
	r->time = SP_TIME_NONE;
	r->format = FMT_RFC3164;
	r->year_inferred = 0;
	r->local[0] = '\0';
	r->pri = -1;
	r->severity = -1;
	r->host[0] = r->program[0] = r->procid[0] = r->msgid[0] = '\0';
	r->pid = -1;
	r->msg.len = 0;
	if (r->msg.buf != NULL)
		r->msg.buf[0] = '\0';
}

/* Parse a line that starts a record.  -1: malformed (why), -2: memory. */
static int
parse_record(struct syslog_state *st, const char *s, struct record *r,
    const char **why)
{
	const char *p = s;
	int pri;

	if (*p == '<' && parse_pri(&p, &pri) == 0 && isalpha((unsigned char)*p)) {
		r->pri = pri;	/* a BSD line as it came over the network */
		return parse_rfc3164(st, p, r, why);
	}
	if (*s == '<')
		return parse_rfc5424(s, r, why);
	if (isdigit((unsigned char)*s))
		return parse_rfc3339(s, r, why);
	return parse_rfc3164(st, s, r, why);
}

/* ---- typed events ---- */

/* What a message says, found by the matchers below. */
struct typed {
	const char *artifact;
	const char *time_desc;
	char user[NAME_MAX_BYTES];
	char tty[NAME_MAX_BYTES];
	char cwd[1024];
};

/* p after the literal lit, or NULL. */
static const char *
after(const char *p, const char *lit)
{
	size_t n = strlen(lit);

	return p != NULL && strncmp(p, lit, n) == 0 ? p + n : NULL;
}

/* The last occurrence of needle in [s, end), or NULL. */
static const char *
last_of(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	const char *p;

	if ((size_t)(end - s) < n)
		return NULL;
	for (p = end - n; p >= s; p--) {
		if (memcmp(p, needle, n) == 0)
			return p;
		if (p == s)
			break;
	}
	return NULL;
}

static void
extra_true(struct sp_extra *x, const char *key)
{
	if (x->open)
		sp_json_kv_bool(&x->w, key, 1);
}

static void
extra_token(struct sp_extra *x, const char *key, const char *p)
{
	size_t n = token_len(p);

	if (n > 0)
		sp_extra_strn(x, key, p, n);
}

/*
 * "USER from IP port N[ PROTO[: KEYTYPE FPR]]" after an sshd verb.  The
 * user name is what lies before the last " from ": an invalid user's
 * name is the client's choice and may hold spaces.
 */
static int
ssh_who(struct sp_extra *x, const char *p, struct typed *t)
{
	const char *from, *end = p + strlen(p), *q;
	size_t n;

	if ((from = last_of(p, end, " from ")) == NULL)
		return 0;
	n = (size_t)(from - p);
	if (n < NAME_MAX_BYTES) {
		memcpy(t->user, p, n);
		t->user[n] = '\0';
	}
	q = from + 6;
	extra_token(x, "source_ip", q);
	q += token_len(q);
	if ((q = after(q, " port ")) != NULL) {
		int64_t port = parse_pid(q, token_len(q));
		if (port >= 0 && port <= 65535)
			sp_extra_int(x, "source_port", port);
		q = skip_spaces(q + token_len(q));
		n = token_len(q);
		if (n > 0 && q[n - 1] == ':')
			n--;
		if (n > 0)
			sp_extra_strn(x, "protocol", q, n);
		q += token_len(q);
		if (*q == ' ') {
			q = skip_spaces(q);
			extra_token(x, "key_type", q);
			q = skip_spaces(q + token_len(q));
			extra_token(x, "key_fingerprint", q);
		}
	}
	return 1;
}

static int
match_sshd(struct sp_extra *x, const char *prog, const char *m,
    struct typed *t)
{
	const char *p;

	if (strcmp(prog, "sshd") != 0 && strcmp(prog, "sshd-session") != 0)
		return 0;
	if ((p = after(m, "Accepted ")) != NULL) {
		t->time_desc = "login";
	} else if ((p = after(m, "Failed ")) != NULL) {
		t->time_desc = "login_failed";
	} else if ((p = after(m, "Invalid user ")) != NULL) {
		t->time_desc = "login_failed";
		extra_true(x, "invalid_user");
		return ssh_who(x, p, t);
	} else if ((p = after(m, "Disconnected from user ")) != NULL) {
		/* "Disconnected from user deploy 198.51.100.7 port 51234" */
		size_t n = token_len(p);
		if (n == 0 || n >= NAME_MAX_BYTES)
			return 0;
		memcpy(t->user, p, n);
		t->user[n] = '\0';
		p = skip_spaces(p + n);
		extra_token(x, "source_ip", p);
		if ((p = after(p + token_len(p), " port ")) != NULL &&
		    parse_pid(p, token_len(p)) >= 0)
			sp_extra_int(x, "source_port",
			    parse_pid(p, token_len(p)));
		t->time_desc = "logout";
		return 1;
	} else
		return 0;
	/* METHOD for [invalid user ]USER from ... */
	if (token_len(p) == 0 || after(p + token_len(p), " for ") == NULL)
		return 0;
	sp_extra_strn(x, "method", p, token_len(p));
	p = after(p + token_len(p), " for ");
	if (after(p, "invalid user ") != NULL) {
		extra_true(x, "invalid_user");
		p = after(p, "invalid user ");
	}
	return ssh_who(x, p, t);
}

/* A user name at p, ended by '(' or a space; copied into t->user. */
static const char *
pam_user(const char *p, char *user)
{
	size_t n = 0;

	while (p[n] != '\0' && p[n] != '(' && p[n] != ' ')
		n++;
	if (n == 0 || n >= NAME_MAX_BYTES)
		return NULL;
	memcpy(user, p, n);
	user[n] = '\0';
	return p + n;
}

/* "(uid=N)" at p: N into the extra as key; returns p after it. */
static const char *
pam_uid(struct sp_extra *x, const char *key, const char *p)
{
	const char *q;
	int64_t uid;

	if ((q = after(p, "(uid=")) == NULL)
		return p;
	uid = parse_pid(q, strcspn(q, ")"));
	if (uid >= 0)
		sp_extra_int(x, key, uid);
	return q + strcspn(q, ")");
}

static int
match_pam(struct sp_extra *x, const char *prog, const char *m,
    struct typed *t)
{
	const char *p, *q;
	char by[NAME_MAX_BYTES];
	size_t n;

	/*
	 * pam_unix(sshd:session): session opened for user U(uid=N) by ...,
	 * or as PAM before 0.99 wrote it, with the module in the tag:
	 * su(pam_unix)[1234]: session opened for user root by alice(uid=500)
	 */
	n = strlen(prog);
	if (n > 10 && strcmp(prog + n - 10, "(pam_unix)") == 0) {
		sp_extra_strn(x, "service", prog, n - 10);
		q = m;
	} else {
		if ((p = after(m, "pam_unix(")) == NULL)
			return 0;
		n = strcspn(p, ":)");
		if (p[n] == '\0' || (q = strstr(p, "): ")) == NULL)
			return 0;
		sp_extra_strn(x, "service", p, n);
		q += 3;
	}
	if ((p = after(q, "session opened for user ")) != NULL) {
		if ((p = pam_user(p, t->user)) == NULL)
			return 0;
		p = pam_uid(x, "uid", p);
		if ((p = strstr(p, " by ")) != NULL) {
			p += 4;
			if (pam_user(p, by) != NULL)
				sp_extra_str(x, "by", by);
			pam_uid(x, "by_uid", p + strcspn(p, "( "));
		}
		t->time_desc = "session_open";
	} else if ((p = after(q, "session closed for user ")) != NULL) {
		if (pam_user(p, t->user) == NULL)
			return 0;
		t->time_desc = "session_close";
	} else if ((p = after(q, "password changed for ")) != NULL) {
		if (pam_user(p, t->user) == NULL)
			return 0;
		sp_extra_str(x, "action", "password changed");
		t->time_desc = "user_change";
	} else
		return 0;
	return 1;
}

/*
 * sudo: "USER : [REASON ; ]TTY=tty ; PWD=dir ; USER=target ; COMMAND=cmd".
 * COMMAND comes last and may itself hold " ; ".
 */
static int
match_sudo(struct sp_extra *x, const char *prog, const char *m,
    struct typed *t)
{
	const char *p, *e, *sep;
	int have = 0;

	if (strcmp(prog, "sudo") != 0)
		return 0;
	if ((sep = strstr(m, " : ")) == NULL || sep == m ||
	    (size_t)(sep - m) >= NAME_MAX_BYTES || memchr(m, ' ', (size_t)(sep - m)))
		return 0;
	memcpy(t->user, m, (size_t)(sep - m));
	t->user[sep - m] = '\0';
	for (p = sep + 3; *p != '\0'; p = e + 3) {
		if (after(p, "COMMAND=") != NULL) {
			sp_extra_str(x, "command", p + 8);
			have = 1;
			break;
		}
		if ((e = strstr(p, " ; ")) == NULL)
			e = p + strlen(p);
		if (after(p, "TTY=") != NULL)
			sp_extra_strn(x, "tty", p + 4, (size_t)(e - p - 4));
		else if (after(p, "PWD=") != NULL)
			sp_extra_strn(x, "cwd", p + 4, (size_t)(e - p - 4));
		else if (after(p, "USER=") != NULL) {
			sp_extra_strn(x, "target_user", p + 5,
			    (size_t)(e - p - 5));
			have = 1;
		} else if (after(p, "GROUP=") != NULL)
			sp_extra_strn(x, "target_group", p + 6,
			    (size_t)(e - p - 6));
		else if (after(p, "ENV=") == NULL)
			sp_extra_strn(x, "reason", p, (size_t)(e - p));
		if (*e == '\0')
			break;
	}
	if (!have)
		return 0;
	t->time_desc = "sudo";
	return 1;
}

static int
set_user(char *user, const char *p, size_t n)
{
	if (n == 0 || n >= NAME_MAX_BYTES)
		return 0;
	memcpy(user, p, n);
	user[n] = '\0';
	return 1;
}

/* su: "(to root) user on pts/0", "Successful su for root by user". */
static int
match_su(struct sp_extra *x, const char *prog, const char *m,
    struct typed *t)
{
	const char *p, *q;
	int failed = 0;

	if (strcmp(prog, "su") != 0)
		return 0;
	if ((p = after(m, "FAILED SU ")) != NULL ||
	    (p = after(m, "FAILED su ")) != NULL) {
		failed = 1;
		m = p;
	}
	if ((p = after(m, "(to ")) != NULL) {
		q = p + strcspn(p, ")");
		if (*q != ')')
			return 0;
		sp_extra_strn(x, "target_user", p, (size_t)(q - p));
		p = skip_spaces(q + 1);
		if (!set_user(t->user, p, token_len(p)))
			return 0;
		if ((p = after(p + token_len(p), " on ")) != NULL) {
			extra_token(x, "tty", p);
			if (token_len(p) < sizeof(t->tty)) {
				memcpy(t->tty, p, token_len(p));
				t->tty[token_len(p)] = '\0';
			}
		}
	} else if ((p = after(m, "Successful su for ")) != NULL ||
	    (p = after(m, "for ")) != NULL) {
		extra_token(x, "target_user", p);
		if ((p = after(p + token_len(p), " by ")) == NULL ||
		    !set_user(t->user, p, token_len(p)))
			return 0;
	} else
		return 0;
	if (failed)
		sp_extra_str(x, "result", "failed");
	t->time_desc = "su";
	return 1;
}

/* useradd, usermod, passwd and friends: who the change is about. */
static int
match_user_change(struct sp_extra *x, const char *prog, const char *m,
    struct typed *t)
{
	static const char *const tools[] = {
		"useradd", "usermod", "userdel", "groupadd", "groupmod",
		"groupdel", "passwd", "chpasswd", "chage", "gpasswd", "chsh",
		"chfn", "adduser", "deluser", "newusers", NULL
	};
	const char *p;
	size_t i;

	for (i = 0; tools[i] != NULL; i++)
		if (strcmp(prog, tools[i]) == 0)
			break;
	if (tools[i] == NULL)
		return 0;
	if ((p = strstr(m, "name=")) != NULL)
		set_user(t->user, p + 5, strcspn(p + 5, ", "));
	else if ((p = strstr(m, "password changed for ")) != NULL)
		set_user(t->user, p + 21, token_len(p + 21));
	else if ((p = strchr(m, '\'')) != NULL)
		set_user(t->user, p + 1, strcspn(p + 1, "'"));
	sp_extra_str(x, "action", prog);
	t->time_desc = "user_change";
	return 1;
}

/* CRON[pid]: "(USER) CMD (command)". */
static int
match_cron(struct sp_extra *x, const char *prog, const char *m,
    struct typed *t)
{
	const char *p, *q;
	size_t n;

	if (strcasecmp(prog, "cron") != 0 && strcmp(prog, "crond") != 0)
		return 0;
	if (*m != '(' || (q = strchr(m, ')')) == NULL ||
	    (p = after(q, ") CMD (")) == NULL)
		return 0;
	if (!set_user(t->user, m + 1, (size_t)(q - m - 1)))
		return 0;
	n = strlen(p);
	if (n > 0 && p[n - 1] == ')')
		n--;
	sp_extra_strn(x, "command", p, n);
	t->artifact = "cron";
	t->time_desc = "exec";
	return 1;
}

/* ---- events ---- */

/*
 * Whether a kernel message is the first a booting kernel logs: its
 * banner ("Linux version ...", "Booting Linux on physical CPU ...", the
 * BSDs' copyright line), at kernel time 0 when the time is shown.
 */
static int
kernel_boot_line(const char *prog, const char *m)
{
	static const char *const banners[] = { "Linux version ",
		"Booting Linux on physical CPU", "Copyright (c) 1992-", NULL };
	size_t i;

	if (strcmp(prog, "kernel") != 0)
		return 0;
	if (*m == '[') {
		m = skip_spaces(m + 1);
		if (strncmp(m, "0.000000]", 9) != 0)
			return 0;
		m = skip_spaces(m + 9);
	}
	for (i = 0; banners[i] != NULL; i++)
		if (strncmp(m, banners[i], strlen(banners[i])) == 0)
			return 1;
	return 0;
}

typedef int matcher_fn(struct sp_extra *, const char *, const char *,
    struct typed *);
static matcher_fn *const matchers[] = {
	match_sshd, match_pam, match_sudo, match_su, match_user_change,
	match_cron
};
#define NMATCHERS (sizeof(matchers) / sizeof(matchers[0]))

static int
emit_record(struct syslog_state *st)
{
	struct record *r = &st->rec;
	struct sp_extra *x = &st->x;
	struct sp_event e;
	struct typed t;
	struct sp_boot *boot;
	const char *m = r->msg.buf != NULL ? r->msg.buf : "";
	size_t i;

	/*
	 * The first matcher that knows the message types the event; each
	 * starts from a fresh extra, as one that gives up may have written.
	 */
	for (i = 0; i < NMATCHERS; i++) {
		memset(&t, 0, sizeof(t));
		t.artifact = "auth";
		sp_extra_begin(x);
		if (r->program[0] != '\0')
			sp_extra_str(x, "program", r->program);
		if (matchers[i](x, r->program, m, &t))
			break;
	}
	if (i == NMATCHERS) {
		memset(&t, 0, sizeof(t));
		sp_extra_begin(x);
		if (r->program[0] != '\0')
			sp_extra_str(x, "program", r->program);
		t.artifact = "syslog";
		t.time_desc = "entry";
	}
	switch (r->format) {
	case FMT_RFC3164:
		sp_extra_str(x, "format", "rfc3164");
		break;
	case FMT_RFC5424:
		sp_extra_str(x, "format", "rfc5424");
		break;
	case FMT_RFC3339:
		sp_extra_str(x, "format", "rfc3339");
		break;
	}
	if (r->pri >= 0) {
		if ((size_t)(r->pri >> 3) < sizeof(facilities) /
		    sizeof(facilities[0]))
			sp_extra_str(x, "facility", facilities[r->pri >> 3]);
		sp_extra_str(x, "severity", severities[r->pri & 7]);
	} else if (r->severity >= 0)
		sp_extra_str(x, "severity", severities[r->severity]);
	if (r->procid[0] != '\0')
		sp_extra_str(x, "procid", r->procid);
	if (r->msgid[0] != '\0')
		sp_extra_str(x, "msgid", r->msgid);
	if (r->sd != NULL)
		sp_extra_str(x, "structured_data", r->sd);
	if (r->year_inferred) {
		if (x->open)
			sp_json_kv_bool(&x->w, "year_inferred", 1);
		sp_zone_apply(st->ctx->zone, &r->time, x, r->local);
	}
	sp_event_init(&e);
	e.time = r->time;
	e.time_desc = t.time_desc;
	e.artifact = t.artifact;
	e.host = r->host[0] != '\0' ? r->host : NULL;
	e.user = t.user[0] != '\0' ? t.user : NULL;
	e.pid = r->pid;
	boot = sp_boots_at(&st->boots, e.host);
	/* the banners of one boot share its second: one boot, not two */
	if (kernel_boot_line(r->program, m) && (sp_boot_id(boot) == NULL ||
	    sp_time_sec(boot->start) != sp_time_sec(r->time)))
		sp_boot_begin(boot, r->time);
	e.boot_id = sp_boot_id(boot);
	/* sudo and others say "TTY=pts/0 ; PWD=/home/u ; ..." */
	if (t.tty[0] == '\0')
		sp_message_tty_cwd(m, t.tty, sizeof(t.tty), t.cwd,
		    sizeof(t.cwd));
	e.tty = t.tty[0] != '\0' ? t.tty : NULL;
	e.cwd = t.cwd[0] != '\0' ? t.cwd : NULL;
	e.message = m;
	e.extra = sp_extra_text(x);
	e.line = r->line;
	return sp_artifact_emit(st->ctx, &e);
}

/* Emit the pending record, if any. */
static int
flush(struct syslog_state *st)
{
	int rc = 0;

	if (st->pending)
		rc = emit_record(st);
	st->pending = 0;
	return rc;
}

static void
state_release(struct syslog_state *st)
{
	record_reset(&st->rec);
	sp_strbuf_release(&st->rec.msg);
	sp_strbuf_release(&st->clean);
	sp_extra_release(&st->x);
}

/* One physical line.  Returns 0, emit's value, or -2 on no memory. */
static int
do_line(struct syslog_state *st, struct sp_line *raw, int64_t lineno)
{
	struct sp_artifact_ctx *ctx = st->ctx;
	const char *why;
	int rc, nul, bad;

	if (raw->len == 0)
		return 0;
	if (clean_line(raw, &st->clean, &nul, &bad) != 0)
		return -2;
	if (st->clean.len == 0) {
		sp_artifact_problem(ctx, lineno, "only NUL bytes");
		return 0;
	}
	if (!starts_record(st->clean.buf)) {
		if (!st->pending || nul || !plain_text(raw)) {
			sp_artifact_problem(ctx, lineno, "not a syslog line");
			return 0;
		}
		if (st->rec.msg.len + 1 + raw->len > RECORD_MAX_BYTES) {
			sp_artifact_problem(ctx, lineno, "continuation line "
			    "makes the record longer than %d bytes",
			    RECORD_MAX_BYTES);
			return 0;
		}
		if (sp_strbuf_addn(&st->rec.msg, "\n", 1) != 0 ||
		    sp_strbuf_addn(&st->rec.msg, raw->p, raw->len) != 0)
			return -2;
		return 0;
	}
	if ((rc = flush(st)) != 0)
		return rc;
	record_reset(&st->rec);
	st->rec.line = lineno;
	rc = parse_record(st, st->clean.buf, &st->rec, &why);
	if (rc == -2)
		return -2;
	if (rc != 0) {
		sp_artifact_problem(ctx, lineno, "%s", why);
		return 0;
	}
	if (nul)
		sp_artifact_problem(ctx, lineno, "NUL bytes dropped");
	if (bad)
		sp_artifact_problem(ctx, lineno,
		    "invalid UTF-8 kept as \\x escapes");
	st->pending = 1;
	return 0;
}

static int
syslog_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct syslog_state *st = arg;
	int rc;

	if (l->too_long) {
		if ((rc = flush(st)) != 0)
			return rc;
		sp_artifact_problem(ctx, l->number, "line longer than %d "
		    "bytes", LINE_MAX_BYTES);
		return 0;
	}
	if ((rc = do_line(st, l, l->number)) == -2)
		return SP_E_NOMEM;
	return rc;
}

int
sp_parse_syslog(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	struct syslog_state st;
	sp_time_ns ref;
	int rc;

	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.rec.time = SP_TIME_NONE;
	st.rec.pri = -1;
	st.rec.severity = -1;
	ref = ctx->origin_mtime != SP_TIME_NONE ? ctx->origin_mtime :
	    sp_time_now();
	civil_from_days(sp_time_sec(ref) >= 0 ? sp_time_sec(ref) / 86400 :
	    (sp_time_sec(ref) - 86399) / 86400, &st.mtime_year,
	    &st.mtime_month);
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES, SP_LINES_KEEP_BAD,
	    syslog_line, &st, err);
	if (rc == SP_E_NOMEM)
		sp_err_set(err, SP_E_NOMEM, ENOMEM, "record");
	if (rc == SP_OK)
		rc = flush(&st);
	state_release(&st);
	return rc;
}
