/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fingerprint of evidence (see include/spoor/evidence.h): what tells
 * "the same source again" without reading all of it.  SHA-256 over the
 * segments' count and sizes, then the first and last MiB of the whole and
 * FP_SAMPLES slices of FP_SLICE bytes spread evenly between them, read
 * from the segment files as stored.  Names are left out: a copy under
 * another name is the same source.  Reading 3 MiB costs milliseconds
 * where a full hash costs seconds a GiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "spoor/evidence.h"
#include "spoor/hash.h"
#include "base/util.h"

#define FP_EDGE (1u << 20)	/* bytes read at each end */
#define FP_SLICE (16u << 10)	/* bytes of each sample between */
#define FP_SAMPLES 64

struct seg {
	int fd;
	uint64_t size;
};

/* Hash len bytes from offset off of the segments as one byte stream. */
static int
hash_range(struct sp_hash *h, const struct seg *segs, size_t n, uint64_t off,
    uint64_t len, unsigned char *buf, const char *const *names,
    struct sp_err *err)
{
	uint64_t base = 0, want, at;
	ssize_t got;
	size_t i;

	for (i = 0; i < n && len > 0; base += segs[i].size, i++) {
		if (off >= base + segs[i].size)
			continue;
		at = off - base;
		while (len > 0 && at < segs[i].size) {
			want = segs[i].size - at;
			if (want > len)
				want = len;
			if (want > FP_EDGE)
				want = FP_EDGE;
			got = pread(segs[i].fd, buf, (size_t)want, (off_t)at);
			if (got < 0)
				return sp_err_set(err, sp_errno_code(errno),
				    errno, "'%s'", names[i]);
			if (got == 0)
				return sp_err_set(err, SP_E_CORRUPT, 0, "'%s': "
				    "shorter than its size", names[i]);
			sp_hash_update(h, buf, (size_t)got);
			at += (uint64_t)got;
			off += (uint64_t)got;
			len -= (uint64_t)got;
		}
	}
	return SP_OK;
}

int
sp_evidence_fingerprint(const struct sp_evidence *ev,
    char hex[SP_FINGERPRINT_HEX_MAX], struct sp_err *err)
{
	size_t n = sp_evidence_segment_count(ev), i;
	const char **names;
	int rc;

	if (n == 0)
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': no segment files "
		    "to fingerprint", sp_evidence_path(ev));
	if ((names = calloc(n, sizeof(*names))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "fingerprint");
	for (i = 0; i < n; i++)
		names[i] = sp_evidence_segment(ev, i);
	rc = sp_files_fingerprint(names, n, hex, err);
	free(names);
	return rc;
}

int
sp_files_fingerprint(const char *const *names, size_t n,
    char hex[SP_FINGERPRINT_HEX_MAX], struct sp_err *err)
{
	size_t i;
	struct seg *segs = NULL;
	struct sp_hash *h = NULL;
	unsigned char *buf = NULL;
	uint64_t total = 0, step, off;
	struct stat st;
	char line[64];
	int rc = SP_OK;

	hex[0] = '\0';
	if (n == 0)
		return sp_err_set(err, SP_E_USAGE, 0, "no files to fingerprint");
	if ((segs = calloc(n, sizeof(*segs))) == NULL ||
	    (buf = malloc(FP_EDGE)) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "fingerprint");
		goto out;
	}
	for (i = 0; i < n; i++)
		segs[i].fd = -1;
	if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK)
		goto out;
	snprintf(line, sizeof(line), "spoor-fingerprint-1 %zu\n", n);
	sp_hash_update(h, line, strlen(line));
	for (i = 0; i < n; i++) {
		if ((segs[i].fd = open(names[i], O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW)) < 0 && errno == ELOOP)
			segs[i].fd = open(names[i], O_RDONLY | O_CLOEXEC);
		if (segs[i].fd < 0 || fstat(segs[i].fd, &st) != 0) {
			rc = sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
			    names[i]);
			goto out;
		}
		segs[i].size = (uint64_t)st.st_size;
		total += segs[i].size;
		snprintf(line, sizeof(line), "%" PRIu64 "\n", segs[i].size);
		sp_hash_update(h, line, strlen(line));
	}
	if (total <= 2 * (uint64_t)FP_EDGE + FP_SAMPLES * (uint64_t)FP_SLICE) {
		rc = hash_range(h, segs, n, 0, total, buf, names, err);
	} else {
		rc = hash_range(h, segs, n, 0, FP_EDGE, buf, names, err);
		step = (total - 2 * (uint64_t)FP_EDGE) / (FP_SAMPLES + 1);
		for (i = 1; i <= FP_SAMPLES && rc == SP_OK; i++) {
			off = FP_EDGE + step * i - FP_SLICE / 2;
			rc = hash_range(h, segs, n, off, FP_SLICE, buf, names,
			    err);
		}
		if (rc == SP_OK)
			rc = hash_range(h, segs, n, total - FP_EDGE, FP_EDGE,
			    buf, names, err);
	}
	if (rc == SP_OK && (rc = sp_hash_final(h, err)) == SP_OK)
		snprintf(hex, SP_FINGERPRINT_HEX_MAX, "%s",
		    sp_hash_hex(h, SP_HASH_SHA256));
out:
	for (i = 0; segs != NULL && i < n; i++)
		if (segs[i].fd >= 0)
			close(segs[i].fd);
	sp_hash_free(h);
	free(segs);
	free(buf);
	return rc;
}
