/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite helpers of lib/base/sql.h, shared by the case and the hash
 * database so that both map SQLite's errors the same way.
 */
#include <stdint.h>

#include <sqlite3.h>

#include "spoor/err.h"
#include "base/sql.h"

int
sp_sql_code(int rc, int other)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return SP_E_FORMAT;
	case SQLITE_CANTOPEN:
		return SP_E_NOINPUT;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return SP_E_PERM;
	case SQLITE_NOMEM:
		return SP_E_NOMEM;
	case SQLITE_INTERRUPT:
		return SP_E_INTERRUPTED;
	default:
		return other;
	}
}

int
sp_sql_err(struct sp_err *err, sqlite3 *db, int other, const char *what)
{
	/* without a handle SQLite could not even allocate one */
	return sp_err_set(err, sp_sql_code(db != NULL ? sqlite3_errcode(db) :
	    SQLITE_NOMEM, other), 0, "%s: %s", what, db != NULL ?
	    sqlite3_errmsg(db) : "out of memory");
}

int
sp_sql_exec(sqlite3 *db, const char *sql, int other, struct sp_err *err)
{
	char *msg = NULL;
	int rc;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return SP_OK;
	rc = sp_err_set(err, sp_sql_code(sqlite3_errcode(db), other), 0, "%s",
	    msg != NULL ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return rc;
}

int
sp_sql_begin(sqlite3 *db, int other, struct sp_err *err)
{
	return sp_sql_exec(db, "BEGIN IMMEDIATE", other, err);
}

int
sp_sql_commit(sqlite3 *db, int other, struct sp_err *err)
{
	return sp_sql_exec(db, "COMMIT", other, err);
}

void
sp_sql_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int
sp_sql_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, int other,
    const char *what, struct sp_err *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return sp_sql_err(err, db, other, what);
	}
	return SP_OK;
}

int
sp_sql_step_done(sqlite3 *db, sqlite3_stmt *st, int other, const char *what,
    struct sp_err *err)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		return sp_sql_err(err, db, other, what);
	return SP_OK;
}

int
sp_sql_finish(sqlite3 *db, sqlite3_stmt *st, int other, const char *what,
    struct sp_err *err)
{
	int rc = sp_sql_step_done(db, st, other, what, err);

	sqlite3_finalize(st);
	return rc;
}

int
sp_sql_step_row(sqlite3 *db, sqlite3_stmt *st, int *row, int other,
    const char *what, struct sp_err *err)
{
	int rc = sqlite3_step(st);

	*row = rc == SQLITE_ROW;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sp_sql_err(err, db, other, what);
	return SP_OK;
}

int
sp_sql_int(sqlite3 *db, const char *sql, int64_t *v, int other,
    const char *what, struct sp_err *err)
{
	sqlite3_stmt *st;
	int row, rc;

	*v = 0;
	if ((rc = sp_sql_prepare(db, sql, &st, other, what, err)) != SP_OK)
		return rc;
	if ((rc = sp_sql_step_row(db, st, &row, other, what, err)) == SP_OK &&
	    row)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}
