/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The run record: the chain-of-custody record of one tool invocation —
 * the tool, its argv, its inputs and the problems met on the way.  A run
 * lives in memory; sp_case_run_attach (case.h) records it in a case, and
 * from then on sp_run_end writes its end there too.  Every function may be
 * called from any thread: problems come from walkers and scanner workers
 * at once.
 */
#ifndef SPOOR_RUN_H
#define SPOOR_RUN_H

#include <stdint.h>

#include "err.h"
#include "time.h"

struct sp_run;
struct sp_case;

/*
 * Begin a run of tool with its argv (copied).  Nothing is written until
 * sp_case_run_attach (case.h).  *run is owned by the caller until sp_run_free.
 */
int sp_run_new(struct sp_run **run, const char *tool, int argc,
    char *const argv[], struct sp_err *err);

/* The row id of the run in its case, or 0 when not attached. */
int64_t sp_run_id(const struct sp_run *run);
/* The case the run is attached to, or NULL; borrowed. */
struct sp_case *sp_run_case(const struct sp_run *run);

/*
 * Record an input of the run: path (copied), its size and SHA-256 hex
 * (may be NULL for directories).
 */
int sp_run_add_input(struct sp_run *run, const char *path, uint64_t size,
    const char *sha256, struct sp_err *err);

/*
 * Record a problem met and skipped (corrupt inode, unreadable file): subject
 * names what was affected, code is an SP_E_* code.  Problems are kept in
 * memory (the first 10,000 in full, all counted) and written at sp_run_end.
 * A NULL run only counts nothing; callers need not check.
 */
void sp_run_problem(struct sp_run *run, const char *subject, int code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
uint64_t sp_run_problem_count(const struct sp_run *run);
/*
 * The i-th kept problem's text ("subject: message"), or NULL; the text is
 * in storage of the calling thread, valid until its next call.
 */
const char *sp_run_problem_text(const struct sp_run *run, uint64_t i);

/*
 * Finish the run with exit_status (and write it, the end time and the
 * problems to the case when attached).  state is "done", "partial",
 * "failed" or "interrupted".
 */
int sp_run_end(struct sp_run *run, int exit_status, const char *state,
    struct sp_err *err);
/* Free; a run never ended is marked "failed" in its case first. */
void sp_run_free(struct sp_run *run);

/* ---- what a store reads of a run (lib/case/) ---- */

/* The tool name, argv as a JSON array, start time; owned by run. */
const char *sp_run_tool(const struct sp_run *run);
const char *sp_run_argv_json(const struct sp_run *run);
sp_time_ns sp_run_started(const struct sp_run *run);
/* The inputs as a JSON array text; owned by run, valid until it changes. */
const char *sp_run_inputs_json(struct sp_run *run);
/* How many problems are kept in full. */
uint64_t sp_run_problem_kept(const struct sp_run *run);
/* The i-th kept problem's parts; owned by run. */
void sp_run_problem_get(const struct sp_run *run, uint64_t i,
    const char **subject, const char **code, const char **message);

/*
 * Called by sp_run_end once with the end state, when the run is bound.
 */
typedef int sp_run_end_fn(struct sp_run *run, int exit_status,
    const char *state, void *arg, struct sp_err *err);
/*
 * Bind the run to the case c under row id; end (may be NULL) writes its
 * end.  c is borrowed and must outlive the run's use of it.
 */
void sp_run_bind(struct sp_run *run, struct sp_case *c, int64_t id,
    sp_run_end_fn *end, void *arg);

#endif
