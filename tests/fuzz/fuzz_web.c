/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the access log parser (lib/artifact/web.c): the
 * input is parsed as an apache or nginx access log.  Every event must
 * pass the shared event checks (fuzz_event.h); the parse ends with SP_OK
 * (or SP_E_NOMEM).
 */
#define FUZZ_NAME "fuzz_web"
#include "fuzz_event.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_rules rules = {
		0, NULL, SP_E_NOMEM, SP_OK
	};
	static const struct fuzz_file access_log = {
		sp_parse_web_access, "/var/log/apache2/access.log",
		INT64_C(1773485070) * SP_NS_PER_SEC + 243417795
	};

	fuzz_parse(&rules, &access_log, data, size);
	return 0;
}
