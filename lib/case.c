/*
 * The case database and the run record (see include/spoor/case.h).
 * Migrations are applied in order inside one transaction each; the schema
 * version lives in PRAGMA user_version and the file is marked as a spoor
 * case by PRAGMA application_id.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "spoor/case.h"
#include "spoor/json.h"
#include "internal.h"

struct sp_case {
	sqlite3 *db;
	char *path;
	int version;
};

/* Migration N brings a case from version N-1 to N. */
static const char *const migrations[] = {
	NULL,
	/* 1: runs, their problems, and sources */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  tool TEXT NOT NULL,"
	"  argv TEXT NOT NULL,"		/* JSON array */
	"  cwd TEXT,"
	"  host TEXT,"			/* the machine the tool ran on */
	"  user TEXT,"
	"  versions TEXT NOT NULL,"	/* JSON object: spoor + libraries */
	"  started_ns INTEGER NOT NULL,"
	"  ended_ns INTEGER,"
	"  exit_status INTEGER,"
	"  state TEXT NOT NULL DEFAULT 'running'"
	"    CHECK (state IN ('running','done','partial','failed','interrupted')),"
	"  inputs TEXT NOT NULL DEFAULT '[]',"	/* JSON [{path,size,sha256}] */
	"  problem_count INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE TABLE problems ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  subject TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  message TEXT NOT NULL"
	");"
	"CREATE INDEX problems_run ON problems(run_id);"
	"CREATE TABLE sources ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"	/* ids are never reused */
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  kind TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  size INTEGER,"
	"  md5 TEXT, sha1 TEXT, sha256 TEXT,"
	"  host TEXT,"
	"  details TEXT,"		/* JSON object */
	"  added_ns INTEGER NOT NULL"
	");"
	"CREATE INDEX sources_sha256 ON sources(sha256);",
	/* 2: the file system timeline: files, events, full-text search */
	"CREATE TABLE files ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
	"  fs INTEGER NOT NULL,"		/* file system index in the source */
	"  inode INTEGER NOT NULL,"
	"  attr_type INTEGER,"			/* NTFS attribute, or NULL */
	"  attr_id INTEGER,"
	"  path TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  stream TEXT,"			/* NTFS stream name */
	"  name_type TEXT NOT NULL,"		/* fls letters: r d l V ... */
	"  meta_type TEXT NOT NULL,"
	"  mode INTEGER NOT NULL,"		/* permission bits */
	"  uid INTEGER NOT NULL, gid INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  nlink INTEGER,"
	"  atime_ns INTEGER, mtime_ns INTEGER, ctime_ns INTEGER,"
	"  crtime_ns INTEGER, dtime_ns INTEGER,"
	"  flags INTEGER NOT NULL,"		/* SP_ENTRY_* bits */
	"  allocated INTEGER NOT NULL,"		/* 0 for a deleted name */
	"  link TEXT,"
	"  md5 TEXT, sha1 TEXT, sha256 TEXT"
	");"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ns INTEGER NOT NULL,"		/* UTC nanoseconds */
	"  time_desc TEXT NOT NULL,"		/* m.c. / login / exec ... */
	"  artifact TEXT NOT NULL,"		/* fs, fs_file_name, ... */
	"  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,"
	"  file_id INTEGER REFERENCES files(id) ON DELETE CASCADE,"
	"  host TEXT, user TEXT, pid INTEGER, ppid INTEGER, exe TEXT,"
	"  path TEXT,"
	"  message TEXT NOT NULL,"
	"  extra TEXT,"				/* JSON object of typed fields */
	"  origin TEXT,"			/* file the event was read from */
	"  origin_line INTEGER, origin_offset INTEGER,"
	"  run_id INTEGER REFERENCES runs(id)"
	");"
	/* the indexes of files and events: see timeline_indexes below */
	"CREATE VIRTUAL TABLE events_fts USING fts5(message, "
	"  content='events', content_rowid='id', columnsize=0);"
	"ALTER TABLE sources ADD COLUMN state TEXT NOT NULL DEFAULT 'complete'"
	"  CHECK (state IN ('loading','complete','partial','interrupted'));"
	"ALTER TABLE sources ADD COLUMN file_count INTEGER;"
	"ALTER TABLE sources ADD COLUMN event_count INTEGER;",
	/* 3: detections of spoor-scan, each also an event */
	"CREATE TABLE detections ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  source_id INTEGER REFERENCES sources(id) ON DELETE CASCADE,"
	"  file_id INTEGER REFERENCES files(id) ON DELETE SET NULL,"
	"  event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,"
	"  type TEXT NOT NULL"			/* yara hash package heuristic */
	"    CHECK (type IN ('yara','hash','package','heuristic')),"
	"  name TEXT NOT NULL,"			/* rule, detector or hash set */
	"  namespace TEXT,"
	"  severity TEXT NOT NULL,"
	"  score INTEGER NOT NULL,"		/* 0-100 sub-score */
	"  target_kind TEXT NOT NULL"
	"    CHECK (target_kind IN ('file','memory','process')),"
	"  path TEXT,"				/* file or region path */
	"  fs INTEGER, inode INTEGER,"
	"  pid INTEGER,"
	"  address INTEGER,"			/* memory: first match */
	"  reason TEXT,"
	"  details TEXT NOT NULL,"		/* the JSON record */
	"  time_ns INTEGER NOT NULL"		/* where it sits in time */
	");"
	"CREATE INDEX detections_file ON detections(file_id);"
	"CREATE INDEX detections_source ON detections(source_id, score);",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])) - 1)

