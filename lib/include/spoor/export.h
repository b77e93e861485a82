/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exports of a case's timeline: TSK bodyfile, mactime text and CSV,
 * Timesketch JSONL and spoor's own JSONL.  The timelines are sorted by time
 * and then a fixed tie order (mactime's inode and name; event ids); the
 * bodyfile keeps the order the entries were walked in, as fls writes it.
 * Either way two exports of the same case are byte-identical.
 */
#ifndef SPOOR_EXPORT_H
#define SPOOR_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "cancel.h"
#include "case.h"
#include "time.h"

enum sp_export_format {
	SP_EXPORT_BODYFILE,
	SP_EXPORT_MACTIME,	/* mactime's text rows */
	SP_EXPORT_MACTIME_CSV,	/* mactime -d */
	SP_EXPORT_TIMESKETCH,	/* message, datetime, timestamp, ... */
	SP_EXPORT_JSONL		/* one event per line, every field */
};

struct sp_export_opts {
	enum sp_export_format format;
	sp_time_ns from, to;	/* inclusive; SP_TIME_NONE for open */
	int64_t source_id;	/* 0 for every source */
	const char *artifact;	/* NULL for every artifact */
	int iso;		/* mactime dates as ISO-8601 UTC (-y) */
	unsigned bodyfile_flags;	/* SP_BODYFILE_NS */
	const struct sp_cancel *cancel;	/* borrowed; NULL: the process's */
};

/*
 * Write the case's timeline to out in opts->format.  *rows receives the
 * number of records written.  Returns SP_OK, SP_E_IO on a write error,
 * SP_E_CASE, or SP_E_INTERRUPTED when opts->cancel was tripped (after the
 * current record).
 */
int sp_export(struct sp_case *c, const struct sp_export_opts *opts,
    FILE *out, uint64_t *rows, struct sp_err *err);

/* The id of the source whose path or id text is s, or 0 (SP_E_NOTFOUND). */
int sp_export_find_source(struct sp_case *c, const char *s, int64_t *id,
    struct sp_err *err);

#endif
