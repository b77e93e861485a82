/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The loader of the case (see include/spoor/store.h): files rows, file
 * system, artifact and detection events, detections, the full-text index
 * and source state, through statements prepared once on first use and
 * batched transactions.  The full-text index of a timeline load is filled
 * once per source at its end, and the subjects of its artifact events are
 * resolved there in one UPDATE over the rowid range the load wrote: both
 * are far cheaper than the same work per row.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "spoor/hash.h"
#include "spoor/store.h"
#include "case/case-internal.h"

enum stmt {
	ST_FILE,
	ST_FS_EVENT,
	ST_ARTIFACT_EVENT,
	ST_FILE_FIND,
	ST_DETECTION_EVENT,
	ST_FTS_ONE,
	ST_DETECTION,
	NSTMT
};

static const char *const stmt_sql[NSTMT] = {
	[ST_FILE] = "INSERT INTO files (source_id, fs, inode, attr_type, "
	    "attr_id, path, name, stream, name_type, meta_type, mode, uid, gid, "
	    "size, nlink, atime_ns, mtime_ns, ctime_ns, crtime_ns, dtime_ns, "
	    "flags, allocated, link, md5, sha1, sha256) VALUES (?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	/* its path and message are its files row's (the read cursor's) */
	[ST_FS_EVENT] = "INSERT INTO events (time_ns, time_desc, artifact, "
	    "source_id, file_id, host, message, origin, origin_line, "
	    "run_id) VALUES (?1,?2,'fs',?3,?4,?5,'',?6,?7,?8)",
	[ST_ARTIFACT_EVENT] = "INSERT INTO events (time_ns, time_desc, "
	    "artifact, source_id, origin_file_id, host, user, pid, ppid, exe, "
	    "path, message, extra, origin, origin_line, origin_offset, run_id, "
	    "boot_id, session, auid, tty, cwd) VALUES (?,?,?,?,?,?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?,?,?,?)",
	[ST_FILE_FIND] = "SELECT id FROM files WHERE source_id = ?1 AND "
	    "fs = ?2 AND inode = ?3 AND path = ?4 LIMIT 1",
	/* a detection's event is of its source's host */
	[ST_DETECTION_EVENT] = "INSERT INTO events (time_ns, time_desc, "
	    "artifact, source_id, file_id, pid, exe, path, message, extra, "
	    "origin, run_id, host) VALUES (?1, 'detection', 'detection', ?2, "
	    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "(SELECT host FROM sources WHERE id = ?2))",
	[ST_FTS_ONE] = "INSERT INTO events_fts(rowid, message) VALUES (?1, ?2)",
	[ST_DETECTION] = "INSERT INTO detections (run_id, source_id, file_id, "
	    "event_id, type, name, namespace, severity, score, target_kind, "
	    "path, fs, inode, pid, address, reason, details, time_ns) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18)",
};

struct sp_store {
	struct sp_run *run;
	struct sp_case *c;
	sqlite3 *db;
	sqlite3_stmt *st[NSTMT];
	unsigned batch, in_batch;
	int bulk;		/* indexes dropped for a first load */
	/* the rowids of the artifact events of art_source written so far */
	int64_t art_source, art_lo, art_hi;
};

/* The statement k, prepared on first use and reset for binding. */
static sqlite3_stmt *
stmt(struct sp_store *s, enum stmt k, struct sp_err *err)
{
	if (s->st[k] == NULL) {
		if (sp_sql_prepare(s->db, stmt_sql[k], &s->st[k], SP_E_CASE,
		    "prepare", err) != SP_OK)
			return NULL;
	} else
		sqlite3_reset(s->st[k]);
	return s->st[k];
}

/* Prepare sql (what it is for in what) with id bound to ?1. */
static int
prepare_id(struct sp_store *s, const char *sql, int64_t id,
    sqlite3_stmt **st, const char *what, struct sp_err *err)
{
	int rc;

	if ((rc = sp_sql_prepare(s->db, sql, st, SP_E_CASE, what, err)) ==
	    SP_OK)
		sqlite3_bind_int64(*st, 1, id);
	return rc;
}

