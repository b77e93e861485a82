/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: the state of the terminal UI and what its parts share.
 *
 * The screen is, from the top: the histogram (events per bucket around
 * the selected row), the filter bar, the timeline's column header and
 * rows, the detail pane of the selected row, and the status line, which
 * the command line replaces while one is typed.  The tree pane takes the
 * place of the timeline and detail panes while it is shown.
 *
 * The timeline holds only the rows on the screen: every move asks the
 * read cursor for the next or previous rows by key (time, id), so a case
 * of ten million events costs what a screenful costs.
 */
#ifndef SPOOR_VIEW_H
#define SPOOR_VIEW_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "spoor/case.h"
#include "spoor/err.h"
#include "spoor/graph.h"
#include "spoor/query.h"
#include "spoor/run.h"
#include "spoor/time.h"

/* A yes of the functions that answer whether they did something. */
#define VIEW_YES 1

/* ---- text: everything from a case is escaped before it is drawn ---- */

/*
 * Write s (len bytes, or strlen when len is SIZE_MAX) into out (size
 * bytes, always NUL-terminated) as text a terminal shows as it is:
 * well-formed printable UTF-8 (or only printable ASCII with ascii) is
 * kept, every other byte is written \xHH, and control, format and
 * bidirectional code points are written \u{HHHH}.  At most cols columns
 * are written; *width (may be NULL) receives the columns used.  Returns
 * the bytes of s consumed.
 */
size_t view_escape(const char *s, size_t len, int ascii, char *out,
    size_t size, int cols, int *width);

/* ---- one row of the timeline, copied out of the cursor ---- */

struct vrow {
	int64_t id;
	sp_time_ns time_ns;
	int64_t pid;
	int marks;		/* tags and notes on the event */
	int severity;		/* enum sp_severity + 1, or 0 for none */
	char *time_desc, *artifact, *host, *user, *text;
};

/* ---- the filter the timeline and the histogram show ---- */

#define VIEW_MAX_KINDS 32

struct vfilter {
	struct sp_query_filter q;	/* points into the strings below */
	char *kinds[VIEW_MAX_KINDS];
	size_t nkinds;
	char *host, *user, *match, *tag;
	char *search;		/* the words of / and ?, for n and N */
	char *search_fts;	/* the same as an FTS5 query */
};

/* ---- the histogram, counted by a worker on its own connection ---- */

enum zoom { ZOOM_DAY, ZOOM_HOUR, ZOOM_MINUTE, ZOOM_SECOND, NZOOM };

#define HIST_KINDS 6		/* kinds coloured apart; the rest are "other" */
#define HIST_MAX_COLS 1024
#define HIST_ROWS 5		/* three of bars, the marks, the legend */

struct hist {
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct sp_case *c;	/* the worker's connection */
	/* the request, under lock */
	int want, quit;
	uint64_t gen;		/* of the last request */
	sp_time_ns start, width;
	int ncols;
	struct vfilter *filter;	/* a copy owned by the request */
	/* the answer, under lock */
	uint64_t done_gen;	/* of the answer below; 0 none */
	sp_time_ns a_start, a_width;
	int a_ncols;
	uint64_t counts[HIST_MAX_COLS][HIST_KINDS + 1];
	uint64_t detections[HIST_MAX_COLS], tagged[HIST_MAX_COLS];
	char kinds[HIST_KINDS][24];
	int nkinds;
	int error;
	char errmsg[160];
	int ready;		/* a new answer to draw */
	int wakefd[2];		/* the worker writes a byte when it is done */
};

/* ---- the tree pane ---- */

struct tnode {
	int64_t tree_id, seq, node, parent;	/* parent: index, or -1 */
	int depth, expanded, hidden, nchildren, last;
	sp_time_ns time_ns;
	double confidence;
	char *label, *relation, *reason;
	int marks;
};

struct ttree {
	int64_t id, incident, root;
	char *summary;		/* JSON text */
	char *missing;
	size_t first, count;	/* its nodes in view->tnodes */
};

