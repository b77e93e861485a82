/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The size syntax of every size option (include/spoor/size.h): exact
 * integer arithmetic, so "1.5G" is 1610612736 bytes, never a rounded
 * double.
 */
#include <stddef.h>

#include "spoor/err.h"
#include "spoor/size.h"

#define FRAC_DIGITS_MAX	9

int
sp_size_parse(const char *s, uint64_t *bytes)
{
	unsigned __int128 whole = 0, frac = 0, scale = 1, mul = 1, total;
	const char *p = s;
	int nd = 0;

	if (s == NULL || *p < '0' || *p > '9')
		return SP_E_USAGE;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (unsigned)(*p - '0');
		if (whole > UINT64_MAX)
			return SP_E_USAGE;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nd++) {
			if (nd == FRAC_DIGITS_MAX)
				return SP_E_USAGE;
			frac = frac * 10 + (unsigned)(*p - '0');
			scale *= 10;
		}
		if (nd == 0)
			return SP_E_USAGE;
	}
	switch (*p) {
	case '\0': break;
	case 'b': case 'B': p++; break;
	case 's': mul = 512; p++; break;
	case 'k': case 'K': mul = (unsigned __int128)1 << 10; p++; break;
	case 'm': case 'M': mul = (unsigned __int128)1 << 20; p++; break;
	case 'g': case 'G': mul = (unsigned __int128)1 << 30; p++; break;
	case 't': case 'T': mul = (unsigned __int128)1 << 40; p++; break;
	case 'p': case 'P': mul = (unsigned __int128)1 << 50; p++; break;
	default: return SP_E_USAGE;
	}
	if (mul > 512) {
		if ((p[0] == 'i' || p[0] == 'I') && (p[1] == 'b' ||
		    p[1] == 'B'))
			p += 2;
		else if (p[0] == 'b' || p[0] == 'B')
			p++;
	}
	if (*p != '\0' || (frac * mul) % scale != 0)
		return SP_E_USAGE;
	total = whole * mul + frac * mul / scale;
	if (total > UINT64_MAX)
		return SP_E_USAGE;
	*bytes = (uint64_t)total;
	return SP_OK;
}
