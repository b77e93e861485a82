/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the modules of lib/evidence/ share; not installed.
 */
#ifndef SPOOR_EVIDENCE_INTERNAL_H
#define SPOOR_EVIDENCE_INTERNAL_H

#include "spoor/evidence.h"

/* E01 metadata through libewf (evidence-ewf.c). */
struct sp_ewf_meta;
int sp_ewf_glob(const char *path, char ***names, int *count,
    struct sp_err *err);
void sp_ewf_glob_free(char **names, int count);
int sp_ewf_read_info(char *const *names, int count, struct sp_ewf_info *info,
    char **strings, struct sp_err *err);

/* Directory evidence (evidence-dir.c). */
int sp_dir_walk(const char *root, const char *start, unsigned flags,
    struct sp_run *run, uint64_t *problems, const struct sp_cancel *cancel,
    sp_entry_fn *fn, void *arg, struct sp_err *err);
int sp_dir_read_file(const char *root, const char *path,
    const struct sp_cancel *cancel, sp_data_fn *fn, void *arg,
    struct sp_err *err);

#endif
