/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container logs, one "container_log" event per line at its RFC 3339
 * time (nanoseconds kept), with the container (from the file's
 * directory) and the stream in its typed fields:
 *  - Docker's json-file logs, containers/<id>/<id>-json.log (and its
 *    rotations, .1, .2 …): one JSON object a line,
 *    {"log":"text\n","stream":"stdout","time":"2024-05-01T10:00:01.123456789Z"}
 *  - the CRI format of containerd and CRI-O under Kubernetes
 *    (/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log) and of
 *    Podman's k8s-file driver (overlay-containers/<id>/userdata/ctr.log):
 *    "TIME STREAM TAG TEXT", TAG "F" for a full line or "P" for a part
 *    of a longer one (kept as it is, marked partial).
 * A line that is neither is a problem.
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

/*
 * The container: the name of the directory that holds the log (Podman's
 * is the one above its userdata/).
 */
static void
container_id(const char *origin, char *id, size_t size)
{
	const char *end, *start;

	id[0] = '\0';
	if (origin == NULL || (end = strrchr(origin, '/')) == NULL ||
	    end == origin)
		return;
	for (;;) {
		for (start = end - 1; start > origin && start[-1] != '/';
		    start--)
			;
		if (end - start == 8 && memcmp(start, "userdata", 8) == 0 &&
		    start > origin + 1) {
			end = start - 1;
			continue;
		}
		break;
	}
	if ((size_t)(end - start) < size)
		snprintf(id, size, "%.*s", (int)(end - start), start);
}

/*
 * A CRI line "TIME STREAM TAG TEXT" into its parts (pointers into the
 * line, lengths): 0, or -1 when the line is no such record.
 */
static int
cri_split(const char *p, size_t n, size_t *tlen, const char **stream,
    size_t *slen, char *tag, const char **text, size_t *xlen)
{
	const char *end = p + n, *s, *q;

	if ((q = memchr(p, ' ', n)) == NULL || q == p)
		return -1;
	*tlen = (size_t)(q - p);
	s = q + 1;
	if ((q = memchr(s, ' ', (size_t)(end - s))) == NULL || q == s)
		return -1;
	*stream = s;
	*slen = (size_t)(q - s);
	if (end - q < 2 || (q[1] != 'F' && q[1] != 'P') ||
	    (end - q > 2 && q[2] != ' '))
		return -1;
	*tag = q[1];
	*text = end - q > 2 ? q + 3 : end;
	*xlen = (size_t)(end - *text);
	return 0;
}

static int
log_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct sp_extra *x = arg;
	struct rec r;
	struct sp_event e;
	char *text = NULL, *stream = NULL, *when = NULL, *msg = NULL, id[128];
	const char *format = "json-file";
	char tag = 'F';
	size_t n;
	sp_time_ns t;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	if (l->len > 0 && l->p[0] != '{') {
		const char *sp, *tx;
		size_t tlen, slen, xlen;
		if (cri_split(l->p, l->len, &tlen, &sp, &slen, &tag, &tx,
		    &xlen) != 0 || (when = strndup(l->p, tlen)) == NULL ||
		    (stream = strndup(sp, slen)) == NULL ||
		    (text = strndup(tx, xlen)) == NULL) {
			free(when);
			free(stream);
			sp_artifact_problem(ctx, l->number, "not a json-file or "
			    "CRI log record");
			return 0;
		}
		format = "cri";
	} else if (sp_json_members(l->p, l->len, rec_cb, &r) != 0 ||
	    !r.have_time || (when = sp_json_string(&r.time)) == NULL) {
		sp_artifact_problem(ctx, l->number, "not a json-file log record");
		return 0;
	}
	if (sp_time_parse_iso(when, &t) != SP_OK) {
		sp_artifact_problem(ctx, l->number, "bad time '%.40s'", when);
		free(when);
		free(stream);	/* a CRI line's */
		free(text);
		return 0;
	}
	if (r.have_log)
		text = sp_json_string(&r.log);
	if (r.have_stream && stream == NULL)
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
	sp_extra_str(x, "format", format);
	if (tag == 'P')
		sp_extra_bool(x, "partial", 1);
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
