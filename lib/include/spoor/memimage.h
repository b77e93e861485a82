/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory images: a LiME file (ranges of physical memory, each behind a
 * 32-byte header) or a raw dump (one range from address 0).  Opened
 * read-only; reads are pread(2), so one handle may be read from several
 * threads at once.
 */
#ifndef SPOOR_MEMIMAGE_H
#define SPOOR_MEMIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "run.h"

#define SP_LIME_MAGIC 0x4C694D45u
#define SP_LIME_HEADER_SIZE 32

struct sp_memimage;

/* One range of physical memory held in the image. */
struct sp_mem_range {
	uint64_t start;		/* first physical address */
	uint64_t end;		/* last physical address (inclusive) */
	uint64_t offset;	/* file offset of its first byte */
};

/* A LiME header that is wrong but does not stop the image's use. */
struct sp_mem_problem {
	uint64_t offset;	/* file offset of the header */
	char message[192];	/* "LiME header at offset N: ..." */
};

enum sp_memimage_flags {
	SP_MEMIMAGE_RAW = 1 << 0	/* take the file as a raw dump */
};

/*
 * Open path as a LiME image (or, with SP_MEMIMAGE_RAW, as a raw dump).
 * A file that is not LiME gives SP_E_FORMAT; a header with a bad magic or
 * version, or a range running past the end of the file, gives
 * SP_E_CORRUPT with the header's offset.  A header whose end is before
 * its start ends the list of ranges, and ranges that share addresses are
 * all kept: each is a problem, kept with the image (below) and recorded
 * in run when run is not NULL.  *m is owned by the caller until
 * sp_memimage_close; run is only used during the call.
 */
int sp_memimage_open(struct sp_memimage **m, const char *path,
    unsigned flags, struct sp_run *run, struct sp_err *err);
void sp_memimage_close(struct sp_memimage *m);

/* 1 when the file at path starts with a LiME header, 0 otherwise. */
int sp_memimage_is_lime(const char *path);

/* "lime" or "raw". */
const char *sp_memimage_format(const struct sp_memimage *m);
const char *sp_memimage_path(const struct sp_memimage *m);
/* Size of the file in bytes. */
uint64_t sp_memimage_file_size(const struct sp_memimage *m);
size_t sp_memimage_range_count(const struct sp_memimage *m);
/* Owned by m; ranges are in file order. */
const struct sp_mem_range *sp_memimage_range(const struct sp_memimage *m,
    size_t i);

/* Problems of the headers: all of them, and the first ones kept. */
size_t sp_memimage_problem_count(const struct sp_memimage *m);
/* Owned by m; NULL past the kept ones (at most 256). */
const struct sp_mem_problem *sp_memimage_problem(const struct sp_memimage *m,
    size_t i);

/*
 * Read up to len bytes of physical memory from addr, which must lie in a
 * range; the read stops at the end of that range.  *got is the number of
 * bytes read.  An address in no range gives SP_E_NOTFOUND.  Where ranges
 * overlap, the first in file order is read: a range's own bytes are read
 * with sp_memimage_read_range.
 */
int sp_memimage_read(const struct sp_memimage *m, uint64_t addr, void *buf,
    size_t len, size_t *got, struct sp_err *err);

/*
 * Read up to len bytes of range i from off bytes past its start; the
 * read stops at the end of the range.  An offset past its end gives
 * SP_E_NOTFOUND.
 */
int sp_memimage_read_range(const struct sp_memimage *m, size_t i,
    uint64_t off, void *buf, size_t len, size_t *got, struct sp_err *err);

#endif
