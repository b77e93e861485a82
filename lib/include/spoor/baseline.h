/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Baselines: a snapshot of what a system holds — every allocated file
 * with its type, mode, owner, size, SHA-256, link target, times and
 * extended attributes, and what its configuration says (packages, users,
 * groups, systemd units and timers, cron entries, sudoers rules,
 * authorized keys, ld.so.preload) — taken from evidence, kept in a SQLite
 * file of its own (spoor-baseline(1)) and compared with the evidence
 * later (drift), or used to tell which executables nothing vouches for
 * (allowlist).  Ignore and allowlist files are parsed here too.
 */
#ifndef SPOOR_BASELINE_H
#define SPOOR_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "evidence.h"
#include "run.h"
#include "time.h"

/* PRAGMA application_id of a baseline file ("SPBL") and its schema. */
#define SP_BASELINE_APPLICATION_ID 0x5350424c
#define SP_BASELINE_SCHEMA 2

/* The change classes of a file, AIDE's attributes grouped. */
enum sp_bl_class {
	SP_BL_CONTENT = 1 << 0,		/* SHA-256 */
	SP_BL_SIZE = 1 << 1,
	SP_BL_PERM = 1 << 2,		/* mode bits, setuid/setgid/sticky */
	SP_BL_OWNER = 1 << 3,		/* uid, gid */
	SP_BL_TYPE = 1 << 4,
	SP_BL_LINK = 1 << 5,		/* symbolic link target */
	SP_BL_TIMES = 1 << 6,		/* mtime, ctime */
	SP_BL_XATTRS = 1 << 7,		/* extended attributes, capabilities */
	SP_BL_ALL = 0xff
};

/*
 * The name of one class ("content", "size", "permissions", "owner",
 * "type", "link", "times", "xattrs").
 */
const char *sp_bl_class_name(unsigned one_class);
/* The classes of mask as "content,times" into buf (size bytes). */
const char *sp_bl_classes_text(unsigned mask, char *buf, size_t size);

/* One file of a snapshot; strings owned by the snapshot. */
struct sp_bl_file {
	unsigned fs;		/* file system index */
	const char *path;
	char type;		/* enum sp_entry_type */
	uint32_t mode, uid, gid;
	uint64_t size;
	const char *sha256;	/* regular files; NULL when unread */
	const char *md5;	/* executables only, for dpkg; or NULL */
	const char *link;	/* symbolic link target, or NULL */
	sp_time_ns mtime, ctime;
	const char *xattrs;	/* as sp_entry.xattrs; NULL: unknown */
	int exec;		/* enum sp_bl_exec bits; 0: not executable */
};

/* Why a file counts as executable (bits of sp_bl_file.exec). */
enum sp_bl_exec {
	SP_BL_EXEC_MODE = 1 << 0,	/* an x bit of its mode */
	SP_BL_EXEC_SCRIPT = 1 << 1,	/* it starts with "#!" */
	SP_BL_EXEC_ELF = 1 << 2		/* it is an ELF file */
};

/* The kinds of configuration items a snapshot keeps. */
enum sp_bl_item_kind {
	SP_BL_PACKAGE,		/* key name[:arch], value version */
	SP_BL_USER,		/* key name, value the passwd line */
	SP_BL_GROUP,		/* key name, value the group line */
	SP_BL_UNIT,		/* key path, value its directives */
	SP_BL_TIMER,		/* key path, value its directives */
	SP_BL_CRON,		/* key "path: line", value "" */
	SP_BL_SUDOERS,		/* key "path: line", value "" */
	SP_BL_KEY,		/* key "path: line", value "" */
	SP_BL_PRELOAD,		/* key "path: line", value "" */
	SP_BL_PROFILE,		/* key "path: line" of a shell profile */
	SP_BL_LISTEN,		/* key "path: line" that opens a listening
				 * socket (schema 2) */
	SP_BL_NKINDS
};

/* "package", "user", "group", "unit", "timer", "cron", "sudoers", "key",
 * "preload", "profile", "listen". */
const char *sp_bl_item_kind_name(enum sp_bl_item_kind k);

struct sp_bl_item {
	enum sp_bl_item_kind kind;
	const char *key, *value;
};

struct sp_baseline;

