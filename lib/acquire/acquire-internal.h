/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Declarations shared by the acquisition modules (acquire.c, acquire-ewf.c,
 * acquire-mem.c); not installed.
 */
#ifndef SPOOR_ACQUIRE_INTERNAL_H
#define SPOOR_ACQUIRE_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "spoor/acquire.h"
#include "spoor/hash.h"

/* ---- E01 output (acquire-ewf.c) ---- */

struct sp_ewf_writer;

/* Settings of a new E01 image. */
struct sp_ewf_params {
	const char *base;	/* path without .E01; libewf adds it */
	uint64_t media_size;
	uint32_t bytes_per_sector;
	uint32_t sectors_per_chunk;
	uint64_t segment_size;	/* 0: libewf's default */
	enum sp_ewf_compression compression;
	int physical;		/* the source is a device */
	const char *case_number, *evidence_number, *examiner;
	const char *description, *notes, *model, *serial;
};

int sp_ewf_writer_open(struct sp_ewf_writer **w,
    const struct sp_ewf_params *p, struct sp_err *err);
/*
 * Write one chunk prepared by sp_ewf_compress_chunk: buf holds len bytes
 * (compressed, or the data followed by its 4-byte Adler-32), data_size the
 * bytes of media it stands for.
 */
int sp_ewf_writer_chunk(struct sp_ewf_writer *w, const unsigned char *buf,
    size_t len, size_t data_size, int compressed, struct sp_err *err);
int sp_ewf_writer_error(struct sp_ewf_writer *w, uint64_t first_sector,
    uint64_t sectors, struct sp_err *err);
/* Store the hashes (hex, may be NULL), finalize and close. */
int sp_ewf_writer_finish(struct sp_ewf_writer *w, const char *md5,
    const char *sha1, struct sp_err *err);
/* Close without finalizing (after an error); accepts NULL. */
void sp_ewf_writer_free(struct sp_ewf_writer *w);

/* Bytes an output buffer for one chunk of chunk_size needs. */
size_t sp_ewf_chunk_bound(size_t chunk_size);
/*
 * Prepare len bytes of media for the E01 as libewf's writer would: out
 * (sp_ewf_chunk_bound bytes) receives the deflated chunk, or the data and
 * its Adler-32 when compressing does not help or is off.  Thread-safe.
 * Returns the length in out; *compressed says which.
 */
size_t sp_ewf_compress_chunk(enum sp_ewf_compression c,
    const unsigned char *data, size_t len, unsigned char *out,
    int *compressed);

/* The segment files of the image at base (base.E01, base.E02...). */
int sp_ewf_segments(const char *base, char ***names, size_t *n,
    struct sp_err *err);
/* ---- shared by disk and memory (acquire.c) ---- */

struct sp_acquisition *sp_acquisition_new(enum sp_acquire_format f);
/* Append path (copied) to the files written. */
int sp_acquisition_add_segment(struct sp_acquisition *a, const char *path);
/* Refuse to replace path unless force; with force, remove it. */
int sp_acquire_check_output(const char *path, int force, struct sp_err *err);
/* Refuse when the file system of path has less than need bytes free. */
int sp_acquire_check_space(const char *path, uint64_t need,
    struct sp_err *err);
/*
 * Write the sidecar log, add the source and image to the run and its case.
 * Returns the first error met; the record stays valid.
 */
int sp_acquire_record(struct sp_run *run, struct sp_acquisition *a,
    struct sp_err *err);
char *sp_acquire_strdup(const char *s);

/* Write all of buf to fd, again after EINTR: 0, or -1 with errno set. */
int sp_acq_write_all(int fd, const unsigned char *buf, size_t len);

#endif
