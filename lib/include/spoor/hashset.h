/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hash sets: known-good and known-bad file hashes for the scanner, and the
 * digests the image's own package manager recorded for its files.
 *
 * A struct sp_hashset holds any number of loaded sets.  A set comes from a
 * plain list (md5sum/sha1sum/sha256sum output or one hash a line), from an
 * NSRL RDSv3 database (SQLite, looked up by SHA-256 through its FILE
 * table's primary key), or from spoor's own hash database, which
 * sp_hashdb_import fills from either of the two and which holds named sets
 * of MD5, SHA-1 and SHA-256 digests in one indexed table (schema in
 * spoor-hashset(1)).  Lists are kept in memory as sorted binary digests;
 * databases are queried through a prepared statement.
 *
 * A struct sp_pkgsums holds dpkg's per-package MD5 lists
 * (/var/lib/dpkg/info/PKG.md5sums) and conffiles read from an image, so the
 * scanner can tell a packaged file that is unchanged from one that was
 * modified.
 */
#ifndef SPOOR_HASHSET_H
#define SPOOR_HASHSET_H

#include <stddef.h>
#include <stdint.h>

#include "run.h"
#include "err.h"
#include "hash.h"

/* PRAGMA application_id of a spoor hash database ("SPHS"). */
#define SP_HASHDB_APPLICATION_ID 0x53504853
/* PRAGMA user_version of the hash database schema this build writes. */
#define SP_HASHDB_SCHEMA_VERSION 1

enum sp_hashset_kind {
	/*
	 * Only for loading and importing: the kind recorded in a spoor hash
	 * database; an NSRL RDSv3 is known-good; a plain list has none and
	 * is refused (SP_E_USAGE).
	 */
	SP_HASHSET_RECORDED = 0,
	SP_HASHSET_KNOWN_GOOD = 1,	/* a hit is skipped and counted */
	SP_HASHSET_KNOWN_BAD = 2	/* a hit is a detection */
};

enum sp_hashset_format {
	SP_HASHSET_LIST = 1,		/* plain text list */
	SP_HASHSET_NSRL = 2,		/* NSRL RDSv3 SQLite database */
	SP_HASHSET_HASHDB = 3		/* spoor hash database */
};

#define SP_HASHSET_NAME_MAX 1024

/* One hit, filled by the lookups; caller-owned. */
struct sp_hashset_match {
	enum sp_hashset_kind kind;
	enum sp_hash_alg alg;		/* the algorithm that matched */
	const char *set;		/* set name; owned by the hash set */
	const char *source;		/* file it was loaded from; ditto */
	char name[SP_HASHSET_NAME_MAX];	/* the entry's file name, or "" */
	int64_t size;			/* the entry's file size, or -1 */
};

/* What one loaded set holds, for a summary. */
struct sp_hashset_info {
	const char *name;		/* owned by the hash set */
	const char *source;		/* owned by the hash set */
	enum sp_hashset_kind kind;
	enum sp_hashset_format format;
	unsigned algorithms;		/* SP_HASH_* of its entries */
	uint64_t count[3];		/* entries per algorithm: MD5, SHA-1,
					   SHA-256 (NSRL: 0, not counted) */
	uint64_t malformed;		/* malformed lines of a list */
};

struct sp_hashset;

/* New empty hash set; *hs is owned by the caller until sp_hashset_free. */
int sp_hashset_new(struct sp_hashset **hs, struct sp_err *err);
/* Free hs and close its databases; accepts NULL. */
void sp_hashset_free(struct sp_hashset *hs);

/*
 * What the file at path is (SP_HASHSET_*), from its first bytes: an SQLite
 * file is a spoor hash database (by its application_id) or an NSRL RDSv3
 * (by its FILE table or view); anything else is a plain list.  An SQLite
 * file that is neither is SP_E_FORMAT.
 */
int sp_hashset_sniff(const char *path, enum sp_hashset_format *format,
    struct sp_err *err);

/*
 * Load the file at path (format sniffed) as one set (a list or an NSRL) or
 * as all the sets of a spoor hash database.  kind overrides the recorded
 * kind unless it is SP_HASHSET_RECORDED.  A list's or an NSRL's set is
 * named after the file's basename.  A
 * malformed line of a list is recorded as a problem of run ("file:line")
 * and skipped; a list in which no line is a hash but some are malformed is
 * SP_E_FORMAT.  path is copied.
 */
int sp_hashset_load(struct sp_hashset *hs, const char *path,
    enum sp_hashset_kind kind, struct sp_run *run, struct sp_err *err);

/*
 * Load a plain list from memory (buf, len bytes, borrowed for the call) as
 * set name (copied).  Lines as sp_hashset_load reads them; kind must be
 * known-good or known-bad.  Counts of what was read land in *info when it
 * is not NULL (its strings are owned by hs).
 */
int sp_hashset_load_buffer(struct sp_hashset *hs, const void *buf,
    size_t len, const char *name, enum sp_hashset_kind kind,
    struct sp_run *run, struct sp_hashset_info *info, struct sp_err *err);

/* The SP_HASH_* mask needed to look up everything loaded. */
unsigned sp_hashset_algorithms(const struct sp_hashset *hs);

/* Number of loaded sets, and what the i-th one holds (0 or SP_E_USAGE). */
size_t sp_hashset_count(const struct sp_hashset *hs);
int sp_hashset_info(const struct sp_hashset *hs, size_t i,
    struct sp_hashset_info *info);

/*
 * Look up the finalised digests of h (sp_hash_final) in every set: SP_OK
 * with *found 1 and *m filled when a set holds one of them, *found 0
 * when none does; an SP_E_* code on a database error.  A known-bad hit
 * wins over a known-good one; among equals the set loaded first.  Safe
 * to call from several threads at once once loading is done.
 */
int sp_hashset_lookup(const struct sp_hashset *hs, const struct sp_hash *h,
    struct sp_hashset_match *m, int *found, struct sp_err *err);

/*
 * Same, for one digest in hex (32, 40 or 64 digits, either case; the
 * length gives the algorithm).  A string that is no digest is
 * SP_E_USAGE.
 */
int sp_hashset_lookup_hex(const struct sp_hashset *hs, const char *hex,
    struct sp_hashset_match *m, int *found, struct sp_err *err);

/* Counts of one import into a hash database. */
struct sp_hashdb_stats {
	enum sp_hashset_format format;	/* of the source */
	uint64_t read;			/* hash records read (NSRL: distinct
					   SHA-256 rows) */
	uint64_t added;			/* digests new to the set */
	uint64_t duplicates;		/* digests the set already had */
	uint64_t malformed;		/* malformed lines of a list */
	char set[SP_HASHSET_NAME_MAX];	/* the set imported into */
	char source_sha256[SP_HASH_HEX_MAX];
	uint64_t source_size;
};

/*
 * Import source_path (a plain list or an NSRL RDSv3, sniffed) into the
 * spoor hash database at db_path, creating it when missing, as set
 * set_name (NULL: the source's basename).  An existing set is extended (digests already in
 * it are counted as duplicates); its kind must agree.  The whole import
 * is one transaction, recorded with the source's path, size, SHA-256 and
 * the time.  Malformed list lines are problems of run.  stats may be NULL.
 */
int sp_hashdb_import(const char *db_path, const char *source_path,
    const char *set_name, enum sp_hashset_kind kind, struct sp_run *run,
    struct sp_hashdb_stats *stats, struct sp_err *err);

/* One import recorded in a hash database; strings borrowed for the call. */
struct sp_hashdb_import {
	int64_t id;
	const char *set;
	const char *source;
	const char *source_sha256;
	int64_t source_size;
	const char *format;		/* "list" or "nsrl-rdsv3" */
	const char *time;		/* ISO-8601 UTC */
	uint64_t read, added, duplicates, malformed;
};

typedef int sp_hashdb_import_fn(const struct sp_hashdb_import *rec,
    void *arg);

/*
 * Call fn for each import recorded in the hash database at db_path, oldest
 * first.  fn returns SP_CB_CONTINUE, SP_CB_STOP (SP_OK is returned) or an
 * SP_E_* code, which is returned (enum sp_cb).
 */
int sp_hashdb_imports(const char *db_path, sp_hashdb_import_fn *fn,
    void *arg, struct sp_err *err);

/* ---- dpkg's own digests of an image's packaged files ---- */

struct sp_pkgsums;

enum sp_pkgsums_file {
	SP_PKGSUMS_NONE = 0,
	SP_PKGSUMS_MD5SUMS,		/* /var/lib/dpkg/info/PKG.md5sums */
	SP_PKGSUMS_CONFFILES,		/* /var/lib/dpkg/info/PKG.conffiles */
	SP_PKGSUMS_STATUS		/* /var/lib/dpkg/status */
};

enum sp_pkgsums_verdict {
	SP_PKGSUMS_UNKNOWN = 0,		/* no package lists the path */
	SP_PKGSUMS_VERIFIED,		/* the MD5 a package lists */
	SP_PKGSUMS_MODIFIED,		/* listed, with another MD5 */
	SP_PKGSUMS_CONFFILE		/* listed, another MD5, a conffile */
};

/* New empty store; *ps is owned by the caller until sp_pkgsums_free. */
int sp_pkgsums_new(struct sp_pkgsums **ps, struct sp_err *err);
void sp_pkgsums_free(struct sp_pkgsums *ps);

/*
 * What dpkg file the absolute path in an image is; for md5sums and
 * conffiles the package name ("libc6:amd64" from libc6:amd64.md5sums) is
 * written to pkg (size bytes) when pkg is not NULL.
 */
enum sp_pkgsums_file sp_pkgsums_file_kind(const char *path, char *pkg,
    size_t size);

/*
 * Add the content of package's md5sums file (buf, len bytes, borrowed for
 * the call): lines "MD5  path" with the path relative to /.  A malformed
 * line is a problem of run named "origin:line" and skipped.  package and
 * the paths are copied.  Returns SP_OK, or SP_E_NOMEM.
 */
int sp_pkgsums_add(struct sp_pkgsums *ps, const char *package,
    const void *buf, size_t len, const char *origin, struct sp_run *run,
    struct sp_err *err);

/*
 * Add conffiles: the content of a PKG.conffiles (one absolute path a line,
 * optionally after flag words such as "remove-on-upgrade") or, when
 * status is non-zero, of /var/lib/dpkg/status (its Conffiles fields).
 */
int sp_pkgsums_add_conffiles(struct sp_pkgsums *ps, const void *buf,
    size_t len, int status, struct sp_err *err);

/*
 * The MD5 (hex, lower case) the first package listing the absolute path
 * ("/usr/bin/ls") gives it, with that package's name in *package when
 * package is not NULL; NULL when no package lists the path.  The strings
 * are owned by ps, valid until sp_pkgsums_free.
 */
const char *sp_pkgsums_lookup(const struct sp_pkgsums *ps, const char *path,
    const char **package);

/*
 * Check a file's MD5 (hex, either case) against every package listing
 * path; *package (may be NULL) names the package that matched or, when
 * none did, the first that lists it.
 */
enum sp_pkgsums_verdict sp_pkgsums_verify(const struct sp_pkgsums *ps,
    const char *path, const char *md5hex, const char **package);

/* 1 when path was added as a conffile. */
int sp_pkgsums_is_conffile(const struct sp_pkgsums *ps, const char *path);

/* Numbers of packages and of listed paths added so far. */
size_t sp_pkgsums_packages(const struct sp_pkgsums *ps);
size_t sp_pkgsums_paths(const struct sp_pkgsums *ps);

#endif
