/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Disk acquisition (see include/spoor/acquire.h) and what disk and memory
 * acquisition share: output checks, the record, the sidecar log and the
 * case rows.
 *
 * The pipeline: a reader thread fills a ring of blocks from the source;
 * three hash threads (MD5, SHA-1, SHA-256, each its own) and a writer
 * consume every block in order, and for E01 compressor threads deflate
 * the chunks of each block before the writer hands them to libewf.  A
 * slot is refilled only when every consumer has released it, so the
 * source is read exactly once and memory stays bounded (NSLOTS blocks).
 * The calling thread only reports progress and watches for signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "acquire/acquire-internal.h"
#include "spoor/case.h"
#include "spoor/evidence.h"
#include "base/util.h"
#include "spoor/log.h"
#include "spoor/signal.h"

#ifndef SPOOR_VERSION
#define SPOOR_VERSION "0.0.0"
#endif

#define NSLOTS 16
#define READ_BLOCK (1u << 20)
#define MAX_SPLIT_SEGMENTS 1000
#define MAX_PIECES (1u << 24)

/* ---- small helpers ---- */

char *
sp_acquire_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

const char *
sp_acquire_format_name(enum sp_acquire_format f)
{
	switch (f) {
	case SP_ACQUIRE_RAW: return "raw";
	case SP_ACQUIRE_SPLIT: return "split";
	case SP_ACQUIRE_E01: return "e01";
	default: return "lime";
	}
}

int
sp_ewf_compression_parse(const char *s, enum sp_ewf_compression *c)
{
	if (strcmp(s, "none") == 0)
		*c = SP_EWF_COMPRESS_NONE;
	else if (strcmp(s, "empty-block") == 0)
		*c = SP_EWF_COMPRESS_EMPTY_BLOCK;
	else if (strcmp(s, "fast") == 0)
		*c = SP_EWF_COMPRESS_FAST;
	else if (strcmp(s, "best") == 0)
		*c = SP_EWF_COMPRESS_BEST;
	else
		return SP_E_USAGE;
	return SP_OK;
}

const char *
sp_ewf_compression_name(enum sp_ewf_compression c)
{
	switch (c) {
	case SP_EWF_COMPRESS_EMPTY_BLOCK: return "empty-block";
	case SP_EWF_COMPRESS_FAST: return "fast";
	case SP_EWF_COMPRESS_BEST: return "best";
	default: return "none";
	}
}

struct sp_acquisition *
sp_acquisition_new(enum sp_acquire_format f)
{
	struct sp_acquisition *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->format = f;
	a->verified = -1;
	a->started = sp_time_now();
	a->ended = SP_TIME_NONE;
	return a;
}

void
sp_acquisition_free(struct sp_acquisition *a)
{
	size_t i;

	if (a == NULL)
		return;
	free(a->source);
	free(a->source_kind);
	free(a->output);
	for (i = 0; i < a->nsegments; i++)
		free(a->segments[i]);
	free(a->segments);
	free(a->log_path);
	free(a->model);
	free(a->serial);
	free(a->compression);
	free(a->bad);
	free(a->pieces);
	free(a->ranges);
	free(a->case_number);
	free(a->evidence_number);
	free(a->examiner);
	free(a->description);
	free(a->notes);
	free(a);
}

int
sp_acquisition_add_segment(struct sp_acquisition *a, const char *path)
{
	char **s = realloc(a->segments, (a->nsegments + 1) * sizeof(*s));

	if (s == NULL)
		return SP_E_NOMEM;
	a->segments = s;
	if ((s[a->nsegments] = strdup(path)) == NULL)
		return SP_E_NOMEM;
	a->nsegments++;
	return SP_OK;
}

/* ---- the record ---- */

static void
kv_hex(struct sp_json *w, const char *key, const char *hex)
{
	sp_json_kv_str(w, key, hex[0] ? hex : NULL);
}

void
sp_acquisition_json(const struct sp_acquisition *a, struct sp_json *w)
{
	size_t i;

	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "record", "acquisition");
	sp_json_kv_str(w, "format", sp_acquire_format_name(a->format));
	sp_json_kv_str(w, "source", a->source);
	sp_json_kv_str(w, "source_kind", a->source_kind);
	sp_json_kv_str(w, "output", a->output);
	sp_json_key(w, "segments");
	sp_json_array_begin(w);
	for (i = 0; i < a->nsegments; i++)
		sp_json_str(w, a->segments[i]);
	sp_json_array_end(w);
	sp_json_kv_str(w, "log", a->log_path);
	sp_json_kv_uint(w, "size", a->size);
	sp_json_kv_uint(w, "acquired", a->acquired);
	sp_json_kv_uint(w, "output_size", a->output_size);
	if (a->format != SP_ACQUIRE_LIME) {
		sp_json_kv_uint(w, "sector_size", a->sector_size);
		sp_json_key(w, "physical_sector_size");
		if (a->physical_sector_size)
			sp_json_uint(w, a->physical_sector_size);
		else
			sp_json_null(w);
		sp_json_kv_str(w, "model", a->model);
		sp_json_kv_str(w, "serial", a->serial);
	}
	if (a->format == SP_ACQUIRE_E01) {
		sp_json_kv_str(w, "compression", a->compression);
		sp_json_kv_uint(w, "sectors_per_chunk", a->sectors_per_chunk);
	}
	if (a->format == SP_ACQUIRE_E01 || a->format == SP_ACQUIRE_SPLIT)
		sp_json_kv_uint(w, "segment_size", a->segment_size);
	kv_hex(w, "md5", a->md5);
	kv_hex(w, "sha1", a->sha1);
	kv_hex(w, "sha256", a->sha256);
	sp_json_key(w, "bad_ranges");
	sp_json_array_begin(w);
	for (i = 0; i < a->nbad; i++) {
		sp_json_object_begin(w);
		sp_json_kv_uint(w, "offset", a->bad[i].offset);
		sp_json_kv_uint(w, "length", a->bad[i].length);
		if (a->format != SP_ACQUIRE_LIME && a->sector_size) {
			sp_json_kv_uint(w, "first_sector",
			    a->bad[i].offset / a->sector_size);
			sp_json_kv_uint(w, "sectors", (a->bad[i].offset +
			    a->bad[i].length - 1) / a->sector_size -
			    a->bad[i].offset / a->sector_size + 1);
		}
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	if (a->hash_window) {
		sp_json_kv_uint(w, "hash_window", a->hash_window);
		sp_json_key(w, "pieces");
		sp_json_array_begin(w);
		for (i = 0; i < a->npieces; i++) {
			sp_json_object_begin(w);
			sp_json_kv_uint(w, "offset", a->pieces[i].offset);
			sp_json_kv_uint(w, "length", a->pieces[i].length);
			kv_hex(w, "md5", a->pieces[i].md5);
			kv_hex(w, "sha1", a->pieces[i].sha1);
			kv_hex(w, "sha256", a->pieces[i].sha256);
			sp_json_object_end(w);
		}
		sp_json_array_end(w);
	}
	if (a->format == SP_ACQUIRE_LIME) {
		sp_json_key(w, "ranges");
		sp_json_array_begin(w);
		for (i = 0; i < a->nranges; i++) {
			const struct sp_acquired_range *r = &a->ranges[i];
			sp_json_object_begin(w);
			sp_json_kv_uint(w, "start", r->start);
			sp_json_kv_uint(w, "end", r->end);
			sp_json_kv_uint(w, "size", r->end - r->start + 1);
			sp_json_kv_uint(w, "offset", r->offset);
			sp_json_kv_uint(w, "unreadable", r->unreadable);
			kv_hex(w, "sha256", r->sha256);
			sp_json_object_end(w);
		}
		sp_json_array_end(w);
	}
	sp_json_key(w, "metadata");
	sp_json_object_begin(w);
	sp_json_kv_str(w, "case_number", a->case_number);
	sp_json_kv_str(w, "evidence_number", a->evidence_number);
	sp_json_kv_str(w, "examiner", a->examiner);
	sp_json_kv_str(w, "description", a->description);
	sp_json_kv_str(w, "notes", a->notes);
	sp_json_object_end(w);
	sp_json_kv_time(w, "started", a->started);
	sp_json_kv_time(w, "ended", a->ended);
	sp_json_kv_bool(w, "complete", a->complete);
	sp_json_key(w, "verified");
	if (a->verified < 0)
		sp_json_null(w);
	else
		sp_json_bool(w, a->verified);
	sp_json_key(w, "versions");
	sp_json_raw(w, sp_versions_json());
	sp_json_object_end(w);
}

