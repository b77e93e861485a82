/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: the tree pane, the root-cause trees spoor-rca stored in the
 * case, expanded and collapsed like tmux's mode-tree, with the who /
 * what / when / where / how summary of the selected tree above them.  A
 * node leads to its events in the timeline, and an event to its node.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "spoor/json.h"
#include "spoor/store.h"
#include "view.h"

void
tree_release(struct view *v)
{
	size_t i;

	for (i = 0; i < v->ntnodes; i++) {
		free(v->tnodes[i].label);
		free(v->tnodes[i].relation);
		free(v->tnodes[i].reason);
	}
	for (i = 0; i < v->ntrees; i++) {
		free(v->trees[i].summary);
		free(v->trees[i].missing);
	}
	free(v->tnodes);
	free(v->trees);
	v->tnodes = NULL;
	v->trees = NULL;
	v->ntnodes = v->ntrees = 0;
	v->tsel = v->ttop = 0;
	v->tree_loaded = 0;
}

struct load {
	struct view *v;
	size_t tree;
	int failed;
};

static int
on_node(int64_t seq, const struct sp_tree_node *n, void *arg)
{
	struct load *l = arg;
	struct view *v = l->v;
	struct ttree *t = &v->trees[l->tree];
	struct tnode *tn, *nn;

	if ((nn = realloc(v->tnodes, (v->ntnodes + 1) * sizeof(*nn))) == NULL)
		return l->failed = 1;
	v->tnodes = nn;
	tn = &v->tnodes[v->ntnodes];
	memset(tn, 0, sizeof(*tn));
	tn->tree_id = t->id;
	tn->seq = seq;
	tn->node = n->node;
	/* the parent's seq, as an index into the pane's nodes */
	tn->parent = n->parent >= 0 && (size_t)n->parent < t->count + 0 ?
	    (int64_t)(t->first + (size_t)n->parent) : -1;
	tn->depth = n->depth;
	tn->expanded = 1;
	tn->time_ns = n->time_ns;
	tn->confidence = n->confidence;
	tn->label = view_strdup(n->label);
	tn->relation = view_strdup(n->relation);
	tn->reason = view_strdup(n->reason);
	if (tn->parent >= 0)
		v->tnodes[tn->parent].nchildren++;
	v->ntnodes++;
	t->count++;
	return 0;
}

static int
on_tree(const struct sp_tree_info *ti, void *arg)
{
	struct load *l = arg;
	struct view *v = l->v;
	struct ttree *t;
	struct sp_err err;

	if ((t = realloc(v->trees, (v->ntrees + 1) * sizeof(*t))) == NULL)
		return l->failed = 1;
	v->trees = t;
	t = &v->trees[v->ntrees];
	memset(t, 0, sizeof(*t));
	t->id = ti->id;
	t->incident = ti->incident;
	t->root = ti->root;
	t->summary = view_strdup(ti->summary);
	t->missing = view_strdup(ti->missing);
	t->first = v->ntnodes;
	l->tree = v->ntrees++;
	sp_err_init(&err);
	return 0;
}

static void
marks_count(struct view *v)
{
	struct sp_query *q = NULL;
	struct sp_err err;
	int has;
	size_t i;

	sp_err_init(&err);
	for (i = 0; i < v->ntnodes; i++)
		v->tnodes[i].marks = 0;
	if (sp_query_open_marks(&q, v->c, SP_MARK_NODE, 0, &err) != SP_OK)
		return;
	while (sp_query_next(q, &has, &err) == SP_OK && has) {
		const struct sp_mark_row *m = sp_query_mark(q);

		for (i = 0; i < v->ntnodes; i++)
			if (v->tnodes[i].node == m->target_id)
				v->tnodes[i].marks++;
	}
	sp_query_close(q);
}

