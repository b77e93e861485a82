/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parsing on one thread, storing on another (evq.c); lib/timeline/ only.
 */
#ifndef SPOOR_TIMELINE_EVQ_H
#define SPOOR_TIMELINE_EVQ_H

#include "spoor/artifact.h"

struct sp_evq;

/*
 * Start a thread that calls fn(e, arg) with each event given to
 * sp_evq_emit, in order.  SP_OK, or SP_E_NOMEM when no thread or memory
 * could be had (the caller then calls fn itself).
 */
int sp_evq_start(struct sp_evq **q, int (*fn)(const struct sp_event *,
    void *), void *arg);

/*
 * An sp_artifact_ctx emit function (arg is the queue): copies e.  Returns
 * SP_CB_CONTINUE, or the first error of fn, which stops the parser.
 */
int sp_evq_emit(const struct sp_event *e, void *arg);

/* Store what is queued, end the thread, free q; fn's first error or SP_OK. */
int sp_evq_finish(struct sp_evq *q);

#endif
