/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Severity levels (see include/spoor/severity.h): one table of names and
 * scores, so a detection's severity reads the same in the case, in JSON
 * and in text, whoever made it.
 */
#include <stddef.h>
#include <strings.h>

#include "spoor/err.h"
#include "spoor/severity.h"

static const struct {
	const char *name;
	int score;
} levels[] = {
	[SP_SEV_INFO] = { "info", 20 },
	[SP_SEV_LOW] = { "low", 40 },
	[SP_SEV_MEDIUM] = { "medium", 60 },
	[SP_SEV_HIGH] = { "high", 80 },
	[SP_SEV_CRITICAL] = { "critical", 100 },
};
#define NLEVELS (sizeof(levels) / sizeof(levels[0]))

const char *
sp_severity_name(enum sp_severity s)
{
	return (unsigned)s < NLEVELS ? levels[s].name : "unknown";
}

int
sp_severity_parse(const char *name, enum sp_severity *s)
{
	size_t i;

	for (i = 0; name != NULL && i < NLEVELS; i++)
		if (strcasecmp(name, levels[i].name) == 0) {
			*s = (enum sp_severity)i;
			return SP_OK;
		}
	return SP_E_DATA;
}

int
sp_severity_score(enum sp_severity s)
{
	return (unsigned)s < NLEVELS ? levels[s].score : 0;
}

enum sp_severity
sp_severity_of_score(int score)
{
	size_t i;

	for (i = NLEVELS - 1; i > 0; i--)
		if (score >= levels[i].score)
			return (enum sp_severity)i;
	return SP_SEV_INFO;
}
