/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The analysis over the stored graph.  From each target, a backward walk
 * bounded in time (BackTracker): an edge into a node counts only when it
 * is no later than the time the node was reached at.  The nodes where the
 * walk ends are root candidates, ranked by trust hints: a remote address
 * that logged in or sent requests, a remote login (less when the account
 * routinely logs in from there), a web request, a web server, then the
 * rest.  Targets with the same root are one incident.  From the root, a
 * forward walk in time order (each node is entered by its earliest edge)
 * gives everything the attacker's actions reached: the tree.  Pruning
 * drops leaves that explain nothing (name lookups, requests for pages).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/graph.h"
#include "spoor/query.h"
#include "spoor/rca.h"
#include "rca/rca-internal.h"
#include "rca/rca-tree.h"

#define NONE SP_GRAPH_NONE
#define SEC 1000000000LL
#define MAX_BACK 20000
#define DEFAULT_NODES 2000
#define DEFAULT_DEPTH 64

struct cache {
	struct gnode *g;
	size_t n, cap;
	struct rmap map;
};

static char *
dup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
gnode_free(struct gnode *g)
{
	free(g->type);
	free(g->host);
	free(g->exe);
	free(g->argv);
	free(g->cwd);
	free(g->tty);
	free(g->comm);
	free(g->user);
	free(g->address);
	free(g->method);
	free(g->name);
	free(g->path);
	free(g->sha256);
	free(g->detail);
	free(g->events);
}

static void
gnode_copy(struct gnode *d, const struct sp_gnode *s)
{
	memset(d, 0, sizeof(*d));
	d->id = s->id;
	d->kind = s->kind;
	d->type = dup(s->type);
	d->host = dup(s->host);
	d->exe = dup(s->exe);
	d->argv = dup(s->argv);
	d->cwd = dup(s->cwd);
	d->tty = dup(s->tty);
	d->comm = dup(s->comm);
	d->user = dup(s->user);
	d->address = dup(s->address);
	d->method = dup(s->method);
	d->name = dup(s->name);
	d->path = dup(s->path);
	d->sha256 = dup(s->sha256);
	d->detail = dup(s->detail);
	d->events = dup(s->events);
	d->start = s->start_ns;
	d->end = s->end_ns;
	d->pid = s->pid;
	d->ppid = s->ppid;
	d->uid = s->uid;
	d->euid = s->euid;
	d->auid = s->auid;
	d->ses = s->ses;
	d->port = s->port;
	d->file_id = s->file_id;
	d->inode = s->inode;
	d->inferred = s->inferred;
}

/* The cached copy of node id; NULL with err set when it fails. */
static const struct gnode *
node_get(struct cache *c, struct sp_graph_reader *r, int64_t id,
    struct sp_err *err)
{
	char k[32];
	int n = snprintf(k, sizeof(k), "%" PRId64, id);
	int64_t i;
	const struct sp_gnode *g;

	if (rmap_get(&c->map, k, (size_t)n, &i))
		return &c->g[i];
	if (sp_graph_node(r, id, &g, err) != SP_OK)
		return NULL;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 256;
		struct gnode *ng = realloc(c->g, nc * sizeof(*ng));
		if (ng == NULL) {
			sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
			return NULL;
		}
		c->g = ng;
		c->cap = nc;
	}
	gnode_copy(&c->g[c->n], g);
	if (rmap_put(&c->map, k, (size_t)n, (int64_t)c->n) != 0) {
		sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
		return NULL;
	}
	return &c->g[c->n++];
}

/* ---- the backward walk ---- */

struct back {
	struct cache *cache;
	struct sp_graph_reader *r;
	const struct sp_rca_options *o;
	struct rmap seen;		/* id -> index in v */
	struct bv {
		int64_t id;
		sp_time_ns bound;
		int64_t pred;		/* the node it was reached from */
		int64_t edge;
		int expanded, in;
	} *v;
	size_t nv, cv;
	size_t head;
	struct sp_err *err;
	int fail;
	const struct gnode *cur;
	size_t curi;
};

static size_t
visit(struct back *w, int64_t id, sp_time_ns bound, int64_t pred,
    int64_t edge)
{
	char k[32];
	int n = snprintf(k, sizeof(k), "%" PRId64, id);
	int64_t i;

	if (rmap_get(&w->seen, k, (size_t)n, &i)) {
		sp_time_ns old = w->v[i].bound;
		/* a later bound reaches more: walk it again */
		if (old != SP_TIME_NONE && (bound == SP_TIME_NONE ||
		    bound > old)) {
			w->v[i].bound = bound;
			w->v[i].expanded = 0;
		}
		return (size_t)i;
	}
	if (w->nv == w->cv) {
		size_t nc = w->cv ? w->cv * 2 : 256;
		struct bv *nv = realloc(w->v, nc * sizeof(*nv));
		if (nv == NULL) {
			w->fail = sp_err_set(w->err, SP_E_NOMEM, 0, "out of "
			    "memory");
			return 0;
		}
		w->v = nv;
		w->cv = nc;
	}
	w->v[w->nv].id = id;
	w->v[w->nv].bound = bound;
	w->v[w->nv].pred = pred;
	w->v[w->nv].edge = edge;
	w->v[w->nv].expanded = 0;
	w->v[w->nv].in = 0;
	if (rmap_put(&w->seen, k, (size_t)n, (int64_t)w->nv) != 0)
		w->fail = sp_err_set(w->err, SP_E_NOMEM, 0, "out of memory");
	return w->nv++;
}

