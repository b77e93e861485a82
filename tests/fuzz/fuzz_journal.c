/*
 * libFuzzer target for the journal parser: the input is handed over as a
 * memory stream (so the parser copies it to a file of its own, as it does
 * for a pipe or a gzip stream) and every event it emits must have a time,
 * a message and either no extra or a JSON object text.  libsystemd is not
 * instrumented, so the inputs are kept small.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "spoor/err.h"
#include "artifact/parsers.h"

#define INPUT_MAX	(256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
check_event(const struct sp_event *e, void *arg)
{
	size_t n;

	(void)arg;
	if (e->time == SP_TIME_NONE || e->time < 0) {
		fprintf(stderr, "fuzz_journal: event without a time\n");
		abort();
	}
	if (e->message == NULL || e->artifact == NULL ||
	    strcmp(e->artifact, "journal") != 0 || e->time_desc == NULL) {
		fprintf(stderr, "fuzz_journal: event without a message, "
		    "artifact or time_desc\n");
		abort();
	}
	if (e->extra != NULL) {
		n = strlen(e->extra);
		if (n < 2 || e->extra[0] != '{' || e->extra[n - 1] != '}') {
			fprintf(stderr, "fuzz_journal: extra is no JSON "
			    "object: '%s'\n", e->extra);
			abort();
		}
	}
	if (e->offset != -1 || e->line != 0 || e->pid < -1) {
		fprintf(stderr, "fuzz_journal: bad offset, line or pid\n");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_artifact_ctx ctx;
	struct sp_err err;
	FILE *in;
	int rc;

	if (size == 0 || size > INPUT_MAX)
		return 0;
	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		abort();
	memset(&ctx, 0, sizeof(ctx));
	ctx.origin = "fuzz.journal";
	ctx.origin_mtime = SP_TIME_NONE;
	ctx.emit = check_event;
	sp_err_init(&err);
	rc = sp_parse_journal(&ctx, in, &err);
	if (rc != SP_OK && rc != SP_E_IO && rc != SP_E_OS) {
		fprintf(stderr, "fuzz_journal: parser returned %d: %s\n", rc,
		    err.msg);
		abort();
	}
	fclose(in);
	return 0;
}
