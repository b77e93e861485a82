/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event checker shared by the artifact fuzz targets (included by each,
 * which defines FUZZ_NAME first, e.g. "fuzz_syslog").
 *
 * fuzz_check_event() aborts unless an event has a time, a message, an
 * artifact and a time_desc, and an extra that is NULL or exactly one JSON
 * object (RFC 8259, with whole numbers only, nesting to depth 16, nothing
 * around it).  With FUZZ_UTF8, for the parsers that promise it, the
 * message and the user (when there is one) must also be valid UTF-8 (RFC
 * 3629: no overlongs, no surrogates, nothing past U+10FFFF).  It reads
 * every string of the event, so ASan reports a dangling one.
 * fuzz_parse() runs a parser over the input with fuzz_emit() as the emit
 * callback, which applies that check and the target's own (struct
 * fuzz_rules).
 *
 * The checker is written independently of lib/base/json.c on purpose.
 */
#ifndef FUZZ_EVENT_H
#define FUZZ_EVENT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "spoor/err.h"
#include "artifact/parsers.h"

#ifndef FUZZ_NAME
#error "define FUZZ_NAME before including fuzz_event.h"
#endif

#define FUZZ_UNUSED __attribute__((unused))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* for fuzz_check_event(): the message and the user must be UTF-8 */
#define FUZZ_UTF8	0x1

/* Print "FUZZ_NAME: line L, offset O: why" and abort. */
FUZZ_UNUSED static void
fuzz_fail(const struct sp_event *e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: event at line %lld, offset %lld: ", FUZZ_NAME,
	    (long long)e->line, (long long)e->offset);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Whether the NUL-terminated s is well-formed UTF-8. */
