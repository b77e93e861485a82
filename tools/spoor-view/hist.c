/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: the histogram across the top.  Counting the events of a
 * window of buckets reads every one of them, which in a large case takes
 * longer than a key may, so a worker thread counts on its own read-only
 * connection to the case and the screen draws its answer when it comes.
 * A new request interrupts the count under way.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "view.h"

sp_time_ns
zoom_width(enum zoom z)
{
	static const sp_time_ns w[NZOOM] = {
		86400LL * 1000000000, 3600LL * 1000000000,
		60LL * 1000000000, 1000000000
	};

	return w[z];
}

const char *
zoom_name(enum zoom z)
{
	static const char *const n[NZOOM] = { "day", "hour", "minute",
	    "second" };

	return n[z];
}

struct kind_total {
	char name[24];
	uint64_t total;
};

struct bucket_row {
	int col, kind;		/* kind: index into the totals */
	uint64_t count;
};

/* Whether any event of the case has a tag or a note. */
static int
has_marks(struct sp_case *c)
{
	struct sp_query *q = NULL;
	struct sp_err err;
	int has = 1;

	sp_err_init(&err);
	if (sp_query_open_marks(&q, c, SP_MARK_EVENT, 0, &err) == SP_OK &&
	    sp_query_next(q, &has, &err) != SP_OK)
		has = 1;
	sp_query_close(q);
	return has;
}

/* Count one request: per kind, then detections, then tagged events. */
static int
count(struct hist *h, struct vfilter *f, sp_time_ns start, sp_time_ns width,
    int ncols, struct sp_err *err)
{
	struct sp_query *q = NULL;
	struct sp_query_filter qf = f->q;
	const struct sp_query_bucket *b;
	struct kind_total *kinds = NULL;
	struct bucket_row *rows = NULL;
	size_t nkinds = 0, nrows = 0, caprows = 0, i, j;
	uint64_t det[HIST_MAX_COLS], tag[HIST_MAX_COLS];
	uint64_t counts[HIST_MAX_COLS][HIST_KINDS + 1];
	int has, rc, col, pass;
	sp_time_ns end = start + width * ncols - 1;

	memset(det, 0, sizeof(det));
	memset(tag, 0, sizeof(tag));
	memset(counts, 0, sizeof(counts));
	if (qf.from == SP_TIME_NONE || qf.from < start)
		qf.from = start;
	if (qf.to == SP_TIME_NONE || qf.to > end)
		qf.to = end;
	qf.bare = 0;
	for (pass = 0; pass < 3; pass++) {
		struct sp_query_filter pf = qf;

		/* no tagged events to count in a case without marks */
		if (pass == 2 && !has_marks(h->c))
			break;

		if (pass == 1)
			pf.detections_only = 1;
		if (pass == 2)
			pf.tagged_only = 1;
		if ((rc = sp_query_open_histogram(&q, h->c, &pf, width,
		    pass == 0, err)) != SP_OK)
			goto out;
		while ((rc = sp_query_next(q, &has, err)) == SP_OK && has) {
			b = sp_query_bucket(q);
			col = (int)((b->start - start) / width);
			if (col < 0 || col >= ncols)
				continue;
			if (pass == 1) {
				det[col] += b->count;
				continue;
			}
			if (pass == 2) {
				tag[col] += b->count;
				continue;
			}
			for (i = 0; i < nkinds; i++)
				if (strncmp(kinds[i].name, b->artifact ?
				    b->artifact : "", sizeof(kinds[i].name) - 1) == 0)
					break;
			if (i == nkinds) {
				struct kind_total *k = realloc(kinds,
				    (nkinds + 1) * sizeof(*k));

				if (k == NULL) {
					rc = sp_err_set(err, SP_E_NOMEM, 0,
					    "out of memory");
					goto out;
				}
				kinds = k;
				snprintf(kinds[i].name, sizeof(kinds[i].name),
				    "%s", b->artifact ? b->artifact : "");
				kinds[i].total = 0;
				nkinds++;
			}
			kinds[i].total += b->count;
			if (nrows == caprows) {
				struct bucket_row *r;

				caprows = caprows ? caprows * 2 : 256;
				if ((r = realloc(rows, caprows * sizeof(*r)))
				    == NULL) {
					rc = sp_err_set(err, SP_E_NOMEM, 0,
					    "out of memory");
					goto out;
				}
				rows = r;
			}
			rows[nrows].col = col;
			rows[nrows].kind = (int)i;
			rows[nrows].count = b->count;
			nrows++;
		}
		sp_query_close(q);
		q = NULL;
		if (rc != SP_OK)
			goto out;
	}
	/* the most frequent kinds get their own colour, by total */
	{
		int slot[256];
		size_t order[256], nk = nkinds < 256 ? nkinds : 256, t;

		for (i = 0; i < nk; i++)
			order[i] = i;
		for (i = 1; i < nk; i++)
			for (j = i; j > 0 && kinds[order[j]].total >
			    kinds[order[j - 1]].total; j--) {
				t = order[j];
				order[j] = order[j - 1];
				order[j - 1] = t;
			}
		for (i = 0; i < 256; i++)
			slot[i] = HIST_KINDS;
		for (i = 0; i < nk && i < HIST_KINDS; i++)
			slot[order[i]] = (int)i;
		for (i = 0; i < nrows; i++)
			counts[rows[i].col][rows[i].kind < 256 ?
			    slot[rows[i].kind] : HIST_KINDS] += rows[i].count;
		pthread_mutex_lock(&h->lock);
		memcpy(h->counts, counts, sizeof(counts));
		memcpy(h->detections, det, sizeof(det));
		memcpy(h->tagged, tag, sizeof(tag));
		h->nkinds = 0;
		for (i = 0; i < nk && i < HIST_KINDS; i++) {
			snprintf(h->kinds[i], sizeof(h->kinds[i]), "%s",
			    kinds[order[i]].name);
			h->nkinds++;
		}
		pthread_mutex_unlock(&h->lock);
	}
	rc = SP_OK;
out:
	sp_query_close(q);
	free(kinds);
	free(rows);
	return rc;
}