/* Run one statement with id bound to ?1 to its end. */
static int
run_with_id(struct sp_store *s, const char *sql, int64_t id,
    const char *what, struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare_id(s, sql, id, &st, what, err)) != SP_OK)
		return rc;
	return sp_sql_finish(s->db, st, SP_E_CASE, what, err);
}

/* Step st, a lookup of one row id, once: *id, or 0 when none. */
static int
step_id(struct sp_store *s, sqlite3_stmt *st, int64_t *id, const char *what,
    struct sp_err *err)
{
	int rc, row;

	rc = sp_sql_step_row(s->db, st, &row, SP_E_CASE, what, err);
	*id = rc == SP_OK && row ? sqlite3_column_int64(st, 0) : 0;
	return rc;
}

static void
bind_time(sqlite3_stmt *st, int i, sp_time_ns t)
{
	sp_sql_bind_int_if(st, i, t, t != SP_TIME_NONE);
}

/* A row id: 0 (or less) is NULL. */
static void
bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	sp_sql_bind_int_if(st, i, id, id > 0);
}

int
sp_store_new(struct sp_store **sp, struct sp_run *run, unsigned batch,
    struct sp_err *err)
{
	struct sp_store *s;

	*sp = NULL;
	if (sp_run_case(run) == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "no case database");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "case");
	s->run = run;
	s->c = sp_run_case(run);
	s->db = sp_case_db(s->c);
	s->batch = batch ? batch : 1;
	*sp = s;
	return SP_OK;
}

void
sp_store_free(struct sp_store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < NSTMT; i++)
		sqlite3_finalize(s->st[i]);
	free(s);
}

/* ---- transactions ---- */

int
sp_store_begin(struct sp_store *s, int immediate, struct sp_err *err)
{
	s->in_batch = 0;
	return immediate ? sp_sql_begin(s->db, SP_E_CASE, err) :
	    sp_sql_exec(s->db, "BEGIN", SP_E_CASE, err);
}

int
sp_store_commit(struct sp_store *s, struct sp_err *err)
{
	return sp_sql_commit(s->db, SP_E_CASE, err);
}

void
sp_store_rollback(struct sp_store *s)
{
	sp_sql_rollback(s->db);
}

int
sp_store_commit_batch(struct sp_store *s, struct sp_err *err)
{
	int rc;

	if ((rc = sp_sql_commit(s->db, SP_E_CASE, err)) != SP_OK ||
	    (rc = sp_sql_exec(s->db, "BEGIN", SP_E_CASE, err)) != SP_OK)
		return rc;
	s->in_batch = 0;
	return SP_OK;
}

int
sp_store_tick(struct sp_store *s, struct sp_err *err)
{
	if (++s->in_batch >= s->batch)
		return sp_store_commit_batch(s, err);
	return SP_OK;
}

int
sp_store_bulk_begin(struct sp_store *s, struct sp_err *err)
{
	int64_t empty;
	int rc;

	if ((rc = sp_sql_int(s->db, "SELECT NOT EXISTS (SELECT 1 FROM "
	    "events) AND NOT EXISTS (SELECT 1 FROM files)", &empty, SP_E_CASE,
	    "prepare", err)) != SP_OK || !empty)
		return rc;
	s->bulk = 1;
	/*
	 * A first load: a crash leaves its source 'loading', which the next
	 * open discards, so the WAL need not reach the disk before the end,
	 * and is copied back into the case 64 MiB at a time rather than 4;
	 * the index builds sort on a second thread.
	 */
	(void)sp_sql_exec(s->db, "PRAGMA synchronous = OFF; "
	    "PRAGMA threads = 2; PRAGMA cache_size = -65536; "
	    "PRAGMA wal_autocheckpoint = 16384", SP_E_CASE, NULL);
	return sp_case_timeline_indexes(s->c, 0, err);
}

int
sp_store_bulk_end(struct sp_store *s, struct sp_err *err)
{
	int rc;

	if (!s->bulk)
		return SP_OK;
	s->bulk = 0;
	rc = sp_case_timeline_indexes(s->c, 1, err);
	(void)sp_sql_exec(s->db, "PRAGMA synchronous = NORMAL; "
	    "PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 1000",
	    SP_E_CASE, NULL);
	return rc;
}

