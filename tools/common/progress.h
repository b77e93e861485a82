/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Progress as the commands show it: a bar on stderr when stderr is a
 * terminal, JSON lines ({"progress":...}) with --progress=json, nothing
 * otherwise.  The library only reports counts (spoor/progress.h); this is
 * the renderer a command installs as the operation's progress sink.
 */
#ifndef SPOOR_TOOL_PROGRESS_H
#define SPOOR_TOOL_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "spoor/err.h"
#include "spoor/progress.h"

enum sp_progress_mode {
	SP_PROGRESS_AUTO,	/* bar when the stream is a terminal, else none */
	SP_PROGRESS_NONE,
	SP_PROGRESS_BAR,
	SP_PROGRESS_JSON
};

struct sp_progress;

/*
 * Parse the argument of --progress ("auto", "none", "bar", "json").
 * Returns SP_OK or SP_E_USAGE.
 */
int sp_progress_parse_mode(const char *s, enum sp_progress_mode *mode);

/*
 * New reporter on out (borrowed) for a task named label (copied) whose
 * total is total units (0 if unknown).  Returns NULL only on allocation
 * failure, in which case progress is silently not reported.
 */
struct sp_progress *sp_progress_new(FILE *out, enum sp_progress_mode mode,
    const char *label, uint64_t total);
/* Report done units; rate-limited, cheap to call for every record. */
void sp_progress_update(struct sp_progress *p, uint64_t done);
/* Print the final state and clear the bar; frees p. */
void sp_progress_free(struct sp_progress *p);

/*
 * An sp_progress_fn whose arg is a struct sp_progress (or NULL): the
 * library's counts drawn by it.
 */
sp_progress_fn sp_progress_on_count;

#endif