static int
back_edge(const struct sp_gedge *e, void *arg)
{
	struct back *w = arg;
	const struct gnode *src;

	if (w->nv >= MAX_BACK)
		return 1;
	if (!w->o->all) {
		/* what a package manager wrote is the package's */
		if (e->src_kind == SP_GNODE_PROCESS) {
			src = node_get(w->cache, w->r, e->src, w->err);
			if (src == NULL) {
				w->fail = SP_E_CASE;
				return 1;
			}
			if (rca_is_package_manager(src->exe))
				return 0;
		}
	}
	w->v[w->curi].in++;
	visit(w, e->src, e->time_ns, w->v[w->curi].id, e->id);
	return w->fail != 0;
}

static int
backward(struct back *w)
{
	while (w->head < w->nv && !w->fail) {
		size_t i = w->head++;
		if (w->v[i].expanded)
			continue;
		w->v[i].expanded = 1;
		w->curi = i;
		{
			/* a daemon (no exec record) was made to act by what
			 * reached it just before, not by all its past */
			const struct gnode *g = node_get(w->cache, w->r,
			    w->v[i].id, w->err);
			sp_time_ns from = SP_TIME_NONE;
			if (g == NULL)
				return w->err != NULL ? w->err->code : SP_E_CASE;
			if (!w->o->all && g->kind == SP_GNODE_PROCESS &&
			    g->inferred && w->v[i].bound != SP_TIME_NONE)
				from = w->v[i].bound - 5 * SEC;
			if (sp_graph_edges(w->r, w->v[i].id, SP_GRAPH_IN, from,
			    w->v[i].bound, back_edge, w, w->err) != SP_OK)
				return w->err != NULL ? w->err->code :
				    SP_E_CASE;
		}
		if (w->nv >= MAX_BACK)
			break;
		/* a node whose bound grew is walked again */
		if (w->head == w->nv) {
			size_t k;
			for (k = 0; k < w->nv; k++)
				if (!w->v[k].expanded) {
					w->head = k;
					break;
				}
		}
	}
	return w->fail;
}

/* How much a node looks like where an attack came in. */
static int
trust_score(struct back *w, const struct gnode *g, sp_time_ns t)
{
	int64_t count = 0;

	if (g->kind == SP_GNODE_OBJECT && g->type != NULL) {
		if (strcmp(g->type, "endpoint") == 0)
			/* an address that guessed passwords first */
			return g->detail != NULL && strstr(g->detail,
			    "failed_logins") != NULL ? 70 : 60;
		if (strcmp(g->type, "request") == 0)
			return g->method != NULL && strcmp(g->method, "POST") ==
			    0 ? 45 : 40;
		if (strcmp(g->type, "cron") == 0 ||
		    strcmp(g->type, "unit") == 0)
			return 10;
		return 5;
	}
	if (g->kind == SP_GNODE_SESSION) {
		if (g->address != NULL) {
			if (sp_graph_login_count(w->r, g->user, g->address,
			    t, &count, w->err) == SP_OK && count >= 3)
				return 15;
			return 50;
		}
		return 30;
	}
	if (rca_is_web_server(g->exe))
		return 25;
	if (g->pid == 1)
		return 1;
	return g->inferred ? 8 : 12;
}

/* ---- the forward walk ---- */

struct fwd {
	struct cache *cache;
	struct sp_graph_reader *r;
	const struct sp_rca_options *o;
	struct incident *inc;
	struct rmap in_tree;		/* id -> tree index */
	/* a queue ordered by time: a binary heap of pending edges */
	struct pend {
		int from;		/* tree index */
		int64_t to, id;
		char to_kind;
		char *kind, *reason, *events;
		sp_time_ns t;
		double conf;
		int depth;		/* of from: a deeper cause wins a tie */
		int rank;		/* 0: a process's own parent */
	} *heap;
	size_t nh, ch;
	int cur;
	sp_time_ns limit;
	struct sp_err *err;
	int fail;
};

static int
pend_less(const struct pend *a, const struct pend *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->rank != b->rank)
		return a->rank < b->rank;
	if (a->depth != b->depth)
		return a->depth > b->depth;
	if (a->conf != b->conf)
		return a->conf > b->conf;
	return a->id < b->id;
}

