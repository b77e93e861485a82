/*
 * libFuzzer target for the access log parser (lib/artifact/web.c): the
 * input is parsed as an apache or nginx access log.  Every event must have
 * a time, a message, an artifact and a time_desc, and an extra that is NULL
 * or one JSON object; the parse ends with SP_OK.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "spoor/err.h"
#include "artifact/parsers.h"

#define FUZZ_NAME "fuzz_web"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- what every event must be ---- */

static const char *json_value(const char *s, int depth);

static const char *
json_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static const char *
json_string(const char *s)
{
	if (*s++ != '"')
		return NULL;
	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				int i;
				for (i = 1; i <= 4; i++)
					if (strchr("0123456789abcdefABCDEF",
					    s[i]) == NULL || s[i] == '\0')
						return NULL;
				s += 4;
			} else if (*s == '\0' || strchr("\"\\/bfnrt", *s) ==
			    NULL) {
				return NULL;
			}
		}
	}
	return s + 1;
}

/* Past one JSON value at s, or NULL when there is none. */
static const char *
json_value(const char *s, int depth)
{
	char close;

	if (depth > 16)
		return NULL;
	s = json_ws(s);
	if (*s == '"')
		return json_string(s);
	if (*s == '{' || *s == '[') {
		close = *s == '{' ? '}' : ']';
		s = json_ws(s + 1);
		if (*s == close)
			return s + 1;
		for (;;) {
			if (close == '}') {
				if ((s = json_string(json_ws(s))) == NULL)
					return NULL;
				s = json_ws(s);
				if (*s++ != ':')
					return NULL;
			}
			if ((s = json_value(s, depth + 1)) == NULL)
				return NULL;
			s = json_ws(s);
			if (*s == close)
				return s + 1;
			if (*s++ != ',')
				return NULL;
		}
	}
	if (*s == '-' || (*s >= '0' && *s <= '9')) {
		s++;
		while (*s >= '0' && *s <= '9')
			s++;
		return s;
	}
	if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0)
		return s + 4;
	if (strncmp(s, "false", 5) == 0)
		return s + 5;
	return NULL;
}

static int
check_event(const struct sp_event *e, void *arg)
{
	const char *end;

	(void)arg;
	if (e->time == SP_TIME_NONE) {
		fprintf(stderr, "%s: event without time\n", FUZZ_NAME);
		abort();
	}
	if (e->message == NULL || e->artifact == NULL ||
	    e->time_desc == NULL) {
		fprintf(stderr, "%s: event without message, artifact or "
		    "time_desc\n", FUZZ_NAME);
		abort();
	}
	if (e->extra != NULL && (*json_ws(e->extra) != '{' ||
	    (end = json_value(e->extra, 0)) == NULL || *json_ws(end) != '\0')) {
		fprintf(stderr, "%s: extra is not a JSON object: %s\n",
		    FUZZ_NAME, e->extra);
		abort();
	}
	/* touch every string so ASan sees a bad pointer */
	(void)strlen(e->message);
	if (e->user)
		(void)strlen(e->user);
	if (e->exe)
		(void)strlen(e->exe);
	if (e->path)
		(void)strlen(e->path);
	return 0;
}

/* Run parse over data as if it were the file origin. */
static void
run_parser(sp_artifact_parse_fn *parse, const char *origin,
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
	ctx.origin = origin;
	ctx.origin_mtime = sp_time_from_parts(1773485070, 243417795);
	ctx.emit = check_event;
	sp_err_init(&err);
	rc = parse(&ctx, in, &err);
	if (rc != SP_OK && rc != SP_E_NOMEM) {
		fprintf(stderr, "%s: %s returned %d (%s)\n", FUZZ_NAME, origin,
		    rc, err.msg);
		abort();
	}
	fclose(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run_parser(sp_parse_web_access, "/var/log/apache2/access.log", data,
	    size);
	return 0;
}
