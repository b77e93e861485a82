/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory acquisition: the physical RAM of the running Linux host into a
 * LiME file (see include/spoor/acquire.h).
 *
 * The ranges come from the "System RAM" lines of /proc/iomem.  The bytes
 * come from the first usable of /dev/crash, /proc/kcore and /dev/mem,
 * after kernel lockdown and STRICT_DEVMEM are checked; lib/live/physmem.c
 * reads all of them.  A refusal is reported, never written as a silent
 * partial image.  A page that
 * cannot be read is zero-filled, recorded, and the copy goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acquire/acquire-internal.h"
#include "base/util.h"
#include "spoor/live.h"
#include "spoor/memimage.h"
#include "spoor/signal.h"

#define PAGE 4096u
#define COPY_BLOCK (1u << 20)

/* ---- the copy ---- */

static void
lime_header(unsigned char h[32], uint64_t start, uint64_t end)
{
	int i;

	memset(h, 0, 32);
	for (i = 0; i < 4; i++) {
		h[i] = (unsigned char)(SP_LIME_MAGIC >> (8 * i));
		h[4 + i] = (unsigned char)(1u >> (8 * i));
	}
	for (i = 0; i < 8; i++) {
		h[8 + i] = (unsigned char)(start >> (8 * i));
		h[16 + i] = (unsigned char)(end >> (8 * i));
	}
}

static void
add_unreadable(struct sp_acquisition *a, size_t *cap, uint64_t p,
    uint64_t len)
{
	struct sp_byte_range *t;

	if (a->nbad > 0 && a->bad[a->nbad - 1].offset +
	    a->bad[a->nbad - 1].length == p) {
		a->bad[a->nbad - 1].length += len;
		return;
	}
	if (a->nbad == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((t = realloc(a->bad, *cap * sizeof(*t))) == NULL)
			return;
		a->bad = t;
	}
	a->bad[a->nbad].offset = p;
	a->bad[a->nbad].length = len;
	a->nbad++;
}

