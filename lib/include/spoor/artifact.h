/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Artifact parsers: logs and records that say who did what (syslog, auth,
 * auditd, logins, shell history, packages, persistence, the journal, web
 * logs), each turned into typed events with their provenance.  A parser
 * reads one stream and hands each event to the context's emit function;
 * a malformed record is a problem (sp_artifact_problem), never a stop.
 */
#ifndef SPOOR_ARTIFACT_H
#define SPOOR_ARTIFACT_H

#include <stdint.h>
#include <stdio.h>

#include "run.h"
#include "err.h"
#include "json.h"
#include "time.h"
#include "cancel.h"

/* One event; every pointer is borrowed for the duration of emit. */
struct sp_event {
	sp_time_ns time;
	const char *time_desc;	/* "login", "exec", "connect", "install" ... */
	const char *artifact;	/* "syslog", "auth", "audit", "wtmp" ... */
	const char *host;	/* NULL: the context's host */
	const char *user;
	int64_t pid, ppid;	/* -1 when unknown */
	const char *exe;
	const char *path;	/* the file the event is about, if any */
	/*
	 * Process identity, where the record tells it: a pid alone collides
	 * across boots and hosts.  boot_id is the source's own name for the
	 * boot (journal _BOOT_ID, or "boot@<UTC ns>" from a boot record);
	 * NULL, or -1 for the numbers, when unknown.
	 */
	const char *boot_id;
	int64_t session;	/* audit ses / login session id */
	int64_t auid;		/* audit (login) uid */
	const char *tty;
	const char *cwd;
	const char *message;	/* a human summary, never NULL */
	const char *extra;	/* JSON object text of typed fields, or NULL */
	int64_t line;		/* 1-based line in the origin, or 0 */
	int64_t offset;		/* byte offset of the record, or -1 */
};

/*
 * Initialise e: no time, pid/ppid/session/auid -1, offset -1, everything
 * else 0.
 */
void sp_event_init(struct sp_event *e);

/*
 * The users of one source, uid to name, from its own /etc/passwd: what a
 * parser uses to name the user of a record that only gives a uid.
 */
struct sp_users;

/*
 * Read an /etc/passwd stream into a new map in *out (empty when no line
 * is "name:password:uid:..." with a numeric uid and a printable name;
 * such lines are skipped, and the first line of a uid wins, as for
 * getpwuid).  Returns SP_OK, SP_E_IO or SP_E_NOMEM with err set.  The
 * caller frees *out with sp_users_free.
 */
int sp_users_load(FILE *in, struct sp_users **out, struct sp_err *err);
/* The name of uid in u (which may be NULL), or NULL; owned by u. */
const char *sp_users_name(const struct sp_users *u, int64_t uid);
/* The number of uids u names (0 for NULL). */
size_t sp_users_count(const struct sp_users *u);
void sp_users_free(struct sp_users *u);

/*
 * A time zone: what turns the local times of classic syslog, dpkg.log and
 * apt's history.log into UTC.  Read from TZif content (RFC 8536 versions
 * 1 to 4, with the footer's POSIX TZ string for times past the table) or
 * from a POSIX TZ string; never from the C library, whose zone is the
 * reading machine's.
 */
struct sp_zone;

/*
 * A zone from the TZif bytes buf (len bytes, borrowed for the call; from
 * evidence, so checked before anything is sized by them) named name (or,
 * when NULL, by its footer).  Returns SP_OK, SP_E_FORMAT for bytes that
 * are not TZif, SP_E_CORRUPT, SP_E_NOMEM.  *z is the caller's until
 * sp_zone_free.
 */
int sp_zone_from_tzif(struct sp_zone **z, const void *buf, size_t len,
    const char *name, struct sp_err *err);
/* A zone from a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"). */
int sp_zone_from_posix(struct sp_zone **z, const char *tz,
    struct sp_err *err);
/*
 * The zone called name in this machine's tz database ($TZDIR or
 * /usr/share/zoneinfo), read as TZif by sp_zone_from_tzif; a name it
 * does not have is read as a POSIX TZ string when it has a digit, and
 * "UTC" is always known.  SP_E_USAGE for an unknown name.
 */
