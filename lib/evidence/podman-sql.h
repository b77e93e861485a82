/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Podman's SQLite state (storage/db.sql, Podman 4.8 and later), read from
 * a copy in memory: the JSON libpod keeps of a container's configuration
 * and state, the same JSON its bolt_state.db holds.  The file is
 * untrusted: it is opened read-only and defensive, without triggers or
 * views of its own, and only two fixed queries are run.
 */
#ifndef SPOOR_EVIDENCE_PODMAN_SQL_H
#define SPOOR_EVIDENCE_PODMAN_SQL_H

#include <stddef.h>

struct sp_podman_sql;

/*
 * Open the database in buf (len bytes, a copy of the file that must
 * outlive db; a write-ahead-log header is turned to a rollback one in it,
 * as a database in memory has no log): 0, or -1 when it is no SQLite
 * database or has no ContainerState and ContainerConfig tables.
 */
int sp_podman_sql_open(struct sp_podman_sql **db, void *buf, size_t len);

/*
 * The JSON of container id in ContainerState (state 1) or ContainerConfig
 * (state 0): 0 with *json (malloc'd, NUL-terminated) and *len; 1 when
 * there is none; -1 when the query fails.
 */
int sp_podman_sql_json(struct sp_podman_sql *db, int state, const char *id,
    char **json, size_t *len);

void sp_podman_sql_close(struct sp_podman_sql *db);

#endif
