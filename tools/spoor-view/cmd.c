/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: the command line (":" commands, "/" and "?" searches), the
 * tags and notes it writes into the case, saved filters, the export of
 * the filtered view, and the help screen.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "spoor/export.h"
#include "spoor/store.h"
#include "view.h"

/* Results of cmd_run, for the caller to redraw what changed. */
#define CMD_FILTER 1
#define CMD_MARKS 2

/* Read a line on the status row; 0 with out set, -1 when cancelled. */
int
cmd_prompt(struct view *v, const char *prompt, const char *initial,
    char *out, size_t size)
{
	size_t n = 0;
	int ch, plen = (int)strlen(prompt), w;
	char buf[1024];

	out[0] = '\0';
	if (initial != NULL) {
		snprintf(out, size, "%s", initial);
		n = strlen(out);
	}
	curs_set(1);
	timeout(100);
	for (;;) {
		const char *shown = out;
		int room = v->cols - plen - 1;

		move(v->status_y, 0);
		clrtoeol();
		attron(A_BOLD);
		mvaddstr(v->status_y, 0, prompt);
		attroff(A_BOLD);
		/* the end of a long line stays in sight */
		view_escape(shown, SIZE_MAX, v->ascii, buf, sizeof(buf),
		    1 << 30, &w);
		while (w > room && *shown != '\0') {
			shown++;
			view_escape(shown, SIZE_MAX, v->ascii, buf,
			    sizeof(buf), 1 << 30, &w);
		}
		mvaddstr(v->status_y, plen, buf);
		refresh();
		ch = getch();
		if (view_poll_signals(v)) {
			curs_set(0);
			return -1;
		}
		if (ch == ERR || ch == KEY_RESIZE)
			continue;
		if (ch == 27 || ch == 7) {	/* Esc, ^G */
			curs_set(0);
			return -1;
		}
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			/* the line's work is timed from its Enter */
			clock_gettime(CLOCK_MONOTONIC, &v->key_t0);
			break;
		}
		if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (n == 0) {
				curs_set(0);
				return -1;
			}
			/* a whole UTF-8 character */
			while (n > 0 && ((unsigned char)out[--n] & 0xc0) == 0x80)
				;
			out[n] = '\0';
			continue;
		}
		if (ch == 21) {			/* ^U */
			n = 0;
			out[0] = '\0';
			continue;
		}
		if (ch >= 0x20 && ch < 0x100 && ch != 0x7f && n + 1 < size) {
			out[n++] = (char)ch;
			out[n] = '\0';
		}
	}
	curs_set(0);
	return 0;
}

static int
parse_int(const char *s, int64_t *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	*out = n;
	return 0;
}

static int
set_str(char **dst, const char *val)
{
	char *n = NULL;

	if (val != NULL && *val != '\0' && (n = strdup(val)) == NULL)
		return -1;
	free(*dst);
	*dst = n;
	return 0;
}

/* The author of tags and notes: the analyst's login name. */
static const char *
author(void)
{
	const char *u = getenv("USER");

	return u != NULL && *u != '\0' ? u : NULL;
}

static int
mark(struct view *v, int note, int remove, const char *text)
{
	struct sp_event_record *rec = NULL;
	const struct vrow *r;
	struct sp_err err;
	enum sp_mark_target kind;
	int64_t id, det = 0;
	int rc;

	if (v->read_only)
		return view_msg(v, 1, "the case is open read-only"), -1;
	if (text == NULL || *text == '\0')
		return view_msg(v, 1, note ? "a note needs its text" :
		    "a tag needs its name"), -1;
	sp_err_init(&err);
	if (v->focus == PANE_TREE) {
		if (v->ntnodes == 0)
			return view_msg(v, 1, "no tree node selected"), -1;
		kind = SP_MARK_NODE;
		id = v->tnodes[v->tsel].node;
	} else {
		if ((r = timeline_selected(v)) == NULL)
			return view_msg(v, 1, "no row selected"), -1;
		kind = SP_MARK_EVENT;
		id = r->id;
		if (sp_event_record_get(v->c, id, &rec, &err) == SP_OK &&
		    rec->detection != NULL)
			det = rec->detection->id;
		sp_event_record_free(rec);
	}
	if (note)
		rc = sp_case_note_add(v->c, kind, id, text, author(),
		    SP_TIME_NONE, sp_run_id(v->run), NULL, &err);
	else if (remove)
		rc = sp_case_tag_remove(v->c, kind, id, text, &err);
	else
		rc = sp_case_tag_add(v->c, kind, id, text, author(),
		    SP_TIME_NONE, sp_run_id(v->run), NULL, &err);
	/* a detection's row: the detection gets the mark too */
	if (rc == SP_OK && det != 0) {
		if (note)
			rc = sp_case_note_add(v->c, SP_MARK_DETECTION, det,
			    text, author(), SP_TIME_NONE, sp_run_id(v->run),
			    NULL, &err);
		else if (remove)
			sp_case_tag_remove(v->c, SP_MARK_DETECTION, det, text,
			    &err);
		else
			rc = sp_case_tag_add(v->c, SP_MARK_DETECTION, det,
			    text, author(), SP_TIME_NONE, sp_run_id(v->run),
			    NULL, &err);
	}
	if (rc != SP_OK)
		return view_msg(v, 1, "%s", err.msg), -1;
	view_msg(v, 0, "%s %s %s %lld", note ? "note added to" : remove ?
	    "tag removed from" : "tagged", kind == SP_MARK_NODE ? "node" :
	    "event", note ? "" : text, (long long)id);
	v->detail_id = 0;
	if (kind == SP_MARK_NODE)
		v->tree_loaded = 0;
	return 0;
}

