/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Timeline exports (see include/spoor/export.h), read through the case's
 * cursors (query.h).  The bodyfile and the mactime views are rendered from
 * the files, so they keep mactime's own rules (a row per distinct second of
 * a file, absent times as 0); the JSON views and the CSV text are rendered
 * from events.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spoor/artifact.h"
#include "spoor/export.h"
#include "spoor/json.h"
#include "spoor/output.h"
#include "spoor/query.h"
#include "spoor/strbuf.h"

/* The cursor's filter for the export's options. */
static void
export_filter(const struct sp_export_opts *o, struct sp_query_filter *f)
{
	sp_query_filter_init(f);
	f->from = o->from;
	f->to = o->to;
	f->source_id = o->source_id;
	f->artifacts = o->artifacts;
	f->nartifacts = o->nartifacts;
	f->host = o->host;
	f->user = o->user;
	f->pid = o->pid;
	f->session = o->session;
	f->match = o->match;
	f->detections_only = o->detections_only;
	f->tag = o->tag;
	f->tagged_only = o->tagged_only;
}

void
sp_export_opts_init(struct sp_export_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = SP_EXPORT_MACTIME;
	o->from = o->to = SP_TIME_NONE;
	o->pid = o->session = SP_QUERY_NULL;
}

/* The kinds every case may hold whatever its events: the parsers'
 * registry, the kinds they and the passes after a load write beside it,
 * the file system entries and the scanner's detections. */
static int
static_kind(const char *k)
{
	return sp_artifact_written(k);
}

/* Whether c holds an event of kind k: one seek of events_artifact_time. */
static int
case_has_kind(struct sp_case *c, const char *k, int *has, struct sp_err *err)
{
	struct sp_query_filter f;
	struct sp_query_page page = { 0, NULL, NULL, 1 };
	struct sp_query *q;
	int rc;

	sp_query_filter_init(&f);
	f.artifacts = &k;
	f.nartifacts = 1;
	f.bare = 1;
	if ((rc = sp_query_open_events(&q, c, &f, &page, err)) != SP_OK)
		return rc;
	rc = sp_query_next(q, has, err);
	sp_query_close(q);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
	char **v;
	size_t n, cap;
};

static int
names_add(struct names *ns, const char *name)
{
	char **p;

	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 32;
		if ((p = realloc(ns->v, ns->cap * sizeof(*p))) == NULL)
			return -1;
		ns->v = p;
	}
	if ((ns->v[ns->n] = strdup(name)) == NULL)
		return -1;
	ns->n++;
	return 0;
}

/*
 * Set err to say that kind is unknown, naming every known kind: the
 * static ones and the case's own, read from a histogram by artifact with
 * buckets of 2^62 ns (so the bucket arithmetic cannot overflow; an
 * artifact has at most a few, merged below).  Only on this error path,
 * as it reads every event's index entry.
 */
static int
unknown_kind(struct sp_case *c, const char *kind, struct sp_err *err)
{
	struct sp_query_filter f;
	struct sp_query *q;
	const struct sp_query_bucket *b;
	const struct sp_artifact_kind *ak;
	struct sp_strbuf sb;
	struct names ns = { NULL, 0, 0 };
	size_t i, k;
	int rc, more;

	sp_query_filter_init(&f);
	f.bare = 1;
	if ((rc = sp_query_open_histogram(&q, c, &f, (sp_time_ns)1 << 62, 1,
	    err)) != SP_OK)
		return rc;
	for (i = 0; (ak = sp_artifact_kind_at(i)) != NULL; i++)
		if (names_add(&ns, ak->name) != 0)
			goto oom;
	if (names_add(&ns, "fs") != 0 || names_add(&ns, "detection") != 0)
		goto oom;
	while ((rc = sp_query_next(q, &more, err)) == SP_OK && more) {
		b = sp_query_bucket(q);
		if (b->artifact != NULL && names_add(&ns, b->artifact) != 0)
			goto oom;
	}
	if (rc != SP_OK)
		goto fail;
	qsort(ns.v, ns.n, sizeof(*ns.v), cmp_str);
	sp_strbuf_init(&sb);
	for (i = k = 0; i < ns.n; i++)
		if (i == 0 || strcmp(ns.v[i], ns.v[i - 1]) != 0)
			sp_strbuf_addf(&sb, "%s%s", k++ ? ", " : "", ns.v[i]);
	rc = sp_err_set(err, SP_E_USAGE, 0, "unknown artifact '%s' (known: "
	    "%s)", kind, sp_strbuf_str(&sb) ? sp_strbuf_str(&sb) : "");
	sp_strbuf_release(&sb);
	goto fail;
oom:
	rc = sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
fail:
	for (i = 0; i < ns.n; i++)
		free(ns.v[i]);
	free(ns.v);
	sp_query_close(q);
	return rc;
}

