/* SPDX-License-Identifier: Apache-2.0 */
/*
 * E01 output through libewf (EnCase 6 format).  Chunks are compressed by
 * spoor's own worker threads with zlib (sp_ewf_compress_chunk) and handed
 * to libewf_handle_write_chunk already prepared, so compression runs in
 * parallel: libewf_handle_prepare_write_chunk would compress under the
 * handle's lock, one chunk at a time.  The chunk layout is libewf's: a
 * deflate stream when it is smaller than the data, else the data followed
 * by its Adler-32, little-endian.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <libewf.h>
#include <zlib.h>

#include "acquire/acquire-internal.h"

#ifndef SPOOR_VERSION
#define SPOOR_VERSION "0.0.0"
#endif

struct sp_ewf_writer {
	libewf_handle_t *h;
	int opened;
};

static int
ewf_fail(struct sp_err *err, int code, libewf_error_t *e, const char *what)
{
	char buf[512] = "";

	if (e != NULL) {
		libewf_error_sprint(e, buf, sizeof(buf));
		libewf_error_free(&e);
	}
	/* libewf's messages span lines; keep the first */
	buf[strcspn(buf, "\n")] = '\0';
	return sp_err_set(err, code, 0, "%s%s%s", what, buf[0] ? ": " : "",
	    buf);
}

static int
set_header(libewf_handle_t *h, const char *id, const char *value,
    struct sp_err *err)
{
	libewf_error_t *e = NULL;

	if (value == NULL || *value == '\0')
		return SP_OK;
	if (libewf_handle_set_utf8_header_value(h, (const uint8_t *)id,
	    strlen(id), (const uint8_t *)value, strlen(value), &e) != 1)
		return ewf_fail(err, SP_E_CREATE, e, id);
	return SP_OK;
}

int
sp_ewf_writer_open(struct sp_ewf_writer **wp, const struct sp_ewf_params *p,
    struct sp_err *err)
{
	struct sp_ewf_writer *w;
	libewf_error_t *e = NULL;
	char *names[1];
	char version[64], os[128];
	struct utsname u;
	int8_t level;
	uint8_t flags = 0;
	int rc;

	*wp = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "E01 writer");
	if (libewf_handle_initialize(&w->h, &e) != 1) {
		free(w);
		return ewf_fail(err, SP_E_NOMEM, e, "libewf");
	}
	names[0] = (char *)p->base;
	if (libewf_handle_open(w->h, names, 1, LIBEWF_OPEN_WRITE, &e) != 1) {
		rc = ewf_fail(err, SP_E_CREATE, e, "create E01");
		goto fail;
	}
	w->opened = 1;
	switch (p->compression) {
	case SP_EWF_COMPRESS_FAST: level = LIBEWF_COMPRESSION_FAST; break;
	case SP_EWF_COMPRESS_BEST: level = LIBEWF_COMPRESSION_BEST; break;
	case SP_EWF_COMPRESS_EMPTY_BLOCK:
		level = LIBEWF_COMPRESSION_NONE;
		flags = LIBEWF_COMPRESS_FLAG_USE_EMPTY_BLOCK_COMPRESSION;
		break;
	default: level = LIBEWF_COMPRESSION_NONE; break;
	}
	if (libewf_handle_set_format(w->h, LIBEWF_FORMAT_ENCASE6, &e) != 1 ||
	    libewf_handle_set_bytes_per_sector(w->h, p->bytes_per_sector,
	    &e) != 1 ||
	    libewf_handle_set_sectors_per_chunk(w->h, p->sectors_per_chunk,
	    &e) != 1 ||
	    libewf_handle_set_media_size(w->h, p->media_size, &e) != 1 ||
	    libewf_handle_set_compression_values(w->h, level, flags, &e) != 1 ||
	    libewf_handle_set_media_type(w->h, LIBEWF_MEDIA_TYPE_FIXED,
	    &e) != 1 ||
	    libewf_handle_set_media_flags(w->h, p->physical ?
	    LIBEWF_MEDIA_FLAG_PHYSICAL : 0, &e) != 1 ||
	    (p->segment_size != 0 && libewf_handle_set_maximum_segment_size(
	    w->h, p->segment_size, &e) != 1)) {
		rc = ewf_fail(err, SP_E_CREATE, e, "E01 settings");
		goto fail;
	}
	snprintf(version, sizeof(version), "spoor %s", SPOOR_VERSION);
	if (uname(&u) == 0)
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	else
		snprintf(os, sizeof(os), "Linux");
	if ((rc = set_header(w->h, "case_number", p->case_number, err)) ||
	    (rc = set_header(w->h, "evidence_number", p->evidence_number,
	    err)) ||
	    (rc = set_header(w->h, "examiner_name", p->examiner, err)) ||
	    (rc = set_header(w->h, "description", p->description, err)) ||
	    (rc = set_header(w->h, "notes", p->notes, err)) ||
	    (rc = set_header(w->h, "acquiry_software_version", version,
	    err)) ||
	    (rc = set_header(w->h, "acquiry_operating_system", os, err)) ||
	    (rc = set_header(w->h, "model", p->model, err)) ||
	    (rc = set_header(w->h, "serial_number", p->serial, err)))
		goto fail;
	*wp = w;
	return SP_OK;