static int
export_view(struct view *v, const char *args, int force)
{
	static const struct { const char *name; enum sp_export_format f; }
	    formats[] = {
		{ "jsonl", SP_EXPORT_JSONL }, { "text", SP_EXPORT_TEXT },
		{ "timesketch", SP_EXPORT_TIMESKETCH },
		{ "mactime", SP_EXPORT_MACTIME },
		{ "csv", SP_EXPORT_MACTIME_CSV },
		{ "bodyfile", SP_EXPORT_BODYFILE },
	};
	struct sp_export_opts o;
	struct sp_err err;
	char fmt[32];
	const char *path;
	size_t i;
	uint64_t rows = 0;
	FILE *out;
	int fd, rc;

	if (sscanf(args, "%31s", fmt) != 1 ||
	    (path = strchr(args, ' ')) == NULL)
		return view_msg(v, 1, "usage: :export FORMAT FILE (jsonl, "
		    "text, timesketch, mactime, csv, bodyfile)"), -1;
	while (*path == ' ')
		path++;
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(fmt, formats[i].name) == 0)
			break;
	if (i == sizeof(formats) / sizeof(formats[0]))
		return view_msg(v, 1, "unknown format '%s': jsonl, text, "
		    "timesketch, mactime, csv or bodyfile", fmt), -1;
	sp_export_opts_init(&o);
	o.format = formats[i].f;
	o.from = v->filter.q.from;
	o.to = v->filter.q.to;
	o.source_id = v->filter.q.source_id;
	o.artifacts = v->filter.q.artifacts;
	o.nartifacts = v->filter.q.nartifacts;
	if (o.format == SP_EXPORT_JSONL || o.format == SP_EXPORT_TEXT ||
	    o.format == SP_EXPORT_TIMESKETCH) {
		o.host = v->filter.host;
		o.user = v->filter.user;
		o.pid = v->filter.q.pid;
		o.session = v->filter.q.session;
		o.match = v->filter.match;
		o.detections_only = v->filter.q.detections_only;
		o.tag = v->filter.tag;
		o.tagged_only = v->filter.q.tagged_only;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0)
		return view_msg(v, 1, "%s: %s%s", path, strerror(errno),
		    errno == EEXIST ? " (:export! overwrites it)" : ""), -1;
	if ((out = fdopen(fd, "w")) == NULL) {
		close(fd);
		return view_msg(v, 1, "%s: %s", path, strerror(errno)), -1;
	}
	sp_err_init(&err);
	rc = sp_export(v->c, &o, out, &rows, &err);
	if (fclose(out) != 0 && rc == SP_OK)
		rc = sp_err_set(&err, SP_E_IO, errno, "%s: write", path);
	if (rc != SP_OK)
		return view_msg(v, 1, "export: %s", err.msg), -1;
	view_msg(v, 0, "%llu records written to %s",
	    (unsigned long long)rows, path);
	return 0;
}

static int
list_name(const char *name, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 400 - n, "%s%s", n ? ", " : "", name);
	return strlen(buf) >= 380;
}

