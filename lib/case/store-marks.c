/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the analyst marks in a case (see include/spoor/store.h): tags and
 * notes on events, files, detections and graph nodes.  They live in their
 * own tables, keyed by the target's kind and id, so marking never touches
 * the rows the evidence produced.
 */
#include <inttypes.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "spoor/store.h"
#include "case/case-internal.h"

static const char *
target_name(enum sp_mark_target k)
{
	switch (k) {
	case SP_MARK_EVENT:
		return "event";
	case SP_MARK_FILE:
		return "file";
	case SP_MARK_DETECTION:
		return "detection";
	case SP_MARK_NODE:
		return "node";
	}
	return NULL;
}

/* The target must be a known kind and, but for a node, an existing row. */
static int
target_check(sqlite3 *db, enum sp_mark_target k, int64_t id,
    struct sp_err *err)
{
	const char *sql = k == SP_MARK_EVENT ? "SELECT 1 FROM events WHERE "
	    "id = ?1" : k == SP_MARK_FILE ? "SELECT 1 FROM files WHERE "
	    "id = ?1" : k == SP_MARK_DETECTION ? "SELECT 1 FROM detections "
	    "WHERE id = ?1" : NULL;
	sqlite3_stmt *st;
	int rc;

	if (target_name(k) == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "unknown target kind %d",
		    (int)k);
	if (sql == NULL)
		return SP_OK;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sp_case_db_err(err, db, "find target");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return SP_OK;
	if (rc != SQLITE_DONE)
		return sp_case_db_err(err, db, "find target");
	return sp_err_set(err, SP_E_NOTFOUND, 0, "no %s %" PRId64 " in the "
	    "case", target_name(k), id);
}

static void
bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Step st to its end; *changed = rows it changed. */
static int
step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, int *changed,
    struct sp_err *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE)
		return sp_case_db_err(err, db, what);
	if (changed != NULL)
		*changed = sqlite3_changes(db);
	return SP_OK;
}

int
sp_case_tag_add(struct sp_case *c, enum sp_mark_target kind, int64_t id,
    const char *tag, const char *author, sp_time_ns time, int64_t run_id,
    int64_t *tag_id, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st = NULL;
	int rc;

	if (tag == NULL || *tag == '\0')
		return sp_err_set(err, SP_E_USAGE, 0, "empty tag");
	if ((rc = target_check(db, kind, id, err)) != SP_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "INSERT INTO tags (target_kind, target_id, "
	    "tag, author, created_ns, run_id) VALUES (?1,?2,?3,?4,?5,?6) "
	    "ON CONFLICT (target_kind, target_id, tag) DO UPDATE SET "
	    "tag = excluded.tag RETURNING id", -1, &st, NULL) != SQLITE_OK)
		return sp_case_db_err(err, db, "add tag");
	sqlite3_bind_text(st, 1, target_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, tag, -1, SQLITE_TRANSIENT);
	bind_opt_text(st, 4, author);
	sqlite3_bind_int64(st, 5, time == SP_TIME_NONE ? sp_time_now() : time);
	if (run_id > 0)
		sqlite3_bind_int64(st, 6, run_id);
	else
		sqlite3_bind_null(st, 6);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sp_case_db_err(err, db, "add tag");
		sqlite3_finalize(st);
		return rc;
	}
	if (tag_id != NULL)
		*tag_id = sqlite3_column_int64(st, 0);
	/* step to the end so the statement finishes its write */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	rc = rc == SQLITE_DONE ? SP_OK : sp_case_db_err(err, db, "add tag");
	sqlite3_finalize(st);
	return rc;
}

int
sp_case_tag_remove(struct sp_case *c, enum sp_mark_target kind, int64_t id,
    const char *tag, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc, changed = 0;

	if (target_name(kind) == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "unknown target kind %d",
		    (int)kind);
	if (sqlite3_prepare_v2(db, "DELETE FROM tags WHERE target_kind = ?1 "
	    "AND target_id = ?2 AND tag = ?3", -1, &st, NULL) != SQLITE_OK)
		return sp_case_db_err(err, db, "remove tag");
	sqlite3_bind_text(st, 1, target_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, tag, -1, SQLITE_STATIC);
	rc = step_done(db, st, "remove tag", &changed, err);
	sqlite3_finalize(st);
	if (rc == SP_OK && changed == 0)
		rc = sp_err_set(err, SP_E_NOTFOUND, 0, "%s %" PRId64 " has no "
		    "tag '%s'", target_name(kind), id, tag);
	return rc;
}

int
sp_case_note_add(struct sp_case *c, enum sp_mark_target kind, int64_t id,
    const char *text, const char *author, sp_time_ns time, int64_t run_id,
    int64_t *note_id, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc;

	if (text == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "a note needs a text");
	if ((rc = target_check(db, kind, id, err)) != SP_OK)
		return rc;
	if (sqlite3_prepare_v2(db, "INSERT INTO notes (target_kind, "
	    "target_id, text, author, created_ns, run_id) VALUES "
	    "(?1,?2,?3,?4,?5,?6)", -1, &st, NULL) != SQLITE_OK)
		return sp_case_db_err(err, db, "add note");
	sqlite3_bind_text(st, 1, target_name(kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_TRANSIENT);
	bind_opt_text(st, 4, author);
	sqlite3_bind_int64(st, 5, time == SP_TIME_NONE ? sp_time_now() : time);
	if (run_id > 0)
		sqlite3_bind_int64(st, 6, run_id);
	else
		sqlite3_bind_null(st, 6);
	rc = step_done(db, st, "add note", NULL, err);
	if (rc == SP_OK && note_id != NULL)
		*note_id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Step st, a change to note note_id, and finalize it; SP_E_NOTFOUND when
 * it changed nothing.
 */
static int
note_change(sqlite3 *db, sqlite3_stmt *st, int64_t note_id, const char *what,
    struct sp_err *err)
{
	int rc, changed = 0;

	rc = step_done(db, st, what, &changed, err);
	sqlite3_finalize(st);
	if (rc == SP_OK && changed == 0)
		rc = sp_err_set(err, SP_E_NOTFOUND, 0, "no note %" PRId64 " in "
		    "the case", note_id);
	return rc;
}

int
sp_case_note_update(struct sp_case *c, int64_t note_id, const char *text,
    sp_time_ns time, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;

	if (text == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "a note needs a text");
	if (sqlite3_prepare_v2(db, "UPDATE notes SET text = ?2, updated_ns = "
	    "?3 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return sp_case_db_err(err, db, "update note");
	sqlite3_bind_int64(st, 1, note_id);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, time == SP_TIME_NONE ? sp_time_now() : time);
	return note_change(db, st, note_id, "update note", err);
}

int
sp_case_note_delete(struct sp_case *c, int64_t note_id, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, "DELETE FROM notes WHERE id = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		return sp_case_db_err(err, db, "delete note");
	sqlite3_bind_int64(st, 1, note_id);
	return note_change(db, st, note_id, "delete note", err);
}
