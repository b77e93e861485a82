/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The trees of an analysis, shared by the walk (walk.c) and the writers
 * (output.c).  Everything is owned by the result.
 */
#ifndef SPOOR_RCA_TREE_H
#define SPOOR_RCA_TREE_H

#include <stdint.h>

#include "spoor/graph.h"
#include "spoor/time.h"

/* A copy of a graph node that outlives the reader's buffer. */
struct gnode {
	int64_t id;
	char kind;
	char *type, *host, *exe, *argv, *cwd, *tty, *comm, *user, *address,
	    *method, *name, *path, *sha256, *detail, *events;
	sp_time_ns start, end;
	int64_t pid, ppid, uid, euid, auid, ses, port, file_id, inode;
	int inferred;
};

struct tdet {
	int64_t id, score;
	char *type, *name, *severity, *technique;
};

struct tnode {
	struct gnode g;
	int parent;		/* index, or -1 */
	char *relation, *reason;
	int64_t edge;		/* graph edge id, or SP_GRAPH_NONE */
	double conf;
	sp_time_ns t;		/* when the node was reached (edge time) */
	int depth;
	int target, on_path, root, deleted, removed;
	struct tdet *det;
	size_t ndet;
	char *label;
};

struct tedge {
	int from, to;
	int64_t id;
	char *kind, *reason, *events;
	sp_time_ns t;
	double conf;
};

struct summary {
	char **accounts, **addresses, **privilege, **endpoints, **hosts,
	    **techniques, **deleted;
	size_t naccounts, naddresses, nprivilege, nendpoints, nhosts,
	    ntechniques, ndeleted;
	int *files, *procs, *persist;	/* tree node indexes */
	size_t nfiles, nprocs, npersist;
	char *entry, *how;
	sp_time_ns first, last;
};

struct incident {
	struct tnode *n;
	size_t nn, cn;
	struct tedge *e;
	size_t ne, ce;
	int64_t root;		/* graph id */
	struct summary s;
	char *missing;		/* JSON array text */
	int64_t *targets;	/* detection ids */
	size_t ntargets;
};

struct sp_rca_result {
	struct incident *inc;
	size_t ninc;
	char **notes;
	size_t nnotes;
};

/* Build the summary and labels of inc (walk.c). */
void rca_summarise(struct incident *inc);

#endif
