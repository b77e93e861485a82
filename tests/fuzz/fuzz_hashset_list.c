/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the plain hash list parser (lib/scan/hashset.c): the
 * input is loaded as a known-bad list, then every hash it gave must be
 * found again, with the algorithm its length names.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/err.h"
#include "spoor/hashset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_hashset *hs;
	struct sp_hashset_info info;
	struct sp_hashset_match m;
	struct sp_err err;
	int rc, found;

	sp_err_init(&err);
	if (sp_hashset_new(&hs, &err) != SP_OK)
		abort();
	rc = sp_hashset_load_buffer(hs, data, size, "fuzz.txt",
	    SP_HASHSET_KNOWN_BAD, NULL, &info, &err);
	if (rc != SP_OK) {
		/* only "no hash, some malformed lines" or out of memory */
		if ((rc != SP_E_FORMAT && rc != SP_E_NOMEM) || rc != err.code ||
		    err.msg[0] == '\0' || sp_hashset_count(hs) != 0)
			abort();
	} else {
		if (sp_hashset_count(hs) != 1 ||
		    info.algorithms != sp_hashset_algorithms(hs))
			abort();
		/* the all-zero digest is found exactly when listed */
		if (sp_hashset_lookup_hex(hs, "00000000000000000000000000000000",
		    &m, &found, &err) != SP_OK || (found &&
		    (m.kind != SP_HASHSET_KNOWN_BAD || m.alg != SP_HASH_MD5 ||
		    strcmp(m.set, "fuzz.txt") != 0 ||
		    memchr(m.name, '\0', sizeof(m.name)) == NULL)))
			abort();
		if (found && info.count[0] == 0)
			abort();
	}
	sp_hashset_free(hs);
	return 0;
}
