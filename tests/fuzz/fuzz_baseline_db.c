/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for reading a baseline file: the input is written to
 * a temporary file and loaded as spoor-baseline diff loads one; what
 * loads is compared with itself, which must find no difference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spoor/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
no_change(const struct sp_bl_change *c, void *arg)
{
	(void)c;
	(void)arg;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_baseline_XXXXXX";
	struct sp_baseline *b;
	struct sp_err err;
	int fd, rc;

	if ((fd = mkstemp(path)) < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	sp_err_init(&err);
	rc = sp_baseline_load(&b, path, &err);
	if (rc == SP_OK) {
		if (sp_baseline_diff(b, b, NULL, no_change, NULL, NULL, &err)
		    != SP_OK)
			abort();
		sp_baseline_free(b);
	} else if (rc != err.code || err.msg[0] == '\0')
		abort();
	unlink(path);
	return 0;
}
