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
/*
 * Check the EWF1 segment set names[0..count): numbering, each file's
 * section chain (a truncated file breaks it) and a last segment that
 * says more follow.  Each fault is a problem of run (counted in
 * *problems); returns how many.
 */
int sp_ewf_check_segments(char *const *names, int count, struct sp_run *run,
    uint64_t *problems);
/*
 * Open the segments as a libtsk image read through libewf: checksum
 * errors and unreadable chunks met by any read are problems of run
 * under subject (copied).  *img is closed with tsk_img_close.
 */
struct TSK_IMG_INFO;
int sp_ewf_img_open(char *const *names, int count, const char *subject,
    struct sp_run *run, uint64_t *problems, struct TSK_IMG_INFO **img,
    struct sp_err *err);
int sp_ewf_read_info(char *const *names, int count, struct sp_ewf_info *info,
    char **strings, struct sp_err *err);

/*
 * Paths in an image's file system (evidence-path.c).  Resolve path in fs:
 * *file is the file it names (closed by the caller with
 * tsk_fs_file_close; its name is set unless it is the root), *attr the
 * NTFS data stream it names as FILE:STREAM (a pointer into *file) or
 * NULL.  SP_E_NOTFOUND says which name is missing or which step is not a
 * directory; SP_E_CORRUPT that a directory on the way cannot be read.
 */
struct TSK_FS_INFO;
struct TSK_FS_FILE;
struct TSK_FS_ATTR;
int sp_tsk_path_resolve(struct TSK_FS_INFO *fs, const char *path,
    struct TSK_FS_FILE **file, const struct TSK_FS_ATTR **attr,
    struct sp_err *err);

/* Directory evidence (evidence-dir.c). */
int sp_dir_walk(const char *root, const char *start, unsigned flags,
    struct sp_run *run, uint64_t *problems, const struct sp_cancel *cancel,
    sp_entry_fn *fn, void *arg, struct sp_err *err);
int sp_dir_read_file(const char *root, const char *path,
    const struct sp_cancel *cancel, sp_data_fn *fn, void *arg,
    struct sp_err *err);

/*
 * A name of directory evidence without following it (evidence-dir.c):
 * the device numbers of path (relative to root) and whether it is an
 * opaque overlay directory (xattr trusted.overlay.opaque or
 * user.overlay.opaque "y").  Any output may be NULL.
 */
int sp_dir_special(const char *root, const char *path, unsigned *major_out,
    unsigned *minor_out, int *opaque);

/* The run problems of ev go to, and one more problem counted (evidence.c). */
struct sp_run *sp_evidence_run(const struct sp_evidence *ev);
void sp_evidence_add_problem(struct sp_evidence *ev);

/* A container's merged file system (overlay.c). */
struct sp_container;
struct sp_drift;
struct sp_overlay;
int sp_overlay_new(struct sp_overlay **ov, struct sp_evidence *base,
    const struct sp_container *c, struct sp_err *err);
void sp_overlay_free(struct sp_overlay *ov);
int sp_overlay_walk(struct sp_overlay *ov, const char *start, unsigned flags,
    const struct sp_cancel *cancel, sp_entry_fn *fn, void *arg,
    struct sp_err *err);
int sp_overlay_read_file(struct sp_overlay *ov, const char *path,
    sp_data_fn *fn, void *arg, struct sp_err *err);
int sp_overlay_drift(struct sp_overlay *ov, const struct sp_cancel *cancel,
    int (*fn)(const struct sp_drift *d, void *arg), void *arg,
    struct sp_err *err);

#endif