/* SHA-256 of the file at path into hex ("" on error); buf: COPY_BLOCK. */
static void
hash_file(const char *path, char hex[65], unsigned char *buf)
{
	struct sp_hash *h = NULL;
	ssize_t n;
	int fd;

	hex[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (sp_hash_new(&h, SP_HASH_SHA256, NULL) == SP_OK) {
		while ((n = read(fd, buf, COPY_BLOCK)) > 0)
			sp_hash_update(h, buf, (size_t)n);
		if (n == 0 && sp_hash_final(h, NULL) == SP_OK)
			snprintf(hex, 65, "%s", sp_hash_hex(h, SP_HASH_SHA256));
	}
	sp_hash_free(h);
	close(fd);
}

int
sp_acquire_memory(struct sp_run *run, const struct sp_acquire_opts *o,
    struct sp_acquisition **acq, struct sp_err *err)
{
	const char *lockdown = o->lockdown;
	struct sp_phys_range *r = NULL;
	struct sp_acquisition *a;
	struct sp_live_physmem *m = NULL;
	struct sp_hash *whole = NULL, *part = NULL;
	struct timespec t0, last;
	unsigned char *buf = NULL, hdr[32];
	size_t nr = 0, len, i, got, badcap = 0;
	uint64_t total = 0, done = 0, p, off = 0;
	int rc, fd = -1, started = 0;
	struct sp_err e2;

	*acq = NULL;
	if ((a = sp_acquisition_new(SP_ACQUIRE_LIME)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "acquisition");
	a->case_number = sp_acquire_strdup(o->case_number);
	a->evidence_number = sp_acquire_strdup(o->evidence_number);
	a->examiner = sp_acquire_strdup(o->examiner);
	a->description = sp_acquire_strdup(o->description);
	a->notes = sp_acquire_strdup(o->notes);
	if ((rc = sp_live_iomem_read(o->iomem, &r, &nr, err)) != SP_OK) {
		sp_err_prefix(err, "memory ranges");
		goto out;
	}
	for (i = 0; i < nr; i++)
		total += r[i].end - r[i].start + 1;
	if (lockdown == NULL)
		lockdown = getenv("SPOOR_LOCKDOWN_FILE");
	if ((rc = sp_live_physmem_open(&m, o->source, lockdown, r, nr, err)) !=
	    SP_OK)
		goto out;
	a->source = strdup(sp_live_physmem_path(m));
	a->source_kind = strdup(sp_live_physmem_kind(m));
	a->size = total;
	if ((a->output = strdup(o->output)) == NULL ||
	    sp_acquisition_add_segment(a, o->output) != SP_OK) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "output");
		goto out;
	}
	len = strlen(o->output) + 5;
	if ((a->log_path = malloc(len)) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "output");
		goto out;
	}
	snprintf(a->log_path, len, "%s.log", o->output);
	if ((rc = sp_acquire_check_output(o->output, o->force, err)) != SP_OK ||
	    (rc = sp_acquire_check_output(a->log_path, o->force, err)) !=
	    SP_OK ||
	    (rc = sp_acquire_check_space(o->output, total + 32 * nr, err)) !=
	    SP_OK)
		goto out;
	if ((a->ranges = calloc(nr, sizeof(*a->ranges))) == NULL ||
	    (buf = malloc(COPY_BLOCK)) == NULL ||
	    sp_hash_new(&whole, SP_HASH_SHA256, err) != SP_OK) {
		rc = err->code ? err->code : sp_err_set(err, SP_E_NOMEM, 0,
		    "buffers");
		goto out;
	}
	if ((fd = open(o->output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0) {
		rc = sp_err_set(err, errno == EEXIST ? SP_E_EXISTS :
		    SP_E_CREATE, errno, "create '%s'", o->output);
		goto out;
	}
	started = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	last = t0;
	for (i = 0; i < nr && rc == SP_OK && !sp_cancel_requested(o->cancel); i++) {
		struct sp_acquired_range *ar = &a->ranges[a->nranges];
		ar->start = r[i].start;
		ar->end = r[i].end;
		ar->offset = off + 32;
		lime_header(hdr, r[i].start, r[i].end);
		if (sp_acq_write_all(fd, hdr, 32) != 0) {
			rc = sp_err_set(err, SP_E_IO, errno, "write '%s'",
			    o->output);
			break;
		}
		a->nranges++;
		sp_hash_update(whole, hdr, 32);
		off += 32;
		if ((rc = sp_hash_new(&part, SP_HASH_SHA256, err)) != SP_OK)
			break;
		for (p = r[i].start; p <= r[i].end; ) {
			size_t want = r[i].end - p + 1 < COPY_BLOCK ?
			    (size_t)(r[i].end - p + 1) : COPY_BLOCK;
			size_t have = 0;
			if (sp_cancel_requested(o->cancel))
				break;
			while (have < want) {
				got = sp_live_physmem_read(m, p + have, buf + have,
				    want - have);
				if (got > 0) {
					have += got;
					continue;
				}
				/* the rest of this page is unreadable */
				got = PAGE - (size_t)((p + have) % PAGE);
				if (got > want - have)
					got = want - have;
				memset(buf + have, 0, got);
				add_unreadable(a, &badcap, p + have, got);
				ar->unreadable += got;
				have += got;
			}
			if (sp_acq_write_all(fd, buf, have) != 0) {
				rc = sp_err_set(err, SP_E_IO, errno, "write "
				    "'%s'", o->output);
				break;
			}
			sp_hash_update(whole, buf, have);
			sp_hash_update(part, buf, have);
			off += have;
			done += have;
			p += have;
			if (o->progress != NULL &&
			    sp_time_elapsed(&last) >= 0.1) {
				clock_gettime(CLOCK_MONOTONIC, &last);
				o->progress(done, total, sp_time_elapsed(&t0),
				    o->progress_arg);
			}
			if (p == 0)
				break;	/* wrapped past the top of memory */
		}
		if (rc == SP_OK && p <= r[i].end && p > r[i].start) {
			/* interrupted: the header ends where the data does */
			ar->end = p - 1;
			lime_header(hdr, ar->start, ar->end);
			if (pwrite(fd, hdr, 32, (off_t)(ar->offset - 32)) != 32)
				rc = sp_err_set(err, SP_E_IO, errno, "write "
				    "'%s'", o->output);
		} else if (rc == SP_OK && p == r[i].start) {
			/* interrupted before its first byte: drop it */
			a->nranges--;
			off -= 32;
			if (ftruncate(fd, (off_t)off) != 0)
				rc = sp_err_set(err, SP_E_IO, errno, "truncate"
				    " '%s'", o->output);
		}
		if (sp_hash_final(part, NULL) == SP_OK)
			snprintf(ar->sha256, sizeof(ar->sha256), "%s",
			    sp_hash_hex(part, SP_HASH_SHA256));
		sp_hash_free(part);
		part = NULL;
	}
	if (fsync(fd) != 0 && errno != EINVAL && rc == SP_OK)
		rc = sp_err_set(err, SP_E_IO, errno, "write '%s'", o->output);
	if (close(fd) != 0 && rc == SP_OK)
		rc = sp_err_set(err, SP_E_IO, errno, "close '%s'", o->output);
	fd = -1;
	a->acquired = done;
	a->output_size = off;
	if (o->progress != NULL)
		o->progress(done, total, sp_time_elapsed(&t0), o->progress_arg);
	if (rc == SP_OK && done == total) {
		if (sp_hash_final(whole, NULL) == SP_OK)
			snprintf(a->sha256, sizeof(a->sha256), "%s",
			    sp_hash_hex(whole, SP_HASH_SHA256));
	} else if (rc == SP_OK) {
		/* a header was cut short after hashing: hash the file */
		hash_file(o->output, a->sha256, buf);
	}
	for (i = 0; i < a->nbad; i++)
		sp_run_problem(run, sp_live_physmem_path(m), SP_E_IO, "physical 0x%" PRIx64
		    "-0x%" PRIx64 " unreadable, written as zeros",
		    a->bad[i].offset, a->bad[i].offset + a->bad[i].length - 1);
	a->complete = rc == SP_OK && done == total;
	if (rc == SP_OK && !a->complete)
		rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "interrupted after "
		    "%" PRIu64 " of %" PRIu64 " bytes; the image is "
		    "incomplete", done, total);
	a->ended = sp_time_now();
	sp_err_init(&e2);
	if (sp_acquire_record(run, a, &e2) != SP_OK && rc == SP_OK) {
		*err = e2;
		rc = e2.code;
	}
out:
	if (fd >= 0)
		close(fd);
	sp_live_physmem_close(m);
	sp_hash_free(whole);
	sp_hash_free(part);
	free(buf);
	free(r);
	if (started)
		*acq = a;
	else
		sp_acquisition_free(a);
	return rc;
}