static void *
worker(void *arg)
{
	struct hist *h = arg;
	struct vfilter f;
	struct sp_err err;
	sp_time_ns start, width;
	uint64_t gen;
	int ncols, rc;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->want && !h->quit)
			pthread_cond_wait(&h->wake, &h->lock);
		if (h->quit)
			break;
		h->want = 0;
		gen = h->gen;
		start = h->start;
		width = h->width;
		ncols = h->ncols;
		if (vfilter_copy(&f, h->filter) != 0) {
			h->error = 1;
			snprintf(h->errmsg, sizeof(h->errmsg), "out of memory");
			continue;
		}
		pthread_mutex_unlock(&h->lock);
		sp_err_init(&err);
		rc = count(h, &f, start, width, ncols, &err);
		vfilter_release(&f);
		pthread_mutex_lock(&h->lock);
		if (h->gen != gen)
			continue;	/* a newer request is waiting */
		if (rc == SP_E_INTERRUPTED) {
			/*
			 * The interrupt meant for the count before this one
			 * came late: count this one again.
			 */
			h->want = !h->quit;
			continue;
		}
		h->done_gen = gen;
		h->a_start = start;
		h->a_width = width;
		h->a_ncols = ncols;
		h->error = rc != SP_OK;
		if (rc != SP_OK)
			snprintf(h->errmsg, sizeof(h->errmsg), "%s", err.msg);
		h->ready = 1;
		if (h->wakefd[1] >= 0) {
			ssize_t w = write(h->wakefd[1], "", 1);

			(void)w;	/* a full pipe already wakes it */
		}
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

