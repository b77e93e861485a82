/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: the detail pane (every field of the selected event, its
 * typed fields, its provenance, its detection, tags and notes) and the
 * pager that shows a file's content read through the evidence layer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spoor/evidence.h"
#include "spoor/json.h"
#include "spoor/store.h"
#include "view.h"

void
detail_release(struct view *v)
{
	while (v->ndlines > 0)
		free(v->dlines[--v->ndlines]);
	free(v->dlines);
	v->dlines = NULL;
	v->dtop = 0;
	v->detail_id = 0;
}

static void
line(struct view *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
line(struct view *v, const char *fmt, ...)
{
	va_list ap;
	char **n, *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	if ((n = realloc(v->dlines, (v->ndlines + 1) * sizeof(*n))) == NULL) {
		free(s);
		return;
	}
	v->dlines = n;
	v->dlines[v->ndlines++] = s;
}

static void
kv(struct view *v, const char *key, const char *val)
{
	if (val != NULL && val[0] != '\0')
		line(v, "  %-12s %s", key, val);
}

static void
kvi(struct view *v, const char *key, int64_t val)
{
	if (val != SP_QUERY_NULL)
		line(v, "  %-12s %lld", key, (long long)val);
}

static int
field(const char *key, size_t klen, const struct sp_json_val *val, void *arg)
{
	struct view *v = arg;
	char *s = val->type == SP_JSON_STRING ? sp_json_string(val) : NULL;

	line(v, "    %.*s: %.*s", (int)klen, key, s ? (int)strlen(s) :
	    (int)val->len, s ? s : val->p);
	free(s);
	return 0;
}

static void
file_lines(struct view *v, const char *what, const struct sp_file_row *f)
{
	char t[64];

	if (f == NULL)
		return;
	line(v, "%s", what);
	kv(v, "path", f->entry.path);
	if (f->entry.stream)
		kv(v, "stream", f->entry.stream);
	line(v, "  %-12s %u:%llu%s  size %llu  mode %o  uid %u  gid %u",
	    "inode", f->entry.fs_index, (unsigned long long)f->entry.inode,
	    f->allocated ? "" : " (deleted)",
	    (unsigned long long)f->entry.size, f->entry.mode, f->entry.uid,
	    f->entry.gid);
	view_format_time(v, f->entry.mtime, t, sizeof(t));
	kv(v, "mtime", t);
	kv(v, "sha256", f->sha256);
	kv(v, "md5", f->md5);
}

static void
marks_lines(struct view *v, enum sp_mark_target kind, int64_t id)
{
	struct sp_query *q = NULL;
	struct sp_err err;
	const struct sp_mark_row *m;
	char t[64];
	int has, any = 0;

	sp_err_init(&err);
	if (sp_query_open_marks(&q, v->c, kind, id, &err) != SP_OK) {
		line(v, "marks: %s", err.msg);
		return;
	}
	while (sp_query_next(q, &has, &err) == SP_OK && has) {
		m = sp_query_mark(q);
		if (!any)
			line(v, "tags and notes");
		any = 1;
		view_format_time(v, m->created_ns, t, sizeof(t));
		line(v, "  %s %s  (%s%s%s)", m->is_note ? "note:" : "tag: ",
		    m->text, t, m->author ? ", " : "",
		    m->author ? m->author : "");
	}
	sp_query_close(q);
}

/* Read the selected event's whole record into the pane's lines. */
void
detail_load(struct view *v)
{
	const struct vrow *r = timeline_selected(v);
	struct sp_event_record *rec = NULL;
	const struct sp_event_row *e;
	struct sp_err err;
	char t[SP_TIME_ISO_MAX];

	if (r == NULL) {
		detail_release(v);
		return;
	}
	if (r->id == v->detail_id)
		return;
	detail_release(v);
	v->detail_id = r->id;
	sp_err_init(&err);
	if (sp_event_record_get(v->c, r->id, &rec, &err) != SP_OK) {
		line(v, "event %lld: %s", (long long)r->id, err.msg);
		return;
	}
	e = rec->event;
	line(v, "event %lld  %s  %s  %s", (long long)e->id,
	    sp_time_format_iso(e->time_ns, 9, t, sizeof(t)),
	    e->artifact ? e->artifact : "", e->time_desc ? e->time_desc : "");
	kv(v, "message", e->message);
	kv(v, "path", e->path);
	kv(v, "host", e->host);
	kv(v, "user", e->user);
	kvi(v, "pid", e->pid);
	kvi(v, "ppid", e->ppid);
	kv(v, "exe", e->exe);
	kvi(v, "session", e->session);
	kvi(v, "auid", e->auid);
	kv(v, "tty", e->tty);
	kv(v, "cwd", e->cwd);
	kv(v, "boot", e->boot_id);
	if (e->extra != NULL && e->extra[0] == '{' &&
	    strcmp(e->extra, "{}") != 0) {
		line(v, "fields");
		if (sp_json_members(e->extra, strlen(e->extra), field, v) != 0)
			line(v, "    (not a JSON object: %s)", e->extra);
	}
	line(v, "provenance");
	if (rec->source != NULL)
		line(v, "  %-12s #%lld %s (%s)", "source",
		    (long long)rec->source_id, rec->source->path,
		    rec->source->kind ? rec->source->kind : "");
	if (e->origin != NULL) {
		if (e->origin_line != SP_QUERY_NULL)
			line(v, "  %-12s %s line %lld", "read from", e->origin,
			    (long long)e->origin_line);
		else if (e->origin_offset != SP_QUERY_NULL)
			line(v, "  %-12s %s offset %lld", "read from",
			    e->origin, (long long)e->origin_offset);
		else
			kv(v, "read from", e->origin);
	}
	kvi(v, "run", e->run_id);
	file_lines(v, "file (o opens its content)", rec->file);
	if (rec->file == NULL)
		file_lines(v, "artifact file (o opens its content)",
		    rec->origin_file);
	if (rec->detection != NULL) {
		const struct sp_detection_row *d = rec->detection;

		line(v, "detection #%lld", (long long)d->id);
		kv(v, "name", d->name);
		kv(v, "type", d->type);
		kv(v, "severity", d->severity);
		kvi(v, "score", d->score);
		kv(v, "reason", d->reason);
		kv(v, "path", d->path);
		kv(v, "details", d->details);
	}
	marks_lines(v, SP_MARK_EVENT, e->id);
	if (rec->detection != NULL)
		marks_lines(v, SP_MARK_DETECTION, rec->detection->id);
	sp_event_record_free(rec);
}

void
detail_draw(struct view *v)
{
	char buf[4096];
	int y;
	size_t i;

	if (!v->show_detail || v->detail_h <= 0)
		return;
	attron(A_BOLD);
	view_hline(v, v->detail_y);
	view_put(v, v->detail_y, 2, v->focus == PANE_DETAIL ?
	    " detail (j/k scroll, o open file, Tab next pane) " : " detail ",
	    v->cols - 2, A_BOLD);
	attroff(A_BOLD);
	for (y = 1; y < v->detail_h; y++) {
		move(v->detail_y + y, 0);
		clrtoeol();
		i = (size_t)(v->dtop + y - 1);
		if (i >= v->ndlines)
			continue;
		view_escape(v->dlines[i], SIZE_MAX, v->ascii, buf, sizeof(buf),
		    v->cols, NULL);
		mvaddstr(v->detail_y + y, 0, buf);
	}
}

/* ---- the pager: a file's content, read-only, escaped ---- */

#define PAGER_MAX (64u << 20)

struct content {
	char *data;
	size_t len, cap;
	int truncated;
};

static int
take(const void *buf, size_t len, void *arg)
{
	struct content *c = arg;
	char *n;

	if (c->len + len > PAGER_MAX) {
		len = PAGER_MAX - c->len;
		c->truncated = 1;
	}
	if (c->len + len > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 65536;

		while (cap < c->len + len)
			cap *= 2;
		if ((n = realloc(c->data, cap)) == NULL)
			return SP_E_NOMEM;
		c->data = n;
		c->cap = cap;
	}
	memcpy(c->data + c->len, buf, len);
	c->len += len;
	return c->truncated ? SP_CB_STOP : SP_CB_CONTINUE;
}

/* The starts of the lines of c (or of 16-byte rows with hex). */
static size_t *
line_starts(const struct content *c, int hex, size_t *n)
{
	size_t *s = NULL, cap = 0, i;

	*n = 0;
	for (i = 0; i < c->len || (i == 0 && c->len == 0);) {
		if (*n == cap) {
			size_t *t;

			cap = cap ? cap * 2 : 1024;
			if ((t = realloc(s, cap * sizeof(*s))) == NULL) {
				free(s);
				return NULL;
			}
			s = t;
		}
		s[(*n)++] = i;
		if (c->len == 0)
			break;
		if (hex)
			i += 16;
		else {
			const char *nl = memchr(c->data + i, '\n', c->len - i);

			i = nl ? (size_t)(nl - c->data) + 1 : c->len;
		}
	}
	return s;
}

static void
pager(struct view *v, const char *title, struct content *c)
{
	size_t *starts = NULL, n = 0, top = 0, i, end;
	int hex = 0, ch, y, h, w;
	char buf[4096], row[128];

	timeout(100);
	for (;;) {
		free(starts);
		if ((starts = line_starts(c, hex, &n)) == NULL)
			break;
		for (;;) {
			h = LINES - 1;
			erase();
			for (y = 0; y < h && top + (size_t)y < n; y++) {
				i = starts[top + (size_t)y];
				end = top + (size_t)y + 1 < n ?
				    starts[top + (size_t)y + 1] : c->len;
				if (hex) {
					int o = snprintf(row, sizeof(row),
					    "%08zx ", i);
					size_t k;

					for (k = i; k < i + 16; k++)
						o += snprintf(row + o,
						    sizeof(row) - (size_t)o,
						    k < end ? " %02x" : "   ",
						    (unsigned char)c->data[k]);
					o += snprintf(row + o, sizeof(row) -
					    (size_t)o, "  ");
					for (k = i; k < end; k++)
						row[o++] = c->data[k] >= 0x20 &&
						    c->data[k] < 0x7f ?
						    c->data[k] : '.';
					row[o] = '\0';
					mvaddnstr(y, 0, row, COLS);
				} else {
					if (end > i && c->data[end - 1] == '\n')
						end--;
					view_escape(c->data + i, end - i,
					    v->ascii, buf, sizeof(buf), COLS,
					    &w);
					mvaddstr(y, 0, buf);
				}
			}
			snprintf(buf, sizeof(buf), " %s  %zu bytes%s  line "
			    "%zu/%zu  (j/k, PgDn/PgUp, g/G, x hex, q back)",
			    title, c->len, c->truncated ? " (first 64 MiB)" :
			    "", top + 1, n);
			attron(A_REVERSE);
			mvhline(h, 0, ' ', COLS);
			view_put(v, h, 0, buf, COLS, A_REVERSE);
			attroff(A_REVERSE);
			refresh();
			ch = getch();
			if (view_poll_signals(v) || ch == 'q' || ch == 27 ||
			    ch == 'Q')
				goto out;
			if (ch == 'x') {
				hex = !hex;
				top = 0;
				break;
			}
			if ((ch == 'j' || ch == KEY_DOWN || ch == '\n') &&
			    top + 1 < n)
				top++;
			else if ((ch == 'k' || ch == KEY_UP) && top > 0)
				top--;
			else if (ch == KEY_NPAGE || ch == ' ')
				top = top + (size_t)h < n ? top + (size_t)h :
				    top;
			else if (ch == KEY_PPAGE || ch == 'b')
				top = top > (size_t)h ? top - (size_t)h : 0;
			else if (ch == 'g' || ch == KEY_HOME)
				top = 0;
			else if (ch == 'G' || ch == KEY_END)
				top = n > (size_t)h ? n - (size_t)h : 0;
			else if (ch == KEY_RESIZE)
				continue;
		}
	}
out:
	free(starts);
	clear();
}

/* Show the content of the selected event's file through the evidence. */
int
pager_open_file(struct view *v)
{
	const struct vrow *r = timeline_selected(v);
	struct sp_event_record *rec = NULL;
	const struct sp_file_row *f;
	struct sp_evidence *ev = NULL;
	struct sp_file_ref ref;
	struct content c;
	struct sp_err err;
	char title[512];
	int rc;

	if (r == NULL)
		return -1;
	sp_err_init(&err);
	memset(&c, 0, sizeof(c));
	if (sp_event_record_get(v->c, r->id, &rec, &err) != SP_OK)
		return view_msg(v, 1, "%s", err.msg), -1;
	f = rec->file != NULL ? rec->file : rec->origin_file;
	if (f == NULL || rec->source == NULL) {
		sp_event_record_free(rec);
		return view_msg(v, 1, "this event names no file of the "
		    "evidence"), -1;
	}
	if ((rc = sp_evidence_open(&ev, rec->source->path, NULL, &err))
	    == SP_OK) {
		memset(&ref, 0, sizeof(ref));
		ref.source = rec->source->path;
		ref.fs = f->entry.fs_index;
		ref.inode = f->entry.inode;
		ref.attr_type = f->entry.attr_type;
		ref.attr_id = f->entry.attr_id;
		if (rec->source->kind != NULL &&
		    strcmp(rec->source->kind, "dir") == 0)
			rc = sp_evidence_read_file(ev, 0, f->entry.path, take,
			    &c, &err);
		else
			rc = sp_evidence_read_ref(ev, &ref, take, &c, &err);
	}
	snprintf(title, sizeof(title), "%s", f->entry.path);
	sp_evidence_close(ev);
	sp_event_record_free(rec);
	if (rc != SP_OK) {
		free(c.data);
		return view_msg(v, 1, "%s", err.msg), -1;
	}
	{
		char shown[1024];

		view_escape(title, SIZE_MAX, v->ascii, shown, sizeof(shown),
		    200, NULL);
		pager(v, shown, &c);
	}
	free(c.data);
	return 0;
}