static void
heap_push(struct fwd *f, struct pend *p)
{
	size_t i;

	if (f->nh == f->ch) {
		size_t nc = f->ch ? f->ch * 2 : 256;
		struct pend *nh = realloc(f->heap, nc * sizeof(*nh));
		if (nh == NULL) {
			f->fail = sp_err_set(f->err, SP_E_NOMEM, 0, "out of "
			    "memory");
			free(p->kind);
			free(p->reason);
			free(p->events);
			return;
		}
		f->heap = nh;
		f->ch = nc;
	}
	i = f->nh++;
	f->heap[i] = *p;
	while (i > 0 && pend_less(&f->heap[i], &f->heap[(i - 1) / 2])) {
		struct pend t = f->heap[i];
		f->heap[i] = f->heap[(i - 1) / 2];
		f->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static struct pend
heap_pop(struct fwd *f)
{
	struct pend top = f->heap[0];
	size_t i = 0;

	f->heap[0] = f->heap[--f->nh];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < f->nh && pend_less(&f->heap[l], &f->heap[m]))
			m = l;
		if (r < f->nh && pend_less(&f->heap[r], &f->heap[m]))
			m = r;
		if (m == i)
			break;
		struct pend t = f->heap[i];
		f->heap[i] = f->heap[m];
		f->heap[m] = t;
		i = m;
	}
	return top;
}

static int
tree_add(struct incident *inc, const struct gnode *g, int parent,
    const char *relation, const char *reason, int64_t edge, double conf,
    sp_time_ns t)
{
	struct tnode *n;

	if (inc->nn == inc->cn) {
		size_t nc = inc->cn ? inc->cn * 2 : 64;
		struct tnode *nn = realloc(inc->n, nc * sizeof(*nn));
		if (nn == NULL)
			return -1;
		inc->n = nn;
		inc->cn = nc;
	}
	n = &inc->n[inc->nn];
	memset(n, 0, sizeof(*n));
	gnode_copy(&n->g, &(struct sp_gnode){ .id = g->id, .kind = g->kind,
	    .type = g->type, .host = g->host, .exe = g->exe, .argv = g->argv,
	    .cwd = g->cwd, .tty = g->tty, .comm = g->comm, .user = g->user,
	    .address = g->address, .method = g->method, .name = g->name,
	    .path = g->path, .sha256 = g->sha256, .detail = g->detail,
	    .events = g->events, .start_ns = g->start, .end_ns = g->end,
	    .pid = g->pid, .ppid = g->ppid, .uid = g->uid, .euid = g->euid,
	    .auid = g->auid, .ses = g->ses, .port = g->port,
	    .file_id = g->file_id, .inode = g->inode,
	    .inferred = g->inferred });
	n->parent = parent;
	n->relation = dup(relation);
	n->reason = dup(reason);
	n->edge = edge;
	n->conf = conf;
	n->t = t;
	n->depth = parent >= 0 ? inc->n[parent].depth + 1 : 0;
	return (int)inc->nn++;
}

static int
tedge_add(struct incident *inc, int from, int to, const struct pend *p)
{
	struct tedge *e;

	if (inc->ne == inc->ce) {
		size_t nc = inc->ce ? inc->ce * 2 : 64;
		struct tedge *ne = realloc(inc->e, nc * sizeof(*ne));
		if (ne == NULL)
			return -1;
		inc->e = ne;
		inc->ce = nc;
	}
	e = &inc->e[inc->ne++];
	e->from = from;
	e->to = to;
	e->id = p->id;
	e->kind = dup(p->kind);
	e->reason = dup(p->reason);
	e->events = dup(p->events);
	e->t = p->t;
	e->conf = p->conf;
	return 0;
}

static int
tree_index(struct fwd *f, int64_t id)
{
	char k[32];
	int n = snprintf(k, sizeof(k), "%" PRId64, id);
	int64_t i;

	return rmap_get(&f->in_tree, k, (size_t)n, &i) ? (int)i : -1;
}

static void
tree_mark(struct fwd *f, int64_t id, int idx)
{
	char k[32];
	int n = snprintf(k, sizeof(k), "%" PRId64, id);

	if (rmap_put(&f->in_tree, k, (size_t)n, idx) != 0)
		f->fail = SP_E_NOMEM;
}