int
hist_start(struct view *v)
{
	struct hist *h = &v->hist;
	struct sp_err err;

	sp_err_init(&err);
	if (sp_case_open(&h->c, v->case_path, SP_CASE_READONLY, &err) != SP_OK)
		return view_msg(v, 1, "histogram: %s", err.msg), -1;
	if ((h->filter = calloc(1, sizeof(*h->filter))) == NULL)
		return -1;
	vfilter_init(h->filter);
	if (pipe2(h->wakefd, O_CLOEXEC | O_NONBLOCK) != 0)
		h->wakefd[0] = h->wakefd[1] = -1;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->wake, NULL);
	if (pthread_create(&h->thread, NULL, worker, h) != 0) {
		view_msg(v, 1, "histogram: no thread");
		return -1;
	}
	h->started = 1;
	return 0;
}

void
hist_stop(struct view *v)
{
	struct hist *h = &v->hist;

	if (h->started) {
		pthread_mutex_lock(&h->lock);
		h->quit = 1;
		pthread_cond_signal(&h->wake);
		pthread_mutex_unlock(&h->lock);
		sp_query_interrupt(h->c);
		pthread_join(h->thread, NULL);
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->wake);
		h->started = 0;
	}
	if (h->filter != NULL) {
		vfilter_release(h->filter);
		free(h->filter);
		h->filter = NULL;
	}
	sp_case_close(h->c);
	h->c = NULL;
	if (h->wakefd[0] >= 0) {
		close(h->wakefd[0]);
		close(h->wakefd[1]);
		h->wakefd[0] = h->wakefd[1] = -1;
	}
}

/* Count the window of buckets from v->hist_start with the view's filter. */
void
hist_request(struct view *v)
{
	struct hist *h = &v->hist;
	struct vfilter f;
	int ncols = v->cols < HIST_MAX_COLS ? v->cols : HIST_MAX_COLS;

	if (!h->started || !v->show_hist)
		return;
	if (vfilter_copy(&f, &v->filter) != 0)
		return;
	pthread_mutex_lock(&h->lock);
	vfilter_release(h->filter);
	*h->filter = f;
	vfilter_sync(h->filter);
	h->start = v->hist_start;
	h->width = zoom_width(v->zoom);
	h->ncols = ncols;
	h->gen++;
	h->want = 1;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	/* stop a count under way; it starts again with this request */
	sp_query_interrupt(h->c);
}

/* 1 when an answer came since the last call. */
int
hist_take(struct view *v)
{
	int r;

	if (!v->hist.started)
		return 0;
	pthread_mutex_lock(&v->hist.lock);
	r = v->hist.ready;
	v->hist.ready = 0;
	pthread_mutex_unlock(&v->hist.lock);
	return r;
}

static const char *const blocks_utf8[9] = {
	" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
};
static const char blocks_ascii[] = " ._-=+*#@";

