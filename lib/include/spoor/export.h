/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exports of a case's timeline: TSK bodyfile, mactime text and CSV,
 * Timesketch JSONL, spoor's own JSONL and a CSV text of every event.  The timelines are sorted by time
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
#include "query.h"
#include "time.h"

enum sp_export_format {
	SP_EXPORT_BODYFILE,
	SP_EXPORT_MACTIME,	/* mactime's text rows */
	SP_EXPORT_MACTIME_CSV,	/* mactime -d */
	SP_EXPORT_TIMESKETCH,	/* message, datetime, timestamp, ... */
	SP_EXPORT_JSONL,	/* one event per line, every field */
	SP_EXPORT_TEXT		/* every event as CSV: time, artifact,
				 * time_desc, host, user, pid, message,
				 * origin (plaso's dynamic output) */
};

struct sp_export_opts {
	enum sp_export_format format;
	sp_time_ns from, to;	/* inclusive; SP_TIME_NONE for open */
	int64_t source_id;	/* 0 for every source */
	const char *const *artifacts;	/* kinds to keep; borrowed */
	size_t nartifacts;	/* 0 for every artifact */
	/* the event views only (the file views ignore them) */
	const char *host;	/* NULL for every host */
	const char *user;	/* NULL for every user */
	int64_t pid;		/* SP_QUERY_NULL (query.h) for every pid */
	int64_t session;	/* SP_QUERY_NULL for every session */
	const char *match;	/* FTS5 query on the message, or NULL */
	int detections_only;	/* only the events of detections */
	const char *tag;	/* only events with this tag, or NULL */
	int tagged_only;	/* only events with a tag or a note */
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

/*
 * Initialise o: mactime, no filter (every time, source, artifact, host,
 * user, pid and session; no match, tag or detections only).
 */
void sp_export_opts_init(struct sp_export_opts *o);

/*
 * Check that each of the n kinds is an artifact: a kind of the parsers'
 * registry (artifact.h), "fs", "detection", or the artifact of an event
 * c holds (such as "auth", "wtmp" or "persistence", which parsers write
 * beside their registry kind).  Returns SP_OK, or SP_E_USAGE with err
 * naming the first unknown kind and every known one, sorted; SP_E_CASE
 * or SP_E_NOMEM.  kinds is borrowed for the call.
 */
int sp_export_check_artifacts(struct sp_case *c, const char *const *kinds,
    size_t n, struct sp_err *err);

/* The id of the source whose path or id text is s, or 0 (SP_E_NOTFOUND). */
int sp_export_find_source(struct sp_case *c, const char *s, int64_t *id,
    struct sp_err *err);

#endif
