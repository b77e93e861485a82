/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The read cursors of a case (see include/spoor/query.h): the SQL that
 * reads events, files and detections, built from a filter and a page key,
 * one prepared statement per cursor stepped a row at a time.  Keyset pages
 * compare the row value (time_ns, id) so SQLite seeks the events_time index
 * instead of counting past an offset.  What a row carries from other
 * tables (its marks, the severity of its detections) and what a filter
 * asks of them (a tag) are correlated subqueries through an index on the
 * other table, so a page still walks events_time and pays a seek or two
 * per row it gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/evidence.h"
#include "spoor/query.h"
#include "spoor/severity.h"
#include "case/case-internal.h"

enum query_kind {
	Q_EVENTS, Q_FILES, Q_FILE_TIMES, Q_DETECTIONS, Q_HISTOGRAM, Q_MARKS
};

struct sp_query {
	enum query_kind kind;
	sqlite3 *db;
	sqlite3_stmt *st;
	int has_row;
	struct sp_event_row event;
	struct sp_file_time_row ftime;	/* .file serves Q_FILES too */
	struct sp_detection_row detection;
	struct sp_mark_row mark;
	/* histogram: the bucket being counted and the one given out */
	sp_time_ns width;
	int per_artifact, pending, done;
	struct sp_query_bucket pend, out;
	char *pend_artifact, *out_artifact;
	char *text;		/* an fs event's message, made from its row */
	size_t textcap;
};

/* Parameters bound in the order their '?' were written. */
#define MAX_BINDS 64
struct binds {
	int n;
	struct {
		int text;
		int64_t i;
		const char *s;
	} v[MAX_BINDS];
};

struct sql {
	char *buf;
	size_t len, size;
	int oom;
};

static void
sql_add(struct sql *q, const char *s)
{
	size_t n = strlen(s);
	char *p;

	if (q->oom)
		return;
	if (q->len + n + 1 > q->size) {
		q->size = (q->len + n + 1) * 2;
		if ((p = realloc(q->buf, q->size)) == NULL) {
			q->oom = 1;
			return;
		}
		q->buf = p;
	}
	memcpy(q->buf + q->len, s, n + 1);
	q->len += n;
}

static void
bind_int(struct binds *b, int64_t i)
{
	if (b->n < MAX_BINDS) {
		b->v[b->n].text = 0;
		b->v[b->n++].i = i;
	}
}

static void
bind_text(struct binds *b, const char *s)
{
	if (b->n < MAX_BINDS) {
		b->v[b->n].text = 1;
		b->v[b->n++].s = s;
	}
}

void
sp_query_filter_init(struct sp_query_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->from = f->to = SP_TIME_NONE;
	f->pid = f->session = SP_QUERY_NULL;
}

/*
 * The WHERE terms of f on the events aliased e.  One kind uses
 * events_artifact_time.  A set of kinds read a page at a time is tested
 * row by row ('+' keeps the planner on events_time, which also gives the
 * order, rather than sorting the union of several index ranges before the
 * first row); read whole (all_rows), the kinds' index ranges are read and
 * sorted, which costs their rows rather than every row of the case.
 */
static void
event_terms(struct sql *s, struct binds *b, const struct sp_query_filter *f,
    int all_rows)
{
	size_t i;

	if (f->from != SP_TIME_NONE) {
		sql_add(s, " AND e.time_ns >= ?");
		bind_int(b, f->from);
	}
	if (f->to != SP_TIME_NONE) {
		sql_add(s, " AND e.time_ns <= ?");
		bind_int(b, f->to);
	}
	if (f->nartifacts == 1) {
		sql_add(s, " AND e.artifact = ?");
		bind_text(b, f->artifacts[0]);
	} else if (f->nartifacts > 1) {
		sql_add(s, all_rows ? " AND e.artifact IN (" :
		    " AND +e.artifact IN (");
		for (i = 0; i < f->nartifacts && i < MAX_BINDS / 2; i++) {
			sql_add(s, i ? ", ?" : "?");
			bind_text(b, f->artifacts[i]);
		}
		sql_add(s, ")");
	}
	if (f->source_id != 0) {
		sql_add(s, " AND e.source_id = ?");
		bind_int(b, f->source_id);
	}
	if (f->host != NULL) {
		sql_add(s, " AND e.host = ?");
		bind_text(b, f->host);
	}
	if (f->user != NULL) {
		sql_add(s, " AND e.user = ?");
		bind_text(b, f->user);
	}
	if (f->pid != SP_QUERY_NULL) {
		sql_add(s, " AND e.pid = ?");
		bind_int(b, f->pid);
	}
	if (f->session != SP_QUERY_NULL) {
		sql_add(s, " AND e.session = ?");
		bind_int(b, f->session);
	}
	if (f->detections_only)
		sql_add(s, " AND e.artifact = 'detection'");
	/* messages, and the paths of the files an fs event is about */
	if (f->match != NULL) {
		sql_add(s, " AND (e.id IN (SELECT rowid FROM events_fts WHERE "
		    "events_fts MATCH ?) OR (e.artifact = 'fs' AND e.file_id IN "
		    "(SELECT rowid FROM files_fts WHERE files_fts MATCH ?)))");
		bind_text(b, f->match);
		bind_text(b, f->match);
	}
	/* EXISTS, not IN: the row's own index seek, keeping events_time */
	if (f->tag != NULL) {
		sql_add(s, " AND EXISTS (SELECT 1 FROM tags t WHERE "
		    "t.target_kind = 'event' AND t.target_id = e.id AND "
		    "t.tag = ?)");
		bind_text(b, f->tag);
	}
	if (f->tagged_only)
		sql_add(s, " AND (EXISTS (SELECT 1 FROM tags t WHERE "
		    "t.target_kind = 'event' AND t.target_id = e.id) OR "
		    "EXISTS (SELECT 1 FROM notes n WHERE n.target_kind = "
		    "'event' AND n.target_id = e.id))");
}