int sp_zone_load(struct sp_zone **z, const char *name, struct sp_err *err);
void sp_zone_free(struct sp_zone *z);
/* z's name ("Europe/Berlin", or its POSIX string); owned by z. */
const char *sp_zone_name(const struct sp_zone *z);
void sp_zone_set_name(struct sp_zone *z, const char *name);
/* The offset east of UTC, in seconds, in force at UTC second utc. */
int32_t sp_zone_offset(const struct sp_zone *z, int64_t utc);

enum sp_zone_fit {
	SP_ZONE_EXACT,		/* the local time happened once */
	SP_ZONE_AMBIGUOUS,	/* twice (clocks went back): the first */
	SP_ZONE_GAP		/* never (clocks went forward): read with the
				   offset before the change */
};
/* *utc = the UTC second of the local second local in z; an sp_zone_fit. */
int sp_zone_to_utc(const struct sp_zone *z, int64_t local, int64_t *utc);

struct sp_artifact_ctx {
	const char *origin;	/* path of the artifact (in the evidence) */
	sp_time_ns origin_mtime;	/* its modification time, or NONE */
	const char *host;	/* host label of the source, or NULL */
	struct sp_run *run;	/* where problems go; may be NULL */
	/* the source's users (its /etc/passwd), or NULL; borrowed */
	const struct sp_users *users;
	/*
	 * The zone of local times without one (syslog, dpkg, apt), or NULL:
	 * read as UTC and marked "UTC assumed".  Borrowed.
	 */
	const struct sp_zone *zone;
	/*
	 * Receives each event; returns SP_CB_CONTINUE or an SP_E_* code
	 * that stops the parser with that error (enum sp_cb).
	 */
	int (*emit)(const struct sp_event *e, void *arg);
	void *arg;
	uint64_t events;	/* events emitted (kept by sp_artifact_emit) */
	uint64_t problems;	/* records skipped */
};

/*
 * Hand e to ctx->emit and count it; returns emit's value.  An empty
 * boot_id, tty or cwd reaches emit as NULL, whatever the parser.
 */
int sp_artifact_emit(struct sp_artifact_ctx *ctx, const struct sp_event *e);

