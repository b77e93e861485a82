/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the JSON reader (lib/base/jsonread.c), which reads
 * the typed fields of events from a case that may be hostile: members,
 * array elements, strings and integers of any input.  Each value span
 * must lie inside the input, and a decoded string must never be longer
 * than its quoted form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *base;
static size_t total;

static void
check_span(const struct sp_json_val *v)
{
	if (v->p < base || v->p + v->len > base + total)
		abort();
}

static int
element(const struct sp_json_val *e, void *arg)
{
	char *s;
	int64_t n;

	(void)arg;
	check_span(e);
	if ((s = sp_json_string(e)) != NULL) {
		if (strlen(s) > e->len)
			abort();
		free(s);
	}
	(void)sp_json_integer(e, &n);
	if (e->type == SP_JSON_ARRAY)
		(void)sp_json_elements(e, element, NULL);
	return 0;
}

static int
member(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	(void)arg;
	if (key < base || key + klen > base + total)
		abort();
	return element(v, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	base = copy;
	total = size;
	(void)sp_json_members(copy, size, member, NULL);
	free(copy);
	return 0;
}
