/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evidence layer: one handle on any evidence (raw, split raw, E01, a
 * directory taken as a mounted root), its volumes and file systems, a walk
 * over every entry and reads of file content.  Images go through libtsk
 * (with its libewf support); E01 metadata is read through libewf.
 * Evidence is only ever opened read-only.
 */
#ifndef SPOOR_EVIDENCE_H
#define SPOOR_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "run.h"
#include "err.h"
#include "hash.h"
#include "cancel.h"
#include "time.h"

enum sp_evidence_kind {
	SP_EVIDENCE_RAW,
	SP_EVIDENCE_SPLIT,
	SP_EVIDENCE_E01,
	SP_EVIDENCE_DIR
};

struct sp_evidence;

/*
 * Open the evidence at path.  Split raw segments (.000/.001…, .001/.002…,
 * .aa/.ab…) and E01 segments (.E01/.E02…) are found from the first one.
 * Problems met later (corrupt entries) are recorded in run, which may be
 * NULL and is borrowed.  *ev is owned by the caller until sp_evidence_close.
 */
int sp_evidence_open(struct sp_evidence **ev, const char *path,
    struct sp_run *run, struct sp_err *err);
void sp_evidence_close(struct sp_evidence *ev);

/*
 * Open the image at path (raw, split raw, E01) for its media only: as
 * sp_evidence_open, but media without any volume system or file system
 * is accepted (a wiped disk, memory, an encrypted volume).  A directory
 * is refused.
 */
int sp_evidence_open_media(struct sp_evidence **ev, const char *path,
    struct sp_run *run, struct sp_err *err);

/*
 * Read up to len bytes of the media at offset (through the segments, and
 * E01 chunks decompressed); *got is less than len only at the end of the
 * media.  A read error is SP_E_IO.
 */
int sp_evidence_read(struct sp_evidence *ev, uint64_t offset, void *buf,
    size_t len, size_t *got, struct sp_err *err);

enum sp_evidence_kind sp_evidence_kind(const struct sp_evidence *ev);

/*
 * The cancellation token that walks and reads of ev poll (borrowed until
 * replaced or ev is closed).  NULL, the default, polls the process's
 * signal flag.
 */
void sp_evidence_set_cancel(struct sp_evidence *ev,
    const struct sp_cancel *cancel);
/* "raw", "split", "e01", "dir". */
const char *sp_evidence_kind_name(enum sp_evidence_kind kind);
/* The path given to sp_evidence_open; owned by ev. */
const char *sp_evidence_path(const struct sp_evidence *ev);
/* Media size in bytes (0 for a directory). */
uint64_t sp_evidence_size(const struct sp_evidence *ev);
/* Sector size of the image (512 unless the format says otherwise). */
unsigned sp_evidence_sector_size(const struct sp_evidence *ev);
/* Number of segment files and the i-th one's path (owned by ev). */
size_t sp_evidence_segment_count(const struct sp_evidence *ev);
const char *sp_evidence_segment(const struct sp_evidence *ev, size_t i);
/*
 * The fingerprint of ev's segment files, as 64 hex digits: SHA-256 over
 * their count and sizes, the first and last MiB of them and 64 slices of
 * 16 KiB spread evenly between, 3 MiB read whatever the size.  Equal
 * fingerprints mean the same source as far as a sample can tell; only a
 * full hash proves it.  A directory has none (SP_E_USAGE).
 */
#define SP_FINGERPRINT_HEX_MAX 65
int sp_evidence_fingerprint(const struct sp_evidence *ev,
    char hex[SP_FINGERPRINT_HEX_MAX], struct sp_err *err);
/* The same over the files names[0..n-1], read in that order. */
int sp_files_fingerprint(const char *const *names, size_t n,
    char hex[SP_FINGERPRINT_HEX_MAX], struct sp_err *err);
/* Problems recorded since open (corrupt entries skipped). */
uint64_t sp_evidence_problem_count(const struct sp_evidence *ev);

