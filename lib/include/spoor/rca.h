/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Root-cause analysis (spoor-rca(1)): the causal graph of a case built
 * from its typed events, files and detections, and the trees that explain
 * an attack from its entry point to its impact, with a who / what / when
 * / where / how summary.
 *
 * The build reads the case through its read cursor (query.h) and writes
 * the graph through the graph writer (graph.h).  The analysis walks the
 * stored graph: backwards from each target in time (an object is caused
 * only by what touched it before), to root candidates ranked by trust
 * hints, then forwards from the chosen root for everything it affected;
 * trees that share a root are one incident.
 */
#ifndef SPOOR_RCA_H
#define SPOOR_RCA_H

#include <stdint.h>
#include <stdio.h>

#include "case.h"
#include "err.h"
#include "graph.h"
#include "json.h"
#include "run.h"
#include "time.h"

/* What a build read and made. */
struct sp_rca_build_stats {
	uint64_t events;		/* events read */
	uint64_t processes, sessions, objects, edges;
	uint64_t inferred_edges;
	double read_s, join_s, write_s;	/* seconds in each phase */
	char missing[4][160];		/* sources the case lacks, in words */
	int nmissing;
};

/*
 * Build the causal graph of the case of run (attached to one) and store
 * it, replacing the previous one.  Problems met (an event that names
 * nothing usable) are recorded on run.
 */
int sp_rca_build(struct sp_run *run, struct sp_rca_build_stats *st,
    struct sp_err *err);

enum sp_rca_target_kind {
	SP_RCA_DETECTION, SP_RCA_EVENT, SP_RCA_PID, SP_RCA_PATH, SP_RCA_NODE,
	SP_RCA_INODE
};

/* Where to start: a detection, an event, a pid, a path or a node. */
struct sp_rca_target {
	enum sp_rca_target_kind kind;
	int64_t num;
	const char *text;	/* borrowed */
};

struct sp_rca_options {
	int all;		/* no pruning */
	int depth;		/* of the forward walk; 0: the default */
	sp_time_ns window;	/* bound of the forward walk after the
				 * root's time; SP_TIME_NONE: none */
	size_t max_nodes;	/* per tree; 0: the default */
};

struct sp_rca_result;

/*
 * Explain targets (none: every detection of the case) over the stored
 * graph of c.  *res is owned by the caller until sp_rca_result_free.
 * SP_E_NOTFOUND when a target names nothing; a target that is in the
 * case but has no node is a note of the result, not an error.
 */
int sp_rca_analyse(struct sp_case *c, const struct sp_rca_target *t,
    size_t nt, const struct sp_rca_options *o, struct sp_rca_result **res,
    struct sp_err *err);
void sp_rca_result_free(struct sp_rca_result *res);

/* How many incidents; notes (targets left unexplained, in words). */
size_t sp_rca_incidents(const struct sp_rca_result *res);
size_t sp_rca_notes(const struct sp_rca_result *res);
const char *sp_rca_note(const struct sp_rca_result *res, size_t i);

/*
 * Write incident i: as a tree in UTF-8 box drawing (ascii: plain ASCII)
 * with its summary; as one JSON object (spoor-rca(1)); as Graphviz.
 * Every label is escaped for its format.
 */
void sp_rca_write_text(FILE *out, const struct sp_rca_result *res, size_t i,
    int ascii);
void sp_rca_write_json(struct sp_json *w, const struct sp_rca_result *res,
    size_t i);
void sp_rca_write_dot(FILE *out, const struct sp_rca_result *res, size_t i);

/* Store every incident's tree in the case of run (trees, tree_nodes). */
int sp_rca_store(struct sp_run *run, const struct sp_rca_result *res,
    struct sp_err *err);

/*
 * Why graph node id is where it is: the node, then every edge into and
 * out of it with its reason, confidence and the events behind it (each
 * event's time, artifact, origin and message), as text or JSON.
 */
int sp_rca_explain(struct sp_case *c, int64_t id, FILE *out,
    struct sp_json *w, struct sp_err *err);

#endif
