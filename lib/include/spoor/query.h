/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read side of a case: cursors over its events, files and detections,
 * a histogram of events over time, and one event's whole record with its
 * provenance.  This is the stable way to read a case (spoor-case(5)); the
 * exports, the TUI and scripts in C go through it and never see SQL.
 *
 * A cursor streams: it holds one prepared statement and one row at a time,
 * never a table, and pages with a key (time_ns, id) rather than an offset,
 * so a page deep into ten million events costs what the first page costs.
 *
 * The analyst's side of a case is read here too: the tags and notes on a
 * row (sp_query_open_marks) and the filters saved by name in the case
 * (sp_case_filter_*).
 */
#ifndef SPOOR_QUERY_H
#define SPOOR_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "case.h"
#include "evidence.h"
#include "time.h"

/* An integer column that holds SQL NULL. */
#define SP_QUERY_NULL INT64_MIN

struct sp_query;

/*
 * What a cursor keeps.  Every field narrows; a zeroed filter after
 * sp_query_filter_init keeps everything.  The filter and the strings it
 * points to are borrowed for the sp_query_open_* call only.
 */
struct sp_query_filter {
	sp_time_ns from, to;	/* inclusive; SP_TIME_NONE for open */
	const char *const *artifacts;	/* a set of kinds ("fs", "syslog") */
	size_t nartifacts;	/* 0: every kind */
	int64_t source_id;	/* 0: every source */
	const char *host;	/* NULL: any */
	const char *user;	/* NULL: any */
	int64_t pid;		/* SP_QUERY_NULL: any */
	int64_t session;	/* SP_QUERY_NULL: any */
	int detections_only;	/* events: only those of a detection */
	const char *match;	/* FTS5 query on the message, or NULL */
	const char *tag;	/* events and detections: only those with
				 * this tag; NULL: any */
	int tagged_only;	/* events: only those with at least one tag
				 * or note */
	int bare;		/* events: without the source's path, the
				 * entry's inode and flags (NULL, 0) and the
				 * marks and severity (0, NULL), for a reader
				 * of every row that needs none of them */
};

/* Reset f to keep everything. */
void sp_query_filter_init(struct sp_query_filter *f);

/* The position of a row in the timeline: its time, then its id. */
struct sp_query_key {
	sp_time_ns time_ns;
	int64_t id;
};

/*
 * Which part of the ordered rows a cursor gives.  Rows come in the order
 * (ascending or descending by time_ns, then id).  With after, only the rows
 * that come after that key in this order; with before, only the limit rows
 * that come just before it, still given in this order (so a view scrolled
 * up prepends them as they come).  before needs a limit; after and before
 * do not go together.  limit 0 is no limit.  Borrowed for the open call.
 */
struct sp_query_page {
	int descending;
	const struct sp_query_key *after;
	const struct sp_query_key *before;
	uint64_t limit;
};

/* One event; strings and the struct are owned by the cursor until its next
 * step or its close.  Absent integers are SP_QUERY_NULL, strings NULL. */
struct sp_event_row {
	int64_t id;
	sp_time_ns time_ns;
	const char *time_desc, *artifact;
	int64_t source_id;
	const char *source;	/* the source's path */
	int64_t file_id;	/* the entry the event is about */
	int64_t origin_file_id;	/* the entry the event was read from */
	const char *host, *user;
	int64_t pid, ppid;
	const char *exe, *path, *message;
	const char *extra;	/* JSON object text */
	const char *origin;	/* the path the event was read from */
	int64_t origin_line, origin_offset;
	const char *boot_id;
	int64_t session, auid;
	const char *tty, *cwd;
	int64_t run_id;
	int64_t inode;		/* of the file_id entry */
	unsigned file_flags;	/* SP_ENTRY_* of the file_id entry, or 0 */
	int marks;		/* its tags plus its notes */
	const char *severity;	/* the highest severity (severity.h) of the
				 * detections whose event it is, or NULL */
};

/* One row of files; owned like sp_event_row. */
struct sp_file_row {
	int64_t id, source_id;
	struct sp_entry entry;	/* path is "" rather than NULL */
	int allocated;
	const char *md5, *sha1, *sha256;	/* hex or NULL */
};