/* Record a skipped record of the origin at line (0: none) and count it. */
void sp_artifact_problem(struct sp_artifact_ctx *ctx, int64_t line,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * A line of a text artifact, read by sp_line_read.  Caller-owned: zero it
 * before the first read, sp_line_release it after the last.
 */
struct sp_line {
	char *p;		/* the line, NUL-terminated; owned by l */
	size_t len, cap;
	int64_t number;		/* 1-based number of the line in p */
	int too_long;		/* sp_artifact_lines: p holds only the first
				   max bytes of a longer line */
};

/*
 * Read the next line of in into l, without its newline and one trailing
 * CR.  Of a line longer than max bytes the first max are kept, the rest
 * is consumed and *too_long set.  Returns 1 with a line, 0 at the end, -1
 * on a read error (errno as the read left it), -2 out of memory.
 */
int sp_line_read(struct sp_line *l, FILE *in, size_t max, int *too_long);
void sp_line_release(struct sp_line *l);

/*
 * Whether a parser should look at l: a line longer than max (too_long)
 * and one with a NUL byte are recorded as problems instead.
 */
int sp_line_usable(struct sp_artifact_ctx *ctx, const struct sp_line *l,
    int too_long, size_t max);

/* Set err for r, a failed sp_line_read (-1 or -2); returns the code. */
int sp_line_error(int r, struct sp_err *err);

/*
 * What sp_artifact_lines withholds from fn.  By default a line longer
 * than max or with a NUL byte is recorded as a problem (sp_line_usable)
 * and every other line is handed on.
 */
#define SP_LINES_SKIP_EMPTY	0x1	/* empty lines are not handed on */
#define SP_LINES_KEEP_BAD	0x2	/* too long (l->too_long set) and NUL
					   lines go to fn, which judges them */

/*
 * Called for each line l of the stream, which fn may change in place
 * (not grow); returns 0 to go on, anything else to stop.
 */
typedef int sp_line_fn(struct sp_artifact_ctx *ctx, struct sp_line *l,
    void *arg);

/*
 * The line loop every text parser shares: read in line by line (at most
 * max bytes each, see sp_line_read) and call fn on every line the flags
 * let through.  Returns SP_OK at the end of in, SP_E_IO or SP_E_NOMEM
 * with err set when the read fails, or the non-zero value fn returned.
 */
int sp_artifact_lines(struct sp_artifact_ctx *ctx, FILE *in, size_t max,
    unsigned flags, sp_line_fn *fn, void *arg, struct sp_err *err);

/*
 * sp_artifact_lines for the parsers that build each event's typed fields:
 * fn's arg is a struct sp_extra * kept across the lines and released at
 * the end; running out of memory is said as "what: out of memory".
 */
int sp_artifact_lines_extra(struct sp_artifact_ctx *ctx, FILE *in,
    size_t max, unsigned flags, sp_line_fn *fn, const char *what,
    struct sp_err *err);

/*
 * Parse the whole of in.  Returns SP_OK (malformed records are problems),
 * SP_E_IO on a read error, or the non-zero value emit returned.
 */
typedef int sp_artifact_parse_fn(struct sp_artifact_ctx *ctx, FILE *in,
    struct sp_err *err);

struct sp_artifact_kind {
	const char *name;		/* "syslog", "audit", ... */
	const char *description;
	sp_artifact_parse_fn *parse;
	/*
	 * Where the artifact lives, as fnmatch(3) patterns on the path from
	 * the root ('*' does not cross '/'); NULL-terminated.  Rotated names
	 * (".1", ".2.gz") are matched by the patterns themselves.
	 */
	const char *const *paths;
};

/* The known kinds, in a fixed order; NULL past the end. */
const struct sp_artifact_kind *sp_artifact_kind_at(size_t i);
/* The kind called name, or NULL. */
const struct sp_artifact_kind *sp_artifact_find(const char *name);
/*
 * 1 when name is an artifact an event of a case can have: a kind of the
 * registry, or one the parsers and the passes after a load write beside
 * them ("auth", "wtmp", "persistence", "process", "fs", "detection" ...).
 */
int sp_artifact_written(const char *name);
/* The first kind whose paths match path, or NULL. */
const struct sp_artifact_kind *sp_artifact_match(const char *path);

/*
 * Parse list ("syslog,audit", "all") into a bit mask over the kinds'
 * indexes.  Returns SP_OK or SP_E_USAGE naming the unknown kind.
 */
int sp_artifact_parse_list(const char *list, uint64_t *mask,
    struct sp_err *err);

/*
 * Typed fields of an event, built as one JSON object text: begin, add
 * fields (NULL strings are left out), then sp_extra_text.  The text lives
 * until sp_extra_release or the next begin.
 */
struct sp_extra {
	char *buf;
	size_t len, cap;
	FILE *f;		/* writes into buf; kept across events */
	struct sp_json w;
	int open;
};

void sp_extra_begin(struct sp_extra *x);
void sp_extra_str(struct sp_extra *x, const char *key, const char *value);
void sp_extra_strn(struct sp_extra *x, const char *key, const char *value,
    size_t len);
void sp_extra_int(struct sp_extra *x, const char *key, int64_t value);
/* Start a nested array of strings under key; end it with _array_end. */
void sp_extra_array_begin(struct sp_extra *x, const char *key);
void sp_extra_array_str(struct sp_extra *x, const char *value);
void sp_extra_array_int(struct sp_extra *x, int64_t value);
void sp_extra_array_end(struct sp_extra *x);
void sp_extra_bool(struct sp_extra *x, const char *key, int value);
const char *sp_extra_text(struct sp_extra *x);
void sp_extra_release(struct sp_extra *x);

/*
 * A collection of spoor-collect (see spoor-case(5)): a directory with
 * manifest.jsonl (a header, one line per item with its size and SHA-256,
 * an end line), the volatile JSON Lines under volatile/ (processes,
 * sockets, network, system, the collector's findings), bodyfile.txt,
 * files/ (the triage files under their absolute paths) and
 * memory/PID.lime.  Everything in it was written
 * on a host an attacker may have controlled: every line is bounded and
 * checked, and items are opened beneath the collection's root only.
 */
struct sp_collection;

/* One item of the manifest; strings owned by the collection. */
struct sp_collection_item {
	const char *path;	/* relative to the root, checked */
	const char *type;	/* volatile file bodyfile memory log map */
	const char *sha256;	/* lower-case hex, or NULL when not given */
	const char *source;	/* the path on the host, or NULL */
	int64_t size;		/* -1 when not given */
	sp_time_ns mtime;	/* of the source, or SP_TIME_NONE */
	int truncated, changed;
};

/* A finding of the collector, handed to sp_collection_set_finding_fn. */
struct sp_collection_finding {
	const char *kind;	/* hidden_process, deleted_exe, ... */
	const char *severity;	/* info low medium high critical */
	const char *reason;
	const char *path, *name;	/* NULL when not given */
	const char *exe;	/* of pid, from processes.jsonl, or NULL */
	int64_t pid;		/* -1 when not given */
	sp_time_ns time;
	int64_t line;		/* in findings.jsonl */
};

enum sp_collection_sniff {
	SP_COLLECTION_NONE,	/* not a collection */
	SP_COLLECTION_DIR,	/* a directory whose manifest says so */
	SP_COLLECTION_TAR	/* a tar whose first member is manifest.jsonl */
};

/* What path is: a collection directory, a collection tar, or neither. */
enum sp_collection_sniff sp_collection_sniff(const char *path);

/*
 * Open the collection directory at path and read its manifest.  A
 * malformed manifest line, an unsafe item path, a missing end line or a
 * collection the collector marked partial are problems of run (which may
 * be NULL and is borrowed).  Returns SP_OK, SP_E_FORMAT when path is not a
 * collection (a tar of one says it must be extracted first), or the
 * open's error.  *c is the caller's until sp_collection_close.
 */
int sp_collection_open(struct sp_collection **c, const char *path,
    struct sp_run *run, struct sp_err *err);
void sp_collection_close(struct sp_collection *c);

/* The path given to sp_collection_open; owned by c. */
const char *sp_collection_path(const struct sp_collection *c);
/* The header's host, boot id ("" when absent); owned by c. */
const char *sp_collection_host(const struct sp_collection *c);
const char *sp_collection_boot_id(const struct sp_collection *c);
/* When the collection started (the header's started_ns), or NONE. */
sp_time_ns sp_collection_started(const struct sp_collection *c);
/* The manifest's own SHA-256 (hex) and size: the collection's identity. */
const char *sp_collection_manifest_sha256(const struct sp_collection *c);
uint64_t sp_collection_manifest_size(const struct sp_collection *c);
size_t sp_collection_item_count(const struct sp_collection *c);
/* Item i in manifest order, or NULL; owned by c. */
const struct sp_collection_item *sp_collection_item(
    const struct sp_collection *c, size_t i);
/* The item whose path is path, or NULL; owned by c. */
const struct sp_collection_item *sp_collection_find(
    const struct sp_collection *c, const char *path);

/*
 * Check every item against the manifest: each one missing, not a regular
 * file, or whose size or SHA-256 differs is a problem of run naming it.
 * *bad (may be NULL) receives how many failed.  Returns SP_OK, or
 * SP_E_INTERRUPTED when cancel is tripped, SP_E_NOMEM.
 */
int sp_collection_verify(struct sp_collection *c, struct sp_run *run,
    const struct sp_cancel *cancel, size_t *bad, struct sp_err *err);

/*
 * Open the file at rel (relative to the collection's root) read-only,
 * following no symbolic link at any step, into *fd (the caller's).
 */
int sp_collection_open_file(const struct sp_collection *c, const char *rel,
    int *fd, struct sp_err *err);

/* Called for each finding parsed; returns 0 or an SP_E_* code to stop. */
typedef int sp_collection_finding_fn(const struct sp_collection_finding *f,
    void *arg);
/* Set what sp_collection_parse hands findings to (fn NULL: nobody). */
void sp_collection_set_finding_fn(struct sp_collection *c,
    sp_collection_finding_fn *fn, void *arg);

/*
 * Parse a volatile item of c (the record kind from ctx->origin's name:
 * processes, sockets, network, system or findings .jsonl) into events
 * through ctx.  Processes are remembered by pid, so parse processes.jsonl
 * first for sockets and findings to name them.  A malformed line is a
 * problem and skipped.  Returns SP_OK, SP_E_IO, SP_E_NOMEM or what emit
 * returned.
 */
int sp_collection_parse(struct sp_collection *c, struct sp_artifact_ctx *ctx,
    FILE *in, struct sp_err *err);

#endif
