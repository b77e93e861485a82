/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stored causal graph (spoor/graph.h): a writer that replaces the
 * graph in one transaction with its indexes built at the end, a reader
 * that gives one node or the edges of one node through an index, and the
 * trees of spoor-rca.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "spoor/graph.h"
#include "case/case-internal.h"

#define OTHER SP_E_CASE

static void
bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == SP_GRAPH_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int64_t
col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? SP_GRAPH_NONE :
	    sqlite3_column_int64(st, i);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- writing ---- */

struct sp_graph_writer {
	struct sp_run *run;
	sqlite3 *db;
	sqlite3_stmt *proc, *sess, *obj, *edge;
	int open;
	int64_t nodes, edges;
};

static const char drop_graph[] =
	"DROP INDEX IF EXISTS edges_dst; DROP INDEX IF EXISTS edges_src;"
	"DROP INDEX IF EXISTS processes_pid; DROP INDEX IF EXISTS objects_path;"
	"DROP INDEX IF EXISTS objects_file; DROP INDEX IF EXISTS sessions_user;"
	"DELETE FROM edges; DELETE FROM processes; DELETE FROM sessions;"
	"DELETE FROM objects;";

static const char graph_indexes[] =
	"CREATE INDEX edges_dst ON edges(dst, time_ns);"
	"CREATE INDEX edges_src ON edges(src, time_ns);"
	"CREATE INDEX processes_pid ON processes(pid, start_ns);"
	"CREATE INDEX objects_path ON objects(path);"
	"CREATE INDEX objects_file ON objects(file_id);"
	"CREATE INDEX sessions_user ON sessions(user, address, start_ns);";

int
sp_graph_writer_begin(struct sp_graph_writer **wp, struct sp_run *run,
    struct sp_err *err)
{
	struct sp_graph_writer *w;
	struct sp_case *c = sp_run_case(run);
	int rc;

	*wp = NULL;
	if (c == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "graph writer: the run "
		    "has no case");
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
	w->run = run;
	w->db = sp_case_db(c);
	/* a graph is hundreds of thousands of rows: a cache that does not
	 * spill pages before the commit */
	(void)sp_sql_exec(w->db, "PRAGMA cache_size = -2048", OTHER, NULL);
	if ((rc = sp_sql_exec(w->db, "BEGIN IMMEDIATE", OTHER, err)) != SP_OK) {
		free(w);
		return rc;
	}
	w->open = 1;
	if ((rc = sp_sql_exec(w->db, drop_graph, OTHER, err)) != SP_OK ||
	    (rc = sp_sql_prepare(w->db, "INSERT INTO processes (id, host, "
	    "boot_id, pid, ppid, start_ns, end_ns, exe, argv, cwd, comm, tty, "
	    "uid, euid, auid, ses, inferred, detail, events, user) VALUES (?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
	    "?16, ?17, ?18, ?19, ?20)", &w->proc, OTHER, "graph", err)) != SP_OK ||
	    (rc = sp_sql_prepare(w->db, "INSERT INTO sessions (id, host, "
	    "type, user, uid, auid, ses, address, port, method, tty, pid, "
	    "start_ns, end_ns, inferred, detail, events) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
	    &w->sess, OTHER, "graph", err)) != SP_OK ||
	    (rc = sp_sql_prepare(w->db, "INSERT INTO objects (id, host, type, "
	    "name, path, address, port, file_id, inode, sha256, start_ns, "
	    "inferred, detail, events, method, user) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)", &w->obj, OTHER, "graph",
	    err)) != SP_OK ||
	    (rc = sp_sql_prepare(w->db, "INSERT INTO edges (src, src_kind, "
	    "dst, dst_kind, kind, time_ns, confidence, reason, events) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &w->edge, OTHER, "graph",
	    err)) != SP_OK) {
		sp_graph_writer_free(w);
		return rc;
	}
	*wp = w;
	return SP_OK;
}

int
sp_graph_writer_node(struct sp_graph_writer *w, const struct sp_gnode *n,
    struct sp_err *err)
{
	sqlite3_stmt *st;
	const char *ev = n->events != NULL ? n->events : "[]";
	int rc;