static int
fwd_edge(const struct sp_gedge *e, void *arg)
{
	struct fwd *f = arg;
	struct pend p;

	if (f->limit != SP_TIME_NONE && e->time_ns != NONE &&
	    e->time_ns > f->limit)
		return 0;
	/* what the evidence hardly supports is not impact */
	if (!f->o->all && e->confidence < 0.35)
		return 0;
	/* what a node did before it was reached is not its impact */
	memset(&p, 0, sizeof(p));
	p.from = f->cur;
	p.to = e->dst;
	p.to_kind = e->dst_kind;
	p.id = e->id;
	p.kind = dup(e->kind);
	p.reason = dup(e->reason);
	p.events = dup(e->events);
	p.t = e->time_ns;
	p.conf = e->confidence;
	p.depth = f->inc->n[f->cur].depth;
	/* a process's parent, or what started it, before its program */
	p.rank = (e->src_kind == SP_GNODE_PROCESS &&
	    e->dst_kind == SP_GNODE_PROCESS) || (e->kind != NULL &&
	    strcmp(e->kind, "started_by") == 0) ? 0 : 1;
	heap_push(f, &p);
	return f->fail != 0;
}

static int
expand(struct fwd *f, int idx)
{
	const struct tnode *n = &f->inc->n[idx];
	sp_time_ns from = n->t == NONE || n->t == SP_TIME_NONE ?
	    SP_TIME_NONE : n->t - SEC;
	int64_t id = n->g.id;

	f->cur = idx;
	/* a daemon (a process with no exec record) acts for whoever reached
	 * it only for a moment */
	if (n->g.kind == SP_GNODE_PROCESS && n->g.inferred &&
	    n->parent >= 0 && from != SP_TIME_NONE && n->relation != NULL &&
	    strcmp(n->relation, "served") == 0) {
		return sp_graph_edges(f->r, id, SP_GRAPH_OUT, from,
		    from + 5 * SEC, fwd_edge, f, f->err);
	}
	return sp_graph_edges(f->r, id, SP_GRAPH_OUT, from, SP_TIME_NONE,
	    fwd_edge, f, f->err);
}

static int
inc_inferred(const struct fwd *f, int idx)
{
	const struct tnode *n = &f->inc->n[idx];

	return n->g.kind == SP_GNODE_PROCESS && n->g.inferred;
}

static int
forward(struct fwd *f, int64_t root, size_t max_nodes, int max_depth)
{
	const struct gnode *g;
	int idx, rc;

	if ((g = node_get(f->cache, f->r, root, f->err)) == NULL)
		return f->err != NULL ? f->err->code : SP_E_CASE;
	if ((idx = tree_add(f->inc, g, -1, NULL, NULL, NONE, 1.0,
	    g->start)) < 0)
		return SP_E_NOMEM;
	f->inc->n[idx].root = 1;
	f->inc->n[idx].t = SP_TIME_NONE;
	tree_mark(f, root, idx);
	if ((rc = expand(f, idx)) != SP_OK)
		return rc;
	while (f->nh > 0 && !f->fail) {
		struct pend p = heap_pop(f);
		int to = tree_index(f, p.to), ni;

		/* a daemon serves each request anew: one tree node each */
		if (to >= 0 && p.to_kind == SP_GNODE_PROCESS &&
		    strcmp(p.kind, "served") == 0 && inc_inferred(f, to))
			to = -1;
		if (to >= 0) {
			/* another cause of a node already in: an edge */
			if (to != p.from && tedge_add(f->inc, p.from, to,
			    &p) != 0)
				f->fail = SP_E_NOMEM;
		} else if (f->inc->nn < max_nodes &&
		    f->inc->n[p.from].depth < max_depth) {
			if ((g = node_get(f->cache, f->r, p.to, f->err)) ==
			    NULL) {
				f->fail = SP_E_CASE;
			} else if (!f->o->all && p.to_kind ==
			    SP_GNODE_PROCESS && g->inferred && g->pid == 1) {
				/* init is everyone's parent */
			} else if ((ni = tree_add(f->inc, g, p.from, p.kind,
			    p.reason, p.id, p.conf, p.t)) < 0) {
				f->fail = SP_E_NOMEM;
			} else {
				if (tree_index(f, p.to) < 0)
					tree_mark(f, p.to, ni);
				if (tedge_add(f->inc, p.from, ni, &p) != 0)
					f->fail = SP_E_NOMEM;
				if (strcmp(p.kind, "deleted") == 0)
					f->inc->n[ni].deleted = 1;
				if (!f->fail && expand(f, ni) != SP_OK)
					f->fail = f->err != NULL ?
					    f->err->code : SP_E_CASE;
			}
		}
		free(p.kind);
		free(p.reason);
		free(p.events);
	}
	return f->fail;
}

/* ---- pruning ---- */

static int
children(const struct incident *inc, int i)
{
	size_t k;
	int c = 0;

	for (k = 0; k < inc->nn; k++)
		if (!inc->n[k].removed && inc->n[k].parent == i)
			c++;
	return c;
}