/* ---- sources ---- */

int
sp_store_source_add(struct sp_store *s, const struct sp_source_record *src,
    int64_t *id, struct sp_err *err)
{
	return sp_case_source_insert(s->db, sp_run_id(s->run), src, "loading",
	    id, err);
}

int
sp_store_source_set_size(struct sp_store *s, int64_t id, uint64_t size,
    struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prepare_id(s, "UPDATE sources SET size = ?2 WHERE id = ?1",
	    id, &st, "finish source", err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 2, (sqlite3_int64)size);
	return sp_sql_finish(s->db, st, SP_E_CASE, "finish source", err);
}

/*
 * An artifact event is about the file at its path: the allocated files row
 * of the same source (the first one, when file systems share a path).
 */
static int
resolve_subjects(struct sp_store *s, int64_t id, struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (s->art_source != id || s->art_lo == 0)
		return SP_OK;
	if ((rc = prepare_id(s, "UPDATE events SET file_id = ("
	    "SELECT f.id FROM files f WHERE f.source_id = ?1 AND "
	    "f.path = events.path AND f.allocated = 1 ORDER BY f.id LIMIT 1) "
	    "WHERE id BETWEEN ?2 AND ?3 AND source_id = ?1 AND "
	    "path IS NOT NULL AND artifact NOT IN ('fs', 'detection')", id,
	    &st, "resolve subjects", err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 2, s->art_lo);
	sqlite3_bind_int64(st, 3, s->art_hi);
	rc = sp_sql_finish(s->db, st, SP_E_CASE, "resolve subjects", err);
	s->art_source = s->art_lo = s->art_hi = 0;
	return rc;
}

int
sp_store_source_finish(struct sp_store *s, int64_t id, const char *state,
    uint64_t files, uint64_t events, const char *sha256, struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = resolve_subjects(s, id, err)) != SP_OK ||
	    (rc = run_with_id(s, "INSERT INTO events_fts(rowid, message) "
	    "SELECT id, message FROM events WHERE source_id = ?1 AND "
	    "message != ''", id, "index messages", err)) != SP_OK ||
	    (rc = run_with_id(s, "INSERT INTO files_fts(rowid, path) "
	    "SELECT id, path FROM files WHERE source_id = ?1", id,
	    "index paths", err)) != SP_OK)
		return rc;
	if ((rc = prepare_id(s, "UPDATE sources SET state = ?2, "
	    "file_count = ?3, event_count = ?4, sha256 = coalesce(?5, sha256) "
	    "WHERE id = ?1", id, &st, "finish source", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 2, state);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)files);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)events);
	sp_sql_bind_text(st, 5, sha256);
	return sp_sql_finish(s->db, st, SP_E_CASE, "finish source", err);
}