static void
text_line(FILE *out, const char *key, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	fprintf(out, "%-22s ", key);
	for (; *value; value++)
		fputc((unsigned char)*value < 0x20 || *value == 0x7f ? '?' :
		    *value, out);
	fputc('\n', out);
}

void
sp_acquisition_text(const struct sp_acquisition *a, FILE *out)
{
	char buf[SP_TIME_ISO_MAX];
	size_t i;

	text_line(out, "format:", sp_acquire_format_name(a->format));
	text_line(out, "source:", a->source);
	text_line(out, "source kind:", a->source_kind);
	text_line(out, "output:", a->output);
	for (i = 1; i < a->nsegments; i++)
		text_line(out, "segment:", a->segments[i]);
	fprintf(out, "%-22s %" PRIu64 "\n", "size:", a->size);
	fprintf(out, "%-22s %" PRIu64 "\n", "acquired:", a->acquired);
	if (a->format != SP_ACQUIRE_LIME) {
		fprintf(out, "%-22s %u\n", "sector size:", a->sector_size);
		if (a->physical_sector_size)
			fprintf(out, "%-22s %u\n", "physical sector size:",
			    a->physical_sector_size);
		text_line(out, "model:", a->model);
		text_line(out, "serial:", a->serial);
	}
	if (a->format == SP_ACQUIRE_E01) {
		text_line(out, "compression:", a->compression);
		fprintf(out, "%-22s %" PRIu32 "\n", "sectors per chunk:",
		    a->sectors_per_chunk);
	}
	text_line(out, "case number:", a->case_number);
	text_line(out, "evidence number:", a->evidence_number);
	text_line(out, "examiner:", a->examiner);
	text_line(out, "description:", a->description);
	text_line(out, "notes:", a->notes);
	text_line(out, "md5:", a->md5);
	text_line(out, "sha1:", a->sha1);
	text_line(out, "sha256:", a->sha256);
	for (i = 0; i < a->nbad; i++) {
		if (a->format == SP_ACQUIRE_LIME)
			fprintf(out, "%-22s 0x%" PRIx64 "-0x%" PRIx64
			    " (%" PRIu64 " bytes)\n", "unreadable:",
			    a->bad[i].offset,
			    a->bad[i].offset + a->bad[i].length - 1,
			    a->bad[i].length);
		else
			fprintf(out, "%-22s bytes %" PRIu64 "-%" PRIu64
			    " (sectors %" PRIu64 "-%" PRIu64 ")\n",
			    "bad sectors:", a->bad[i].offset,
			    a->bad[i].offset + a->bad[i].length - 1,
			    a->bad[i].offset / a->sector_size,
			    (a->bad[i].offset + a->bad[i].length - 1) /
			    a->sector_size);
	}
	for (i = 0; i < a->npieces; i++)
		fprintf(out, "%-22s %" PRIu64 "-%" PRIu64 " md5 %s sha1 %s "
		    "sha256 %s\n", "piece:", a->pieces[i].offset,
		    a->pieces[i].offset + a->pieces[i].length - 1,
		    a->pieces[i].md5, a->pieces[i].sha1, a->pieces[i].sha256);
	for (i = 0; i < a->nranges; i++)
		fprintf(out, "%-22s 0x%" PRIx64 "-0x%" PRIx64 " at offset %"
		    PRIu64 " sha256 %s\n", "range:", a->ranges[i].start,
		    a->ranges[i].end, a->ranges[i].offset,
		    a->ranges[i].sha256);
	text_line(out, "started:", sp_time_format_iso(a->started, 0, buf,
	    sizeof(buf)));
	if (a->ended != SP_TIME_NONE)
		text_line(out, "ended:", sp_time_format_iso(a->ended, 0, buf,
		    sizeof(buf)));
	text_line(out, "complete:", a->complete ? "yes" :
	    "no (INCOMPLETE IMAGE)");
	if (a->verified >= 0)
		text_line(out, "verified:", a->verified ? "yes (hashes match)" :
		    "NO (hashes differ)");
}

static void
fill_record(struct sp_json *w, const void *a)
{
	sp_acquisition_json(a, w);
}

int
sp_acquire_record(struct sp_run *run, struct sp_acquisition *a,
    struct sp_err *err)
{
	struct sp_source_record src;
	FILE *f;
	char *details;
	int rc = SP_OK, fd;