/* A leaf that explains nothing: a lookup, a page, a read. */
static int
dull_leaf(const struct tnode *n)
{
	const struct gnode *g = &n->g;

	if (n->target || n->ndet > 0 || n->root || n->deleted)
		return 0;
	if (g->kind == SP_GNODE_OBJECT && g->type != NULL) {
		if (strcmp(g->type, "endpoint") == 0 && g->port == 53)
			return 1;
		if (strcmp(g->type, "request") == 0 && (g->path == NULL ||
		    strchr(g->path, '?') == NULL) && (g->method == NULL ||
		    strcmp(g->method, "GET") == 0))
			return 1;
		if (strcmp(g->type, "file") == 0 && n->relation != NULL &&
		    strcmp(n->relation, "read") == 0)
			return 1;
		if (strcmp(g->type, "file") == 0 && rca_is_noise_path(g->path))
			return 1;
	}
	return 0;
}

static void
prune(struct incident *inc)
{
	int changed = 1;
	size_t i;

	while (changed) {
		changed = 0;
		for (i = inc->nn; i-- > 0;) {
			struct tnode *n = &inc->n[i];
			if (n->removed || children(inc, (int)i) > 0)
				continue;
			if (dull_leaf(n)) {
				n->removed = 1;
				changed = 1;
			}
		}
	}
}

/* Drop removed nodes and renumber parents and edges. */
static void
compact(struct incident *inc)
{
	int *map = malloc((inc->nn + 1) * sizeof(int));
	size_t i, k = 0, e = 0;

	if (map == NULL)
		return;
	for (i = 0; i < inc->nn; i++) {
		if (inc->n[i].removed) {
			map[i] = -1;
			gnode_free(&inc->n[i].g);
			free(inc->n[i].relation);
			free(inc->n[i].reason);
			continue;
		}
		map[i] = (int)k;
		inc->n[k++] = inc->n[i];
	}
	for (i = 0; i < k; i++)
		if (inc->n[i].parent >= 0)
			inc->n[i].parent = map[inc->n[i].parent];
	for (i = 0; i < inc->ne; i++) {
		struct tedge *t = &inc->e[i];
		if (map[t->from] < 0 || map[t->to] < 0) {
			free(t->kind);
			free(t->reason);
			free(t->events);
			continue;
		}
		t->from = map[t->from];
		t->to = map[t->to];
		inc->e[e++] = *t;
	}
	inc->nn = k;
	inc->ne = e;
	free(map);
}

/* Tree order: each node followed by its children in time order. */
static void
reorder(struct incident *inc)
{
	struct tnode *out;
	int *map, *stack;
	size_t i, no = 0, sp = 0;

	if (inc->nn == 0)
		return;
	out = malloc(inc->nn * sizeof(*out));
	map = malloc(inc->nn * sizeof(*map));
	stack = malloc(inc->nn * sizeof(*stack));
	if (out == NULL || map == NULL || stack == NULL)
		goto done;
	for (i = 0; i < inc->nn; i++)
		map[i] = -1;
	for (i = inc->nn; i-- > 0;)
		if (inc->n[i].parent < 0)
			stack[sp++] = (int)i;
	while (sp > 0) {
		int cur = stack[--sp];
		size_t c, nchild = 0, base = sp;

		map[cur] = (int)no;
		out[no++] = inc->n[cur];
		/* children, latest pushed first so the earliest pops first */
		for (c = 0; c < inc->nn; c++)
			if (inc->n[c].parent == cur)
				stack[sp++] = (int)c, nchild++;
		/* sort the pushed children by time, descending */
		for (c = base; c < sp; c++) {
			size_t m;
			for (m = c + 1; m < sp; m++) {
				const struct tnode *a = &inc->n[stack[c]],
				    *b = &inc->n[stack[m]];
				if (a->t < b->t || (a->t == b->t &&
				    stack[c] < stack[m])) {
					int t = stack[c];
					stack[c] = stack[m];
					stack[m] = t;
				}
			}
		}
		(void)nchild;
	}
	for (i = 0; i < no; i++)
		if (out[i].parent >= 0)
			out[i].parent = map[out[i].parent];
	for (i = 0; i < inc->ne; i++) {
		inc->e[i].from = map[inc->e[i].from];
		inc->e[i].to = map[inc->e[i].to];
	}
	memcpy(inc->n, out, no * sizeof(*out));
	inc->nn = no;
done:
	free(out);
	free(map);
	free(stack);
}

/* ---- detections ---- */

struct detctx {
	struct tnode *n;
	int fail;
};

static char *
technique_of(const char *details)
{
	struct rca_fields f;
	char *t = NULL;
	const char *p;

	(void)f;
	if (details == NULL || (p = strstr(details, "\"technique\":\"")) ==
	    NULL)
		return NULL;
	p += 13;
	t = strndup(p, strcspn(p, "\""));
	return t;
}

