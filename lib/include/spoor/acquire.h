/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Acquisition: forensic images of a disk (a block device or a file) as raw,
 * split raw or E01, and of the physical memory of the running Linux host as
 * LiME, hashed as they are read.  The source is read once; MD5, SHA-1 and
 * SHA-256 are computed by their own threads while the image is written.
 * Unreadable sectors are zero-filled at their offset and recorded.  Every
 * acquisition ends with a record (struct sp_acquisition): written beside
 * the image as a sidecar log, printed by the tool, and added to the case.
 */
#ifndef SPOOR_ACQUIRE_H
#define SPOOR_ACQUIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cancel.h"
#include "run.h"
#include "err.h"
#include "json.h"
#include "time.h"

enum sp_acquire_format {
	SP_ACQUIRE_RAW,
	SP_ACQUIRE_SPLIT,	/* raw cut into OUTPUT.000, OUTPUT.001, ... */
	SP_ACQUIRE_E01,		/* EnCase 6 through libewf */
	SP_ACQUIRE_LIME		/* physical memory */
};

enum sp_ewf_compression {
	SP_EWF_COMPRESS_NONE,
	SP_EWF_COMPRESS_EMPTY_BLOCK,	/* only chunks of one repeated byte */
	SP_EWF_COMPRESS_FAST,
	SP_EWF_COMPRESS_BEST
};

/*
 * Called about ten times a second from the thread that called
 * sp_acquire_disk or sp_acquire_memory: bytes done out of total, and the
 * seconds elapsed.
 */
typedef void sp_acquire_progress_fn(uint64_t done, uint64_t total,
    double seconds, void *arg);

/* What to acquire and how; caller-owned, every string borrowed. */
struct sp_acquire_opts {
	const char *source;	/* disk: device or file; memory: NULL (auto) */
	const char *output;	/* image path (E01: with or without .E01) */
	enum sp_acquire_format format;
	uint64_t split_size;	/* SPLIT: bytes per segment */
	enum sp_ewf_compression compression;
	uint64_t segment_size;	/* E01: bytes per segment file, 0: 1.4 GiB */
	uint32_t sectors_per_chunk;	/* E01: 0 gives 64 */
	uint64_t hash_window;	/* piecewise hashes every N bytes, 0: none */
	unsigned retries;	/* re-reads of a failed read */
	int verify;		/* re-read the image and compare */
	int force;		/* replace an existing image */
	const char *case_number, *evidence_number, *examiner;
	const char *description, *notes;
	/* memory only */
	const char *iomem;	/* range list instead of /proc/iomem */
	const char *lockdown;	/* instead of /sys/kernel/security/lockdown */
	sp_acquire_progress_fn *progress;
	void *progress_arg;
	const struct sp_cancel *cancel;	/* borrowed; NULL: the process's */
};

/* A run of bytes (bad sectors, unreadable pages), in source offsets. */
struct sp_byte_range {
	uint64_t offset;
	uint64_t length;
};

/* Hashes of one window of the source (--hash-window). */
struct sp_hash_piece {
	uint64_t offset;
	uint64_t length;
	char md5[33], sha1[41], sha256[65];
};

/* One range of physical memory written to a LiME image. */
struct sp_acquired_range {
	uint64_t start, end;	/* physical, end inclusive */
	uint64_t offset;	/* file offset of its first byte */
	uint64_t unreadable;	/* bytes written as zeros */
	char sha256[65];
};

/*
 * The record of one acquisition; every pointer is owned by the record and
 * freed by sp_acquisition_free.
 */
struct sp_acquisition {
	enum sp_acquire_format format;
	char *source;		/* the path read */
	char *source_kind;	/* "block device", "file", "kcore", "mem" */
	char *output;		/* the first file written */
	char **segments;	/* every file written */
	size_t nsegments;
	char *log_path;		/* the sidecar log */
	uint64_t size;		/* bytes of the source (memory: of RAM) */
	uint64_t acquired;	/* bytes read (less when interrupted) */
	uint64_t output_size;	/* bytes written in total */
	unsigned sector_size;
	unsigned physical_sector_size;	/* 0 when unknown */
	char *model, *serial;	/* NULL when the OS does not say */
	char *compression;	/* E01: "none", "empty-block", "fast", "best" */
	uint32_t sectors_per_chunk;
	uint64_t segment_size;
	char md5[33], sha1[41], sha256[65];	/* "" when not computed */
	struct sp_byte_range *bad;	/* unreadable, zero-filled */
	size_t nbad;
	uint64_t hash_window;
	struct sp_hash_piece *pieces;
	size_t npieces;
	struct sp_acquired_range *ranges;	/* memory */
	size_t nranges;
	char *case_number, *evidence_number, *examiner, *description, *notes;
	sp_time_ns started, ended;
	int complete;		/* 0 when interrupted or failed midway */
	int verified;		/* -1 not asked, 0 differs, 1 equal */
	char verify_md5[33], verify_sha1[41], verify_sha256[65];
};

/*
 * Image the disk or file opts->source into opts->output.  run (borrowed,
 * may be NULL) receives each unreadable range as a problem, the source as
 * its input and, when attached to a case, a sources row for the image.
 * *acq receives the record whenever writing began, even on error or
 * interruption (then complete is 0); it is owned by the caller.  Returns
 * SP_OK (check nbad: bad sectors make the run partial), SP_E_INTERRUPTED,
 * or an error: SP_E_NOINPUT, SP_E_PERM (source), SP_E_EXISTS (output
 * without force), SP_E_USAGE (output is the source), SP_E_NOSPACE,
 * SP_E_CREATE, SP_E_IO, SP_E_DATA (verification failed).
 */
int sp_acquire_disk(struct sp_run *run, const struct sp_acquire_opts *opts,
    struct sp_acquisition **acq, struct sp_err *err);

/*
 * Image the physical memory of this host (the System RAM ranges of
 * /proc/iomem or opts->iomem) into the LiME file opts->output, reading
 * opts->source or else the first of /dev/crash, /proc/kcore, /dev/mem
 * that is present and allowed.  As sp_acquire_disk; also SP_E_LOCKDOWN
 * (kernel lockdown or STRICT_DEVMEM forbids the read) and SP_E_NOINPUT
 * (no source).  A page that cannot be read is zero-filled and recorded.
 */
int sp_acquire_memory(struct sp_run *run, const struct sp_acquire_opts *opts,
    struct sp_acquisition **acq, struct sp_err *err);

void sp_acquisition_free(struct sp_acquisition *acq);

/* The record as one JSON object (no newline) on w. */
void sp_acquisition_json(const struct sp_acquisition *acq, struct sp_json *w);
/* The record as "key: value" text lines on out (borrowed). */
void sp_acquisition_text(const struct sp_acquisition *acq, FILE *out);

/* "raw", "split", "e01", "lime". */
const char *sp_acquire_format_name(enum sp_acquire_format f);
/* Parse "none", "empty-block", "fast", "best"; SP_E_USAGE otherwise. */
int sp_ewf_compression_parse(const char *s, enum sp_ewf_compression *c);
const char *sp_ewf_compression_name(enum sp_ewf_compression c);

#endif
