/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The write side of the case: runs, their problems and sources here, and
 * whether a detection is already in the case; the loader of files,
 * events and detections in store-load.c, tags and notes in store-marks.c
 * (include/spoor/store.h).  Statements bind every value;
 * nothing from evidence is ever part of SQL text.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "spoor/case.h"
#include "spoor/store.h"
#include "case/case-internal.h"

/* ---- runs ---- */

static int
run_write_end(struct sp_run *r, int exit_status, const char *state,
    void *arg, struct sp_err *err)
{
	struct sp_case *c = arg;
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st = NULL;
	uint64_t i, n = sp_run_problem_kept(r);
	int rc;

	if (sp_sql_begin(db, SP_E_CASE, err) != SP_OK)
		return sp_err_prefix(err, "record run end");
	if ((rc = sp_sql_prepare(db, "INSERT INTO problems (run_id, subject, "
	    "code, message) VALUES (?,?,?,?)", &st, SP_E_CASE,
	    "record problems", err)) != SP_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		const char *s, *code, *m;

		sp_run_problem_get(r, i, &s, &code, &m);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, sp_run_id(r));
		sp_sql_bind_text(st, 2, s);
		sp_sql_bind_text(st, 3, code);
		sp_sql_bind_text(st, 4, m);
		if ((rc = sp_sql_step_done(db, st, SP_E_CASE, "record problems",
		    err)) != SP_OK)
			goto fail;
	}
	sqlite3_finalize(st);
	if ((rc = sp_sql_prepare(db, "UPDATE runs SET ended_ns = ?, "
	    "exit_status = ?, state = ?, inputs = ?, problem_count = ? "
	    "WHERE id = ?", &st, SP_E_CASE, "record run end", err)) != SP_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, sp_time_now());
	sqlite3_bind_int(st, 2, exit_status);
	sp_sql_bind_text(st, 3, state);
	sp_sql_bind_text(st, 4, sp_run_inputs_json(r));
	sqlite3_bind_int64(st, 5, (sqlite3_int64)sp_run_problem_count(r));
	sqlite3_bind_int64(st, 6, sp_run_id(r));
	if ((rc = sp_sql_step_done(db, st, SP_E_CASE, "record run end", err))
	    != SP_OK)
		goto fail;
	sqlite3_finalize(st);
	return sp_sql_commit(db, SP_E_CASE, err);
fail:
	sqlite3_finalize(st);
	sp_sql_rollback(db);
	return rc;
}

