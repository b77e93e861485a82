/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the audit log parser: the input is read as an
 * audit.log through fmemopen, and every event the parser emits must pass
 * the shared event checks (fuzz_event.h); the parse ends with SP_OK (or
 * SP_E_NOMEM).
 */
#define FUZZ_NAME "fuzz_audit"
#include "fuzz_event.h"

static const struct fuzz_rules rules = { 0, NULL, SP_E_NOMEM, SP_OK };
static const struct fuzz_file audit_log = {
	sp_parse_audit, "fuzz", SP_TIME_NONE
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0)
		fuzz_parse(&rules, &audit_log, data, size);
	return 0;
}