	switch (n->kind) {
	case SP_GNODE_PROCESS:
		st = w->proc;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, n->id);
		sp_sql_bind_text(st, 2, n->host);
		sp_sql_bind_text(st, 3, n->boot_id);
		bind_i64(st, 4, n->pid);
		bind_i64(st, 5, n->ppid);
		bind_i64(st, 6, n->start_ns);
		bind_i64(st, 7, n->end_ns);
		sp_sql_bind_text(st, 8, n->exe);
		sp_sql_bind_text(st, 9, n->argv);
		sp_sql_bind_text(st, 10, n->cwd);
		sp_sql_bind_text(st, 11, n->comm);
		sp_sql_bind_text(st, 12, n->tty);
		bind_i64(st, 13, n->uid);
		bind_i64(st, 14, n->euid);
		bind_i64(st, 15, n->auid);
		bind_i64(st, 16, n->ses);
		sqlite3_bind_int(st, 17, n->inferred);
		sp_sql_bind_text(st, 18, n->detail);
		sp_sql_bind_text(st, 19, ev);
		sp_sql_bind_text(st, 20, n->user);
		break;
	case SP_GNODE_SESSION:
		st = w->sess;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, n->id);
		sp_sql_bind_text(st, 2, n->host);
		sp_sql_bind_text(st, 3, n->type != NULL ? n->type : "ssh");
		sp_sql_bind_text(st, 4, n->user);
		bind_i64(st, 5, n->uid);
		bind_i64(st, 6, n->auid);
		bind_i64(st, 7, n->ses);
		sp_sql_bind_text(st, 8, n->address);
		bind_i64(st, 9, n->port);
		sp_sql_bind_text(st, 10, n->method);
		sp_sql_bind_text(st, 11, n->tty);
		bind_i64(st, 12, n->pid);
		bind_i64(st, 13, n->start_ns);
		bind_i64(st, 14, n->end_ns);
		sqlite3_bind_int(st, 15, n->inferred);
		sp_sql_bind_text(st, 16, n->detail);
		sp_sql_bind_text(st, 17, ev);
		break;
	case SP_GNODE_OBJECT:
		st = w->obj;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, n->id);
		sp_sql_bind_text(st, 2, n->host);
		sp_sql_bind_text(st, 3, n->type != NULL ? n->type : "file");
		sp_sql_bind_text(st, 4, n->name);
		sp_sql_bind_text(st, 5, n->path);
		sp_sql_bind_text(st, 6, n->address);
		bind_i64(st, 7, n->port);
		bind_i64(st, 8, n->file_id);
		bind_i64(st, 9, n->inode);
		sp_sql_bind_text(st, 10, n->sha256);
		bind_i64(st, 11, n->start_ns);
		sqlite3_bind_int(st, 12, n->inferred);
		sp_sql_bind_text(st, 13, n->detail);
		sp_sql_bind_text(st, 14, ev);
		sp_sql_bind_text(st, 15, n->method);
		sp_sql_bind_text(st, 16, n->user);
		break;
	default:
		return sp_err_set(err, SP_E_USAGE, 0, "graph: node kind %d",
		    n->kind);
	}
	if ((rc = sp_sql_step_done(w->db, st, OTHER, "graph", err)) != SP_OK)
		return rc;
	w->nodes++;
	return SP_OK;
}

int
sp_graph_writer_edge(struct sp_graph_writer *w, const struct sp_gedge *e,
    struct sp_err *err)
{
	char sk[2] = { e->src_kind, 0 }, dk[2] = { e->dst_kind, 0 };
	sqlite3_stmt *st = w->edge;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, e->src);
	sqlite3_bind_text(st, 2, sk, 1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, e->dst);
	sqlite3_bind_text(st, 4, dk, 1, SQLITE_TRANSIENT);
	sp_sql_bind_text(st, 5, e->kind);
	bind_i64(st, 6, e->time_ns);
	sqlite3_bind_double(st, 7, e->confidence);
	sp_sql_bind_text(st, 8, e->reason);
	sp_sql_bind_text(st, 9, e->events != NULL ? e->events : "[]");
	w->edges++;
	return sp_sql_step_done(w->db, st, OTHER, "graph", err);
}

