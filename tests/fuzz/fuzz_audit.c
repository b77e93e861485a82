/*
 * libFuzzer target for the audit log parser: the input is read as an
 * audit.log through fmemopen, and every event the parser emits must have
 * a time, a message and, when it has typed fields, a JSON object text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "spoor/err.h"
#include "artifact/parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check(const struct sp_event *e, void *arg)
{
	size_t n;

	(void)arg;
	if (e->time == SP_TIME_NONE || e->message == NULL ||
	    e->time_desc == NULL || e->artifact == NULL) {
		fprintf(stderr, "fuzz_audit: event without time, message, "
		    "time_desc or artifact\n");
		abort();
	}
	if (e->extra != NULL) {
		n = strlen(e->extra);
		if (n < 2 || e->extra[0] != '{' || e->extra[n - 1] != '}') {
			fprintf(stderr, "fuzz_audit: extra is no JSON object: "
			    "%s\n", e->extra);
			abort();
		}
	}
	/* touch every string, so a dangling one shows under ASan */
	if (e->user != NULL)
		(void)strlen(e->user);
	if (e->exe != NULL)
		(void)strlen(e->exe);
	if (e->path != NULL)
		(void)strlen(e->path);
	if (e->host != NULL)
		(void)strlen(e->host);
	(void)strlen(e->message);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_artifact_ctx ctx;
	struct sp_err err;
	FILE *f;
	int rc;

	if (size == 0)
		return 0;
	if ((f = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	memset(&ctx, 0, sizeof(ctx));
	ctx.origin = "fuzz";
	ctx.origin_mtime = SP_TIME_NONE;
	ctx.emit = check;
	sp_err_init(&err);
	rc = sp_parse_audit(&ctx, f, &err);
	if (rc != SP_OK && rc != SP_E_NOMEM) {
		fprintf(stderr, "fuzz_audit: parse returned %d: %s\n", rc,
		    err.msg);
		abort();
	}
	fclose(f);
	return 0;
}