	if (a->log_path != NULL) {
		fd = open(a->log_path, O_WRONLY | O_CREAT | O_TRUNC |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
			rc = sp_err_set(err, SP_E_CREATE, errno, "log '%s'",
			    a->log_path);
			if (fd >= 0)
				close(fd);
		} else {
			fprintf(f, "spoor-acquire %s\n", SPOOR_VERSION);
			sp_acquisition_text(a, f);
			fprintf(f, "versions:\n%s", sp_versions_text());
			if (fclose(f) != 0)
				rc = sp_err_set(err, SP_E_IO, errno,
				    "log '%s'", a->log_path);
		}
	}
	if (run == NULL)
		return rc;
	if (a->source != NULL && sp_run_add_input(run, a->source, a->acquired,
	    a->sha256[0] ? a->sha256 : NULL, NULL) != SP_OK && rc == SP_OK)
		rc = sp_err_set(err, SP_E_NOMEM, 0, "record input");
	if (sp_run_case(run) == NULL || a->output == NULL)
		return rc;
	details = sp_json_to_string(fill_record, a);
	memset(&src, 0, sizeof(src));
	src.kind = sp_acquire_format_name(a->format);
	src.path = a->output;
	src.size = a->acquired;
	src.md5 = a->md5[0] ? a->md5 : NULL;
	src.sha1 = a->sha1[0] ? a->sha1 : NULL;
	src.sha256 = a->sha256[0] ? a->sha256 : NULL;
	src.details = details;
	if (sp_case_source_add(run, &src, NULL, rc == SP_OK ? err : NULL)
	    != SP_OK && rc == SP_OK)
		rc = err != NULL ? err->code : SP_E_CASE;
	free(details);
	return rc;
}

/* ---- output checks ---- */

int
sp_acquire_check_output(const char *path, int force, struct sp_err *err)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return SP_OK;
		return sp_err_set(err, SP_E_CREATE, errno, "'%s'", path);
	}
	if (!force)
		return sp_err_set(err, SP_E_EXISTS, 0, "'%s' exists (use "
		    "--force to replace it)", path);
	if (S_ISDIR(st.st_mode))
		return sp_err_set(err, SP_E_CREATE, 0, "'%s' is a directory",
		    path);
	if (unlink(path) != 0)
		return sp_err_set(err, SP_E_CREATE, errno, "remove '%s'", path);
	return SP_OK;
}

static void
dir_of(const char *path, char *dir, size_t size)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(dir, size, "%s", dirname(tmp));
}

int
sp_acquire_check_space(const char *path, uint64_t need, struct sp_err *err)
{
	struct statvfs vfs;
	char dir[PATH_MAX];
	uint64_t avail;

	dir_of(path, dir, sizeof(dir));
	if (statvfs(dir, &vfs) != 0)
		return sp_err_set(err, sp_errno_code(errno) == SP_E_NOINPUT ?
		    SP_E_CREATE : sp_errno_code(errno), errno, "'%s'", dir);
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (avail < need)
		return sp_err_set(err, SP_E_NOSPACE, 0, "'%s': %" PRIu64
		    " bytes needed, %" PRIu64 " free", dir, need, avail);
	return SP_OK;
}

/* ---- the source ---- */

struct source {
	int fd;
	struct stat st;
	uint64_t size;
	unsigned sector, physical;
};

static char *
read_attr(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[256];
	ssize_t n;
	int fd;
	char *s, *e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (s = buf; *s == ' ' || *s == '\t'; s++)
		;
	for (e = s + strlen(s); e > s && (e[-1] == '\n' || e[-1] == ' ' ||
	    e[-1] == '\t'); e--)
		;
	*e = '\0';
	for (e = s; *e; e++)
		if ((unsigned char)*e < 0x20 || (unsigned char)*e >= 0x7f)
			*e = '?';
	return *s ? strdup(s) : NULL;
}

/* The sysfs directory of the whole disk holding block device dev. */
static int
sysfs_disk(dev_t dev, char *out, size_t size)
{
	char link[64], real[PATH_MAX], attr[PATH_MAX + 16];

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev),
	    minor(dev));
	if (realpath(link, real) == NULL)
		return -1;
	snprintf(attr, sizeof(attr), "%s/partition", real);
	if (access(attr, F_OK) == 0)
		snprintf(out, size, "%s", dirname(real));
	else
		snprintf(out, size, "%s", real);
	return 0;
}

static void
device_identity(dev_t dev, struct sp_acquisition *a)
{
	char dir[PATH_MAX], sub[PATH_MAX + 8];

	if (sysfs_disk(dev, dir, sizeof(dir)) != 0)
		return;
	snprintf(sub, sizeof(sub), "%s/device", dir);
	a->model = read_attr(sub, "model");
	if ((a->serial = read_attr(sub, "serial")) == NULL)
		a->serial = read_attr(dir, "serial");
}

static int
open_source(const char *path, struct source *s, struct sp_acquisition *a,
    struct sp_err *err)
{
	uint64_t bytes;
	int lss = 0;
	unsigned int pbs = 0;

	memset(s, 0, sizeof(*s));
	/*
	 * Not blocking, so that a FIFO is refused instead of waited on; the
	 * type of the opened descriptor decides, then reads block again.
	 */
	if ((s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		/* a socket cannot be opened at all (ENXIO): say what it is */
		if (errno != ENXIO || stat(path, &s->st) != 0)
			return sp_err_set(err, sp_errno_code(errno), errno,
			    "source '%s'", path);
	} else if (fstat(s->fd, &s->st) != 0)
		return sp_err_set(err, SP_E_OS, errno, "source '%s'", path);
	if (S_ISDIR(s->st.st_mode))
		return sp_err_set(err, SP_E_UNSUPPORTED, 0, "source '%s': not "
		    "a block device or a regular file", path);
	if (!S_ISBLK(s->st.st_mode) && !S_ISREG(s->st.st_mode))
		return sp_err_set(err, SP_E_NOINPUT, 0, "source '%s': a %s, "
		    "not a block device or a regular file", path,
		    sp_file_type_name(s->st.st_mode));
	if (fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) & ~O_NONBLOCK) != 0)
		return sp_err_set(err, SP_E_OS, errno, "source '%s'", path);
	if (S_ISBLK(s->st.st_mode)) {
		if (ioctl(s->fd, BLKGETSIZE64, &bytes) != 0)
			return sp_err_set(err, SP_E_IO, errno, "source '%s': "
			    "device size", path);
		s->size = bytes;
		s->sector = ioctl(s->fd, BLKSSZGET, &lss) == 0 && lss >= 512 ?
		    (unsigned)lss : 512;
		if (ioctl(s->fd, BLKPBSZGET, &pbs) == 0)
			s->physical = pbs;
		a->source_kind = strdup("block device");
		device_identity(s->st.st_rdev, a);
	} else if (S_ISREG(s->st.st_mode)) {
		s->size = (uint64_t)s->st.st_size;
		s->sector = 512;
		a->source_kind = strdup("file");
	}
	posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return SP_OK;
}