int
sp_export_check_artifacts(struct sp_case *c, const char *const *kinds,
    size_t n, struct sp_err *err)
{
	size_t i;
	int rc, has;

	for (i = 0; i < n; i++) {
		if (static_kind(kinds[i]))
			continue;
		if ((rc = case_has_kind(c, kinds[i], &has, err)) != SP_OK)
			return rc;
		if (!has)
			return unknown_kind(c, kinds[i], err);
	}
	return SP_OK;
}

static int
export_bodyfile(struct sp_case *c, const struct sp_export_opts *o,
    FILE *out, uint64_t *rows, struct sp_err *err)
{
	struct sp_query_filter f;
	struct sp_query *q;
	const struct sp_file_row *r;
	int rc, more;

	export_filter(o, &f);
	if ((rc = sp_query_open_files(&q, c, &f, err)) != SP_OK)
		return rc;
	while ((rc = sp_query_next(q, &more, err)) == SP_OK && more) {
		r = sp_query_file(q);
		sp_bodyfile_write(out, &r->entry, r->md5, o->bodyfile_flags);
		(*rows)++;
		if (sp_cancel_requested(o->cancel))
			break;
	}
	sp_query_close(q);
	return rc;
}

static void
mactime_date(int64_t sec, int iso, char *buf, size_t size)
{
	struct tm tm;
	time_t t = (time_t)sec;

	if (sec == 0) {
		snprintf(buf, size, "%s", iso ? "0000-00-00T00:00:00Z" :
		    "Xxx Xxx 00 0000 00:00:00");
		return;
	}
	if (iso) {
		gmtime_r(&t, &tm);
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		localtime_r(&t, &tm);
		strftime(buf, size, "%a %b %d %Y %H:%M:%S", &tm);
	}
}

static int
export_mactime(struct sp_case *c, const struct sp_export_opts *o, int csv,
    FILE *out, uint64_t *rows, struct sp_err *err)
{
	struct sp_query_filter f;
	struct sp_query *q;
	const struct sp_file_time_row *r;
	char date[64];
	int64_t last = 0;
	int rc, more, first = 1;
	size_t width = 0;

	export_filter(o, &f);
	if ((rc = sp_query_open_file_times(&q, c, &f, err)) != SP_OK)
		return rc;
	if (csv)
		fputs("Date,Size,Type,Mode,UID,GID,Meta,File Name\n", out);
	while ((rc = sp_query_next(q, &more, err)) == SP_OK && more) {
		r = sp_query_file_time(q);
		if (csv || first || r->sec != last) {
			mactime_date(r->sec, o->iso, date, sizeof(date));
			width = strlen(date);
			sp_mactime_write(out, &r->file.entry, r->macb, date,
			    width, csv);
		} else
			sp_mactime_write(out, &r->file.entry, r->macb, NULL,
			    width, csv);
		first = 0;
		last = r->sec;
		(*rows)++;
		if (sp_cancel_requested(o->cancel))
			break;
	}
	sp_query_close(q);
	return rc;
}

static const char *const macb_names[4] = {
	"Content Modification Time", "Last Access Time",
	"Metadata Modification Time", "Creation Time"
};

/* Timesketch's timestamp_desc for an fs event's MACB letters. */
static void
describe(const char *desc, unsigned flags, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	if (strlen(desc) != 4 || strspn(desc, "macb.") != 4) {
		snprintf(buf, size, "%s", desc);
		return;
	}
	for (i = 0; i < 4; i++) {
		if (desc[i] == '.')
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s%s", n ? "; " : "",
		    macb_names[i], flags & SP_ENTRY_FILE_NAME ?
		    " ($FILE_NAME)" : "");
		if (n >= size)
			break;
	}
}