static int exec(sqlite3 *db, const char *sql, struct sp_err *err);

/*
 * The secondary indexes of the timeline tables.  A first load into an
 * empty case drops them and builds them once at the end, which is several
 * times faster than keeping them up to date row by row; every open makes
 * sure they exist, so a load that died half-way costs nothing but time.
 */
static const char timeline_indexes[] =
	"CREATE INDEX IF NOT EXISTS files_source ON files(source_id, fs, inode);"
	"CREATE INDEX IF NOT EXISTS files_path ON files(path);"
	"CREATE INDEX IF NOT EXISTS events_time ON events(time_ns, id);"
	"CREATE INDEX IF NOT EXISTS events_artifact_time ON events(artifact, "
	"time_ns);"
	"CREATE INDEX IF NOT EXISTS events_file ON events(file_id);";
static const char timeline_drop_indexes[] =
	"DROP INDEX IF EXISTS files_source; DROP INDEX IF EXISTS files_path;"
	"DROP INDEX IF EXISTS events_time;"
	"DROP INDEX IF EXISTS events_artifact_time;"
	"DROP INDEX IF EXISTS events_file;";

int
sp_case_timeline_indexes(struct sp_case *c, int create, struct sp_err *err)
{
	return exec(c->db, create ? timeline_indexes : timeline_drop_indexes,
	    err);
}

static int
db_err(struct sp_err *err, sqlite3 *db, const char *what)
{
	int rc = sqlite3_errcode(db);
	int code = rc == SQLITE_NOTADB ? SP_E_FORMAT :
	    rc == SQLITE_CANTOPEN ? SP_E_NOINPUT :
	    rc == SQLITE_READONLY || rc == SQLITE_PERM ? SP_E_PERM :
	    rc == SQLITE_NOMEM ? SP_E_NOMEM : SP_E_CASE;

	return sp_err_set(err, code, 0, "%s: %s", what, sqlite3_errmsg(db));
}

static int
exec(sqlite3 *db, const char *sql, struct sp_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		sp_err_set(err, sqlite3_errcode(db) == SQLITE_NOTADB ?
		    SP_E_FORMAT : SP_E_CASE, 0, "%s",
		    msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return err ? err->code : SP_E_CASE;
	}
	return SP_OK;
}

static int
pragma_int(sqlite3 *db, const char *sql, int *v, struct sp_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_err(err, db, "read header");
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_err(err, db, "read header");
	}
	*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return SP_OK;
}

static int
migrate(struct sp_case *c, struct sp_err *err)
{
	char sql[128];
	int v;

	for (v = c->version + 1; v <= NMIGRATIONS; v++) {
		if (exec(c->db, "BEGIN IMMEDIATE", err) != SP_OK)
			return sp_err_prefix(err, "migrate to schema %d", v);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;"
		    "PRAGMA application_id = %d;", v, SP_CASE_APPLICATION_ID);
		if (exec(c->db, migrations[v], err) != SP_OK ||
		    exec(c->db, sql, err) != SP_OK) {
			exec(c->db, "ROLLBACK", NULL);
			return sp_err_prefix(err, "migrate to schema %d", v);
		}
		if (exec(c->db, "COMMIT", err) != SP_OK)
			return sp_err_prefix(err, "migrate to schema %d", v);
		c->version = v;
	}
	return SP_OK;
}

