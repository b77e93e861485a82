/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the --hash list parser ("md5,sha1,sha256", "all").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/err.h"
#include "spoor/hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_err err;
	unsigned mask = 0;
	char *s;
	int rc;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	sp_err_init(&err);
	rc = sp_hash_parse_list(s, &mask, &err);
	if (rc == SP_OK && (mask == 0 || (mask & ~(unsigned)SP_HASH_ALL))) {
		fprintf(stderr, "fuzz_hashlist: '%s' gave mask %#x\n", s, mask);
		abort();
	}
	if (rc != SP_OK && (rc != err.code || err.msg[0] == '\0' ||
	    memchr(err.msg, '\0', sizeof(err.msg)) == NULL))
		abort();
	free(s);
	return 0;
}
