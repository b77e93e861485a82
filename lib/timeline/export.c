/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Timeline exports (see include/spoor/export.h).  The bodyfile and the
 * mactime views are rendered from the files table, so they keep mactime's
 * own rules (a row per distinct second of a file, absent times as 0); the
 * JSON views are rendered from events.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spoor/export.h"
#include "spoor/json.h"
#include "spoor/output.h"
#include "spoor/signal.h"
#include "spoor/case.h"
#include "spoor/evidence.h"
#include "case/case-internal.h"

/* The columns of files that make an sp_entry, in this order. */
#define FILE_COLUMNS "f.fs, f.inode, f.attr_type, f.attr_id, f.path, " \
	"f.name, f.stream, f.name_type, f.meta_type, f.mode, f.uid, f.gid, " \
	"f.size, f.nlink, f.atime_ns, f.mtime_ns, f.ctime_ns, f.crtime_ns, " \
	"f.dtime_ns, f.flags, f.link, f.md5"
#define NFILE_COLUMNS 22

static sp_time_ns
col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? SP_TIME_NONE :
	    sqlite3_column_int64(st, i);
}

static const char *
col_str(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Fill e from the FILE_COLUMNS starting at column i; strings live in st. */
static void
row_entry(sqlite3_stmt *st, int i, struct sp_entry *e)
{
	const char *t;

	memset(e, 0, sizeof(*e));
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
}

static int
db_fail(struct sp_err *err, sqlite3 *db, const char *what)
{
	return sp_err_set(err, SP_E_CASE, 0, "%s: %s", what,
	    sqlite3_errmsg(db));
}

/*
 * Every export query takes the filters as ?1 source id (0: all), ?2
 * artifact, ?3 from and ?4 to (NULL: open), in seconds for mactime's
 * rows and nanoseconds otherwise.
 */
static void
bind_filters(sqlite3_stmt *st, const struct sp_export_opts *o, int seconds)
{
	sqlite3_bind_int64(st, 1, o->source_id);
	if (o->artifact)
		sqlite3_bind_text(st, 2, o->artifact, -1, SQLITE_STATIC);
	if (o->from != SP_TIME_NONE)
		sqlite3_bind_int64(st, 3, seconds ? sp_time_sec(o->from) :
		    o->from);
	if (o->to != SP_TIME_NONE)
		sqlite3_bind_int64(st, 4, seconds ? sp_time_sec(o->to) : o->to);
}

/* Seconds of a nanosecond column, floor, NULL as 0 (mactime's view). */
#define SEC(col) "(CASE WHEN " col " IS NULL THEN 0 WHEN " col " >= 0 " \
	"THEN " col " / 1000000000 ELSE -((-" col " + 999999999) / " \
	"1000000000) END)"

static int
export_bodyfile(sqlite3 *db, const struct sp_export_opts *o, FILE *out,
    uint64_t *rows, struct sp_err *err)
{
	sqlite3_stmt *st;
	struct sp_entry e;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT " FILE_COLUMNS " FROM files f "
	    "WHERE (?1 = 0 OR f.source_id = ?1) AND (?2 IS NULL OR ?2 = 'fs') "
	    /* a file is in the window when one of its times is */
	    "AND (?3 IS NULL AND ?4 IS NULL OR "
	    "f.atime_ns BETWEEN coalesce(?3, -9e18) AND coalesce(?4, 9e18) OR "
	    "f.mtime_ns BETWEEN coalesce(?3, -9e18) AND coalesce(?4, 9e18) OR "
	    "f.ctime_ns BETWEEN coalesce(?3, -9e18) AND coalesce(?4, 9e18) OR "
	    "f.crtime_ns BETWEEN coalesce(?3, -9e18) AND coalesce(?4, 9e18)) "
	    "ORDER BY f.id", -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "export");
	bind_filters(st, o, 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_entry(st, 0, &e);
		sp_bodyfile_write(out, &e, col_str(st, NFILE_COLUMNS - 1),
		    o->bodyfile_flags);
		(*rows)++;
		if (sp_signal_pending())
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(err, db, "export");
	return SP_OK;
}

static void
mactime_date(int64_t sec, int iso, char *buf, size_t size)
{
	struct tm tm;
	time_t t = (time_t)sec;

	if (sec == 0) {
		snprintf(buf, size, "%s", iso ? "0000-00-00T00:00:00Z" :
		    "Xxx Xxx 00 0000 00:00:00");
		return;
	}
	if (iso) {
		gmtime_r(&t, &tm);
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		localtime_r(&t, &tm);
		strftime(buf, size, "%a %b %d %Y %H:%M:%S", &tm);
	}
}

static int
export_mactime(sqlite3 *db, const struct sp_export_opts *o, int csv,
    FILE *out, uint64_t *rows, struct sp_err *err)
{
	sqlite3_stmt *st;
	struct sp_entry e;
	char date[64];
	int64_t sec, last = 0;
	int rc, first = 1;
	size_t width = 0;

	if (sqlite3_prepare_v2(db, "WITH t(fid, sec, bit) AS ("
	    "SELECT id, " SEC("mtime_ns") ", 1 FROM files WHERE ?1 = 0 OR "
	    "source_id = ?1 UNION ALL "
	    "SELECT id, " SEC("atime_ns") ", 2 FROM files WHERE ?1 = 0 OR "
	    "source_id = ?1 UNION ALL "
	    "SELECT id, " SEC("ctime_ns") ", 4 FROM files WHERE ?1 = 0 OR "
	    "source_id = ?1 UNION ALL "
	    "SELECT id, " SEC("crtime_ns") ", 8 FROM files WHERE ?1 = 0 OR "
	    "source_id = ?1), "
	    "g(fid, sec, bits) AS (SELECT fid, sec, sum(bit) FROM t "
	    "GROUP BY fid, sec) "
	    "SELECT g.sec, g.bits, " FILE_COLUMNS " FROM g JOIN files f ON "
	    "f.id = g.fid WHERE (?2 IS NULL OR ?2 = 'fs') AND "
	    /* mactime skips a line whose four times are all 0 */
	    "(f.atime_ns IS NOT NULL OR f.mtime_ns IS NOT NULL OR "
	    "f.ctime_ns IS NOT NULL OR f.crtime_ns IS NOT NULL) AND "
	    "(?3 IS NULL OR g.sec >= ?3) AND (?4 IS NULL OR g.sec <= ?4) "
	    /* mactime's own order: time, then inode and name as text */
	    "ORDER BY g.sec, CASE WHEN f.attr_type IS NULL THEN "
	    "CAST(f.inode AS TEXT) ELSE f.inode || '-' || f.attr_type || '-' "
	    "|| f.attr_id END, f.path, f.stream, f.flags, g.fid", -1, &st,
	    NULL) != SQLITE_OK)
		return db_fail(err, db, "export");
	bind_filters(st, o, 1);
	if (csv)
		fputs("Date,Size,Type,Mode,UID,GID,Meta,File Name\n", out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sec = sqlite3_column_int64(st, 0);
		row_entry(st, 2, &e);
		if (csv || first || sec != last) {
			mactime_date(sec, o->iso, date, sizeof(date));
			width = strlen(date);
			sp_mactime_write(out, &e, (unsigned)
			    sqlite3_column_int(st, 1), date, width, csv);
		} else
			sp_mactime_write(out, &e, (unsigned)
			    sqlite3_column_int(st, 1), NULL, width, csv);
		first = 0;
		last = sec;
		(*rows)++;
		if (sp_signal_pending())
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(err, db, "export");
	return SP_OK;
}

static const char *const macb_names[4] = {
	"Content Modification Time", "Last Access Time",
	"Metadata Modification Time", "Creation Time"
};

/* Timesketch's timestamp_desc for an fs event's MACB letters. */
static void
describe(const char *desc, unsigned flags, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	if (strlen(desc) != 4 || strspn(desc, "macb.") != 4) {
		snprintf(buf, size, "%s", desc);
		return;
	}
	for (i = 0; i < 4; i++) {
		if (desc[i] == '.')
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s%s", n ? "; " : "",
		    macb_names[i], flags & SP_ENTRY_FILE_NAME ?
		    " ($FILE_NAME)" : "");
		if (n >= size)
			break;
	}
}

static int
export_events(sqlite3 *db, const struct sp_export_opts *o, FILE *out,
    uint64_t *rows, struct sp_err *err)
{
	sqlite3_stmt *st;
	struct sp_json w;
	char iso[SP_TIME_ISO_MAX], desc[256];
	sp_time_ns t;
	int rc, ts = o->format == SP_EXPORT_TIMESKETCH;

	if (sqlite3_prepare_v2(db, "SELECT e.id, e.time_ns, e.time_desc, "
	    "e.artifact, e.source_id, e.host, e.user, e.pid, e.ppid, e.exe, "
	    "e.path, e.message, e.extra, e.origin, e.origin_line, "
	    "e.origin_offset, e.file_id, f.inode, f.attr_type, f.attr_id, "
	    "f.flags, s.path FROM events e LEFT JOIN files f ON "
	    "f.id = e.file_id JOIN sources s ON s.id = e.source_id "
	    "WHERE (?1 = 0 OR e.source_id = ?1) AND "
	    "(?2 IS NULL OR e.artifact = ?2) AND "
	    "(?3 IS NULL OR e.time_ns >= ?3) AND (?4 IS NULL OR e.time_ns <= ?4) "
	    "ORDER BY e.time_ns, e.id", -1, &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "export");
	bind_filters(st, o, 0);
	sp_json_init(&w, out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t = sqlite3_column_int64(st, 1);
		sp_time_format_iso(t, 9, iso, sizeof(iso));
		sp_json_object_begin(&w);
		if (ts) {
			/* Timesketch wants these three on every line */
			sp_json_kv_str(&w, "message", col_str(st, 11));
			/* Timesketch's examples write the zone as +00:00 */
			snprintf(iso + strlen(iso) - 1, 8, "+00:00");
			sp_json_kv_str(&w, "datetime", iso);
			sp_json_kv_int(&w, "timestamp", sp_time_sec(t) *
			    1000000 + sp_time_nsec(t) / 1000);
			describe(col_str(st, 2), (unsigned)
			    sqlite3_column_int(st, 20), desc, sizeof(desc));
			sp_json_kv_str(&w, "timestamp_desc", desc);
			sp_json_kv_str(&w, "macb", col_str(st, 2));
		} else {
			sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
			sp_json_kv_int(&w, "id", sqlite3_column_int64(st, 0));
			sp_json_kv_str(&w, "time", iso);
			sp_json_kv_int(&w, "time_ns", t);
			sp_json_kv_str(&w, "time_desc", col_str(st, 2));
			sp_json_kv_str(&w, "message", col_str(st, 11));
		}
		sp_json_kv_str(&w, "artifact", col_str(st, 3));
		sp_json_kv_int(&w, "source_id", sqlite3_column_int64(st, 4));
		sp_json_kv_str(&w, "source", col_str(st, 21));
		sp_json_kv_str(&w, "host", col_str(st, 5));
		sp_json_kv_str(&w, "user", col_str(st, 6));
#define KV_INT_OR_NULL(key, col) do { \
		sp_json_key(&w, key); \
		if (sqlite3_column_type(st, col) == SQLITE_NULL) \
			sp_json_null(&w); \
		else \
			sp_json_int(&w, sqlite3_column_int64(st, col)); \
	} while (0)
		KV_INT_OR_NULL("pid", 7);
		KV_INT_OR_NULL("ppid", 8);
		sp_json_kv_str(&w, "exe", col_str(st, 9));
		sp_json_kv_str(&w, "path", col_str(st, 10));
		KV_INT_OR_NULL("inode", 17);
		KV_INT_OR_NULL("file_id", 16);
		sp_json_kv_str(&w, "origin", col_str(st, 13));
		KV_INT_OR_NULL("origin_line", 14);
		KV_INT_OR_NULL("origin_offset", 15);
#undef KV_INT_OR_NULL
		sp_json_key(&w, "extra");
		if (sqlite3_column_type(st, 12) == SQLITE_NULL)
			sp_json_null(&w);
		else	/* stored as JSON text by the library itself */
			sp_json_raw(&w, col_str(st, 12));
		sp_json_object_end(&w);
		sp_json_line_end(&w);
		(*rows)++;
		if (sp_signal_pending())
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(err, db, "export");
	return SP_OK;
}

int
sp_export(struct sp_case *c, const struct sp_export_opts *o, FILE *out,
    uint64_t *rows, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	int rc;

	*rows = 0;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(err, db, "export");
	switch (o->format) {
	case SP_EXPORT_BODYFILE:
		rc = export_bodyfile(db, o, out, rows, err);
		break;
	case SP_EXPORT_MACTIME:
	case SP_EXPORT_MACTIME_CSV:
		rc = export_mactime(db, o, o->format == SP_EXPORT_MACTIME_CSV,
		    out, rows, err);
		break;
	default:
		rc = export_events(db, o, out, rows, err);
		break;
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc == SP_OK && sp_signal_pending())
		rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "export");
	if (rc == SP_OK && (fflush(out) != 0 || ferror(out)))
		rc = sp_err_set(err, SP_E_IO, 0, "write error");
	return rc;
}

int
sp_export_find_source(struct sp_case *c, const char *s, int64_t *id,
    struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (sqlite3_prepare_v2(db, "SELECT id FROM sources WHERE "
	    "CAST(id AS TEXT) = ?1 OR path = ?1 ORDER BY id DESC LIMIT 1", -1,
	    &st, NULL) != SQLITE_OK)
		return db_fail(err, db, "find source");
	sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (*id == 0)
		return sp_err_set(err, SP_E_NOTFOUND, 0, "no source '%s' in "
		    "the case", s);
	return SP_OK;
}
