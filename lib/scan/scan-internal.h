/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the parts of the scanner share (not a public interface): the
 * engine (scan.c) and what feeds it (scan-walk.c).
 */
#ifndef SPOOR_SCAN_INTERNAL_H
#define SPOOR_SCAN_INTERNAL_H

#include <pthread.h>
#include <yara.h>

#include "spoor/json.h"
#include "spoor/scan.h"
#include "spoor/store.h"

#define SP_SCAN_NEXTERNALS 5
extern const char *const sp_scan_externals[SP_SCAN_NEXTERNALS];

YR_RULES *sp_rules_yara(const struct sp_rules *r);

struct sp_scan;
struct sp_yhit;

/* A rule's detection in an image carved from a range, at its address. */
struct sp_carved {
	const void *rule;
	uint64_t address;
};

/*
 * A target shared by the blocks queued for it; reference counted.  users
 * counts the walker and the queued blocks: when the last of them lets go,
 * the YARA matches gathered over all its blocks become one detection per
 * rule (refs also counts the list of hit targets).
 */
struct sp_starget {
	int refs;
	int users;
	struct sp_scan *scan;
	struct sp_yhit *yhits;	/* rules matched so far, under scan->lock */
	struct sp_scan_target t;
	char *strs[12];		/* owned copies the target points to */
	size_t nstrs;
	char ext_name[256], ext_extension[64], ext_filetype[16];
	char ext_owner[32];
	int64_t source_id;	/* sources row of its detections */
	int64_t case_source_id;	/* the row whose files it may be in */
	int64_t file_id;	/* 0 unknown yet, -1 none */
	sp_time_ns time;	/* its time on the timeline when it has no
				   file times (a memory image's capture) */
	unsigned char *header;	/* first bytes of a file read in blocks */
	size_t header_len;
	/*
	 * An image carved from a memory range holds its range as a user, so
	 * the range reports after it and leaves out what the image reported
	 * at the same address: carved[0..ncarved) (under scan->lock).
	 */
	struct sp_starget *parent;
	struct sp_carved *carved;
	size_t ncarved, capcarved;
	/*
	 * A file's SHA-256 (hex, "" when not computed) and, once it has a
	 * detection that speaks for its content, the strongest such one:
	 * the files of the same evidence with the same content are flagged
	 * with it (copy-of-detected).
	 */
	char sha256_hex[65];
	int spreads;
	char spread_name[64];
	enum sp_severity spread_sev;
	int spread_score;
	int *scores;		/* sub-scores of its detections */
	size_t nscores;
	int combined;
};

struct worker;
struct job;
struct sp_pkgsums;

struct sp_scan {
	struct sp_scan_options o;
	struct sp_run *run;
	sp_detection_fn *fn;
	void *arg;
	sp_time_ns started;
	int halt;		/* atomic: the callback stopped the scan */
	int cb_rc;		/* its error, set before halt */
	struct sp_scan_stats stats;
	uint64_t stats_partial;

	pthread_mutex_t lock;	/* detections, stats, the case */
	int locks_ready;

	/* the queue of blocks */
	pthread_mutex_t qlock;
	pthread_cond_t qnonempty, qspace;
	struct job *qhead, *qtail;
	size_t qbytes, qmax;
	size_t qcount, qmaxcount;
	int qdone;
	struct worker *workers;
	unsigned nworkers;

	/* targets with detections, for the combined scores */
	struct sp_starget **hits;
	size_t nhits, caphits;

	/* the case */
	struct sp_store *store;	/* NULL without a case */
	int64_t source_id, case_fs_source_id;
	sp_time_ns source_time;	/* a memory image's modification time */
	int64_t mem_pid;	/* the process a memory image holds, or 0 */
	uint64_t db_failed;

	/* the walk (scan-walk.c) */
	struct sp_pkgsums **pkgsums;	/* per file system */
	size_t npkgsums;
	/* the files of the evidence being walked that have a SHA-256 */
	struct sp_starget **copies;
	size_t ncopies, capcopies;
};

struct sp_starget *sp_starget_new(struct sp_scan *s, enum sp_target_kind k);
char *sp_starget_str(struct sp_starget *t, const char *s);
void sp_starget_ref(struct sp_starget *t);
void sp_starget_unref(struct sp_starget *t);
/* Keep t itself (not as a user: it may still report) until released. */
void sp_starget_keep(struct sp_starget *t);
void sp_starget_release(struct sp_starget *t);
/* Wait until every queued block is scanned and its detections reported. */
void sp_scan_drain(struct sp_scan *s);

int sp_scan_enqueue(struct sp_scan *s, struct sp_starget *t,
    unsigned char *buf, size_t len, uint64_t base, uint64_t addr,
    uint64_t total, uint64_t keep_start, uint64_t keep_end, int first);
int sp_scan_emit(struct sp_scan *s, struct sp_starget *st,
    struct sp_detection *d);
int sp_scan_stopped(const struct sp_scan *s);
int sp_scan_check(const struct sp_scan *s);
int sp_scan_result(const struct sp_scan *s, int rc, struct sp_err *err);
int sp_detection_build(struct sp_detection *d,
    const struct sp_scan_target *t, void (*extra)(struct sp_json *, void *),
    void *arg, char **json);
void sp_scan_target_json(struct sp_json *w, const struct sp_scan_target *t);
void sp_scan_target_label(const struct sp_scan_target *t, char *buf,
    size_t size);
/*
 * Use the source of path for the detections that follow; files[0..nfiles)
 * are the files holding its bytes (none for processes).
 */
int sp_scan_use_source(struct sp_scan *s, const char *kind,
    const char *path, uint64_t size, const char *const *files,
    size_t nfiles, struct sp_err *err);

#endif
