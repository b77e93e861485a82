/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the journal parser: the input is handed over as a
 * memory stream (so the parser copies it to a file of its own, as it does
 * for a pipe or a gzip stream) and every event it emits must pass the
 * shared event checks (fuzz_event.h) and be a journal event: a time not
 * before 1970, no offset or line, a pid of -1 or more.  libsystemd is not
 * instrumented, so the inputs are kept small.
 */
#define FUZZ_NAME "fuzz_journal"
#include "fuzz_event.h"

#define INPUT_MAX	(256 * 1024)

static void
journal_event(const struct sp_event *e)
{
	if (e->time < 0)
		fuzz_fail(e, "time before 1970");
	if (strcmp(e->artifact, "journal") != 0)
		fuzz_fail(e, "artifact is not journal: %s", e->artifact);
	if (e->offset != -1 || e->line != 0 || e->pid < -1)
		fuzz_fail(e, "bad offset, line or pid");
}

static const struct fuzz_rules rules = {
	0, journal_event, SP_E_IO, SP_E_OS
};
static const struct fuzz_file journal = {
	sp_parse_journal, "fuzz.journal", SP_TIME_NONE
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0 && size <= INPUT_MAX)
		fuzz_parse(&rules, &journal, data, size);
	return 0;
}
