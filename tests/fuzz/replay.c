/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A main for the libFuzzer targets of tests/fuzz/ without libFuzzer: each
 * file named on the command line is read and handed to
 * LLVMFuzzerTestOneInput once.  tests/1180-fuzz-regress.bats links a
 * target with it and libspoor to replay the inputs fuzzing once crashed
 * on (tests/fuzz/regress/<target>/); a target aborts on a broken
 * invariant, so exit status 0 means every input passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char *argv[])
{
	unsigned char *buf;
	size_t len, cap;
	FILE *fp;
	int i;

	for (i = 1; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 66;
		}
		buf = NULL;
		len = cap = 0;
		for (;;) {
			if (len == cap) {
				unsigned char *nb;

				cap = cap ? cap * 2 : 65536;
				if ((nb = realloc(buf, cap)) == NULL) {
					free(buf);
					fclose(fp);
					return 71;
				}
				buf = nb;
			}
			size_t n = fread(buf + len, 1, cap - len, fp);
			if (n == 0)
				break;
			len += n;
		}
		fclose(fp);
		printf("%s: %zu bytes\n", argv[i], len);
		fflush(stdout);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	return 0;
}
