/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the ISO-8601 parser: any accepted time formatted
 * with nine fraction digits must parse back to the same nanosecond.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/err.h"
#include "spoor/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char iso[SP_TIME_ISO_MAX], *s;
	sp_time_ns t, t2;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (sp_time_parse_iso(s, &t) == SP_OK) {
		sp_time_format_iso(t, 9, iso, sizeof(iso));
		if (sp_time_parse_iso(iso, &t2) != SP_OK) {
			fprintf(stderr, "fuzz_time: '%s' parsed to %lld, which "
			    "formats as '%s', which does not parse\n", s,
			    (long long)t, iso);
			abort();
		}
		if (t2 != t) {
			fprintf(stderr, "fuzz_time: '%s' parsed to %lld, "
			    "formats as '%s', parses back to %lld\n", s,
			    (long long)t, iso, (long long)t2);
			abort();
		}
	}
	free(s);
	return 0;
}