static int
add_det(const struct sp_gdetection *d, void *arg)
{
	struct detctx *c = arg;
	struct tnode *n = c->n;
	struct tdet *nd = realloc(n->det, (n->ndet + 1) * sizeof(*nd));

	if (nd == NULL) {
		c->fail = 1;
		return 1;
	}
	n->det = nd;
	nd[n->ndet].id = d->id;
	nd[n->ndet].score = d->score;
	nd[n->ndet].type = dup(d->type);
	nd[n->ndet].name = dup(d->name);
	nd[n->ndet].severity = dup(d->severity);
	nd[n->ndet].technique = technique_of(d->details);
	n->ndet++;
	return 0;
}

/* ---- the analysis ---- */

struct start {
	int64_t node;
	sp_time_ns bound;
	int64_t detection;
};

struct starts {
	struct start *v;
	size_t n, cap;
	int64_t detection;
	sp_time_ns bound;
	int fail;
};

static int
add_start(int64_t node, void *arg)
{
	struct starts *s = arg;

	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 32;
		struct start *nv = realloc(s->v, nc * sizeof(*nv));
		if (nv == NULL) {
			s->fail = 1;
			return 1;
		}
		s->v = nv;
		s->cap = nc;
	}
	s->v[s->n].node = node;
	s->v[s->n].bound = s->bound;
	s->v[s->n].detection = s->detection;
	s->n++;
	return 0;
}

static int
add_note(struct sp_rca_result *res, char *text)
{
	char **nn;

	if (text == NULL)
		return SP_E_NOMEM;
	if ((nn = realloc(res->notes, (res->nnotes + 1) * sizeof(*nn))) ==
	    NULL) {
		free(text);
		return SP_E_NOMEM;
	}
	res->notes = nn;
	res->notes[res->nnotes++] = text;
	return SP_OK;
}


/* Every detection of the case as a start. */
static int
all_detections(struct sp_case *c, struct sp_graph_reader *r,
    struct starts *s, struct sp_rca_result *res, struct sp_err *err)
{
	struct sp_query_filter f;
	struct sp_query *q = NULL;
	struct {
		int64_t id;
		char *what;
	} *d = NULL;
	size_t nd = 0, i;
	int has, rc;

	sp_query_filter_init(&f);
	if ((rc = sp_query_open_detections(&q, c, &f, NULL, err)) != SP_OK)
		return rc;
	while ((rc = sp_query_next(q, &has, err)) == SP_OK && has) {
		const struct sp_detection_row *row = sp_query_detection(q);
		void *nv = realloc(d, (nd + 1) * sizeof(*d));
		if (nv == NULL) {
			rc = SP_E_NOMEM;
			break;
		}
		d = nv;
		d[nd].id = row->id;
		d[nd].what = rca_fmt("%s:%s in %s", row->type, row->name,
		    row->path != NULL ? row->path : row->target_kind);
		nd++;
	}
	sp_query_close(q);
	for (i = 0; i < nd && rc == SP_OK; i++) {
		struct sp_err e2;
		size_t before = s->n;
		sp_err_init(&e2);
		s->detection = d[i].id;
		s->bound = SP_TIME_NONE;
		if (sp_graph_find(r, SP_GRAPH_FIND_DETECTION, d[i].id, NULL,
		    add_start, s, &e2) != SP_OK || s->n == before)
			rc = add_note(res, rca_fmt("detection %" PRId64 " (%s) has "
			    "no node in the causal graph: nothing in the case "
			    "links it to a process or a file", d[i].id,
			    d[i].what));
	}
	for (i = 0; i < nd; i++)
		free(d[i].what);
	free(d);
	return rc;
}

static void
incident_free(struct incident *inc)
{
	size_t i, k;

	for (i = 0; i < inc->nn; i++) {
		gnode_free(&inc->n[i].g);
		free(inc->n[i].relation);
		free(inc->n[i].reason);
		free(inc->n[i].label);
		for (k = 0; k < inc->n[i].ndet; k++) {
			free(inc->n[i].det[k].type);
			free(inc->n[i].det[k].name);
			free(inc->n[i].det[k].severity);
			free(inc->n[i].det[k].technique);
		}
		free(inc->n[i].det);
	}
	free(inc->n);
	for (i = 0; i < inc->ne; i++) {
		free(inc->e[i].kind);
		free(inc->e[i].reason);
		free(inc->e[i].events);
	}
	free(inc->e);
	free(inc->missing);
	free(inc->targets);
	for (i = 0; i < inc->s.naccounts; i++)
		free(inc->s.accounts[i]);
	for (i = 0; i < inc->s.naddresses; i++)
		free(inc->s.addresses[i]);
	for (i = 0; i < inc->s.nprivilege; i++)
		free(inc->s.privilege[i]);
	for (i = 0; i < inc->s.nendpoints; i++)
		free(inc->s.endpoints[i]);
	for (i = 0; i < inc->s.nhosts; i++)
		free(inc->s.hosts[i]);
	for (i = 0; i < inc->s.ntechniques; i++)
		free(inc->s.techniques[i]);
	for (i = 0; i < inc->s.ndeleted; i++)
		free(inc->s.deleted[i]);
	free(inc->s.accounts);
	free(inc->s.addresses);
	free(inc->s.privilege);
	free(inc->s.endpoints);
	free(inc->s.hosts);
	free(inc->s.techniques);
	free(inc->s.deleted);
	free(inc->s.files);
	free(inc->s.procs);
	free(inc->s.persist);
	free(inc->s.entry);
	free(inc->s.how);
}