/*
 * Refuse an output that is the source, or that lies on a file system on
 * the source device (writing there would change the evidence).
 */
static int
check_not_source(const struct source *s, const char *out, struct sp_err *err)
{
	struct stat st;
	char dir[PATH_MAX], a[PATH_MAX], b[PATH_MAX];

	if (stat(out, &st) == 0) {
		if ((st.st_dev == s->st.st_dev && st.st_ino == s->st.st_ino) ||
		    (S_ISBLK(st.st_mode) && S_ISBLK(s->st.st_mode) &&
		    st.st_rdev == s->st.st_rdev))
			return sp_err_set(err, SP_E_USAGE, 0, "output '%s' is "
			    "the source", out);
	}
	if (!S_ISBLK(s->st.st_mode))
		return SP_OK;
	dir_of(out, dir, sizeof(dir));
	if (stat(dir, &st) != 0)
		return SP_OK;
	if (st.st_dev == s->st.st_rdev ||
	    (sysfs_disk(st.st_dev, a, sizeof(a)) == 0 &&
	    sysfs_disk(s->st.st_rdev, b, sizeof(b)) == 0 && strcmp(a, b) == 0))
		return sp_err_set(err, SP_E_USAGE, 0, "output '%s' is on the "
		    "source device", out);
	return SP_OK;
}

/* ---- the pipeline ---- */

enum { ALG_MD5, ALG_SHA1, ALG_SHA256, NALG };

struct slot {
	unsigned char *buf;
	size_t len;
	uint64_t off, seq;
	int filled, packed, pending;
	unsigned char *cbuf;	/* E01: prepared chunks */
	size_t *clen;
	unsigned char *cflag;
};

struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slot[NSLOTS];
	size_t block;
	uint64_t nblocks, produced;
	int eof, abort_all;
	int consumers;
	struct sp_err err;	/* first error of a worker */
	int failed;

	const struct sp_acquire_opts *o;
	struct sp_acquisition *a;
	struct source *src;
	uint64_t bad_cap;
	uint64_t written;	/* bytes handed to the output */
	uint64_t read_bytes;

	/* hashing */
	char hex[NALG][65];
	/* E01 */
	size_t chunk, bound;
	uint64_t next_pack;
	struct sp_ewf_writer *ewf;
	/* raw and split */
	int out_fd;
	uint64_t seg_left;
	uint64_t written_total;	/* bytes written to every segment */
	size_t seg_index;
	char *base;
};

static void
fail(struct pipeline *p, const struct sp_err *e)
{
	pthread_mutex_lock(&p->mu);
	if (!p->failed) {
		p->failed = 1;
		p->err = *e;
	}
	p->abort_all = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Wait for block seq (prepared, when packed); NULL when there is none. */
static struct slot *
wait_block(struct pipeline *p, uint64_t seq, int packed)
{
	struct slot *s = &p->slot[seq % NSLOTS];

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->abort_all || (p->eof && seq >= p->produced)) {
			s = NULL;
			break;
		}
		if (s->filled && s->seq == seq && (!packed || s->packed))
			break;
		pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return s;
}

