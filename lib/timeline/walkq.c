/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A walk of every file system of evidence on a thread of its own, handing
 * its entries in order to the caller's thread in batches (see walkq.h):
 * reading the file system and writing the case then take a core each.
 * Each batch holds WQ_ENTRIES entries and the strings they point to;
 * WQ_BATCHES of them go round, so memory stays flat whatever the size.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "timeline/walkq.h"

#define WQ_ENTRIES 2048
#define WQ_BATCHES 4
#define WQ_ARENA (WQ_ENTRIES * 96)

struct batch {
	struct sp_entry e[WQ_ENTRIES];
	size_t n;
	char *arena;
	size_t used, cap;
};

struct walkq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch b[WQ_BATCHES];
	size_t head, count;		/* full batches, in order */
	size_t fill;			/* the batch the walker fills */
	int done, stop;
	struct sp_evidence *ev;
	unsigned flags;
	int rc;
	struct sp_err err;
};

/* A copy of s in b's arena, or NULL when it does not fit. */
static const char *
keep(struct batch *b, const char *s)
{
	size_t n;
	char *p;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if (n > b->cap - b->used)
		return NULL;
	p = b->arena + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

static size_t
need(const struct sp_entry *e)
{
	return (e->path ? strlen(e->path) + 1 : 0) +
	    (e->name ? strlen(e->name) + 1 : 0) +
	    (e->stream ? strlen(e->stream) + 1 : 0) +
	    (e->link ? strlen(e->link) + 1 : 0);
}

/* Hand the batch being filled over and wait for a free one; 0 when the
   consumer stopped. */
static int
push(struct walkq *q)
{
	int ok;

	pthread_mutex_lock(&q->mu);
	q->count++;
	pthread_cond_broadcast(&q->cv);
	while (q->count == WQ_BATCHES && !q->stop)
		pthread_cond_wait(&q->cv, &q->mu);
	q->fill = (q->head + q->count) % WQ_BATCHES;
	ok = !q->stop;
	pthread_mutex_unlock(&q->mu);
	if (ok) {
		q->b[q->fill].n = 0;
		q->b[q->fill].used = 0;
	}
	return ok;
}

static int
on_walk(const struct sp_entry *e, void *arg)
{
	struct walkq *q = arg;
	struct batch *b = &q->b[q->fill];
	struct sp_entry *c;
	size_t n = need(e);
	char *grown;

	if (b->n == WQ_ENTRIES || n > b->cap - b->used) {
		if (b->n > 0 && !push(q))
			return SP_E_INTERRUPTED;
		b = &q->b[q->fill];
		if (n > b->cap) {
			if ((grown = realloc(b->arena, n)) == NULL)
				return sp_err_set(&q->err, SP_E_NOMEM, 0,
				    "walk");
			b->arena = grown;
			b->cap = n;
		}
	}
	c = &b->e[b->n++];
	*c = *e;
	/* the directory is closed by the time the copy is read */
	c->flags &= ~(unsigned)SP_ENTRY_DIR_FD;
	c->dir_fd = -1;
	c->path = keep(b, e->path);
	c->name = keep(b, e->name);
	c->stream = keep(b, e->stream);
	c->link = keep(b, e->link);
	return SP_CB_CONTINUE;
}

static void *
walker(void *arg)
{
	struct walkq *q = arg;
	size_t i;
	int rc = SP_OK;

	for (i = 0; i < sp_evidence_fs_count(q->ev) && rc == SP_OK; i++)
		rc = sp_evidence_walk(q->ev, (unsigned)i, NULL, q->flags,
		    on_walk, q, &q->err);
	pthread_mutex_lock(&q->mu);
	if (q->b[q->fill].n > 0 && !q->stop)
		q->count++;
	q->rc = rc;
	q->done = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int
sp_walk_all_threaded(struct sp_evidence *ev, unsigned flags,
    sp_entry_fn *fn, void *arg, struct sp_err *err)
{
	struct walkq *q;
	pthread_t t;
	struct batch *b;
	size_t i;
	int rc = SP_OK, stopped = 0;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "walk");
	for (i = 0; i < WQ_BATCHES; i++) {
		if ((q->b[i].arena = malloc(WQ_ARENA)) == NULL) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "walk");
			goto out;
		}
		q->b[i].cap = WQ_ARENA;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->ev = ev;
	q->flags = flags;
	sp_err_init(&q->err);
	if (pthread_create(&t, NULL, walker, q) != 0) {
		/* no thread: the same walk on this one */
		for (i = 0; i < sp_evidence_fs_count(ev) && rc == SP_OK; i++)
			rc = sp_evidence_walk(ev, (unsigned)i, NULL, flags, fn,
			    arg, err);
		goto destroy;
	}
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->count == 0 && !q->done)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->count == 0) {
			pthread_mutex_unlock(&q->mu);
			break;
		}
		b = &q->b[q->head];
		pthread_mutex_unlock(&q->mu);
		for (i = 0; i < b->n && !stopped; i++) {
			rc = fn(&b->e[i], arg);
			if (rc == SP_CB_STOP) {
				rc = SP_OK;
				stopped = 1;
			} else if (rc != SP_CB_CONTINUE)
				stopped = 1;
		}
		pthread_mutex_lock(&q->mu);
		q->head = (q->head + 1) % WQ_BATCHES;
		q->count--;
		if (stopped)
			q->stop = 1;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		if (stopped)
			break;
	}
	pthread_join(t, NULL);
	/* the caller's own stop or error first, then the walk's */
	if (!stopped && q->rc != SP_OK) {
		rc = q->rc;
		if (err != NULL)
			*err = q->err;
	}
destroy:
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
out:
	for (i = 0; i < WQ_BATCHES; i++)
		free(q->b[i].arena);
	free(q);
	return rc;
}
