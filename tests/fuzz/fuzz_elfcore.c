/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the ELF core program-header parser of
 * lib/live/physmem.c (/proc/kcore and crash dumps): any bytes give PT_LOAD
 * segments or an error, never a read past the input; every physical
 * address the segments map lands inside a segment's file range.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "spoor/live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_map(const struct sp_elf_load *l, size_t n, uint64_t p)
{
	uint64_t off, avail;
	size_t i;

	if (!sp_live_elfcore_map(l, n, p, UINT64_C(0xffff888000000000), &off,
	    &avail))
		return;
	if (avail == 0)
		abort();
	for (i = 0; i < n; i++)
		if (off >= l[i].offset && off - l[i].offset < l[i].filesz &&
		    avail <= l[i].filesz - (off - l[i].offset))
			return;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_elf_load *l = NULL;
	struct sp_err err;
	size_t n = 0, need = 0, i;

	sp_err_init(&err);
	if (sp_live_elfcore_parse(data, size, &l, &n, &need, &err) != SP_OK) {
		if (l != NULL || n != 0)
			abort();
		return 0;
	}
	for (i = 0; i < n; i++) {
		check_map(l, n, l[i].paddr);
		check_map(l, n, l[i].paddr + l[i].filesz / 2);
		check_map(l, n, l[i].vaddr - UINT64_C(0xffff888000000000));
	}
	check_map(l, n, 0x1000);
	free(l);
	return 0;
}