void
hist_draw(struct view *v)
{
	struct hist *h = &v->hist;
	int bars = v->hist_h - 2, y, x, k, ncols, fill, levels, cur;
	uint64_t max = 0, total, acc, sel_count = 0;
	int height[HIST_MAX_COLS];
	char t[64], line[512], kinds[256];
	int valid;
	size_t o = 0;

	if (!v->show_hist || v->hist_h <= 0)
		return;
	for (y = 0; y < v->hist_h; y++) {
		move(v->hist_y + y, 0);
		clrtoeol();
	}
	pthread_mutex_lock(&h->lock);
	valid = h->done_gen != 0 && h->done_gen == h->gen &&
	    h->a_start == v->hist_start && h->a_width == zoom_width(v->zoom);
	ncols = valid ? h->a_ncols : 0;
	if (ncols > v->cols)
		ncols = v->cols;
	levels = bars * 8;
	for (x = 0; x < ncols; x++) {
		total = 0;
		for (k = 0; k <= HIST_KINDS; k++)
			total += h->counts[x][k];
		if (total > max)
			max = total;
	}
	for (x = 0; x < ncols; x++) {
		total = 0;
		for (k = 0; k <= HIST_KINDS; k++)
			total += h->counts[x][k];
		height[x] = max == 0 || total == 0 ? 0 :
		    (int)((total * (uint64_t)levels + max - 1) / max);
		if (x == v->hist_col)
			sel_count = total;
		for (y = 0; y < bars; y++) {
			int row = bars - 1 - y;	/* from the bottom */

			fill = height[x] - y * 8;
			if (fill <= 0)
				continue;
			if (fill > 8)
				fill = 8;
			/* the kind at the middle of this cell */
			cur = y * 8 + fill / 2;
			acc = 0;
			for (k = 0; k <= HIST_KINDS; k++) {
				acc += h->counts[x][k];
				if (acc * (uint64_t)levels >= (uint64_t)(cur + 1) * max ||
				    acc == total)
					break;
			}
			if (k > HIST_KINDS)
				k = HIST_KINDS;
			{
				int attr = v->color ? COLOR_PAIR(10 + k) : 0;

				if (x == v->hist_col && v->focus == PANE_HIST)
					attr |= A_REVERSE;
				attron(attr);
				if (v->ascii)
					mvaddch(v->hist_y + row, x,
					    (chtype)blocks_ascii[fill]);
				else
					mvaddstr(v->hist_y + row, x,
					    blocks_utf8[fill]);
				attroff(attr);
			}
		}
		/* detections and tags under their bucket */
		if (h->detections[x] > 0) {
			attron(v->color ? COLOR_PAIR(1) | A_BOLD : A_BOLD);
			mvaddch(v->hist_y + bars, x, '!');
			attroff(v->color ? COLOR_PAIR(1) | A_BOLD : A_BOLD);
		} else if (h->tagged[x] > 0) {
			attron(A_BOLD);
			mvaddch(v->hist_y + bars, x, '*');
			attroff(A_BOLD);
		}
	}
	if (v->focus == PANE_HIST || !valid) {
		attron(A_REVERSE);
		mvaddch(v->hist_y + bars, v->hist_col < v->cols ?
		    v->hist_col : 0, '^');
		attroff(A_REVERSE);
	}
	kinds[0] = '\0';
	for (k = 0; valid && k < h->nkinds && o + 30 < sizeof(kinds); k++)
		o += (size_t)snprintf(kinds + o, sizeof(kinds) - o, "%s%s",
		    k ? " " : "", h->kinds[k]);
	if (h->error)
		snprintf(kinds, sizeof(kinds), "histogram: %s", h->errmsg);
	pthread_mutex_unlock(&h->lock);
	view_format_time(v, v->hist_start + zoom_width(v->zoom) *
	    v->hist_col, t, sizeof(t));
	if (valid)
		snprintf(line, sizeof(line), "%s per %s  %s: %llu events  ",
		    "events", zoom_name(v->zoom), t,
		    (unsigned long long)sel_count);
	else
		snprintf(line, sizeof(line), "events per %s  %s  counting...  ",
		    zoom_name(v->zoom), t);
	view_put(v, v->hist_y + bars + 1, 0, line, v->cols, A_DIM);
	/* the legend, in the kinds' colours */
	x = (int)strlen(line);
	if (h->error) {
		view_put(v, v->hist_y + bars + 1, x, kinds, v->cols - x,
		    v->color ? COLOR_PAIR(1) : A_BOLD);
		return;
	}
	{
		const char *p = kinds;

		for (k = 0; *p != '\0' && x < v->cols; k++) {
			const char *e = strchr(p, ' ');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			char name[32];

			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			view_put(v, v->hist_y + bars + 1, x, name, v->cols - x,
			    v->color ? COLOR_PAIR(10 + k) | A_BOLD : 0);
			x += (int)n + 1;
			p += n;
			while (*p == ' ')
				p++;
		}
	}
}
