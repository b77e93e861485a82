/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The baseline file: a SQLite database of its own (application_id
 * "SPBL", schema in user_version), written once in one transaction and
 * read whole, in key order, back into a snapshot.  Its schema is in
 * spoor-baseline(1).  A file given to read is anybody's: it is opened
 * read-only, its identity checked before anything else, and a damaged
 * one is malformed data, not an internal error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/sql.h"
#include "baseline/baseline-internal.h"

static const char schema[] =
    "PRAGMA journal_mode=OFF;"
    "PRAGMA synchronous=OFF;"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
    "CREATE TABLE files(fs INTEGER NOT NULL, path TEXT NOT NULL,"
    " type TEXT NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL,"
    " gid INTEGER NOT NULL, size INTEGER NOT NULL, sha256 TEXT,"
    " md5 TEXT, link TEXT, mtime INTEGER, ctime INTEGER, xattrs TEXT,"
    " exec INTEGER NOT NULL, PRIMARY KEY (fs, path)) WITHOUT ROWID;"
    "CREATE TABLE items(kind TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;";

static const char *const kind_names[] = {
	"package", "user", "group", "unit", "timer", "cron", "sudoers",
	"key", "preload", "profile", "listen"
};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == SP_BL_NKINDS,
    "a name for every kind of item");

const char *
sp_bl_item_kind_name(enum sp_bl_item_kind k)
{
	return (unsigned)k < SP_BL_NKINDS ? kind_names[k] : "?";
}

static int
kind_of(const char *name)
{
	int i;

	for (i = 0; i < SP_BL_NKINDS; i++)
		if (strcmp(kind_names[i], name) == 0)
			return i;
	return -1;
}

static void
bind_time(sqlite3_stmt *st, int i, sp_time_ns t)
{
	if (t == SP_TIME_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

static int
put_files(sqlite3 *db, const struct sp_baseline *b, struct sp_err *err)
{
	sqlite3_stmt *st;
	char type[2] = { 0, 0 };
	size_t i;
	int rc;

	if ((rc = sp_sql_prepare(db, "INSERT INTO files VALUES (?,?,?,?,?,?,"
	    "?,?,?,?,?,?,?,?)", &st, SP_E_CREATE, "files", err)) != SP_OK)
		return rc;
	for (i = 0; i < b->nfiles; i++) {
		const struct sp_bl_file *f = &b->files[i];

		sqlite3_reset(st);
		type[0] = f->type;
		sqlite3_bind_int64(st, 1, f->fs);
		sp_sql_bind_text(st, 2, f->path);
		sp_sql_bind_text(st, 3, type);
		sqlite3_bind_int64(st, 4, f->mode);
		sqlite3_bind_int64(st, 5, f->uid);
		sqlite3_bind_int64(st, 6, f->gid);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)f->size);
		sp_sql_bind_text(st, 8, f->sha256);
		sp_sql_bind_text(st, 9, f->md5);
		sp_sql_bind_text(st, 10, f->link);
		bind_time(st, 11, f->mtime);
		bind_time(st, 12, f->ctime);
		sp_sql_bind_text(st, 13, f->xattrs);
		sqlite3_bind_int(st, 14, f->exec);
		if ((rc = sp_sql_step_done(db, st, SP_E_CREATE, "files", err))
		    != SP_OK)
			break;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
put_items(sqlite3 *db, const struct sp_baseline *b, const char *source,
    struct sp_err *err)
{
	sqlite3_stmt *st;
	char when[32];
	size_t i;
	int rc;

	if ((rc = sp_sql_prepare(db, "INSERT INTO items VALUES (?,?,?)", &st,
	    SP_E_CREATE, "items", err)) != SP_OK)
		return rc;
	for (i = 0; i < b->nitems && rc == SP_OK; i++) {
		sqlite3_reset(st);
		sp_sql_bind_text(st, 1, kind_names[b->items[i].kind]);
		sp_sql_bind_text(st, 2, b->items[i].key);
		sp_sql_bind_text(st, 3, b->items[i].value);
		rc = sp_sql_step_done(db, st, SP_E_CREATE, "items", err);
	}
	sqlite3_finalize(st);
	if (rc != SP_OK)
		return rc;
	if ((rc = sp_sql_prepare(db, "INSERT INTO meta VALUES (?,?)", &st,
	    SP_E_CREATE, "meta", err)) != SP_OK)
		return rc;
	snprintf(when, sizeof(when), "%lld", (long long)b->time);
	sp_sql_bind_text(st, 1, "source");
	sp_sql_bind_text(st, 2, source);
	if ((rc = sp_sql_step_done(db, st, SP_E_CREATE, "meta", err)) ==
	    SP_OK) {
		sqlite3_reset(st);
		sp_sql_bind_text(st, 1, "time_ns");
		sp_sql_bind_text(st, 2, when);
		rc = sp_sql_step_done(db, st, SP_E_CREATE, "meta", err);
	}
	sqlite3_finalize(st);
	return rc;
}

int
sp_baseline_save(const struct sp_baseline *b, const char *path,
    const char *source, int force, struct sp_err *err)
{
	sqlite3 *db = NULL;
	char tmp[4096], pragma[128];
	int rc;

	if (!force && access(path, F_OK) == 0)
		return sp_err_set(err, SP_E_EXISTS, 0, "'%s': exists (--force "
		    "replaces it)", path);
	/* written beside it and renamed: no half baseline under its name */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path,
	    (long)getpid()) >= sizeof(tmp))
		return sp_err_set(err, SP_E_CREATE, 0, "'%s': name too long",
		    path);
	unlink(tmp);
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = sp_sql_err(err, db, SP_E_CREATE, "open");
		goto fail;
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA application_id=%d;"
	    "PRAGMA user_version=%d;", SP_BASELINE_APPLICATION_ID,
	    SP_BASELINE_SCHEMA);
	if ((rc = sp_sql_exec(db, pragma, SP_E_CREATE, err)) != SP_OK ||
	    (rc = sp_sql_exec(db, schema, SP_E_CREATE, err)) != SP_OK ||
	    (rc = sp_sql_begin(db, SP_E_CREATE, err)) != SP_OK ||
	    (rc = put_files(db, b, err)) != SP_OK ||
	    (rc = put_items(db, b, source, err)) != SP_OK ||
	    (rc = sp_sql_commit(db, SP_E_CREATE, err)) != SP_OK)
		goto fail;
	if (sqlite3_close(db) != SQLITE_OK) {
		db = NULL;
		rc = sp_err_set(err, SP_E_CREATE, 0, "close");
		goto fail;
	}
	db = NULL;
	if (rename(tmp, path) != 0) {
		rc = sp_err_set(err, SP_E_CREATE, errno, "rename");
		goto fail;
	}
	return SP_OK;
