/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ELF and PE headers found in memory: whether the bytes at a page
 * boundary head an executable image, and how far the file it was loaded
 * or copied from extends, so the scanner can scan those bytes as that
 * file.  Rules written for files look at offset 0 (uint32(0) ==
 * 0x464c457f) and at the file's size; in a memory range neither holds
 * until the image is cut out.  Every field is checked before it is used
 * and every table must lie inside the bytes given.
 */
#include <stdint.h>
#include <string.h>

#include "scan/memexe.h"

/* ---- reading fields ---- */

static uint64_t
get(const unsigned char *p, size_t width, int big)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < width; i++)
		v |= (uint64_t)p[big ? width - 1 - i : i] << (8 * i);
	return v;
}

/* off + len, or UINT64_MAX when it overflows. */
static uint64_t
end_of(uint64_t off, uint64_t len)
{
	return off > UINT64_MAX - len ? UINT64_MAX : off + len;
}

/* ---- ELF ---- */

static int
elf_machine_known(uint64_t m)
{
	static const uint16_t known[] = {
		2, 3, 8, 10, 15, 18, 20, 21, 22, 40, 42, 43, 50, 62, 183,
		243, 258
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (m == known[i])
			return 1;
	return 0;
}

static uint64_t
elf_extent(const unsigned char *p, size_t n)
{
	int wide, big;
	uint64_t type, phoff, shoff, phnum, shnum, phent, shent, ehsize;
	uint64_t ext, e, off, len, i, shstrndx;
	const unsigned char *h;

	if (n < 52 || memcmp(p, "\177ELF", 4) != 0)
		return 0;
	if ((p[4] != 1 && p[4] != 2) || (p[5] != 1 && p[5] != 2) ||
	    p[6] != 1)
		return 0;
	wide = p[4] == 2;
	big = p[5] == 2;
	if (wide && n < 64)
		return 0;
	type = get(p + 16, 2, big);
	if (type < 1 || type > 4 || !elf_machine_known(get(p + 18, 2, big)) ||
	    get(p + 20, 4, big) != 1)
		return 0;
	if (wide) {
		phoff = get(p + 32, 8, big);
		shoff = get(p + 40, 8, big);
		ehsize = get(p + 52, 2, big);
		phent = get(p + 54, 2, big);
		phnum = get(p + 56, 2, big);
		shent = get(p + 58, 2, big);
		shnum = get(p + 60, 2, big);
		shstrndx = get(p + 62, 2, big);
	} else {
		phoff = get(p + 28, 4, big);
		shoff = get(p + 32, 4, big);
		ehsize = get(p + 40, 2, big);
		phent = get(p + 42, 2, big);
		phnum = get(p + 44, 2, big);
		shent = get(p + 46, 2, big);
		shnum = get(p + 48, 2, big);
		shstrndx = get(p + 50, 2, big);
	}
	if (ehsize != (wide ? 64u : 52u) || phnum + shnum == 0)
		return 0;
	ext = ehsize;
	if (phnum > 0) {
		/* the program headers follow the header, inside what we see */
		if (phent != (wide ? 56u : 32u) || phoff < ehsize ||
		    phoff > n || phnum * phent > n - phoff)
			return 0;
		ext = phoff + phnum * phent;
	} else if (phoff != 0)
		return 0;
	if (shnum > 0) {
		if (shent != (wide ? 64u : 40u) || shoff < ehsize ||
		    shoff > SP_MEMEXE_SIZE_MAX ||
		    shnum * shent > SP_MEMEXE_SIZE_MAX - shoff ||
		    (shstrndx >= shnum && shstrndx != 0xffff))
			return 0;
		if (shoff + shnum * shent > ext)
			ext = shoff + shnum * shent;
	} else if (shoff != 0 || (shent != 0 && shent != (wide ? 64u : 40u)))
		return 0;
	/* the file ranges of the segments */
	for (i = 0; i < phnum; i++) {
		h = p + phoff + i * phent;
		off = get(h + (wide ? 8 : 4), wide ? 8 : 4, big);
		len = get(h + (wide ? 32 : 16), wide ? 8 : 4, big);
		if (len == 0)
			continue;
		if ((e = end_of(off, len)) > ext)
			ext = e;
	}
	/* the data of the sections, when their table is in view */
	if (shnum > 0 && shoff <= n && shnum * shent <= n - shoff) {
		for (i = 0; i < shnum; i++) {
			h = p + shoff + i * shent;
			if (get(h + 4, 4, big) == 8)	/* SHT_NOBITS */
				continue;
			off = get(h + (wide ? 24 : 16), wide ? 8 : 4, big);
			len = get(h + (wide ? 32 : 20), wide ? 8 : 4, big);
			if ((e = end_of(off, len)) > ext)
				ext = e;
		}
	}
	return ext;
}

/* ---- PE ---- */

static int
pe_machine_known(uint64_t m)
{
	static const uint16_t known[] = {
		0x14c, 0x166, 0x1c0, 0x1c2, 0x1c4, 0x200, 0x5064, 0x6232,
		0x8664, 0xaa64
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (m == known[i])
			return 1;
	return 0;
}

static uint64_t
pe_extent(const unsigned char *p, size_t n)
{
	uint64_t lfanew, nsect, optsize, magic, image, headers, sect, ext, e;
	uint64_t raw, rawoff, i;
	const unsigned char *opt, *s;

	if (n < 0x40 || p[0] != 'M' || p[1] != 'Z')
		return 0;
	lfanew = get(p + 0x3c, 4, 0);
	if (lfanew < 0x40 || lfanew > n || n - lfanew < 24 ||
	    memcmp(p + lfanew, "PE\0\0", 4) != 0)
		return 0;
	if (!pe_machine_known(get(p + lfanew + 4, 2, 0)))
		return 0;
	nsect = get(p + lfanew + 6, 2, 0);
	optsize = get(p + lfanew + 20, 2, 0);
	if (nsect < 1 || nsect > 96 || optsize < 64)
		return 0;
	sect = lfanew + 24 + optsize;
	if (sect > n || nsect * 40 > n - sect)
		return 0;
	opt = p + lfanew + 24;
	magic = get(opt, 2, 0);
	if (magic != 0x10b && magic != 0x20b)
		return 0;
	image = get(opt + 56, 4, 0);
	headers = get(opt + 60, 4, 0);
	/* the headers hold the section table; the image holds the headers */
	if (headers < sect + nsect * 40 || headers > image ||
	    image > (UINT64_C(1) << 31))
		return 0;
	ext = headers;
	for (i = 0; i < nsect; i++) {
		s = p + sect + i * 40;
		raw = get(s + 16, 4, 0);
		rawoff = get(s + 20, 4, 0);
		if (raw == 0)
			continue;
		if ((e = end_of(rawoff, raw)) > ext)
			ext = e;
	}
	return ext;
}

enum sp_memexe_format
sp_memexe_parse(const unsigned char *p, size_t n, uint64_t limit,
    uint64_t *size)
{
	enum sp_memexe_format f = SP_MEMEXE_NONE;
	uint64_t ext;

	*size = 0;
	if (p == NULL)
		return f;
	if ((ext = elf_extent(p, n)) != 0)
		f = SP_MEMEXE_ELF;
	else if ((ext = pe_extent(p, n)) != 0)
		f = SP_MEMEXE_PE;
	else
		return f;
	if (ext > SP_MEMEXE_SIZE_MAX)
		ext = SP_MEMEXE_SIZE_MAX;
	if (ext > limit)
		ext = limit;
	if (ext == 0)
		return SP_MEMEXE_NONE;
	*size = ext;
	return f;
}

const char *
sp_memexe_format_name(enum sp_memexe_format f)
{
	return f == SP_MEMEXE_ELF ? "ELF" : f == SP_MEMEXE_PE ? "PE" : "";
}