/*
 * One row of a file's times the way mactime lists them: a row for each
 * distinct second among a file's m, a, c and b times, with the letters
 * that fall in it (bit 0 m, 1 a, 2 c, 3 b); absent times count as second
 * 0.  Owned like sp_event_row.
 */
struct sp_file_time_row {
	int64_t sec;
	unsigned macb;
	struct sp_file_row file;
};

/* One row of detections; owned like sp_event_row. */
struct sp_detection_row {
	int64_t id, run_id, source_id, file_id, event_id;
	const char *type, *name, *namespace_, *severity;
	int64_t score;
	const char *target_kind, *path;
	int64_t fs, inode, pid, address;
	const char *reason;
	const char *details;	/* the JSON record */
	sp_time_ns time_ns;
};

/* One tag or note; owned like sp_event_row. */
struct sp_mark_row {
	int64_t id;
	int is_note;			/* 0 a tag, 1 a note */
	enum sp_mark_target kind;
	int64_t target_id;
	const char *text;		/* the tag, or the note's text */
	const char *author;		/* or NULL */
	sp_time_ns created_ns, updated_ns;	/* updated: SP_TIME_NONE if never */
};

/* One bar of a histogram; owned like sp_event_row. */
struct sp_query_bucket {
	sp_time_ns start;	/* a multiple of the width (floor) */
	const char *artifact;	/* with per-artifact buckets, else NULL */
	uint64_t count;
};

/*
 * Events that pass f, in the order and part that page says (page may be
 * NULL: everything, ascending).  A time-range page reads the events_time
 * index from its key; nothing is sorted in memory except the limit rows
 * of a page before a key.  *q is owned by the caller until
 * sp_query_close; c is borrowed and must outlive it.
 */
int sp_query_open_events(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, const struct sp_query_page *page,
    struct sp_err *err);

/*
 * Files that pass f, in the order they were stored (by id), which is the
 * order their walk or bodyfile gave them.  Of f, only source_id, the
 * artifacts (files pass when the set is empty or holds "fs") and from/to
 * count: a file passes when one of its m, a, c, b times is in the range.
 * Ownership as in sp_query_open_events.
 */
int sp_query_open_files(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, struct sp_err *err);

/*
 * The files' times as mactime lists them (struct sp_file_time_row), in
 * mactime's order: second, then the inode and the name as text.  Files
 * with none of the four times are left out.  f counts as for
 * sp_query_open_files, but from and to are taken in whole seconds (floor)
 * and compared with each row's second.  Ownership as in
 * sp_query_open_events.
 */
int sp_query_open_file_times(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, struct sp_err *err);

/*
 * Detections that pass f (source_id, from/to on their time, pid, tag), in
 * the order and part that page says.  Ownership as in sp_query_open_events.
 */
int sp_query_open_detections(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, const struct sp_query_page *page,
    struct sp_err *err);

/*
 * Counts of the events that pass f in buckets width_ns wide (floor of
 * time_ns to a multiple of it), by start, or with per_artifact by artifact
 * and then start; empty buckets are not given.  The events are streamed in
 * index order and counted as they pass, so memory does not grow with them.
 * Ownership as in sp_query_open_events.
 */
int sp_query_open_histogram(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, sp_time_ns width_ns, int per_artifact,
    struct sp_err *err);

/*
 * Tags then notes of target (kind, id), each by id; with id 0 every mark
 * of that kind in the case.  Ownership as in sp_query_open_events.
 */
int sp_query_open_marks(struct sp_query **q, struct sp_case *c,
    enum sp_mark_target kind, int64_t id, struct sp_err *err);

/*
 * Step q to its next row: *has_row is 1 and the row is readable through
 * the accessor of q's kind, or 0 at the end.  Returns SP_OK,
 * SP_E_INTERRUPTED after sp_query_interrupt, or SP_E_CASE.
 */
int sp_query_next(struct sp_query *q, int *has_row, struct sp_err *err);

/*
 * The current row of a cursor of the matching kind, or NULL for another
 * kind or before a row; owned by q until its next step or close.
 */