void
sp_rca_result_free(struct sp_rca_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->ninc; i++)
		incident_free(&res->inc[i]);
	free(res->inc);
	for (i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	free(res);
}

size_t
sp_rca_incidents(const struct sp_rca_result *res)
{
	return res->ninc;
}

size_t
sp_rca_notes(const struct sp_rca_result *res)
{
	return res->nnotes;
}

const char *
sp_rca_note(const struct sp_rca_result *res, size_t i)
{
	return i < res->nnotes ? res->notes[i] : NULL;
}

/* Attach a start the forward walk missed through its backward path. */
static void
attach(struct fwd *f, struct back *w, int64_t id)
{
	int64_t chain[256];
	size_t n = 0, i;
	char k[32];
	int kn, parent = 0, ni;
	int64_t vi;

	while (n < 256 && tree_index(f, id) < 0) {
		chain[n++] = id;
		kn = snprintf(k, sizeof(k), "%" PRId64, id);
		if (!rmap_get(&w->seen, k, (size_t)kn, &vi) ||
		    w->v[vi].pred == NONE || w->v[vi].pred == 0)
			break;
		id = w->v[vi].pred;
	}
	if (tree_index(f, id) >= 0)
		parent = tree_index(f, id);
	for (i = n; i-- > 0;) {
		const struct gnode *g = node_get(f->cache, f->r, chain[i],
		    f->err);
		if (g == NULL)
			return;
		ni = tree_add(f->inc, g, parent, tree_index(f, id) >= 0 ?
		    "caused" : "unexplained", "reached from a target by the "
		    "backward walk only", NONE, 0.5, g->start);
		if (ni < 0)
			return;
		tree_mark(f, chain[i], ni);
		parent = ni;
	}
}

int
sp_rca_analyse(struct sp_case *c, const struct sp_rca_target *t, size_t nt,
    const struct sp_rca_options *o, struct sp_rca_result **resp,
    struct sp_err *err)
{
	struct sp_graph_reader *r = NULL;
	const struct sp_graph_info *info = NULL;
	struct sp_rca_result *res;
	struct cache cache;
	struct starts s;
	int64_t *roots = NULL;
	size_t i, k, nroots = 0;
	int rc;

	*resp = NULL;
	memset(&cache, 0, sizeof(cache));
	memset(&s, 0, sizeof(s));
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
	if ((rc = sp_graph_reader_open(&r, c, &info, err)) != SP_OK)
		goto out;