int
tree_load(struct view *v)
{
	struct load l = { v, 0, 0 };
	struct sp_err err;
	size_t i, n;

	tree_release(v);
	sp_err_init(&err);
	if (sp_graph_trees(v->c, on_tree, &l, &err) != SP_OK)
		return view_msg(v, 1, "trees: %s", err.msg), -1;
	n = v->ntrees;
	for (i = 0; i < n && !l.failed; i++) {
		l.tree = i;
		v->trees[i].first = v->ntnodes;
		v->trees[i].count = 0;
		if (sp_graph_tree_nodes(v->c, v->trees[i].id, on_node, &l, &err)
		    != SP_OK)
			return view_msg(v, 1, "tree %lld: %s",
			    (long long)v->trees[i].id, err.msg), -1;
	}
	if (l.failed)
		return view_msg(v, 1, "trees: out of memory"), -1;
	/* the last child of each parent, for the tree's guides */
	for (i = 0; i < v->ntnodes; i++) {
		size_t j;

		v->tnodes[i].last = 1;
		for (j = i + 1; j < v->ntnodes; j++)
			if (v->tnodes[j].parent == v->tnodes[i].parent &&
			    v->tnodes[j].tree_id == v->tnodes[i].tree_id) {
				v->tnodes[i].last = 0;
				break;
			}
	}
	marks_count(v);
	v->tree_loaded = 1;
	return 0;
}

static int
visible(const struct view *v, size_t i)
{
	int64_t p = v->tnodes[i].parent;

	while (p >= 0) {
		if (!v->tnodes[p].expanded)
			return 0;
		p = v->tnodes[p].parent;
	}
	return VIEW_YES;
}

static const struct ttree *
tree_of(const struct view *v, size_t node)
{
	size_t i;

	for (i = 0; i < v->ntrees; i++)
		if (node >= v->trees[i].first &&
		    node < v->trees[i].first + v->trees[i].count)
			return &v->trees[i];
	return NULL;
}

/* The summary's members the five lines use, as text. */
struct summary {
	char accounts[256], addresses[256], privilege[256], first[48],
	    last[48], hosts[256], entry[512], endpoints[256], deleted[512],
	    how[2048];
};

struct join {
	char *buf;
	size_t size, n;
	const char *sep;
};

static int
join_one(const struct sp_json_val *e, void *arg)
{
	struct join *j = arg;
	char *s = sp_json_string(e);
	int k;

	if (s == NULL || j->n >= j->size)
		return free(s), 0;
	k = snprintf(j->buf + j->n, j->size - j->n, "%s%s", j->n ? j->sep : "",
	    s);
	free(s);
	if (k > 0)
		j->n += (size_t)k;
	if (j->n >= j->size)
		j->n = j->size - 1;
	return 0;
}

static void
val_text(const struct sp_json_val *val, char *buf, size_t size,
    const char *sep)
{
	struct join j = { buf, size, 0, sep };
	char *s;

	buf[0] = '\0';
	if (val->type == SP_JSON_ARRAY)
		sp_json_elements(val, join_one, &j);
	else if (val->type == SP_JSON_STRING && (s = sp_json_string(val))) {
		snprintf(buf, size, "%s", s);
		free(s);
	}
}

static int
summary_member(const char *key, size_t klen, const struct sp_json_val *val,
    void *arg)
{
	struct summary *s = arg;
	static const struct { const char *k; size_t off, size; } m[] = {
#define M(f) { #f, offsetof(struct summary, f), sizeof(((struct summary *)0)->f) }
		M(accounts), M(addresses), M(first), M(last), M(hosts),
		M(entry), M(endpoints), M(deleted), M(how),
#undef M
	};
	size_t i;

	if (klen == 14 && strncmp(key, "privilege_path", 14) == 0) {
		val_text(val, s->privilege, sizeof(s->privilege), " -> ");
		return 0;
	}
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i].k) == klen && strncmp(key, m[i].k, klen) == 0)
			val_text(val, (char *)s + m[i].off, m[i].size, ", ");
	return 0;
}

/* what: the files and entries the tree's nodes wrote, installed, ran */
static void
what_line(const struct view *v, const struct ttree *t, char *buf, size_t size)
{
	size_t i, n = 0, shown = 0;
	int k;

	buf[0] = '\0';
	for (i = t->first; i < t->first + t->count && shown < 6; i++) {
		const struct tnode *tn = &v->tnodes[i];

		if (tn->relation == NULL || tn->label == NULL ||
		    (strcmp(tn->relation, "wrote") != 0 &&
		    strcmp(tn->relation, "uploaded") != 0 &&
		    strcmp(tn->relation, "installed") != 0 &&
		    strcmp(tn->relation, "connected") != 0))
			continue;
		k = snprintf(buf + n, size - n, "%s%s %s", n ? "; " : "",
		    tn->relation, tn->label);
		if (k < 0 || (size_t)k >= size - n)
			break;
		n += (size_t)k;
		shown++;
	}
}

