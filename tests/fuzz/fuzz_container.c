/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the container configuration parsers
 * (lib/evidence/container.c): the input is read as Docker's
 * config.v2.json (its first half also as hostconfig.json) and as Podman's
 * containers.json.  A parsed container must have an id, and every string
 * it holds must be readable (ASan reports a dangling one).
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

static void
check(const struct sp_container *c)
{
	size_t i;

	if (c->id == NULL || c->state == NULL)
		abort();
	touch(c->name); touch(c->image); touch(c->image_id);
	touch(c->command); touch(c->hostname); touch(c->upper);
	for (i = 0; i < c->nmounts; i++) {
		touch(c->mounts[i].source);
		touch(c->mounts[i].destination);
		touch(c->mounts[i].type);
	}
	for (i = 0; i < c->nnetworks; i++) {
		touch(c->networks[i].name);
		touch(c->networks[i].ip);
		touch(c->networks[i].mac);
	}
}

static int
each(struct sp_container *c, void *arg)
{
	(void)arg;
	check(c);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	struct sp_container c;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	memset(&c, 0, sizeof(c));
	if (sp_container_parse_docker(copy, size, copy, size / 2, &c) ==
	    SP_OK)
		check(&c);
	sp_container_release(&c);
	(void)sp_container_parse_podman(copy, size, each, NULL);
	free(copy);
	return 0;
}
