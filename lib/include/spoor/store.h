/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The write side of the case (spoor-case(5)): a store is a loader on one
 * case for one run, with its prepared statements for files rows, file
 * system and artifact events, detections, the full-text index, source
 * state, and batched transactions.  spoor-timeline and spoor-scan write
 * through it; nothing outside lib/case/ writes SQL.  What the analyst
 * marks (tags and notes) is written with the sp_case_tag_* and
 * sp_case_note_* functions.  Every string is bound as a parameter.
 */
#ifndef SPOOR_STORE_H
#define SPOOR_STORE_H

#include <stdint.h>

#include "artifact.h"
#include "case.h"
#include "err.h"
#include "evidence.h"
#include "run.h"
#include "time.h"

/* Entries per transaction of a timeline load. */
#define SP_STORE_BATCH 20000

struct sp_store;

/*
 * A store on the case of run (which must be attached to one: SP_E_USAGE
 * otherwise), committing every batch entries counted by sp_store_tick.
 * run is borrowed and must outlive the store; *s is owned by the caller
 * until sp_store_free.  No transaction is open yet.
 */
int sp_store_new(struct sp_store **s, struct sp_run *run, unsigned batch,
    struct sp_err *err);
/* Free the statements; an open transaction is left as it is.  NULL is ok. */
void sp_store_free(struct sp_store *s);

/* ---- transactions ---- */

/* Begin a transaction; immediate takes the write lock at once. */
int sp_store_begin(struct sp_store *s, int immediate, struct sp_err *err);
/* Commit the open transaction. */
int sp_store_commit(struct sp_store *s, struct sp_err *err);
/* Roll the open transaction back (nothing to report). */
void sp_store_rollback(struct sp_store *s);
/* Commit and begin again: the end of a batch. */
int sp_store_commit_batch(struct sp_store *s, struct sp_err *err);
/*
 * Count one entry of the batch; at the store's batch size, commit and
 * begin again.
 */
int sp_store_tick(struct sp_store *s, struct sp_err *err);

/*
 * In an empty case (no files, no events), drop the secondary indexes of
 * files and events for a first load, which is several times faster than
 * keeping them up to date; sp_store_bulk_end builds them again.  Elsewhere
 * nothing happens.
 */
int sp_store_bulk_begin(struct sp_store *s, struct sp_err *err);
/* Build the indexes dropped by sp_store_bulk_begin, if it dropped them. */
int sp_store_bulk_end(struct sp_store *s, struct sp_err *err);

/* ---- sources ---- */

/*
 * Add a source in state 'loading' (src->md5 and src->sha1 are not
 * stored); *id receives its row id.  Strings are copied.
 */
int sp_store_source_add(struct sp_store *s,
    const struct sp_source_record *src, int64_t *id, struct sp_err *err);
/* Set the size of source id (a stream's, known only once read). */
int sp_store_source_set_size(struct sp_store *s, int64_t id, uint64_t size,
    struct sp_err *err);
/*
 * The end of source id's load: resolve its artifact events' subjects
 * (events.file_id, the allocated files row of the same source with the
 * event's path), fill the full-text index with its events, record its
 * state ("complete", "partial", "interrupted"), counts and, when sha256
 * is not NULL, its SHA-256.
 */
int sp_store_source_finish(struct sp_store *s, int64_t id,
    const char *state, uint64_t files, uint64_t events, const char *sha256,
    struct sp_err *err);
/*
 * Delete source id and everything it brought (events, files), keeping the
 * full-text index consistent.  Inside the caller's transaction.
 */
int sp_store_source_delete(struct sp_store *s, int64_t id,
    struct sp_err *err);
/*
 * *id = a source of this size whose SHA-256 was never computed and whose
 * fingerprint is fp, or 0: the same source as far as a fingerprint tells.
 */
int sp_store_source_find_fingerprint(struct sp_store *s, uint64_t size,
    const char *fp, int64_t *id, struct sp_err *err);
/*
 * The hashes another run recorded for the evidence at path (spoor-acquire's
 * record of its output, the newest with this size): *id is its source, 0
 * when none; md5, sha1 and sha256 (SP_HASH_HEX_MAX each) are filled with
 * what it has, "" for the others.
 */
int sp_store_source_recorded_hashes(struct sp_store *s, const char *path,
    uint64_t size, int64_t *id, char *md5, char *sha1, char *sha256,
    struct sp_err *err);
/*
 * *id = a source with the same identity, or 0: the same size and sha256,
 * or with sha256 NULL (a directory) the same kind and path.
 */
int sp_store_source_find(struct sp_store *s, const char *kind,
    const char *path, uint64_t size, const char *sha256, int64_t *id,
    struct sp_err *err);
/* *taken = whether some source has this size. */
int sp_store_source_size_taken(struct sp_store *s, uint64_t size,
    int *taken, struct sp_err *err);
/*
 * *id = the source loaded from path (a completed load first, the newest
 * first), or 0.
 */
int sp_store_source_find_path(struct sp_store *s, const char *path,
    int64_t *id, struct sp_err *err);

/* ---- the timeline ---- */

/*
 * Add e of source_id as a files row, with its digests (hex or NULL);
 * *file_id receives the row id.  Borrowed pointers are read during the
 * call only.
 */
