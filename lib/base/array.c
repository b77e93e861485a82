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

int
sp_array_grow_count(void **p, size_t n, size_t elem)
{
	size_t cap;
	void *q;

	/* the capacity of n elements: 16, then the next power of two */
	if (n != 0 && (n < 16 || (n & (n - 1)) != 0))
		return SP_OK;
	cap = n == 0 ? 8 : n;	/* doubled below */
	if (cap > SIZE_MAX / 2 / elem)
		return SP_E_NOMEM;
	if ((q = realloc(*p, cap * 2 * elem)) == NULL)
		return SP_E_NOMEM;
	*p = q;
	return SP_OK;
}