static void
tree_summary(struct view *v, const struct ttree *t, int y, int max)
{
	struct summary s;
	char line[4096];
	int i;

	memset(&s, 0, sizeof(s));
	if (t->summary != NULL)
		sp_json_members(t->summary, strlen(t->summary), summary_member,
		    &s);
	for (i = 0; i < 5 && y < max; i++, y++) {
		switch (i) {
		case 0:
			snprintf(line, sizeof(line), "  who    accounts %s; "
			    "from %s; privilege %s", s.accounts[0] ? s.accounts :
			    "-", s.addresses[0] ? s.addresses : "-",
			    s.privilege[0] ? s.privilege : "-");
			break;
		case 1: {
			char what[2048];

			what_line(v, t, what, sizeof(what));
			snprintf(line, sizeof(line), "  what   %s%s%s",
			    what[0] ? what : "-", s.deleted[0] ?
			    "; deleted " : "", s.deleted);
			break;
		}
		case 2:
			snprintf(line, sizeof(line), "  when   %s to %s",
			    s.first[0] ? s.first : "-", s.last[0] ? s.last :
			    "-");
			break;
		case 3:
			snprintf(line, sizeof(line), "  where  hosts %s; entry "
			    "%s; outbound %s", s.hosts[0] ? s.hosts : "-",
			    s.entry[0] ? s.entry : "-", s.endpoints[0] ?
			    s.endpoints : "-");
			break;
		default:
			snprintf(line, sizeof(line), "  how    %s",
			    s.how[0] ? s.how : "-");
			break;
		}
		view_put(v, y, 0, line, v->cols, 0);
	}
	if (t->missing != NULL && strcmp(t->missing, "[]") != 0 && y < max) {
		snprintf(line, sizeof(line), "  missing %s", t->missing);
		view_put(v, y, 0, line, v->cols, v->color ? COLOR_PAIR(2) :
		    A_DIM);
	}
}

void
tree_draw(struct view *v)
{
	int top = v->filter_y + 1, bottom = v->status_y, y, sumh = 8;
	size_t i, shown = 0, selpos = 0;
	const struct ttree *t;
	char line[2048], buf[4096];

	for (y = top; y < bottom; y++) {
		move(y, 0);
		clrtoeol();
	}
	if (!v->tree_loaded)
		tree_load(v);
	if (v->ntnodes == 0) {
		view_put(v, top + 1, 2, "no root-cause trees in this case: run "
		    "spoor-rca -c CASE to build them", v->cols - 2, A_DIM);
		return;
	}
	if (v->tsel >= v->ntnodes)
		v->tsel = 0;
	t = tree_of(v, v->tsel);
	attron(A_BOLD);
	snprintf(line, sizeof(line), "incident %lld of %zu", t ?
	    (long long)t->incident : 0LL, v->ntrees);
	view_put(v, top, 0, line, v->cols, A_BOLD);
	attroff(A_BOLD);
	if (t != NULL)
		tree_summary(v, t, top + 1, top + sumh - 1);
	top += sumh;
	view_hline(v, top - 1);
	/* the visible nodes; the selection kept on the screen */
	for (i = 0; i < v->ntnodes; i++)
		if (visible(v, i)) {
			if (i == v->tsel)
				selpos = shown;
			shown++;
		}
	if (selpos < v->ttop)
		v->ttop = selpos;
	if (bottom - top > 0 && selpos >= v->ttop + (size_t)(bottom - top))
		v->ttop = selpos - (size_t)(bottom - top) + 1;
	shown = 0;
	y = top;
	for (i = 0; i < v->ntnodes && y < bottom; i++) {
		struct tnode *n = &v->tnodes[i];
		char ind[256], t2[64];
		size_t o = 0;
		int d, attr;

		if (!visible(v, i))
			continue;
		if (shown++ < v->ttop)
			continue;
		ind[0] = '\0';
		{
			/* the guides: a bar for each ancestor with a sibling after it */
			int64_t chain[64], p = n->parent;
			int nc = 0;

			while (p >= 0 && nc < 64) {
				chain[nc++] = p;
				p = v->tnodes[p].parent;
			}
			/* chain[nc-1] is the root: no guide of its own */
			for (d = nc - 2; d >= 0 && o + 8 < sizeof(ind); d--)
				o += (size_t)snprintf(ind + o, sizeof(ind) - o,
				    "%s", v->tnodes[chain[d]].last ? "  " :
				    v->ascii ? "| " : "\xe2\x94\x82 ");
			if (n->parent >= 0 && o + 8 < sizeof(ind))
				o += (size_t)snprintf(ind + o, sizeof(ind) - o,
				    "%s", n->last ? (v->ascii ? "`-" :
				    "\xe2\x94\x94\xe2\x94\x80") : (v->ascii ?
				    "|-" : "\xe2\x94\x9c\xe2\x94\x80"));
		}
		view_format_time(v, n->time_ns, t2, sizeof(t2));
		snprintf(line, sizeof(line), "%s%s %s%s%s%s  %s  %.2f%s",
		    ind, n->nchildren == 0 ? " " : n->expanded ? "-" : "+",
		    n->relation ? n->relation : "", n->relation ? ": " : "",
		    n->label ? n->label : "", n->marks ? " *" : "", t2,
		    n->confidence, n->reason && n->reason[0] ? "" : "");
		attr = i == v->tsel ? A_REVERSE : 0;
		if (n->depth == 0)
			attr |= A_BOLD;
		attron(attr);
		mvhline(y, 0, ' ', v->cols);
		view_escape(line, SIZE_MAX, v->ascii, buf, sizeof(buf), v->cols,
		    NULL);
		mvaddstr(y, 0, buf);
		attroff(attr);
		y++;
	}
}

