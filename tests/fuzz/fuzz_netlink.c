/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the reader of the kernel's netlink answer behind
 * the IPv6 neighbours of volatile/network.jsonl (sp_collect_procfs_jsonl,
 * kind "neighbours"): the input is the bytes of the messages, as one
 * recv(2) gives them.  Any bytes give SP_OK and output whose every line
 * is one JSON object, a neighbour with its address.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/collect.h"
#include "spoor/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	int kind, address;
};

static int
member(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	struct seen *s = arg;

	/* strings with their quotes */
	if (klen == 4 && memcmp(key, "kind", 4) == 0 &&
	    v->type == SP_JSON_STRING && v->len == 11 &&
	    memcmp(v->p, "\"neighbour\"", 11) == 0)
		s->kind = 1;
	if (klen == 7 && memcmp(key, "address", 7) == 0 &&
	    v->type == SP_JSON_STRING && v->len > 2)
		s->address = 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p, *nl, *end;
	struct sp_err err;
	struct seen s;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&out, &len)) == NULL)
		return 0;
	sp_err_init(&err);
	if (sp_collect_procfs_jsonl("neighbours", (const char *)data, size, f,
	    &err) != SP_OK)
		abort();
	if (fclose(f) != 0)
		abort();
	for (p = out, end = out + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			abort();	/* every record ends its line */
		memset(&s, 0, sizeof(s));
		if (sp_json_members(p, (size_t)(nl - p), member, &s) != 0)
			abort();
		if (!s.kind || !s.address)
			abort();	/* a neighbour, with its address */
	}
	free(out);
	return 0;
}
