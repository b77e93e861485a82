/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The case database: its schema, its migrations and opening it (see
 * include/spoor/case.h).  The schema has its one home here; store.c writes
 * rows and query.c reads them.
 * Migrations are applied in order inside one exclusive transaction that
 * first reads the header again, so commands opening one case at once
 * never migrate it twice; the schema version lives in PRAGMA user_version
 * and the file is marked as a spoor case by PRAGMA application_id.
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
#include "case/case-internal.h"

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
	/*
	 * 4: process identity, the subject of an event apart from its
	 * origin, and what the analyst marks.  Until now events.file_id was
	 * the file an fs or detection event is about but the log an artifact
	 * event was read from; the log moves to origin_file_id and file_id
	 * becomes the subject alone, resolved by path in the same source.
	 */
	"ALTER TABLE events ADD COLUMN origin_file_id INTEGER "
	"  REFERENCES files(id) ON DELETE CASCADE;"
	"ALTER TABLE events ADD COLUMN boot_id TEXT;"
	"ALTER TABLE events ADD COLUMN session INTEGER;"
	"ALTER TABLE events ADD COLUMN auid INTEGER;"
	"ALTER TABLE events ADD COLUMN tty TEXT;"
	"ALTER TABLE events ADD COLUMN cwd TEXT;"
	"UPDATE events SET origin_file_id = file_id, file_id = ("
	"  SELECT f.id FROM files f WHERE f.source_id = events.source_id"
	"  AND f.path = events.path AND f.allocated = 1"
	"  ORDER BY f.id LIMIT 1)"
	"  WHERE artifact NOT IN ('fs', 'detection');"
	"CREATE TABLE tags ("
	"  id INTEGER PRIMARY KEY,"
	"  target_kind TEXT NOT NULL"
	"    CHECK (target_kind IN ('event','file','detection','node')),"
	"  target_id INTEGER NOT NULL,"
	"  tag TEXT NOT NULL,"
	"  author TEXT,"
	"  created_ns INTEGER NOT NULL,"
	"  run_id INTEGER REFERENCES runs(id),"
	"  UNIQUE (target_kind, target_id, tag)"
	");"
	"CREATE INDEX tags_tag ON tags(tag);"
	"CREATE TABLE notes ("
	"  id INTEGER PRIMARY KEY,"
	"  target_kind TEXT NOT NULL"
	"    CHECK (target_kind IN ('event','file','detection','node')),"
	"  target_id INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  author TEXT,"
	"  created_ns INTEGER NOT NULL,"
	"  updated_ns INTEGER,"
	"  run_id INTEGER REFERENCES runs(id)"
	");"
	"CREATE INDEX notes_target ON notes(target_kind, target_id);"
	"CREATE INDEX tags_target ON tags(target_kind, target_id);",
	/*
	 * 5: the causal graph of spoor-rca and its root-cause trees.  Node
	 * ids are unique across processes, sessions and objects; an edge
	 * names the kind of each end.  Rebuilt whole by each graph build.
	 */
	"CREATE TABLE graph_builds ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  run_id INTEGER REFERENCES runs(id),"
	"  built_ns INTEGER NOT NULL,"
	"  max_source_id INTEGER NOT NULL,"
	"  source_count INTEGER NOT NULL,"
	"  node_count INTEGER NOT NULL,"
	"  edge_count INTEGER NOT NULL,"
	"  event_count INTEGER NOT NULL,"
	"  missing TEXT NOT NULL DEFAULT '[]'"	/* JSON array of text */
	");"
	"CREATE TABLE processes ("
	"  id INTEGER PRIMARY KEY,"
	"  host TEXT, boot_id TEXT,"
	"  pid INTEGER, ppid INTEGER,"
	"  start_ns INTEGER, end_ns INTEGER,"
	"  exe TEXT, argv TEXT,"			/* JSON array */
	"  cwd TEXT, comm TEXT, tty TEXT, user TEXT,"
	"  uid INTEGER, euid INTEGER, auid INTEGER, ses INTEGER,"
	"  inferred INTEGER NOT NULL DEFAULT 0,"
	"  detail TEXT,"
	"  events TEXT NOT NULL DEFAULT '[]'"
	");"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  host TEXT,"
	"  type TEXT NOT NULL,"			/* ssh console sudo su cron */
	"  user TEXT, uid INTEGER, auid INTEGER, ses INTEGER,"
	"  address TEXT, port INTEGER, method TEXT, tty TEXT, pid INTEGER,"
	"  start_ns INTEGER, end_ns INTEGER,"
	"  inferred INTEGER NOT NULL DEFAULT 0,"
	"  detail TEXT,"
	"  events TEXT NOT NULL DEFAULT '[]'"
	");"
	"CREATE TABLE objects ("
	"  id INTEGER PRIMARY KEY,"
	"  host TEXT,"
	"  type TEXT NOT NULL"
	"    CHECK (type IN ('file','endpoint','request','cron','unit')),"
	"  name TEXT,"
	"  path TEXT,"
	"  address TEXT, port INTEGER, method TEXT, user TEXT,"
	"  file_id INTEGER REFERENCES files(id) ON DELETE SET NULL,"
	"  inode INTEGER, sha256 TEXT,"
	"  start_ns INTEGER,"
	"  inferred INTEGER NOT NULL DEFAULT 0,"
	"  detail TEXT,"
	"  events TEXT NOT NULL DEFAULT '[]'"
	");"
	"CREATE TABLE edges ("
	"  id INTEGER PRIMARY KEY,"
	"  src INTEGER NOT NULL, src_kind TEXT NOT NULL,"
	"  dst INTEGER NOT NULL, dst_kind TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  time_ns INTEGER,"
	"  confidence REAL NOT NULL,"
	"  reason TEXT,"
	"  events TEXT NOT NULL DEFAULT '[]'"
	");"
	"CREATE TABLE trees ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  run_id INTEGER REFERENCES runs(id),"
	"  build_id INTEGER,"
	"  incident INTEGER NOT NULL,"
	"  root INTEGER,"
	"  created_ns INTEGER NOT NULL,"
	"  summary TEXT NOT NULL,"			/* JSON object */
	"  missing TEXT NOT NULL DEFAULT '[]'"
	");"
	"CREATE TABLE tree_nodes ("
	"  tree_id INTEGER NOT NULL REFERENCES trees(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  node INTEGER NOT NULL,"
	"  parent INTEGER,"				/* seq of the parent */
	"  relation TEXT, edge_id INTEGER,"
	"  depth INTEGER NOT NULL,"
	"  time_ns INTEGER,"
	"  confidence REAL NOT NULL,"
	"  label TEXT NOT NULL, reason TEXT,"
	"  PRIMARY KEY (tree_id, seq)"
	");"
	"CREATE INDEX tree_nodes_node ON tree_nodes(node);",
	/*
	 * 6: the filters the analyst saves by name, and an index that finds
	 * the detections of an event (a timeline row shows the highest
	 * severity among them).
	 */
	"CREATE TABLE saved_filters ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  filter TEXT NOT NULL,"			/* JSON object */
	"  created_ns INTEGER NOT NULL,"
	"  updated_ns INTEGER,"
	"  run_id INTEGER REFERENCES runs(id)"
	");"
	"CREATE INDEX IF NOT EXISTS detections_event ON detections(event_id);",
	/*
	 * 7: a file system event is its files row seen at one of its
	 * times: new ones store neither path nor message (the read cursor
	 * gives the row's), and file paths are searched through their own
	 * full-text index, one entry per files row rather than one per
	 * event.  Events stored with their text keep it, and their entries
	 * in events_fts.
	 */
	"CREATE VIRTUAL TABLE files_fts USING fts5(path, content='files', "
	"  content_rowid='id', columnsize=0);"
	"INSERT INTO files_fts(rowid, path) SELECT id, path FROM files;"
	/* a sampled fingerprint that tells the same source again without a
	   full hash (evidence.h's sp_evidence_fingerprint) */
	"ALTER TABLE sources ADD COLUMN fingerprint TEXT;"
	/* the events with their text, as the read cursor gives them, for
	   SQL of one's own: an fs event's path and name from its row (the
	   name as fls shows it, query.c's fs_display_name) */
	"CREATE VIEW events_text AS SELECT e.id, e.time_ns, e.time_desc, "
	"  e.artifact, e.source_id, e.file_id, e.host, e.user, e.pid, e.ppid,"
	"  e.exe, CASE WHEN e.artifact = 'fs' AND e.path IS NULL"
	"    THEN f.path ELSE e.path END AS path,"
	"  CASE WHEN e.artifact = 'fs' AND e.message = '' AND f.id IS NOT NULL"
	"    THEN f.path || coalesce(':' || f.stream, '') ||"
	"    CASE WHEN f.flags & 8 THEN ' ($FILE_NAME)' ELSE '' END ||"
	"    coalesce(' -> ' || f.link, '') ||"
	"    CASE WHEN f.flags & 1 = 0 THEN '' WHEN f.flags & 2"
	"    THEN ' (deleted-realloc)' ELSE ' (deleted)' END"
	"    ELSE e.message END AS message,"
	"  e.extra, e.origin, e.origin_line, e.origin_offset, e.run_id,"
	"  e.origin_file_id, e.boot_id, e.session, e.auid, e.tty, e.cwd"
	"  FROM events e LEFT JOIN files f ON e.artifact = 'fs' AND"
	"  f.id = e.file_id;",
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])) - 1)