int
sp_graph_writer_finish(struct sp_graph_writer *w, struct sp_graph_info *info,
    struct sp_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	/*
	 * A file known by its path only is the newest allocated entry of
	 * that path in a source of the same host (or of any source when
	 * either side has no host).
	 */
	if ((rc = sp_sql_exec(w->db, graph_indexes, OTHER, err)) != SP_OK ||
	    (rc = sp_sql_exec(w->db,
	    "UPDATE objects SET file_id = (SELECT f.id FROM files f JOIN "
	    "sources s ON s.id = f.source_id WHERE f.path = objects.path AND "
	    "(s.host IS NULL OR objects.host IS NULL OR s.host = objects.host) "
	    "ORDER BY f.allocated DESC, f.id DESC LIMIT 1) "
	    "WHERE type = 'file' AND file_id IS NULL AND path IS NOT NULL;"
	    "UPDATE objects SET inode = (SELECT inode FROM files WHERE "
	    "files.id = objects.file_id), sha256 = coalesce(sha256, (SELECT "
	    "sha256 FROM files WHERE files.id = objects.file_id)) WHERE "
	    "file_id IS NOT NULL;", OTHER, err)) != SP_OK)
		return rc;
	if ((rc = sp_sql_prepare(w->db, "INSERT INTO graph_builds (run_id, "
	    "built_ns, max_source_id, source_count, node_count, edge_count, "
	    "event_count, missing) VALUES (?1, ?2, (SELECT ifnull(max(id), 0) "
	    "FROM sources), (SELECT count(*) FROM sources), ?3, ?4, ?5, ?6)",
	    &st, OTHER, "graph", err)) != SP_OK)
		return rc;
	sp_sql_bind_int_if(st, 1, sp_run_id(w->run), sp_run_id(w->run) > 0);
	sqlite3_bind_int64(st, 2, sp_time_now());
	sqlite3_bind_int64(st, 3, w->nodes);
	sqlite3_bind_int64(st, 4, w->edges);
	sqlite3_bind_int64(st, 5, info->events);
	sp_sql_bind_text(st, 6, info->missing != NULL ? info->missing : "[]");
	if ((rc = sp_sql_finish(w->db, st, OTHER, "graph", err)) != SP_OK)
		return rc;
	info->id = sqlite3_last_insert_rowid(w->db);
	info->nodes = w->nodes;
	info->edges = w->edges;
	if ((rc = sp_sql_exec(w->db, "COMMIT", OTHER, err)) != SP_OK)
		return rc;
	w->open = 0;
	return SP_OK;
}

void
sp_graph_writer_free(struct sp_graph_writer *w)
{
	if (w == NULL)
		return;
	sqlite3_finalize(w->proc);
	sqlite3_finalize(w->sess);
	sqlite3_finalize(w->obj);
	sqlite3_finalize(w->edge);
	if (w->open)
		sp_sql_rollback(w->db);
	free(w);
}

/* ---- reading ---- */

struct sp_graph_reader {
	struct sp_case *c;
	sqlite3 *db;
	sqlite3_stmt *proc, *sess, *obj, *in, *out, *find;
	sqlite3_stmt *find_det_file, *find_det_proc;
	struct sp_graph_info info;
	char *missing;
	struct sp_gnode node;
	struct sp_gedge edge;
	char ekind[2][2];
};

int
sp_graph_stale(struct sp_case *c, int *stale, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	int64_t v;
	int rc;

	*stale = 1;
	if ((rc = sp_sql_int(db, "SELECT count(*) FROM graph_builds", &v,
	    OTHER, "graph", err)) != SP_OK || v == 0)
		return rc;
	if ((rc = sp_sql_int(db, "SELECT (SELECT max_source_id FROM "
	    "graph_builds ORDER BY id DESC LIMIT 1) IS (SELECT ifnull(max(id), "
	    "0) FROM sources) AND (SELECT source_count FROM graph_builds ORDER "
	    "BY id DESC LIMIT 1) IS (SELECT count(*) FROM sources)", &v,
	    OTHER, "graph", err)) != SP_OK)
		return rc;
	*stale = v == 0;
	return SP_OK;
}