/*
 * The key and order of a page on the table aliased a.  A page before a
 * key is read in the opposite order from the key and turned back by an
 * outer query, which sorts no more than its limit rows.
 */
static int
page_terms(struct sql *s, struct binds *b, const char *a,
    const struct sp_query_page *p, int *wrap, struct sp_err *err)
{
	char buf[160];
	const struct sp_query_key *k;
	int desc = p && p->descending, rev;

	*wrap = 0;
	if (p && p->after && p->before)
		return sp_err_set(err, SP_E_USAGE, 0, "a page is after a key "
		    "or before one, not both");
	if (p && p->before && p->limit == 0)
		return sp_err_set(err, SP_E_USAGE, 0, "a page before a key "
		    "needs a limit");
	k = p ? (p->after ? p->after : p->before) : NULL;
	rev = p && p->before;
	if (k) {
		snprintf(buf, sizeof(buf), " AND (%s.time_ns, %s.id) %s (?, ?)",
		    a, a, desc != rev ? "<" : ">");
		sql_add(s, buf);
		bind_int(b, k->time_ns);
		bind_int(b, k->id);
	}
	snprintf(buf, sizeof(buf), " ORDER BY %s.time_ns%s, %s.id%s", a,
	    desc != rev ? " DESC" : "", a, desc != rev ? " DESC" : "");
	sql_add(s, buf);
	if (p && p->limit) {
		sql_add(s, " LIMIT ?");
		bind_int(b, (int64_t)p->limit);
	}
	*wrap = rev;
	return SP_OK;
}

/*
 * The filter and page of s, the SELECT of a kind keyed on the table
 * aliased a: page_terms, and for a page before a key the outer query that
 * turns it back, naming the time and id columns by their positions tcol
 * and icol.
 */
static int
paged(struct sql *s, struct binds *b, const char *a,
    const struct sp_query_page *p, int tcol, int icol, struct sp_err *err)
{
	struct sql w = { 0 };
	char order[64];
	int rc, wrap;

	if ((rc = page_terms(s, b, a, p, &wrap, err)) != SP_OK) {
		free(s->buf);
		return rc;
	}
	if (!wrap)
		return SP_OK;
	snprintf(order, sizeof(order), ") ORDER BY %d%s, %d%s", tcol,
	    p->descending ? " DESC" : "", icol, p->descending ? " DESC" : "");
	sql_add(&w, "SELECT * FROM (");
	sql_add(&w, s->buf ? s->buf : "");
	sql_add(&w, order);
	free(s->buf);
	w.oom |= s->oom;
	*s = w;
	return SP_OK;
}

static int
prepare(struct sp_query *q, struct sql *s, const struct binds *b,
    const char *what, struct sp_err *err)
{
	int i, rc;

	if (s->oom || b->n >= MAX_BINDS) {
		free(s->buf);
		return sp_err_set(err, SP_E_NOMEM, 0, "%s: query too large",
		    what);
	}
	rc = sp_sql_prepare(q->db, s->buf, &q->st, SP_E_CASE, what, err);
	free(s->buf);
	if (rc != SP_OK)
		return rc;
	for (i = 0; i < b->n; i++) {
		if (b->v[i].text)
			sqlite3_bind_text(q->st, i + 1, b->v[i].s, -1,
			    SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(q->st, i + 1, b->v[i].i);
	}
	return SP_OK;
}

static int
query_new(struct sp_query **q, struct sp_case *c, enum query_kind kind,
    struct sp_err *err)
{
	*q = calloc(1, sizeof(**q));
	if (*q == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "query");
	(*q)->kind = kind;
	(*q)->db = sp_case_db(c);
	return SP_OK;
}

/* Close the cursor *q that failed to open with rc; returns rc. */
static int
query_fail(struct sp_query **q, int rc)
{
	sp_query_close(*q);
	*q = NULL;
	return rc;
}

#define EVENT_COLUMNS "e.id, e.time_ns, e.time_desc, e.artifact, " \
	"e.source_id, s.path, e.file_id, e.origin_file_id, e.host, e.user, " \
	"e.pid, e.ppid, e.exe, e.path, e.message, e.extra, e.origin, " \
	"e.origin_line, e.origin_offset, e.boot_id, e.session, e.auid, " \
	"e.tty, e.cwd, e.run_id, f.inode, f.flags"
/* after the marks and the severity: what an fs event's text is made of */
#define EVENT_FS_COLUMNS ", f.path, f.stream, f.link"
#define EVENT_BARE_COLUMNS "e.id, e.time_ns, e.time_desc, e.artifact, " \
	"e.source_id, NULL, e.file_id, e.origin_file_id, e.host, e.user, " \
	"e.pid, e.ppid, e.exe, e.path, e.message, e.extra, e.origin, " \
	"e.origin_line, e.origin_offset, e.boot_id, e.session, e.auid, " \
	"e.tty, e.cwd, e.run_id, NULL, f.flags, 0, NULL" EVENT_FS_COLUMNS
/* the bare columns' files row: an fs event's own */
#define EVENT_BARE_FROM " FROM events e LEFT JOIN files f ON " \
	"e.artifact = 'fs' AND f.id = e.file_id"
/* The marks of the event: a count through tags_target and notes_target. */
#define EVENT_MARKS "(SELECT count(*) FROM tags t WHERE t.target_kind = " \
	"'event' AND t.target_id = e.id) + (SELECT count(*) FROM notes n " \
	"WHERE n.target_kind = 'event' AND n.target_id = e.id)"
#define EVENT_FROM " FROM events e JOIN sources s ON s.id = e.source_id " \
	"LEFT JOIN files f ON f.id = e.file_id"

/*
 * Add the columns of an event row to s: with bare, only the event's own;
 * else also its source's path, its entry's inode and flags, its marks and
 * the highest severity of its detections (through detections_event).  The
 * severity is the top rank, in the order of severity.h's levels, turned
 * back into its name: an aggregate, so nothing is sorted per row; a
 * severity no level names ranks lowest and reads as stored.
 */
static void
event_columns(struct sql *s, int bare)
{
	char buf[64];
	int i;

	if (bare) {
		sql_add(s, "SELECT " EVENT_BARE_COLUMNS);
		return;
	}
	sql_add(s, "SELECT " EVENT_COLUMNS ", " EVENT_MARKS ", (SELECT CASE "
	    "max(CASE lower(d.severity)");
	for (i = SP_SEV_INFO; i <= SP_SEV_CRITICAL; i++) {
		snprintf(buf, sizeof(buf), " WHEN '%s' THEN %d",
		    sp_severity_name((enum sp_severity)i), i + 1);
		sql_add(s, buf);
	}
	sql_add(s, " ELSE 0 END)");
	for (i = SP_SEV_INFO; i <= SP_SEV_CRITICAL; i++) {
		snprintf(buf, sizeof(buf), " WHEN %d THEN '%s'", i + 1,
		    sp_severity_name((enum sp_severity)i));
		sql_add(s, buf);
	}
	sql_add(s, " ELSE min(d.severity) END FROM detections d WHERE "
	    "d.event_id = e.id)" EVENT_FS_COLUMNS);
}

int
sp_query_open_events(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, const struct sp_query_page *page,
    struct sp_err *err)
{
	struct sql s = { 0 };
	struct binds b = { 0 };
	int rc;

	if ((rc = query_new(q, c, Q_EVENTS, err)) != SP_OK)
		return rc;
	event_columns(&s, f->bare);
	sql_add(&s, f->bare ? EVENT_BARE_FROM " WHERE 1" : EVENT_FROM
	    " WHERE 1");
	event_terms(&s, &b, f, page == NULL || page->limit == 0);
	if ((rc = paged(&s, &b, "e", page, 2, 1, err)) != SP_OK ||
	    (rc = prepare(*q, &s, &b, "events", err)) != SP_OK)
		return query_fail(q, rc);
	return SP_OK;
}

static sp_time_ns
col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? SP_TIME_NONE :
	    sqlite3_column_int64(st, i);
}