fail:
	sp_sql_rollback(db);
	sqlite3_close(db);
	unlink(tmp);
	sp_err_prefix(err, "'%s'", path);
	return rc;
}

static sp_time_ns
col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? SP_TIME_NONE :
	    sqlite3_column_int64(st, i);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int
get_files(sqlite3 *db, struct sp_baseline *b, struct sp_err *err)
{
	sqlite3_stmt *st;
	struct sp_bl_file f;
	int rc, row;

	if ((rc = sp_sql_prepare(db, "SELECT fs, path, type, mode, uid, gid,"
	    " size, sha256, md5, link, mtime, ctime, xattrs, exec FROM files"
	    " ORDER BY fs, path", &st, SP_E_FORMAT, "files", err)) != SP_OK)
		return rc;
	while ((rc = sp_sql_step_row(db, st, &row, SP_E_FORMAT, "files",
	    err)) == SP_OK && row) {
		const char *type = col_text(st, 2);

		memset(&f, 0, sizeof(f));
		f.fs = (unsigned)sqlite3_column_int64(st, 0);
		f.path = col_text(st, 1);
		f.type = type && type[0] ? type[0] : SP_TYPE_UNKNOWN;
		f.mode = (uint32_t)sqlite3_column_int64(st, 3);
		f.uid = (uint32_t)sqlite3_column_int64(st, 4);
		f.gid = (uint32_t)sqlite3_column_int64(st, 5);
		f.size = (uint64_t)sqlite3_column_int64(st, 6);
		f.sha256 = col_text(st, 7);
		f.md5 = col_text(st, 8);
		f.link = col_text(st, 9);
		f.mtime = col_time(st, 10);
		f.ctime = col_time(st, 11);
		f.xattrs = col_text(st, 12);
		f.exec = sqlite3_column_int(st, 13) & 7;
		if (f.path == NULL) {
			rc = sp_err_set(err, SP_E_FORMAT, 0, "a file without "
			    "a path");
			break;
		}
		if (sp_bl_add_file(b, &f) != SP_OK) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "files");
			break;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int
get_items(sqlite3 *db, struct sp_baseline *b, struct sp_err *err)
{
	sqlite3_stmt *st;
	const char *k, *v, *kind;
	int rc, row, ki;

	if ((rc = sp_sql_prepare(db, "SELECT kind, key, value FROM items",
	    &st, SP_E_FORMAT, "items", err)) != SP_OK)
		return rc;
	while ((rc = sp_sql_step_row(db, st, &row, SP_E_FORMAT, "items",
	    err)) == SP_OK && row) {
		kind = col_text(st, 0);
		k = col_text(st, 1);
		v = col_text(st, 2);
		/* a kind of a later schema is not this program's to judge */
		if (kind == NULL || k == NULL || (ki = kind_of(kind)) < 0)
			continue;
		if (sp_bl_add_item(b, (enum sp_bl_item_kind)ki, k, strlen(k),
		    v ? v : "", v ? strlen(v) : 0) != SP_OK) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "items");
			break;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

static int
get_meta(sqlite3 *db, struct sp_baseline *b, struct sp_err *err)
{
	sqlite3_stmt *st;
	const char *k, *v;
	int rc, row;

	if ((rc = sp_sql_prepare(db, "SELECT key, value FROM meta", &st,
	    SP_E_FORMAT, "meta", err)) != SP_OK)
		return rc;
	while ((rc = sp_sql_step_row(db, st, &row, SP_E_FORMAT, "meta",
	    err)) == SP_OK && row) {
		k = col_text(st, 0);
		v = col_text(st, 1);
		if (k == NULL || v == NULL)
			continue;
		if (strcmp(k, "source") == 0 && b->source == NULL)
			b->source = strdup(v);
		else if (strcmp(k, "time_ns") == 0)
			b->time = strtoll(v, NULL, 10);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The identity of the file: a baseline of a schema this build reads. */
static int
check_identity(sqlite3 *db, int *version, struct sp_err *err)
{
	int64_t app, ver;
	int rc;

	if ((rc = sp_sql_int(db, "PRAGMA application_id", &app, SP_E_FORMAT,
	    "application_id", err)) != SP_OK)
		return rc;
	if (app != SP_BASELINE_APPLICATION_ID)
		return sp_err_set(err, SP_E_FORMAT, 0, "not a spoor baseline");
	if ((rc = sp_sql_int(db, "PRAGMA user_version", &ver, SP_E_FORMAT,
	    "user_version", err)) != SP_OK)
		return rc;
	if (ver > SP_BASELINE_SCHEMA)
		return sp_err_set(err, SP_E_SCHEMA, 0, "baseline schema %lld "
		    "is newer than this program's (%d)", (long long)ver,
		    SP_BASELINE_SCHEMA);
	if (ver < 1)
		return sp_err_set(err, SP_E_FORMAT, 0, "no baseline schema");
	*version = (int)ver;
	return SP_OK;
}

int
sp_baseline_load(struct sp_baseline **out, const char *path,
    struct sp_err *err)
{
	struct sp_baseline *b = NULL;
	sqlite3 *db = NULL;
	struct stat sb;
	char uri[4200];
	int rc, version = 0;

	*out = NULL;
	if (stat(path, &sb) != 0)
		return sp_err_set(err, SP_E_NOINPUT, errno, "'%s'", path);
	if (!S_ISREG(sb.st_mode))
		return sp_err_set(err, SP_E_FORMAT, 0, "'%s': not a regular "
		    "file", path);
	/* immutable: no journal or lock file is ever made beside it */
	if (snprintf(uri, sizeof(uri), "file:%s?immutable=1", path) >=
	    (int)sizeof(uri) || strpbrk(path, "?#%") != NULL)
		snprintf(uri, sizeof(uri), "%s", path);
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI,
	    NULL) != SQLITE_OK) {
		rc = sp_sql_err(err, db, SP_E_NOINPUT, "open");
		goto fail;
	}
	if ((rc = check_identity(db, &version, err)) != SP_OK ||
	    (rc = sp_bl_new(&b, err)) != SP_OK ||
	    (rc = get_meta(db, b, err)) != SP_OK ||
	    (rc = get_files(db, b, err)) != SP_OK ||
	    (rc = get_items(db, b, err)) != SP_OK)
		goto fail;
	sqlite3_close(db);
	b->schema = version;
	/* sorted as the snapshot sorts, whatever order the file kept */
	sp_bl_sort(b);
	*out = b;
	return SP_OK;
fail:
	sqlite3_close(db);
	sp_baseline_free(b);
	if (rc == SP_E_CASE || rc == SP_E_INTERNAL)
		rc = err->code = SP_E_FORMAT;
	sp_err_prefix(err, "baseline '%s'", path);
	return rc;
}