int
sp_graph_reader_open(struct sp_graph_reader **rp, struct sp_case *c,
    const struct sp_graph_info **info, struct sp_err *err)
{
	struct sp_graph_reader *r;
	sqlite3_stmt *st = NULL;
	int rc, row;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
	r->c = c;
	r->db = sp_case_db(c);
	if ((rc = sp_sql_prepare(r->db, "SELECT id, run_id, built_ns, "
	    "max_source_id, source_count, node_count, edge_count, event_count, "
	    "missing FROM graph_builds ORDER BY id DESC LIMIT 1", &st, OTHER,
	    "graph", err)) != SP_OK ||
	    (rc = sp_sql_step_row(r->db, st, &row, OTHER, "graph", err)) !=
	    SP_OK)
		goto fail;
	if (!row) {
		rc = sp_err_set(err, SP_E_NOTFOUND, 0, "the case holds no "
		    "causal graph");
		goto fail;
	}
	r->info.id = sqlite3_column_int64(st, 0);
	r->info.run_id = col_i64(st, 1);
	r->info.built_ns = sqlite3_column_int64(st, 2);
	r->info.max_source_id = sqlite3_column_int64(st, 3);
	r->info.source_count = sqlite3_column_int64(st, 4);
	r->info.nodes = sqlite3_column_int64(st, 5);
	r->info.edges = sqlite3_column_int64(st, 6);
	r->info.events = sqlite3_column_int64(st, 7);
	if ((r->missing = strdup(col_text(st, 8) != NULL ? col_text(st, 8) :
	    "[]")) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
		goto fail;
	}
	r->info.missing = r->missing;
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = sp_sql_prepare(r->db, "SELECT id, host, boot_id, pid, "
	    "ppid, start_ns, end_ns, exe, argv, cwd, comm, tty, uid, euid, "
	    "auid, ses, inferred, detail, events, user FROM processes WHERE "
	    "id = ?1",
	    &r->proc, OTHER, "graph", err)) != SP_OK ||
	    (rc = sp_sql_prepare(r->db, "SELECT id, host, type, user, uid, "
	    "auid, ses, address, port, method, tty, pid, start_ns, end_ns, "
	    "inferred, detail, events FROM sessions WHERE id = ?1", &r->sess,
	    OTHER, "graph", err)) != SP_OK ||
	    (rc = sp_sql_prepare(r->db, "SELECT id, host, type, name, path, "
	    "address, port, file_id, inode, sha256, start_ns, inferred, detail, "
	    "events, method, user FROM objects WHERE id = ?1", &r->obj, OTHER, "graph",
	    err)) != SP_OK ||
	    (rc = sp_sql_prepare(r->db, "SELECT id, src, src_kind, dst, "
	    "dst_kind, kind, time_ns, confidence, reason, events FROM edges "
	    "WHERE dst = ?1 AND (?2 IS NULL OR time_ns >= ?2) AND (?3 IS NULL "
	    "OR time_ns <= ?3) ORDER BY time_ns, id", &r->in, OTHER, "graph",
	    err)) != SP_OK ||
	    (rc = sp_sql_prepare(r->db, "SELECT id, src, src_kind, dst, "
	    "dst_kind, kind, time_ns, confidence, reason, events FROM edges "
	    "WHERE src = ?1 AND (?2 IS NULL OR time_ns >= ?2) AND (?3 IS NULL "
	    "OR time_ns <= ?3) ORDER BY time_ns, id", &r->out, OTHER, "graph",
	    err)) != SP_OK ||
	    (rc = sp_sql_prepare(r->db, "SELECT id, type, name, severity, "
	    "score, details, time_ns, path FROM detections WHERE (?1 IS NOT "
	    "NULL AND file_id = ?1) OR ((?1 IS NULL OR file_id IS NULL) AND "
	    "target_kind = 'file' AND path = ?2) ORDER BY score DESC, id",
	    &r->find_det_file, OTHER, "graph", err)) != SP_OK ||
	    (rc = sp_sql_prepare(r->db, "SELECT id, type, name, severity, "
	    "score, details, time_ns, path FROM detections WHERE pid = ?1 AND "
	    "target_kind IN ('process', 'memory') ORDER BY score DESC, id",
	    &r->find_det_proc, OTHER, "graph", err)) != SP_OK)
		goto fail;
	if (info != NULL)
		*info = &r->info;
	*rp = r;
	return SP_OK;
