/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Walking evidence on a second thread (walkq.c); lib/timeline/ only.
 */
#ifndef SPOOR_TIMELINE_WALKQ_H
#define SPOOR_TIMELINE_WALKQ_H

#include "spoor/evidence.h"

/*
 * sp_evidence_walk over every file system of ev with flags, on a thread
 * of its own, calling fn with each entry on the caller's thread, in the
 * walk's order.  fn must not read ev: the walk is using it.  Returns as
 * sp_evidence_walk does; fn's error stops the walk and is returned.
 */
int sp_walk_all_threaded(struct sp_evidence *ev, unsigned flags,
    sp_entry_fn *fn, void *arg, struct sp_err *err);

#endif
