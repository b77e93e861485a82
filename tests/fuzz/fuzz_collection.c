/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the reader of a collection's volatile JSON Lines
 * (lib/artifact/collection.c): the input is read as each of the volatile
 * files of a collection, by name, and as a file of another name whose
 * record kind each line decides.  Every event passes the shared checks,
 * and a finding's event has a pid only when the line gave one.
 */
#define FUZZ_NAME "fuzz_collection"
#include "fuzz_event.h"

static void
more(const struct sp_event *e)
{
	if (e->pid < -1 || e->ppid < -1)
		fuzz_fail(e, "negative pid %lld", (long long)e->pid);
	if (e->line < 1)
		fuzz_fail(e, "no line");
}

/* strings are raw bytes of the host: no promise of UTF-8 */
static const struct fuzz_rules rules = { 0, more, SP_E_NOMEM, SP_OK };

static const struct fuzz_file files[] = {
	{ sp_parse_collection, "volatile/processes.jsonl", SP_TIME_NONE },
	{ sp_parse_collection, "volatile/sockets.jsonl",
	    INT64_C(1762918200000000000) },
	{ sp_parse_collection, "volatile/network.jsonl",
	    INT64_C(1762918200000000000) },
	{ sp_parse_collection, "volatile/system.jsonl",
	    INT64_C(1762918200000000000) },
	{ sp_parse_collection, "volatile/findings.jsonl",
	    INT64_C(1762918200000000000) },
	{ sp_parse_collection, "volatile/other.jsonl",
	    INT64_C(1762918200000000000) },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse_all(&rules, files, FUZZ_COUNT(files), data, size);
	return 0;
}
