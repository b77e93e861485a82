/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the TZif reader (an image's /etc/localtime): the
 * input is read as TZif and, as text, as a POSIX TZ string.  A zone that
 * is accepted must give offsets within RFC 8536's range at every time
 * probed, and a local time it converts exactly must convert back: its
 * UTC time plus the offset then in force is the local time again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "spoor/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
probe(const struct sp_zone *z)
{
	static const int64_t times[] = { INT64_C(-2208988800), 0,
	    INT64_C(1773482400), INT64_C(1792000000), INT64_C(2208988800),
	    INT64_C(4102444800), INT64_C(32503680000) };
	int64_t utc;
	int32_t off;
	size_t i;
	int fit;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		off = sp_zone_offset(z, times[i]);
		if (off < -89999 || off > 93599) {
			fprintf(stderr, "fuzz_tzif: offset %d at %lld\n",
			    (int)off, (long long)times[i]);
			abort();
		}
		fit = sp_zone_to_utc(z, times[i], &utc);
		if (fit == SP_ZONE_EXACT &&
		    utc + sp_zone_offset(z, utc) != times[i]) {
			fprintf(stderr, "fuzz_tzif: local %lld is UTC %lld, "
			    "whose offset %d does not give it back\n",
			    (long long)times[i], (long long)utc,
			    (int)sp_zone_offset(z, utc));
			abort();
		}
	}
	if (sp_zone_name(z) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_zone *z = NULL;
	struct sp_err err;
	char *s;

	sp_err_init(&err);
	if (sp_zone_from_tzif(&z, data, size, NULL, &err) == SP_OK) {
		probe(z);
		sp_zone_free(z);
	}
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	z = NULL;
	if (strlen(s) == size && sp_zone_from_posix(&z, s, &err) == SP_OK) {
		probe(z);
		sp_zone_free(z);
	}
	free(s);
	return 0;
}
