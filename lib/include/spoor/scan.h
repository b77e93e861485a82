/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scanner: YARA rules (libyara, one compiled rule set shared by worker
 * threads that each own a scanner), hash sets, package digests and
 * heuristics over the files of images and directories, single files,
 * memory images and live processes.  Each hit is a detection, handed to a
 * callback and, when the run is attached to a case, stored in its
 * detections table and timeline.  See spoor-scan(1).
 */
#ifndef SPOOR_SCAN_H
#define SPOOR_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cancel.h"
#include "run.h"
#include "err.h"
#include "evidence.h"
#include "memimage.h"
#include "severity.h"
#include "time.h"

struct sp_rules;
struct sp_hashset;

/* A compiler for rules; sources are added, then sp_rules_finish. */
int sp_rules_new(struct sp_rules **r, struct sp_err *err);
void sp_rules_free(struct sp_rules *r);
/*
 * Add a rule file, or every .yar/.yara file under a directory (sorted,
 * recursive; a file named index.yar, which only includes the others for
 * the yara command, is left out).  Each file is its own namespace, named
 * by its path relative to the directory given.  A syntax error gives
 * SP_E_DATA with "file:line: message".
 */
int sp_rules_add_path(struct sp_rules *r, const char *path,
    struct sp_err *err);
/* Use rules compiled by yarac (same YARA version) instead of sources. */
int sp_rules_load_compiled(struct sp_rules *r, const char *path,
    struct sp_err *err);
/* Compile; after this the rules can scan. */
int sp_rules_finish(struct sp_rules *r, struct sp_err *err);
size_t sp_rules_count(const struct sp_rules *r);
size_t sp_rules_file_count(const struct sp_rules *r);
/* The i-th rule file's path, size and SHA-256 (provenance). */
const char *sp_rules_file(const struct sp_rules *r, size_t i,
    uint64_t *size, const char **sha256);
/* Compiler warnings seen. */
size_t sp_rules_warning_count(const struct sp_rules *r);
/* The rules shipped with spoor: $SPOOR_RULES, else the installed copy,
 * else rules/ of the source tree the command was built in. */
const char *sp_rules_default_path(void);

enum sp_scan_flags {
	SP_SCAN_NO_YARA = 1 << 0,
	SP_SCAN_NO_HEURISTICS = 1 << 1,
	SP_SCAN_NO_PACKAGES = 1 << 2,	/* ignore dpkg md5sums in images */
	SP_SCAN_NO_DELETED = 1 << 3,	/* allocated files only */
	SP_SCAN_STRINGS = 1 << 4	/* keep matched data in detections */
};

struct sp_scan_options {
	unsigned flags;		/* enum sp_scan_flags */
	unsigned threads;	/* worker threads; 0: the number of cores */
	uint64_t max_size;	/* skip larger files; 0: no limit */
	uint64_t block_size;	/* larger content is scanned in blocks */
	uint64_t overlap;	/* bytes shared by consecutive blocks */
	uint64_t process_max;	/* bytes read per process at most */
	int timeout;		/* seconds per scan of one block; 0: none */
	const char *const *excludes;	/* fnmatch(3) globs on the path */
	size_t nexcludes;
	sp_time_ns newer, older;	/* window on mtime/ctime/crtime */
	struct sp_rules *rules;		/* NULL with SP_SCAN_NO_YARA */
	struct sp_hashset *hashes;	/* known-good/known-bad, or NULL */
	const struct sp_cancel *cancel;	/* borrowed; NULL: the process's */
};

/* Fill o with the defaults. */
void sp_scan_options_init(struct sp_scan_options *o);

enum sp_target_kind {
	SP_TARGET_FILE,
	SP_TARGET_MEMORY,
	SP_TARGET_PROCESS,
	/*
	 * An ELF or PE image found at a page boundary of a memory range or
	 * process region and scanned as the file it heads; range_* or
	 * region_* (with pid, exe, cmdline) say where it was found.
	 */
	SP_TARGET_MEMORY_IMAGE
};

/* What a detection hit.  Strings are valid during the callback only. */
struct sp_scan_target {
	enum sp_target_kind kind;
	const char *source;	/* evidence path, memory image, "/proc" */
	const char *source_kind;	/* raw, e01, dir, file, lime, process */
	/* files */
	int fs_index;		/* -1 for a single file */
	const char *fs_type;
	uint64_t inode;
	const char *path;
	int deleted;
	uint64_t size;
	uint32_t mode, uid, gid;
	sp_time_ns mtime, ctime, crtime;
	const char *md5, *sha1, *sha256;	/* when computed, else NULL */
	/* memory images: the range holding the hit */
	uint64_t range_start, range_end;
	/* processes */
	pid_t pid;
	const char *exe, *cmdline;
	uint64_t region_start, region_end;
	const char *perms, *region_path;
	/* executable images in memory: "ELF" or "PE", where and how long */
	const char *image_format;
	uint64_t image_address, image_size;
	/* what holds the image: SP_TARGET_MEMORY or SP_TARGET_PROCESS */
	enum sp_target_kind container;
	/* files of EVIDENCE@container=ID: whose they are, else NULL */
	const char *ctr_engine, *ctr_id, *ctr_name;
};