int sp_store_file_add(struct sp_store *s, int64_t source_id,
    const struct sp_entry *e, const char *md5, const char *sha1,
    const char *sha256, int64_t *file_id, struct sp_err *err);

/*
 * A file system event: one distinct time of one files row, whose path and
 * name (as a timeline shows it) are the row's: the read cursor gives them.
 */
struct sp_fs_event {
	int64_t source_id;
	int64_t file_id;	/* the entry's files row (the subject) */
	sp_time_ns time;
	const char *macb;	/* four letters, "m.c." */
	const char *host;	/* or NULL */
	const char *origin;	/* the bodyfile it was read from, or NULL */
	int64_t origin_line;	/* with origin */
};

/* Add one file system event (artifact 'fs'). */
int sp_store_fs_event_add(struct sp_store *s, const struct sp_fs_event *fe,
    struct sp_err *err);

/*
 * Add an artifact event of source_id read from origin (a path, or NULL),
 * whose files row is origin_file_id (0: none; stored as
 * events.origin_file_id).  host is used when e->host is NULL.  The
 * event's subject (events.file_id) is resolved by
 * sp_store_source_finish.  e is read during the call only.
 */
int sp_store_artifact_event_add(struct sp_store *s, int64_t source_id,
    int64_t origin_file_id, const char *origin, const char *host,
    const struct sp_event *e, struct sp_err *err);

/* ---- detections ---- */

/*
 * *file_id = the files row of source_id with this file system index,
 * inode and path, or 0.
 */
int sp_store_file_find(struct sp_store *s, int64_t source_id, int fs_index,
    uint64_t inode, const char *path, int64_t *file_id, struct sp_err *err);

/* A detection of spoor-scan, stored with its event. */
struct sp_detection_record {
	int64_t source_id;
	int64_t file_id;	/* the detected file's row, or 0 */
	sp_time_ns time;	/* where it sits on the timeline */
	const char *type;	/* yara hash package heuristic */
	const char *name, *ns, *severity;
	int score;
	const char *target_kind;	/* file memory process */
	const char *path;	/* file or region path, or NULL */
	int fs_index;		/* -1: no file system (then no inode) */
	uint64_t inode;
	int64_t pid;		/* -1: not a process */
	const char *exe;	/* with pid */
	int has_address;
	uint64_t address;	/* memory: the first match */
	const char *reason;
	const char *details;	/* the JSON record */
	const char *message;	/* the event's message */
	const char *origin;	/* the evidence it was found in */
};

/*
 * Add a detection and its event (artifact 'detection', file_id = the
 * detected file, indexed for full-text search at once).  When the event
 * cannot be stored the detection still is, without one, and the error is
 * returned.
 */
int sp_store_detection_add(struct sp_store *s,
    const struct sp_detection_record *d, struct sp_err *err);

/*
 * *known = 1 when case c already holds a detection like d: the same rule
 * or detector (type, name, namespace) on the same target (file: file
 * system, inode and path, a stream's name in it; memory range or process
 * region: its start in the details' target; process: its pid), at the
 * same offset in the details when the detector gives one, of the same
 * source (d->source_id, or any source with that source's SHA-256); else
 * 0.  d is read during the call only.
 */
int sp_case_detection_known(struct sp_case *c,
    const struct sp_detection_record *d, int *known, struct sp_err *err);

/* ---- tags and notes ---- */

/* The targets of tags and notes, enum sp_mark_target, are in case.h. */

/*
 * Tag the target (kind, id) with tag, by author (or NULL) at time (or
 * SP_TIME_NONE: now) in run run_id (0: none).  An event, file or detection
 * must exist (SP_E_NOTFOUND otherwise).  A tag the target already has is
 * kept as it was and its id returned.  *tag_id (may be NULL) receives the
 * row id.  Strings are copied.
 */
int sp_case_tag_add(struct sp_case *c, enum sp_mark_target kind, int64_t id,
    const char *tag, const char *author, sp_time_ns time, int64_t run_id,
    int64_t *tag_id, struct sp_err *err);
/* Remove tag from the target; SP_E_NOTFOUND when it does not have it. */
int sp_case_tag_remove(struct sp_case *c, enum sp_mark_target kind,
    int64_t id, const char *tag, struct sp_err *err);
/*
 * Add a note with text on the target, by author (or NULL) at time (or
 * SP_TIME_NONE: now) in run run_id (0: none); the target must exist as
 * for sp_case_tag_add.  *note_id (may be NULL) receives its id.  Strings
 * are copied.
 */
int sp_case_note_add(struct sp_case *c, enum sp_mark_target kind, int64_t id,
    const char *text, const char *author, sp_time_ns time, int64_t run_id,
    int64_t *note_id, struct sp_err *err);
/*
 * Replace the text of note note_id, marking it updated at time (or
 * SP_TIME_NONE: now); SP_E_NOTFOUND when there is no such note.
 */
int sp_case_note_update(struct sp_case *c, int64_t note_id, const char *text,
    sp_time_ns time, struct sp_err *err);
/* Delete note note_id; SP_E_NOTFOUND when there is no such note. */
int sp_case_note_delete(struct sp_case *c, int64_t note_id,
    struct sp_err *err);

#endif