/*
 * The secondary indexes of the timeline tables.  A first load into an
 * empty case drops them and builds them once at the end, which is several
 * times faster than keeping them up to date row by row; every open makes
 * sure they exist, so a load that died half-way costs nothing but time.
 * The indexes of ids leave out the rows without one (most log events):
 * a lookup by id implies it is not NULL, so the planner still uses them.
 */
static const char timeline_indexes[] =
	"CREATE INDEX IF NOT EXISTS files_source ON files(source_id, fs, inode);"
	"CREATE INDEX IF NOT EXISTS files_path ON files(path);"
	"CREATE INDEX IF NOT EXISTS events_time ON events(time_ns, id);"
	"CREATE INDEX IF NOT EXISTS events_artifact_time ON events(artifact, "
	"time_ns);"
	"CREATE INDEX IF NOT EXISTS events_file ON events(file_id) WHERE "
	"file_id IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS events_origin_file ON events("
	"origin_file_id) WHERE origin_file_id IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS events_process ON events(host, boot_id, "
	"pid, time_ns) WHERE pid IS NOT NULL;"
	"CREATE INDEX IF NOT EXISTS events_session ON events(session, "
	"time_ns) WHERE session IS NOT NULL;"
	/* a detection already in the case (sp_case_detection_known); not
	   among the indexes a first load drops */
	"CREATE INDEX IF NOT EXISTS detections_target ON detections("
	"source_id, path, name);";
