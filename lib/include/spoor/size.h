/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sizes on the command line: the one syntax every size option takes
 * (spoor-scan --max-size, spoor-acquire --split, ...), documented in
 * spoor(7).
 */
#ifndef SPOOR_SIZE_H
#define SPOOR_SIZE_H

#include <stdint.h>

/*
 * Parse s into *bytes: a decimal number with an optional fraction, then
 * an optional unit: K, M, G, T, P (powers of 1024, either case, with an
 * optional "iB" or "B" after: "4K", "4KiB", "4kb" are 4096), s (512-byte
 * sectors) or B (bytes).  "512", "4K", "1.5G", "2T", "64s".  The result
 * must be a whole number of bytes and fit in 64 bits.  Returns SP_OK, or
 * SP_E_USAGE with *bytes unchanged.
 */
int sp_size_parse(const char *s, uint64_t *bytes);

#endif
