/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Severity of a detection: the five levels the scanner, its heuristics and
 * the rules' "severity" meta share, their names as they appear in the case
 * and in JSON ("info" ... "critical"), and the Loki/THOR-style sub-score
 * each level stands for when a detection gives no score of its own.
 */
#ifndef SPOOR_SEVERITY_H
#define SPOOR_SEVERITY_H

enum sp_severity {
	SP_SEV_INFO, SP_SEV_LOW, SP_SEV_MEDIUM, SP_SEV_HIGH, SP_SEV_CRITICAL
};

/* "info", "low", "medium", "high", "critical"; "unknown" otherwise. */
const char *sp_severity_name(enum sp_severity s);

/*
 * The level named name (one of the names above, in any case) into *s.
 * Returns SP_OK, or SP_E_DATA for NULL or any other name (*s unchanged).
 */
int sp_severity_parse(const char *name, enum sp_severity *s);

/* The sub-score a level stands for: 20, 40, 60, 80, 100. */
int sp_severity_score(enum sp_severity s);

/* The level of a score: critical from 100, high from 80, medium from 60,
 * low from 40, info below. */
enum sp_severity sp_severity_of_score(int score);

#endif
