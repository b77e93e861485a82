/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The case database: one SQLite file per case (WAL, foreign keys, a schema
 * version in PRAGMA user_version with ordered migrations), described in
 * spoor-case(5).  Runs (run.h) are recorded in it.
 */
#ifndef SPOOR_CASE_H
#define SPOOR_CASE_H

#include <stdint.h>

#include "err.h"
#include "run.h"
#include "versions.h"
#include "time.h"

/* The schema this build writes; a case with a higher version is refused. */
#define SP_CASE_SCHEMA_VERSION 7
/* PRAGMA application_id of a spoor case ("SPOR"). */
#define SP_CASE_APPLICATION_ID 0x53504f52

struct sp_case;

/*
 * What a tag or a note is on (the CHECK of tags and notes.target_kind);
 * written by the store (store.h) and read by the cursors (query.h).
 */
enum sp_mark_target {
	SP_MARK_EVENT,		/* an events row */
	SP_MARK_FILE,		/* a files row */
	SP_MARK_DETECTION,	/* a detections row */
	SP_MARK_NODE		/* a node of a graph view, by its own id */
};

enum sp_case_flags {
	SP_CASE_CREATE = 1 << 0,	/* create the file when missing */
	SP_CASE_READONLY = 1 << 1	/* open for reading only */
};

/*
 * Open (and with SP_CASE_CREATE create) the case at path, migrating an older
 * schema forward.  Refuses a file that is not a spoor case (SP_E_FORMAT) and
 * a newer schema (SP_E_SCHEMA).  *c is owned by the caller until
 * sp_case_close.
 */
int sp_case_open(struct sp_case **c, const char *path, unsigned flags,
    struct sp_err *err);
/* Close cleanly (checkpoint the WAL); accepts NULL. */
void sp_case_close(struct sp_case *c);
/* The schema version of the open file. */
int sp_case_schema_version(const struct sp_case *c);
/* The path the case was opened with; owned by c. */
const char *sp_case_path(const struct sp_case *c);

/* Case path from -c or, when arg is NULL, from $SPOOR_CASE (may be NULL). */
const char *sp_case_path_from_env(const char *arg);

/*
 * Record run in c: a "running" row now, completed when sp_run_end is
 * called.  c is borrowed and must outlive the run's use of it.
 */
int sp_case_run_attach(struct sp_case *c, struct sp_run *run,
    struct sp_err *err);

/* A source of evidence as stored in the sources table. */
struct sp_source_record {
	const char *kind;	/* "raw", "split", "e01", "dir", ... */
	const char *path;
	uint64_t size;
	const char *md5, *sha1, *sha256;	/* hex or NULL */
	const char *host;	/* label given by the analyst, or NULL */
	const char *details;	/* JSON object text, or NULL */
	const char *fingerprint;	/* sp_evidence_fingerprint, or NULL */
};

/*
 * Add a source to the case of run (which must be attached); *id receives its
 * row id.  Strings are copied into the database.
 */
int sp_case_source_add(struct sp_run *run, const struct sp_source_record *src,
    int64_t *id, struct sp_err *err);

#endif