enum sp_baseline_flags {
	/* read no content: no SHA-256 (a quick listing) */
	SP_BASELINE_NO_HASH = 1 << 0,
	/* the MD5 of every regular file, not only of executables (what
	 * the allowlist checks every referenced file with) */
	SP_BASELINE_ALL_MD5 = 1 << 1
};

/*
 * Take a snapshot of every allocated entry of every file system of ev:
 * regular files are read and hashed, configuration files parsed.
 * Unreadable entries are problems of run (may be NULL).  *b is owned by
 * the caller until sp_baseline_free.  Returns SP_OK, SP_E_INTERRUPTED,
 * or the walk's error.
 */
int sp_baseline_take(struct sp_baseline **b, struct sp_evidence *ev,
    unsigned flags, struct sp_run *run, struct sp_err *err);

/*
 * Write b to a new baseline file at path (an existing one is refused,
 * SP_E_EXISTS, unless force).  source names the evidence it was taken
 * from, kept in the file.
 */
int sp_baseline_save(const struct sp_baseline *b, const char *path,
    const char *source, int force, struct sp_err *err);

/*
 * Read the baseline file at path into *b.  A missing file is
 * SP_E_NOINPUT, a file that is not a baseline (or a damaged one)
 * SP_E_FORMAT, a newer schema SP_E_SCHEMA.
 */
int sp_baseline_load(struct sp_baseline **b, const char *path,
    struct sp_err *err);
void sp_baseline_free(struct sp_baseline *b);

/* The evidence a loaded baseline was taken from ("" when unknown). */
const char *sp_baseline_source(const struct sp_baseline *b);
/* When it was taken. */
sp_time_ns sp_baseline_time(const struct sp_baseline *b);
size_t sp_baseline_file_count(const struct sp_baseline *b);
const struct sp_bl_file *sp_baseline_file(const struct sp_baseline *b,
    size_t i);
size_t sp_baseline_item_count(const struct sp_baseline *b,
    enum sp_bl_item_kind kind);
/* The file at path in file system fs, or NULL. */
const struct sp_bl_file *sp_baseline_find(const struct sp_baseline *b,
    unsigned fs, const char *path);

/* ---- ignore and allowlist files ---- */

struct sp_bl_rules;

/*
 * Add the rules of buf (len bytes, any bytes) to r.  An ignore file has
 * one rule a line, "PATTERN [CLASS[,CLASS...]]"; an allowlist (r made
 * with allow non-zero) has "PATTERN" or a SHA-256 ("sha256:HEX" or 64
 * hex digits).
 * Patterns are absolute; a star matches within one name, two stars
 * across names, a question mark one character; a pattern ending in
 * "/" and two stars matches that directory itself too.  Blank lines and
 * lines starting with '#' are skipped.  A bad line is SP_E_DATA naming
 * origin and its line number; the lines before it stay added.
 */
int sp_bl_rules_parse(struct sp_bl_rules *r, const char *buf, size_t len,
    const char *origin, struct sp_err *err);
/* The same from the file at path (SP_E_NOINPUT when it cannot be read). */
int sp_bl_rules_load(struct sp_bl_rules *r, const char *path,
    struct sp_err *err);
/* Add the built-in ignore rules (spoor-baseline(1)) to r. */
int sp_bl_rules_add_defaults(struct sp_bl_rules *r, struct sp_err *err);
/*
 * An empty set of ignore rules, or with allow non-zero of an allowlist;
 * *r is owned by the caller until sp_bl_rules_free.
 */
int sp_bl_rules_new(struct sp_bl_rules **r, int allow, struct sp_err *err);
void sp_bl_rules_free(struct sp_bl_rules *r);
size_t sp_bl_rules_count(const struct sp_bl_rules *r);
/* The classes the rules ignore for path (SP_BL_ALL: the whole path). */
unsigned sp_bl_rules_ignored(const struct sp_bl_rules *r, const char *path);
/* Whether an allowlist allows path or the SHA-256 sha256 (may be NULL). */
int sp_bl_rules_allows(const struct sp_bl_rules *r, const char *path,
    const char *sha256);
/* Whether pattern matches path (the rules' glob syntax). */
int sp_bl_glob_match(const char *pattern, const char *path);

/* ---- drift ---- */