static size_t
step(const struct view *v, size_t from, int dir)
{
	size_t i = from;

	for (;;) {
		if (dir > 0) {
			if (i + 1 >= v->ntnodes)
				return from;
			i++;
		} else {
			if (i == 0)
				return from;
			i--;
		}
		if (visible(v, i))
			return i;
	}
}

/* A key of the tree pane; 1 when it was one. */
int
tree_key(struct view *v, int ch)
{
	struct tnode *n;
	int k;

	if (v->ntnodes == 0)
		return 0;
	n = &v->tnodes[v->tsel];
	switch (ch) {
	case 'j': case KEY_DOWN:
		v->tsel = step(v, v->tsel, 1);
		return VIEW_YES;
	case 'k': case KEY_UP:
		v->tsel = step(v, v->tsel, -1);
		return VIEW_YES;
	case KEY_NPAGE: case ' ':
		for (k = 0; k < v->list_h; k++)
			v->tsel = step(v, v->tsel, 1);
		return VIEW_YES;
	case KEY_PPAGE: case 'b':
		for (k = 0; k < v->list_h; k++)
			v->tsel = step(v, v->tsel, -1);
		return VIEW_YES;
	case 'g': case KEY_HOME:
		v->tsel = 0;
		return VIEW_YES;
	case 'G': case KEY_END:
		while (step(v, v->tsel, 1) != v->tsel)
			v->tsel = step(v, v->tsel, 1);
		return VIEW_YES;
	case 'l': case KEY_RIGHT:
		if (n->nchildren > 0 && !n->expanded)
			n->expanded = 1;
		else
			v->tsel = step(v, v->tsel, 1);
		return VIEW_YES;
	case 'h': case KEY_LEFT:
		if (n->nchildren > 0 && n->expanded)
			n->expanded = 0;
		else if (n->parent >= 0)
			v->tsel = (size_t)n->parent;
		return VIEW_YES;
	case 'x':	/* expand or collapse */
		if (n->nchildren > 0)
			n->expanded = !n->expanded;
		return VIEW_YES;
	case 'E':	/* expand all */
	case 'C':	/* collapse all */
		for (size_t i = 0; i < v->ntnodes; i++)
			v->tnodes[i].expanded = ch == 'E';
		while (v->tnodes[v->tsel].parent >= 0 &&
		    !visible(v, v->tsel))
			v->tsel = (size_t)v->tnodes[v->tsel].parent;
		return VIEW_YES;
	case '\n': case KEY_ENTER:
		tree_jump_events(v);
		return VIEW_YES;
	}
	return 0;
}

