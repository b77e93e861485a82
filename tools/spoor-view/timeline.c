/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: the timeline pane.  It holds only the rows on the screen,
 * read through the case's cursor by key: a move past either end reads the
 * rows just after the last key or just before the first, so every move
 * costs one short indexed read whatever the size of the case.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curses.h>

#include "spoor/severity.h"
#include "view.h"

/* The first key there is, and one past the last (for pages before it). */
static const struct sp_query_key key_end = { INT64_MAX, INT64_MAX };

static int
row_copy(struct vrow *r, const struct sp_event_row *e)
{
	enum sp_severity s;
	const char *text;

	memset(r, 0, sizeof(*r));
	r->id = e->id;
	r->time_ns = e->time_ns;
	r->pid = e->pid;
	r->marks = e->marks;
	r->severity = e->severity != NULL &&
	    sp_severity_parse(e->severity, &s) == 0 ? (int)s + 1 : 0;
	text = e->message != NULL && e->message[0] != '\0' ? e->message :
	    e->path != NULL ? e->path : e->exe;
	if ((e->time_desc && (r->time_desc = strdup(e->time_desc)) == NULL) ||
	    (e->artifact && (r->artifact = strdup(e->artifact)) == NULL) ||
	    (e->host && (r->host = strdup(e->host)) == NULL) ||
	    (e->user && (r->user = strdup(e->user)) == NULL) ||
	    (text && (r->text = strdup(text)) == NULL)) {
		vrow_release(r);
		return -1;
	}
	return 0;
}

/*
 * The filter the cursor gets: the view's, with the search's words added
 * to its full-text match when search is set.  *fts (freed by the caller)
 * holds a combined match.
 */
static void
query_filter(const struct view *v, int search, struct sp_query_filter *q,
    char **fts)
{
	const struct vfilter *f = &v->filter;
	size_t n;

	*q = f->q;
	*fts = NULL;
	if (!search || f->search_fts == NULL)
		return;
	if (f->match == NULL) {
		q->match = f->search_fts;
		return;
	}
	n = strlen(f->match) + strlen(f->search_fts) + 16;
	if ((*fts = malloc(n)) == NULL)
		return;
	snprintf(*fts, n, "(%s) AND (%s)", f->match, f->search_fts);
	q->match = *fts;
}

/*
 * Read at most limit rows of the page into out (caller's array of limit
 * rows, released by the caller); *n receives how many.  Returns 0 or -1
 * with the message set.
 */
static int
fetch(struct view *v, const struct sp_query_page *page, int search,
    struct vrow *out, int limit, int *n)
{
	struct sp_query_filter q;
	struct sp_query *cur = NULL;
	struct sp_err err;
	char *fts;
	int has, rc;

	*n = 0;
	if (limit <= 0)
		return 0;
	sp_err_init(&err);
	query_filter(v, search, &q, &fts);
	rc = sp_query_open_events(&cur, v->c, &q, page, &err);
	while (rc == SP_OK && *n < limit &&
	    (rc = sp_query_next(cur, &has, &err)) == SP_OK && has) {
		if (row_copy(&out[*n], sp_query_event(cur)) != 0) {
			rc = sp_err_set(&err, SP_E_NOMEM, 0, "out of memory");
			break;
		}
		(*n)++;
	}
	sp_query_close(cur);
	free(fts);
	if (rc != SP_OK) {
		view_msg(v, 1, "%s", err.msg);
		return -1;
	}
	return 0;
}

static void
rows_clear(struct view *v)
{
	while (v->nrows > 0)
		vrow_release(&v->rowv[--v->nrows]);
}

static int
ensure_cap(struct view *v, int n)
{
	struct vrow *r;

	if (n <= v->cap)
		return 0;
	if ((r = realloc(v->rowv, (size_t)n * sizeof(*r))) == NULL)
		return -1;
	v->rowv = r;
	v->cap = n;
	return 0;
}

static struct sp_query_key
row_key(const struct vrow *r)
{
	struct sp_query_key k = { r->time_ns, r->id };

	return k;
}

/*
 * Fill the screen around key: up to above rows before it, then the rows
 * from it on (with inclusive, key itself too); more rows before it when
 * the end comes first.  The selection goes to the first row at or after
 * key.
 */
