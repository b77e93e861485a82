/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the modules of lib/case/ share; nothing outside lib/case/ includes
 * this header: the schema has one owner.  Its SQL goes through the
 * helpers of base/sql.h, with SP_E_CASE for a failure they do not name.
 */
#ifndef SPOOR_CASE_INTERNAL_H
#define SPOOR_CASE_INTERNAL_H

#include <sqlite3.h>

#include "spoor/case.h"
#include "base/sql.h"

/* The open SQLite handle of a case; owned by c. */
sqlite3 *sp_case_db(struct sp_case *c);

/* Drop (create 0) or create the secondary indexes of files and events. */
int sp_case_timeline_indexes(struct sp_case *c, int create,
    struct sp_err *err);

#endif
