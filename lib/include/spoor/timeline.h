/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The timeline: evidence walked into the case database's files and events
 * tables (one event per distinct time of an entry, nanoseconds kept), and
 * bodyfiles imported the same way.  See spoor-case(5).
 */
#ifndef SPOOR_TIMELINE_H
#define SPOOR_TIMELINE_H

#include <stdint.h>

#include "run.h"
#include "evidence.h"
#include "progress.h"
#include "cancel.h"

struct sp_timeline_opts {
	const char *host;	/* label for the source, or NULL */
	unsigned hash_mask;	/* SP_HASH_* bits: hash file content */
	int replace;		/* replace a source with the same hashes */
	/*
	 * Compute the evidence's full SHA-256 (a second thread, during the
	 * walk); without it a new source is known by its fingerprint and
	 * the hashes recorded for it, and its sha256 stays NULL.
	 */
	int verify;
	struct sp_progress_sink progress;	/* entries loaded */
	const struct sp_cancel *cancel;	/* borrowed; NULL: the process's */
	/*
	 * Artifact kinds to parse where they are found (bits over
	 * sp_artifact_kind_at's indexes); 0 parses none.
	 */
	uint64_t artifacts;
	/*
	 * The zone of the local times of logs (a tz database name or a
	 * POSIX TZ string), or NULL: each file system's own, read from its
	 * /etc/localtime or /etc/timezone, else UTC.
	 */
	const char *zone;
};

struct sp_timeline_stats {
	int64_t source_id;
	uint64_t files, events;
};

/*
 * Add every entry of every file system of ev to the case the run is
 * attached to, as a new source.  A source whose files have the same
 * SHA-256 is refused (SP_E_EXISTS) unless opts->replace, which deletes it
 * first.  Work is committed in batches, so an interruption (opts->cancel,
 * which also becomes ev's token when set) leaves a consistent case with
 * the source marked "interrupted".
 */
int sp_timeline_add_evidence(struct sp_run *run, struct sp_evidence *ev,
    const struct sp_timeline_opts *opts, struct sp_timeline_stats *stats,
    struct sp_err *err);

/*
 * Import a TSK bodyfile (v3; fractional seconds accepted; names holding
 * '|' kept whole) from path ("-" for stdin) as a new source of kind
 * "bodyfile".  Malformed lines are recorded as problems and skipped.
 */
int sp_timeline_add_bodyfile(struct sp_run *run, const char *path,
    const struct sp_timeline_opts *opts, struct sp_timeline_stats *stats,
    struct sp_err *err);

/*
 * Parse the file at path (on this machine, "-" for stdin) as an artifact
 * of kind (sp_artifact_find) and add its events as a new source of kind
 * "file".  The same bytes already in the case are refused as for evidence.
 */
int sp_timeline_add_artifact_file(struct sp_run *run, const char *kind,
    const char *path, const struct sp_timeline_opts *opts,
    struct sp_timeline_stats *stats, struct sp_err *err);

/*
 * Add the collection of spoor-collect at path (a directory: a tar of one
 * is refused with SP_E_FORMAT, to be extracted first) as a new source of
 * kind "collection", its host the header's unless opts->host: every item
 * checked against the manifest (a missing or changed one is a problem of
 * the run), bodyfile.txt as the file system, the volatile JSON Lines as
 * typed events (the collector's findings also as detections), and the
 * artifacts under files/ parsed as those of a directory evidence whose
 * root is files/.  A collection with the same manifest is refused unless
 * opts->replace.
 */
int sp_timeline_add_collection(struct sp_run *run, const char *path,
    const struct sp_timeline_opts *opts, struct sp_timeline_stats *stats,
    struct sp_err *err);

/*
 * Parse one bodyfile line (without its newline; modified in place) into e,
 * whose strings point into line.  The MD5 field, when not "0", is stored
 * in *md5 (or NULL).  Returns SP_OK or SP_E_DATA with a reason in err.
 */
int sp_bodyfile_parse(char *line, struct sp_entry *e, const char **md5,
    struct sp_err *err);

/*
 * Look for signs that the logs of source_id were tampered with (see
 * spoor-heuristics(7), "Anti-forensics"): zeroed login records, logouts
 * without their login, logins other logs saw and wtmp lacks, shell
 * histories linked to /dev/null or emptied during a session, audit serial
 * gaps and restarts outside a boot, and logs that stop while the file
 * system goes on.  The case is read through the query cursors; each
 * finding is stored through store as a detection of type "heuristic",
 * namespace "antiforensics", with its event.  *found (may be NULL)
 * receives how many.  Runs in the caller's transaction.
 */
struct sp_store;
int sp_antiforensics_run(struct sp_store *store, struct sp_run *run,
    int64_t source_id, uint64_t *found, struct sp_err *err);

/*
 * Judge the persistence entries and process names of source_id (see
 * spoor-heuristics(7), "PERSISTENCE AND PROCESS NAMES"): cron lines,
 * systemd units and timers whose program lives in a temporary or hidden
 * directory or is a file no package of the source's dpkg database lists
 * (read from ev, which may be NULL: then that part is left out), and
 * audit records of a process named like a kernel thread that has an
 * executable.  Events are read through the query cursors; each finding
 * is stored through store as a detection of type "heuristic", namespace
 * "persistence" or "process", with its event.  *found (may be NULL)
 * receives how many.  Runs in the caller's transaction; ev is borrowed.
 */
int sp_persistence_check_run(struct sp_store *store, struct sp_run *run,
    struct sp_evidence *ev, int64_t source_id, uint64_t *found,
    struct sp_err *err);

#endif
