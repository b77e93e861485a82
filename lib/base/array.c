/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Growing arrays: the one doubling rule the modules share.
 */
#include <stdint.h>
#include <stdlib.h>

#include "spoor/err.h"
#include "base/util.h"

int
sp_array_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return SP_OK;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return SP_E_NOMEM;
		n *= 2;
	}
	if ((q = realloc(*p, n * elem)) == NULL)
		return SP_E_NOMEM;
	*p = q;
	*cap = n;
	return SP_OK;
}