int
sp_case_run_attach(struct sp_case *c, struct sp_run *r, struct sp_err *err)
{
	char cwd[PATH_MAX], host[256];
	const char *user = getenv("USER");
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st = NULL;
	int rc;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if ((rc = sp_sql_prepare(db, "INSERT INTO runs (tool, argv, cwd, "
	    "host, user, versions, started_ns) VALUES (?,?,?,?,?,?,?)", &st,
	    SP_E_CASE, "record run", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 1, sp_run_tool(r));
	sp_sql_bind_text(st, 2, sp_run_argv_json(r));
	sp_sql_bind_text(st, 3, cwd);
	sp_sql_bind_text(st, 4, host);
	sp_sql_bind_text(st, 5, user);
	sp_sql_bind_text(st, 6, sp_versions_json());
	sqlite3_bind_int64(st, 7, sp_run_started(r));
	if ((rc = sp_sql_step_done(db, st, SP_E_CASE, "record run", err)) ==
	    SP_OK)
		sp_run_bind(r, c, sqlite3_last_insert_rowid(db),
		    run_write_end, c);
	sqlite3_finalize(st);
	return rc;
}

/* ---- sources ---- */

int
sp_case_source_insert(sqlite3 *db, int64_t run_id,
    const struct sp_source_record *src, const char *state, int64_t *id,
    struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sp_sql_prepare(db, "INSERT INTO sources (run_id, kind, "
	    "path, size, md5, sha1, sha256, host, details, added_ns, state, "
	    "fingerprint) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", &st, SP_E_CASE,
	    "add source",
	    err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 1, run_id);
	sp_sql_bind_text(st, 2, src->kind);
	sp_sql_bind_text(st, 3, src->path);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)src->size);
	sp_sql_bind_text(st, 5, src->md5);
	sp_sql_bind_text(st, 6, src->sha1);
	sp_sql_bind_text(st, 7, src->sha256);
	sp_sql_bind_text(st, 8, src->host);
	sp_sql_bind_text(st, 9, src->details);
	sqlite3_bind_int64(st, 10, sp_time_now());
	sp_sql_bind_text(st, 11, state);
	sp_sql_bind_text(st, 12, src->fingerprint);
	if ((rc = sp_sql_finish(db, st, SP_E_CASE, "add source", err)) ==
	    SP_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(db);
	return rc;
}

int
sp_case_source_add(struct sp_run *r, const struct sp_source_record *src,
    int64_t *id, struct sp_err *err)
{
	struct sp_case *c = sp_run_case(r);

	if (c == NULL)
		return sp_err_set(err, SP_E_INTERNAL, 0, "run has no case");
	return sp_case_source_insert(sp_case_db(c), sp_run_id(r), src,
	    "complete", id, err);
}

/* ---- detections already in the case ---- */

/*
 * A rescan of the same evidence finds what the last scan found: the same
 * rule on the same target of the same source (by row, or by the bytes'
 * SHA-256 when the evidence was loaded under another name).  A file is
 * its file system, inode and path; a memory range or a process region is
 * its start, which only the details' target holds.  A detector that finds
 * several things in one file (each key of an authorized_keys) tells them
 * apart by the offset of its details.  detections_target
 * narrows the search to the source's rows of that path and name.
 */
static const char detection_known_sql[] =
    "SELECT 1 FROM detections WHERE source_id IN (SELECT ?1 UNION "
    "SELECT id FROM sources WHERE sha256 = (SELECT sha256 FROM sources "
    "WHERE id = ?1 AND sha256 IS NOT NULL)) "
    "AND path IS ?2 AND name = ?3 AND type = ?4 AND namespace IS ?5 "
    "AND target_kind = ?6 AND fs IS ?7 AND inode IS ?8 AND pid IS ?9 "
    "AND json_extract(details, '$.offset') IS json_extract(?10, '$.offset') "
    "AND (target_kind = 'file' OR "
    "coalesce(json_extract(details, '$.target.range.start'), "
    "json_extract(details, '$.target.region.start')) IS "
    "coalesce(json_extract(?10, '$.target.range.start'), "
    "json_extract(?10, '$.target.region.start'))) LIMIT 1";

int
sp_case_detection_known(struct sp_case *c,
    const struct sp_detection_record *d, int *known, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc, row = 0;

	*known = 0;
	if ((rc = sp_sql_prepare(db, detection_known_sql, &st, SP_E_CASE,
	    "find detection", err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 1, d->source_id);
	sp_sql_bind_text(st, 2, d->path);
	sp_sql_bind_text(st, 3, d->name);
	sp_sql_bind_text(st, 4, d->type);
	sp_sql_bind_text(st, 5, d->ns);
	sp_sql_bind_text(st, 6, d->target_kind);
	if (d->fs_index >= 0) {
		sqlite3_bind_int(st, 7, d->fs_index);
		sqlite3_bind_int64(st, 8, (sqlite3_int64)d->inode);
	} else {
		sqlite3_bind_null(st, 7);
		sqlite3_bind_null(st, 8);
	}
	sp_sql_bind_int(st, 9, d->pid);
	sp_sql_bind_text(st, 10, d->details);
	rc = sp_sql_step_row(db, st, &row, SP_E_CASE, "find detection", err);
	sqlite3_finalize(st);
	if (rc == SP_OK)
		*known = row;
	return rc;
}
