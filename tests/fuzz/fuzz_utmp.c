/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the login record parsers: the input is read as
 * wtmp, as btmp and as lastlog.  Every event must pass the shared event
 * checks (fuzz_event.h) with a message and user that are valid UTF-8, and
 * have an offset; the counts of events and problems must account for
 * every whole record of the layout the parser chose (utmp: 384 or 400
 * bytes; lastlog: 292 or 296, never more than a record per 292 bytes),
 * or be the one problem of a file that fits no layout.
 */
#define FUZZ_NAME "fuzz_utmp"
#include "fuzz_event.h"

static void
has_offset(const struct sp_event *e)
{
	if (e->offset < 0)
		fuzz_fail(e, "no offset");
}

static const struct fuzz_rules rules = {
	FUZZ_UTF8, has_offset, SP_OK, SP_OK
};

/* Read data as f, whose records are recsize bytes. */
static void
run(const struct fuzz_file *f, size_t recsize, const uint8_t *data,
    size_t size)
{
	uint64_t seen, expect;
	int ok;

	seen = fuzz_parse(&rules, f, data, size);
	/* lastlog's empty records are neither */
	expect = size / recsize + (size % recsize != 0);
	if (recsize == 384)
		ok = seen == expect || seen == 1 ||
		    seen == size / 400 + (size % 400 != 0);
	else
		ok = seen <= expect;
	if (!ok) {
		fprintf(stderr, "fuzz_utmp: %s: %llu events and problems "
		    "for %zu bytes\n", f->origin, (unsigned long long)seen,
		    size);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_file wtmp = {
		sp_parse_utmp, "/var/log/wtmp", SP_TIME_NONE
	}, btmp = {
		sp_parse_utmp, "/var/log/btmp.1", SP_TIME_NONE
	}, lastlog = {
		sp_parse_lastlog, "/var/log/lastlog", SP_TIME_NONE
	};

	if (size == 0)
		return 0;
	run(&wtmp, 384, data, size);
	run(&btmp, 384, data, size);
	run(&lastlog, 292, data, size);
	return 0;
}