fail:
	sp_ewf_writer_free(w);
	return rc;
}

int
sp_ewf_writer_chunk(struct sp_ewf_writer *w, const unsigned char *buf,
    size_t len, size_t data_size, int compressed, struct sp_err *err)
{
	libewf_error_t *e = NULL;
	ssize_t n;

	if (compressed)
		n = libewf_handle_write_chunk(w->h, buf, len, data_size, 1,
		    NULL, 0, 0, &e);
	else {
		uint32_t sum = (uint32_t)buf[data_size] |
		    (uint32_t)buf[data_size + 1] << 8 |
		    (uint32_t)buf[data_size + 2] << 16 |
		    (uint32_t)buf[data_size + 3] << 24;
		n = libewf_handle_write_chunk(w->h, buf, data_size, data_size,
		    0, (void *)(buf + data_size), sum, 1, &e);
	}
	if (n < 0)
		return ewf_fail(err, SP_E_IO, e, "write E01 chunk");
	return SP_OK;
}

int
sp_ewf_writer_error(struct sp_ewf_writer *w, uint64_t first, uint64_t n,
    struct sp_err *err)
{
	libewf_error_t *e = NULL;

	if (libewf_handle_append_acquiry_error(w->h, first, n, &e) != 1)
		return ewf_fail(err, SP_E_IO, e, "record acquiry error");
	return SP_OK;
}

