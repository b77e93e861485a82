/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing on one thread, storing on another (see evq.h): a parser's
 * events are copied into batches of EQ_EVENTS with their strings, and a
 * second thread hands each to the store in order.  EQ_BATCHES batches go
 * round, so memory stays flat however long the log.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "timeline/evq.h"

#define EQ_EVENTS 1024
#define EQ_BATCHES 4
#define EQ_ARENA (EQ_EVENTS * 256)

struct batch {
	struct sp_event e[EQ_EVENTS];
	size_t n;
	char *arena;
	size_t used, cap;
};

struct sp_evq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	struct batch b[EQ_BATCHES];
	size_t head, count;	/* full batches, in order */
	size_t fill;		/* the batch the parser fills */
	int done;		/* the parser has finished */
	int rc;			/* the store's first error, then it stops */
	int (*fn)(const struct sp_event *, void *);
	void *arg;
};

static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

static const char *
keep(struct batch *b, const char *s)
{
	size_t n;
	char *p;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	p = b->arena + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

static void *
storer(void *arg)
{
	struct sp_evq *q = arg;
	struct batch *b;
	size_t i;
	int rc;

	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (q->count == 0 && !q->done)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->count == 0) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		b = &q->b[q->head];
		rc = q->rc;
		pthread_mutex_unlock(&q->mu);
		for (i = 0; i < b->n && rc == SP_OK; i++)
			if ((rc = q->fn(&b->e[i], q->arg)) == SP_CB_CONTINUE)
				rc = SP_OK;
		pthread_mutex_lock(&q->mu);
		if (rc != SP_OK && q->rc == SP_OK)
			q->rc = rc;
		q->head = (q->head + 1) % EQ_BATCHES;
		q->count--;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
}

int
sp_evq_start(struct sp_evq **qp, int (*fn)(const struct sp_event *, void *),
    void *arg)
{
	struct sp_evq *q;
	size_t i;

	*qp = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return SP_E_NOMEM;
	for (i = 0; i < EQ_BATCHES; i++) {
		if ((q->b[i].arena = malloc(EQ_ARENA)) == NULL)
			goto fail;
		q->b[i].cap = EQ_ARENA;
	}
	q->fn = fn;
	q->arg = arg;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->thread, NULL, storer, q) != 0) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		goto fail;
	}
	*qp = q;
	return SP_OK;
fail:
	for (i = 0; i < EQ_BATCHES; i++)
		free(q->b[i].arena);
	free(q);
	return SP_E_NOMEM;
}

/* Hand the batch being filled over and take a free one. */
static int
push(struct sp_evq *q)
{
	int rc;

	pthread_mutex_lock(&q->mu);
	q->count++;
	pthread_cond_broadcast(&q->cv);
	while (q->count == EQ_BATCHES && q->rc == SP_OK)
		pthread_cond_wait(&q->cv, &q->mu);
	rc = q->rc;
	if (rc == SP_OK)
		q->fill = (q->head + q->count) % EQ_BATCHES;
	pthread_mutex_unlock(&q->mu);
	/* after a failure of the store nothing more is filled */
	if (rc == SP_OK) {
		q->b[q->fill].n = 0;
		q->b[q->fill].used = 0;
	}
	return rc;
}

int
sp_evq_emit(const struct sp_event *e, void *arg)
{
	struct sp_evq *q = arg;
	struct batch *b = &q->b[q->fill];
	struct sp_event *c;
	size_t need = slen(e->time_desc) + slen(e->artifact) +
	    slen(e->host) + slen(e->user) + slen(e->exe) + slen(e->path) +
	    slen(e->boot_id) + slen(e->tty) + slen(e->cwd) +
	    slen(e->message) + slen(e->extra);
	char *grown;
	int rc;

	if (b->n == EQ_EVENTS || need > b->cap - b->used) {
		if (b->n > 0 && (rc = push(q)) != SP_OK)
			return rc;
		b = &q->b[q->fill];
		if (need > b->cap) {
			if ((grown = realloc(b->arena, need)) == NULL)
				return SP_E_NOMEM;
			b->arena = grown;
			b->cap = need;
		}
	}
	c = &b->e[b->n++];
	*c = *e;
	c->time_desc = keep(b, e->time_desc);
	c->artifact = keep(b, e->artifact);
	c->host = keep(b, e->host);
	c->user = keep(b, e->user);
	c->exe = keep(b, e->exe);
	c->path = keep(b, e->path);
	c->boot_id = keep(b, e->boot_id);
	c->tty = keep(b, e->tty);
	c->cwd = keep(b, e->cwd);
	c->message = keep(b, e->message);
	c->extra = keep(b, e->extra);
	return SP_CB_CONTINUE;
}

int
sp_evq_finish(struct sp_evq *q)
{
	size_t i;
	int rc;

	if (q == NULL)
		return SP_OK;
	pthread_mutex_lock(&q->mu);
	if (q->rc == SP_OK && q->b[q->fill].n > 0)
		q->count++;
	q->done = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	rc = q->rc;
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	for (i = 0; i < EQ_BATCHES; i++)
		free(q->b[i].arena);
	free(q);
	return rc;
}
