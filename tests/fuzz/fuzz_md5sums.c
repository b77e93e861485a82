/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for dpkg's md5sums and conffiles parsers
 * (lib/scan/pkgsums.c): the input is added as a package's md5sums, as its
 * conffiles and as a status file; every path it listed must then be found
 * with a 32-digit lower-case MD5 and verify against it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/err.h"
#include "spoor/hashset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_pkgsums *ps;
	struct sp_err err;
	const char *md5, *pkg, *s = (const char *)data, *end = s + size, *nl;
	char path[4096];
	size_t n, i;

	sp_err_init(&err);
	if (sp_pkgsums_new(&ps, &err) != SP_OK)
		abort();
	if (sp_pkgsums_add(ps, "fuzz:amd64", data, size, "fuzz.md5sums", NULL,
	    &err) != SP_OK ||
	    sp_pkgsums_add_conffiles(ps, data, size, 0, &err) != SP_OK ||
	    sp_pkgsums_add_conffiles(ps, data, size, 1, &err) != SP_OK)
		abort();
	if (sp_pkgsums_packages(ps) != 1)
		abort();
	/* the path of each line that starts with 32 hex digits and a blank */
	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		n = (size_t)(nl - s);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		for (i = 0; i < 32 && i < n && strchr("0123456789abcdefABCDEF",
		    s[i]) != NULL && s[i] != '\0'; i++)
			;
		if (i != 32 || n < 34 || (s[32] != ' ' && s[32] != '\t'))
			continue;
		for (i = 33; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		if (i == n || n - i + 2 > sizeof(path) ||
		    memchr(s + i, '\0', n - i) != NULL)
			continue;
		snprintf(path, sizeof(path), "%s%.*s", s[i] == '/' ? "" : "/",
		    (int)(n - i), s + i);
		if ((md5 = sp_pkgsums_lookup(ps, path, &pkg)) == NULL ||
		    strlen(md5) != 32 || strspn(md5, "0123456789abcdef") != 32 ||
		    strcmp(pkg, "fuzz:amd64") != 0)
			abort();
		if (sp_pkgsums_verify(ps, path, md5, NULL) !=
		    SP_PKGSUMS_VERIFIED)
			abort();
	}
	sp_pkgsums_is_conffile(ps, "/etc/passwd");
	sp_pkgsums_free(ps);
	return 0;
}