fail:
	sqlite3_finalize(st);
	sp_graph_reader_close(r);
	return rc;
}

void
sp_graph_reader_close(struct sp_graph_reader *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->proc);
	sqlite3_finalize(r->sess);
	sqlite3_finalize(r->obj);
	sqlite3_finalize(r->in);
	sqlite3_finalize(r->out);
	sqlite3_finalize(r->find);
	sqlite3_finalize(r->find_det_file);
	sqlite3_finalize(r->find_det_proc);
	free(r->missing);
	free(r);
}

static void
node_clear(struct sp_gnode *n)
{
	memset(n, 0, sizeof(*n));
	n->start_ns = n->end_ns = SP_GRAPH_NONE;
	n->pid = n->ppid = n->uid = n->euid = n->auid = n->ses = SP_GRAPH_NONE;
	n->port = n->file_id = n->inode = SP_GRAPH_NONE;
}

int
sp_graph_node(struct sp_graph_reader *r, int64_t id,
    const struct sp_gnode **np, struct sp_err *err)
{
	sqlite3_stmt *sts[3] = { r->proc, r->sess, r->obj }, *st;
	struct sp_gnode *n = &r->node;
	int i, rc, row = 0;

	*np = NULL;
	for (i = 0; i < 3; i++) {
		st = sts[i];
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		if ((rc = sp_sql_step_row(r->db, st, &row, OTHER, "graph",
		    err)) != SP_OK)
			return rc;
		if (row)
			break;
	}
	if (!row)
		return sp_err_set(err, SP_E_NOTFOUND, 0, "no node %" PRId64
		    " in the graph", id);
	node_clear(n);
	n->id = id;
	n->host = col_text(st, 1);
	if (i == 0) {
		n->kind = SP_GNODE_PROCESS;
		n->type = "process";
		n->boot_id = col_text(st, 2);
		n->pid = col_i64(st, 3);
		n->ppid = col_i64(st, 4);
		n->start_ns = col_i64(st, 5);
		n->end_ns = col_i64(st, 6);
		n->exe = col_text(st, 7);
		n->argv = col_text(st, 8);
		n->cwd = col_text(st, 9);
		n->comm = col_text(st, 10);
		n->tty = col_text(st, 11);
		n->uid = col_i64(st, 12);
		n->euid = col_i64(st, 13);
		n->auid = col_i64(st, 14);
		n->ses = col_i64(st, 15);
		n->inferred = sqlite3_column_int(st, 16);
		n->detail = col_text(st, 17);
		n->events = col_text(st, 18);
		n->user = col_text(st, 19);
	} else if (i == 1) {
		n->kind = SP_GNODE_SESSION;
		n->type = col_text(st, 2);
		n->user = col_text(st, 3);
		n->uid = col_i64(st, 4);
		n->auid = col_i64(st, 5);
		n->ses = col_i64(st, 6);
		n->address = col_text(st, 7);
		n->port = col_i64(st, 8);
		n->method = col_text(st, 9);
		n->tty = col_text(st, 10);
		n->pid = col_i64(st, 11);
		n->start_ns = col_i64(st, 12);
		n->end_ns = col_i64(st, 13);
		n->inferred = sqlite3_column_int(st, 14);
		n->detail = col_text(st, 15);
		n->events = col_text(st, 16);
	} else {
		n->kind = SP_GNODE_OBJECT;
		n->type = col_text(st, 2);
		n->name = col_text(st, 3);
		n->path = col_text(st, 4);
		n->address = col_text(st, 5);
		n->port = col_i64(st, 6);
		n->file_id = col_i64(st, 7);
		n->inode = col_i64(st, 8);
		n->sha256 = col_text(st, 9);
		n->start_ns = col_i64(st, 10);
		n->inferred = sqlite3_column_int(st, 11);
		n->detail = col_text(st, 12);
		n->events = col_text(st, 13);
		n->method = col_text(st, 14);
		n->user = col_text(st, 15);
	}
	*np = n;
	return SP_OK;
}

