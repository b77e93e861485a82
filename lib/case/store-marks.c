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
	int rc, found;

	if (target_name(k) == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "unknown target kind %d",
		    (int)k);
	if (sql == NULL)
		return SP_OK;
	if ((rc = sp_sql_prepare(db, sql, &st, SP_E_CASE, "find target",
	    err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sp_sql_step_row(db, st, &found, SP_E_CASE, "find target", err);
	sqlite3_finalize(st);
	if (rc != SP_OK || found)
		return rc;
	return sp_err_set(err, SP_E_NOTFOUND, 0, "no %s %" PRId64 " in the "
	    "case", target_name(k), id);
}

/*
 * Prepare sql, the mark of what on target kind k and id, with the kind
 * bound to ?1 and the id to ?2.
 */
static int
prepare_mark(sqlite3 *db, const char *sql, enum sp_mark_target k, int64_t id,
    sqlite3_stmt **st, const char *what, struct sp_err *err)
{
	int rc;

	if ((rc = sp_sql_prepare(db, sql, st, SP_E_CASE, what, err)) != SP_OK)
		return rc;
	sp_sql_bind_text(*st, 1, target_name(k));
	sqlite3_bind_int64(*st, 2, id);
	return SP_OK;
}

/* Bind the author, the time (SP_TIME_NONE: now) and the run at i..i+2. */
static void
bind_made(sqlite3_stmt *st, int i, const char *author, sp_time_ns time,
    int64_t run_id)
{
	sp_sql_bind_text(st, i, author);
	sqlite3_bind_int64(st, i + 1, time == SP_TIME_NONE ? sp_time_now() :
	    time);
	sp_sql_bind_int_if(st, i + 2, run_id, run_id > 0);
}

/*
 * Step st, a change to the marks, to its end and finalize it; *changed
 * is the number of rows it changed.
 */
static int
change(sqlite3 *db, sqlite3_stmt *st, const char *what, int *changed,
    struct sp_err *err)
{
	int rc = sp_sql_finish(db, st, SP_E_CASE, what, err);

	*changed = rc == SP_OK ? sqlite3_changes(db) : 0;
	return rc;
}

int
sp_case_tag_add(struct sp_case *c, enum sp_mark_target kind, int64_t id,
    const char *tag, const char *author, sp_time_ns time, int64_t run_id,
    int64_t *tag_id, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st = NULL;
	int rc, row;

	if (tag == NULL || *tag == '\0')
		return sp_err_set(err, SP_E_USAGE, 0, "empty tag");
	if ((rc = target_check(db, kind, id, err)) != SP_OK)
		return rc;
	if ((rc = prepare_mark(db, "INSERT INTO tags (target_kind, target_id, "
	    "tag, author, created_ns, run_id) VALUES (?1,?2,?3,?4,?5,?6) "
	    "ON CONFLICT (target_kind, target_id, tag) DO UPDATE SET "
	    "tag = excluded.tag RETURNING id", kind, id, &st, "add tag", err))
	    != SP_OK)
		return rc;
	sp_sql_bind_text(st, 3, tag);
	bind_made(st, 4, author, time, run_id);
	if ((rc = sp_sql_step_row(db, st, &row, SP_E_CASE, "add tag", err))
	    == SP_OK && !row)
		rc = sp_sql_err(err, db, SP_E_CASE, "add tag");
	if (rc == SP_OK && tag_id != NULL)
		*tag_id = sqlite3_column_int64(st, 0);
	/* step to the end so the statement finishes its write */
	while (rc == SP_OK && row)
		rc = sp_sql_step_row(db, st, &row, SP_E_CASE, "add tag", err);
	sqlite3_finalize(st);
	return rc;
}

int
sp_case_tag_remove(struct sp_case *c, enum sp_mark_target kind, int64_t id,
    const char *tag, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc, changed;

	if (target_name(kind) == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "unknown target kind %d",
		    (int)kind);
	if ((rc = prepare_mark(db, "DELETE FROM tags WHERE target_kind = ?1 "
	    "AND target_id = ?2 AND tag = ?3", kind, id, &st, "remove tag",
	    err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 3, tag);
	rc = change(db, st, "remove tag", &changed, err);
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
	int rc, changed;

	if (text == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "a note needs a text");
	if ((rc = target_check(db, kind, id, err)) != SP_OK)
		return rc;
	if ((rc = prepare_mark(db, "INSERT INTO notes (target_kind, "
	    "target_id, text, author, created_ns, run_id) VALUES "
	    "(?1,?2,?3,?4,?5,?6)", kind, id, &st, "add note", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 3, text);
	bind_made(st, 4, author, time, run_id);
	if ((rc = change(db, st, "add note", &changed, err)) == SP_OK &&
	    note_id != NULL)
		*note_id = sqlite3_last_insert_rowid(db);
	return rc;
}

/*
 * Step st, a change to note note_id bound to ?1, and finalize it;
 * SP_E_NOTFOUND when it changed nothing.
 */
static int
note_change(sqlite3 *db, sqlite3_stmt *st, int64_t note_id, const char *what,
    struct sp_err *err)
{
	int rc, changed;

	rc = change(db, st, what, &changed, err);
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
	int rc;

	if (text == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "a note needs a text");
	if ((rc = sp_sql_prepare(db, "UPDATE notes SET text = ?2, updated_ns "
	    "= ?3 WHERE id = ?1", &st, SP_E_CASE, "update note", err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 1, note_id);
	sp_sql_bind_text(st, 2, text);
	sqlite3_bind_int64(st, 3, time == SP_TIME_NONE ? sp_time_now() : time);
	return note_change(db, st, note_id, "update note", err);
}

int
sp_case_note_delete(struct sp_case *c, int64_t note_id, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc;

	if ((rc = sp_sql_prepare(db, "DELETE FROM notes WHERE id = ?1", &st,
	    SP_E_CASE, "delete note", err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(st, 1, note_id);
	return note_change(db, st, note_id, "delete note", err);
}
