/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the parsers of /proc text behind the readers of
 * the host's volatile state (sp_collect_procfs_jsonl): the first byte
 * picks the kind of file (stat, status, net/tcp, unix, modules,
 * mountinfo, ...), the rest is its text.  Any text gives SP_OK and
 * output whose every line is one JSON object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/collect.h"
#include "spoor/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {
	"stat", "status", "tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix",
	"modules", "mountinfo", "route", "ipv6_route", "arp", "if_inet6",
	"cgroup", "environ"
};

static int
member(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	(void)key;
	(void)klen;
	(void)v;
	(void)arg;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *kind, *p, *nl, *end;
	struct sp_err err;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (size < 1)
		return 0;
	kind = kinds[data[0] % (sizeof(kinds) / sizeof(kinds[0]))];
	if ((f = open_memstream(&out, &len)) == NULL)
		return 0;
	sp_err_init(&err);
	if (sp_collect_procfs_jsonl(kind, (const char *)data + 1, size - 1, f,
	    &err) != SP_OK)
		abort();
	if (fclose(f) != 0)
		abort();
	for (p = out, end = out + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			abort();	/* every record ends its line */
		if (sp_json_members(p, (size_t)(nl - p), member, NULL) != 0)
			abort();
	}
	free(out);
	return 0;
}