static void
release_block(struct pipeline *p, struct slot *s)
{
	pthread_mutex_lock(&p->mu);
	if (--s->pending == 0) {
		s->filled = 0;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
}

static void
add_bad(struct pipeline *p, uint64_t off, uint64_t len)
{
	struct sp_acquisition *a = p->a;
	struct sp_byte_range *r;

	if (a->nbad > 0 && a->bad[a->nbad - 1].offset +
	    a->bad[a->nbad - 1].length == off) {
		a->bad[a->nbad - 1].length += len;
		return;
	}
	if (a->nbad == p->bad_cap) {
		uint64_t cap = p->bad_cap ? p->bad_cap * 2 : 16;
		if ((r = realloc(a->bad, cap * sizeof(*r))) == NULL)
			return;	/* the zeros are written all the same */
		a->bad = r;
		p->bad_cap = cap;
	}
	a->bad[a->nbad].offset = off;
	a->bad[a->nbad].length = len;
	a->nbad++;
}

static ssize_t
pread_full(int fd, unsigned char *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n;
}

/*
 * Read len bytes at off into buf.  A failed read is retried; then the
 * sector where it failed is read alone (and retried), and when it still
 * fails it is zero-filled and recorded, and reading goes on after it.
 */
static void
read_block(struct pipeline *p, unsigned char *buf, uint64_t off, size_t len)
{
	const unsigned retries = p->o->retries;
	const unsigned ss = p->src->sector;
	size_t done = 0, slen;
	ssize_t n;
	unsigned r;
	int ok;

	while (done < len) {
		n = pread_full(p->src->fd, buf + done, len - done, off + done);
		for (r = 0; n <= 0 && r < retries; r++)
			n = pread_full(p->src->fd, buf + done, len - done,
			    off + done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		/* the sector at off + done, alone */
		slen = ss - (size_t)((off + done) % ss);
		if (slen > len - done)
			slen = len - done;
		ok = 0;
		for (r = 0; r <= retries && !ok; r++)
			ok = pread_full(p->src->fd, buf + done, slen,
			    off + done) == (ssize_t)slen;
		if (!ok) {
			memset(buf + done, 0, slen);
			add_bad(p, off + done, slen);
		}
		done += slen;
	}
}

static void *
reader_main(void *arg)
{
	struct pipeline *p = arg;
	uint64_t seq, off;
	struct slot *s;
	size_t len;

	for (seq = 0; seq < p->nblocks; seq++) {
		s = &p->slot[seq % NSLOTS];
		pthread_mutex_lock(&p->mu);
		while (s->filled && !p->abort_all)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (p->abort_all || sp_cancel_requested(p->o->cancel))
			break;
		off = seq * p->block;
		len = p->src->size - off < p->block ?
		    (size_t)(p->src->size - off) : p->block;
		read_block(p, s->buf, off, len);
		pthread_mutex_lock(&p->mu);
		s->len = len;
		s->off = off;
		s->seq = seq;
		s->packed = 0;
		s->pending = p->consumers;
		s->filled = 1;
		p->produced = seq + 1;
		p->read_bytes = off + len;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_lock(&p->mu);
	p->eof = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct hasher {
	struct pipeline *p;
	int alg;
};

static int
finish_hex(struct sp_hash *h, enum sp_hash_alg alg, char *out, size_t size)
{
	if (sp_hash_final(h, NULL) != SP_OK || sp_hash_hex(h, alg) == NULL)
		return -1;
	snprintf(out, size, "%s", sp_hash_hex(h, alg));
	return 0;
}

static char *
piece_hex(struct sp_hash_piece *pc, int alg)
{
	return alg == ALG_MD5 ? pc->md5 : alg == ALG_SHA1 ? pc->sha1 :
	    pc->sha256;
}

static void *
hasher_main(void *arg)
{
	struct hasher *hs = arg;
	struct pipeline *p = hs->p;
	const enum sp_hash_alg alg = (enum sp_hash_alg)(1u << hs->alg);
	const uint64_t win = p->a->hash_window;
	struct sp_hash *h = NULL, *wh = NULL;
	struct sp_err e;
	uint64_t seq, pos = 0, n;
	struct slot *s;
	size_t i;

	sp_err_init(&e);
	if (sp_hash_new(&h, alg, &e) != SP_OK) {
		fail(p, &e);
		return NULL;
	}
	for (seq = 0; (s = wait_block(p, seq, 0)) != NULL; seq++) {
		sp_hash_update(h, s->buf, s->len);
		for (i = 0; win && i < s->len; i += (size_t)n) {
			if (wh == NULL && sp_hash_new(&wh, alg, &e) != SP_OK) {
				fail(p, &e);
				break;
			}
			n = win - pos % win;
			if (n > s->len - i)
				n = s->len - i;
			sp_hash_update(wh, s->buf + i, (size_t)n);
			pos += n;
			if (pos % win == 0) {
				finish_hex(wh, alg, piece_hex(&p->a->pieces[
				    (pos - 1) / win], hs->alg), 65);
				sp_hash_free(wh);
				wh = NULL;
			}
		}
		release_block(p, s);
	}
	if (wh != NULL) {
		finish_hex(wh, alg, piece_hex(&p->a->pieces[(pos - 1) / win],
		    hs->alg), 65);
		sp_hash_free(wh);
	}
	if (finish_hex(h, alg, p->hex[hs->alg], sizeof(p->hex[0])) != 0) {
		sp_err_set(&e, SP_E_INTERNAL, 0, "hash");
		fail(p, &e);
	}
	sp_hash_free(h);
	return NULL;
}

static void *
packer_main(void *arg)
{
	struct pipeline *p = arg;
	struct slot *s;
	uint64_t seq;
	size_t i, n, off;
	int compressed;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		seq = p->next_pack++;
		pthread_mutex_unlock(&p->mu);
		if ((s = wait_block(p, seq, 0)) == NULL)
			break;
		n = (s->len + p->chunk - 1) / p->chunk;
		for (i = 0, off = 0; i < n; i++, off += p->chunk) {
			size_t len = s->len - off < p->chunk ? s->len - off :
			    p->chunk;
			s->clen[i] = sp_ewf_compress_chunk(p->o->compression,
			    s->buf + off, len, s->cbuf + i * p->bound,
			    &compressed);
			s->cflag[i] = (unsigned char)compressed;
		}
		pthread_mutex_lock(&p->mu);
		s->packed = 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

/* Write all of buf to fd: 0, or -1 with errno set. */
int
sp_acq_write_all(int fd, const unsigned char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static char *
split_name(const char *base, size_t i)
{
	size_t len = strlen(base) + 8;
	char *s = malloc(len);

	if (s != NULL)
		snprintf(s, len, "%s.%03zu", base, i);
	return s;
}

static int
open_output(const char *path, uint64_t size, struct sp_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);

	if (fd < 0) {
		sp_err_set(err, errno == EEXIST ? SP_E_EXISTS : SP_E_CREATE,
		    errno, "create '%s'", path);
		return -1;
	}
	/*
	 * Reserve the blocks now (the size still grows with the writes): the
	 * space cannot run out midway, and the file system allocates once.
	 * A file system without fallocate is written all the same.
	 */
	if (size > 0 && size <= INT64_MAX &&
	    fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) != 0 &&
	    errno == ENOSPC) {
		sp_err_set(err, SP_E_NOSPACE, errno, "'%s'", path);
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* Give back blocks reserved past what was written (an image cut short). */
static void
release_reserve(int fd)
{
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0 && ftruncate(fd, st.st_size) != 0)
		return;	/* the reservation stays; the data is intact */
}

/* Raw and split output: the block's bytes, cut at segment boundaries. */
static int
write_raw(struct pipeline *p, const unsigned char *buf, size_t len,
    struct sp_err *e)
{
	size_t n;
	char *name;

	if (p->o->format == SP_ACQUIRE_RAW) {
		if (sp_acq_write_all(p->out_fd, buf, len) != 0)
			return sp_err_set(e, SP_E_IO, errno, "write '%s'",
			    p->a->output);
		p->a->output_size += len;
		return SP_OK;
	}
	while (len > 0) {
		if (p->seg_left == 0) {
			if (close(p->out_fd) != 0)
				return sp_err_set(e, SP_E_IO, errno, "close "
				    "'%s'", p->a->segments[p->seg_index]);
			p->out_fd = -1;
			p->seg_index++;
			if ((name = split_name(p->base, p->seg_index)) == NULL)
				return sp_err_set(e, SP_E_NOMEM, 0, "segment");
			p->out_fd = open_output(name, p->src->size -
			    p->written_total < p->o->split_size ?
			    p->src->size - p->written_total :
			    p->o->split_size, e);
			if (p->out_fd < 0 ||
			    sp_acquisition_add_segment(p->a, name) != SP_OK) {
				free(name);
				return e->code ? e->code : sp_err_set(e,
				    SP_E_NOMEM, 0, "segment");
			}
			free(name);
			p->seg_left = p->o->split_size;
		}
		n = len < p->seg_left ? len : (size_t)p->seg_left;
		if (sp_acq_write_all(p->out_fd, buf, n) != 0)
			return sp_err_set(e, SP_E_IO, errno, "write '%s'",
			    p->a->segments[p->seg_index]);
		buf += n;
		len -= n;
		p->seg_left -= n;
		p->written_total += n;
		p->a->output_size += n;
	}
	return SP_OK;
}

static void *
writer_main(void *arg)
{
	struct pipeline *p = arg;
	int e01 = p->o->format == SP_ACQUIRE_E01;
	struct sp_err e;
	struct slot *s;
	uint64_t seq;
	size_t i, n;
	int rc = SP_OK;

	sp_err_init(&e);
	for (seq = 0; (s = wait_block(p, seq, e01)) != NULL; seq++) {
		if (e01) {
			n = (s->len + p->chunk - 1) / p->chunk;
			for (i = 0; i < n && rc == SP_OK; i++) {
				size_t data = s->len - i * p->chunk < p->chunk ?
				    s->len - i * p->chunk : p->chunk;
				rc = sp_ewf_writer_chunk(p->ewf, s->cbuf +
				    i * p->bound, s->clen[i], data,
				    s->cflag[i], &e);
			}
		} else
			rc = write_raw(p, s->buf, s->len, &e);
		if (rc != SP_OK) {
			release_block(p, s);
			fail(p, &e);
			break;
		}
		pthread_mutex_lock(&p->mu);
		p->written = s->off + s->len;
		pthread_mutex_unlock(&p->mu);
		release_block(p, s);
	}
	return NULL;
}

static void
pipeline_free(struct pipeline *p)
{
	int i;

	for (i = 0; i < NSLOTS; i++) {
		free(p->slot[i].buf);
		free(p->slot[i].cbuf);
		free(p->slot[i].clen);
		free(p->slot[i].cflag);
	}
	free(p->base);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

/* Run the threads and wait for them, reporting progress meanwhile. */
static int
pipeline_run(struct pipeline *p, struct sp_err *err)
{
	pthread_t reader, writer, hash[NALG], pack[8];
	struct hasher hs[NALG];
	struct timespec t0, nap = { 0, 100 * 1000 * 1000 };
	int npack = 0, i, done;
	long cpus;
	uint64_t w;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	p->consumers = NALG + 1;
	if (pthread_create(&reader, NULL, reader_main, p) != 0)
		return sp_err_set(err, SP_E_OS, errno, "thread");
	for (i = 0; i < NALG; i++) {
		hs[i].p = p;
		hs[i].alg = i;
		pthread_create(&hash[i], NULL, hasher_main, &hs[i]);
	}
	if (p->o->format == SP_ACQUIRE_E01) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		npack = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
		for (i = 0; i < npack; i++)
			pthread_create(&pack[i], NULL, packer_main, p);
	}
	pthread_create(&writer, NULL, writer_main, p);
	for (done = 0; !done;) {
		nanosleep(&nap, NULL);
		pthread_mutex_lock(&p->mu);
		w = p->written;
		done = p->abort_all || (p->eof && w == p->read_bytes);
		pthread_mutex_unlock(&p->mu);
		if (p->o->progress != NULL)
			p->o->progress(w, p->src->size, sp_time_elapsed(&t0),
			    p->o->progress_arg);
	}
	pthread_join(reader, NULL);
	for (i = 0; i < NALG; i++)
		pthread_join(hash[i], NULL);
	for (i = 0; i < npack; i++)
		pthread_join(pack[i], NULL);
	pthread_join(writer, NULL);
	if (p->failed) {
		*err = p->err;
		return p->err.code;
	}
	return SP_OK;
}

/*
 * Re-read the written image through the evidence layer, the way every
 * spoor command will read it (segments found from the first one, E01
 * chunks decompressed and checked by libewf), and hash what it gives.
 */
static int
verify_output(struct sp_acquisition *a, struct sp_err *err)
{
	struct sp_evidence *ev = NULL;
	struct sp_hash *h = NULL;
	unsigned char *buf = NULL;
	uint64_t total = 0;
	size_t got;
	int rc;

	if ((rc = sp_hash_new(&h, SP_HASH_ALL, err)) != SP_OK)
		return rc;
	if ((buf = malloc(READ_BLOCK)) == NULL)
		rc = sp_err_set(err, SP_E_NOMEM, 0, "verify");
	else if ((rc = sp_evidence_open_media(&ev, a->segments[0], NULL,
	    err)) != SP_OK)
		sp_err_prefix(err, "verify '%s'", a->segments[0]);
	else if (sp_evidence_segment_count(ev) != a->nsegments)
		rc = sp_err_set(err, SP_E_CORRUPT, 0, "verify '%s': %zu "
		    "segments found, %zu written", a->segments[0],
		    sp_evidence_segment_count(ev), a->nsegments);
	while (rc == SP_OK) {
		if ((rc = sp_evidence_read(ev, total, buf, READ_BLOCK, &got,
		    err)) != SP_OK) {
			sp_err_prefix(err, "verify '%s'", a->segments[0]);
			break;
		}
		if (got == 0)
			break;
		sp_hash_update(h, buf, got);
		total += got;
	}
	sp_evidence_close(ev);
	free(buf);
	if (rc == SP_OK && (rc = sp_hash_final(h, err)) == SP_OK) {
		snprintf(a->verify_md5, sizeof(a->verify_md5), "%s",
		    sp_hash_hex(h, SP_HASH_MD5));
		snprintf(a->verify_sha1, sizeof(a->verify_sha1), "%s",
		    sp_hash_hex(h, SP_HASH_SHA1));
		snprintf(a->verify_sha256, sizeof(a->verify_sha256), "%s",
		    sp_hash_hex(h, SP_HASH_SHA256));
		a->verified = total == a->acquired &&
		    strcmp(a->verify_md5, a->md5) == 0 &&
		    strcmp(a->verify_sha1, a->sha1) == 0 &&
		    strcmp(a->verify_sha256, a->sha256) == 0;
	}
	sp_hash_free(h);
	return rc;
}

/* OUTPUT without a trailing .E01 (libewf adds the extension). */
static char *
e01_base(const char *out)
{
	size_t n = strlen(out);
	char *b = strdup(out);

	if (b != NULL && n > 4 && strcasecmp(out + n - 4, ".e01") == 0)
		b[n - 4] = '\0';
	return b;
}

/* libewf's name for segment i (0-based) of an EnCase image. */
static void
e01_ext(size_t i, char ext[4])
{
	if (i < 99)
		snprintf(ext, 4, "E%02zu", i + 1);
	else {
		i -= 99;
		ext[0] = (char)('E' + i / 676);
		ext[1] = (char)('A' + (i / 26) % 26);
		ext[2] = (char)('A' + i % 26);
		ext[3] = '\0';
	}
}

/*
 * Every file the image will be written to: check (and with force remove)
 * each, and check none is the source.
 */
static int
prepare_outputs(const struct sp_acquire_opts *o, struct pipeline *p,
    struct sp_acquisition *a, struct sp_err *err)
{
	char path[PATH_MAX + 16], ext[4];
	size_t i, nseg = 1;
	int rc;

	if (o->format == SP_ACQUIRE_E01) {
		snprintf(path, sizeof(path), "%s.E01", p->base);
		rc = sp_acquisition_add_segment(a, path);
	} else if (o->format == SP_ACQUIRE_SPLIT) {
		nseg = p->src->size == 0 ? 1 :
		    (size_t)((p->src->size - 1) / o->split_size + 1);
		if (p->src->size / o->split_size >= MAX_SPLIT_SEGMENTS)
			return sp_err_set(err, SP_E_USAGE, 0, "--split %"
			    PRIu64 " makes more than %d segments",
			    o->split_size, MAX_SPLIT_SEGMENTS);
		snprintf(path, sizeof(path), "%s.000", p->base);
		rc = sp_acquisition_add_segment(a, path);
	} else
		rc = sp_acquisition_add_segment(a, o->output);
	if (rc != SP_OK || (a->output = strdup(a->segments[0])) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "output");
	snprintf(path, sizeof(path), "%s.log", o->format == SP_ACQUIRE_SPLIT ?
	    p->base : a->output);
	if ((a->log_path = strdup(path)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "output");
	/* first every name against the source, then replace any */
	for (i = 0; i < nseg + 1; i++) {
		if (i == nseg)
			snprintf(path, sizeof(path), "%s", a->log_path);
		else if (o->format == SP_ACQUIRE_SPLIT)
			snprintf(path, sizeof(path), "%s.%03zu", p->base, i);
		else
			snprintf(path, sizeof(path), "%s", a->output);
		if ((rc = check_not_source(p->src, path, err)) != SP_OK)
			return rc;
	}
	if ((rc = check_not_source(p->src, a->output, err)) != SP_OK)
		return rc;
	for (i = 0; i < nseg || o->format != SP_ACQUIRE_RAW; i++) {
		if (o->format == SP_ACQUIRE_SPLIT)
			snprintf(path, sizeof(path), "%s.%03zu", p->base, i);
		else if (o->format == SP_ACQUIRE_E01) {
			e01_ext(i, ext);
			snprintf(path, sizeof(path), "%s.%s", p->base, ext);
		} else
			snprintf(path, sizeof(path), "%s", a->output);
		if (i >= nseg && access(path, F_OK) != 0)
			break;	/* a longer old image: its later segments */
		if (i >= 676 + 99)
			break;
		if ((rc = sp_acquire_check_output(path, o->force, err))
		    != SP_OK)
			return rc;
	}
	return sp_acquire_check_output(a->log_path, o->force, err);
}

static int
alloc_slots(struct pipeline *p, int e01)
{
	size_t nchunks = e01 ? p->block / p->chunk : 0;
	int i;

	for (i = 0; i < NSLOTS; i++) {
		p->slot[i].seq = UINT64_MAX;
		if ((p->slot[i].buf = malloc(p->block)) == NULL)
			return SP_E_NOMEM;
		if (!e01)
			continue;
		if ((p->slot[i].cbuf = malloc(nchunks * p->bound)) == NULL ||
		    (p->slot[i].clen = calloc(nchunks, sizeof(size_t))) ==
		    NULL || (p->slot[i].cflag = calloc(nchunks, 1)) == NULL)
			return SP_E_NOMEM;
	}
	return SP_OK;
}

int
sp_acquire_disk(struct sp_run *run, const struct sp_acquire_opts *o,
    struct sp_acquisition **acq, struct sp_err *err)
{
	struct pipeline p;
	struct source src;
	struct sp_acquisition *a;
	struct sp_ewf_params ep;
	struct sp_err e2;
	uint64_t need, i;
	int rc, e01 = o->format == SP_ACQUIRE_E01, started = 0;
	uint32_t spc = o->sectors_per_chunk ? o->sectors_per_chunk : 64;

	*acq = NULL;
	memset(&p, 0, sizeof(p));
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	p.out_fd = -1;
	src.fd = -1;
	if ((a = sp_acquisition_new(o->format)) == NULL) {
		pipeline_free(&p);
		return sp_err_set(err, SP_E_NOMEM, 0, "acquisition");
	}
	p.o = o;
	p.a = a;
	p.src = &src;
	a->source = strdup(o->source);
	a->case_number = sp_acquire_strdup(o->case_number);
	a->evidence_number = sp_acquire_strdup(o->evidence_number);
	a->examiner = sp_acquire_strdup(o->examiner);
	a->description = sp_acquire_strdup(o->description);
	a->notes = sp_acquire_strdup(o->notes);
	if (a->source == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "acquisition");
		goto out;
	}
	if ((rc = open_source(o->source, &src, a, err)) != SP_OK)
		goto out;
	a->size = src.size;
	a->sector_size = src.sector;
	a->physical_sector_size = src.physical;
	a->hash_window = o->hash_window;
	if (o->hash_window) {
		uint64_t n = src.size == 0 ? 0 :
		    (src.size - 1) / o->hash_window + 1;
		if (n > MAX_PIECES) {
			rc = sp_err_set(err, SP_E_USAGE, 0, "--hash-window %"
			    PRIu64 " makes more than %u pieces",
			    o->hash_window, MAX_PIECES);
			goto out;
		}
		if (n && (a->pieces = calloc(n, sizeof(*a->pieces))) == NULL) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "pieces");
			goto out;
		}
		for (i = 0; i < n; i++) {
			a->pieces[i].offset = i * o->hash_window;
			a->pieces[i].length = src.size - i * o->hash_window <
			    o->hash_window ? src.size - i * o->hash_window :
			    o->hash_window;
		}
	}
	if (e01) {
		if (src.size % src.sector != 0) {
			rc = sp_err_set(err, SP_E_UNSUPPORTED, 0, "source '%s':"
			    " %" PRIu64 " bytes is not a whole number of "
			    "%u-byte sectors, which E01 needs (write raw)",
			    o->source, src.size, src.sector);
			goto out;
		}
		if (spc < 16 || spc > 32768 || (spc & (spc - 1)) != 0) {
			rc = sp_err_set(err, SP_E_USAGE, 0, "sectors per chunk "
			    "%" PRIu32 ": not a power of 2 from 16 to 32768",
			    spc);
			goto out;
		}
		p.chunk = (size_t)spc * src.sector;
		p.bound = sp_ewf_chunk_bound(p.chunk);
		p.block = p.chunk >= READ_BLOCK ? p.chunk :
		    READ_BLOCK / p.chunk * p.chunk;
		a->sectors_per_chunk = spc;
		a->segment_size = o->segment_size;
		a->compression = strdup(sp_ewf_compression_name(
		    o->compression));
		p.base = e01_base(o->output);
	} else {
		p.block = READ_BLOCK;
		p.base = strdup(o->output);
		if (o->format == SP_ACQUIRE_SPLIT)
			a->segment_size = o->split_size;
	}
	if (p.base == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "output");
		goto out;
	}
	if ((rc = prepare_outputs(o, &p, a, err)) != SP_OK)
		goto out;
	need = src.size;
	if (e01 && o->compression != SP_EWF_COMPRESS_NONE)
		need = 0;	/* unknown until compressed */
	if ((rc = sp_acquire_check_space(a->output, need, err)) != SP_OK)
		goto out;
	if (alloc_slots(&p, e01) != SP_OK) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "buffers");
		goto out;
	}
	p.nblocks = src.size == 0 ? 0 : (src.size - 1) / p.block + 1;
	if (e01) {
		memset(&ep, 0, sizeof(ep));
		ep.base = p.base;
		ep.media_size = src.size;
		ep.bytes_per_sector = src.sector;
		ep.sectors_per_chunk = spc;
		ep.segment_size = o->segment_size;
		ep.compression = o->compression;
		ep.physical = 1;
		ep.case_number = o->case_number;
		ep.evidence_number = o->evidence_number;
		ep.examiner = o->examiner;
		ep.description = o->description;
		ep.notes = o->notes;
		ep.model = a->model;
		ep.serial = a->serial;
		if ((rc = sp_ewf_writer_open(&p.ewf, &ep, err)) != SP_OK)
			goto out;
	} else {
		if ((p.out_fd = open_output(a->output,
		    o->format == SP_ACQUIRE_SPLIT && o->split_size < src.size ?
		    o->split_size : src.size, err)) < 0) {
			rc = err->code;
			goto out;
		}
		p.seg_left = o->split_size;
	}
	started = 1;
	rc = pipeline_run(&p, err);
	a->acquired = p.written;
	for (i = 0; i < a->nbad; i++) {
		sp_run_problem(run, o->source, SP_E_IO, "bytes %" PRIu64 "-%"
		    PRIu64 " (sectors %" PRIu64 "-%" PRIu64 ") unreadable, "
		    "written as zeros", a->bad[i].offset, a->bad[i].offset +
		    a->bad[i].length - 1, a->bad[i].offset / src.sector,
		    (a->bad[i].offset + a->bad[i].length - 1) / src.sector);
		if (p.ewf != NULL && rc == SP_OK)
			rc = sp_ewf_writer_error(p.ewf, a->bad[i].offset /
			    src.sector, (a->bad[i].offset % src.sector +
			    a->bad[i].length + src.sector - 1) / src.sector,
			    err);
	}
	if (rc == SP_OK) {
		snprintf(a->md5, sizeof(a->md5), "%s", p.hex[ALG_MD5]);
		snprintf(a->sha1, sizeof(a->sha1), "%s", p.hex[ALG_SHA1]);
		snprintf(a->sha256, sizeof(a->sha256), "%s",
		    p.hex[ALG_SHA256]);
	}
	if (a->hash_window)
		a->npieces = a->acquired == 0 ? 0 :
		    (size_t)((a->acquired - 1) / a->hash_window + 1);
	a->complete = rc == SP_OK && a->acquired == src.size;
	if (rc == SP_OK && !a->complete)
		rc = sp_cancel_requested(o->cancel) ? sp_err_set(err,
		    SP_E_INTERRUPTED, 0, "interrupted after %" PRIu64 " of %" PRIu64 " bytes; "
		    "the image is incomplete", a->acquired, src.size) :
		    sp_err_set(err, SP_E_INTERNAL, 0, "short acquisition");
	if (p.ewf != NULL) {
		sp_err_init(&e2);
		/*
		 * libewf cannot shrink the media once chunks are written (nor
		 * store acquiry errors without every chunk): an interrupted
		 * image is finalized short, with no hash stored, so ewfverify
		 * and ewfinfo ("Is corrupted") see it is incomplete.
		 */
		if (sp_ewf_writer_finish(p.ewf, a->complete ? a->md5 : NULL,
		    a->complete ? a->sha1 : NULL, &e2) != SP_OK) {
			a->complete = 0;
			if (rc == SP_OK) {
				*err = e2;
				rc = e2.code;
			}
		}
		p.ewf = NULL;
		for (i = 0; i < a->nsegments; i++)
			free(a->segments[i]);
		free(a->segments);
		a->segments = NULL;
		a->nsegments = 0;
		if (sp_ewf_segments(p.base, &a->segments, &a->nsegments,
		    NULL) == SP_OK)
			for (a->output_size = 0, i = 0; i < a->nsegments; i++) {
				struct stat st;
				if (stat(a->segments[i], &st) == 0)
					a->output_size += (uint64_t)st.st_size;
			}
	}
	if (!a->complete)
		release_reserve(p.out_fd);
	if (p.out_fd >= 0 && close(p.out_fd) != 0 && rc == SP_OK) {
		rc = sp_err_set(err, SP_E_IO, errno, "close '%s'",
		    a->segments[a->nsegments - 1]);
		a->complete = 0;
	}
	p.out_fd = -1;
	if (rc == SP_OK && o->verify) {
		if ((rc = verify_output(a, err)) == SP_OK && !a->verified)
			rc = sp_err_set(err, SP_E_DATA, 0, "verification "
			    "failed: the image's hashes differ from the "
			    "source's");
	}
	a->ended = sp_time_now();
	sp_err_init(&e2);
	if (sp_acquire_record(run, a, &e2) != SP_OK && rc == SP_OK) {
		*err = e2;
		rc = e2.code;
	}
out:
	if (p.ewf != NULL)
		sp_ewf_writer_free(p.ewf);
	if (p.out_fd >= 0)
		close(p.out_fd);
	if (src.fd >= 0)
		close(src.fd);
	pipeline_free(&p);
	if (started)
		*acq = a;
	else
		sp_acquisition_free(a);
	return rc;
}