static int
hex_bytes(const char *hex, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	if (hex == NULL || strlen(hex) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

int
sp_ewf_writer_finish(struct sp_ewf_writer *w, const char *md5,
    const char *sha1, struct sp_err *err)
{
	libewf_error_t *e = NULL;
	uint8_t d[20];
	int rc = SP_OK;

	if (hex_bytes(md5, d, 16) == 0 &&
	    libewf_handle_set_md5_hash(w->h, d, 16, &e) != 1)
		rc = ewf_fail(err, SP_E_IO, e, "store MD5");
	if (rc == SP_OK && hex_bytes(sha1, d, 20) == 0 &&
	    libewf_handle_set_sha1_hash(w->h, d, 20, &e) != 1)
		rc = ewf_fail(err, SP_E_IO, e, "store SHA-1");
	if (rc == SP_OK && libewf_handle_write_finalize(w->h, &e) < 0)
		rc = ewf_fail(err, SP_E_IO, e, "finalize E01");
	if (libewf_handle_close(w->h, &e) != 0 && rc == SP_OK)
		rc = ewf_fail(err, SP_E_IO, e, "close E01");
	w->opened = 0;
	sp_ewf_writer_free(w);
	return rc;
}

void
sp_ewf_writer_free(struct sp_ewf_writer *w)
{
	if (w == NULL)
		return;
	if (w->opened)
		libewf_handle_close(w->h, NULL);
	libewf_handle_free(&w->h, NULL);
	free(w);
}

size_t
sp_ewf_chunk_bound(size_t chunk_size)
{
	return compressBound(chunk_size) + 4;
}

static int
uniform(const unsigned char *p, size_t len)
{
	/* one byte repeated: compare the buffer with itself shifted by one */
	return len == 0 || memcmp(p, p + 1, len - 1) == 0;
}

/*
 * Whether deflate would leave the chunk as large as it is: its bytes are
 * near-uniformly distributed (an order-0 entropy above 7.9 bits a byte,
 * so Huffman coding gains under 1.3%, less than deflate's overhead on a
 * chunk) and no 8-byte word at an 8-byte offset occurs twice (so LZ77
 * finds no long repeat at such a distance).  Encrypted, compressed and
 * random data pass in a fraction of the time deflate would spend on them.
 */
static int
incompressible(const unsigned char *p, size_t len)
{
	enum { SLOTS = 8192 };
	uint64_t seen[SLOTS], w, h;
	uint32_t count[256];
	double bits = 0;
	size_t i, j;
	int k;

	if (len < 4096 || len / 8 > SLOTS / 2)
		return 0;
	memset(count, 0, sizeof(count));
	for (i = 0; i < len; i++)
		count[p[i]]++;
	for (k = 0; k < 256; k++)
		if (count[k] != 0)
			bits -= (double)count[k] * log2((double)count[k] /
			    (double)len);
	if (bits < 7.9 * (double)len)
		return 0;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		w |= 1;	/* 0 marks an empty slot */
		h = (w * UINT64_C(0x9E3779B97F4A7C15)) >> 51;
		for (j = (size_t)h; seen[j] != 0; j = (j + 1) % SLOTS)
			if (seen[j] == w)
				return 0;
		seen[j] = w;
	}
	return 1;
}

size_t
sp_ewf_compress_chunk(enum sp_ewf_compression c, const unsigned char *data,
    size_t len, unsigned char *out, int *compressed)
{
	uLongf clen = compressBound(len);
	uLong sum;
	int level = -1;

	switch (c) {
	case SP_EWF_COMPRESS_FAST:
		if (!incompressible(data, len))
			level = Z_BEST_SPEED;
		break;
	case SP_EWF_COMPRESS_BEST: level = Z_BEST_COMPRESSION; break;
	case SP_EWF_COMPRESS_EMPTY_BLOCK:
		if (uniform(data, len))
			level = Z_DEFAULT_COMPRESSION;
		break;
	default: break;
	}
	if (level != -1 && compress2(out, &clen, data, len, level) == Z_OK &&
	    clen < len) {
		*compressed = 1;
		return clen;
	}
	memcpy(out, data, len);
	sum = adler32(adler32(0, NULL, 0), data, (uInt)len);
	out[len] = (unsigned char)sum;
	out[len + 1] = (unsigned char)(sum >> 8);
	out[len + 2] = (unsigned char)(sum >> 16);
	out[len + 3] = (unsigned char)(sum >> 24);
	*compressed = 0;
	return len + 4;
}

int
sp_ewf_segments(const char *base, char ***names, size_t *n,
    struct sp_err *err)
{
	libewf_error_t *e = NULL;
	char **g = NULL, **out, *first;
	int count = 0, i;
	size_t len = strlen(base) + 5;

	*names = NULL;
	*n = 0;
	if ((first = malloc(len)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "segments");
	snprintf(first, len, "%s.E01", base);
	if (libewf_glob(first, strlen(first), LIBEWF_FORMAT_UNKNOWN, &g,
	    &count, &e) != 1) {
		free(first);
		return ewf_fail(err, SP_E_IO, e, "find E01 segments");
	}
	free(first);
	if ((out = calloc((size_t)count + 1, sizeof(*out))) == NULL) {
		libewf_glob_free(g, count, NULL);
		return sp_err_set(err, SP_E_NOMEM, 0, "segments");
	}
	for (i = 0; i < count; i++)
		if ((out[i] = strdup(g[i])) == NULL) {
			while (i-- > 0)
				free(out[i]);
			free(out);
			libewf_glob_free(g, count, NULL);
			return sp_err_set(err, SP_E_NOMEM, 0, "segments");
		}
	libewf_glob_free(g, count, NULL);
	*names = out;
	*n = (size_t)count;
	return SP_OK;
}