int
sp_case_open(struct sp_case **cp, const char *path, unsigned flags,
    struct sp_err *err)
{
	struct sp_case *c;
	struct stat st;
	int oflags, appid, rc;

	*cp = NULL;
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return sp_err_set(err, SP_E_FORMAT, 0,
			    "case '%s': not a regular file", path);
	} else if (errno != ENOENT || !(flags & SP_CASE_CREATE))
		return sp_err_set(err, errno == ENOENT ? SP_E_NOINPUT :
		    errno == EACCES ? SP_E_PERM : SP_E_OS, errno, "case '%s'",
		    path);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL) {
		free(c);
		return sp_err_set(err, SP_E_NOMEM, 0, "case '%s'", path);
	}
	oflags = flags & SP_CASE_READONLY ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | (flags & SP_CASE_CREATE ?
	    SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &c->db, oflags | SQLITE_OPEN_NOFOLLOW,
	    NULL) != SQLITE_OK) {
		rc = db_err(err, c->db, "open");
		goto fail;
	}
	sqlite3_busy_timeout(c->db, 10000);
	/* a 32 MiB page cache keeps a bulk load's b-trees in memory */
	sqlite3_exec(c->db, "PRAGMA cache_size = -32768", NULL, NULL, NULL);
	if ((rc = pragma_int(c->db, "PRAGMA application_id", &appid, err))
	    != SP_OK || (rc = pragma_int(c->db, "PRAGMA user_version",
	    &c->version, err)) != SP_OK)
		goto fail;
	if (appid != SP_CASE_APPLICATION_ID && (appid != 0 ||
	    c->version != 0)) {
		rc = sp_err_set(err, SP_E_FORMAT, 0,
		    "not a spoor case database");
		goto fail;
	}
	if (appid == 0) {
		/* A fresh file must be empty to become a case. */
		int tables;
		if ((rc = pragma_int(c->db, "SELECT count(*) FROM "
		    "sqlite_master", &tables, err)) != SP_OK)
			goto fail;
		if (tables != 0) {
			rc = sp_err_set(err, SP_E_FORMAT, 0,
			    "not a spoor case database");
			goto fail;
		}
	}
	if (c->version > SP_CASE_SCHEMA_VERSION) {
		rc = sp_err_set(err, SP_E_SCHEMA, 0, "schema version %d is "
		    "newer than this program's %d; upgrade spoor", c->version,
		    SP_CASE_SCHEMA_VERSION);
		goto fail;
	}
	if (!(flags & SP_CASE_READONLY)) {
		if ((rc = exec(c->db, "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = NORMAL;", err)) != SP_OK ||
		    (rc = migrate(c, err)) != SP_OK ||
		    (rc = exec(c->db, timeline_indexes, err)) != SP_OK)
			goto fail;
	} else if (c->version < SP_CASE_SCHEMA_VERSION) {
		rc = sp_err_set(err, SP_E_SCHEMA, 0, "schema version %d needs "
		    "migrating; open it once for writing", c->version);
		goto fail;
	}
	if ((rc = exec(c->db, "PRAGMA foreign_keys = ON", err)) != SP_OK)
		goto fail;
	*cp = c;
	return SP_OK;
fail:
	sp_err_prefix(err, "case '%s'", path);
	sp_case_close(c);
	return rc;
}

void
sp_case_close(struct sp_case *c)
{
	if (c == NULL)
		return;
	if (c->db != NULL)
		sqlite3_close(c->db);
	free(c->path);
	free(c);
}

int
sp_case_schema_version(const struct sp_case *c)
{
	return c->version;
}

const char *
sp_case_path(const struct sp_case *c)
{
	return c->path;
}

const char *
sp_case_path_from_env(const char *arg)
{
	const char *e;

	if (arg != NULL)
		return arg;
	e = getenv("SPOOR_CASE");
	return e != NULL && *e != '\0' ? e : NULL;
}

sqlite3 *
sp_case_db(struct sp_case *c)
{
	return c->db;
}