/* Metadata stored in an E01; every string owned by ev, NULL when absent. */
struct sp_ewf_info {
	const char *format;		/* "EnCase 6", "EWF", ... */
	const char *case_number, *evidence_number, *examiner;
	const char *description, *notes;
	const char *acquiry_date, *system_date;
	const char *acquiry_os, *acquiry_software;
	const char *md5, *sha1;	/* stored hashes, lower-case hex */
	const char *compression;
	uint64_t media_size;
	uint32_t bytes_per_sector;
	uint64_t sectors_per_chunk;
	uint64_t error_count;	/* acquiry errors recorded */
};

/* The E01 metadata, or NULL when ev is not an E01. */
const struct sp_ewf_info *sp_evidence_ewf_info(const struct sp_evidence *ev);

/* One entry of the volume system (as mmls lists it). */
struct sp_volume {
	unsigned index;		/* slot as mmls numbers it (0-based) */
	uint64_t start;		/* first sector */
	uint64_t length;	/* sectors */
	const char *description;	/* "Linux (0x83)", "Unallocated" ... */
	int allocated;		/* a partition (not unallocated or meta) */
	int meta;		/* partition table or extended table */
	const char *slot;	/* "000:000", "Meta", "-------" */
};

/* The volume system type ("dos", "gpt", "bsd", "sun", "mac") or NULL. */
const char *sp_evidence_vs_type(const struct sp_evidence *ev);
size_t sp_evidence_volume_count(const struct sp_evidence *ev);
/* Owned by ev. */
const struct sp_volume *sp_evidence_volume(const struct sp_evidence *ev,
    size_t i);

/* A file system found in the evidence. */
struct sp_fs_info {
	unsigned index;
	int volume;		/* index of its volume, or -1 (whole image) */
	uint64_t offset;	/* byte offset in the image */
	const char *type;	/* "ext4", "ntfs", "fat16", "dir", ... */
	const char *label;	/* "" when none */
	const char *id;		/* volume serial / UUID as hex, "" when none */
	uint32_t block_size;
	uint64_t block_count;
	uint64_t first_inode, last_inode, root_inode;
	sp_time_ns last_written;	/* SP_TIME_NONE when unknown */
};

size_t sp_evidence_fs_count(const struct sp_evidence *ev);
/*
 * SP_OK when ev has a file system to walk, else SP_E_FORMAT saying so:
 * the one verdict of every command that walks file systems.
 */
int sp_evidence_need_fs(const struct sp_evidence *ev, struct sp_err *err);
const struct sp_fs_info *sp_evidence_fs(const struct sp_evidence *ev,
    size_t i);

/* What a name or a metadata record says an entry is (fls's letters). */
enum sp_entry_type {
	SP_TYPE_UNKNOWN = '-',
	SP_TYPE_REG = 'r',
	SP_TYPE_DIR = 'd',
	SP_TYPE_LNK = 'l',
	SP_TYPE_CHR = 'c',
	SP_TYPE_BLK = 'b',
	SP_TYPE_FIFO = 'p',
	SP_TYPE_SOCK = 'h',
	SP_TYPE_SHAD = 's',
	SP_TYPE_WHT = 'w',
	SP_TYPE_VIRT = 'v',	/* virtual file ($MBR, $FAT1) */
	SP_TYPE_VDIR = 'V'	/* virtual directory ($OrphanFiles) */
};

enum sp_entry_flags {
	SP_ENTRY_DELETED = 1 << 0,	/* the name is unallocated */
	SP_ENTRY_REALLOC = 1 << 1,	/* deleted name whose inode is reused */
	SP_ENTRY_NO_META = 1 << 2,	/* no metadata record could be read */
	SP_ENTRY_FILE_NAME = 1 << 3,	/* NTFS $FILE_NAME times */
	SP_ENTRY_STREAM = 1 << 4,	/* a named data stream (ADS) */
	SP_ENTRY_ATTR = 1 << 5,		/* attr_type/attr_id are set (NTFS) */
	/*
	 * NTFS: a directory's data stream met again under its "." name,
	 * "dir/.:stream", as fls lists it a second time; its content is
	 * that of "dir:stream", so it has none of its own.  Not set for
	 * the root's "." (the root has no other name to list it by).
	 */
	SP_ENTRY_DOT = 1 << 6,
	/*
	 * NTFS: a data stream with a size but nothing on disk, never
	 * written or sparse throughout (as $BadClus:$Bad): every byte is
	 * zero, so there is no content to hash or scan.
	 */
	SP_ENTRY_SPARSE = 1 << 7,
	/*
	 * Directory evidence, during the callback only: dir_fd is the open
	 * directory that holds the entry, so that reading it
	 * (sp_evidence_read_entry) opens one name rather than its path.  A
	 * copy of the entry kept past the callback must clear it.
	 */
	SP_ENTRY_DIR_FD = 1 << 8
};