/*
 * ":filter" with the filter bar's own words: "artifact=a,b from=T to=T
 * host=H user=U pid=N session=N detections tagged tag=T match=WORDS" (the
 * match takes the rest of the line); "every event" or nothing clears.
 * The filter changes only when the whole line reads.
 */
static int
filter_line(struct view *v, const char *line)
{
	struct vfilter n;
	const char *p = line, *e;
	char tok[1024], *val;
	int64_t num;
	sp_time_ns t;
	size_t len;

	vfilter_init(&n);
	n.search = v->filter.search;
	n.search_fts = v->filter.search_fts;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0' || strncmp(p, "every event", 11) == 0)
			break;
		if (strncmp(p, "match=", 6) == 0) {
			if (set_str(&n.match, p + 6) != 0)
				goto nomem;
			break;
		}
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		len = (size_t)(e - p) < sizeof(tok) ? (size_t)(e - p) :
		    sizeof(tok) - 1;
		memcpy(tok, p, len);
		tok[len] = '\0';
		p = e;
		val = strchr(tok, '=');
		if (val != NULL)
			*val++ = '\0';
		if (val == NULL && !strcmp(tok, "detections"))
			n.q.detections_only = 1;
		else if (val == NULL && !strcmp(tok, "tagged"))
			n.q.tagged_only = 1;
		else if (val == NULL)
			goto bad;
		else if (!strcmp(tok, "artifact")) {
			if (vfilter_set_kinds(&n, val) != 0)
				goto bad;
		} else if (!strcmp(tok, "host") || !strcmp(tok, "user") ||
		    !strcmp(tok, "tag")) {
			if (set_str(!strcmp(tok, "host") ? &n.host :
			    !strcmp(tok, "user") ? &n.user : &n.tag, val) != 0)
				goto nomem;
		} else if (!strcmp(tok, "pid") || !strcmp(tok, "session")) {
			if (parse_int(val, &num) != 0)
				goto bad;
			if (!strcmp(tok, "pid"))
				n.q.pid = num;
			else
				n.q.session = num;
		} else if (!strcmp(tok, "from") || !strcmp(tok, "to")) {
			if (view_parse_time(v, val, &t) != 0)
				goto bad;
			if (!strcmp(tok, "from"))
				n.q.from = t;
			else
				n.q.to = t;
		} else
			goto bad;
	}
	vfilter_sync(&n);
	/* the search stays the view's */
	v->filter.search = v->filter.search_fts = NULL;
	vfilter_release(&v->filter);
	v->filter = n;
	vfilter_sync(&v->filter);
	return CMD_FILTER;
bad:
	n.search = n.search_fts = NULL;
	vfilter_release(&n);
	return view_msg(v, 1, "filter: cannot read '%s' (as artifact=a,b "
	    "host=h user=u pid=n session=n from=T to=T detections tagged "
	    "tag=t match=words)", tok), -1;
nomem:
	n.search = n.search_fts = NULL;
	vfilter_release(&n);
	return view_msg(v, 1, "out of memory"), -1;
}