/* ---- runs ---- */

#define PROBLEMS_KEPT 10000

struct sp_run {
	char *tool;
	char *argv_json;
	char *inputs_json;	/* without the closing ']' */
	size_t inputs_len;
	struct sp_case *c;
	int64_t id;
	sp_time_ns started;
	uint64_t nproblems;
	char **problems;	/* "subject\0code\0message" kept in full */
	size_t nkept;
	int ended;
};

/* A JSON text built in memory through the one escaper. */
static char *
json_to_string(void (*fill)(struct sp_json *, const void *), const void *arg)
{
	struct sp_json w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	sp_json_init(&w, f);
	fill(&w, arg);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct argv_arg {
	int argc;
	char *const *argv;
};

static void
fill_argv(struct sp_json *w, const void *p)
{
	const struct argv_arg *a = p;
	int i;

	sp_json_array_begin(w);
	for (i = 0; i < a->argc; i++)
		sp_json_str(w, a->argv[i]);
	sp_json_array_end(w);
}

int
sp_run_new(struct sp_run **rp, const char *tool, int argc,
    char *const argv[], struct sp_err *err)
{
	struct argv_arg a = { argc, argv };
	struct sp_run *r;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->tool = strdup(tool)) == NULL ||
	    (r->argv_json = json_to_string(fill_argv, &a)) == NULL ||
	    (r->inputs_json = calloc(1, 3)) == NULL) {
		sp_run_free(r);
		return sp_err_set(err, SP_E_NOMEM, 0, "run");
	}
	r->inputs_json[0] = '[';
	r->inputs_len = 1;
	r->started = sp_time_now();
	*rp = r;
	return SP_OK;
}

int
sp_run_attach(struct sp_run *r, struct sp_case *c, struct sp_err *err)
{
	char cwd[PATH_MAX], host[256];
	const char *user = getenv("USER");
	sqlite3_stmt *st = NULL;
	int rc = SP_OK;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (sqlite3_prepare_v2(c->db, "INSERT INTO runs (tool, argv, cwd, "
	    "host, user, versions, started_ns) VALUES (?,?,?,?,?,?,?)", -1,
	    &st, NULL) != SQLITE_OK)
		return db_err(err, c->db, "record run");
	sqlite3_bind_text(st, 1, r->tool, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->argv_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, cwd, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, host, -1, SQLITE_STATIC);
	if (user != NULL)
		sqlite3_bind_text(st, 5, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, sp_versions_json(), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, r->started);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_err(err, c->db, "record run");
	else {
		r->c = c;
		r->id = sqlite3_last_insert_rowid(c->db);
	}
	sqlite3_finalize(st);
	return rc;
}

int64_t
sp_run_id(const struct sp_run *r)
{
	return r->id;
}

struct sp_case *
sp_run_case(const struct sp_run *r)
{
	return r ? r->c : NULL;
}

struct input_arg {
	const char *path;
	uint64_t size;
	const char *sha256;
};

static void
fill_input(struct sp_json *w, const void *p)
{
	const struct input_arg *a = p;

	sp_json_object_begin(w);
	sp_json_kv_str(w, "path", a->path);
	sp_json_kv_uint(w, "size", a->size);
	sp_json_kv_str(w, "sha256", a->sha256);
	sp_json_object_end(w);
}

