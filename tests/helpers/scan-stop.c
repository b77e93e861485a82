/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drives the scanner's callback contract for tests/4260-scan-callback.bats:
 * a detection callback that says stop after its first detection ends the
 * scan with SP_OK, one that fails ends it with its error code, and every
 * later scan call returns the same.  Usage:
 *   scan-stop stop|error ROOT [RULES]
 * scans the directory ROOT with the heuristics only, or with YARA (two
 * workers) and no heuristics when RULES is given; prints one
 * "name: value" line per fact.
 */
#include <stdio.h>
#include <string.h>

#include "spoor/err.h"
#include "spoor/run.h"
#include "spoor/scan.h"

struct state {
	const char *mode;
	struct sp_err *err;	/* shared with the scan's caller */
	unsigned calls;
};

static int
on_detection(const struct sp_detection *d, void *arg)
{
	struct state *st = arg;

	(void)d;
	st->calls++;
	if (strcmp(st->mode, "stop") == 0)
		return SP_CB_STOP;
	/* a worker must not write the caller's struct: the bare code */
	if (st->err == NULL)
		return SP_E_CREATE;
	return sp_err_set(st->err, SP_E_IO, 0, "callback: disk full");
}

int
main(int argc, char *argv[])
{
	struct sp_scan_options o;
	struct sp_rules *rules = NULL;
	struct sp_scan *s = NULL;
	struct sp_run *run = NULL;
	struct sp_err err;
	struct state st;
	int rc, frc, again;

	if (argc < 3 || argc > 4 || (strcmp(argv[1], "stop") != 0 &&
	    strcmp(argv[1], "error") != 0)) {
		fputs("usage: scan-stop stop|error ROOT [RULES]\n", stderr);
		return SP_EXIT_USAGE;
	}
	sp_err_init(&err);
	memset(&st, 0, sizeof(st));
	st.mode = argv[1];
	st.err = argc == 4 ? NULL : &err;
	sp_scan_options_init(&o);
	if (argc == 4) {
		o.flags |= SP_SCAN_NO_HEURISTICS;
		o.threads = 2;
		if ((rc = sp_rules_new(&rules, &err)) != SP_OK ||
		    (rc = sp_rules_add_path(rules, argv[3], &err)) != SP_OK ||
		    (rc = sp_rules_finish(rules, &err)) != SP_OK)
			goto fail;
		o.rules = rules;
	} else
		o.flags |= SP_SCAN_NO_YARA;
	if ((rc = sp_run_new(&run, "scan-stop", argc, argv, &err)) != SP_OK ||
	    (rc = sp_scan_new(&s, &o, run, on_detection, &st, &err)) != SP_OK)
		goto fail;
	rc = sp_scan_path(s, argv[2], SP_SCAN_AS_ANY, &err);
	printf("scan: %s '%s'\n", sp_err_name(rc), rc ? err.msg : "");
	sp_err_init(&err);
	again = sp_scan_path(s, argv[2], SP_SCAN_AS_ANY, &err);
	printf("again: %s\n", sp_err_name(again));
	frc = sp_scan_finish(s, NULL, NULL, &err);
	printf("finish: %s\n", sp_err_name(frc));
	printf("first error: %s\n", sp_err_name(rc ? rc : frc));
	printf("calls: %u\n", st.calls);
	printf("detections: %llu\n",
	    (unsigned long long)sp_scan_stats(s)->detections);
	printf("files scanned: %llu\n",
	    (unsigned long long)sp_scan_stats(s)->files_scanned);
	sp_scan_free(s);
	sp_rules_free(rules);
	sp_run_free(run);
	return SP_EXIT_OK;
fail:
	fprintf(stderr, "scan-stop: %s\n", err.msg);
	sp_scan_free(s);
	sp_rules_free(rules);
	sp_run_free(run);
	return sp_err_exit_status(rc);
}
