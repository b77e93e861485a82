/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The programs a command line runs, as the persistence check reads it
 * (persistence-check.c, spoor-heuristics(7)): the absolute paths of each
 * simple command's program, of the wrappers before it and of the script
 * an interpreter runs, normalized ("//", "/./" and "/x/../" taken out),
 * each once.  Fuzzed by tests/fuzz/fuzz_cmdline.c.
 */
#ifndef SPOOR_TIMELINE_CMDLINE_H
#define SPOOR_TIMELINE_CMDLINE_H

#include <stddef.h>

/* What text is: a command line, a crontab's command ('%' ends it and
 * starts its stdin) or a unit's "Key=value" lines. */
enum sp_cmdline_kind { SP_CMDLINE_SHELL, SP_CMDLINE_CRON, SP_CMDLINE_UNIT };

/*
 * The programs of text into v (at most max; each the caller's to free);
 * returns how many.  A program that cannot be copied for want of memory
 * is left out.
 */
size_t sp_cmdline_programs(const char *text, enum sp_cmdline_kind kind,
    char **v, size_t max);

#endif