int
sp_run_add_input(struct sp_run *r, const char *path, uint64_t size,
    const char *sha256, struct sp_err *err)
{
	struct input_arg a = { path, size, sha256 };
	char *obj, *n;
	size_t len;

	if ((obj = json_to_string(fill_input, &a)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "run input");
	len = strlen(obj);
	if ((n = realloc(r->inputs_json, r->inputs_len + len + 3)) == NULL) {
		free(obj);
		return sp_err_set(err, SP_E_NOMEM, 0, "run input");
	}
	r->inputs_json = n;
	if (r->inputs_len > 1)
		n[r->inputs_len++] = ',';
	memcpy(n + r->inputs_len, obj, len);
	r->inputs_len += len;
	n[r->inputs_len] = '\0';
	free(obj);
	return SP_OK;
}

void
sp_run_problem(struct sp_run *r, const char *subject, int code,
    const char *fmt, ...)
{
	char msg[SP_ERR_MSG_MAX], *p, **np;
	const char *name = sp_err_name(code);
	size_t ls, ln, lm;
	va_list ap;

	if (r == NULL)
		return;
	r->nproblems++;
	if (r->nkept >= PROBLEMS_KEPT)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ls = strlen(subject);
	ln = strlen(name);
	lm = strlen(msg);
	if ((p = malloc(ls + ln + lm + 3)) == NULL)
		return;
	if ((r->nkept & (r->nkept - 1)) == 0) {
		np = realloc(r->problems, (r->nkept ? r->nkept * 2 : 1) *
		    sizeof(*np));
		if (np == NULL) {
			free(p);
			return;
		}
		r->problems = np;
	}
	memcpy(p, subject, ls + 1);
	memcpy(p + ls + 1, name, ln + 1);
	memcpy(p + ls + ln + 2, msg, lm + 1);
	r->problems[r->nkept++] = p;
}

uint64_t
sp_run_problem_count(const struct sp_run *r)
{
	return r ? r->nproblems : 0;
}

const char *
sp_run_problem_text(const struct sp_run *r, uint64_t i)
{
	static char buf[2 * SP_ERR_MSG_MAX];
	const char *p;

	if (r == NULL || i >= r->nkept)
		return NULL;
	p = r->problems[i];
	snprintf(buf, sizeof(buf), "%s: %s", p,
	    p + strlen(p) + 1 + strlen(p + strlen(p) + 1) + 1);
	return buf;
}

int
sp_run_end(struct sp_run *r, int exit_status, const char *state,
    struct sp_err *err)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	size_t i;
	int rc = SP_OK;

	r->ended = 1;
	if (r->c == NULL)
		return SP_OK;
	db = r->c->db;
	r->inputs_json[r->inputs_len] = ']';
	r->inputs_json[r->inputs_len + 1] = '\0';
	if (exec(db, "BEGIN IMMEDIATE", err) != SP_OK)
		return sp_err_prefix(err, "record run end");
	if (sqlite3_prepare_v2(db, "INSERT INTO problems (run_id, subject, "
	    "code, message) VALUES (?,?,?,?)", -1, &st, NULL) != SQLITE_OK) {
		rc = db_err(err, db, "record problems");
		goto fail;
	}
	for (i = 0; i < r->nkept; i++) {
		const char *s = r->problems[i], *c = s + strlen(s) + 1,
		    *m = c + strlen(c) + 1;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_text(st, 2, s, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, m, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_err(err, db, "record problems");
			goto fail;
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "UPDATE runs SET ended_ns = ?, "
	    "exit_status = ?, state = ?, inputs = ?, problem_count = ? "
	    "WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		st = NULL;
		rc = db_err(err, db, "record run end");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, sp_time_now());
	sqlite3_bind_int(st, 2, exit_status);
	sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->inputs_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->nproblems);
	sqlite3_bind_int64(st, 6, r->id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = db_err(err, db, "record run end");
		goto fail;
	}
	sqlite3_finalize(st);
	return exec(db, "COMMIT", err);
fail:
	sqlite3_finalize(st);
	exec(db, "ROLLBACK", NULL);
	return rc;
}

void
sp_run_free(struct sp_run *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (!r->ended && r->c != NULL)
		sp_run_end(r, 70, "failed", NULL);
	for (i = 0; i < r->nkept; i++)
		free(r->problems[i]);
	free(r->problems);
	free(r->tool);
	free(r->argv_json);
	free(r->inputs_json);
	free(r);
}

int
sp_case_source_add(struct sp_run *r, const struct sp_source_record *src,
    int64_t *id, struct sp_err *err)
{
	sqlite3_stmt *st;
	sqlite3 *db;
	int rc = SP_OK;

	if (r->c == NULL)
		return sp_err_set(err, SP_E_INTERNAL, 0, "run has no case");
	db = r->c->db;
	if (sqlite3_prepare_v2(db, "INSERT INTO sources (run_id, kind, path, "
	    "size, md5, sha1, sha256, host, details, added_ns) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return db_err(err, db, "add source");
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, src->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, src->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)src->size);
	sqlite3_bind_text(st, 5, src->md5, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, src->sha1, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, src->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, src->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, src->details, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, sp_time_now());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_err(err, db, "add source");
	else if (id != NULL)
		*id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return rc;
}
