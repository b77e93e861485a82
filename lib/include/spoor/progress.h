/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Progress of a long operation.  The library never draws anything: it
 * reports counts through a callback its caller installs, and the caller
 * (tools/common renders a bar or --progress=json lines on stderr) decides
 * what to show and how often.
 */
#ifndef SPOOR_PROGRESS_H
#define SPOOR_PROGRESS_H

#include <stdint.h>

/*
 * what names the units counted ("entries"; a string literal), done how
 * many are done so far, total how many there are (0 if unknown).  Called
 * from the operation's calling thread, once per record or block: keep it
 * cheap.
 */
typedef void sp_progress_fn(const char *what, uint64_t done, uint64_t total,
    void *arg);

/* Where an operation reports progress; fn NULL for nowhere.  Borrowed. */
struct sp_progress_sink {
	sp_progress_fn *fn;
	void *arg;
};

/* Report to sink (NULL or without fn: nothing). */
static inline void
sp_progress_report(const struct sp_progress_sink *sink, const char *what,
    uint64_t done, uint64_t total)
{
	if (sink != NULL && sink->fn != NULL)
		sink->fn(what, done, total, sink->arg);
}

#endif
