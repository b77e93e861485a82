/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory images: LiME (a list of ranges, each a 32-byte header followed by
 * the bytes of [start, end]) and raw dumps.  The header is little-endian:
 * magic 0x4C694D45, version 1, start, inclusive end, 8 reserved bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spoor/evidence.h"
#include "base/util.h"
#include "spoor/memimage.h"

struct sp_memimage {
	char *path;
	int fd;
	int lime;
	uint64_t file_size;
	struct sp_mem_range *ranges;
	size_t nranges;
};

static int
read_full(int fd, void *buf, size_t len, uint64_t off, size_t *got)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done,
		    (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			*got = done;
			return -1;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	*got = done;
	return 0;
}

int
sp_memimage_is_lime(const char *path)
{
	unsigned char h[4];
	size_t got;
	int fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return 0;
	r = read_full(fd, h, sizeof(h), 0, &got) == 0 && got == 4 &&
	    sp_le32(h) == SP_LIME_MAGIC;
	close(fd);
	return r;
}

static int
add_range(struct sp_memimage *m, uint64_t start, uint64_t end,
    uint64_t offset, size_t *cap, struct sp_err *err)
{
	struct sp_mem_range *r;

	if (m->nranges == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		if ((r = realloc(m->ranges, n * sizeof(*r))) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "memory ranges");
		m->ranges = r;
		*cap = n;
	}
	m->ranges[m->nranges].start = start;
	m->ranges[m->nranges].end = end;
	m->ranges[m->nranges].offset = offset;
	m->nranges++;
	return SP_OK;
}

static int
parse_lime(struct sp_memimage *m, struct sp_err *err)
{
	unsigned char h[SP_LIME_HEADER_SIZE];
	uint64_t off = 0, start, end, len;
	size_t got, cap = 0;
	int rc;

	while (off < m->file_size) {
		if (read_full(m->fd, h, sizeof(h), off, &got) != 0)
			return sp_err_set(err, sp_errno_code(errno), errno,
			    "read at offset %" PRIu64, off);
		if (got < sizeof(h))
			return sp_err_set(err, SP_E_CORRUPT, 0, "truncated "
			    "LiME header at offset %" PRIu64, off);
		if (sp_le32(h) != SP_LIME_MAGIC)
			return sp_err_set(err, off == 0 ? SP_E_FORMAT :
			    SP_E_CORRUPT, 0, "no LiME header at offset %"
			    PRIu64, off);
		if (sp_le32(h + 4) != 1)
			return sp_err_set(err, SP_E_CORRUPT, 0, "LiME header at "
			    "offset %" PRIu64 ": version %" PRIu32
			    " (expected 1)", off, sp_le32(h + 4));
		start = sp_le64(h + 8);
		end = sp_le64(h + 16);
		if (end < start || end - start == UINT64_MAX)
			return sp_err_set(err, SP_E_CORRUPT, 0, "LiME header at "
			    "offset %" PRIu64 ": end 0x%" PRIx64 " before start "
			    "0x%" PRIx64, off, end, start);
		len = end - start + 1;
		off += SP_LIME_HEADER_SIZE;
		if (len > m->file_size - off)
			return sp_err_set(err, SP_E_CORRUPT, 0, "LiME range "
			    "0x%" PRIx64 "-0x%" PRIx64 " at offset %" PRIu64
			    " runs past the end of the file (%" PRIu64
			    " bytes)", start, end, off - SP_LIME_HEADER_SIZE,
			    m->file_size);
		if ((rc = add_range(m, start, end, off, &cap, err)) != SP_OK)
			return rc;
		off += len;
	}
	if (m->nranges == 0)
		return sp_err_set(err, SP_E_FORMAT, 0, "empty file");
	return SP_OK;
}

int
sp_memimage_open(struct sp_memimage **mp, const char *path, unsigned flags,
    struct sp_err *err)
{
	struct sp_memimage *m;
	struct stat st;
	size_t cap = 0;
	int rc;

	*mp = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->path = strdup(path)) == NULL) {
		free(m);
		return sp_err_set(err, SP_E_NOMEM, 0, "open");
	}
	m->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (m->fd < 0) {
		rc = sp_err_set(err, sp_errno_code(errno), errno, "open");
		goto fail;
	}
	if (fstat(m->fd, &st) != 0) {
		rc = sp_err_set(err, SP_E_OS, errno, "fstat");
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = sp_err_set(err, SP_E_NOINPUT, 0, "a %s, not a regular "
		    "file", sp_file_type_name(st.st_mode));
		goto fail;
	}
	m->file_size = (uint64_t)st.st_size;
	if (flags & SP_MEMIMAGE_RAW) {
		if (m->file_size == 0) {
			rc = sp_err_set(err, SP_E_FORMAT, 0, "empty file");
			goto fail;
		}
		rc = add_range(m, 0, m->file_size - 1, 0, &cap, err);
	} else {
		m->lime = 1;
		rc = parse_lime(m, err);
	}
	if (rc != SP_OK)
		goto fail;
	*mp = m;
	return SP_OK;
fail:
	sp_memimage_close(m);
	return rc;
}

void
sp_memimage_close(struct sp_memimage *m)
{
	if (m == NULL)
		return;
	if (m->fd >= 0)
		close(m->fd);
	free(m->ranges);
	free(m->path);
	free(m);
}

const char *
sp_memimage_format(const struct sp_memimage *m)
{
	return m->lime ? "lime" : "raw";
}

const char *
sp_memimage_path(const struct sp_memimage *m)
{
	return m->path;
}

uint64_t
sp_memimage_file_size(const struct sp_memimage *m)
{
	return m->file_size;
}

size_t
sp_memimage_range_count(const struct sp_memimage *m)
{
	return m->nranges;
}

const struct sp_mem_range *
sp_memimage_range(const struct sp_memimage *m, size_t i)
{
	return i < m->nranges ? &m->ranges[i] : NULL;
}

int
sp_memimage_read(const struct sp_memimage *m, uint64_t addr, void *buf,
    size_t len, size_t *got, struct sp_err *err)
{
	const struct sp_mem_range *r;
	uint64_t avail;
	size_t i;

	*got = 0;
	for (i = 0; i < m->nranges; i++) {
		r = &m->ranges[i];
		if (addr < r->start || addr > r->end)
			continue;
		avail = r->end - addr + 1;
		if (len > avail)
			len = (size_t)avail;
		if (read_full(m->fd, buf, len, r->offset + (addr - r->start),
		    got) != 0)
			return sp_err_set(err, sp_errno_code(errno), errno,
			    "read at 0x%" PRIx64, addr);
		if (*got < len)
			return sp_err_set(err, SP_E_IO, 0, "short read at 0x%"
			    PRIx64, addr);
		return SP_OK;
	}
	return sp_err_set(err, SP_E_NOTFOUND, 0, "address 0x%" PRIx64
	    " is in no range", addr);
}