/*
 * One entry seen by a walk: a name with its metadata; for NTFS one entry per
 * data stream and one for the $FILE_NAME times, as fls -m lists them.
 * Pointers are valid only during the callback.
 */
struct sp_entry {
	unsigned fs_index;
	uint64_t inode;
	uint32_t attr_type;	/* with SP_ENTRY_ATTR */
	uint16_t attr_id;
	const char *path;	/* full path from the root, starting with '/' */
	const char *name;	/* last component */
	const char *stream;	/* NTFS stream name, or NULL */
	const char *link;	/* symlink target, or NULL */
	char name_type;		/* enum sp_entry_type from the directory entry */
	char meta_type;		/* enum sp_entry_type from the inode */
	uint32_t mode;		/* permission bits incl. setuid/setgid/sticky */
	uint32_t uid, gid;
	uint64_t size;
	uint32_t nlink;
	sp_time_ns atime, mtime, ctime, crtime;	/* SP_TIME_NONE if absent */
	sp_time_ns dtime;	/* ext deletion time, SP_TIME_NONE if absent */
	unsigned flags;		/* enum sp_entry_flags */
	/*
	 * With SP_WALK_XATTRS on a directory: the extended attributes
	 * (file capabilities are security.capability) as lines
	 * "name=HEX\n" in byte order of the names, "" for none; NULL when
	 * the evidence does not tell (images: libtsk reads none).
	 */
	const char *xattrs;
	int dir_fd;		/* with SP_ENTRY_DIR_FD */
};

/*
 * Returns SP_CB_CONTINUE, SP_CB_STOP (the walk returns SP_OK) or an SP_E_*
 * code that stops the walk with that error (enum sp_cb).
 */
typedef int sp_entry_fn(const struct sp_entry *e, void *arg);

enum sp_walk_flags {
	SP_WALK_RECURSE = 1 << 0,
	SP_WALK_ALLOCATED = 1 << 1,
	SP_WALK_DELETED = 1 << 2,
	SP_WALK_ALL = SP_WALK_ALLOCATED | SP_WALK_DELETED,
	SP_WALK_XATTRS = 1 << 3	/* fill sp_entry.xattrs where possible */
};

/*
 * Walk file system fs_index from path (NULL or "/" for the root): every
 * entry, in directory order, depth first.  Corrupt entries are recorded as
 * problems and skipped.  Returns SP_OK; the callback's code when it
 * stopped the walk with an error; SP_E_INTERRUPTED when ev's cancellation
 * token was tripped; or an error for a start path that cannot be opened.
 */
int sp_evidence_walk(struct sp_evidence *ev, unsigned fs_index,
    const char *path, unsigned flags, sp_entry_fn *fn, void *arg,
    struct sp_err *err);

/*
 * Which file systems of ev have path (names and NTFS streams are matched
 * as sp_evidence_read_file matches them): their indexes, in order, in
 * found[0..max), and how many have it in *nfound, which may exceed max.
 * Evidence with a single file system (a directory too) answers that one
 * without looking.  Returns SP_OK when at least one has it, else
 * SP_E_NOTFOUND with each file system's reason in err.
 */
int sp_evidence_locate(struct sp_evidence *ev, const char *path,
    unsigned *found, size_t max, size_t *nfound, struct sp_err *err);

/*
 * Receives content in order; returns SP_CB_CONTINUE, SP_CB_STOP (the read
 * ends with SP_OK) or an SP_E_* code, which the read returns (enum sp_cb).
 */
typedef int sp_data_fn(const void *buf, size_t len, void *arg);

