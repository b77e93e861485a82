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

/*
 * Insert the source src of run run_id in state ("loading", "complete");
 * its row id in *id when id is not NULL.
 */
int sp_case_source_insert(sqlite3 *db, int64_t run_id,
    const struct sp_source_record *src, const char *state, int64_t *id,
    struct sp_err *err);

/* Drop (create 0) or create the secondary indexes of files and events. */
int sp_case_timeline_indexes(struct sp_case *c, int create,
    struct sp_err *err);

#endif
