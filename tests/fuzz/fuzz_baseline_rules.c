/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the ignore-rule and allowlist parser of
 * spoor-baseline and its glob matcher: the first byte chooses the kind
 * of file, the rest is its text; every rule that parses is matched
 * against a few paths, and a refused file must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/baseline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {
	"/", "/etc/passwd", "/var/log/syslog", "/var/lib/apt/lists/x",
	"/tmp/.X11-unix/.x/kswapd0", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_bl_rules *r;
	struct sp_err err;
	unsigned mask;
	size_t i;
	int allow, rc;

	if (size == 0)
		return 0;
	allow = data[0] & 1;
	sp_err_init(&err);
	if (sp_bl_rules_new(&r, allow, &err) != SP_OK)
		abort();
	rc = sp_bl_rules_parse(r, (const char *)data + 1, size - 1, "fuzz",
	    &err);
	if (rc != SP_OK && (rc != err.code || err.msg[0] == '\0' ||
	    memchr(err.msg, '\0', sizeof(err.msg)) == NULL))
		abort();
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		mask = sp_bl_rules_ignored(allow ? NULL : r, paths[i]);
		if (mask & ~(unsigned)SP_BL_ALL)
			abort();
		(void)sp_bl_rules_allows(allow ? r : NULL, paths[i], NULL);
	}
	sp_bl_rules_free(r);
	return 0;
}
