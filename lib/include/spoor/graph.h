/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The causal graph of a case and its root-cause trees, as stored
 * (spoor-case(5)): processes, sessions and objects (files, network
 * endpoints, web requests, cron entries, units) are the nodes, and edges
 * run from a cause to its effect with a time, a confidence and a reason.
 * spoor-rca builds the graph (lib/rca) and writes it through a graph
 * writer; walks read it node by node through a graph reader, which looks
 * up the edges of one node through an index, so a walk costs what the
 * tree it finds costs, not what the graph holds.
 *
 * A node id is unique across the three tables; its kind says which table.
 */
#ifndef SPOOR_GRAPH_H
#define SPOOR_GRAPH_H

#include <stdint.h>

#include "case.h"
#include "err.h"
#include "run.h"
#include "time.h"

/* Absent integers of nodes and edges. */
#define SP_GRAPH_NONE INT64_MIN

enum sp_gnode_kind {
	SP_GNODE_PROCESS = 'p',
	SP_GNODE_SESSION = 's',
	SP_GNODE_OBJECT = 'o'
};

/*
 * One node.  type is "process" for a process; the kind of session
 * ("ssh", "console", "sudo", "su", "cron"); or the kind of object
 * ("file", "endpoint", "request", "cron", "unit").  Which fields are set
 * depends on the kind (spoor-case(5)); the others are NULL or
 * SP_GRAPH_NONE.  events is a JSON array of event ids; detail a JSON
 * object or NULL.  Strings are borrowed by the writer and owned by the
 * reader until its next call.
 */
struct sp_gnode {
	int64_t id;
	char kind;		/* enum sp_gnode_kind */
	const char *type;
	const char *host, *boot_id;
	sp_time_ns start_ns, end_ns;
	/* process */
	int64_t pid, ppid, uid, euid, auid, ses;
	const char *exe, *argv, *cwd, *tty, *comm;
	int inferred;
	/* session */
	const char *user, *address, *method;
	int64_t port;
	/* object */
	const char *name, *path, *sha256;
	int64_t file_id, inode;
	/* all */
	const char *detail;
	const char *events;
};

/* One edge from src (the cause) to dst (the effect). */
struct sp_gedge {
	int64_t id;
	int64_t src, dst;
	char src_kind, dst_kind;
	const char *kind;	/* spawned, executed, wrote ... */
	sp_time_ns time_ns;
	double confidence;	/* (0, 1] */
	const char *reason;
	const char *events;	/* JSON array of event ids */
};

/* What a build of the graph covered (the row of graph_builds). */
struct sp_graph_info {
	int64_t id, run_id;
	sp_time_ns built_ns;
	int64_t max_source_id, source_count;
	int64_t nodes, edges, events;
	const char *missing;	/* JSON array of strings */
};

/* ---- writing ---- */

struct sp_graph_writer;

/*
 * Replace the graph of the case of run (attached to one) by an empty one
 * in a transaction that stays open until sp_graph_writer_finish; rows are
 * then added with the add functions.  *w is owned by the caller until
 * sp_graph_writer_free.
 */
int sp_graph_writer_begin(struct sp_graph_writer **w, struct sp_run *run,
    struct sp_err *err);
int sp_graph_writer_node(struct sp_graph_writer *w, const struct sp_gnode *n,
    struct sp_err *err);
int sp_graph_writer_edge(struct sp_graph_writer *w, const struct sp_gedge *e,
    struct sp_err *err);
/*
 * Record the build (info's counts and missing; its id is filled in),
 * match file objects known by path to rows of files of the same host,
 * build the indexes, and commit.
 */
int sp_graph_writer_finish(struct sp_graph_writer *w,
    struct sp_graph_info *info, struct sp_err *err);
/* Roll back what was not finished and free w; accepts NULL. */
void sp_graph_writer_free(struct sp_graph_writer *w);

/* ---- reading ---- */

struct sp_graph_reader;

/*
 * A reader over the graph of c (borrowed; it must outlive the reader).
 * SP_E_NOTFOUND when the case holds no graph.  *info, when not NULL, gets
 * the last build, owned by the reader.
 */
int sp_graph_reader_open(struct sp_graph_reader **r, struct sp_case *c,
    const struct sp_graph_info **info, struct sp_err *err);
void sp_graph_reader_close(struct sp_graph_reader *r);

/*
 * Whether the graph is older than the case's sources: a source was added,
 * replaced or deleted since the build (*stale 1), or not (0).
 */