int
sp_graph_edges(struct sp_graph_reader *r, int64_t id, enum sp_graph_dir dir,
    sp_time_ns from, sp_time_ns to,
    int (*cb)(const struct sp_gedge *e, void *arg), void *arg,
    struct sp_err *err)
{
	sqlite3_stmt *st = dir == SP_GRAPH_IN ? r->in : r->out;
	struct sp_gedge *e = &r->edge;
	int rc, row;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	bind_i64(st, 2, from == SP_TIME_NONE ? SP_GRAPH_NONE : from);
	bind_i64(st, 3, to == SP_TIME_NONE ? SP_GRAPH_NONE : to);
	for (;;) {
		if ((rc = sp_sql_step_row(r->db, st, &row, OTHER, "graph",
		    err)) != SP_OK)
			return rc;
		if (!row)
			break;
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->src = sqlite3_column_int64(st, 1);
		e->src_kind = col_text(st, 2) != NULL ? col_text(st, 2)[0] : 0;
		e->dst = sqlite3_column_int64(st, 3);
		e->dst_kind = col_text(st, 4) != NULL ? col_text(st, 4)[0] : 0;
		e->kind = col_text(st, 5);
		e->time_ns = col_i64(st, 6);
		e->confidence = sqlite3_column_double(st, 7);
		e->reason = col_text(st, 8);
		e->events = col_text(st, 9);
		if (cb(e, arg) != 0)
			break;
	}
	sqlite3_reset(st);
	return SP_OK;
}