/* ---- the whole view ---- */

enum pane { PANE_TIMELINE, PANE_HIST, PANE_DETAIL, PANE_TREE, NPANE };

struct view {
	struct sp_case *c;
	struct sp_run *run;	/* NULL when read-only */
	const char *case_path;
	int read_only, ascii, color, utc;
	const char *zone;
	int quit;
	int status;		/* the exit status to end with */

	/* layout */
	int rows, cols;
	int hist_y, hist_h, filter_y, head_y, list_y, list_h;
	int detail_y, detail_h, status_y;
	int show_detail, show_hist;
	enum pane focus;

	/* timeline: the rows on the screen */
	struct vfilter filter;
	struct vrow *rowv;
	int nrows, cap, sel;
	int at_start, at_end;	/* nothing before the first / after the last */
	int hscroll;

	/* histogram */
	struct hist hist;
	enum zoom zoom;
	sp_time_ns hist_start;	/* first bucket shown */
	int hist_col;		/* the selected bucket */

	/* detail */
	char **dlines;
	size_t ndlines;
	int dtop;
	int64_t detail_id;

	/* tree */
	int tree_loaded;
	struct ttree *trees;
	size_t ntrees;
	struct tnode *tnodes;
	size_t ntnodes;
	size_t tsel, ttop;

	/* messages and the command line */
	char msg[512];
	int msg_error;
	double last_ms;
	FILE *trace;
	struct timespec t0;
	struct timespec key_t0;	/* when the key being handled was read */
};

/* util.c */
char *view_strdup(const char *s);
void view_msg(struct view *v, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void view_format_time(const struct view *v, sp_time_ns t, char *buf,
    size_t size);
int view_parse_time(const struct view *v, const char *s, sp_time_ns *t);
void vrow_release(struct vrow *r);

/* filter.c */
void vfilter_init(struct vfilter *f);
void vfilter_release(struct vfilter *f);
int vfilter_copy(struct vfilter *dst, const struct vfilter *src);
int vfilter_set_kinds(struct vfilter *f, const char *list);
void vfilter_sync(struct vfilter *f);
int vfilter_from_query(struct vfilter *f, const struct sp_query_filter *q);
char *view_fts_query(const char *words);
void vfilter_describe(const struct vfilter *f, char *buf, size_t size);

/* timeline.c */
int timeline_first(struct view *v);
int timeline_last(struct view *v);
int timeline_goto(struct view *v, sp_time_ns t, int64_t id);
int timeline_reload(struct view *v);
int timeline_move(struct view *v, int delta);
int timeline_page(struct view *v, int dir);
int timeline_search(struct view *v, int backward);
const struct vrow *timeline_selected(const struct view *v);
void timeline_draw(struct view *v);

/* hist.c */
int hist_start(struct view *v);
void hist_stop(struct view *v);
void hist_request(struct view *v);
int hist_take(struct view *v);
void hist_draw(struct view *v);
sp_time_ns zoom_width(enum zoom z);
const char *zoom_name(enum zoom z);

/* detail.c */
void detail_load(struct view *v);
void detail_draw(struct view *v);
void detail_release(struct view *v);
int pager_open_file(struct view *v);

/* tree.c */
int tree_load(struct view *v);
void tree_release(struct view *v);
void tree_draw(struct view *v);
int tree_key(struct view *v, int ch);
int tree_jump_events(struct view *v);
int tree_find_event(struct view *v, int64_t event_id);

/* cmd.c */
int cmd_run(struct view *v, const char *line);
int cmd_prompt(struct view *v, const char *prompt, const char *initial,
    char *out, size_t size);
void help_show(struct view *v);

/* main.c */
void view_layout(struct view *v);
void view_draw(struct view *v);
void view_hline(struct view *v, int y);
void view_put(struct view *v, int y, int x, const char *s, int cols,
    int attr);
int view_poll_signals(struct view *v);

#endif