enum sp_bl_status { SP_BL_ADDED, SP_BL_REMOVED, SP_BL_CHANGED };
const char *sp_bl_status_name(enum sp_bl_status s);

/*
 * One difference.  A file's (item_kind -1) has old and/or new and the
 * changed classes; an item's has its key and old and/or new values.
 * important is non-zero for what deserves a detection, with reason.
 * Everything is borrowed for the callback only.
 */
struct sp_bl_change {
	enum sp_bl_status status;
	int item_kind;			/* enum sp_bl_item_kind, or -1 */
	const struct sp_bl_file *old, *new;
	unsigned classes;
	const char *key, *old_value, *new_value;
	int important;
	const char *reason;
};

typedef int sp_bl_change_fn(const struct sp_bl_change *c, void *arg);

/* Counts of a comparison. */
struct sp_bl_diff_counts {
	uint64_t added, removed, changed, important, ignored;
};

/*
 * Compare the baseline old with the snapshot new, calling fn for each
 * difference not ignored by ignore (may be NULL): files in order of file
 * system and path, then items by kind and key.  fn returns
 * SP_CB_CONTINUE, SP_CB_STOP or an error (enum sp_cb).
 */
int sp_baseline_diff(const struct sp_baseline *old,
    const struct sp_baseline *new, const struct sp_bl_rules *ignore,
    sp_bl_change_fn *fn, void *arg, struct sp_bl_diff_counts *counts,
    struct sp_err *err);

/* ---- allowlist ---- */

/* An executable nothing vouches for; borrowed for the callback only. */
struct sp_bl_unvouched {
	const struct sp_bl_file *file;	/* NULL: named but not found */
	const char *path;
	const char *what;	/* "elf", "script", "web-script",
				 * "executable", "referenced", "missing" */
	const char *why;	/* "not in any package, not allowlisted" */
	const char *from;	/* what names it ("cron /etc/crontab:3"), or
				 * NULL */
};

typedef int sp_bl_unvouched_fn(const struct sp_bl_unvouched *u, void *arg);

struct sp_bl_allow_counts {
	uint64_t executables, packaged, baseline, allowlisted, unvouched;
	uint64_t missing;	/* commands named that are not there */
};

/*
 * Check every executable of the snapshot snap (ELF, "#!" scripts, files
 * with an x bit, scripts under a web root, and whatever units, timers,
 * cron entries, ld.so.preload and shell profiles name) against the
 * package manager's digests of snap, the baseline base (may be NULL) and
 * the allowlist allow (may be NULL); fn is called for each that none of
 * them vouches for.
 */
int sp_baseline_allowlist(const struct sp_baseline *snap,
    const struct sp_baseline *base, const struct sp_bl_rules *allow,
    sp_bl_unvouched_fn *fn, void *arg, struct sp_bl_allow_counts *counts,
    struct sp_err *err);

/*
 * The JSON object of a difference or of an unvouched executable (the
 * typed fields of its event and the record of --json): a string the
 * caller frees, or NULL when out of memory.
 */
char *sp_bl_change_json(const struct sp_bl_change *c);
char *sp_bl_unvouched_json(const struct sp_bl_unvouched *u);

/* ---- the case ---- */

struct sp_bl_recorder;

/*
 * A recorder of differences or unvouched executables into the case of
 * run (attached), under a new source for the evidence ev.  *r is owned
 * by the caller until sp_bl_recorder_finish.
 */
int sp_bl_recorder_new(struct sp_bl_recorder **r, struct sp_run *run,
    struct sp_evidence *ev, struct sp_err *err);
/* A difference as a "drift" event, and a detection when it matters. */
int sp_bl_record_change(struct sp_bl_recorder *r,
    const struct sp_bl_change *c, struct sp_err *err);
/* An unvouched executable as a detection (namespace "allowlist"). */
int sp_bl_record_unvouched(struct sp_bl_recorder *r,
    const struct sp_bl_unvouched *u, struct sp_err *err);
/* Commit, finish the source and free r (NULL is fine). */
int sp_bl_recorder_finish(struct sp_bl_recorder *r, struct sp_err *err);

/*
 * Record the baseline file at path (its SHA-256 and size) in the case of
 * run as a source of kind "baseline".
 */
int sp_baseline_record_file(struct sp_run *run, const char *path,
    struct sp_err *err);

#endif
