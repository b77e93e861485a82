/* SPDX-License-Identifier: Apache-2.0 */
/*
 * E01 metadata through libewf: segment globbing and the header and hash
 * values an acquisition stored (case number, examiner, MD5, ...).  Media
 * reads go through libtsk; only metadata is read here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libewf.h>

#include "spoor/evidence.h"
#include "evidence/evidence-internal.h"

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
