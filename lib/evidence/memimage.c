/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory images: LiME (a list of ranges, each a 32-byte header followed by
 * the bytes of [start, end]) and raw dumps.  The header is little-endian:
 * magic 0x4C694D45, version 1, start, inclusive end, 8 reserved bytes.
 * A header whose end is before its start ends the list (where its bytes
 * end is unknown) and ranges that share addresses are kept: both are
 * problems of the image, listed with it and recorded in the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spoor/evidence.h"
#include "base/util.h"
#include "spoor/memimage.h"
#include "spoor/run.h"

/* problems kept with the image; more are counted and recorded only */
#define MAX_KEPT_PROBLEMS 256

struct sp_memimage {
	char *path;
	int fd;
	int lime;
	uint64_t file_size;
	struct sp_mem_range *ranges;
	size_t nranges;
	struct sp_mem_problem *problems;
	size_t nproblems;	/* kept */
	size_t problem_count;	/* all */
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

static void
add_problem(struct sp_memimage *m, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Keep a problem; past the limit (or out of memory) it is only counted. */
static void
add_problem(struct sp_memimage *m, uint64_t offset, const char *fmt, ...)
{
	struct sp_mem_problem *p;
	va_list ap;

	m->problem_count++;
	if (m->nproblems >= MAX_KEPT_PROBLEMS ||
	    (p = realloc(m->problems, (m->nproblems + 1) * sizeof(*p))) ==
	    NULL)
		return;
	m->problems = p;
	p += m->nproblems++;
	p->offset = offset;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
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
		if (end < start) {
			/* the next header's place is unknown: stop here */
			add_problem(m, off, "LiME header at offset %" PRIu64
			    ": end 0x%" PRIx64 " before start 0x%" PRIx64
			    "; the rest of the file (%" PRIu64 " bytes) is "
			    "not read", off, end, start, m->file_size - off);
			break;
		}
		if (end - start == UINT64_MAX)
			return sp_err_set(err, SP_E_CORRUPT, 0, "LiME range "
			    "0x%" PRIx64 "-0x%" PRIx64 " at offset %" PRIu64
			    " runs past the end of the file (%" PRIu64
			    " bytes)", start, end, off, m->file_size);
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
	if (m->nranges == 0 && m->problem_count == 0)
		return sp_err_set(err, SP_E_FORMAT, 0, "empty file");
	return SP_OK;
}

static int
cmp_start(const void *a, const void *b)
{
	const struct sp_mem_range *x = *(const struct sp_mem_range *const *)a;
	const struct sp_mem_range *y = *(const struct sp_mem_range *const *)b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * A problem for every range that shares addresses with one before it in
 * address order (the one reaching furthest so far): a physical address
 * then has two contents, and a read by address sees the first only.
 */
static int
find_overlaps(struct sp_memimage *m, struct sp_err *err)
{
	const struct sp_mem_range **r, *far;
	size_t i;

	if (m->nranges < 2)
		return SP_OK;
	if ((r = calloc(m->nranges, sizeof(*r))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "memory ranges");
	for (i = 0; i < m->nranges; i++)
		r[i] = &m->ranges[i];
	qsort(r, m->nranges, sizeof(*r), cmp_start);
	far = r[0];
	for (i = 1; i < m->nranges; i++) {
		if (r[i]->start <= far->end) {
			const struct sp_mem_range *a = r[i], *b = far;

			/* name the later header in the file */
			if (a->offset < b->offset) {
				a = far;
				b = r[i];
			}
			add_problem(m, a->offset - SP_LIME_HEADER_SIZE,
			    "LiME header at offset %" PRIu64 ": range 0x%"
			    PRIx64 "-0x%" PRIx64 " overlaps range 0x%" PRIx64
			    "-0x%" PRIx64 " at offset %" PRIu64,
			    a->offset - SP_LIME_HEADER_SIZE, a->start, a->end,
			    b->start, b->end, b->offset - SP_LIME_HEADER_SIZE);
		}
		if (r[i]->end > far->end)
			far = r[i];
	}
	free(r);
	return SP_OK;
}

int
sp_memimage_open(struct sp_memimage **mp, const char *path, unsigned flags,
    struct sp_run *run, struct sp_err *err)
{
	struct sp_memimage *m;
	struct stat st;
	size_t cap = 0, i;
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
		if ((rc = parse_lime(m, err)) == SP_OK)
			rc = find_overlaps(m, err);
	}
	if (rc != SP_OK)
		goto fail;
	for (i = 0; run != NULL && i < m->nproblems; i++)
		sp_run_problem(run, path, SP_E_CORRUPT, "%s",
		    m->problems[i].message);
	if (run != NULL && m->problem_count > m->nproblems)
		sp_run_problem(run, path, SP_E_CORRUPT, "%zu more problems "
		    "with LiME headers", m->problem_count - m->nproblems);
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
	free(m->problems);
	free(m->path);
	free(m);
}

size_t
sp_memimage_problem_count(const struct sp_memimage *m)
{
	return m->problem_count;
}

const struct sp_mem_problem *
sp_memimage_problem(const struct sp_memimage *m, size_t i)
{
	return i < m->nproblems ? &m->problems[i] : NULL;
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

int
sp_memimage_read_range(const struct sp_memimage *m, size_t i, uint64_t off,
    void *buf, size_t len, size_t *got, struct sp_err *err)
{
	const struct sp_mem_range *r;
	uint64_t avail;

	*got = 0;
	if (i >= m->nranges)
		return sp_err_set(err, SP_E_NOTFOUND, 0, "no range %zu", i);
	r = &m->ranges[i];
	if (off > r->end - r->start)
		return sp_err_set(err, SP_E_NOTFOUND, 0, "offset %" PRIu64
		    " is past range 0x%" PRIx64 "-0x%" PRIx64, off, r->start,
		    r->end);
	avail = r->end - r->start - off + 1;
	if (len > avail)
		len = (size_t)avail;
	if (read_full(m->fd, buf, len, r->offset + off, got) != 0)
		return sp_err_set(err, sp_errno_code(errno), errno,
		    "read at 0x%" PRIx64, r->start + off);
	if (*got < len)
		return sp_err_set(err, SP_E_IO, 0, "short read at 0x%" PRIx64,
		    r->start + off);
	return SP_OK;
}
