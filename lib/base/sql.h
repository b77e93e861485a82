/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite helpers of the library's two databases, the case (lib/case/)
 * and the hash database (lib/scan/hashset.c): one mapping of SQLite's
 * result codes to SP_E_* codes, running SQL text, preparing and stepping
 * statements with the error set, binding values that may be NULL, reading
 * one integer and transactions.  Not installed; private to those two
 * (lib/LAYERS).
 *
 * A failure sets err to "what: SQLite's message" with the code of
 * sp_sql_code; other is the code of a failure the table does not name
 * (SP_E_CASE for the case).
 */
#ifndef SPOOR_BASE_SQL_H
#define SPOOR_BASE_SQL_H

#include <stdint.h>

#include <sqlite3.h>

#include "spoor/err.h"

/*
 * The SP_E_* code of the SQLite result code rc (primary or extended):
 * not a database or a damaged one SP_E_FORMAT, cannot open SP_E_NOINPUT,
 * read-only or no permission SP_E_PERM, out of memory SP_E_NOMEM,
 * interrupted SP_E_INTERRUPTED, anything else other.
 */
int sp_sql_code(int rc, int other);

/* Set err from db's last error (db may be NULL); returns the code. */
int sp_sql_err(struct sp_err *err, sqlite3 *db, int other, const char *what);

/* Run sql, one or more statements; the message is SQLite's alone. */
int sp_sql_exec(sqlite3 *db, const char *sql, int other, struct sp_err *err);

/* BEGIN IMMEDIATE, COMMIT, and ROLLBACK when a transaction is open. */
int sp_sql_begin(sqlite3 *db, int other, struct sp_err *err);
int sp_sql_commit(sqlite3 *db, int other, struct sp_err *err);
void sp_sql_rollback(sqlite3 *db);

/* Prepare sql into *st (NULL on failure). */
int sp_sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
    int other, const char *what, struct sp_err *err);

/* Step st, which must give no row, to its end. */
int sp_sql_step_done(sqlite3 *db, sqlite3_stmt *st, int other,
    const char *what, struct sp_err *err);

/* Step st, which must give no row, to its end and finalize it. */
int sp_sql_finish(sqlite3 *db, sqlite3_stmt *st, int other, const char *what,
    struct sp_err *err);

/* Step st once: SP_OK with *row 1 when it gave a row, 0 at its end. */
int sp_sql_step_row(sqlite3 *db, sqlite3_stmt *st, int *row, int other,
    const char *what, struct sp_err *err);

/*
 * The first column of the first row of sql (a PRAGMA or a SELECT without
 * parameters) in *v, 0 when it gives no row.
 */
int sp_sql_int(sqlite3 *db, const char *sql, int64_t *v, int other,
    const char *what, struct sp_err *err);

/*
 * Bind the string s at i, NULL when s is NULL.  s is not copied: it must
 * stay valid until st is reset or finalized.
 */
static inline void
sp_sql_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Bind v at i when present is non-zero, else NULL. */
static inline void
sp_sql_bind_int_if(sqlite3_stmt *st, int i, int64_t v, int present)
{
	if (present)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Bind a number that may be unknown: v, or NULL when v is negative (-1). */
static inline void
sp_sql_bind_int(sqlite3_stmt *st, int i, int64_t v)
{
	sp_sql_bind_int_if(st, i, v, v >= 0);
}

#endif
