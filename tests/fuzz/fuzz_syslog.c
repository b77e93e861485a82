/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the syslog parser: the input is read as a syslog
 * file (through fmemopen, as the loader hands parsers a stream), and every
 * event must pass the shared event checks (fuzz_event.h) and have a line,
 * or the target aborts.  The parser must return SP_OK: an in-memory
 * stream has no read errors, and malformed lines are problems.
 */
#define FUZZ_NAME "fuzz_syslog"
#include "fuzz_event.h"

static void
has_line(const struct sp_event *e)
{
	if (e->line < 1)
		fuzz_fail(e, "no line");
}

static const struct fuzz_rules rules = { 0, has_line, SP_OK, SP_OK };
/* 2026-03-15T00:00:00Z, so year-less lines fall on both sides */
static const struct fuzz_file syslog_file = {
	sp_parse_syslog, "fuzz", INT64_C(1773532800) * SP_NS_PER_SEC
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0)
		fuzz_parse(&rules, &syslog_file, data, size);
	return 0;
}
