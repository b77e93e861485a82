/*
 * libFuzzer target for the login record parsers: the input is read as
 * wtmp, as btmp and as lastlog.  Every event must have a time, a
 * message, a user and message that are valid UTF-8, and extra that is
 * one JSON object; the counts of events and problems must account for
 * every whole record.  The checker is written independently of
 * lib/json.c on purpose.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "artifact/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t c, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2; c = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3; c = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4; c = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

static int
valid_utf8(const char *s)
{
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		if ((k = utf8_len((const unsigned char *)s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

static const char *json_value(const char *p, int depth);

static const char *
ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *
json_string(const char *p)
{
	int i;

	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (i = 1; i <= 4; i++)
					if (strchr("0123456789abcdefABCDEF",
					    p[i]) == NULL || p[i] == '\0')
						return NULL;
				p += 5;
				continue;
			}
			if (*p == '\0' || strchr("\"\\/bfnrt", *p) == NULL)
				return NULL;
		}
		p++;
	}
	return p + 1;
}

static const char *
json_number(const char *p)
{
	const char *s;

	if (*p == '-')
		p++;
	s = p;
	while (*p >= '0' && *p <= '9')
		p++;
	return p == s ? NULL : p;
}

static const char *
json_list(const char *p, char close, int object, int depth)
{
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if ((p = json_string(ws(p))) == NULL)
				return NULL;
			if (*(p = ws(p)) != ':')
				return NULL;
			p++;
		}
		if ((p = json_value(ws(p), depth + 1)) == NULL)
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *
json_value(const char *p, int depth)
{
	if (depth > 16)
		return NULL;
	switch (*p) {
	case '"':
		return json_string(p);
	case '{':
		return json_list(p, '}', 1, depth);
	case '[':
		return json_list(p, ']', 0, depth);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return json_number(p);
	}
}

static int
check(const struct sp_event *e, void *arg)
{
	const char *end;

	(void)arg;
	if (e->time == SP_TIME_NONE || e->message == NULL ||
	    e->time_desc == NULL || e->artifact == NULL || e->offset < 0) {
		fprintf(stderr, "fuzz_utmp: event without time, message, "
		    "time_desc, artifact or offset\n");
		abort();
	}
	if (!valid_utf8(e->message) ||
	    (e->user != NULL && !valid_utf8(e->user))) {
		fprintf(stderr, "fuzz_utmp: message or user not UTF-8\n");
		abort();
	}
	if (e->extra != NULL && (*e->extra != '{' ||
	    (end = json_value(e->extra, 0)) == NULL || *end != '\0')) {
		fprintf(stderr, "fuzz_utmp: extra is no JSON object: %s\n",
		    e->extra);
		abort();
	}
	return 0;
}

static void
run(sp_artifact_parse_fn *parse, const char *origin, size_t recsize,
    const uint8_t *data, size_t size)
{
	struct sp_artifact_ctx ctx;
	struct sp_err err;
	uint64_t expect;
	FILE *in;
	int rc;

	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	memset(&ctx, 0, sizeof(ctx));
	ctx.origin = origin;
	ctx.origin_mtime = SP_TIME_NONE;
	ctx.emit = check;
	sp_err_init(&err);
	if ((rc = parse(&ctx, in, &err)) != SP_OK) {
		fprintf(stderr, "fuzz_utmp: %s: status %d: %s\n", origin, rc,
		    err.msg);
		abort();
	}
	fclose(in);
	/* lastlog's empty records are neither */
	expect = size / recsize + (size % recsize != 0);
	if (ctx.events + ctx.problems > expect ||
	    (recsize == 384 && ctx.events + ctx.problems != expect)) {
		fprintf(stderr, "fuzz_utmp: %s: %llu events and %llu problems "
		    "for %zu bytes\n", origin, (unsigned long long)ctx.events,
		    (unsigned long long)ctx.problems, size);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	run(sp_parse_utmp, "/var/log/wtmp", 384, data, size);
	run(sp_parse_utmp, "/var/log/btmp.1", 384, data, size);
	run(sp_parse_lastlog, "/var/log/lastlog", 292, data, size);
	return 0;
}
