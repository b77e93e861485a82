/*
 * The case database: one SQLite file per case (WAL, foreign keys, a schema
 * version in PRAGMA user_version with ordered migrations), described in
 * spoor-case(5).  A run (struct sp_run) is the chain-of-custody record of one
 * tool invocation and collects the problems met on the way.
 */
#ifndef SPOOR_CASE_H
#define SPOOR_CASE_H

#include <stdint.h>

#include "err.h"
#include "time.h"

/* The schema this build writes; a case with a higher version is refused. */
#define SP_CASE_SCHEMA_VERSION 3
/* PRAGMA application_id of a spoor case ("SPOR"). */
#define SP_CASE_APPLICATION_ID 0x53504f52

struct sp_case;
struct sp_run;

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
 * Begin a run of tool with its argv (copied).  Nothing is written until
 * sp_run_attach.  *run is owned by the caller until sp_run_free.
 */
int sp_run_new(struct sp_run **run, const char *tool, int argc,
    char *const argv[], struct sp_err *err);
/*
 * Record the run in c (a "running" row now, completed by sp_run_end).
 * c is borrowed and must outlive the run's use of it.
 */
int sp_run_attach(struct sp_run *run, struct sp_case *c, struct sp_err *err);
/* The row id of the run in its case, or 0 when not attached. */
int64_t sp_run_id(const struct sp_run *run);
/* The case the run is attached to, or NULL. */
struct sp_case *sp_run_case(const struct sp_run *run);

/*
 * Record an input of the run: path (copied), its size and SHA-256 hex
 * (may be NULL for directories).
 */
int sp_run_add_input(struct sp_run *run, const char *path, uint64_t size,
    const char *sha256, struct sp_err *err);

/*
 * Record a problem met and skipped (corrupt inode, unreadable file): subject
 * names what was affected, code is an SP_E_* code.  Problems are kept in
 * memory (the first 10,000 in full, all counted) and written at sp_run_end.
 * A NULL run only counts nothing; callers need not check.
 */
void sp_run_problem(struct sp_run *run, const char *subject, int code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
uint64_t sp_run_problem_count(const struct sp_run *run);
/* The i-th kept problem's text ("subject: message"), or NULL. */
const char *sp_run_problem_text(const struct sp_run *run, uint64_t i);

/*
 * Finish the run with exit_status (and write it, the end time and the
 * problems to the case when attached).  state is "done", "partial",
 * "failed" or "interrupted".
 */
int sp_run_end(struct sp_run *run, int exit_status, const char *state,
    struct sp_err *err);
/* Free; a run never ended is marked "failed" in its case first. */
void sp_run_free(struct sp_run *run);

/* A source of evidence as stored in the sources table. */
struct sp_source_record {
	const char *kind;	/* "raw", "split", "e01", "dir", ... */
	const char *path;
	uint64_t size;
	const char *md5, *sha1, *sha256;	/* hex or NULL */
	const char *host;	/* label given by the analyst, or NULL */
	const char *details;	/* JSON object text, or NULL */
};

/*
 * Add a source to the case of run (which must be attached); *id receives its
 * row id.  Strings are copied into the database.
 */
int sp_case_source_add(struct sp_run *run, const struct sp_source_record *src,
    int64_t *id, struct sp_err *err);

/*
 * Versions of spoor and every linked library, as one JSON object text
 * ({"spoor":"…","libtsk":"…",…}); static storage.
 */
const char *sp_versions_json(void);
/* Human-readable lines of the same versions; static storage. */
const char *sp_versions_text(void);

#endif