FUZZ_UNUSED static int
fuzz_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c, min;
	int more;

	while (*s != '\0') {
		if (*s < 0x80) {
			s++;
			continue;
		}
		if (*s >= 0xc0 && *s < 0xe0) {
			more = 1; c = *s & 0x1f; min = 0x80;
		} else if (*s >= 0xe0 && *s < 0xf0) {
			more = 2; c = *s & 0x0f; min = 0x800;
		} else if (*s >= 0xf0 && *s < 0xf8) {
			more = 3; c = *s & 0x07; min = 0x10000;
		} else
			return 0;	/* a continuation byte or 0xf8.. */
		/* the NUL ends the string: it is no continuation byte */
		for (s++; more > 0; more--, s++) {
			if ((*s & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (*s & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
	}
	return 1;
}

static const char *fuzz_json_value(const char *s, int depth);

static const char *
fuzz_json_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Past the JSON string at s, or NULL. */
static const char *
fuzz_json_string(const char *s)
{
	int i;

	if (*s++ != '"')
		return NULL;
	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return NULL;	/* a control character or the end */
		if (*s != '\\')
			continue;
		s++;
		if (*s == 'u') {
			for (i = 1; i <= 4; i++)
				if (s[i] == '\0' ||
				    strchr("0123456789abcdefABCDEF", s[i]) ==
				    NULL)
					return NULL;
			s += 4;
		} else if (*s == '\0' || strchr("\"\\/bfnrt", *s) == NULL)
			return NULL;
	}
	return s + 1;
}

/* Past the object or array at s (on its '{' or '['), or NULL. */
static const char *
fuzz_json_list(const char *s, int depth)
{
	char close = *s == '{' ? '}' : ']';

	s = fuzz_json_ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (close == '}') {
			if ((s = fuzz_json_string(fuzz_json_ws(s))) == NULL)
				return NULL;
			s = fuzz_json_ws(s);
			if (*s++ != ':')
				return NULL;
		}
		if ((s = fuzz_json_value(fuzz_json_ws(s), depth + 1)) == NULL)
			return NULL;
		s = fuzz_json_ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

/* Past the JSON value at s, or NULL when there is none. */
static const char *
fuzz_json_value(const char *s, int depth)
{
	const char *digits;

	if (depth > 16)
		return NULL;
	switch (*s) {
	case '"':
		return fuzz_json_string(s);
	case '{':
	case '[':
		return fuzz_json_list(s, depth);
	case 't':
		return strncmp(s, "true", 4) == 0 ? s + 4 : NULL;
	case 'f':
		return strncmp(s, "false", 5) == 0 ? s + 5 : NULL;
	case 'n':
		return strncmp(s, "null", 4) == 0 ? s + 4 : NULL;
	default:
		if (*s == '-')
			s++;
		for (digits = s; *s >= '0' && *s <= '9'; s++)
			;
		return s == digits ? NULL : s;
	}
}

/* Whether s is exactly one JSON object, with nothing before or after. */
FUZZ_UNUSED static int
fuzz_json_object(const char *s)
{
	const char *end;

	return *s == '{' && (end = fuzz_json_value(s, 0)) != NULL &&
	    *end == '\0';
}

/* Abort unless e is what every parser must emit (see the top). */
FUZZ_UNUSED static void
fuzz_check_event(const struct sp_event *e, int flags)
{
	size_t n;

	if (e->time == SP_TIME_NONE)
		fuzz_fail(e, "no time");
	if (e->message == NULL || e->artifact == NULL || e->time_desc == NULL)
		fuzz_fail(e, "no message, artifact or time_desc");
	if ((flags & FUZZ_UTF8) && !fuzz_utf8(e->message))
		fuzz_fail(e, "message not UTF-8");
	if ((flags & FUZZ_UTF8) && e->user != NULL && !fuzz_utf8(e->user))
		fuzz_fail(e, "user not UTF-8");
	if (e->extra != NULL && !fuzz_json_object(e->extra))
		fuzz_fail(e, "extra is no JSON object: %s", e->extra);
	/* process identity: -1 or a number, and no empty names */
	if (e->session < -1 || e->auid < -1)
		fuzz_fail(e, "session or auid below -1");
	if ((e->boot_id != NULL && *e->boot_id == '\0') ||
	    (e->tty != NULL && *e->tty == '\0') ||
	    (e->cwd != NULL && *e->cwd == '\0'))
		fuzz_fail(e, "empty boot_id, tty or cwd");
	/* touch every string, so a dangling one shows under ASan */
	n = strlen(e->artifact) + strlen(e->time_desc);
	if (e->host != NULL)
		n += strlen(e->host);
	if (e->exe != NULL)
		n += strlen(e->exe);
	if (e->path != NULL)
		n += strlen(e->path);
	if (n == (size_t)-1)
		abort();
}

/* What a target wants of its events and parses beyond the above. */
struct fuzz_rules {
	int flags;				/* FUZZ_UTF8 or 0 */
	void (*more)(const struct sp_event *e);	/* own checks, or NULL */
	int also_ok, also_ok2;	/* statuses besides SP_OK a parse may end with */
};

/* One way to read the input: a parser and the file it pretends to be. */
struct fuzz_file {
	sp_artifact_parse_fn *parse;
	const char *origin;
	sp_time_ns mtime;	/* the file's modification time, or NONE */
};

#define FUZZ_COUNT(a)	(sizeof(a) / sizeof((a)[0]))

/* The emit callback: arg is the struct fuzz_rules. */
FUZZ_UNUSED static int
fuzz_emit(const struct sp_event *e, void *arg)
{
	const struct fuzz_rules *rules = arg;

	fuzz_check_event(e, rules->flags);
	if (rules->more != NULL)
		rules->more(e);
	return 0;
}

/* The source's users the parsers get (ctx.users); NULL unless a target sets it. */
static const struct sp_users *fuzz_users_map FUZZ_UNUSED;

/*
 * Run f's parser over data (through fmemopen: an empty input is read as
 * one), every event going through fuzz_emit(); abort unless the parse
 * ends with SP_OK or one of the rules' other statuses.  Returns the number
 * of events and problems.
 */
FUZZ_UNUSED static uint64_t
fuzz_parse(const struct fuzz_rules *rules, const struct fuzz_file *f,
    const uint8_t *data, size_t size)
{
	struct sp_artifact_ctx ctx;
	struct sp_err err;
	FILE *in;
	int rc;

	/* fmemopen refuses an empty buffer: give it one byte it cannot see */
	if ((in = fmemopen(size ? (void *)data : (void *)"", size ? size : 1,
	    "r")) == NULL)
		abort();
	if (size == 0)
		fgetc(in);
	memset(&ctx, 0, sizeof(ctx));
	ctx.origin = f->origin;
	ctx.origin_mtime = f->mtime;
	ctx.users = fuzz_users_map;
	ctx.emit = fuzz_emit;
	ctx.arg = (void *)rules;
	sp_err_init(&err);
	rc = f->parse(&ctx, in, &err);
	fclose(in);
	if (rc != SP_OK && rc != rules->also_ok && rc != rules->also_ok2) {
		fprintf(stderr, "%s: %s: parser returned %d: %s\n", FUZZ_NAME,
		    f->origin, rc, err.msg);
		abort();
	}
	return ctx.events + ctx.problems;
}

/* fuzz_parse() with each of the n files in turn. */
FUZZ_UNUSED static void
fuzz_parse_all(const struct fuzz_rules *rules, const struct fuzz_file *files,
    size_t n, const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		fuzz_parse(rules, &files[i], data, size);
}

#endif