/* Run one ":" command line; returns CMD_* flags, or -1 (message set). */
int
cmd_run(struct view *v, const char *line)
{
	char verb[32], arg[1024];
	const char *rest;
	struct sp_err err;
	struct vfilter *f = &v->filter;
	sp_time_ns t;
	int64_t n;
	size_t i;

	while (*line == ' ' || *line == ':')
		line++;
	if (*line == '\0')
		return 0;
	sp_err_init(&err);
	/* a time: jump to it */
	if (line[0] >= '0' && line[0] <= '9' && strlen(line) >= 10 &&
	    line[4] == '-') {
		if (view_parse_time(v, line, &t) != 0)
			return view_msg(v, 1, "not a time: %s (as "
			    "2026-03-14T10:42)", line), -1;
		timeline_goto(v, t, INT64_MIN);
		return 0;
	}
	for (i = 0; line[i] != '\0' && line[i] != ' ' && i + 1 < sizeof(verb);
	    i++)
		verb[i] = line[i];
	verb[i] = '\0';
	rest = line + i;
	while (*rest == ' ')
		rest++;
	snprintf(arg, sizeof(arg), "%s", rest);
	for (i = strlen(arg); i > 0 && arg[i - 1] == ' '; i--)
		arg[i - 1] = '\0';

	if (!strcmp(verb, "q") || !strcmp(verb, "quit") || !strcmp(verb, "q!")) {
		v->quit = 1;
		return 0;
	}
	if (!strcmp(verb, "help")) {
		help_show(v);
		return 0;
	}
	if (!strcmp(verb, "artifact") || !strcmp(verb, "a")) {
		if (vfilter_set_kinds(f, arg) != 0)
			return view_msg(v, 1, "too many kinds (at most %d)",
			    VIEW_MAX_KINDS), -1;
		return CMD_FILTER;
	}
	if (!strcmp(verb, "host") || !strcmp(verb, "user") ||
	    !strcmp(verb, "match") || !strcmp(verb, "tagged")) {
		char **dst = !strcmp(verb, "host") ? &f->host :
		    !strcmp(verb, "user") ? &f->user :
		    !strcmp(verb, "match") ? &f->match : &f->tag;
		char *q = NULL;

		if (!strcmp(verb, "match") && arg[0] != '\0') {
			if ((q = view_fts_query(arg)) == NULL)
				return view_msg(v, 1, "out of memory"), -1;
		}
		if (!strcmp(verb, "tagged"))
			f->q.tagged_only = arg[0] == '\0';
		if (set_str(dst, q != NULL ? q : arg) != 0) {
			free(q);
			return view_msg(v, 1, "out of memory"), -1;
		}
		free(q);
		vfilter_sync(f);
		return CMD_FILTER;
	}
	if (!strcmp(verb, "pid") || !strcmp(verb, "session")) {
		n = SP_QUERY_NULL;
		if (arg[0] != '\0' && parse_int(arg, &n) != 0)
			return view_msg(v, 1, "not a number: %s", arg), -1;
		if (!strcmp(verb, "pid"))
			f->q.pid = n;
		else
			f->q.session = n;
		return CMD_FILTER;
	}
	if (!strcmp(verb, "from") || !strcmp(verb, "to")) {
		t = SP_TIME_NONE;
		if (arg[0] != '\0' && view_parse_time(v, arg, &t) != 0)
			return view_msg(v, 1, "not a time: %s", arg), -1;
		/* a bare date as :to means the end of that day */
		if (!strcmp(verb, "to") && strlen(arg) == 10 && t != SP_TIME_NONE)
			t += 86400LL * 1000000000 - 1;
		if (!strcmp(verb, "from"))
			f->q.from = t;
		else
			f->q.to = t;
		return CMD_FILTER;
	}
	if (!strcmp(verb, "filter"))
		return filter_line(v, arg);
	if (!strcmp(verb, "detections")) {
		f->q.detections_only = !f->q.detections_only;
		return CMD_FILTER;
	}
	if (!strcmp(verb, "clear")) {
		char *s = f->search, *fts = f->search_fts;

		f->search = f->search_fts = NULL;
		vfilter_release(f);
		f->search = s;
		f->search_fts = fts;
		return CMD_FILTER;
	}
	if (!strcmp(verb, "save") || !strcmp(verb, "load") ||
	    !strcmp(verb, "delete")) {
		if (arg[0] == '\0')
			return view_msg(v, 1, ":%s needs a filter's name",
			    verb), -1;
		if (strcmp(verb, "load") != 0 && v->read_only)
			return view_msg(v, 1, "the case is open read-only"), -1;
		if (!strcmp(verb, "save")) {
			if (sp_case_filter_save(v->c, arg, &f->q,
			    sp_run_id(v->run), &err) != SP_OK)
				return view_msg(v, 1, "%s", err.msg), -1;
			view_msg(v, 0, "filter '%s' saved", arg);
			return 0;
		}
		if (!strcmp(verb, "delete")) {
			if (sp_case_filter_delete(v->c, arg, &err) != SP_OK)
				return view_msg(v, 1, "%s", err.msg), -1;
			view_msg(v, 0, "filter '%s' deleted", arg);
			return 0;
		} else {
			struct sp_saved_filter *sf = NULL;
			int rc;

			if (sp_case_filter_load(v->c, arg, &sf, &err) != SP_OK)
				return view_msg(v, 1, "%s", err.msg), -1;
			rc = vfilter_from_query(f, sp_saved_filter_get(sf));
			sp_saved_filter_free(sf);
			if (rc != 0)
				return view_msg(v, 1, "out of memory"), -1;
			view_msg(v, 0, "filter '%s' loaded", arg);
			return CMD_FILTER;
		}
	}
	if (!strcmp(verb, "filters")) {
		char names[400] = "";

		if (sp_case_filter_names(v->c, list_name, names, &err) != SP_OK)
			return view_msg(v, 1, "%s", err.msg), -1;
		view_msg(v, 0, "saved filters: %s", names[0] ? names : "none");
		return 0;
	}
	if (!strcmp(verb, "tag") || !strcmp(verb, "untag") ||
	    !strcmp(verb, "note"))
		return mark(v, !strcmp(verb, "note"), !strcmp(verb, "untag"),
		    arg) == 0 ? CMD_MARKS : -1;
	if (!strcmp(verb, "export") || !strcmp(verb, "export!"))
		return export_view(v, arg, verb[6] == '!') == 0 ? 0 : -1;
	if (!strcmp(verb, "zoom")) {
		for (i = 0; i < NZOOM; i++)
			if (!strcmp(arg, zoom_name((enum zoom)i)))
				break;
		if (i == NZOOM)
			return view_msg(v, 1, "zoom: day, hour, minute or "
			    "second"), -1;
		v->zoom = (enum zoom)i;
		return CMD_FILTER;
	}
	if (!strcmp(verb, "tree")) {
		v->focus = PANE_TREE;
		return 0;
	}
	if (!strcmp(verb, "timeline")) {
		v->focus = PANE_TIMELINE;
		return 0;
	}
	return view_msg(v, 1, "unknown command ':%s' (:help lists them)",
	    verb), -1;
}

