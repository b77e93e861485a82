/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the ELF and PE header parser of lib/scan/memexe.c
 * (executable images found in memory): any bytes give no image and a size
 * of 0, or an image whose extent covers its header and stays within the
 * limit given and SP_MEMEXE_SIZE_MAX; the same bytes give the same answer
 * under a larger limit, never read past the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "scan/memexe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sp_memexe_format f, g;
	uint64_t ext = 1, ext2 = 1;

	f = sp_memexe_parse(data, size, UINT64_MAX, &ext);
	if (f == SP_MEMEXE_NONE) {
		if (ext != 0)
			abort();
	} else if (ext == 0 || ext > SP_MEMEXE_SIZE_MAX ||
	    ext < (f == SP_MEMEXE_ELF ? 52u : 0x40u))
		abort();
	/* a limit only cuts the extent */
	g = sp_memexe_parse(data, size, size, &ext2);
	if (g != f && !(size == 0 && g == SP_MEMEXE_NONE))
		abort();
	if (g != SP_MEMEXE_NONE && (ext2 > size || ext2 > ext))
		abort();
	return 0;
}
