/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared record formats: TSK bodyfile v3 lines, fls-style listing lines and
 * the JSON form of an entry, so every tool writes them the same way.
 */
#ifndef SPOOR_OUTPUT_H
#define SPOOR_OUTPUT_H

#include <stdio.h>

#include "evidence.h"
#include "json.h"

enum sp_bodyfile_flags {
	SP_BODYFILE_NS = 1 << 0	/* times as seconds.nanoseconds */
};

/*
 * The "r/rrwxr-xr-x" style mode of e (name type, '/', meta type and
 * permissions, as fls -m writes it) into buf (at least 16 bytes).
 */
char *sp_entry_mode_string(const struct sp_entry *e, char *buf, size_t size);

/* The inode as fls prints it ("15", "32-128-6") into buf (>= 48 bytes). */
char *sp_entry_inode_string(const struct sp_entry *e, char *buf, size_t size);

/*
 * Write e as one bodyfile v3 line (MD5|name|inode|mode|UID|GID|size|atime|
 * mtime|ctime|crtime).  md5 may be NULL ("0").  Control characters in names
 * become '^' as in TSK, so a line never breaks.
 */
void sp_bodyfile_write(FILE *out, const struct sp_entry *e, const char *md5,
    unsigned flags);

struct sp_strbuf;

/*
 * Append to sb the file systems of ev whose indexes are idx[0..n), or all
 * of them when idx is NULL, as messages name them: "0 (fat16 at offset
 * 1048576), 1 (ext4 at offset 9437184)".  SP_OK or SP_E_NOMEM.
 */
int sp_fs_list_write(struct sp_strbuf *sb, const struct sp_evidence *ev,
    const unsigned *idx, size_t n);

/*
 * Write e as fls -r -p writes it ("r/r * 15:\tdir/name"), with newline;
 * $FILE_NAME time entries are not names and are not written, as in fls.
 */
void sp_fls_write(FILE *out, const struct sp_entry *e);

struct sp_hash;

/*
 * Write e as one JSON record (schema SP_JSON_SCHEMA), with newline; with a
 * finished hash h (may be NULL), its digests as "md5", "sha1", "sha256".
 */
void sp_entry_json_write(struct sp_json *w, const struct sp_entry *e,
    const struct sp_hash *h);

/*
 * As sp_entry_json_write, for a listing that hashes content with the
 * algorithms in mask (SP_HASH_* bits): an entry that has content (see
 * sp_entry_has_content) but no digests, because its content is not
 * recoverable or could not be read, has each of those keys as null.
 */
void sp_entry_json_write_hashed(struct sp_json *w, const struct sp_entry *e,
    const struct sp_hash *h, unsigned mask);

/*
 * Write one row of mactime's output for e at time sec (seconds; 0 when
 * the entry has none of those times) with the MACB letters in macb
 * (bit 0 m, 1 a, 2 c, 3 b).  date is the formatted date, or NULL to write
 * spaces of the same width as the previous date (mactime's repeat).  With
 * csv, write mactime -d's row instead.
 */
void sp_mactime_write(FILE *out, const struct sp_entry *e, unsigned macb,
    const char *date, size_t date_width, int csv);

/*
 * Print s to out with every control character made visible as \xHH: C0
 * (ESC is \x1b), DEL, C1 (U+0080-U+009F, \xc2\x9b) and each byte that is
 * no part of well-formed UTF-8, so that no terminal obeys any of it.
 */
void sp_print_safe(FILE *out, const char *s);

#endif