static int64_t
col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? SP_QUERY_NULL :
	    sqlite3_column_int64(st, i);
}

static const char *
col_str(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/*
 * The name of an entry as a timeline shows it, the bodyfile's name: its
 * path, stream, link target and whether it is deleted, into *buf.
 */
static const char *
fs_display_name(char **buf, size_t *cap, const char *path,
    const char *stream, const char *link, unsigned flags)
{
	size_t need = strlen(path) + (stream ? strlen(stream) : 0) +
	    (link ? strlen(link) : 0) + 64;
	char *n;

	if (need > *cap) {
		if ((n = realloc(*buf, need * 2)) == NULL)
			return path;
		*buf = n;
		*cap = need * 2;
	}
	snprintf(*buf, *cap, "%s%s%s%s%s%s%s", path, stream ? ":" : "",
	    stream ? stream : "",
	    flags & SP_ENTRY_FILE_NAME ? " ($FILE_NAME)" : "",
	    link ? " -> " : "", link ? link : "",
	    !(flags & SP_ENTRY_DELETED) ? "" :
	    flags & SP_ENTRY_REALLOC ? " (deleted-realloc)" : " (deleted)");
	return *buf;
}

/*
 * A file system event stored without its text (schema 7) takes its path
 * and message from its files row; one stored with them keeps its own.
 */
static void
row_event_fs(sqlite3_stmt *st, struct sp_event_row *e, char **buf,
    size_t *cap)
{
	const char *path = col_str(st, 29);

	if (e->artifact == NULL || strcmp(e->artifact, "fs") != 0 ||
	    path == NULL)
		return;
	if (e->path == NULL)
		e->path = path;
	if (e->message == NULL || e->message[0] == '\0')
		e->message = fs_display_name(buf, cap, path, col_str(st, 30),
		    col_str(st, 31), (unsigned)sqlite3_column_int(st, 26));
}

static void
row_event(sqlite3_stmt *st, struct sp_event_row *e, char **buf, size_t *cap)
{
	e->id = sqlite3_column_int64(st, 0);
	e->time_ns = sqlite3_column_int64(st, 1);
	e->time_desc = col_str(st, 2);
	e->artifact = col_str(st, 3);
	e->source_id = sqlite3_column_int64(st, 4);
	e->source = col_str(st, 5);
	e->file_id = col_int(st, 6);
	e->origin_file_id = col_int(st, 7);
	e->host = col_str(st, 8);
	e->user = col_str(st, 9);
	e->pid = col_int(st, 10);
	e->ppid = col_int(st, 11);
	e->exe = col_str(st, 12);
	e->path = col_str(st, 13);
	e->message = col_str(st, 14);
	e->extra = col_str(st, 15);
	e->origin = col_str(st, 16);
	e->origin_line = col_int(st, 17);
	e->origin_offset = col_int(st, 18);
	e->boot_id = col_str(st, 19);
	e->session = col_int(st, 20);
	e->auid = col_int(st, 21);
	e->tty = col_str(st, 22);
	e->cwd = col_str(st, 23);
	e->run_id = col_int(st, 24);
	e->inode = col_int(st, 25);
	e->file_flags = (unsigned)sqlite3_column_int(st, 26);
	e->marks = sqlite3_column_int(st, 27);
	e->severity = col_str(st, 28);
	row_event_fs(st, e, buf, cap);
}

/* The columns of files that make an sp_file_row, in this order. */
#define FILE_COLUMNS "f.fs, f.inode, f.attr_type, f.attr_id, f.path, " \
	"f.name, f.stream, f.name_type, f.meta_type, f.mode, f.uid, f.gid, " \
	"f.size, f.nlink, f.atime_ns, f.mtime_ns, f.ctime_ns, f.crtime_ns, " \
	"f.dtime_ns, f.flags, f.link, f.md5, f.id, f.source_id, " \
	"f.allocated, f.sha1, f.sha256"

/* Fill r from the FILE_COLUMNS starting at column i; strings live in st. */
static void
row_file(sqlite3_stmt *st, int i, struct sp_file_row *r)
{
	struct sp_entry *e = &r->entry;
	const char *t;

	memset(r, 0, sizeof(*r));
	e->fs_index = (unsigned)sqlite3_column_int(st, i);
	e->inode = (uint64_t)sqlite3_column_int64(st, i + 1);
	if (sqlite3_column_type(st, i + 2) != SQLITE_NULL) {
		e->attr_type = (uint32_t)sqlite3_column_int(st, i + 2);
		e->attr_id = (uint16_t)sqlite3_column_int(st, i + 3);
	}
	e->path = col_str(st, i + 4);
	e->name = col_str(st, i + 5);
	e->stream = col_str(st, i + 6);
	t = col_str(st, i + 7);
	e->name_type = t && t[0] ? t[0] : '-';
	t = col_str(st, i + 8);
	e->meta_type = t && t[0] ? t[0] : '-';
	e->mode = (uint32_t)sqlite3_column_int(st, i + 9);
	e->uid = (uint32_t)sqlite3_column_int64(st, i + 10);
	e->gid = (uint32_t)sqlite3_column_int64(st, i + 11);
	e->size = (uint64_t)sqlite3_column_int64(st, i + 12);
	e->nlink = (uint32_t)sqlite3_column_int64(st, i + 13);
	e->atime = col_time(st, i + 14);
	e->mtime = col_time(st, i + 15);
	e->ctime = col_time(st, i + 16);
	e->crtime = col_time(st, i + 17);
	e->dtime = col_time(st, i + 18);
	e->flags = (unsigned)sqlite3_column_int(st, i + 19);
	e->link = col_str(st, i + 20);
	if (e->path == NULL)
		e->path = "";
	r->md5 = col_str(st, i + 21);
	r->id = sqlite3_column_int64(st, i + 22);
	r->source_id = sqlite3_column_int64(st, i + 23);
	r->allocated = sqlite3_column_int(st, i + 24);
	r->sha1 = col_str(st, i + 25);
	r->sha256 = col_str(st, i + 26);
}

/* Whether files (the "fs" artifact) pass the kinds of f. */
static int
files_pass(const struct sp_query_filter *f)
{
	size_t i;

	for (i = 0; i < f->nartifacts; i++)
		if (strcmp(f->artifacts[i], "fs") == 0)
			return 1;
	return f->nartifacts == 0;
}

/*
 * ?1 source (0: all), ?2 from, ?3 to (NULL: open), in ns or seconds, ?4
 * whether files pass the kinds of f.
 */
static void
bind_files(sqlite3_stmt *st, const struct sp_query_filter *f, int seconds)
{
	sqlite3_bind_int64(st, 1, f->source_id);
	if (f->from != SP_TIME_NONE)
		sqlite3_bind_int64(st, 2, seconds ? sp_time_sec(f->from) :
		    f->from);
	if (f->to != SP_TIME_NONE)
		sqlite3_bind_int64(st, 3, seconds ? sp_time_sec(f->to) : f->to);
	sqlite3_bind_int(st, 4, files_pass(f));
}

int
sp_query_open_files(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, struct sp_err *err)
{
	int rc;

	if ((rc = query_new(q, c, Q_FILES, err)) != SP_OK)
		return rc;
	if ((rc = sp_sql_prepare((*q)->db, "SELECT " FILE_COLUMNS " FROM "
	    "files f "
	    "WHERE (?1 = 0 OR f.source_id = ?1) AND ?4 "
	    /* a file is in the window when one of its times is */
	    "AND (?2 IS NULL AND ?3 IS NULL OR "
	    "f.atime_ns BETWEEN coalesce(?2, -9e18) AND coalesce(?3, 9e18) OR "
	    "f.mtime_ns BETWEEN coalesce(?2, -9e18) AND coalesce(?3, 9e18) OR "
	    "f.ctime_ns BETWEEN coalesce(?2, -9e18) AND coalesce(?3, 9e18) OR "
	    "f.crtime_ns BETWEEN coalesce(?2, -9e18) AND coalesce(?3, 9e18)) "
	    "ORDER BY f.id", &(*q)->st, SP_E_CASE, "files", err)) != SP_OK)
		return query_fail(q, rc);
	bind_files((*q)->st, f, 0);
	return SP_OK;
}

/* Seconds of a nanosecond column, floor, NULL as 0 (mactime's view). */
#define SEC(col) "(CASE WHEN " col " IS NULL THEN 0 WHEN " col " >= 0 " \
	"THEN " col " / 1000000000 ELSE -((-" col " + 999999999) / " \
	"1000000000) END)"

int
sp_query_open_file_times(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, struct sp_err *err)
{
	int rc;

	if ((rc = query_new(q, c, Q_FILE_TIMES, err)) != SP_OK)
		return rc;
	/*
	 * Each file's distinct seconds with their MACB bits, computed from
	 * the row itself (a time merges into the first of the four equal
	 * to it), so that only the final order is sorted.
	 */
	if ((rc = sp_sql_prepare((*q)->db, "WITH s(id, sm, sa, sc, sb) AS ("
	    "SELECT id, " SEC("mtime_ns") ", " SEC("atime_ns") ", "
	    SEC("ctime_ns") ", " SEC("crtime_ns") " FROM files f WHERE "
	    "(?1 = 0 OR source_id = ?1) AND ?4 AND "
	    /* mactime skips a line whose four times are all 0 */
	    "(atime_ns IS NOT NULL OR mtime_ns IS NOT NULL OR "
	    "ctime_ns IS NOT NULL OR crtime_ns IS NOT NULL)), "
	    "g(fid, sec, bits) AS ("
	    "SELECT id, sm, 1 + 2 * (sa = sm) + 4 * (sc = sm) + 8 * (sb = sm) "
	    "FROM s UNION ALL "
	    "SELECT id, sa, 2 + 4 * (sc = sa) + 8 * (sb = sa) FROM s "
	    "WHERE sa != sm UNION ALL "
	    "SELECT id, sc, 4 + 8 * (sb = sc) FROM s "
	    "WHERE sc != sm AND sc != sa UNION ALL "
	    "SELECT id, sb, 8 FROM s "
	    "WHERE sb != sm AND sb != sa AND sb != sc) "
	    "SELECT g.sec, g.bits, " FILE_COLUMNS " FROM g JOIN files f ON "
	    "f.id = g.fid WHERE "
	    "(?2 IS NULL OR g.sec >= ?2) AND (?3 IS NULL OR g.sec <= ?3) "
	    /* mactime's own order: time, then inode and name as text */
	    "ORDER BY g.sec, CASE WHEN f.attr_type IS NULL THEN "
	    "CAST(f.inode AS TEXT) ELSE f.inode || '-' || f.attr_type || '-' "
	    "|| f.attr_id END, f.path, f.stream, f.flags, g.fid", &(*q)->st,
	    SP_E_CASE, "file times", err)) != SP_OK)
		return query_fail(q, rc);
	bind_files((*q)->st, f, 1);
	return SP_OK;
}

#define DETECTION_COLUMNS "d.id, d.run_id, d.source_id, d.file_id, " \
	"d.event_id, d.type, d.name, d.namespace, d.severity, d.score, " \
	"d.target_kind, d.path, d.fs, d.inode, d.pid, d.address, d.reason, " \
	"d.details, d.time_ns"

static void
row_detection(sqlite3_stmt *st, struct sp_detection_row *d)
{
	d->id = sqlite3_column_int64(st, 0);
	d->run_id = col_int(st, 1);
	d->source_id = col_int(st, 2);
	d->file_id = col_int(st, 3);
	d->event_id = col_int(st, 4);
	d->type = col_str(st, 5);
	d->name = col_str(st, 6);
	d->namespace_ = col_str(st, 7);
	d->severity = col_str(st, 8);
	d->score = sqlite3_column_int64(st, 9);
	d->target_kind = col_str(st, 10);
	d->path = col_str(st, 11);
	d->fs = col_int(st, 12);
	d->inode = col_int(st, 13);
	d->pid = col_int(st, 14);
	d->address = col_int(st, 15);
	d->reason = col_str(st, 16);
	d->details = col_str(st, 17);
	d->time_ns = sqlite3_column_int64(st, 18);
}

int
sp_query_open_detections(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, const struct sp_query_page *page,
    struct sp_err *err)
{
	struct sql s = { 0 };
	struct binds b = { 0 };
	int rc;

	if ((rc = query_new(q, c, Q_DETECTIONS, err)) != SP_OK)
		return rc;
	sql_add(&s, "SELECT " DETECTION_COLUMNS " FROM detections d WHERE 1");
	if (f->from != SP_TIME_NONE) {
		sql_add(&s, " AND d.time_ns >= ?");
		bind_int(&b, f->from);
	}
	if (f->to != SP_TIME_NONE) {
		sql_add(&s, " AND d.time_ns <= ?");
		bind_int(&b, f->to);
	}
	if (f->source_id != 0) {
		sql_add(&s, " AND d.source_id = ?");
		bind_int(&b, f->source_id);
	}
	if (f->pid != SP_QUERY_NULL) {
		sql_add(&s, " AND d.pid = ?");
		bind_int(&b, f->pid);
	}
	if (f->tag != NULL) {
		sql_add(&s, " AND EXISTS (SELECT 1 FROM tags t WHERE "
		    "t.target_kind = 'detection' AND t.target_id = d.id AND "
		    "t.tag = ?)");
		bind_text(&b, f->tag);
	}
	if ((rc = paged(&s, &b, "d", page, 19, 1, err)) != SP_OK ||
	    (rc = prepare(*q, &s, &b, "detections", err)) != SP_OK)
		return query_fail(q, rc);
	return SP_OK;
}

static const char *const mark_kinds[] = {
	[SP_MARK_EVENT] = "event",
	[SP_MARK_FILE] = "file",
	[SP_MARK_DETECTION] = "detection",
	[SP_MARK_NODE] = "node",
};
#define NMARK_KINDS (sizeof(mark_kinds) / sizeof(mark_kinds[0]))

int
sp_query_open_marks(struct sp_query **q, struct sp_case *c,
    enum sp_mark_target kind, int64_t id, struct sp_err *err)
{
	/* one target reads tags_target and notes_target; a kind, all its rows */
	static const char one[] =
	    "SELECT id, 0, target_id, tag, author, created_ns, NULL FROM tags "
	    "WHERE target_kind = ?1 AND target_id = ?2 UNION ALL "
	    "SELECT id, 1, target_id, text, author, created_ns, updated_ns "
	    "FROM notes WHERE target_kind = ?1 AND target_id = ?2 "
	    "ORDER BY 2, 1";
	static const char all[] =
	    "SELECT id, 0, target_id, tag, author, created_ns, NULL FROM tags "
	    "WHERE target_kind = ?1 UNION ALL "
	    "SELECT id, 1, target_id, text, author, created_ns, updated_ns "
	    "FROM notes WHERE target_kind = ?1 "
	    "ORDER BY 2, 1";
	int rc;

	if ((unsigned)kind >= NMARK_KINDS)
		return sp_err_set(err, SP_E_USAGE, 0, "marks: unknown target "
		    "kind %d", (int)kind);
	if ((rc = query_new(q, c, Q_MARKS, err)) != SP_OK)
		return rc;
	(*q)->mark.kind = kind;
	if ((rc = sp_sql_prepare((*q)->db, id != 0 ? one : all, &(*q)->st,
	    SP_E_CASE, "marks", err)) != SP_OK)
		return query_fail(q, rc);
	sp_sql_bind_text((*q)->st, 1, mark_kinds[kind]);
	if (id != 0)
		sqlite3_bind_int64((*q)->st, 2, id);
	return SP_OK;
}

static void
row_mark(sqlite3_stmt *st, struct sp_mark_row *m)
{
	m->id = sqlite3_column_int64(st, 0);
	m->is_note = sqlite3_column_int(st, 1);
	m->target_id = sqlite3_column_int64(st, 2);
	m->text = col_str(st, 3);
	m->author = col_str(st, 4);
	m->created_ns = sqlite3_column_int64(st, 5);
	m->updated_ns = col_time(st, 6);
}

/* Whether f keeps events by their time and kind alone. */
static int
kinds_and_times_only(const struct sp_query_filter *f)
{
	return f->source_id == 0 && f->host == NULL && f->user == NULL &&
	    f->pid == SP_QUERY_NULL && f->session == SP_QUERY_NULL &&
	    !f->detections_only && f->match == NULL && f->tag == NULL &&
	    !f->tagged_only;
}

int
sp_query_open_histogram(struct sp_query **q, struct sp_case *c,
    const struct sp_query_filter *f, sp_time_ns width_ns, int per_artifact,
    struct sp_err *err)
{
	struct sql s = { 0 };
	struct binds b = { 0 };
	int rc;

	if (width_ns <= 0)
		return sp_err_set(err, SP_E_USAGE, 0, "histogram: the bucket "
		    "width must be positive");
	if ((rc = query_new(q, c, Q_HISTOGRAM, err)) != SP_OK)
		return rc;
	(*q)->width = width_ns;
	(*q)->per_artifact = per_artifact;
	/*
	 * The times come in index order (events_time, or
	 * events_artifact_time per kind), so a bucket's rows are adjacent and
	 * are counted in one pass without a GROUP BY sorting them all.
	 */
	if (per_artifact && kinds_and_times_only(f)) {
		/*
		 * Only times and kinds: each kind's range of the covering
		 * index events_artifact_time, kind after kind, never a row
		 * of the table.  The kinds are the filter's, or those of the
		 * case found by seeking the index from one kind to the next.
		 * A kind's rows come in time order, one kind after another,
		 * which is all the counting needs.
		 */
		size_t i;

		if (f->nartifacts > 0) {
			sql_add(&s, "WITH k(a) AS (VALUES ");
			for (i = 0; i < f->nartifacts && i < MAX_BINDS / 2; i++) {
				sql_add(&s, i ? ", (?)" : "(?)");
				bind_text(&b, f->artifacts[i]);
			}
			sql_add(&s, ") ");
		} else
			sql_add(&s, "WITH RECURSIVE k(a) AS (SELECT (SELECT "
			    "min(artifact) FROM events) UNION ALL SELECT "
			    "(SELECT min(artifact) FROM events WHERE artifact "
			    "> k.a) FROM k WHERE k.a IS NOT NULL) ");
		sql_add(&s, "SELECT e.time_ns, e.artifact FROM k CROSS JOIN "
		    "events e INDEXED BY events_artifact_time WHERE "
		    "e.artifact = k.a");
		if (f->from != SP_TIME_NONE) {
			sql_add(&s, " AND e.time_ns >= ?");
			bind_int(&b, f->from);
		}
		if (f->to != SP_TIME_NONE) {
			sql_add(&s, " AND e.time_ns <= ?");
			bind_int(&b, f->to);
		}
	} else {
		sql_add(&s, "SELECT e.time_ns, e.artifact FROM events e "
		    "WHERE 1");
		event_terms(&s, &b, f, 0);
		sql_add(&s, per_artifact ? " ORDER BY e.artifact, e.time_ns" :
		    " ORDER BY e.time_ns");
	}
	if ((rc = prepare(*q, &s, &b, "histogram", err)) != SP_OK)
		return query_fail(q, rc);
	return SP_OK;
}

static int
histogram_next(struct sp_query *q, int *has_row, struct sp_err *err)
{
	sp_time_ns t, start;
	const char *art;
	char *tmp;
	int rc;

	*has_row = 0;
	while (!q->done) {
		rc = sqlite3_step(q->st);
		if (rc == SQLITE_DONE) {
			q->done = 1;
			break;
		}
		if (rc != SQLITE_ROW)
			return sp_sql_err(err, q->db, SP_E_CASE, "histogram");
		t = sqlite3_column_int64(q->st, 0);
		art = q->per_artifact ? col_str(q->st, 1) : NULL;
		start = t - ((t % q->width) + q->width) % q->width;
		if (q->pending && start == q->pend.start && (art == NULL ||
		    strcmp(art, q->pend_artifact) == 0)) {
			q->pend.count++;
			continue;
		}
		if (q->pending) {
			/* give the finished bucket; this row starts the next */
			tmp = q->out_artifact;
			q->out = q->pend;
			q->out_artifact = q->pend_artifact;
			q->out.artifact = q->out_artifact;
			q->pend_artifact = tmp;
			*has_row = 1;
		}
		if (art != NULL) {
			free(q->pend_artifact);
			if ((q->pend_artifact = strdup(art)) == NULL)
				return sp_err_set(err, SP_E_NOMEM, 0,
				    "histogram");
		}
		q->pend.start = start;
		q->pend.count = 1;
		q->pending = 1;
		if (*has_row)
			return SP_OK;
	}
	if (q->pending) {
		tmp = q->out_artifact;
		q->out = q->pend;
		q->out_artifact = q->pend_artifact;
		q->out.artifact = q->per_artifact ? q->out_artifact : NULL;
		q->pend_artifact = tmp;
		q->pending = 0;
		*has_row = 1;
	}
	return SP_OK;
}

int
sp_query_next(struct sp_query *q, int *has_row, struct sp_err *err)
{
	int rc;

	*has_row = 0;
	q->has_row = 0;
	if (q->kind == Q_HISTOGRAM) {
		rc = histogram_next(q, has_row, err);
		if (!q->per_artifact)
			q->out.artifact = NULL;
		q->has_row = *has_row;
		return rc;
	}
	rc = sqlite3_step(q->st);
	if (rc == SQLITE_DONE)
		return SP_OK;
	if (rc != SQLITE_ROW)
		return sp_sql_err(err, q->db, SP_E_CASE, "query");
	switch (q->kind) {
	case Q_EVENTS:
		row_event(q->st, &q->event, &q->text, &q->textcap);
		break;
	case Q_FILES:
		row_file(q->st, 0, &q->ftime.file);
		break;
	case Q_FILE_TIMES:
		q->ftime.sec = sqlite3_column_int64(q->st, 0);
		q->ftime.macb = (unsigned)sqlite3_column_int(q->st, 1);
		row_file(q->st, 2, &q->ftime.file);
		break;
	case Q_DETECTIONS:
		row_detection(q->st, &q->detection);
		break;
	case Q_MARKS:
		row_mark(q->st, &q->mark);
		break;
	case Q_HISTOGRAM:
		break;
	}
	q->has_row = *has_row = 1;
	return SP_OK;
}

const struct sp_event_row *
sp_query_event(const struct sp_query *q)
{
	return q->kind == Q_EVENTS && q->has_row ? &q->event : NULL;
}

const struct sp_file_row *
sp_query_file(const struct sp_query *q)
{
	return (q->kind == Q_FILES || q->kind == Q_FILE_TIMES) && q->has_row ?
	    &q->ftime.file : NULL;
}

const struct sp_file_time_row *
sp_query_file_time(const struct sp_query *q)
{
	return q->kind == Q_FILE_TIMES && q->has_row ? &q->ftime : NULL;
}

const struct sp_detection_row *
sp_query_detection(const struct sp_query *q)
{
	return q->kind == Q_DETECTIONS && q->has_row ? &q->detection : NULL;
}

const struct sp_query_bucket *
sp_query_bucket(const struct sp_query *q)
{
	return q->kind == Q_HISTOGRAM && q->has_row ? &q->out : NULL;
}

const struct sp_mark_row *
sp_query_mark(const struct sp_query *q)
{
	return q->kind == Q_MARKS && q->has_row ? &q->mark : NULL;
}

struct sp_query_key
sp_query_row_key(const struct sp_query *q)
{
	struct sp_query_key k = { SP_TIME_NONE, 0 };

	if (q->has_row && q->kind == Q_EVENTS) {
		k.time_ns = q->event.time_ns;
		k.id = q->event.id;
	} else if (q->has_row && q->kind == Q_DETECTIONS) {
		k.time_ns = q->detection.time_ns;
		k.id = q->detection.id;
	}
	return k;
}

char *
sp_query_sql(const struct sp_query *q)
{
	char *s = sqlite3_expanded_sql(q->st), *copy;

	if (s == NULL)
		return NULL;
	copy = strdup(s);
	sqlite3_free(s);
	return copy;
}

void
sp_query_close(struct sp_query *q)
{
	if (q == NULL)
		return;
	sqlite3_finalize(q->st);
	free(q->pend_artifact);
	free(q->out_artifact);
	free(q->text);
	free(q);
}

void
sp_query_interrupt(struct sp_case *c)
{
	sqlite3_interrupt(sp_case_db(c));
}

/*
 * A record owns copies of its strings, so it outlives the statements it
 * was read with and holds no read transaction open.
 */
#define RECORD_STRINGS 64
struct record {
	struct sp_event_record pub;
	struct sp_event_row event;
	struct sp_source_record source;
	struct sp_file_row files[2];
	struct sp_detection_row detection;
	char *strings[RECORD_STRINGS];
	int nstrings, oom;
};

static const char *
keep(struct record *r, const char *s)
{
	char *p;

	if (s == NULL)
		return NULL;
	if (r->nstrings == RECORD_STRINGS || (p = strdup(s)) == NULL) {
		r->oom = 1;
		return NULL;
	}
	r->strings[r->nstrings++] = p;
	return p;
}

static void
keep_file(struct record *r, struct sp_file_row *f)
{
	struct sp_entry *e = &f->entry;

	e->path = keep(r, e->path);
	e->name = keep(r, e->name);
	e->stream = keep(r, e->stream);
	e->link = keep(r, e->link);
	f->md5 = keep(r, f->md5);
	f->sha1 = keep(r, f->sha1);
	f->sha256 = keep(r, f->sha256);
}

/*
 * Prepare sql with id bound to ?1 into *st and step it once: SP_OK with
 * *row 1 when it gave a row, which *st holds until the caller finalizes
 * it (also on failure; *st may be NULL).
 */
static int
read_one(sqlite3 *db, const char *sql, int64_t id, sqlite3_stmt **st,
    int *row, const char *what, struct sp_err *err)
{
	int rc;

	*row = 0;
	if ((rc = sp_sql_prepare(db, sql, st, SP_E_CASE, what, err)) != SP_OK)
		return rc;
	sqlite3_bind_int64(*st, 1, id);
	return sp_sql_step_row(db, *st, row, SP_E_CASE, what, err);
}

static int
record_file(struct record *r, sqlite3 *db, int64_t id, int i,
    const struct sp_file_row **out, struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc, row;

	if (id == SP_QUERY_NULL)
		return SP_OK;
	if ((rc = read_one(db, "SELECT " FILE_COLUMNS " FROM files f WHERE "
	    "f.id = ?1", id, &st, &row, "file", err)) == SP_OK && row) {
		row_file(st, 0, &r->files[i]);
		keep_file(r, &r->files[i]);
		*out = &r->files[i];
	}
	sqlite3_finalize(st);
	return rc;
}

int
sp_event_record_get(struct sp_case *c, int64_t id,
    struct sp_event_record **rec, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st = NULL;
	struct record *r;
	struct sp_event_row *e;
	struct sp_detection_row *d;
	struct sp_source_record *s;
	struct sql sql = { 0 };
	char *fsname = NULL;
	size_t fsnamecap = 0;
	int rc, row;

	*rec = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "event %lld",
		    (long long)id);
	/* one read transaction, so the parts agree with each other */
	if ((rc = sp_sql_exec(db, "BEGIN", SP_E_CASE, err)) != SP_OK)
		goto fail;
	event_columns(&sql, 0);
	sql_add(&sql, EVENT_FROM " WHERE e.id = ?1");
	if (sql.oom)
		rc = sp_err_set(err, SP_E_NOMEM, 0, "event %lld",
		    (long long)id);
	else
		rc = read_one(db, sql.buf, id, &st, &row, "event", err);
	free(sql.buf);
	if (rc == SP_OK && !row)
		rc = sp_err_set(err, SP_E_NOTFOUND, 0, "no event %lld in the "
		    "case", (long long)id);
	if (rc != SP_OK)
		goto end;
	e = &r->event;
	row_event(st, e, &fsname, &fsnamecap);
	e->time_desc = keep(r, e->time_desc);
	e->artifact = keep(r, e->artifact);
	e->source = keep(r, e->source);
	e->host = keep(r, e->host);
	e->user = keep(r, e->user);
	e->exe = keep(r, e->exe);
	e->path = keep(r, e->path);
	e->message = keep(r, e->message);
	free(fsname);
	e->extra = keep(r, e->extra);
	e->origin = keep(r, e->origin);
	e->boot_id = keep(r, e->boot_id);
	e->tty = keep(r, e->tty);
	e->cwd = keep(r, e->cwd);
	e->severity = keep(r, e->severity);
	r->pub.event = e;
	r->pub.source_id = e->source_id;
	sqlite3_finalize(st);
	st = NULL;

	if ((rc = read_one(db, "SELECT kind, path, size, md5, sha1, sha256, "
	    "host, details FROM sources WHERE id = ?1", e->source_id, &st, &row,
	    "source", err)) != SP_OK)
		goto end;
	if (row) {
		s = &r->source;
		s->kind = keep(r, col_str(st, 0));
		s->path = keep(r, col_str(st, 1));
		s->size = (uint64_t)sqlite3_column_int64(st, 2);
		s->md5 = keep(r, col_str(st, 3));
		s->sha1 = keep(r, col_str(st, 4));
		s->sha256 = keep(r, col_str(st, 5));
		s->host = keep(r, col_str(st, 6));
		s->details = keep(r, col_str(st, 7));
		r->pub.source = s;
	}
	sqlite3_finalize(st);
	st = NULL;

	if ((rc = record_file(r, db, e->origin_file_id, 0,
	    &r->pub.origin_file, err)) != SP_OK ||
	    (rc = record_file(r, db, e->file_id, 1, &r->pub.file, err))
	    != SP_OK)
		goto end;

	/* detections_event */
	if ((rc = read_one(db, "SELECT " DETECTION_COLUMNS " FROM detections "
	    "d WHERE d.event_id = ?1 ORDER BY d.id LIMIT 1", id, &st, &row,
	    "detection", err)) != SP_OK)
		goto end;
	if (row) {
		d = &r->detection;
		row_detection(st, d);
		d->type = keep(r, d->type);
		d->name = keep(r, d->name);
		d->namespace_ = keep(r, d->namespace_);
		d->severity = keep(r, d->severity);
		d->target_kind = keep(r, d->target_kind);
		d->path = keep(r, d->path);
		d->reason = keep(r, d->reason);
		d->details = keep(r, d->details);
		r->pub.detection = d;
	}
	rc = r->oom ? sp_err_set(err, SP_E_NOMEM, 0, "event %lld",
	    (long long)id) : SP_OK;
end:
	sqlite3_finalize(st);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SP_OK) {
		*rec = &r->pub;
		return SP_OK;
	}
fail:
	sp_event_record_free(&r->pub);
	return rc;
}

void
sp_event_record_free(struct sp_event_record *rec)
{
	struct record *r = (struct record *)rec;
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nstrings; i++)
		free(r->strings[i]);
	free(r);
}

int
sp_query_find_source(struct sp_case *c, const char *s, int64_t *id,
    struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if ((rc = sp_sql_prepare(db, "SELECT id FROM sources WHERE "
	    "CAST(id AS TEXT) = ?1 OR path = ?1 ORDER BY id DESC LIMIT 1", &st,
	    SP_E_CASE, "find source", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 1, s);
	if (sqlite3_step(st) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (*id == 0)
		return sp_err_set(err, SP_E_NOTFOUND, 0, "no source '%s' in "
		    "the case", s);
	return SP_OK;
}
