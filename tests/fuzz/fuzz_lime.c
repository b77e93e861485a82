/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the memory-image reader: the input is a LiME file.
 * It is opened, every range is read at its start, middle and end (by
 * address and by range), and an address outside every range is asked
 * for; an image without ranges must have a problem that says why.  Error returns are expected;
 * crashes, sanitizer reports and leaks are not.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spoor/err.h"
#include "spoor/memimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];

static int
write_file(const uint8_t *data, size_t size)
{
	const char *dir = getenv("TMPDIR");
	size_t off = 0;
	ssize_t n;
	int fd;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "%s/spoor-fuzz-lime.%ld",
		    dir && *dir ? dir : "/tmp", (long)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	while (off < size) {
		if ((n = write(fd, data + off, size - off)) <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_memimage *m;
	const struct sp_mem_range *r;
	const struct sp_mem_problem *p;
	struct sp_err err;
	unsigned char buf[256];
	uint64_t at[3];
	size_t i, j, got;

	if (write_file(data, size) != 0)
		return 0;
	sp_err_init(&err);
	if (sp_memimage_open(&m, path, 0, NULL, &err) != SP_OK) {
		if (err.code == SP_OK)
			abort();	/* a failure must say why */
		return 0;
	}
	/* no range only when a header was wrong, and then it says so */
	if (sp_memimage_range_count(m) == 0 &&
	    sp_memimage_problem_count(m) == 0)
		abort();
	for (i = 0; i < sp_memimage_problem_count(m); i++) {
		p = sp_memimage_problem(m, i);
		if (p != NULL && (p->message[0] == '\0' ||
		    p->offset + SP_LIME_HEADER_SIZE > sp_memimage_file_size(m)))
			abort();
	}
	for (i = 0; i < sp_memimage_range_count(m); i++) {
		r = sp_memimage_range(m, i);
		if (r->end < r->start || r->offset > sp_memimage_file_size(m))
			abort();
		at[0] = r->start;
		at[1] = r->start + (r->end - r->start) / 2;
		at[2] = r->end;
		for (j = 0; j < 3; j++) {
			if (sp_memimage_read(m, at[j], buf, sizeof(buf), &got,
			    &err) != SP_OK || got == 0 || got > sizeof(buf))
				abort();	/* every range is in the file */
			if (sp_memimage_read_range(m, i, at[j] - r->start, buf,
			    sizeof(buf), &got, &err) != SP_OK || got == 0 ||
			    got > sizeof(buf) || got - 1 > r->end - at[j])
				abort();	/* and read by itself */
		}
	}
	(void)sp_memimage_read(m, UINT64_MAX, buf, sizeof(buf), &got, &err);
	sp_memimage_close(m);
	return 0;
}
