/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the modules of lib/case/ share; nothing outside lib/case/ includes
 * this header: the schema has one owner.
 */
#ifndef SPOOR_CASE_INTERNAL_H
#define SPOOR_CASE_INTERNAL_H

#include <sqlite3.h>

#include "spoor/case.h"

/* The open SQLite handle of a case; owned by c. */
sqlite3 *sp_case_db(struct sp_case *c);

/* Run sql (one or more statements); errors as SP_E_CASE/SP_E_FORMAT. */
int sp_case_exec(sqlite3 *db, const char *sql, struct sp_err *err);
/* Set err from db's last error, prefixed with what; returns the code. */
int sp_case_db_err(struct sp_err *err, sqlite3 *db, const char *what);

/* Drop (create 0) or create the secondary indexes of files and events. */
int sp_case_timeline_indexes(struct sp_case *c, int create,
    struct sp_err *err);

#endif
