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

#define SP_LIME_MAGIC 0x4C694D45u
#define SP_LIME_HEADER_SIZE 32

struct sp_memimage;

/* One range of physical memory held in the image. */
struct sp_mem_range {
	uint64_t start;		/* first physical address */
	uint64_t end;		/* last physical address (inclusive) */
	uint64_t offset;	/* file offset of its first byte */
};

enum sp_memimage_flags {
	SP_MEMIMAGE_RAW = 1 << 0	/* take the file as a raw dump */
};

/*
 * Open path as a LiME image (or, with SP_MEMIMAGE_RAW, as a raw dump).
 * A file that is not LiME gives SP_E_FORMAT; a header with a bad magic,
 * version or an end before its start, or a range running past the end of
 * the file, gives SP_E_CORRUPT with the header's offset.  *m is owned by
 * the caller until sp_memimage_close.
 */
int sp_memimage_open(struct sp_memimage **m, const char *path,
    unsigned flags, struct sp_err *err);
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

/*
 * Read up to len bytes of physical memory from addr, which must lie in a
 * range; the read stops at the end of that range.  *got is the number of
 * bytes read.  An address in no range gives SP_E_NOTFOUND.
 */
int sp_memimage_read(const struct sp_memimage *m, uint64_t addr, void *buf,
    size_t len, size_t *got, struct sp_err *err);

#endif