struct sp_detection {
	const char *type;	/* "yara", "hash", "package", "heuristic" */
	const char *name;	/* rule, detector or hash set */
	const char *ns;		/* rule namespace, or NULL */
	enum sp_severity severity;
	int score;		/* 0-100 sub-score */
	const char *technique;	/* ATT&CK id or NULL */
	const char *reason;	/* human text */
	uint64_t address;	/* first match: file offset, physical or
				   virtual address */
	const struct sp_scan_target *target;
	const char *json;	/* the whole record as one JSON object */
};

/*
 * Called for each detection, one at a time (under the scanner's lock, from
 * the calling thread or a worker).  Returns SP_CB_CONTINUE, SP_CB_STOP or
 * an SP_E_* code (enum sp_cb): a stop or an error ends the scan; the
 * walker and the workers stop at their next record, later detections are
 * dropped, and every scan call then returns SP_OK after a stop, the code
 * after an error (the callback may leave the detail in a struct sp_err it
 * shares with the caller).
 */
typedef int sp_detection_fn(const struct sp_detection *d, void *arg);

/* What was scanned and what was not, and why. */
struct sp_scan_stats {
	uint64_t files_seen, files_scanned, bytes_scanned;
	uint64_t known_good, package_verified;
	uint64_t too_big, excluded, out_of_window, not_regular;
	uint64_t unreadable, unrecoverable;
	uint64_t memory_ranges, processes, regions, regions_skipped;
	uint64_t process_capped, unreadable_pages;
	uint64_t detections;
	/* detections a case already held, reported but not stored again */
	uint64_t already_known;
	uint64_t targets_hit;
	/* targets that are no file, directory or block device (a problem) */
	uint64_t targets_skipped;
	/* processes without memory: kernel threads and zombies (no problem) */
	uint64_t processes_no_memory;
	/* ELF and PE images found in memory and scanned as files */
	uint64_t memory_images;
};

struct sp_scan;

/*
 * A scan with the options o (copied; the rules and hash sets it points to
 * are borrowed) recording problems in run.  When run is attached to a case
 * every detection is stored there too.  Worker threads start here.
 */
int sp_scan_new(struct sp_scan **s, const struct sp_scan_options *o,
    struct sp_run *run, sp_detection_fn *fn, void *arg, struct sp_err *err);
/* Every file of an image or directory, in every file system. */
int sp_scan_evidence(struct sp_scan *s, struct sp_evidence *ev,
    struct sp_err *err);
/* One file on the host, as it is. */
int sp_scan_file(struct sp_scan *s, const char *path, struct sp_err *err);
/*
 * Every range of a memory image, and each ELF or PE image found at a page
 * boundary of a range, scanned as the file it heads (the same holds for
 * the regions of processes below).
 */
int sp_scan_memimage(struct sp_scan *s, struct sp_memimage *m,
    struct sp_err *err);
/* The readable memory of a live process; pid 0: every process but us. */
int sp_scan_process(struct sp_scan *s, pid_t pid, struct sp_err *err);
enum sp_scan_as {
	SP_SCAN_AS_ANY,		/* LiME, image, directory, else a file */
	SP_SCAN_AS_FILE,	/* a regular file as it is */
	SP_SCAN_AS_MEMORY	/* a regular file as a memory image */
};
/*
 * Scan what path is: a LiME file as memory; a disk image (raw, split,
 * E01) or block device through its file systems; a directory as a root;
 * any other regular file as a file.  An E01 that cannot be opened is an
 * error, never scanned as a plain file.
 */
int sp_scan_path(struct sp_scan *s, const char *path, unsigned how,
    struct sp_err *err);
/*
 * Wait for the workers, then give each hit target's combined score
 * (Loki/THOR formula) through the combined callback when not NULL, which
 * returns as sp_detection_fn.  Returns SP_OK, the score callback's error,
 * or the detection callback's when it failed (a worker's failure may
 * only be known here).
 */
typedef int sp_target_score_fn(const char *target, int score,
    unsigned detections, const char *json, void *arg);
int sp_scan_finish(struct sp_scan *s, sp_target_score_fn *fn, void *arg,
    struct sp_err *err);
const struct sp_scan_stats *sp_scan_stats(const struct sp_scan *s);
void sp_scan_free(struct sp_scan *s);

/* "12 files scanned (3.4 MB), 2 known-good skipped, ..." into buf. */
void sp_scan_summary(const struct sp_scan *s, char *buf, size_t size);


#endif