static const char timeline_drop_indexes[] =
	"DROP INDEX IF EXISTS files_source; DROP INDEX IF EXISTS files_path;"
	"DROP INDEX IF EXISTS events_time;"
	"DROP INDEX IF EXISTS events_artifact_time;"
	"DROP INDEX IF EXISTS events_file;"
	"DROP INDEX IF EXISTS events_origin_file;"
	"DROP INDEX IF EXISTS events_process;"
	"DROP INDEX IF EXISTS events_session;";

int
sp_case_timeline_indexes(struct sp_case *c, int create, struct sp_err *err)
{
	return sp_sql_exec(c->db, create ? timeline_indexes :
	    timeline_drop_indexes, SP_E_CASE, err);
}

/*
 * Check the header of the open file: a spoor case of a version this
 * program knows, or an empty file that may become one.
 */
static int
check_header(struct sp_case *c, struct sp_err *err)
{
	int64_t appid, version, tables;
	int rc;

	if ((rc = sp_sql_int(c->db, "PRAGMA application_id", &appid,
	    SP_E_CASE, "read header", err)) != SP_OK ||
	    (rc = sp_sql_int(c->db, "PRAGMA user_version", &version,
	    SP_E_CASE, "read header", err)) != SP_OK)
		return rc;
	c->version = (int)version;
	if (appid != SP_CASE_APPLICATION_ID && (appid != 0 ||
	    c->version != 0))
		return sp_err_set(err, SP_E_FORMAT, 0,
		    "not a spoor case database");
	if (appid == 0) {
		/* A fresh file must be empty to become a case. */
		if ((rc = sp_sql_int(c->db, "SELECT count(*) FROM "
		    "sqlite_master", &tables, SP_E_CASE, "read header", err))
		    != SP_OK)
			return rc;
		if (tables != 0)
			return sp_err_set(err, SP_E_FORMAT, 0,
			    "not a spoor case database");
	}
	if (c->version > SP_CASE_SCHEMA_VERSION)
		return sp_err_set(err, SP_E_SCHEMA, 0, "schema version %d is "
		    "newer than this program's %d; upgrade spoor", c->version,
		    SP_CASE_SCHEMA_VERSION);
	return SP_OK;
}

