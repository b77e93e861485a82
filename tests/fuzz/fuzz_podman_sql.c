/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for Podman's SQLite state (lib/evidence/podman-sql.c
 * and the JSON it holds, lib/evidence/container.c): the input is opened
 * as db.sql, from a copy, and the state and configuration of the
 * containers "a" and "b" are read.  A container keeps its id and a state;
 * every string it holds must be readable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void
touch(const char *s)
{
	if (s != NULL)
		sink += strlen(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ids[] = { "a", "b" };
	struct sp_container c;
	unsigned char *copy;
	size_t i, m;

	for (i = 0; i < 2; i++) {
		if ((copy = malloc(size ? size : 1)) == NULL)
			return 0;
		memcpy(copy, data, size);
		memset(&c, 0, sizeof(c));
		c.pid = c.exit_code = -1;
		if ((c.id = strdup(ids[i])) == NULL ||
		    (c.state = strdup("unknown")) == NULL)
			abort();
		(void)sp_container_podman_sql_state(&c, copy, size);
		if (c.id == NULL || c.state == NULL)
			abort();
		touch(c.name); touch(c.command); touch(c.hostname);
		for (m = 0; m < c.nmounts; m++) {
			touch(c.mounts[m].source);
			touch(c.mounts[m].destination);
		}
		sp_container_release(&c);
		free(copy);
	}
	return 0;
}