static int
fill_around(struct view *v, struct sp_query_key key, int inclusive, int above)
{
	struct sp_query_page page;
	struct sp_query_key after = key, before = key;
	struct vrow *tmp;
	int h = v->list_h > 0 ? v->list_h : 1, nb = 0, na = 0, more = 0;

	if (above >= h)
		above = h - 1;
	if (above < 0)
		above = 0;
	if (ensure_cap(v, h) != 0 ||
	    (tmp = calloc((size_t)h * 2, sizeof(*tmp))) == NULL)
		return view_msg(v, 1, "out of memory"), -1;
	if (inclusive && after.id > INT64_MIN)
		after.id--;
	else if (inclusive)
		after.time_ns--;
	memset(&page, 0, sizeof(page));
	page.after = &after;
	page.limit = (uint64_t)h;
	if (fetch(v, &page, 0, tmp + h, h, &na) != 0)
		goto fail;
	if (above + na < h)
		above = h - na;
	if (above > 0) {
		if (na > 0)
			before = row_key(&tmp[h]);
		memset(&page, 0, sizeof(page));
		page.before = na > 0 ? &before : &after;
		if (na == 0 && inclusive)
			page.before = &key;
		page.limit = (uint64_t)above;
		if (fetch(v, &page, 0, tmp + h - above, above, &nb) != 0)
			goto fail;
		/* the rows came in order into the end of the slot */
		if (nb < above)
			memmove(tmp + h - nb, tmp + h - above,
			    (size_t)nb * sizeof(*tmp));
	}
	rows_clear(v);
	more = nb + na > h ? nb + na - h : 0;
	/* keep the first h of nb rows before and na from the key */
	memcpy(v->rowv, tmp + h - nb, (size_t)(nb + na - more) * sizeof(*tmp));
	for (int i = 0; i < more; i++)
		vrow_release(&tmp[h + na - 1 - i]);
	v->nrows = nb + na - more;
	v->sel = na > 0 ? nb : (v->nrows > 0 ? v->nrows - 1 : 0);
	v->at_start = nb < above;
	v->at_end = na < h - nb;
	free(tmp);
	return 0;
fail:
	for (int i = 0; i < h * 2; i++)
		vrow_release(&tmp[i]);
	free(tmp);
	return -1;
}

int
timeline_first(struct view *v)
{
	struct sp_query_key k = { INT64_MIN, INT64_MIN };

	if (fill_around(v, k, 0, 0) != 0)
		return -1;
	v->sel = 0;
	v->at_start = 1;
	return 0;
}

int
timeline_last(struct view *v)
{
	if (fill_around(v, key_end, 0, v->list_h) != 0)
		return -1;
	v->sel = v->nrows > 0 ? v->nrows - 1 : 0;
	v->at_end = 1;
	return 0;
}

/* The first row at or after (t, id); id INT64_MIN for a time. */
int
timeline_goto(struct view *v, sp_time_ns t, int64_t id)
{
	struct sp_query_key k = { t, id };

	return fill_around(v, k, 1, v->list_h / 3);
}

/* Read the screen again (a filter changed, a tag was added). */
int
timeline_reload(struct view *v)
{
	struct sp_query_key k;

	if (v->nrows == 0)
		return timeline_first(v);
	k = row_key(&v->rowv[v->sel]);
	return fill_around(v, k, 1, v->sel);
}

const struct vrow *
timeline_selected(const struct view *v)
{
	return v->nrows > 0 && v->sel < v->nrows ? &v->rowv[v->sel] : NULL;
}

/*
 * Move the selection by delta rows; past the screen's rows, the rows
 * that come next are read and the screen scrolls by as many.
 */
int
timeline_move(struct view *v, int delta)
{
	struct sp_query_page page;
	struct sp_query_key k;
	struct vrow *tmp;
	int want, n = 0, h = v->list_h, i;

	if (v->nrows == 0)
		return 0;
	if (v->sel + delta >= 0 && v->sel + delta < v->nrows) {
		v->sel += delta;
		return 0;
	}
	want = delta > 0 ? v->sel + delta - (v->nrows - 1) :
	    -(v->sel + delta);
	if (want > h)
		want = h;
	if ((tmp = calloc((size_t)want, sizeof(*tmp))) == NULL)
		return view_msg(v, 1, "out of memory"), -1;
	memset(&page, 0, sizeof(page));
	if (delta > 0) {
		k = row_key(&v->rowv[v->nrows - 1]);
		page.after = &k;
	} else {
		k = row_key(&v->rowv[0]);
		page.before = &k;
	}
	page.limit = (uint64_t)want;
	if (!(delta > 0 ? v->at_end : v->at_start) &&
	    fetch(v, &page, 0, tmp, want, &n) != 0) {
		free(tmp);
		return -1;
	}
	if (ensure_cap(v, h) != 0) {
		for (i = 0; i < n; i++)
			vrow_release(&tmp[i]);
		free(tmp);
		return view_msg(v, 1, "out of memory"), -1;
	}
	if (delta > 0) {
		int drop = v->nrows + n > h ? v->nrows + n - h : 0;

		for (i = 0; i < drop; i++)
			vrow_release(&v->rowv[i]);
		memmove(v->rowv, v->rowv + drop,
		    (size_t)(v->nrows - drop) * sizeof(*tmp));
		v->nrows -= drop;
		memcpy(v->rowv + v->nrows, tmp, (size_t)n * sizeof(*tmp));
		v->nrows += n;
		v->sel = v->sel + delta - drop;
		if (n < want)
			v->at_end = 1;
		if (drop > 0)
			v->at_start = 0;
	} else {
		int drop = v->nrows + n > h ? v->nrows + n - h : 0;

		for (i = 0; i < drop; i++)
			vrow_release(&v->rowv[v->nrows - 1 - i]);
		v->nrows -= drop;
		memmove(v->rowv + n, v->rowv, (size_t)v->nrows * sizeof(*tmp));
		memcpy(v->rowv, tmp, (size_t)n * sizeof(*tmp));
		v->nrows += n;
		v->sel = v->sel + delta + n;
		if (n < want)
			v->at_start = 1;
		if (drop > 0)
			v->at_end = 0;
	}
	free(tmp);
	if (v->sel < 0)
		v->sel = 0;
	if (v->sel >= v->nrows)
		v->sel = v->nrows - 1;
	return 0;
}

