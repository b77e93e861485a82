/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Podman's SQLite state (see podman-sql.h).  libpod's tables:
 *   ContainerConfig(ID, Name, PodID, JSON)
 *   ContainerState(ID, State, ExitCode, JSON)
 * (column names compare without case, so Podman's early "Id"/"Json"
 * spelling reads the same).  The database is deserialized read-only from
 * the bytes read through the evidence layer; nothing touches a file.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "evidence/podman-sql.h"

struct sp_podman_sql {
	sqlite3 *db;
	sqlite3_stmt *q[2];	/* config, state */
};

static const char *const queries[2] = {
	"SELECT JSON FROM ContainerConfig WHERE ID = ?1",
	"SELECT JSON FROM ContainerState WHERE ID = ?1"
};

int
sp_podman_sql_open(struct sp_podman_sql **out, void *buf, size_t len)
{
	struct sp_podman_sql *p;
	unsigned char *h = buf;
	int i, on = 1, off = 0;

	*out = NULL;
	if (len < 100 || memcmp(buf, "SQLite format 3", 16) != 0 ||
	    (p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	/* file format versions 2 (WAL) read as 1 from memory */
	if (h[18] == 2)
		h[18] = 1;
	if (h[19] == 2)
		h[19] = 1;
	if (sqlite3_open_v2(":memory:", &p->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_MEMORY, NULL) != SQLITE_OK)
		goto fail;
	/* a hostile file: no writes through odd schema, no trusted SQL */
	sqlite3_db_config(p->db, SQLITE_DBCONFIG_DEFENSIVE, on, NULL);
	sqlite3_db_config(p->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, off, NULL);
	sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, off, NULL);
	sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_VIEW, off, NULL);
	sqlite3_limit(p->db, SQLITE_LIMIT_LENGTH, 64 << 20);
	if (sqlite3_deserialize(p->db, "main", (unsigned char *)buf,
	    (sqlite3_int64)len, (sqlite3_int64)len,
	    SQLITE_DESERIALIZE_READONLY) != SQLITE_OK)
		goto fail;
	for (i = 0; i < 2; i++)
		if (sqlite3_prepare_v2(p->db, queries[i], -1, &p->q[i], NULL)
		    != SQLITE_OK)
			goto fail;
	*out = p;
	return 0;
fail:
	sp_podman_sql_close(p);
	return -1;
}

int
sp_podman_sql_json(struct sp_podman_sql *p, int state, const char *id,
    char **json, size_t *len)
{
	sqlite3_stmt *st = p->q[state ? 1 : 0];
	const unsigned char *t;
	int rc, n;

	*json = NULL;
	sqlite3_reset(st);
	if (sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 1;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	t = sqlite3_column_text(st, 0);
	n = sqlite3_column_bytes(st, 0);
	if (t == NULL || n < 0 || (*json = malloc((size_t)n + 1)) == NULL) {
		sqlite3_reset(st);
		return t == NULL ? 1 : -1;
	}
	memcpy(*json, t, (size_t)n);
	(*json)[n] = '\0';
	*len = (size_t)n;
	sqlite3_reset(st);
	return 0;
}

void
sp_podman_sql_close(struct sp_podman_sql *p)
{
	if (p == NULL)
		return;
	sqlite3_finalize(p->q[0]);
	sqlite3_finalize(p->q[1]);
	sqlite3_close(p->db);
	free(p);
}