const struct sp_event_row *sp_query_event(const struct sp_query *q);
const struct sp_file_row *sp_query_file(const struct sp_query *q);
const struct sp_file_time_row *sp_query_file_time(const struct sp_query *q);
const struct sp_detection_row *sp_query_detection(const struct sp_query *q);
const struct sp_query_bucket *sp_query_bucket(const struct sp_query *q);
const struct sp_mark_row *sp_query_mark(const struct sp_query *q);

/* The key of the current event or detection row (for the next page). */
struct sp_query_key sp_query_row_key(const struct sp_query *q);

/*
 * The SQL q runs with its parameters written in, for EXPLAIN QUERY PLAN in
 * tests and bug reports; NULL when out of memory.  The caller frees it.
 */
char *sp_query_sql(const struct sp_query *q);

/* Close q and release its statement; accepts NULL. */
void sp_query_close(struct sp_query *q);

/*
 * Make every query running on c stop soon with SP_E_INTERRUPTED.  Safe to
 * call from another thread while a cursor of c steps (a TUI cancelling a
 * long count); it wraps sqlite3_interrupt, so it stops every statement of
 * c that runs at that moment, and none that starts after it.
 */
void sp_query_interrupt(struct sp_case *c);

/*
 * One event with where it came from: its row, its source, the entry it
 * was read from (origin_file_id) and the entry it is about (file_id), and
 * the detection whose event it is.  Absent parts are NULL.  Everything is
 * owned by the record until sp_event_record_free.
 */
struct sp_event_record {
	const struct sp_event_row *event;
	int64_t source_id;
	const struct sp_source_record *source;
	const struct sp_file_row *origin_file;
	const struct sp_file_row *file;
	const struct sp_detection_row *detection;
};

/*
 * Read event id of c into *rec (owned by the caller until
 * sp_event_record_free; c is borrowed for the call only).  SP_E_NOTFOUND
 * when the case has no such event.
 */
int sp_event_record_get(struct sp_case *c, int64_t id,
    struct sp_event_record **rec, struct sp_err *err);
/* Free rec; accepts NULL. */
void sp_event_record_free(struct sp_event_record *rec);

/*
 * The id of the source whose id written as text, or whose path, is s (the
 * newest when several match), into *id.  SP_E_NOTFOUND when none.
 */
int sp_query_find_source(struct sp_case *c, const char *s, int64_t *id,
    struct sp_err *err);

/* ---- saved filters ---- */

/*
 * A filter saved in the case under a name (the saved_filters table of
 * spoor-case(5)), stored as a JSON object of every field but bare.
 */
struct sp_saved_filter;	/* owns a filter and every string it points to */

/* The longest name of a saved filter, in bytes. */
#define SP_FILTER_NAME_MAX 256

/*
 * Save f in c as name, replacing one of the same name (its created time
 * is kept), for run run_id (0: none).  name must be non-empty printable
 * text (UTF-8 without control characters) of at most SP_FILTER_NAME_MAX
 * bytes (SP_E_USAGE otherwise).  f and name are read during the call only.
 */
int sp_case_filter_save(struct sp_case *c, const char *name,
    const struct sp_query_filter *f, int64_t run_id, struct sp_err *err);
/*
 * Load the filter saved as name into *sf, owned by the caller until
 * sp_saved_filter_free.  SP_E_NOTFOUND when there is none; SP_E_CASE when
 * the stored JSON is not such a filter.
 */
int sp_case_filter_load(struct sp_case *c, const char *name,
    struct sp_saved_filter **sf, struct sp_err *err);
/* The filter of sf; owned by sf. */
const struct sp_query_filter *sp_saved_filter_get(
    const struct sp_saved_filter *sf);
/* Free sf; accepts NULL. */
void sp_saved_filter_free(struct sp_saved_filter *sf);
/* Delete the filter saved as name; SP_E_NOTFOUND when there is none. */
int sp_case_filter_delete(struct sp_case *c, const char *name,
    struct sp_err *err);
/*
 * Call cb with the name of each saved filter, by name (bytewise); the name
 * is borrowed for the call and cb returns 0 to go on.  The names are read
 * before the first call, so cb may save or delete filters.
 */
int sp_case_filter_names(struct sp_case *c,
    int (*cb)(const char *name, void *arg), void *arg, struct sp_err *err);

#endif