/*
 * Scroll by a page (dir 1 down, -1 up): the screen shows the rows that
 * come after (before) it, the selection keeps its place on the screen;
 * at the end (start) the selection goes to the last (first) row.
 */
int
timeline_page(struct view *v, int dir)
{
	int page = v->list_h > 1 ? v->list_h - 1 : 1, sel = v->sel, n, rc;

	if (v->nrows == 0)
		return 0;
	if (dir > 0 ? v->at_end : v->at_start) {
		v->sel = dir > 0 ? v->nrows - 1 : 0;
		return 0;
	}
	/* the selection to the edge, then beyond it by a page */
	n = v->nrows;
	v->sel = dir > 0 ? n - 1 : 0;
	rc = timeline_move(v, dir * page);
	if (rc != 0)
		return rc;
	/* rows came: put the selection back where it was on the screen */
	if (dir > 0 ? !(v->at_end && v->sel == v->nrows - 1) :
	    !(v->at_start && v->sel == 0))
		v->sel = sel < v->nrows ? sel : v->nrows - 1;
	return 0;
}

/* The next (or previous) row whose message has the search's words. */
int
timeline_search(struct view *v, int backward)
{
	struct sp_query_page page;
	struct sp_query_key k;
	struct vrow hit;
	int n = 0;

	if (v->filter.search_fts == NULL) {
		view_msg(v, 1, "no search: type / or ? and the words");
		return -1;
	}
	memset(&page, 0, sizeof(page));
	if (v->nrows > 0)
		k = row_key(&v->rowv[v->sel]);
	else {
		k.time_ns = backward ? INT64_MAX : INT64_MIN;
		k.id = k.time_ns;
	}
	if (backward)
		page.before = &k;
	else
		page.after = &k;
	page.limit = 1;
	memset(&hit, 0, sizeof(hit));
	if (fetch(v, &page, 1, &hit, 1, &n) != 0)
		return -1;
	if (n == 0) {
		view_msg(v, 1, "%s: %s", backward ? "no match before this row" :
		    "no match after this row", v->filter.search);
		return -1;
	}
	k = row_key(&hit);
	vrow_release(&hit);
	v->msg[0] = '\0';
	return timeline_goto(v, k.time_ns, k.id);
}

/* ---- drawing ---- */

#define W_TIME 23
#define W_DESC 12
#define W_ART 12
#define W_HOST 12
#define W_USER 10
#define W_PID 7

static int
severity_attr(const struct view *v, int sev)
{
	if (!v->color || sev == 0)
		return sev >= SP_SEV_HIGH + 1 ? A_BOLD : 0;
	switch (sev - 1) {
	case SP_SEV_CRITICAL: return COLOR_PAIR(1) | A_BOLD;
	case SP_SEV_HIGH: return COLOR_PAIR(1);
	case SP_SEV_MEDIUM: return COLOR_PAIR(2);
	case SP_SEV_LOW: return COLOR_PAIR(3);
	default: return COLOR_PAIR(4);
	}
}

