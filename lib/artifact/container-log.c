/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Docker's json-file container logs, containers/<id>/<id>-json.log (and
 * its rotations, .1, .2 …): one JSON object a line,
 *   {"log":"text\n","stream":"stdout","time":"2024-05-01T10:00:01.123456789Z"}
 * one "container_log" event per line at its RFC 3339 time (nanoseconds
 * kept), the container's id (from the file's directory) and the stream in
 * its typed fields.  A line that is no such object is a problem.
 */
#include <stdlib.h>
#include <string.h>

#include "spoor/json.h"
#include "artifact/parsers.h"

/* Docker splits a process's output at 16 KiB; leave room for escapes. */
#define LINE_MAX_BYTES	(1 << 20)

struct rec {
	struct sp_json_val log, stream, time;
	int have_log, have_stream, have_time;
};

static int
rec_cb(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	struct rec *r = arg;

	if (klen == 3 && memcmp(key, "log", 3) == 0) {
		r->log = *v;
		r->have_log = 1;
	} else if (klen == 6 && memcmp(key, "stream", 6) == 0) {
		r->stream = *v;
		r->have_stream = 1;
	} else if (klen == 4 && memcmp(key, "time", 4) == 0) {
		r->time = *v;
		r->have_time = 1;
	}
	return 0;
}

/* The container id: the name of the directory that holds the log. */
static void
container_id(const char *origin, char *id, size_t size)
{
	const char *end, *start;

	id[0] = '\0';
	if (origin == NULL || (end = strrchr(origin, '/')) == NULL ||
	    end == origin)
		return;
	for (start = end - 1; start > origin && start[-1] != '/'; start--)
		;
	if ((size_t)(end - start) < size)
		snprintf(id, size, "%.*s", (int)(end - start), start);
}

static int
log_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct sp_extra *x = arg;
	struct rec r;
	struct sp_event e;
	char *text = NULL, *stream = NULL, *when = NULL, *msg = NULL, id[128];
	size_t n;
	sp_time_ns t;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if (sp_json_members(l->p, l->len, rec_cb, &r) != 0 || !r.have_time ||
	    (when = sp_json_string(&r.time)) == NULL) {
		sp_artifact_problem(ctx, l->number, "not a json-file log record");
		return 0;
	}
	if (sp_time_parse_iso(when, &t) != SP_OK) {
		sp_artifact_problem(ctx, l->number, "bad time '%.40s'", when);
		free(when);
		return 0;
	}
	if (r.have_log)
		text = sp_json_string(&r.log);
	if (r.have_stream)
		stream = sp_json_string(&r.stream);
	if (text != NULL) {
		n = strlen(text);
		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
			text[--n] = '\0';
	}
	container_id(ctx->origin, id, sizeof(id));
	sp_event_init(&e);
	e.time = t;
	e.time_desc = "log";
	e.artifact = "container_log";
	e.line = l->number;
	sp_extra_begin(x);
	if (id[0] != '\0')
		sp_extra_str(x, "container_id", id);
	sp_extra_str(x, "stream", stream);
	sp_extra_str(x, "time_text", when);
	e.extra = sp_extra_text(x);
	if (asprintf(&msg, "%.12s %s: %s", id[0] ? id : "container",
	    stream ? stream : "log", text ? text : "") < 0) {
		rc = SP_E_NOMEM;
		goto out;
	}
	e.message = msg;
	rc = sp_artifact_emit(ctx, &e);
out:
	free(msg);
	free(text);
	free(stream);
	free(when);
	return rc;
}

int
sp_parse_container_log(struct sp_artifact_ctx *ctx, FILE *in,
    struct sp_err *err)
{
	return sp_artifact_lines_extra(ctx, in, LINE_MAX_BYTES,
	    SP_LINES_SKIP_EMPTY, log_line, "container log line", err);
}
