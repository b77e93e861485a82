/* SPDX-License-Identifier: Apache-2.0 */
/*
 * E01 through libewf: segment globbing, the header and hash values an
 * acquisition stored (case number, examiner, MD5, ...), the check of the
 * segment set (missing, truncated or out-of-order segment files) and the
 * media as a libtsk image over a libewf handle, so that a chunk whose
 * checksum fails or that cannot be read is recorded as a problem of the
 * run instead of being passed on as good data.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libewf.h>
#include <tsk/libtsk.h>

#include "spoor/evidence.h"
#include "evidence/evidence-internal.h"
#include "base/util.h"

/*
 * Bounds on what an E01 header may claim before anything is read: EnCase
 * and ewfacquire write at most 32768 sectors per chunk (16 MiB of 512-byte
 * sectors); a larger chunk is a hostile header, not evidence.
 */
#define EWF_MAX_SECTOR 65536u
#define EWF_MAX_CHUNK (64u * 1024 * 1024)

static void
ewf_error(struct sp_err *err, int code, libewf_error_t *e, const char *what)
{
	char buf[512] = "";

	if (e != NULL) {
		libewf_error_sprint(e, buf, sizeof(buf));
		libewf_error_free(&e);
	}
	/* libewf's messages span lines; keep the first */
	buf[strcspn(buf, "\n")] = '\0';
	sp_err_set(err, code, 0, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

int
sp_ewf_glob(const char *path, char ***names, int *count, struct sp_err *err)
{
	libewf_error_t *e = NULL;

	if (libewf_glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, names,
	    count, &e) != 1) {
		ewf_error(err, SP_E_NOINPUT, e, "find segments");
		return SP_E_NOINPUT;
	}
	return SP_OK;
}

void
sp_ewf_glob_free(char **names, int count)
{
	if (names != NULL)
		libewf_glob_free(names, count, NULL);
}

/* Copy a header value into *slot (NULL when absent or empty). */
static char *
header(libewf_handle_t *h, const char *id)
{
	uint8_t buf[1024];

	if (libewf_handle_get_utf8_header_value(h, (const uint8_t *)id,
	    strlen(id), buf, sizeof(buf), NULL) != 1 || buf[0] == '\0')
		return NULL;
	buf[sizeof(buf) - 1] = '\0';
	return strdup((char *)buf);
}

static char *
hash(libewf_handle_t *h, const char *id)
{
	uint8_t buf[128];
	size_t i;

	if (libewf_handle_get_utf8_hash_value(h, (const uint8_t *)id,
	    strlen(id), buf, sizeof(buf), NULL) != 1 || buf[0] == '\0')
		return NULL;
	buf[sizeof(buf) - 1] = '\0';
	for (i = 0; buf[i]; i++)
		if (buf[i] >= 'A' && buf[i] <= 'F')
			buf[i] += 'a' - 'A';
	return strdup((char *)buf);
}

static const char *
format_name(uint8_t f)
{
	switch (f) {
	case LIBEWF_FORMAT_ENCASE1: return "EnCase 1";
	case LIBEWF_FORMAT_ENCASE2: return "EnCase 2";
	case LIBEWF_FORMAT_ENCASE3: return "EnCase 3";
	case LIBEWF_FORMAT_ENCASE4: return "EnCase 4";
	case LIBEWF_FORMAT_ENCASE5: return "EnCase 5";
	case LIBEWF_FORMAT_ENCASE6: return "EnCase 6";
	case LIBEWF_FORMAT_ENCASE7: return "EnCase 7";
	case LIBEWF_FORMAT_SMART: return "SMART";
	case LIBEWF_FORMAT_FTK_IMAGER: return "FTK Imager";
	case LIBEWF_FORMAT_LINEN5: return "linen 5";
	case LIBEWF_FORMAT_LINEN6: return "linen 6";
	case LIBEWF_FORMAT_LINEN7: return "linen 7";
	case LIBEWF_FORMAT_EWF: return "EWF";
	case LIBEWF_FORMAT_EWFX: return "EWFX";
	default: return "unknown";
	}
}

/*
 * Fill info from the segments; every string is strdup'd into strings[]
 * (at least 16 slots) so the caller frees them with the evidence.
 */
int
sp_ewf_read_info(char *const *names, int count, struct sp_ewf_info *info,
    char **strings, struct sp_err *err)
{
	libewf_handle_t *h = NULL;
	libewf_error_t *e = NULL;
	size64_t media = 0;
	uint32_t bps = 0, spc = 0, nerr = 0;
	uint8_t fmt = 0, cflags = 0;
	int8_t clevel = 0;
	int n = 0;

	memset(info, 0, sizeof(*info));
	if (libewf_handle_initialize(&h, &e) != 1) {
		ewf_error(err, SP_E_NOMEM, e, "libewf");
		return SP_E_NOMEM;
	}
	if (libewf_handle_open(h, (char *const *)names, count,
	    LIBEWF_OPEN_READ, &e) != 1) {
		ewf_error(err, SP_E_CORRUPT, e, "open E01");
		libewf_handle_free(&h, NULL);
		return SP_E_CORRUPT;
	}
	libewf_handle_get_media_size(h, &media, NULL);
	libewf_handle_get_bytes_per_sector(h, &bps, NULL);
	libewf_handle_get_sectors_per_chunk(h, &spc, NULL);
	if (bps == 0 || bps > EWF_MAX_SECTOR || spc == 0 ||
	    (uint64_t)spc * bps > EWF_MAX_CHUNK) {
		/* libewf would size each chunk buffer from these */
		sp_err_set(err, SP_E_CORRUPT, 0, "E01 header claims %" PRIu32
		    " sectors of %" PRIu32 " bytes per chunk (%" PRIu64
		    " bytes; at most %u accepted): refused", spc, bps,
		    (uint64_t)spc * bps, (unsigned)EWF_MAX_CHUNK);
		libewf_handle_close(h, NULL);
		libewf_handle_free(&h, NULL);
		return SP_E_CORRUPT;
	}
	libewf_handle_get_format(h, &fmt, NULL);
	libewf_handle_get_number_of_acquiry_errors(h, &nerr, NULL);
	libewf_handle_get_compression_values(h, &clevel, &cflags, NULL);
	info->media_size = media;
	info->bytes_per_sector = bps;
	info->sectors_per_chunk = spc;
	info->error_count = nerr;
	info->format = format_name(fmt);
	info->compression = clevel == LIBEWF_COMPRESSION_NONE ? "none" :
	    clevel == LIBEWF_COMPRESSION_FAST ? "fast" :
	    clevel == LIBEWF_COMPRESSION_BEST ? "best" : "unknown";
#define KEEP(field, value) \
	do { strings[n] = (value); info->field = strings[n++]; } while (0)
	KEEP(case_number, header(h, "case_number"));
	KEEP(evidence_number, header(h, "evidence_number"));
	KEEP(examiner, header(h, "examiner_name"));
	KEEP(description, header(h, "description"));
	KEEP(notes, header(h, "notes"));
	KEEP(acquiry_date, header(h, "acquiry_date"));
	KEEP(system_date, header(h, "system_date"));
	KEEP(acquiry_os, header(h, "acquiry_operating_system"));
	KEEP(acquiry_software, header(h, "acquiry_software_version"));
	KEEP(md5, hash(h, "MD5"));
	KEEP(sha1, hash(h, "SHA1"));
#undef KEEP
	libewf_handle_close(h, NULL);
	libewf_handle_free(&h, NULL);
	return SP_OK;
}

/* ---- the segment set ---- */

static uint64_t
le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * Walk the section chain of one EWF1 segment file: every section names
 * the offset of the next one, and the chain ends with "next" (more
 * segments follow) or "done" (the last segment).  Returns 1 when the
 * chain ends in "done", 0 when in "next", -1 when the file ends (or the
 * chain breaks) first; *why says how.
 */
static int
section_chain(int fd, uint64_t size, char *why, size_t whylen)
{
	unsigned char d[76];
	uint64_t off = 13, next;
	char type[17];
	unsigned n;

	for (n = 0; n < 1000000; n++) {
		if (off + sizeof(d) > size ||
		    pread(fd, d, sizeof(d), (off_t)off) != (ssize_t)sizeof(d)) {
			snprintf(why, whylen, "truncated: a section at offset "
			    "%" PRIu64 " is past its end (%" PRIu64 " bytes)",
			    off, size);
			return -1;
		}
		memcpy(type, d, 16);
		type[16] = '\0';
		if (strcmp(type, "done") == 0)
			return 1;
		if (strcmp(type, "next") == 0)
			return 0;
		next = le64(d + 16);
		if (next <= off || next > size) {
			snprintf(why, whylen, "truncated: section '%.16s' at "
			    "offset %" PRIu64 " ends at %" PRIu64 ", past its "
			    "end (%" PRIu64 " bytes)", type, off,
			    next > off ? next : off + le64(d + 24), size);
			return -1;
		}
		off = next;
	}
	snprintf(why, whylen, "section chain does not end");
	return -1;
}

/* The segment file name of number n after name (same stem, .E01 style). */
static int
segment_name(const char *name, unsigned n, char *out, size_t outlen)
{
	const char *dot = strrchr(name, '.');
	size_t stem;

	if (dot == NULL || strlen(dot) != 4 || n < 1 || n > 99)
		return -1;
	stem = (size_t)(dot - name);
	if (stem + 5 > outlen)
		return -1;
	memcpy(out, name, stem + 2);
	snprintf(out + stem + 2, outlen - stem - 2, "%02u", n);
	return 0;
}

int
sp_ewf_check_segments(char *const *names, int count, struct sp_run *run,
    uint64_t *problems)
{
	unsigned char hdr[13];
	char why[256], probe[4096];
	struct stat st;
	uint64_t found = 0;
	unsigned num, k;
	int i, fd, end = 0, bad = 0;

	for (i = 0; i < count; i++) {
		if ((fd = open(names[i], O_RDONLY | O_CLOEXEC)) < 0 ||
		    fstat(fd, &st) != 0) {
			sp_run_problem(run, names[i], sp_errno_code(errno),
			    "segment %d: %s", i + 1, strerror(errno));
			(*problems)++, bad++;
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
		    memcmp(hdr + 1, "VF\x09\x0d\x0a\xff\x00", 7) != 0) {
			/* not EWF1 (Ex01 has its own layout): libewf alone */
			close(fd);
			return bad;
		}
		num = hdr[9] | (unsigned)hdr[10] << 8;
		if (num != (unsigned)i + 1) {
			sp_run_problem(run, names[i], SP_E_CORRUPT,
			    "segment file holds segment %u, expected %d "
			    "(segment %d missing?)", num, i + 1, i + 1);
			(*problems)++, bad++;
		}
		end = section_chain(fd, (uint64_t)st.st_size, why, sizeof(why));
		close(fd);
		if (end < 0) {
			sp_run_problem(run, names[i], SP_E_CORRUPT,
			    "segment %d %s", i + 1, why);
			(*problems)++, bad++;
		} else if (end == 1 && i + 1 < count) {
			sp_run_problem(run, names[i], SP_E_CORRUPT,
			    "segment %d is marked last, but %d more follow",
			    i + 1, count - i - 1);
			(*problems)++, bad++;
		}
	}
	if (end == 0 && count > 0) {
		/* the last segment found says more follow */
		for (k = (unsigned)count + 1; k <= 99 && !found; k++)
			if (segment_name(names[count - 1], k, probe,
			    sizeof(probe)) == 0 && stat(probe, &st) == 0)
				found = k;
		segment_name(names[count - 1], (unsigned)count + 1, probe,
		    sizeof(probe));
		if (found)
			sp_run_problem(run, probe, SP_E_CORRUPT,
			    "segment %d missing (the set resumes at segment "
			    "%" PRIu64 "; segments from %d on are not read)",
			    count + 1, found, count + 1);
		else
			sp_run_problem(run, probe, SP_E_CORRUPT,
			    "segment %d missing (segment %d says more "
			    "follow)", count + 1, count);
		(*problems)++, bad++;
	}
	return bad;
}

/* ---- the media as a libtsk image ---- */

struct ewf_img {
	TSK_IMG_INFO img;	/* first: libtsk sees only this */
	libewf_handle_t *h;
	struct sp_run *run;
	uint64_t *problems;
	char *subject;
	uint32_t bps;
	uint32_t checksum_errors;	/* already recorded */
	TSK_OFF_T failed_at;	/* last read error recorded, -1: none */
	uint64_t bad_start, bad_count;	/* last checksum error recorded */
};

static void
ewf_record_checksum_errors(struct ewf_img *x)
{
	uint32_t n = 0, i;
	uint64_t start, count;

	if (libewf_handle_get_number_of_checksum_errors(x->h, &n, NULL) != 1)
		return;
	for (i = x->checksum_errors; i < n; i++) {
		if (libewf_handle_get_checksum_error(x->h, i, &start, &count,
		    NULL) != 1)
			continue;
		/* libewf counts a chunk again each time it is read */
		if (start == x->bad_start && count == x->bad_count)
			continue;
		x->bad_start = start;
		x->bad_count = count;
		sp_run_problem(x->run, x->subject, SP_E_CORRUPT,
		    "sectors %" PRIu64 "-%" PRIu64 " (bytes %" PRIu64 "-%"
		    PRIu64 "): E01 chunk checksum error, data unreliable",
		    start, start + count - 1, start * x->bps,
		    (start + count) * x->bps - 1);
		(*x->problems)++;
	}
	if (n > x->checksum_errors)
		x->checksum_errors = n;
}

static ssize_t
ewf_img_read(TSK_IMG_INFO *img, TSK_OFF_T off, char *buf, size_t len)
{
	struct ewf_img *x = (struct ewf_img *)img;
	libewf_error_t *e = NULL;
	char msg[512] = "";
	ssize_t n;

	n = libewf_handle_read_random(x->h, buf, len, off, &e);
	ewf_record_checksum_errors(x);
	if (n < 0) {
		if (e != NULL) {
			libewf_error_sprint(e, msg, sizeof(msg));
			libewf_error_free(&e);
		}
		msg[strcspn(msg, "\n")] = '\0';
		/* libtsk retries a failed read: say it once */
		if (off != x->failed_at) {
			x->failed_at = off;
			sp_run_problem(x->run, x->subject, SP_E_IO,
		    "bytes %" PRId64 "-%" PRId64 ": E01 read error: %s",
			    (int64_t)off, (int64_t)(off + (TSK_OFF_T)len - 1),
			    msg);
			(*x->problems)++;
		}
		tsk_error_reset();
		tsk_error_set_errno(TSK_ERR_IMG_READ);
		tsk_error_set_errstr("E01 read at offset %" PRId64 ": %s",
		    (int64_t)off, msg);
		return -1;
	}
	return n;
}

static void
ewf_img_close(TSK_IMG_INFO *img)
{
	struct ewf_img *x = (struct ewf_img *)img;

	if (x->h != NULL) {
		libewf_handle_close(x->h, NULL);
		libewf_handle_free(&x->h, NULL);
	}
	free(x->subject);
	free(x);
}

static void
ewf_img_stat(TSK_IMG_INFO *img, FILE *f)
{
	(void)img;
	fprintf(f, "IMAGE FILE INFORMATION\nType: ewf\n");
}

int
sp_ewf_img_open(char *const *names, int count, const char *subject,
    struct sp_run *run, uint64_t *problems, TSK_IMG_INFO **imgp,
    struct sp_err *err)
{
	struct ewf_img *x;
	libewf_error_t *e = NULL;
	size64_t media = 0;

	*imgp = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->subject = strdup(subject)) == NULL) {
		free(x);
		return sp_err_set(err, SP_E_NOMEM, 0, "E01");
	}
	x->run = run;
	x->problems = problems;
	x->failed_at = -1;
	if (libewf_handle_initialize(&x->h, &e) != 1) {
		ewf_error(err, SP_E_NOMEM, e, "libewf");
		ewf_img_close(&x->img);
		return SP_E_NOMEM;
	}
	if (libewf_handle_open(x->h, (char *const *)names, count,
	    LIBEWF_OPEN_READ, &e) != 1) {
		ewf_error(err, SP_E_CORRUPT, e, "open E01");
		libewf_handle_free(&x->h, NULL);
		ewf_img_close(&x->img);
		return SP_E_CORRUPT;
	}
	if (libewf_handle_segment_files_corrupted(x->h, NULL) == 1) {
		/* said even when the segment check above named nothing */
		sp_run_problem(run, subject, SP_E_CORRUPT,
		    "libewf: the segment files are corrupted");
		(*problems)++;
	}
	libewf_handle_get_media_size(x->h, &media, NULL);
	libewf_handle_get_bytes_per_sector(x->h, &x->bps, NULL);
	if (x->bps == 0)
		x->bps = 512;
	if (tsk_img_open_external(x, (TSK_OFF_T)media, x->bps, ewf_img_read,
	    ewf_img_close, ewf_img_stat) == NULL) {
		tsk_error_reset();
		ewf_img_close(&x->img);
		return sp_err_set(err, SP_E_INTERNAL, 0, "E01 image");
	}
	*imgp = &x->img;
	return SP_OK;
}
