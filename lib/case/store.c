/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The write side of the case: runs, their problems and sources here; the
 * loader of files, events and detections in store-load.c, tags and notes
 * in store-marks.c (include/spoor/store.h).  Statements bind every value;
 * nothing from evidence is ever part of SQL text.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "spoor/case.h"
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
	int rc = SP_OK;

	if (sp_case_exec(db, "BEGIN IMMEDIATE", err) != SP_OK)
		return sp_err_prefix(err, "record run end");
	if (sqlite3_prepare_v2(db, "INSERT INTO problems (run_id, subject, "
	    "code, message) VALUES (?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		rc = sp_case_db_err(err, db, "record problems");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		const char *s, *code, *m;

		sp_run_problem_get(r, i, &s, &code, &m);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, sp_run_id(r));
		sqlite3_bind_text(st, 2, s, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, m, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sp_case_db_err(err, db, "record problems");
			goto fail;
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "UPDATE runs SET ended_ns = ?, "
	    "exit_status = ?, state = ?, inputs = ?, problem_count = ? "
	    "WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		st = NULL;
		rc = sp_case_db_err(err, db, "record run end");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, sp_time_now());
	sqlite3_bind_int(st, 2, exit_status);
	sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sp_run_inputs_json(r), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)sp_run_problem_count(r));
	sqlite3_bind_int64(st, 6, sp_run_id(r));
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sp_case_db_err(err, db, "record run end");
		goto fail;
	}
	sqlite3_finalize(st);
	return sp_case_exec(db, "COMMIT", err);
fail:
	sqlite3_finalize(st);
	sp_case_exec(db, "ROLLBACK", NULL);
	return rc;
}

int
sp_case_run_attach(struct sp_case *c, struct sp_run *r, struct sp_err *err)
{
	char cwd[PATH_MAX], host[256];
	const char *user = getenv("USER");
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st = NULL;
	int rc = SP_OK;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (sqlite3_prepare_v2(db, "INSERT INTO runs (tool, argv, cwd, "
	    "host, user, versions, started_ns) VALUES (?,?,?,?,?,?,?)", -1,
	    &st, NULL) != SQLITE_OK)
		return sp_case_db_err(err, db, "record run");
	sqlite3_bind_text(st, 1, sp_run_tool(r), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sp_run_argv_json(r), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cwd, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, host, -1, SQLITE_STATIC);
	if (user != NULL)
		sqlite3_bind_text(st, 5, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, sp_versions_json(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, sp_run_started(r));
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sp_case_db_err(err, db, "record run");
	else
		sp_run_bind(r, c, sqlite3_last_insert_rowid(db),
		    run_write_end, c);
	sqlite3_finalize(st);
	return rc;
}

/* ---- sources ---- */

int
sp_case_source_add(struct sp_run *r, const struct sp_source_record *src,
    int64_t *id, struct sp_err *err)
{
	struct sp_case *c = sp_run_case(r);
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc = SP_OK;

	if (c == NULL)
		return sp_err_set(err, SP_E_INTERNAL, 0, "run has no case");
	db = sp_case_db(c);
	if (sqlite3_prepare_v2(db, "INSERT INTO sources (run_id, kind, path, "
	    "size, md5, sha1, sha256, host, details, added_ns) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return sp_case_db_err(err, db, "add source");
	sqlite3_bind_int64(st, 1, sp_run_id(r));
	sqlite3_bind_text(st, 2, src->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, src->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)src->size);
	sqlite3_bind_text(st, 5, src->md5, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, src->sha1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, src->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, src->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, src->details, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, sp_time_now());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sp_case_db_err(err, db, "add source");
	else if (id != NULL)
		*id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return rc;
}