struct first_event {
	int64_t id, count;
};

static int
event_id(const struct sp_json_val *e, void *arg)
{
	struct first_event *f = arg;
	int64_t id;

	if (sp_json_integer(e, &id) == 0) {
		if (f->count == 0)
			f->id = id;
		f->count++;
	}
	return 0;
}

/* Show the selected node's first event in the timeline. */
int
tree_jump_events(struct view *v)
{
	struct sp_graph_reader *r = NULL;
	const struct sp_gnode *n;
	struct sp_event_record *rec = NULL;
	struct first_event fe = { 0, 0 };
	struct sp_json_val arr;
	struct sp_err err;
	int64_t node;
	sp_time_ns t;

	if (v->ntnodes == 0)
		return -1;
	node = v->tnodes[v->tsel].node;
	sp_err_init(&err);
	if (sp_graph_reader_open(&r, v->c, NULL, &err) != SP_OK ||
	    sp_graph_node(r, node, &n, &err) != SP_OK) {
		sp_graph_reader_close(r);
		return view_msg(v, 1, "node %lld: %s", (long long)node,
		    err.msg), -1;
	}
	if (n->events != NULL) {
		arr.type = SP_JSON_ARRAY;
		arr.p = n->events;
		arr.len = strlen(n->events);
		sp_json_elements(&arr, event_id, &fe);
	}
	sp_graph_reader_close(r);
	if (fe.count == 0) {
		/* an inferred node: its time in the tree */
		t = v->tnodes[v->tsel].time_ns;
		if (t == SP_TIME_NONE)
			return view_msg(v, 1, "node %lld has no events and no "
			    "time (it was inferred)", (long long)node), -1;
		if (timeline_goto(v, t, INT64_MIN) != 0)
			return -1;
		view_msg(v, 0, "node %lld has no events of its own (it was "
		    "inferred): the timeline at its time", (long long)node);
		v->focus = PANE_TIMELINE;
		return 0;
	}
	if (sp_event_record_get(v->c, fe.id, &rec, &err) != SP_OK)
		return view_msg(v, 1, "event %lld: %s", (long long)fe.id,
		    err.msg), -1;
	t = rec->event->time_ns;
	sp_event_record_free(rec);
	if (timeline_goto(v, t, fe.id) != 0)
		return -1;
	if (timeline_selected(v) == NULL || timeline_selected(v)->id != fe.id)
		view_msg(v, 0, "node %lld: %lld events from event %lld (the "
		    "filter hides it)", (long long)node, (long long)fe.count,
		    (long long)fe.id);
	else
		view_msg(v, 0, "node %lld: %lld events, the first selected",
		    (long long)node, (long long)fe.count);
	v->focus = PANE_TIMELINE;
	return 0;
}

struct found {
	struct view *v;
	int64_t node;
	int hit;
};

static int
on_found(int64_t node, void *arg)
{
	struct found *f = arg;
	size_t i;

	for (i = 0; i < f->v->ntnodes; i++)
		if (f->v->tnodes[i].node == node) {
			f->v->tsel = i;
			f->hit = 1;
			return VIEW_YES;
		}
	return 0;
}

/* Select the tree node that holds the event; 0 when there is one. */
int
tree_find_event(struct view *v, int64_t event_id)
{
	struct sp_graph_reader *r = NULL;
	struct found f = { v, 0, 0 };
	struct sp_err err;
	int64_t p;

	sp_err_init(&err);
	if (!v->tree_loaded && tree_load(v) != 0)
		return -1;
	if (sp_graph_reader_open(&r, v->c, NULL, &err) != SP_OK)
		return view_msg(v, 1, "no causal graph in this case: run "
		    "spoor-rca -c CASE"), -1;
	sp_graph_find(r, SP_GRAPH_FIND_EVENT, event_id, NULL, on_found, &f,
	    &err);
	sp_graph_reader_close(r);
	if (!f.hit)
		return view_msg(v, 1, "event %lld is in no root-cause tree",
		    (long long)event_id), -1;
	for (p = v->tnodes[v->tsel].parent; p >= 0; p = v->tnodes[p].parent)
		v->tnodes[p].expanded = 1;
	v->focus = PANE_TREE;
	return 0;
}
