/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for Docker's json-file log parser
 * (lib/artifact/container-log.c): the input is parsed as a container's
 * <id>-json.log.  Every event must pass the shared event checks
 * (fuzz_event.h); the parse ends with SP_OK (or SP_E_NOMEM).
 */
#define FUZZ_NAME "fuzz_container_log"
#include "fuzz_event.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_rules rules = {
		0, NULL, SP_E_NOMEM, SP_OK
	};
	static const struct fuzz_file log = {
		sp_parse_container_log,
		"/var/lib/docker/containers/a1b2/a1b2-json.log",
		INT64_C(1714557601) * SP_NS_PER_SEC
	};

	fuzz_parse(&rules, &log, data, size);
	return 0;
}