int sp_graph_stale(struct sp_case *c, int *stale, struct sp_err *err);

/* Node id into *n (owned by r until its next call); SP_E_NOTFOUND. */
int sp_graph_node(struct sp_graph_reader *r, int64_t id,
    const struct sp_gnode **n, struct sp_err *err);

enum sp_graph_dir { SP_GRAPH_IN, SP_GRAPH_OUT };

/*
 * Call cb for each edge into (SP_GRAPH_IN) or out of (SP_GRAPH_OUT) node
 * id whose time lies in [from, to] (SP_TIME_NONE for open), by time.  The
 * edge is borrowed for the call; cb returns 0 to go on.
 */
int sp_graph_edges(struct sp_graph_reader *r, int64_t id,
    enum sp_graph_dir dir, sp_time_ns from, sp_time_ns to,
    int (*cb)(const struct sp_gedge *e, void *arg), void *arg,
    struct sp_err *err);

/*
 * Nodes to start from: the node(s) of a detection (its file object, its
 * process), of an event (the nodes whose events hold it), of a pid, of a
 * path.  cb is called with each node id; SP_E_NOTFOUND when none.
 */
enum sp_graph_find {
	SP_GRAPH_FIND_DETECTION, SP_GRAPH_FIND_EVENT, SP_GRAPH_FIND_PID,
	SP_GRAPH_FIND_PATH, SP_GRAPH_FIND_INODE
};
int sp_graph_find(struct sp_graph_reader *r, enum sp_graph_find what,
    int64_t num, const char *text, int (*cb)(int64_t node, void *arg),
    void *arg, struct sp_err *err);

/*
 * Count the sessions of user from address (both borrowed) that began
 * before t: how routine such a login is.
 */
int sp_graph_login_count(struct sp_graph_reader *r, const char *user,
    const char *address, sp_time_ns t, int64_t *count, struct sp_err *err);

/* A detection attached to a node; borrowed for the call. */
struct sp_gdetection {
	int64_t id;
	const char *type, *name, *severity, *path;
	int64_t score;
	const char *details;	/* the JSON record */
	sp_time_ns time_ns;
};

/*
 * Call cb for each detection of node: of a file object, those of its
 * files row or its path; of a process, those of its pid in memory or as
 * a process.  SP_OK when there are none.
 */
int sp_graph_node_detections(struct sp_graph_reader *r,
    const struct sp_gnode *n,
    int (*cb)(const struct sp_gdetection *d, void *arg), void *arg,
    struct sp_err *err);

/* ---- trees ---- */

struct sp_tree_node {
	int64_t node;		/* graph node id */
	int64_t parent;		/* index into the tree's nodes, or -1 */
	const char *relation;	/* kind of the edge from the parent */
	int64_t edge;		/* its id, or SP_GRAPH_NONE */
	int depth;
	sp_time_ns time_ns;
	double confidence;
	const char *label, *reason;
};

/*
 * Store one incident's tree (nodes in display order, parents first) with
 * its summary and missing sources (JSON text) for run; its id in *id.
 */
int sp_graph_tree_store(struct sp_run *run, int incident, int64_t root,
    const char *summary, const char *missing, const struct sp_tree_node *n,
    size_t count, int64_t *id, struct sp_err *err);

/* A stored tree (a row of trees). */
struct sp_tree_info {
	int64_t id, run_id, incident, root;	/* run_id, root: or
						 * SP_GRAPH_NONE */
	sp_time_ns created_ns;
	const char *summary;	/* JSON object text */
	const char *missing;	/* JSON array text */
};

/*
 * The trees the newest spoor-rca run stored, by incident; cb gets each
 * (borrowed for the call) and returns 0 to go on.  SP_OK with no call
 * when the case holds none.
 */
int sp_graph_trees(struct sp_case *c,
    int (*cb)(const struct sp_tree_info *t, void *arg), void *arg,
    struct sp_err *err);

/*
 * The nodes of tree tree_id in seq order; n->parent is the parent's seq
 * or -1, an absent edge or time SP_GRAPH_NONE; borrowed for the call, and
 * cb returns 0 to go on.  SP_E_NOTFOUND when the case has no such tree.
 */
int sp_graph_tree_nodes(struct sp_case *c, int64_t tree_id,
    int (*cb)(int64_t seq, const struct sp_tree_node *n, void *arg),
    void *arg, struct sp_err *err);

#endif
