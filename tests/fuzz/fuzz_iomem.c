/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the /proc/iomem parser of lib/live/physmem.c: any
 * text gives SP_OK with sorted, disjoint, non-adjacent System RAM ranges
 * (start <= end), or an error with no ranges.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "spoor/live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_phys_range *r = NULL;
	struct sp_err err;
	size_t n = 0, i;

	sp_err_init(&err);
	if (sp_live_iomem_parse((const char *)data, size, &r, &n, &err) != SP_OK) {
		if (r != NULL || n != 0)
			abort();
		return 0;
	}
	if (n == 0)
		abort();
	for (i = 0; i < n; i++) {
		if (r[i].start > r[i].end)
			abort();
		if (i > 0 && r[i].start <= r[i - 1].end + 1)
			abort();
	}
	free(r);
	return 0;
}
