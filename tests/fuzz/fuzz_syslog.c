/*
 * libFuzzer target for the syslog parser: the input is read as a syslog
 * file (through fmemopen, as the loader hands parsers a stream), and every
 * event must have a time, a kind, a message and an extra that is NULL or
 * a JSON object, or the target aborts.  The parser must return SP_OK: an
 * in-memory stream has no read errors, and malformed lines are problems.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "spoor/err.h"
#include "artifact/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
bad(const struct sp_event *e, const char *why)
{
	fprintf(stderr, "fuzz_syslog: event at line %lld: %s\n",
	    (long long)e->line, why);
	abort();
}

static int
check(const struct sp_event *e, void *arg)
{
	size_t n;

	(void)arg;
	if (e->time == SP_TIME_NONE)
		bad(e, "no time");
	if (e->message == NULL)
		bad(e, "no message");
	if (e->artifact == NULL || e->time_desc == NULL)
		bad(e, "no artifact or time_desc");
	if (e->line < 1)
		bad(e, "no line");
	if (e->extra != NULL) {
		n = strlen(e->extra);
		if (n < 2 || e->extra[0] != '{' || e->extra[n - 1] != '}')
			bad(e, "extra is not a JSON object");
	}
	/* touch every string so ASan sees a dangling one */
	n = strlen(e->message) + strlen(e->artifact) + strlen(e->time_desc);
	if (e->host != NULL)
		n += strlen(e->host);
	if (e->user != NULL)
		n += strlen(e->user);
	return n == (size_t)-1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_artifact_ctx ctx;
	struct sp_err err;
	FILE *in;
	int rc;

	if (size == 0)
		return 0;	/* fmemopen refuses an empty buffer */
	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	memset(&ctx, 0, sizeof(ctx));
	ctx.origin = "fuzz";
	/* 2026-03-15T00:00:00Z, so year-less lines fall on both sides */
	ctx.origin_mtime = sp_time_from_parts(1773532800, 0);
	ctx.emit = check;
	sp_err_init(&err);
	rc = sp_parse_syslog(&ctx, in, &err);
	fclose(in);
	if (rc != SP_OK) {
		fprintf(stderr, "fuzz_syslog: parser returned %d: %s\n", rc,
		    err.msg);
		abort();
	}
	return 0;
}
