/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the package parsers (lib/artifact/packages.c): the
 * input is parsed as a dpkg.log and as an apt history.log.  Every event
 * must pass the shared event checks (fuzz_event.h); each parse ends with
 * SP_OK (or SP_E_NOMEM).
 */
#define FUZZ_NAME "fuzz_packages"
#include "fuzz_event.h"

#define MTIME	(INT64_C(1773485070) * SP_NS_PER_SEC + 243417795)

static const struct fuzz_rules rules = { 0, NULL, SP_E_NOMEM, SP_OK };
static const struct fuzz_file files[] = {
	{ sp_parse_dpkg, "/var/log/dpkg.log", MTIME },
	{ sp_parse_apt_history, "/var/log/apt/history.log", MTIME },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_all(&rules, files, FUZZ_COUNT(files), data, size);
	return 0;
}