/*
 * Read the content of the file at path in fs_index (for a directory,
 * relative to its root) and feed it to fn in chunks.  On NTFS the last
 * name may name a data stream as fls does, "name:stream" (also
 * "name:stream:$DATA", and "name::$DATA" for the default one); a name
 * found whole takes precedence over a stream.  Returns SP_OK, the error
 * code fn returned, SP_E_INTERRUPTED when ev's cancellation token was
 * tripped, SP_E_NOTFOUND saying which name is missing (or which step is
 * not a directory), SP_E_UNRECOVERABLE for a deleted file whose metadata
 * no longer says where its content was (ext2/3/4: no size, or no block
 * mapped), or the read's own error.
 */
int sp_evidence_read_file(struct sp_evidence *ev, unsigned fs_index,
    const char *path, sp_data_fn *fn, void *arg, struct sp_err *err);

/*
 * A file of an image by its metadata, not its name (a deleted name has
 * none to look up): the inode of file system fs and, for an NTFS
 * attribute, its type and id.
 */
struct sp_file_ref {
	const char *source;	/* the evidence path, for messages; borrowed */
	unsigned fs;		/* file system index */
	uint64_t inode;
	uint32_t attr_type;	/* 0: the file's default data attribute */
	uint16_t attr_id;
};

/*
 * The command line's inode syntax, "N" (an inode) or "N-T-I" (attribute
 * type T, id I of inode N), into ref's inode and attribute (source and fs
 * are left alone).  Returns SP_OK, or SP_E_USAGE when s is not that
 * syntax (then it names a path).
 */
int sp_file_ref_parse(const char *s, struct sp_file_ref *ref);

/* The reference of the entry e, seen in a walk of ev. */
void sp_entry_file_ref(const struct sp_evidence *ev, const struct sp_entry *e,
    struct sp_file_ref *ref);

/*
 * Read the content of the file or attribute ref names (its source is ev)
 * and feed it to fn in chunks, as sp_evidence_read_file does.  Deleted
 * files are read from their metadata where recoverable, else
 * SP_E_UNRECOVERABLE.  A directory has no inodes: SP_E_USAGE.
 */
int sp_evidence_read_ref(struct sp_evidence *ev, const struct sp_file_ref *ref,
    sp_data_fn *fn, void *arg, struct sp_err *err);

/* 1 when e has content to read (a regular file, or an NTFS data stream
 * of a file or a directory, whose metadata is its own, that is not a "."
 * repeat and has something on disk), 0 otherwise. */
int sp_entry_has_content(const struct sp_entry *e);

/*
 * Read the content of the entry e (seen in a walk of ev) and feed it to fn
 * in chunks; entries without content (see sp_entry_has_content) give SP_OK
 * and no data.  A deleted file is read through its metadata.
 */
int sp_evidence_read_entry(struct sp_evidence *ev, const struct sp_entry *e,
    sp_data_fn *fn, void *arg, struct sp_err *err);

struct sp_hash;

/*
 * Hash the content of the entry e (seen in a walk of ev) with the
 * algorithms in mask (SP_HASH_* bits) into a new *h, owned by the caller
 * (sp_hash_free).  Only regular files and NTFS data streams have content;
 * for others, and for deleted names whose inode now belongs to another
 * file, *h is NULL and SP_OK is returned.  So it is for a deleted file
 * whose content is not recoverable (SP_E_UNRECOVERABLE from a read),
 * which is also recorded as a problem of ev's run: no digest of nothing
 * passes for one of the evidence.
 */
int sp_evidence_hash_entry(struct sp_evidence *ev, const struct sp_entry *e,
    unsigned mask, struct sp_hash **h, struct sp_err *err);

/*
 * The SHA-256 of each file ev was read from, into seg[i] with its size in
 * sizes[i] (arrays of sp_evidence_segment_count entries), and of all of
 * them read in order as one stream into whole.  A directory has no files
 * of its own: SP_E_USAGE.
 */
int sp_evidence_hash_segments(const struct sp_evidence *ev,
    char (*seg)[SP_HASH_HEX_MAX], uint64_t *sizes,
    char whole[SP_HASH_HEX_MAX], struct sp_err *err);

/*
 * Hash every file the evidence was read from (each segment, SHA-256) and
 * record it as an input of run (chain of custody).  Directories are recorded
 * by path only.
 */
int sp_evidence_record_inputs(const struct sp_evidence *ev,
    struct sp_run *run, struct sp_err *err);

#endif