int
sp_graph_find(struct sp_graph_reader *r, enum sp_graph_find what,
    int64_t num, const char *text, int (*cb)(int64_t node, void *arg),
    void *arg, struct sp_err *err)
{
	static const char *const sql[] = {
		/* a detection: its file (by files row, then by path in a
		 * source of the same host) or its process */
		"SELECT o.id FROM detections d JOIN objects o ON o.type = "
		"'file' AND (o.file_id = d.file_id OR (d.file_id IS NULL AND "
		"o.path = d.path)) WHERE d.id = ?1 UNION SELECT p.id FROM "
		"detections d JOIN processes p ON p.pid = d.pid WHERE d.id = ?1 "
		"AND d.pid IS NOT NULL",
		/* an event: the process of its pid then (the latest to have
		 * started by its time), the file it is about, the login of
		 * its session */
		"SELECT * FROM (SELECT p.id FROM events e JOIN processes p ON "
		"p.pid = e.pid AND p.start_ns <= e.time_ns AND (p.host IS e.host "
		"OR e.host IS NULL OR p.host IS NULL) WHERE e.id = ?1 ORDER BY "
		"p.start_ns DESC LIMIT 1) UNION SELECT o.id FROM events e JOIN "
		"objects o ON o.file_id = e.file_id OR (e.file_id IS NULL AND "
		"o.path = e.path AND e.artifact <> 'fs') WHERE e.id = ?1",
		"SELECT id FROM processes WHERE pid = ?1 ORDER BY start_ns",
		"SELECT id FROM objects WHERE path = ?2 UNION SELECT o.id FROM "
		"objects o JOIN files f ON f.id = o.file_id WHERE f.path = ?2",
		"SELECT id FROM objects WHERE inode = ?1 AND type = 'file'",
	};
	sqlite3_stmt *st = NULL;
	int rc, row, found = 0;

	if ((unsigned)what >= sizeof(sql) / sizeof(sql[0]))
		return sp_err_set(err, SP_E_USAGE, 0, "graph: find %d", what);
	if ((rc = sp_sql_prepare(r->db, sql[what], &st, OTHER, "graph",
	    err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 1, num);
	sp_sql_bind_text(st, 2, text);
	for (;;) {
		if ((rc = sp_sql_step_row(r->db, st, &row, OTHER, "graph",
		    err)) != SP_OK || !row)
			break;
		found++;
		if (cb(sqlite3_column_int64(st, 0), arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc == SP_OK && found == 0)
		rc = sp_err_set(err, SP_E_NOTFOUND, 0, "no node of the graph "
		    "is linked to it");
	return rc;
}

int
sp_graph_login_count(struct sp_graph_reader *r, const char *user,
    const char *address, sp_time_ns t, int64_t *count, struct sp_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, row;

	*count = 0;
	if ((rc = sp_sql_prepare(r->db, "SELECT count(*) FROM sessions WHERE "
	    "user = ?1 AND address = ?2 AND start_ns < ?3", &st, OTHER,
	    "graph", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 1, user);
	sp_sql_bind_text(st, 2, address);
	sqlite3_bind_int64(st, 3, t);
	if ((rc = sp_sql_step_row(r->db, st, &row, OTHER, "graph", err)) ==
	    SP_OK && row)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

int
sp_graph_node_detections(struct sp_graph_reader *r, const struct sp_gnode *n,
    int (*cb)(const struct sp_gdetection *d, void *arg), void *arg,
    struct sp_err *err)
{
	struct sp_gdetection d;
	sqlite3_stmt *st;
	int rc, row;

	if (n->kind == SP_GNODE_OBJECT && n->type != NULL &&
	    strcmp(n->type, "file") == 0) {
		st = r->find_det_file;
		sqlite3_reset(st);
		bind_i64(st, 1, n->file_id);
		sp_sql_bind_text(st, 2, n->path);
	} else if (n->kind == SP_GNODE_PROCESS && n->pid != SP_GRAPH_NONE) {
		st = r->find_det_proc;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, n->pid);
	} else {
		return SP_OK;
	}
	for (;;) {
		if ((rc = sp_sql_step_row(r->db, st, &row, OTHER, "graph",
		    err)) != SP_OK || !row)
			break;
		d.id = sqlite3_column_int64(st, 0);
		d.type = col_text(st, 1);
		d.name = col_text(st, 2);
		d.severity = col_text(st, 3);
		d.score = sqlite3_column_int64(st, 4);
		d.details = col_text(st, 5);
		d.time_ns = sqlite3_column_int64(st, 6);
		d.path = col_text(st, 7);
		if (cb(&d, arg) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc;
}

/* ---- trees ---- */

int
sp_graph_tree_store(struct sp_run *run, int incident, int64_t root,
    const char *summary, const char *missing, const struct sp_tree_node *n,
    size_t count, int64_t *id, struct sp_err *err)
{
	struct sp_case *c = sp_run_case(run);
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int64_t tid;
	size_t i;
	int rc;

	if (c == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "tree: the run has no "
		    "case");
	db = sp_case_db(c);
	if ((rc = sp_sql_exec(db, "BEGIN IMMEDIATE", OTHER, err)) != SP_OK)
		return rc;
	if ((rc = sp_sql_prepare(db, "INSERT INTO trees (run_id, build_id, "
	    "incident, root, created_ns, summary, missing) VALUES (?1, (SELECT "
	    "max(id) FROM graph_builds), ?2, ?3, ?4, ?5, ?6)", &st, OTHER,
	    "tree", err)) != SP_OK)
		goto fail;
	sp_sql_bind_int_if(st, 1, sp_run_id(run), sp_run_id(run) > 0);
	sqlite3_bind_int(st, 2, incident);
	bind_i64(st, 3, root);
	sqlite3_bind_int64(st, 4, sp_time_now());
	sp_sql_bind_text(st, 5, summary != NULL ? summary : "{}");
	sp_sql_bind_text(st, 6, missing != NULL ? missing : "[]");
	if ((rc = sp_sql_finish(db, st, OTHER, "tree", err)) != SP_OK) {
		st = NULL;
		goto fail;
	}
	st = NULL;
	tid = sqlite3_last_insert_rowid(db);
	if ((rc = sp_sql_prepare(db, "INSERT INTO tree_nodes (tree_id, seq, "
	    "node, parent, relation, edge_id, depth, time_ns, confidence, "
	    "label, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11)", &st, OTHER, "tree", err)) != SP_OK)
		goto fail;
	for (i = 0; i < count; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, tid);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		sqlite3_bind_int64(st, 3, n[i].node);
		sp_sql_bind_int_if(st, 4, n[i].parent, n[i].parent >= 0);
		sp_sql_bind_text(st, 5, n[i].relation);
		bind_i64(st, 6, n[i].edge);
		sqlite3_bind_int(st, 7, n[i].depth);
		bind_i64(st, 8, n[i].time_ns);
		sqlite3_bind_double(st, 9, n[i].confidence);
		sp_sql_bind_text(st, 10, n[i].label != NULL ? n[i].label : "");
		sp_sql_bind_text(st, 11, n[i].reason);
		if ((rc = sp_sql_step_done(db, st, OTHER, "tree", err)) !=
		    SP_OK)
			goto fail;
	}
	sqlite3_finalize(st);
	if ((rc = sp_sql_exec(db, "COMMIT", OTHER, err)) != SP_OK) {
		sp_sql_rollback(db);
		return rc;
	}
	if (id != NULL)
		*id = tid;
	return SP_OK;
fail:
	sqlite3_finalize(st);
	sp_sql_rollback(db);
	return rc;
}

int
sp_graph_trees(struct sp_case *c,
    int (*cb)(const struct sp_tree_info *t, void *arg), void *arg,
    struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	struct sp_tree_info t;
	int rc, row;

	/* the run of the newest tree: each analysis stores all of its own */
	if ((rc = sp_sql_prepare(db, "SELECT id, run_id, incident, root, "
	    "created_ns, summary, missing FROM trees WHERE run_id IS (SELECT "
	    "run_id FROM trees ORDER BY id DESC LIMIT 1) ORDER BY incident, id",
	    &st, OTHER, "trees", err)) != SP_OK)
		return rc;
	while ((rc = sp_sql_step_row(db, st, &row, OTHER, "trees", err)) ==
	    SP_OK && row) {
		t.id = sqlite3_column_int64(st, 0);
		t.run_id = col_i64(st, 1);
		t.incident = sqlite3_column_int64(st, 2);
		t.root = col_i64(st, 3);
		t.created_ns = sqlite3_column_int64(st, 4);
		t.summary = col_text(st, 5);
		t.missing = col_text(st, 6);
		if (cb(&t, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc;
}

int
sp_graph_tree_nodes(struct sp_case *c, int64_t tree_id,
    int (*cb)(int64_t seq, const struct sp_tree_node *n, void *arg),
    void *arg, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	struct sp_tree_node n;
	int64_t count = 0;
	int rc, row;

	if ((rc = sp_sql_prepare(db, "SELECT seq, node, parent, relation, "
	    "edge_id, depth, time_ns, confidence, label, reason FROM tree_nodes "
	    "WHERE tree_id = ?1 ORDER BY seq", &st, OTHER, "tree", err))
	    != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 1, tree_id);
	while ((rc = sp_sql_step_row(db, st, &row, OTHER, "tree", err)) ==
	    SP_OK && row) {
		count++;
		n.node = sqlite3_column_int64(st, 1);
		n.parent = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 2);
		n.relation = col_text(st, 3);
		n.edge = col_i64(st, 4);
		n.depth = sqlite3_column_int(st, 5);
		n.time_ns = col_i64(st, 6);
		n.confidence = sqlite3_column_double(st, 7);
		n.label = col_text(st, 8);
		n.reason = col_text(st, 9);
		if (cb(sqlite3_column_int64(st, 0), &n, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SP_OK || count > 0)
		return rc;
	/* no nodes: an empty tree, or none of that id */
	if ((rc = sp_sql_prepare(db, "SELECT 1 FROM trees WHERE id = ?1", &st,
	    OTHER, "tree", err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 1, tree_id);
	rc = sp_sql_step_row(db, st, &row, OTHER, "tree", err);
	sqlite3_finalize(st);
	if (rc == SP_OK && !row)
		rc = sp_err_set(err, SP_E_NOTFOUND, 0, "no tree %" PRId64
		    " in the case", tree_id);
	return rc;
}