/*
 * Bring the case to the current schema in one exclusive transaction that
 * reads the header inside it: another command creating or migrating the
 * same case at the same moment either finished before (and this one finds
 * nothing left to do) or waits until this one has.  A header read before
 * the lock could be stale, which is how two commands used to create the
 * same tables.
 */
static int
migrate(struct sp_case *c, struct sp_err *err)
{
	char sql[128];
	int v, rc;

	if ((rc = sp_sql_exec(c->db, "BEGIN EXCLUSIVE", SP_E_CASE, err)) != SP_OK)
		return sp_err_prefix(err, "lock");
	if ((rc = check_header(c, err)) != SP_OK)
		goto fail;
	for (v = c->version + 1; v <= NMIGRATIONS; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;"
		    "PRAGMA application_id = %d;", v, SP_CASE_APPLICATION_ID);
		if ((rc = sp_sql_exec(c->db, migrations[v], SP_E_CASE, err)) != SP_OK ||
		    (rc = sp_sql_exec(c->db, sql, SP_E_CASE, err)) != SP_OK) {
			sp_err_prefix(err, "migrate to schema %d", v);
			goto fail;
		}
	}
	if ((rc = sp_sql_exec(c->db, timeline_indexes, SP_E_CASE, err)) != SP_OK ||
	    (rc = sp_sql_exec(c->db, "COMMIT", SP_E_CASE, err)) != SP_OK)
		goto fail;
	c->version = NMIGRATIONS;
	return SP_OK;
fail:
	sp_sql_rollback(c->db);
	return rc;
}

/*
 * Whether the last statement failed only because another connection held
 * the lock past the busy timeout: worth one more try.
 */
static int
busy(sqlite3 *db)
{
	int rc = sqlite3_errcode(db);

	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

/* How many times a writer tries to set up a case held by others. */
#define SETUP_TRIES 5

int
sp_case_open(struct sp_case **cp, const char *path, unsigned flags,
    struct sp_err *err)
{
	struct sp_case *c;
	struct stat st;
	int oflags, rc, try;

	*cp = NULL;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return sp_err_set(err, SP_E_FORMAT, 0,
			    "case '%s': a symbolic link; name the case "
			    "itself", path);
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
		rc = sp_sql_err(err, c->db, SP_E_CASE, "open");
		goto fail;
	}
	sqlite3_busy_timeout(c->db, 10000);
	/* a 32 MiB page cache keeps a bulk load's b-trees in memory */
	sqlite3_exec(c->db, "PRAGMA cache_size = -32768", NULL, NULL, NULL);
	/*
	 * The header in one read transaction: its fields read one by one
	 * could straddle another command's creation of the case (an empty
	 * application_id, then its tables) and look like a foreign file.
	 */
	if ((rc = sp_sql_exec(c->db, "BEGIN", SP_E_CASE, err)) != SP_OK)
		goto fail;
	rc = check_header(c, err);
	sp_sql_rollback(c->db);
	if (rc != SP_OK)
		goto fail;
	if (!(flags & SP_CASE_READONLY)) {
		/*
		 * Switching a new file to WAL and migrating it take the
		 * write lock; a crowd of commands on one new case may keep
		 * one waiting past the busy timeout, so it tries again.
		 */
		for (try = 1; ; try++) {
			sp_err_init(err);
			if ((rc = sp_sql_exec(c->db, "PRAGMA journal_mode = WAL;"
			    "PRAGMA synchronous = NORMAL;", SP_E_CASE, err)) ==
			    SP_OK &&
			    (rc = migrate(c, err)) == SP_OK)
				break;
			if (try == SETUP_TRIES || !busy(c->db))
				goto fail;
		}
	} else if (c->version < SP_CASE_SCHEMA_VERSION) {
		rc = sp_err_set(err, SP_E_SCHEMA, 0, "schema version %d needs "
		    "migrating; open it once for writing", c->version);
		goto fail;
	}
	if ((rc = sp_sql_exec(c->db, "PRAGMA foreign_keys = ON", SP_E_CASE,
	    err)) != SP_OK)
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
