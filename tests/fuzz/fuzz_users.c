/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the /etc/passwd reader (lib/artifact/users.c): the
 * input is loaded as a source's passwd.  Every line "name:password:uid:"
 * with a decimal uid below 2^32 and a name of printable UTF-8 without ':'
 * must then be named, and every name returned must be such a name; the
 * input is then parsed as an audit log with the map, whose events pass
 * the shared checks.
 */
#define FUZZ_NAME "fuzz_users"
#include "fuzz_event.h"

/* as fuzz_audit: decoded values need not be UTF-8 */
static const struct fuzz_rules rules = { 0, NULL, SP_E_NOMEM, SP_OK };

/* Whether name is printable UTF-8 without ':', 1 to 256 bytes. */
static int
good(const char *name, size_t n)
{
	const unsigned char *p = (const unsigned char *)name;
	char buf[257];
	size_t i;

	if (n == 0 || n > 256)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == ':')
			return 0;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return fuzz_utf8(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_users *u;
	struct sp_err err;
	const char *s = (const char *)data, *end = s + size, *nl, *c1, *c2,
	    *c3, *name;
	size_t k, lines = 0;
	int64_t uid;
	FILE *in;

	sp_err_init(&err);
	if ((in = fmemopen((void *)data, size ? size : 1, "r")) == NULL)
		return 0;
	if (size == 0) {
		fclose(in);
		return 0;
	}
	if (sp_users_load(in, &u, &err) != SP_OK)
		abort();
	fclose(in);
	for (; s < end; s = nl + 1, lines++) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if (nl - s > 4096 || memchr(s, '\0', (size_t)(nl - s)) != NULL)
			continue;
		if ((c1 = memchr(s, ':', (size_t)(nl - s))) == NULL ||
		    (c2 = memchr(c1 + 1, ':', (size_t)(nl - c1 - 1))) == NULL ||
		    (c3 = memchr(c2 + 1, ':', (size_t)(nl - c2 - 1))) == NULL)
			continue;
		if (c3 - c2 - 1 < 1 || c3 - c2 - 1 > 10)
			continue;
		for (uid = 0, k = 1; c2 + k < c3; k++) {
			if (c2[k] < '0' || c2[k] > '9')
				break;
			uid = uid * 10 + (c2[k] - '0');
		}
		if (c2 + k != c3 || uid > INT64_C(0xffffffff) ||
		    !good(s, (size_t)(c1 - s)))
			continue;
		if ((name = sp_users_name(u, uid)) == NULL) {
			fprintf(stderr, "fuzz_users: uid %lld of line %zu "
			    "has no name\n", (long long)uid, lines + 1);
			abort();
		}
		if (!good(name, strlen(name)))
			abort();
	}
	if (sp_users_count(u) > lines + 1)
		abort();
	if (sp_users_name(NULL, 0) != NULL || sp_users_count(NULL) != 0)
		abort();
	/* the same bytes as an audit log read with the map */
	{
		static const struct fuzz_file audit = {
			sp_parse_audit, "/var/log/audit/audit.log", SP_TIME_NONE
		};
		fuzz_users_map = u;
		fuzz_parse(&rules, &audit, data, size);
		fuzz_users_map = NULL;
	}
	sp_users_free(u);
	return 0;
}