/* Mark the words of the search in the text drawn at (y, x). */
static void
highlight(struct view *v, int y, int x, const char *shown, int attr)
{
	const char *w = v->filter.search, *e, *p;
	size_t wl, i, slen = strlen(shown);

	if (w == NULL)
		return;
	while (*w != '\0') {
		while (*w == ' ')
			w++;
		for (e = w; *e != '\0' && *e != ' '; e++)
			;
		wl = (size_t)(e - w);
		for (i = 0; wl > 0 && i + wl <= slen; i++) {
			p = shown + i;
			if (strncasecmp(p, w, wl) == 0) {
				/* columns before the hit: count them */
				char before[4096];
				int col;

				view_escape(shown, i, v->ascii, before,
				    sizeof(before), INT_MAX, &col);
				attron(attr | A_REVERSE | A_UNDERLINE);
				mvaddnstr(y, x + col, p, (int)wl);
				attroff(attr | A_REVERSE | A_UNDERLINE);
				i += wl - 1;
			}
		}
		w = e;
	}
}

void
timeline_draw(struct view *v)
{
	char head[512], t[64], pid[24], buf[4096];
	int y, x, attr, textw, w;
	const struct vrow *r;

	textw = v->cols - (W_TIME + W_DESC + W_ART + W_HOST + W_USER + W_PID +
	    8);
	snprintf(head, sizeof(head), "%-*s %-*s %-*s %-*s %-*s %*s  %s",
	    W_TIME, v->utc ? "time (UTC)" : "time", W_DESC, "desc", W_ART,
	    "artifact", W_HOST, "host", W_USER, "user", W_PID, "pid",
	    "message or path");
	attron(A_BOLD | A_UNDERLINE);
	mvhline(v->head_y, 0, ' ', v->cols);
	view_put(v, v->head_y, 0, head, v->cols, 0);
	attroff(A_BOLD | A_UNDERLINE);
	for (y = 0; y < v->list_h; y++) {
		move(v->list_y + y, 0);
		clrtoeol();
		if (y >= v->nrows) {
			if (y == v->nrows && v->nrows == 0)
				view_put(v, v->list_y, 0, v->filter.q.match ||
				    v->filter.nkinds || v->filter.host ||
				    v->filter.user || v->filter.tag ||
				    v->filter.q.detections_only ||
				    v->filter.q.tagged_only ||
				    v->filter.q.pid != SP_QUERY_NULL ||
				    v->filter.q.session != SP_QUERY_NULL ||
				    v->filter.q.from != SP_TIME_NONE ||
				    v->filter.q.to != SP_TIME_NONE ?
				    "  no event passes the filter (:clear drops it)" :
				    "  the case holds no events", v->cols, A_DIM);
			continue;
		}
		r = &v->rowv[y];
		attr = severity_attr(v, r->severity);
		if (y == v->sel)
			attr |= v->focus == PANE_TIMELINE || v->focus == PANE_DETAIL ?
			    A_REVERSE : A_UNDERLINE;
		view_format_time(v, r->time_ns, t, sizeof(t));
		if (r->pid != SP_QUERY_NULL)
			snprintf(pid, sizeof(pid), "%lld", (long long)r->pid);
		else
			pid[0] = '\0';
		attron(attr);
		mvhline(v->list_y + y, 0, ' ', v->cols);
		x = 0;
		view_put(v, v->list_y + y, x, t, W_TIME, attr);
		x += W_TIME + 1;
		view_put(v, v->list_y + y, x, r->time_desc, W_DESC, attr);
		x += W_DESC + 1;
		view_put(v, v->list_y + y, x, r->artifact, W_ART, attr);
		x += W_ART + 1;
		view_put(v, v->list_y + y, x, r->host, W_HOST, attr);
		x += W_HOST + 1;
		view_put(v, v->list_y + y, x, r->user, W_USER, attr);
		x += W_USER + 1;
		snprintf(buf, sizeof(buf), "%*s", W_PID, pid);
		view_put(v, v->list_y + y, x, buf, W_PID, attr);
		x += W_PID + 1;
		view_put(v, v->list_y + y, x, r->marks > 0 ? "*" : " ", 1,
		    attr | (r->marks > 0 ? A_BOLD : 0));
		x += 2;
		if (textw > 0 && r->text != NULL) {
			const char *s = r->text;
			size_t skip = 0;

			/* horizontal scroll: whole bytes of the text */
			if (v->hscroll > 0) {
				skip = strlen(s) < (size_t)v->hscroll ?
				    strlen(s) : (size_t)v->hscroll;
				while (skip > 0 && ((unsigned char)s[skip] & 0xc0) == 0x80)
					skip--;
			}
			view_escape(s + skip, SIZE_MAX, v->ascii, buf,
			    sizeof(buf), textw, &w);
			mvaddstr(v->list_y + y, x, buf);
			highlight(v, v->list_y + y, x, buf, attr);
		}
		attroff(attr);
	}
}
