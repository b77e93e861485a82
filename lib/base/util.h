/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers every layer of the library shares; not installed.
 */
#ifndef SPOOR_BASE_UTIL_H
#define SPOOR_BASE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * Make room for need elements of elem bytes in *p (capacity *cap, doubled
 * from 64): SP_OK or SP_E_NOMEM, *p and *cap unchanged on failure.
 */
int sp_array_grow(void **p, size_t *cap, size_t need, size_t elem);
/*
 * The same for an array that keeps no capacity, only its count n: room for
 * element n (the capacity is 16 from the first element, then doubles when
 * n reaches it).  Call before adding each element.
 */
int sp_array_grow_count(void **p, size_t n, size_t elem);

/* Map an errno to the error code tools report for it (err.c). */
int sp_errno_code(int e);

/*
 * The type of a file as messages name it ("a FIFO, not a regular file"),
 * from its st_mode: a static string.
 */
static inline const char *
sp_file_type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFBLK: return "block device";
	case S_IFCHR: return "character device";
	case S_IFIFO: return "FIFO";
	case S_IFSOCK: return "socket";
	case S_IFLNK: return "symbolic link";
	default: return "special file";
	}
}

/* The value of a hex digit of either case, or -1. */
static inline int
sp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Little-endian integers from bytes (LiME, ELF cores). */
static inline uint16_t
sp_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
sp_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
sp_le64(const unsigned char *p)
{
	return (uint64_t)sp_le32(p) | (uint64_t)sp_le32(p + 4) << 32;
}

#endif