	/* the starts */
	if (nt == 0) {
		if ((rc = all_detections(c, r, &s, res, err)) != SP_OK)
			goto out;
	}
	for (i = 0; i < nt; i++) {
		static const enum sp_graph_find fk[] = {
			[SP_RCA_DETECTION] = SP_GRAPH_FIND_DETECTION,
			[SP_RCA_EVENT] = SP_GRAPH_FIND_EVENT,
			[SP_RCA_PID] = SP_GRAPH_FIND_PID,
			[SP_RCA_PATH] = SP_GRAPH_FIND_PATH,
			[SP_RCA_INODE] = SP_GRAPH_FIND_INODE,
		};
		s.detection = t[i].kind == SP_RCA_DETECTION ? t[i].num : 0;
		s.bound = SP_TIME_NONE;
		if (t[i].kind == SP_RCA_NODE) {
			const struct gnode *g = node_get(&cache, r, t[i].num,
			    err);
			if (g == NULL) {
				rc = err != NULL ? err->code : SP_E_NOTFOUND;
				goto out;
			}
			add_start(t[i].num, &s);
			continue;
		}
		if ((rc = sp_graph_find(r, fk[t[i].kind], t[i].num, t[i].text,
		    add_start, &s, err)) != SP_OK)
			goto out;
	}
	if (s.fail) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
		goto out;
	}

	/* backward from each start, to its root */
	if ((roots = calloc(s.n + 1, sizeof(*roots))) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < s.n; i++) {
		struct back w;
		int64_t best = s.v[i].node;
		int best_score = -1;
		sp_time_ns best_t = 0;

		memset(&w, 0, sizeof(w));
		w.cache = &cache;
		w.r = r;
		w.o = o;
		w.err = err;
		visit(&w, s.v[i].node, s.v[i].bound, NONE, NONE);
		if ((rc = backward(&w)) != SP_OK) {
			rmap_free(&w.seen);
			free(w.v);
			goto out;
		}
		for (k = 0; k < w.nv; k++) {
			const struct gnode *g;
			int sc;
			sp_time_ns gt;
			if (w.v[k].in > 0)
				continue;
			if ((g = node_get(&cache, r, w.v[k].id, err)) == NULL) {
				rc = err != NULL ? err->code : SP_E_CASE;
				break;
			}
			gt = g->start == NONE ? 0 : g->start;
			sc = trust_score(&w, g, w.v[k].bound == SP_TIME_NONE ?
			    INT64_MAX : w.v[k].bound);
			if (sc > best_score || (sc == best_score &&
			    gt < best_t)) {
				best = w.v[k].id;
				best_score = sc;
				best_t = gt;
			}
		}
		rmap_free(&w.seen);
		free(w.v);
		if (rc != SP_OK)
			goto out;
		roots[i] = best;
	}

	/* one incident per root */
	for (i = 0; i < s.n; i++) {
		size_t j;
		int seen = 0;
		for (j = 0; j < i; j++)
			if (roots[j] == roots[i])
				seen = 1;
		if (!seen)
			nroots++;
	}
	if (nroots > 0 && (res->inc = calloc(nroots, sizeof(*res->inc))) ==
	    NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
		goto out;
	}
	for (i = 0; i < s.n; i++) {
		struct incident *inc = NULL;
		struct fwd f;
		struct back w;
		size_t j;

		for (j = 0; j < res->ninc; j++)
			if (res->inc[j].root == roots[i])
				inc = &res->inc[j];
		if (inc != NULL)
			continue;
		inc = &res->inc[res->ninc++];
		inc->root = roots[i];
		inc->missing = strdup(info->missing != NULL ? info->missing :
		    "[]");
		memset(&f, 0, sizeof(f));
		f.cache = &cache;
		f.r = r;
		f.o = o;
		f.inc = inc;
		f.err = err;
		f.limit = SP_TIME_NONE;
		if (o->window != SP_TIME_NONE && o->window > 0) {
			const struct gnode *g = node_get(&cache, r, roots[i],
			    err);
			if (g != NULL && g->start != NONE)
				f.limit = g->start + o->window;
		}
		rc = forward(&f, roots[i], o->max_nodes ? o->max_nodes :
		    DEFAULT_NODES, o->depth > 0 ? o->depth : DEFAULT_DEPTH);
		while (f.nh > 0) {
			struct pend p = heap_pop(&f);
			free(p.kind);
			free(p.reason);
			free(p.events);
		}
		free(f.heap);
		if (rc != SP_OK) {
			rmap_free(&f.in_tree);
			goto out;
		}
		/* the starts of this root are targets, in the tree */
		for (j = i; j < s.n; j++) {
			int ti;
			if (roots[j] != roots[i])
				continue;
			if ((ti = tree_index(&f, s.v[j].node)) < 0) {
				memset(&w, 0, sizeof(w));
				w.cache = &cache;
				w.r = r;
				w.o = o;
				w.err = err;
				visit(&w, s.v[j].node, s.v[j].bound, NONE,
				    NONE);
				if (backward(&w) == SP_OK)
					attach(&f, &w, s.v[j].node);
				rmap_free(&w.seen);
				free(w.v);
				ti = tree_index(&f, s.v[j].node);
			}
			if (ti >= 0)
				inc->n[ti].target = 1;
			if (s.v[j].detection > 0) {
				int64_t *nt2 = realloc(inc->targets,
				    (inc->ntargets + 1) * sizeof(*nt2));
				if (nt2 != NULL) {
					inc->targets = nt2;
					inc->targets[inc->ntargets++] =
					    s.v[j].detection;
				}
			}
		}
		rmap_free(&f.in_tree);
		/* detections of each node */
		for (j = 0; j < inc->nn; j++) {
			struct detctx dc = { &inc->n[j], 0 };
			struct sp_gnode gn;
			memset(&gn, 0, sizeof(gn));
			gn.kind = inc->n[j].g.kind;
			gn.type = inc->n[j].g.type;
			gn.path = inc->n[j].g.path;
			gn.file_id = inc->n[j].g.file_id;
			gn.pid = inc->n[j].g.pid;
			if (inc->n[j].g.kind == SP_GNODE_PROCESS &&
			    inc->n[j].g.inferred)
				continue;
			if ((rc = sp_graph_node_detections(r, &gn, add_det, &dc,
			    err)) != SP_OK)
				goto out;
		}
		if (!o->all)
			prune(inc);
		compact(inc);
		reorder(inc);
		rca_summarise(inc);
	}
	rc = SP_OK;
out:
	for (i = 0; i < cache.n; i++)
		gnode_free(&cache.g[i]);
	free(cache.g);
	rmap_free(&cache.map);
	free(s.v);
	free(roots);
	sp_graph_reader_close(r);
	if (rc != SP_OK) {
		sp_rca_result_free(res);
		return rc;
	}
	*resp = res;
	return SP_OK;
}
