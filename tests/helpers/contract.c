/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drives the library's error, callback and cancellation contract directly,
 * for tests/1170-contract.bats: an error code survives a NULL struct
 * sp_err, a content callback's error code reaches the reader's caller, a
 * stop is no error, and a tripped token interrupts a walk until it is
 * reset.  Usage: contract MISSING-FILE EVIDENCE PATH-IN-EVIDENCE
 * Prints one "name: value" line per check.
 */
#include <stdio.h>
#include <string.h>

#include "spoor/cancel.h"
#include "spoor/err.h"
#include "spoor/evidence.h"
#include "spoor/hashset.h"

static int
fail_io(const void *buf, size_t len, void *arg)
{
	(void)buf;
	(void)len;
	return sp_err_set(arg, SP_E_IO, 0, "callback: disk full");
}

static int
fail_bare(const void *buf, size_t len, void *arg)
{
	(void)buf;
	(void)len;
	(void)arg;
	return SP_E_CREATE;
}

static int
stop_first(const void *buf, size_t len, void *arg)
{
	(void)buf;
	*(size_t *)arg += len;
	return SP_CB_STOP;
}

static int
count_entry(const struct sp_entry *e, void *arg)
{
	(void)e;
	++*(unsigned long *)arg;
	return SP_CB_CONTINUE;
}

int
main(int argc, char *argv[])
{
	struct sp_hashset *hs;
	struct sp_evidence *ev;
	struct sp_cancel cancel = SP_CANCEL_INIT;
	struct sp_err err;
	unsigned long n = 0;
	size_t got = 0;
	int rc;

	if (argc != 4) {
		fputs("usage: contract missing-file evidence path\n", stderr);
		return SP_EXIT_USAGE;
	}
	/* 1. the code of a failure with and without an error struct */
	sp_err_init(&err);
	if (sp_hashset_new(&hs, &err) != SP_OK)
		return SP_EXIT_OF(SP_E_NOMEM);
	rc = sp_hashset_load(hs, argv[1], SP_HASHSET_KNOWN_GOOD, NULL, &err);
	printf("with err: %s %d\n", sp_err_name(rc), sp_err_exit_status(rc));
	rc = sp_hashset_load(hs, argv[1], SP_HASHSET_KNOWN_GOOD, NULL, NULL);
	printf("without err: %s %d\n", sp_err_name(rc),
	    sp_err_exit_status(rc));
	sp_hashset_free(hs);

	/* 2. a content callback's result reaches the caller */
	sp_err_init(&err);
	if ((rc = sp_evidence_open(&ev, argv[2], NULL, &err)) != SP_OK) {
		fprintf(stderr, "contract: %s\n", err.msg);
		return sp_err_exit_status(rc);
	}
	sp_err_init(&err);
	rc = sp_evidence_read_file(ev, 0, argv[3], fail_io, &err, &err);
	printf("callback error: %s '%s'\n", sp_err_name(rc), err.msg);
	sp_err_init(&err);
	rc = sp_evidence_read_file(ev, 0, argv[3], fail_bare, NULL, &err);
	printf("callback code: %s '%s'\n", sp_err_name(rc), err.msg);
	rc = sp_evidence_read_file(ev, 0, argv[3], fail_bare, NULL, NULL);
	printf("callback code without err: %s\n", sp_err_name(rc));
	rc = sp_evidence_read_file(ev, 0, argv[3], stop_first, &got, NULL);
	printf("callback stop: %s after %s\n", sp_err_name(rc),
	    got > 0 ? "data" : "nothing");

	/* 3. a tripped token interrupts a walk; reset, the walk runs */
	sp_evidence_set_cancel(ev, &cancel);
	sp_cancel_request(&cancel, SP_CANCEL_REQUESTED);
	rc = sp_evidence_walk(ev, 0, NULL, SP_WALK_RECURSE | SP_WALK_ALL,
	    count_entry, &n, NULL);
	printf("cancelled walk: %s %d, %s\n", sp_err_name(rc),
	    sp_cancel_exit_status(&cancel), n ? "entries" : "no entries");
	sp_cancel_reset(&cancel);
	rc = sp_evidence_walk(ev, 0, NULL, SP_WALK_RECURSE | SP_WALK_ALL,
	    count_entry, &n, NULL);
	printf("reset walk: %s, %s\n", sp_err_name(rc),
	    n ? "entries" : "no entries");
	sp_evidence_close(ev);
	return SP_EXIT_OK;
}
