/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the command-line reader of the persistence check
 * (lib/timeline/persistence-check.c, sp_cmdline_programs): a cron
 * command, a unit's ExecStart or an audit record's command line is text
 * an attacker wrote.  The input is read as a command line, as a crontab's
 * command and as a unit's lines (its first byte chooses nothing: all
 * three run).  Each program found must be an absolute path with no empty,
 * "." or ".." component and none of $ ` * ? [ ~, listed once, no more
 * than the check judges.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timeline/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX 16		/* MAX_CMDS of persistence-check.c */

static void
check(char **v, size_t n)
{
	size_t i, j;
	const char *s, *e;

	if (n > MAX)
		abort();
	for (i = 0; i < n; i++) {
		if (v[i] == NULL || v[i][0] != '/' ||
		    strpbrk(v[i], "$`*?[~") != NULL)
			abort();
		if (strcmp(v[i], "/") != 0)
			for (s = v[i] + 1;; s = e + 1) {
				e = strchr(s, '/');
				if (e == NULL)
					e = s + strlen(s);
				if (e == s || (e - s == 1 && s[0] == '.') ||
				    (e - s == 2 && s[0] == '.' && s[1] == '.'))
					abort();
				if (*e == '\0')
					break;
			}
		for (j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0)
				abort();
	}
	for (i = 0; i < n; i++)
		free(v[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *v[MAX + 1];
	size_t n;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';	/* a NUL inside ends the text, as in a case */
	n = sp_cmdline_programs(text, SP_CMDLINE_SHELL, v, MAX + 1);
	check(v, n);
	n = sp_cmdline_programs(text, SP_CMDLINE_CRON, v, MAX + 1);
	check(v, n);
	n = sp_cmdline_programs(text, SP_CMDLINE_UNIT, v, MAX + 1);
	check(v, n);
	free(text);
	return 0;
}