static void
kv_int_or_null(struct sp_json *w, const char *key, int64_t v)
{
	sp_json_key(w, key);
	if (v == SP_QUERY_NULL)
		sp_json_null(w);
	else
		sp_json_int(w, v);
}

static int
export_events(struct sp_case *c, const struct sp_export_opts *o, FILE *out,
    uint64_t *rows, struct sp_err *err)
{
	struct sp_query_filter f;
	struct sp_query *q;
	const struct sp_event_row *e;
	struct sp_json w;
	char iso[SP_TIME_ISO_MAX], desc[256];
	int rc, more, ts = o->format == SP_EXPORT_TIMESKETCH;

	export_filter(o, &f);
	if ((rc = sp_query_open_events(&q, c, &f, NULL, err)) != SP_OK)
		return rc;
	sp_json_init(&w, out);
	while ((rc = sp_query_next(q, &more, err)) == SP_OK && more) {
		e = sp_query_event(q);
		sp_time_format_iso(e->time_ns, 9, iso, sizeof(iso));
		sp_json_object_begin(&w);
		if (ts) {
			/* Timesketch wants these three on every line */
			sp_json_kv_str(&w, "message", e->message);
			/* Timesketch's examples write the zone as +00:00 */
			snprintf(iso + strlen(iso) - 1, 8, "+00:00");
			sp_json_kv_str(&w, "datetime", iso);
			sp_json_kv_int(&w, "timestamp", sp_time_sec(e->time_ns) *
			    1000000 + sp_time_nsec(e->time_ns) / 1000);
			describe(e->time_desc, e->file_flags, desc,
			    sizeof(desc));
			sp_json_kv_str(&w, "timestamp_desc", desc);
			sp_json_kv_str(&w, "macb", e->time_desc);
		} else {
			sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
			sp_json_kv_int(&w, "id", e->id);
			sp_json_kv_str(&w, "time", iso);
			sp_json_kv_int(&w, "time_ns", e->time_ns);
			sp_json_kv_str(&w, "time_desc", e->time_desc);
			sp_json_kv_str(&w, "message", e->message);
		}
		sp_json_kv_str(&w, "artifact", e->artifact);
		sp_json_kv_int(&w, "source_id", e->source_id);
		sp_json_kv_str(&w, "source", e->source);
		sp_json_kv_str(&w, "host", e->host);
		sp_json_kv_str(&w, "user", e->user);
		kv_int_or_null(&w, "pid", e->pid);
		kv_int_or_null(&w, "ppid", e->ppid);
		sp_json_kv_str(&w, "exe", e->exe);
		sp_json_kv_str(&w, "path", e->path);
		kv_int_or_null(&w, "inode", e->inode);
		kv_int_or_null(&w, "file_id", e->file_id);
		kv_int_or_null(&w, "origin_file_id", e->origin_file_id);
		sp_json_kv_str(&w, "origin", e->origin);
		kv_int_or_null(&w, "origin_line", e->origin_line);
		kv_int_or_null(&w, "origin_offset", e->origin_offset);
		sp_json_kv_str(&w, "boot_id", e->boot_id);
		kv_int_or_null(&w, "session", e->session);
		kv_int_or_null(&w, "auid", e->auid);
		sp_json_kv_str(&w, "tty", e->tty);
		sp_json_kv_str(&w, "cwd", e->cwd);
		sp_json_key(&w, "extra");
		if (e->extra == NULL)
			sp_json_null(&w);
		else	/* stored as JSON text by the library itself */
			sp_json_raw(&w, e->extra);
		sp_json_object_end(&w);
		sp_json_line_end(&w);
		(*rows)++;
		if (sp_cancel_requested(o->cancel))
			break;
	}
	sp_query_close(q);
	return rc;
}

/*
 * One CSV field of attacker-controlled text: quoted (quotes doubled) when
 * it holds a comma, a quote or a space at either end, and every control
 * character made visible as \xHH as sp_print_safe does (C0, DEL, C1 and
 * bytes that are no UTF-8), so a row never breaks and no escape sequence
 * reaches a terminal.  NULL is an empty field.
 */
