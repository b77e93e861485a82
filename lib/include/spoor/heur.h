/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Heuristics: named detectors that judge one file from what a scan
 * already knows about it (path, type, mode, times, the first bytes, the
 * entropy, whether a package owns it) and, for the few files whose meaning
 * is their text (/etc/ld.so.preload, authorized_keys), from its content.
 * Each detector has a stable name, a severity, a 0..100 score in the
 * Loki/THOR style and a MITRE ATT&CK technique; each hit carries a reason
 * with the evidence.  spoor-heuristics(7) documents every detector.
 * The module keeps no state: every call is independent and thread-safe.
 */
#ifndef SPOOR_HEUR_H
#define SPOOR_HEUR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "severity.h"
#include "time.h"

/* What the scanner knows about one file when it asks the detectors. */
struct sp_heur_file {
	/*
	 * Full path in its file system, starting with '/' (for a directory
	 * scan the path made root-relative by the scanner: "/tmp/x" for
	 * ROOT/tmp/x).  Borrowed from the caller for the duration of a call.
	 */
	const char *path;
	const char *name;	/* last component; NULL: taken from path */
	char type;		/* enum sp_entry_type letter: 'r' regular, 'd', 'l', ... */
	uint32_t mode;		/* permission bits incl. S_ISUID/S_ISGID */
	uint32_t uid, gid;
	uint64_t size;
	sp_time_ns atime, mtime, ctime, crtime;	/* SP_TIME_NONE when absent */
	sp_time_ns fn_crtime, fn_mtime;	/* NTFS $FILE_NAME times, SP_TIME_NONE when absent */
	const char *fs_type;	/* "ext4", "ntfs", "dir" (host directory) ... */
	int deleted;
	const unsigned char *head;	/* first bytes of the content (up to 4096), NULL if unread */
	size_t head_len;
	double entropy;		/* Shannon entropy of the whole content in bits/byte, < 0 when not computed */
	int packaged;		/* 1: a package lists this path; 0: no package does; -1: unknown (no package data) */
	int package_verified;	/* 1: content equals the package's md5 */
	/*
	 * Births (crtime, else ctime) at or after this time are among the
	 * newest of the file's file system: its newest 5 percent and at
	 * least an hour after the median.  SP_TIME_NONE when unknown (fewer
	 * than 50 files).
	 */
	sp_time_ns fs_recent;
};

/*
 * Reset f to "nothing known": NULL strings, type '-', every time
 * (fs_recent too) SP_TIME_NONE, entropy -1, packaged -1.  The scanner then fills in what
 * it has.
 */
void sp_heur_file_init(struct sp_heur_file *f);

/* One detection.  Every pointer is valid during the callback only. */
struct sp_heur_hit {
	/*
	 * Stable name: "exec-in-tmp", "elf-in-webroot", "script-in-uploads",
	 * "setuid-unpackaged", "timestomp-ext4", "timestomp-ntfs",
	 * "packed-elf", "kernel-thread-name", "unpackaged-recent-elf",
	 * "ld-preload", "authorized-key-added", and from the scanner
	 * itself "copy-of-detected".
	 */
	const char *detector;
	enum sp_severity severity;
	int score;		/* 0..100 sub-score (Loki/THOR style) */
	const char *technique;	/* MITRE ATT&CK id, e.g. "T1070.006" */
	/*
	 * Human text with the evidence, e.g. "crtime 2026-03-14T10:43:02Z is
	 * after mtime 2025-11-02T09:20:11Z".  Strings from the evidence in it
	 * are escaped (printable ASCII; anything else as \xHH) and it is at
	 * most SP_HEUR_REASON_MAX - 1 bytes.
	 */
	const char *reason;
	uint64_t offset, length;	/* where in the file, when it applies (line of a key), else 0 */
};

#define SP_HEUR_REASON_MAX 512

/*
 * Receives one hit; returns SP_CB_CONTINUE, SP_CB_STOP (no more hits; the
 * check returns SP_OK) or an SP_E_* code, which the check returns (enum
 * sp_cb).
 */
typedef int sp_heur_fn(const struct sp_heur_hit *hit, void *arg);

/*
 * kernel-thread-name for a running process: comm (its name in
 * /proc/PID/comm) or argv0 (its first argument) is a kernel thread's while
 * it runs exe, which a kernel thread never does.  Strings are borrowed;
 * NULL or "" is absent.  Returns SP_OK or the error fn returned.
 */
int sp_heur_check_process(const char *comm, const char *argv0,
    const char *exe, sp_heur_fn *fn, void *arg);

/*
 * Run every metadata/head-based detector on f; call fn(hit, arg) per hit,
 * in the order of the detector table, until fn stops.  f and its strings
 * are borrowed.  Returns SP_OK or the error fn returned.
 */
int sp_heur_check_file(const struct sp_heur_file *f, sp_heur_fn *fn,
    void *arg);

/*
 * True when the detectors need the whole content of f (ld.so.preload,
 * authorized_keys) via sp_heur_check_content.
 */
int sp_heur_wants_content(const struct sp_heur_file *f);

/*
 * The most content sp_heur_check_content looks at; a scanner may pass
 * less (the first bytes) for a larger file.
 */
#define SP_HEUR_CONTENT_MAX (1024 * 1024)

/*
 * Content-based detectors on buf (len bytes of f's content, borrowed);
 * from/to the scanned time window (SP_TIME_NONE when open).  Does nothing
 * unless sp_heur_wants_content(f).  Returns as sp_heur_check_file.
 */
int sp_heur_check_content(const struct sp_heur_file *f, const void *buf,
    size_t len, sp_time_ns from, sp_time_ns to, sp_heur_fn *fn, void *arg);

/*
 * Entropy of a byte histogram in bits per byte (0..8); 0 for total 0.
 * hist counts each byte value; total is the sum of hist.
 */
double sp_heur_entropy(const uint64_t hist[256], uint64_t total);

/*
 * The list of detectors with name, severity, score, technique and a
 * one-line description, for --list-detectors and docs.  The table is
 * static: its pointers live for the whole program.
 */
struct sp_heur_detector {
	const char *name;
	enum sp_severity severity;	/* the usual severity; a hit may differ */
	int score;
	const char *technique;
	const char *description;
};

size_t sp_heur_detector_count(void);
/* Detector i, or NULL when i >= sp_heur_detector_count(). */
const struct sp_heur_detector *sp_heur_detector(size_t i);
/* Detector by name, or NULL. */
const struct sp_heur_detector *sp_heur_detector_find(const char *name);

/*
 * The Loki/THOR combined score: 100*(1-prod(1 - s_i/100/2^i)) over
 * sub-scores sorted descending (i from 0), rounded to the nearest integer.
 * Scores are clamped to 0..100; scores is not modified.  0 for n == 0.
 */
int sp_score_combine(const int *scores, size_t n);

#endif