int
sp_store_source_delete(struct sp_store *s, int64_t id, struct sp_err *err)
{
	static const char *const sql[] = {
		/* a source still 'loading' never reached the FTS index */
		"INSERT INTO events_fts(events_fts, rowid, message) "
		"SELECT 'delete', id, message FROM events WHERE source_id = ?1 "
		"AND message != '' "
		"AND (SELECT state FROM sources WHERE id = ?1) != 'loading'",
		"INSERT INTO files_fts(files_fts, rowid, path) "
		"SELECT 'delete', id, path FROM files WHERE source_id = ?1 "
		"AND (SELECT state FROM sources WHERE id = ?1) != 'loading'",
		"DELETE FROM events WHERE source_id = ?1",
		"DELETE FROM files WHERE source_id = ?1",
		"DELETE FROM sources WHERE id = ?1",
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if ((rc = run_with_id(s, sql[i], id, "delete source", err)) !=
		    SP_OK)
			return rc;
	if (s->art_source == id)
		s->art_source = s->art_lo = s->art_hi = 0;
	return SP_OK;
}

/*
 * spoor-acquire's record of an image it wrote is a source without rows:
 * loading that image is not loading it again.
 */
#define NOT_ACQUISITION "coalesce(json_extract(CASE WHEN json_valid(" \
	"details) THEN details END, '$.record'), '') != 'acquisition'"

int
sp_store_source_find(struct sp_store *s, const char *kind, const char *path,
    uint64_t size, const char *sha256, int64_t *id, struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if ((rc = prepare_id(s, sha256 ? "SELECT id FROM sources WHERE "
	    "size = ?1 AND sha256 = ?2 AND " NOT_ACQUISITION :
	    "SELECT id FROM sources WHERE kind = ?3 AND path = ?4",
	    (int64_t)size, &st, "find source", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 2, sha256);
	sp_sql_bind_text(st, 3, kind);
	sp_sql_bind_text(st, 4, path);
	rc = step_id(s, st, id, "find source", err);
	sqlite3_finalize(st);
	return rc;
}

int
sp_store_source_find_fingerprint(struct sp_store *s, uint64_t size,
    const char *fp, int64_t *id, struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if ((rc = prepare_id(s, "SELECT id FROM sources WHERE size = ?1 AND "
	    "fingerprint = ?2 AND sha256 IS NULL ORDER BY id LIMIT 1",
	    (int64_t)size, &st, "find source", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 2, fp);
	rc = step_id(s, st, id, "find source", err);
	sqlite3_finalize(st);
	return rc;
}

static void
copy_hex(char *dst, const char *src)
{
	snprintf(dst, SP_HASH_HEX_MAX, "%s", src ? src : "");
}

int
sp_store_source_recorded_hashes(struct sp_store *s, const char *path,
    uint64_t size, int64_t *id, char *md5, char *sha1, char *sha256,
    struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc, row;

	*id = 0;
	md5[0] = sha1[0] = sha256[0] = '\0';
	if ((rc = prepare_id(s, "SELECT id, md5, sha1, sha256 FROM sources "
	    "WHERE size = ?1 AND path = ?2 AND json_valid(details) AND "
	    "json_extract(details, '$.record') = 'acquisition' AND "
	    "coalesce(md5, sha1, sha256) IS NOT NULL ORDER BY id DESC "
	    "LIMIT 1", (int64_t)size, &st, "find source", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 2, path);
	if ((rc = sp_sql_step_row(s->db, st, &row, SP_E_CASE, "find source",
	    err)) == SP_OK && row) {
		*id = sqlite3_column_int64(st, 0);
		copy_hex(md5, (const char *)sqlite3_column_text(st, 1));
		copy_hex(sha1, (const char *)sqlite3_column_text(st, 2));
		copy_hex(sha256, (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
	return rc;
}

int
sp_store_source_size_taken(struct sp_store *s, uint64_t size, int *taken,
    struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*taken = 0;
	if ((rc = prepare_id(s, "SELECT 1 FROM sources WHERE size = ?1 AND "
	    NOT_ACQUISITION, (int64_t)size, &st, "find source", err)) != SP_OK)
		return rc;
	rc = sp_sql_step_row(s->db, st, taken, SP_E_CASE, "find source", err);
	sqlite3_finalize(st);
	return rc;
}

int
sp_store_source_find_path(struct sp_store *s, const char *path, int64_t *id,
    struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if ((rc = sp_sql_prepare(s->db, "SELECT id FROM sources WHERE path = "
	    "?1 ORDER BY (file_count IS NULL), id DESC LIMIT 1", &st,
	    SP_E_CASE, "find source", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 1, path);
	rc = step_id(s, st, id, "find source", err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- the timeline ---- */

int
sp_store_file_add(struct sp_store *s, int64_t source_id,
    const struct sp_entry *e, const char *md5, const char *sha1,
    const char *sha256, int64_t *file_id, struct sp_err *err)
{
	sqlite3_stmt *st;
	char t1[2] = { e->name_type, 0 }, t2[2] = { e->meta_type, 0 };
	int rc;

	if ((st = stmt(s, ST_FILE, err)) == NULL)
		return SP_E_CASE;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int(st, 2, (int)e->fs_index);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)e->inode);
	if (e->flags & SP_ENTRY_ATTR) {
		sqlite3_bind_int(st, 4, (int)e->attr_type);
		sqlite3_bind_int(st, 5, e->attr_id);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	sp_sql_bind_text(st, 6, e->path);
	sp_sql_bind_text(st, 7, e->name ? e->name : "");
	sp_sql_bind_text(st, 8, e->stream);
	sqlite3_bind_text(st, 9, t1, 1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 10, t2, 1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 11, (int)e->mode);
	sqlite3_bind_int64(st, 12, e->uid);
	sqlite3_bind_int64(st, 13, e->gid);
	sqlite3_bind_int64(st, 14, (sqlite3_int64)e->size);
	sqlite3_bind_int64(st, 15, e->nlink);
	bind_time(st, 16, e->atime);
	bind_time(st, 17, e->mtime);
	bind_time(st, 18, e->ctime);
	bind_time(st, 19, e->crtime);
	bind_time(st, 20, e->dtime);
	sqlite3_bind_int(st, 21, (int)e->flags);
	sqlite3_bind_int(st, 22, !(e->flags & SP_ENTRY_DELETED));
	sp_sql_bind_text(st, 23, e->link);
	sp_sql_bind_text(st, 24, md5);
	sp_sql_bind_text(st, 25, sha1);
	sp_sql_bind_text(st, 26, sha256);
	if ((rc = sp_sql_step_done(s->db, st, SP_E_CASE, "insert file", err))
	    == SP_OK)
		*file_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int
sp_store_fs_event_add(struct sp_store *s, const struct sp_fs_event *fe,
    struct sp_err *err)
{
	sqlite3_stmt *st;

	if ((st = stmt(s, ST_FS_EVENT, err)) == NULL)
		return SP_E_CASE;
	sqlite3_bind_int64(st, 1, fe->time);
	sqlite3_bind_text(st, 2, fe->macb, 4, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, fe->source_id);
	bind_id(st, 4, fe->file_id);
	sp_sql_bind_text(st, 5, fe->host);
	sp_sql_bind_text(st, 6, fe->origin);
	sp_sql_bind_int_if(st, 7, fe->origin_line, fe->origin != NULL);
	sqlite3_bind_int64(st, 8, sp_run_id(s->run));
	return sp_sql_step_done(s->db, st, SP_E_CASE, "insert event", err);
}

int
sp_store_artifact_event_add(struct sp_store *s, int64_t source_id,
    int64_t origin_file_id, const char *origin, const char *host,
    const struct sp_event *e, struct sp_err *err)
{
	sqlite3_stmt *st;
	int64_t id;
	int rc;

	if ((st = stmt(s, ST_ARTIFACT_EVENT, err)) == NULL)
		return SP_E_CASE;
	sqlite3_bind_int64(st, 1, e->time);
	sp_sql_bind_text(st, 2, e->time_desc ? e->time_desc : "");
	sp_sql_bind_text(st, 3, e->artifact ? e->artifact : "unknown");
	sqlite3_bind_int64(st, 4, source_id);
	bind_id(st, 5, origin_file_id);
	sp_sql_bind_text(st, 6, e->host ? e->host : host);
	sp_sql_bind_text(st, 7, e->user);
	sp_sql_bind_int(st, 8, e->pid);
	sp_sql_bind_int(st, 9, e->ppid);
	sp_sql_bind_text(st, 10, e->exe);
	sp_sql_bind_text(st, 11, e->path);
	sp_sql_bind_text(st, 12, e->message ? e->message : "");
	sp_sql_bind_text(st, 13, e->extra);
	sp_sql_bind_text(st, 14, origin);
	sp_sql_bind_int_if(st, 15, e->line, e->line > 0);
	sp_sql_bind_int(st, 16, e->offset);
	sqlite3_bind_int64(st, 17, sp_run_id(s->run));
	sp_sql_bind_text(st, 18, e->boot_id);
	sp_sql_bind_int(st, 19, e->session);
	sp_sql_bind_int(st, 20, e->auid);
	sp_sql_bind_text(st, 21, e->tty);
	sp_sql_bind_text(st, 22, e->cwd);
	if ((rc = sp_sql_step_done(s->db, st, SP_E_CASE, "insert event",
	    err)) != SP_OK)
		return rc;
	/* only an event with a path has a subject to resolve */
	if (e->path != NULL) {
		id = sqlite3_last_insert_rowid(s->db);
		if (s->art_source != source_id) {
			s->art_source = source_id;
			s->art_lo = id;
		}
		if (id < s->art_lo)
			s->art_lo = id;
		if (id > s->art_hi)
			s->art_hi = id;
	}
	return SP_OK;
}

/* ---- detections ---- */

int
sp_store_file_find(struct sp_store *s, int64_t source_id, int fs_index,
    uint64_t inode, const char *path, int64_t *file_id, struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*file_id = 0;
	if ((st = stmt(s, ST_FILE_FIND, err)) == NULL)
		return SP_E_CASE;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int(st, 2, fs_index);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)inode);
	sp_sql_bind_text(st, 4, path);
	rc = step_id(s, st, file_id, "find file", err);
	sqlite3_reset(st);
	return rc;
}

int
sp_store_detection_add(struct sp_store *s,
    const struct sp_detection_record *d, struct sp_err *err)
{
	sqlite3_stmt *st;
	int64_t event_id = 0;
	int rc = SP_OK;

	if ((st = stmt(s, ST_DETECTION_EVENT, err)) == NULL)
		return SP_E_CASE;
	sqlite3_bind_int64(st, 1, d->time);
	sqlite3_bind_int64(st, 2, d->source_id);
	bind_id(st, 3, d->file_id);
	if (d->pid >= 0) {
		sqlite3_bind_int64(st, 4, d->pid);
		sp_sql_bind_text(st, 5, d->exe);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	sp_sql_bind_text(st, 6, d->path);
	sp_sql_bind_text(st, 7, d->message ? d->message : d->name);
	sp_sql_bind_text(st, 8, d->details);
	sp_sql_bind_text(st, 9, d->origin);
	sqlite3_bind_int64(st, 10, sp_run_id(s->run));
	if (sqlite3_step(st) == SQLITE_DONE) {
		event_id = sqlite3_last_insert_rowid(s->db);
		if ((st = stmt(s, ST_FTS_ONE, err)) != NULL) {
			sqlite3_bind_int64(st, 1, event_id);
			sp_sql_bind_text(st, 2, d->message ? d->message :
			    d->name);
			(void)sqlite3_step(st);
			sqlite3_reset(st);
		}
	} else
		rc = sp_sql_err(err, s->db, SP_E_CASE,
		    "insert detection event");
	sqlite3_reset(s->st[ST_DETECTION_EVENT]);
	if ((st = stmt(s, ST_DETECTION, err)) == NULL)
		return SP_E_CASE;
	sqlite3_bind_int64(st, 1, sp_run_id(s->run));
	sqlite3_bind_int64(st, 2, d->source_id);
	bind_id(st, 3, d->file_id);
	bind_id(st, 4, event_id);
	sp_sql_bind_text(st, 5, d->type);
	sp_sql_bind_text(st, 6, d->name);
	sp_sql_bind_text(st, 7, d->ns);
	sp_sql_bind_text(st, 8, d->severity);
	sqlite3_bind_int(st, 9, d->score);
	sp_sql_bind_text(st, 10, d->target_kind);
	sp_sql_bind_text(st, 11, d->path);
	if (d->fs_index >= 0) {
		sqlite3_bind_int(st, 12, d->fs_index);
		sqlite3_bind_int64(st, 13, (sqlite3_int64)d->inode);
	} else {
		sqlite3_bind_null(st, 12);
		sqlite3_bind_null(st, 13);
	}
	sp_sql_bind_int(st, 14, d->pid);
	sp_sql_bind_int_if(st, 15, (int64_t)d->address, d->has_address);
	sp_sql_bind_text(st, 16, d->reason);
	sp_sql_bind_text(st, 17, d->details);
	sqlite3_bind_int64(st, 18, d->time);
	if (sqlite3_step(st) != SQLITE_DONE && rc == SP_OK)
		rc = sp_sql_err(err, s->db, SP_E_CASE, "insert detection");
	sqlite3_reset(st);
	return rc;
}