static const char *const help_lines[] = {
	"spoor-view keys",
	"",
	"  j k, Down Up      next, previous row (node in the tree)",
	"  PgDn PgUp, Space b  next, previous page",
	"  g G, Home End     first, last row",
	"  Tab, Shift-Tab    next, previous pane: timeline, histogram, detail, tree",
	"  Enter             timeline: show or hide the detail; tree: the node's events",
	"  o                 open the file of the row (read-only pager; x hex, q back)",
	"  r                 the root-cause tree node of the row",
	"  T                 the tree pane",
	"  / ?               search the messages forward, backward; n N next, previous",
	"  + -               histogram zoom in, out (day, hour, minute, second)",
	"  h l, Left Right   histogram: previous, next bucket; tree: collapse, expand",
	"  x, E C            tree: toggle a node, expand all, collapse all",
	"  d                 detections only, on and off",
	"  f                 edit the filter bar",
	"  t a               tag, annotate the row or the tree node",
	"  < >               scroll the message column",
	"  :                 command line",
	"  q                 quit",
	"",
	"commands",
	"",
	"  :2026-03-14T10:42        jump to a time (the view's zone unless one is given)",
	"  :artifact KIND[,KIND]    only those artifacts (empty: every one)",
	"  :host H  :user U  :pid N  :session N   only those (empty: any)",
	"  :from TIME  :to TIME     a time range (empty: open)",
	"  :match WORDS             only events whose message has the words",
	"  :detections              only the events of detections, on and off",
	"  :tagged [TAG]            only tagged or annotated events, or those with TAG",
	"  :clear                   every event again",
	"  :filter WORDS            the whole filter in the filter bar's words (f edits it)",
	"  :save NAME  :load NAME  :delete NAME  :filters   filters saved in the case",
	"  :tag NAME  :untag NAME  :note TEXT   mark the row or the tree node",
	"  :export FORMAT FILE      the filtered view as jsonl, text, timesketch,",
	"                           mactime, csv or bodyfile (:export! overwrites)",
	"  :zoom day|hour|minute|second   the histogram's buckets",
	"  :tree  :timeline  :help  :q",
	"",
	"press any key",
};

void
help_show(struct view *v)
{
	size_t i, n = sizeof(help_lines) / sizeof(help_lines[0]);
	size_t top = 0;
	int ch, y;

	timeout(100);
	for (;;) {
		erase();
		for (y = 0; y < LINES && top + (size_t)y < n; y++)
			view_put(v, y, 0, help_lines[top + (size_t)y], COLS,
			    y == 0 && top == 0 ? A_BOLD : 0);
		refresh();
		ch = getch();
		if (view_poll_signals(v))
			break;
		if (ch == ERR || ch == KEY_RESIZE)
			continue;
		if ((ch == 'j' || ch == KEY_DOWN || ch == ' ') &&
		    top + (size_t)LINES < n) {
			top++;
			continue;
		}
		if ((ch == 'k' || ch == KEY_UP) && top > 0) {
			top--;
			continue;
		}
		break;
	}
	(void)i;
	clear();
}