static void
csv_field(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n, i = 0, k;
	int quote;

	if (str == NULL)
		return;
	n = strlen(str);
	quote = strpbrk(str, ",\"") != NULL ||
	    (n > 0 && (s[0] == ' ' || s[n - 1] == ' '));
	if (quote)
		fputc('"', out);
	while (i < n) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f) {
			if (c == '"')
				fputc('"', out);
			fputc(c, out);
			i++;
			continue;
		}
		k = c < 0x80 ? 0 : sp_utf8_seq(s + i, n - i);
		if (k == 0) {
			fprintf(out, "\\x%02x", c);
			i++;
		} else if (k == 2 && c == 0xc2 && s[i + 1] <= 0x9f) {
			fprintf(out, "\\xc2\\x%02x", s[i + 1]);
			i += 2;
		} else {
			fwrite(s + i, 1, k, out);
			i += k;
		}
	}
	if (quote)
		fputc('"', out);
}

/*
 * Every event as CSV, as plaso's dynamic output lists them: a header,
 * then time (ISO-8601 UTC, nanoseconds), artifact, time_desc, host,
 * user, pid, message and origin (the artifact the event was read from,
 * or for file system entries and detections the source).
 */
static int
export_text(struct sp_case *c, const struct sp_export_opts *o, FILE *out,
    uint64_t *rows, struct sp_err *err)
{
	struct sp_query_filter f;
	struct sp_query *q;
	const struct sp_event_row *e;
	char iso[SP_TIME_ISO_MAX];
	int rc, more;

	export_filter(o, &f);
	if ((rc = sp_query_open_events(&q, c, &f, NULL, err)) != SP_OK)
		return rc;
	fputs("time,artifact,time_desc,host,user,pid,message,origin\n", out);
	while ((rc = sp_query_next(q, &more, err)) == SP_OK && more) {
		e = sp_query_event(q);
		sp_time_format_iso(e->time_ns, 9, iso, sizeof(iso));
		fputs(iso, out);
		fputc(',', out);
		csv_field(out, e->artifact);
		fputc(',', out);
		csv_field(out, e->time_desc);
		fputc(',', out);
		csv_field(out, e->host);
		fputc(',', out);
		csv_field(out, e->user);
		fputc(',', out);
		if (e->pid != SP_QUERY_NULL)
			fprintf(out, "%" PRId64, e->pid);
		fputc(',', out);
		csv_field(out, e->message);
		fputc(',', out);
		csv_field(out, e->origin ? e->origin : e->source);
		fputc('\n', out);
		(*rows)++;
		if (sp_cancel_requested(o->cancel))
			break;
	}
	sp_query_close(q);
	return rc;
}

int
sp_export(struct sp_case *c, const struct sp_export_opts *o, FILE *out,
    uint64_t *rows, struct sp_err *err)
{
	int rc;

	/* each view is one cursor, so it reads one snapshot of the case */
	*rows = 0;
	switch (o->format) {
	case SP_EXPORT_BODYFILE:
		rc = export_bodyfile(c, o, out, rows, err);
		break;
	case SP_EXPORT_MACTIME:
	case SP_EXPORT_MACTIME_CSV:
		rc = export_mactime(c, o, o->format == SP_EXPORT_MACTIME_CSV,
		    out, rows, err);
		break;
	case SP_EXPORT_TEXT:
		rc = export_text(c, o, out, rows, err);
		break;
	default:
		rc = export_events(c, o, out, rows, err);
		break;
	}
	if (rc != SP_OK) {
		sp_err_prefix(err, "export");
		return rc;
	}
	if (sp_cancel_requested(o->cancel))
		rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "export");
	if (rc == SP_OK && (fflush(out) != 0 || ferror(out)))
		rc = sp_err_set(err, SP_E_IO, 0, "write error");
	return rc;
}

int
sp_export_find_source(struct sp_case *c, const char *s, int64_t *id,
    struct sp_err *err)
{
	return sp_query_find_source(c, s, id, err);
}
