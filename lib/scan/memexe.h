/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Executable images in memory (not a public interface): an ELF or PE
 * header at a page boundary of a memory range, checked field by field,
 * and the extent of the file it heads, so the scanner can hand those
 * bytes to the rules as a file.  The parser reads only the bytes it is
 * given; what it finds there is the evidence's, so nothing in it is
 * trusted.
 */
#ifndef SPOOR_SCAN_MEMEXE_H
#define SPOOR_SCAN_MEMEXE_H

#include <stddef.h>
#include <stdint.h>

/* The bytes at a candidate the parser wants to see (headers of both kinds). */
#define SP_MEMEXE_HEADER_MAX (64u * 1024)
/* The largest image carved; a larger extent is cut here. */
#define SP_MEMEXE_SIZE_MAX (64u << 20)

enum sp_memexe_format {
	SP_MEMEXE_NONE,
	SP_MEMEXE_ELF,
	SP_MEMEXE_PE
};

/*
 * Whether the n bytes at p start a plausible ELF or PE image: for ELF a
 * known class, byte order, version, type and machine, a header size and
 * table entry sizes that match the class, and program and section header
 * tables inside SP_MEMEXE_SIZE_MAX; for PE the MZ header, e_lfanew
 * pointing at "PE\0\0" inside p, a known machine, 1 to 96 sections and a
 * sane SizeOfImage and SizeOfHeaders.  *size is then the file's extent:
 * the furthest end of its header tables, of the program headers' file
 * ranges and of the section headers' data found in p (ELF), or of the
 * headers and the sections' raw data (PE); never more than limit nor
 * SP_MEMEXE_SIZE_MAX, never less than the header.  Returns the format,
 * SP_MEMEXE_NONE (and *size 0) when p holds no such image.
 */
enum sp_memexe_format sp_memexe_parse(const unsigned char *p, size_t n,
    uint64_t limit, uint64_t *size);

/* "ELF", "PE" or "" */
const char *sp_memexe_format_name(enum sp_memexe_format f);

#endif
