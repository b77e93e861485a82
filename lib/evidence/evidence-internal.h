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
/*
 * Read the file name in the open directory dfd (its path is path, for
 * messages) as sp_dir_read_file does, without following a link.
 */
int sp_dir_read_at(int dfd, const char *name, const char *path,
    const struct sp_cancel *cancel, sp_data_fn *fn, void *arg,
    struct sp_err *err);
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

/*
 * A view: evidence whose entries come from functions over other evidence
 * (overlay.c: a container's merged file system), so that evidence.c
 * serves it without calling the code above it.  It looks like directory
 * evidence with one file system, fs (copied).  *ev owns view: ops->close
 * frees it with ev.
 */
struct sp_evidence_view_ops {
	int (*walk)(void *view, const char *start, unsigned flags,
	    const struct sp_cancel *cancel, sp_entry_fn *fn, void *arg,
	    struct sp_err *err);
	int (*read_file)(void *view, const char *path, sp_data_fn *fn,
	    void *arg, struct sp_err *err);
	int (*record_inputs)(void *view, struct sp_run *run,
	    struct sp_err *err);
	void (*set_cancel)(void *view, const struct sp_cancel *cancel);
	uint64_t (*problem_count)(void *view);
	void (*close)(void *view);
};
int sp_evidence_view_new(struct sp_evidence **ev, const char *path,
    const struct sp_evidence_view_ops *ops, void *view,
    const struct sp_fs_info *fs, struct sp_run *run, struct sp_err *err);
/* ev's view when its functions are ops, else NULL. */
void *sp_evidence_view(const struct sp_evidence *ev,
    const struct sp_evidence_view_ops *ops);
/* sp_evidence_open without views: the evidence at path as it is. */
int sp_evidence_open_plain(struct sp_evidence **ev, const char *path,
    struct sp_run *run, struct sp_err *err);

#endif
