/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hash sets (see include/spoor/hashset.h): plain lists held as sorted
 * arrays of binary digests, NSRL RDSv3 databases and spoor's own hash
 * database queried through prepared statements, and the import that fills
 * the hash database.
 *
 * The hash database keeps one row per (digest, set) in a WITHOUT ROWID
 * table whose primary key starts with the digest, so a lookup is one
 * b-tree descent and the table is its own index.  An import stages the
 * digests of a source per algorithm in temporary tables and inserts each
 * in digest order, which keeps the b-tree writes sequential even for the
 * hundreds of millions of rows of an NSRL release.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "spoor/hashset.h"
#include "spoor/signal.h"
#include "spoor/time.h"
#include "spoor/case.h"
#include "spoor/evidence.h"
#include "base/sql.h"
#include "base/util.h"

#define NALG 3
#define PROBLEMS_KEPT 10	/* malformed lines reported per list */

static const size_t alg_len[NALG] = { 16, 20, 32 };
static const char *const alg_column[NALG] = { "md5", "sha1", "sha256" };

static const char hashdb_schema[] =
    "CREATE TABLE hashset ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK (kind IN ('known-good', 'known-bad')),"
    " md5_count INTEGER NOT NULL DEFAULT 0,"
    " sha1_count INTEGER NOT NULL DEFAULT 0,"
    " sha256_count INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE import ("
    " id INTEGER PRIMARY KEY,"
    " hashset_id INTEGER NOT NULL REFERENCES hashset(id),"
    " source TEXT NOT NULL,"
    " source_size INTEGER NOT NULL,"
    " source_sha256 TEXT NOT NULL,"
    " format TEXT NOT NULL,"
    " time TEXT NOT NULL,"
    " records INTEGER NOT NULL,"
    " added INTEGER NOT NULL,"
    " duplicates INTEGER NOT NULL,"
    " malformed INTEGER NOT NULL);"
    "CREATE TABLE hash ("
    " digest BLOB NOT NULL,"
    " hashset_id INTEGER NOT NULL REFERENCES hashset(id),"
    " name TEXT,"
    " size INTEGER,"
    " PRIMARY KEY (digest, hashset_id)) WITHOUT ROWID;";

/* One digest of a list: the set it belongs to and its name in the pool. */
struct entry {
	unsigned char d[32];
	uint32_t set;
	uint32_t name;		/* offset in the pool; 0 is "" */
};

/* An open database: a spoor hash database or an NSRL RDSv3. */
struct db {
	sqlite3 *db;
	sqlite3_stmt *st;
	enum sp_hashset_format format;
	unsigned algs;
	size_t first, nsets;	/* its sets in hs->sets */
	int64_t *ids;		/* hashset.id of each of them */
	pthread_mutex_t mu;
};

struct set {
	char *name, *source;
	enum sp_hashset_kind kind;
	enum sp_hashset_format format;
	uint64_t count[NALG], malformed;
	struct db *db;
};

struct sp_hashset {
	struct set *sets;
	size_t nsets, capsets;
	struct entry *ent[NALG];
	size_t n[NALG], cap[NALG];
	char *pool;
	size_t poollen, poolcap;
	struct db **dbs;
	size_t ndbs;
};

/* ---- hex and lines ---- */

/* The algorithm index of a digest of len bytes, or -1. */
static int
alg_of_len(size_t len)
{
	int a;

	for (a = 0; a < NALG; a++)
		if (alg_len[a] == len)
			return a;
	return -1;
}

/*
 * Decode the hex digits at s (n of them, all hex) into d; the digest's
 * algorithm index, or -1 when n is not 32, 40 or 64.
 */
static int
decode_hex(const char *s, size_t n, unsigned char *d)
{
	size_t i;
	int a;

	if (n % 2 != 0 || (a = alg_of_len(n / 2)) < 0)
		return -1;
	for (i = 0; i < n / 2; i++)
		d[i] = (unsigned char)(sp_hexval((unsigned char)s[2 * i]) << 4 |
		    sp_hexval((unsigned char)s[2 * i + 1]));
	return a;
}

/* Number of hex digits at the start of s (n bytes). */
static size_t
hex_run(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && sp_hexval((unsigned char)s[i]) >= 0; i++)
		;
	return i;
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* A parsed line of a list. */
struct line {
	unsigned char d[32];
	int alg;
	const char *name;	/* in the line, or NULL */
	size_t namelen;
	int escaped;		/* md5sum's leading backslash */
};

/*
 * Parse one line (without its newline): 1 for a hash, 0 for a blank line
 * or a comment, -1 when malformed with *why set.
 */
static int
parse_line(const char *s, size_t n, struct line *l, const char **why)
{
	const char *p, *q, *end;
	size_t k;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	end = s + n;
	for (p = s; p < end && is_blank((unsigned char)*p); p++)
		;
	if (p == end || *p == '#')
		return 0;
	memset(l, 0, sizeof(*l));
	/* BSD style, as sha256sum --tag writes it: "SHA256 (name) = hex" */
	if ((end - p > 4 && memcmp(p, "MD5 (", 5) == 0) ||
	    (end - p > 5 && memcmp(p, "SHA1 (", 6) == 0) ||
	    (end - p > 7 && memcmp(p, "SHA256 (", 8) == 0)) {
		const char *open = memchr(p, '(', (size_t)(end - p));
		const char *close = NULL;
		for (q = open; q + 4 <= end; q++)
			if (memcmp(q, ") = ", 4) == 0)
				close = q;
		if (close == NULL) {
			*why = "no ') = ' after the name";
			return -1;
		}
		q = close + 4;
		k = hex_run(q, (size_t)(end - q));
		if (q + k != end || (l->alg = decode_hex(q, k, l->d)) < 0) {
			*why = "not an MD5, SHA-1 or SHA-256 hash";
			return -1;
		}
		if (alg_len[l->alg] != (p[0] == 'M' ? 16 : p[3] == '1' ? 20 :
		    32)) {
			*why = "the hash does not match the algorithm named";
			return -1;
		}
		l->name = open + 1;
		l->namelen = (size_t)(close - open - 1);
		return 1;
	}
	if (*p == '\\') {
		l->escaped = 1;
		p++;
	}
	k = hex_run(p, (size_t)(end - p));
	if ((p + k != end && !is_blank((unsigned char)p[k])) ||
	    (l->alg = decode_hex(p, k, l->d)) < 0) {
		*why = "not an MD5, SHA-1 or SHA-256 hash";
		return -1;
	}
	q = p + k;
	if (q < end) {
		if (*q == ' ' && q + 1 < end && (q[1] == ' ' || q[1] == '*'))
			q += 2;
		else
			while (q < end && is_blank((unsigned char)*q))
				q++;
	}
	if (q < end) {
		l->name = q;
		l->namelen = (size_t)(end - q);
	}
	return 1;
}

/* The line's name into buf (size > 0), undoing md5sum's escapes. */
static void
line_name(const struct line *l, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < l->namelen && o + 1 < size; i++) {
		char c = l->name[i];
		if (l->escaped && c == '\\' && i + 1 < l->namelen) {
			c = l->name[++i];
			c = c == 'n' ? '\n' : c == 'r' ? '\r' : c;
		}
		buf[o++] = c == '\0' ? '?' : c;
	}
	buf[o] = '\0';
}

/* ---- the in-memory hash set ---- */

int
sp_hashset_new(struct sp_hashset **hsp, struct sp_err *err)
{
	struct sp_hashset *hs;

	*hsp = NULL;
	if ((hs = calloc(1, sizeof(*hs))) == NULL ||
	    (hs->pool = malloc(1)) == NULL) {
		free(hs);
		return sp_err_set(err, SP_E_NOMEM, 0, "hash set");
	}
	hs->pool[0] = '\0';
	hs->poollen = hs->poolcap = 1;
	*hsp = hs;
	return SP_OK;
}

static void
db_free(struct db *d)
{
	if (d == NULL)
		return;
	sqlite3_finalize(d->st);
	sqlite3_close(d->db);
	pthread_mutex_destroy(&d->mu);
	free(d->ids);
	free(d);
}

void
sp_hashset_free(struct sp_hashset *hs)
{
	size_t i;

	if (hs == NULL)
		return;
	for (i = 0; i < hs->nsets; i++) {
		free(hs->sets[i].name);
		free(hs->sets[i].source);
	}
	for (i = 0; i < hs->ndbs; i++)
		db_free(hs->dbs[i]);
	for (i = 0; i < NALG; i++)
		free(hs->ent[i]);
	free(hs->dbs);
	free(hs->sets);
	free(hs->pool);
	free(hs);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}

/* Append a set; its index in *idx. */
static int
add_set(struct sp_hashset *hs, const char *name, const char *source,
    enum sp_hashset_kind kind, enum sp_hashset_format format, size_t *idx,
    struct sp_err *err)
{
	struct set *s;

	if (hs->nsets >= UINT32_MAX ||
	    sp_array_grow((void **)&hs->sets, &hs->capsets, hs->nsets + 1,
	    sizeof(*hs->sets)) != SP_OK)
		return sp_err_set(err, SP_E_NOMEM, 0, "hash set");
	s = &hs->sets[hs->nsets];
	memset(s, 0, sizeof(*s));
	if ((s->name = strdup(name)) == NULL ||
	    (s->source = strdup(source)) == NULL) {
		free(s->name);
		return sp_err_set(err, SP_E_NOMEM, 0, "hash set");
	}
	s->kind = kind;
	s->format = format;
	*idx = hs->nsets++;
	return SP_OK;
}

static int
add_entry(struct sp_hashset *hs, size_t set, const struct line *l)
{
	struct entry *e;
	char name[SP_HASHSET_NAME_MAX];
	size_t len;
	int a = l->alg;

	if (sp_array_grow((void **)&hs->ent[a], &hs->cap[a], hs->n[a] + 1,
	    sizeof(struct entry)) != SP_OK)
		return SP_E_NOMEM;
	e = &hs->ent[a][hs->n[a]];
	memset(e, 0, sizeof(*e));
	memcpy(e->d, l->d, alg_len[a]);
	e->set = (uint32_t)set;
	if (l->namelen > 0) {
		line_name(l, name, sizeof(name));
		len = strlen(name) + 1;
		if (hs->poollen + len > UINT32_MAX ||
		    sp_array_grow((void **)&hs->pool, &hs->poolcap, hs->poollen + len,
		    1) != SP_OK)
			return SP_E_NOMEM;
		memcpy(hs->pool + hs->poollen, name, len);
		e->name = (uint32_t)hs->poollen;
		hs->poollen += len;
	}
	hs->n[a]++;
	return SP_OK;
}

struct sort_arg {
	const struct sp_hashset *hs;
	size_t len;
};

/* Order of entries: digest, then known-bad first, then set, then name. */
static int
entry_cmp(const void *x, const void *y, void *arg)
{
	const struct entry *a = x, *b = y;
	const struct sp_hashset *hs = ((const struct sort_arg *)arg)->hs;
	size_t len = ((const struct sort_arg *)arg)->len;
	int c, ka, kb;

	if ((c = memcmp(a->d, b->d, len)) != 0)
		return c;
	ka = hs->sets[a->set].kind == SP_HASHSET_KNOWN_BAD;
	kb = hs->sets[b->set].kind == SP_HASHSET_KNOWN_BAD;
	if (ka != kb)
		return kb - ka;
	if (a->set != b->set)
		return a->set < b->set ? -1 : 1;
	return a->name < b->name ? -1 : a->name > b->name;
}

/* Sort each array, drop a set's repeated digests and count the sets. */
static void
sort_entries(struct sp_hashset *hs)
{
	size_t a, i, o;
	struct sort_arg arg;

	for (i = 0; i < hs->nsets; i++)
		if (hs->sets[i].format == SP_HASHSET_LIST)
			memset(hs->sets[i].count, 0,
			    sizeof(hs->sets[i].count));
	for (a = 0; a < NALG; a++) {
		struct entry *e = hs->ent[a];
		arg.hs = hs;
		arg.len = alg_len[a];
		if (hs->n[a] > 1)
			qsort_r(e, hs->n[a], sizeof(*e), entry_cmp, &arg);
		for (i = o = 0; i < hs->n[a]; i++) {
			if (o > 0 && e[o - 1].set == e[i].set &&
			    memcmp(e[o - 1].d, e[i].d, alg_len[a]) == 0)
				continue;
			e[o++] = e[i];
			hs->sets[e[i].set].count[a]++;
		}
		hs->n[a] = o;
	}
}

/* Parse a list from lines handed over one at a time. */
struct list_parse {
	struct sp_hashset *hs;
	size_t set;
	const char *where;	/* file name for problems */
	struct sp_run *run;
	uint64_t lineno, hashes, malformed;
	char first_why[160];
};

static int
list_line(struct list_parse *lp, const char *s, size_t n)
{
	struct line l;
	const char *why = NULL;
	char subject[SP_HASHSET_NAME_MAX + 32];
	int r;

	lp->lineno++;
	if ((r = parse_line(s, n, &l, &why)) == 0)
		return SP_OK;
	if (r < 0) {
		if (lp->malformed++ == 0)
			snprintf(lp->first_why, sizeof(lp->first_why),
			    "line %llu: %s", (unsigned long long)lp->lineno,
			    why);
		if (lp->malformed <= PROBLEMS_KEPT) {
			snprintf(subject, sizeof(subject), "%s:%llu",
			    lp->where, (unsigned long long)lp->lineno);
			sp_run_problem(lp->run, subject, SP_E_DATA, "%s", why);
		}
		return SP_OK;
	}
	lp->hashes++;
	return add_entry(lp->hs, lp->set, &l);
}

static int
list_end(struct list_parse *lp, struct sp_err *err)
{
	char subject[SP_HASHSET_NAME_MAX + 32];

	lp->hs->sets[lp->set].malformed = lp->malformed;
	if (lp->malformed > PROBLEMS_KEPT) {
		snprintf(subject, sizeof(subject), "%s", lp->where);
		sp_run_problem(lp->run, subject, SP_E_DATA,
		    "%llu more malformed lines",
		    (unsigned long long)(lp->malformed - PROBLEMS_KEPT));
	}
	sort_entries(lp->hs);
	if (lp->hashes == 0 && lp->malformed > 0)
		return sp_err_set(err, SP_E_FORMAT, 0, "not a hash list (%s)",
		    lp->first_why);
	return SP_OK;
}

static void
fill_info(const struct sp_hashset *hs, size_t i, struct sp_hashset_info *in)
{
	const struct set *s = &hs->sets[i];
	int a;

	memset(in, 0, sizeof(*in));
	in->name = s->name;
	in->source = s->source;
	in->kind = s->kind;
	in->format = s->format;
	in->malformed = s->malformed;
	for (a = 0; a < NALG; a++) {
		in->count[a] = s->count[a];
		if (s->count[a])
			in->algorithms |= 1u << a;
	}
	if (s->format == SP_HASHSET_NSRL)
		in->algorithms = SP_HASH_SHA256;
}

/* Remove the sets from index first on (a failed load). */
static void
drop_sets(struct sp_hashset *hs, size_t first)
{
	size_t a, i, o;

	for (a = 0; a < NALG; a++) {
		for (i = o = 0; i < hs->n[a]; i++)
			if (hs->ent[a][i].set < first)
				hs->ent[a][o++] = hs->ent[a][i];
		hs->n[a] = o;
	}
	while (hs->nsets > first) {
		hs->nsets--;
		free(hs->sets[hs->nsets].name);
		free(hs->sets[hs->nsets].source);
	}
}

int
sp_hashset_load_buffer(struct sp_hashset *hs, const void *buf, size_t len,
    const char *name, enum sp_hashset_kind kind, struct sp_run *run,
    struct sp_hashset_info *info, struct sp_err *err)
{
	struct list_parse lp;
	const char *s = buf, *end = s + len, *nl;
	size_t first = hs->nsets;
	int rc;

	if (kind != SP_HASHSET_KNOWN_GOOD && kind != SP_HASHSET_KNOWN_BAD)
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': a hash list "
		    "needs a kind: known-good or known-bad", name);
	memset(&lp, 0, sizeof(lp));
	lp.hs = hs;
	lp.where = name;
	lp.run = run;
	if ((rc = add_set(hs, name, name, kind, SP_HASHSET_LIST, &lp.set,
	    err)) != SP_OK)
		return rc;
	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		if ((rc = list_line(&lp, s, (size_t)(nl - s))) != SP_OK) {
			sp_err_set(err, rc, 0, "'%s'", name);
			goto fail;
		}
		s = nl + 1;
	}
	if ((rc = list_end(&lp, err)) != SP_OK) {
		sp_err_prefix(err, "'%s'", name);
		goto fail;
	}
	if (info != NULL)
		fill_info(hs, lp.set, info);
	return SP_OK;
fail:
	drop_sets(hs, first);
	sort_entries(hs);
	return rc;
}

static int
load_list(struct sp_hashset *hs, const char *path, enum sp_hashset_kind kind,
    struct sp_run *run, struct sp_err *err)
{
	struct list_parse lp;
	FILE *f;
	char *line = NULL;
	size_t cap = 0, first = hs->nsets;
	ssize_t n;
	int rc;

	if (kind != SP_HASHSET_KNOWN_GOOD && kind != SP_HASHSET_KNOWN_BAD)
		return sp_err_set(err, SP_E_USAGE, 0, "a hash list needs a "
		    "kind: known-good or known-bad");
	if ((f = fopen(path, "re")) == NULL)
		return sp_err_set(err, sp_errno_code(errno), errno, "open");
	memset(&lp, 0, sizeof(lp));
	lp.hs = hs;
	lp.where = path;
	lp.run = run;
	if ((rc = add_set(hs, base_name(path), path, kind, SP_HASHSET_LIST,
	    &lp.set, err)) != SP_OK)
		goto done;
	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		if ((rc = list_line(&lp, line, (size_t)n)) != SP_OK) {
			sp_err_set(err, rc, 0, "line %llu",
			    (unsigned long long)lp.lineno);
			goto done;
		}
		if ((lp.lineno & 0xffff) == 0 && sp_signal_pending()) {
			rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "load");
			goto done;
		}
	}
	if (ferror(f)) {
		rc = sp_err_set(err, errno == ENOMEM ? SP_E_NOMEM : SP_E_IO,
		    errno, "read");
		goto done;
	}
	rc = list_end(&lp, err);
done:
	if (rc != SP_OK) {
		drop_sets(hs, first);
		sort_entries(hs);
	}
	free(line);
	fclose(f);
	return rc;
}

/* ---- databases ---- */

/*
 * The SQL helpers of base/sql.h report a failure of a hash database they
 * do not name as an I/O error.
 */
#define HASHDB_ERROR SP_E_IO

/* 1 when table or view name has columns col[0..n-1]. */
static int
has_columns(sqlite3 *db, const char *name, const char *const *col, int n)
{
	sqlite3_stmt *st;
	int found = 0, i;

	if (sp_sql_prepare(db, "SELECT name FROM pragma_table_info(?)", &st,
	    HASHDB_ERROR, "FILE", NULL) != SP_OK)
		return 0;
	sp_sql_bind_text(st, 1, name);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		for (i = 0; c != NULL && i < n; i++)
			if (strcasecmp(c, col[i]) == 0)
				found |= 1 << i;
	}
	sqlite3_finalize(st);
	return found == (1 << n) - 1;
}

static const char *const nsrl_columns[] = {
	"sha256", "sha1", "md5", "file_name", "file_size"
};

/* Open the SQLite file at path with flags; its application_id in *appid. */
static int
open_db(const char *path, int flags, sqlite3 **dbp, int64_t *appid,
    struct sp_err *err)
{
	sqlite3 *db = NULL;
	int rc;

	*dbp = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
		rc = sp_sql_err(err, db, HASHDB_ERROR, "open");
	else {
		sqlite3_busy_timeout(db, 10000);
		rc = sp_sql_int(db, "PRAGMA application_id", appid,
		    HASHDB_ERROR, "read", err);
	}
	if (rc != SP_OK) {
		sqlite3_close(db);
		return rc;
	}
	*dbp = db;
	return SP_OK;
}

/* SP_OK when this program knows the schema of the hash database db. */
static int
check_schema(sqlite3 *db, struct sp_err *err)
{
	int64_t version;
	int rc;

	if ((rc = sp_sql_int(db, "PRAGMA user_version", &version,
	    HASHDB_ERROR, "read", err)) != SP_OK)
		return rc;
	if (version > SP_HASHDB_SCHEMA_VERSION)
		return sp_err_set(err, SP_E_SCHEMA, 0, "hash database schema "
		    "%lld is newer than this program's %d", (long long)version,
		    SP_HASHDB_SCHEMA_VERSION);
	return SP_OK;
}

/* Open an SQLite file read-only and tell what it is. */
static int
open_sqlite(const char *path, sqlite3 **dbp, enum sp_hashset_format *format,
    struct sp_err *err)
{
	sqlite3 *db;
	int64_t appid;
	int rc;

	if ((rc = open_db(path, SQLITE_OPEN_READONLY, &db, &appid, err)) !=
	    SP_OK)
		return rc;
	/*
	 * Lookups are random reads: mapping the file saves a system call
	 * per page, the page cache keeps the upper b-tree levels.
	 */
	sqlite3_exec(db, "PRAGMA mmap_size = 2147418112;"
	    "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if (appid == SP_HASHDB_APPLICATION_ID) {
		if ((rc = check_schema(db, err)) != SP_OK)
			goto fail;
		*format = SP_HASHSET_HASHDB;
	} else if (has_columns(db, "FILE", nsrl_columns, 5)) {
		*format = SP_HASHSET_NSRL;
	} else {
		rc = sp_err_set(err, SP_E_FORMAT, 0, "an SQLite database "
		    "that is neither a spoor hash database nor an NSRL RDSv3 "
		    "(no FILE table with sha256, sha1, md5, file_name, "
		    "file_size)");
		goto fail;
	}
	*dbp = db;
	return SP_OK;
fail:
	sqlite3_close(db);
	return rc;
}

static int
is_sqlite(const char *path, int *yes, struct sp_err *err)
{
	char head[16];
	ssize_t n;
	int fd;
	struct stat st;

	*yes = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "open");
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return sp_err_set(err, SP_E_USAGE, 0, "a directory");
	}
	n = read(fd, head, sizeof(head));
	if (n < 0) {
		int e = errno;
		close(fd);
		return sp_err_set(err, sp_errno_code(e), e, "read");
	}
	close(fd);
	*yes = n == 16 && memcmp(head, "SQLite format 3", 16) == 0;
	return SP_OK;
}

int
sp_hashset_sniff(const char *path, enum sp_hashset_format *format,
    struct sp_err *err)
{
	sqlite3 *db;
	int yes, rc;

	if ((rc = is_sqlite(path, &yes, err)) != SP_OK) {
		sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	if (!yes) {
		*format = SP_HASHSET_LIST;
		return SP_OK;
	}
	if ((rc = open_sqlite(path, &db, format, err)) != SP_OK) {
		sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	sqlite3_close(db);
	return SP_OK;
}

static int
add_db(struct sp_hashset *hs, struct db *d, struct sp_err *err)
{
	struct db **p;

	if ((p = realloc(hs->dbs, (hs->ndbs + 1) * sizeof(*p))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "hash set");
	hs->dbs = p;
	hs->dbs[hs->ndbs++] = d;
	return SP_OK;
}

/* The lookup statement of d, prepared for the life of the set. */
static int
prepare_lookup(struct db *d, const char *sql, const char *what,
    struct sp_err *err)
{
	if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &d->st, NULL) != SQLITE_OK)
		return sp_sql_err(err, d->db, HASHDB_ERROR, what);
	return SP_OK;
}

static int
load_nsrl(struct sp_hashset *hs, struct db *d, const char *path,
    enum sp_hashset_kind kind, struct sp_err *err)
{
	sqlite3_stmt *st;
	const char *plan;
	int indexed = 0, rc;

	/* without an index on sha256 every lookup would scan the table */
	if ((rc = sp_sql_prepare(d->db, "EXPLAIN QUERY PLAN SELECT file_name, "
	    "file_size FROM FILE WHERE sha256 IN (?1, ?2) LIMIT 1", &st,
	    HASHDB_ERROR, "FILE", err)) != SP_OK)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW)
		if ((plan = (const char *)sqlite3_column_text(st, 3)) != NULL &&
		    strstr(plan, "USING") != NULL && strstr(plan, "INDEX") !=
		    NULL)
			indexed = 1;
	sqlite3_finalize(st);
	if (!indexed)
		return sp_err_set(err, SP_E_UNSUPPORTED, 0, "FILE has no index "
		    "on sha256; import it with spoor-hashset import");
	if ((rc = prepare_lookup(d, "SELECT file_name, file_size FROM FILE "
	    "WHERE sha256 IN (?1, ?2) LIMIT 1", "FILE", err)) != SP_OK)
		return rc;
	d->algs = SP_HASH_SHA256;
	d->nsets = 1;
	if ((d->ids = calloc(1, sizeof(*d->ids))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "hash set");
	if (kind == SP_HASHSET_RECORDED)
		kind = SP_HASHSET_KNOWN_GOOD;
	if ((rc = add_set(hs, base_name(path), path, kind, SP_HASHSET_NSRL,
	    &d->first, err)) != SP_OK)
		return rc;
	hs->sets[d->first].db = d;
	return SP_OK;
}

static int
load_hashdb(struct sp_hashset *hs, struct db *d, const char *path,
    enum sp_hashset_kind kind, struct sp_err *err)
{
	sqlite3_stmt *st;
	size_t idx;
	int a, rc = SP_OK;

	if ((rc = sp_sql_prepare(d->db, "SELECT id, name, kind, md5_count, "
	    "sha1_count, sha256_count FROM hashset ORDER BY id", &st,
	    HASHDB_ERROR, "hashset", err)) != SP_OK)
		return rc;
	d->first = hs->nsets;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *k = (const char *)sqlite3_column_text(st, 2);
		int64_t *ids;
		enum sp_hashset_kind sk = kind;

		if (sk == SP_HASHSET_RECORDED)
			sk = k != NULL && strcmp(k, "known-bad") == 0 ?
			    SP_HASHSET_KNOWN_BAD : SP_HASHSET_KNOWN_GOOD;
		if ((ids = realloc(d->ids, (d->nsets + 1) * sizeof(*ids)))
		    == NULL) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "hash set");
			goto fail;
		}
		d->ids = ids;
		if ((rc = add_set(hs, name != NULL ? name : "", path, sk,
		    SP_HASHSET_HASHDB, &idx, err)) != SP_OK)
			goto fail;
		d->ids[d->nsets++] = sqlite3_column_int64(st, 0);
		hs->sets[idx].db = d;
		for (a = 0; a < NALG; a++) {
			hs->sets[idx].count[a] =
			    (uint64_t)sqlite3_column_int64(st, 3 + a);
			if (hs->sets[idx].count[a] > 0)
				d->algs |= 1u << a;
		}
	}
	if (rc != SQLITE_DONE) {
		rc = sp_sql_err(err, d->db, HASHDB_ERROR, "hashset");
		goto fail;
	}
	sqlite3_finalize(st);
	return prepare_lookup(d, "SELECT hashset_id, name, size FROM hash "
	    "WHERE digest = ?", "hash", err);
fail:
	sqlite3_finalize(st);
	return rc;
}

int
sp_hashset_load(struct sp_hashset *hs, const char *path,
    enum sp_hashset_kind kind, struct sp_run *run, struct sp_err *err)
{
	struct db *d;
	size_t first = hs->nsets;
	int yes, rc;

	if ((rc = is_sqlite(path, &yes, err)) != SP_OK) {
		sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	if (!yes) {
		if ((rc = load_list(hs, path, kind, run, err)) != SP_OK)
			sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
	pthread_mutex_init(&d->mu, NULL);
	if ((rc = open_sqlite(path, &d->db, &d->format, err)) != SP_OK)
		goto fail;
	/*
	 * One read transaction for the life of the set: its shared lock is
	 * taken once, not with two system calls around every lookup.
	 */
	if ((rc = sp_sql_exec(d->db, "BEGIN", HASHDB_ERROR, err)) != SP_OK)
		goto fail;
	if (d->format == SP_HASHSET_NSRL)
		rc = load_nsrl(hs, d, path, kind, err);
	else
		rc = load_hashdb(hs, d, path, kind, err);
	if (rc != SP_OK || (rc = add_db(hs, d, err)) != SP_OK)
		goto fail;
	return SP_OK;
fail:
	drop_sets(hs, first);
	db_free(d);
	sp_err_prefix(err, "'%s'", path);
	return rc;
}

unsigned
sp_hashset_algorithms(const struct sp_hashset *hs)
{
	unsigned mask = 0;
	size_t i;
	int a;

	for (a = 0; a < NALG; a++)
		if (hs->n[a] > 0)
			mask |= 1u << a;
	for (i = 0; i < hs->ndbs; i++)
		mask |= hs->dbs[i]->algs;
	return mask;
}

size_t
sp_hashset_count(const struct sp_hashset *hs)
{
	return hs->nsets;
}

int
sp_hashset_info(const struct sp_hashset *hs, size_t i,
    struct sp_hashset_info *info)
{
	if (i >= hs->nsets)
		return SP_E_USAGE;
	fill_info(hs, i, info);
	return SP_OK;
}

/* Is set index b a better hit than the current one, a (or none: SIZE_MAX)? */
static int
better(const struct sp_hashset *hs, size_t b, size_t a)
{
	int kb, ka;

	if (a == SIZE_MAX)
		return 1;
	kb = hs->sets[b].kind == SP_HASHSET_KNOWN_BAD;
	ka = hs->sets[a].kind == SP_HASHSET_KNOWN_BAD;
	return kb != ka ? kb : b < a;
}

static void
fill_match(const struct sp_hashset *hs, struct sp_hashset_match *m,
    size_t set, int alg, const char *name, int64_t size)
{
	m->kind = hs->sets[set].kind;
	m->alg = (enum sp_hash_alg)(1u << alg);
	m->set = hs->sets[set].name;
	m->source = hs->sets[set].source;
	snprintf(m->name, sizeof(m->name), "%s", name != NULL ? name : "");
	m->size = size;
}

/* Look one digest up in the lists; updates *best and m. */
static void
lookup_lists(const struct sp_hashset *hs, int a, const unsigned char *d,
    size_t *best, struct sp_hashset_match *m)
{
	const struct entry *e = hs->ent[a];
	size_t lo = 0, hi = hs->n[a], mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(e[mid].d, d, alg_len[a]) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the first equal entry is the best one of the lists */
	if (lo < hs->n[a] && memcmp(e[lo].d, d, alg_len[a]) == 0 &&
	    better(hs, e[lo].set, *best)) {
		*best = e[lo].set;
		fill_match(hs, m, e[lo].set, a, hs->pool + e[lo].name, -1);
	}
}

static int
lookup_db(const struct sp_hashset *hs, struct db *d, int a,
    const unsigned char *dg, size_t *best, struct sp_hashset_match *m,
    struct sp_err *err)
{
	char hex[2][SP_HASH_HEX_MAX];
	size_t i, set;
	int rc = SP_OK, r;

	if (!(d->algs & (1u << a)))
		return SP_OK;
	pthread_mutex_lock(&d->mu);
	if (d->format == SP_HASHSET_NSRL) {
		static const char xl[] = "0123456789abcdef";
		static const char xu[] = "0123456789ABCDEF";
		for (i = 0; i < alg_len[a]; i++) {
			hex[0][2 * i] = xl[dg[i] >> 4];
			hex[0][2 * i + 1] = xl[dg[i] & 15];
			hex[1][2 * i] = xu[dg[i] >> 4];
			hex[1][2 * i + 1] = xu[dg[i] & 15];
		}
		sqlite3_bind_text(d->st, 1, hex[0], (int)(2 * alg_len[a]),
		    SQLITE_STATIC);
		sqlite3_bind_text(d->st, 2, hex[1], (int)(2 * alg_len[a]),
		    SQLITE_STATIC);
		if ((r = sqlite3_step(d->st)) == SQLITE_ROW &&
		    better(hs, d->first, *best)) {
			*best = d->first;
			fill_match(hs, m, d->first, a,
			    (const char *)sqlite3_column_text(d->st, 0),
			    sqlite3_column_int64(d->st, 1));
		}
	} else {
		sqlite3_bind_blob(d->st, 1, dg, (int)alg_len[a],
		    SQLITE_STATIC);
		while ((r = sqlite3_step(d->st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(d->st, 0);
			for (i = 0; i < d->nsets && d->ids[i] != id; i++)
				;
			if (i == d->nsets)
				continue;
			set = d->first + i;
			if (better(hs, set, *best)) {
				*best = set;
				fill_match(hs, m, set, a,
				    (const char *)sqlite3_column_text(d->st, 1),
				    sqlite3_column_type(d->st, 2) ==
				    SQLITE_NULL ? -1 :
				    sqlite3_column_int64(d->st, 2));
			}
		}
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = sp_sql_err(err, d->db, HASHDB_ERROR, "lookup");
	sqlite3_reset(d->st);
	sqlite3_clear_bindings(d->st);
	pthread_mutex_unlock(&d->mu);
	if (rc != SP_OK)
		sp_err_prefix(err, "'%s'", hs->sets[d->first].source);
	return rc;
}

static int
lookup_digest(const struct sp_hashset *hs, int a, const unsigned char *d,
    size_t *best, struct sp_hashset_match *m, struct sp_err *err)
{
	size_t i;
	int rc;

	lookup_lists(hs, a, d, best, m);
	for (i = 0; i < hs->ndbs; i++)
		if ((rc = lookup_db(hs, hs->dbs[i], a, d, best, m, err)) !=
		    SP_OK)
			return rc;
	return SP_OK;
}

int
sp_hashset_lookup(const struct sp_hashset *hs, const struct sp_hash *h,
    struct sp_hashset_match *m, int *found, struct sp_err *err)
{
	unsigned char d[32];
	const char *hex;
	size_t best = SIZE_MAX;
	int a, rc;

	*found = 0;
	for (a = NALG - 1; a >= 0; a--) {
		if ((hex = sp_hash_hex(h, (enum sp_hash_alg)(1u << a))) == NULL ||
		    strlen(hex) != 2 * alg_len[a] ||
		    hex_run(hex, 2 * alg_len[a]) != 2 * alg_len[a])
			continue;
		decode_hex(hex, 2 * alg_len[a], d);
		if ((rc = lookup_digest(hs, a, d, &best, m, err)) != SP_OK)
			return rc;
	}
	*found = best != SIZE_MAX;
	return SP_OK;
}

int
sp_hashset_lookup_hex(const struct sp_hashset *hs, const char *hex,
    struct sp_hashset_match *m, int *found, struct sp_err *err)
{
	unsigned char d[32];
	size_t n = strlen(hex), best = SIZE_MAX;
	int a, rc;

	*found = 0;
	if (hex_run(hex, n) != n || (a = decode_hex(hex, n, d)) < 0)
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': not an MD5, "
		    "SHA-1 or SHA-256 hash", hex);
	if ((rc = lookup_digest(hs, a, d, &best, m, err)) != SP_OK)
		return rc;
	*found = best != SIZE_MAX;
	return SP_OK;
}

/* ---- import into a hash database ---- */

/* SHA-256 and size of the file at path. */
static int
file_sha256(const char *path, char *hex, int64_t *size, struct sp_err *err)
{
	struct sp_hash *h = NULL;
	char *buf;
	ssize_t n;
	int fd, rc;

	*size = 0;
	if ((buf = malloc(1 << 16)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "read");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(buf);
		return sp_err_set(err, sp_errno_code(errno), errno, "open");
	}
	if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK)
		goto done;
	while ((n = read(fd, buf, 1 << 16)) != 0) {
		if (n < 0) {
			if (errno == EINTR && !sp_signal_pending())
				continue;
			rc = sp_err_set(err, sp_errno_code(errno), errno,
			    "read");
			goto done;
		}
		sp_hash_update(h, buf, (size_t)n);
		*size += n;
	}
	if ((rc = sp_hash_final(h, err)) == SP_OK)
		snprintf(hex, SP_HASH_HEX_MAX, "%s",
		    sp_hash_hex(h, SP_HASH_SHA256));
done:
	sp_hash_free(h);
	close(fd);
	free(buf);
	return rc;
}

/* An import in progress. */
struct import {
	sqlite3 *db;
	sqlite3_stmt *stage[NALG];
	uint64_t staged[NALG];
	struct sp_hashdb_stats *stats;
	int source_failed;	/* the error names the source */
};

static int
stage(struct import *im, int a, const void *d, const char *name,
    size_t namelen, int64_t size, struct sp_err *err)
{
	sqlite3_stmt *st = im->stage[a];
	int rc;

	sqlite3_bind_blob(st, 1, d, (int)alg_len[a], SQLITE_STATIC);
	if (namelen > 0)
		sqlite3_bind_text(st, 2, name, (int)namelen, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sp_sql_bind_int(st, 3, size);
	rc = sp_sql_step_done(im->db, st, HASHDB_ERROR, "stage", err);
	sqlite3_reset(st);
	if (rc == SP_OK)
		im->staged[a]++;
	return rc;
}

static int
import_list(struct import *im, const char *path, struct sp_run *run,
    struct sp_err *err)
{
	FILE *f;
	char *buf = NULL, name[SP_HASHSET_NAME_MAX];
	const char *why;
	char subject[SP_HASHSET_NAME_MAX + 32];
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0;
	struct line l;
	int r, rc = SP_OK;

	if ((f = fopen(path, "re")) == NULL)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    path);
	while ((n = getline(&buf, &cap, f)) > 0) {
		lineno++;
		if ((lineno & 0xffff) == 0 && sp_signal_pending()) {
			rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "import");
			goto done;
		}
		if ((r = parse_line(buf, (size_t)n, &l, &why)) == 0)
			continue;
		if (r < 0) {
			if (im->stats->malformed++ < PROBLEMS_KEPT) {
				snprintf(subject, sizeof(subject), "%s:%llu",
				    path, (unsigned long long)lineno);
				sp_run_problem(run, subject, SP_E_DATA, "%s",
				    why);
			}
			continue;
		}
		im->stats->read++;
		line_name(&l, name, sizeof(name));
		if ((rc = stage(im, l.alg, l.d, name, strlen(name), -1, err))
		    != SP_OK)
			goto done;
	}
	if (ferror(f)) {
		rc = sp_err_set(err, SP_E_IO, errno, "'%s': read", path);
		goto done;
	}
	if (im->stats->malformed > PROBLEMS_KEPT)
		sp_run_problem(run, path, SP_E_DATA, "%llu more malformed "
		    "lines", (unsigned long long)(im->stats->malformed -
		    PROBLEMS_KEPT));
	if (im->stats->read == 0 && im->stats->malformed > 0)
		rc = sp_err_set(err, SP_E_FORMAT, 0, "'%s': not a hash list",
		    path);
done:
	free(buf);
	fclose(f);
	return rc;
}

static int
import_nsrl(struct import *im, const char *path, struct sp_err *err)
{
	sqlite3 *src;
	sqlite3_stmt *st = NULL;
	enum sp_hashset_format fmt;
	unsigned char d[32];
	int a, r, rc;

	if ((rc = open_sqlite(path, &src, &fmt, err)) != SP_OK) {
		sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	/* FILE repeats a digest for every package holding the file */
	if ((rc = sp_sql_prepare(src, "SELECT sha256, sha1, md5, file_name, "
	    "file_size FROM FILE GROUP BY sha256, sha1, md5", &st,
	    HASHDB_ERROR, "FILE", err)) != SP_OK)
		goto done;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 3);
		int namelen = sqlite3_column_bytes(st, 3);
		int64_t size = sqlite3_column_type(st, 4) == SQLITE_INTEGER ?
		    sqlite3_column_int64(st, 4) : -1;

		if ((im->stats->read & 0xffff) == 0 && sp_signal_pending()) {
			rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "import");
			goto done;
		}
		im->stats->read++;
		for (a = NALG - 1; a >= 0; a--) {
			const char *hex = (const char *)
			    sqlite3_column_text(st, 2 - a);
			size_t n = hex != NULL ? strlen(hex) : 0;
			if (n == 0)
				continue;
			if (n != 2 * alg_len[a] || hex_run(hex, n) != n) {
				im->stats->malformed++;
				continue;
			}
			decode_hex(hex, n, d);
			if ((rc = stage(im, a, d, name, name != NULL ?
			    (size_t)namelen : 0, size, err)) != SP_OK)
				goto done;
		}
	}
	if (r != SQLITE_DONE)
		rc = sp_sql_err(err, src, HASHDB_ERROR, "FILE");
done:
	if (rc != SP_OK)
		sp_err_prefix(err, "'%s'", path);
	sqlite3_finalize(st);
	sqlite3_close(src);
	return rc;
}

/* Open (creating when missing) the hash database for an import. */
static int
open_hashdb_rw(const char *path, sqlite3 **dbp, struct sp_err *err)
{
	sqlite3 *db;
	int64_t appid, tables;
	char sql[128];
	int rc;

	if ((rc = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	    &db, &appid, err)) != SP_OK) {
		/* SQLite cannot open what it is to create */
		if (rc == SP_E_NOINPUT && err != NULL)
			err->code = SP_E_CREATE;
		return rc == SP_E_NOINPUT ? SP_E_CREATE : rc;
	}
	if ((rc = check_schema(db, err)) != SP_OK ||
	    (rc = sp_sql_int(db, "SELECT count(*) FROM sqlite_master",
	    &tables, HASHDB_ERROR, "read", err)) != SP_OK)
		goto fail;
	if (appid != SP_HASHDB_APPLICATION_ID && (appid != 0 || tables != 0)) {
		rc = sp_err_set(err, SP_E_FORMAT, 0,
		    "not a spoor hash database");
		goto fail;
	}
	if (appid == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d;"
		    "PRAGMA user_version = %d;", SP_HASHDB_APPLICATION_ID,
		    SP_HASHDB_SCHEMA_VERSION);
		if ((rc = sp_sql_begin(db, HASHDB_ERROR, err)) != SP_OK)
			goto fail;
		if ((rc = sp_sql_exec(db, hashdb_schema, HASHDB_ERROR, err)) !=
		    SP_OK || (rc = sp_sql_exec(db, sql, HASHDB_ERROR, err)) !=
		    SP_OK || (rc = sp_sql_commit(db, HASHDB_ERROR, err)) !=
		    SP_OK) {
			sp_sql_rollback(db);
			goto fail;
		}
	}
	*dbp = db;
	return SP_OK;
fail:
	sqlite3_close(db);
	return rc;
}

/* The id of set name in the database, created with kind when missing. */
static int
find_set(sqlite3 *db, const char *name, enum sp_hashset_kind kind,
    int64_t *id, struct sp_err *err)
{
	sqlite3_stmt *st;
	const char *ks = kind == SP_HASHSET_KNOWN_BAD ? "known-bad" :
	    "known-good";
	const char *k;
	int rc, row;

	if ((rc = sp_sql_prepare(db, "SELECT id, kind FROM hashset WHERE name "
	    "= ?", &st, HASHDB_ERROR, "hashset", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 1, name);
	if ((rc = sp_sql_step_row(db, st, &row, HASHDB_ERROR, "hashset",
	    err)) == SP_OK && row) {
		k = (const char *)sqlite3_column_text(st, 1);
		*id = sqlite3_column_int64(st, 0);
		if (k == NULL || strcmp(k, ks) != 0)
			rc = sp_err_set(err, SP_E_USAGE, 0, "set '%s' is %s, "
			    "not %s", name, k != NULL ? k : "?", ks);
	}
	sqlite3_finalize(st);
	if (rc != SP_OK || row)
		return rc;
	if ((rc = sp_sql_prepare(db, "INSERT INTO hashset (name, kind) VALUES "
	    "(?, ?)", &st, HASHDB_ERROR, "hashset", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 1, name);
	sp_sql_bind_text(st, 2, ks);
	if ((rc = sp_sql_finish(db, st, HASHDB_ERROR, "hashset", err)) ==
	    SP_OK)
		*id = sqlite3_last_insert_rowid(db);
	return rc;
}

static int
import_into(struct import *im, const char *source, const char *set_name,
    enum sp_hashset_kind kind, int64_t source_size, struct sp_run *run,
    struct sp_err *err)
{
	struct sp_hashdb_stats *stats = im->stats;
	sqlite3_stmt *st;
	char sql[256], now[64];
	uint64_t added[NALG];
	int64_t set = 0;
	int a, rc;

	if ((rc = sp_sql_begin(im->db, HASHDB_ERROR, err)) != SP_OK ||
	    (rc = find_set(im->db, set_name, kind, &set, err)) != SP_OK)
		return rc;
	for (a = 0; a < NALG; a++) {
		snprintf(sql, sizeof(sql), "CREATE TEMP TABLE stage_%s "
		    "(digest BLOB, name TEXT, size INTEGER)", alg_column[a]);
		if ((rc = sp_sql_exec(im->db, sql, HASHDB_ERROR, err)) != SP_OK)
			return rc;
		snprintf(sql, sizeof(sql), "INSERT INTO stage_%s VALUES "
		    "(?, ?, ?)", alg_column[a]);
		if ((rc = sp_sql_prepare(im->db, sql, &im->stage[a],
		    HASHDB_ERROR, "stage", err)) != SP_OK)
			return rc;
	}
	if (stats->format == SP_HASHSET_NSRL)
		rc = import_nsrl(im, source, err);
	else
		rc = import_list(im, source, run, err);
	if (rc != SP_OK) {
		im->source_failed = 1;
		return rc;
	}
	/* in digest order, so the b-tree is written sequentially */
	for (a = 0; a < NALG; a++) {
		snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO hash "
		    "(digest, hashset_id, name, size) SELECT digest, %lld, "
		    "name, size FROM stage_%s ORDER BY digest", (long long)set,
		    alg_column[a]);
		if ((rc = sp_sql_exec(im->db, sql, HASHDB_ERROR, err)) != SP_OK)
			return rc;
		added[a] = (uint64_t)sqlite3_changes(im->db);
		stats->added += added[a];
		stats->duplicates += im->staged[a] - added[a];
		if (sp_signal_pending())
			return sp_err_set(err, SP_E_INTERRUPTED, 0, "import");
	}
	if ((rc = sp_sql_prepare(im->db, "UPDATE hashset SET md5_count = "
	    "md5_count + ?, sha1_count = sha1_count + ?, sha256_count = "
	    "sha256_count + ? WHERE id = ?", &st, HASHDB_ERROR, "hashset",
	    err)) != SP_OK)
		return rc;
	for (a = 0; a < NALG; a++)
		sqlite3_bind_int64(st, a + 1, (int64_t)added[a]);
	sqlite3_bind_int64(st, 4, set);
	if ((rc = sp_sql_finish(im->db, st, HASHDB_ERROR, "hashset", err)) !=
	    SP_OK)
		return rc;
	if ((rc = sp_sql_prepare(im->db, "INSERT INTO import (hashset_id, "
	    "source, source_size, source_sha256, format, time, records, "
	    "added, duplicates, malformed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)", &st, HASHDB_ERROR, "import", err)) != SP_OK)
		return rc;
	sp_time_format_iso(sp_time_now(), 0, now, sizeof(now));
	sqlite3_bind_int64(st, 1, set);
	sp_sql_bind_text(st, 2, source);
	sqlite3_bind_int64(st, 3, source_size);
	sp_sql_bind_text(st, 4, stats->source_sha256);
	sp_sql_bind_text(st, 5, stats->format == SP_HASHSET_NSRL ?
	    "nsrl-rdsv3" : "list");
	sp_sql_bind_text(st, 6, now);
	sqlite3_bind_int64(st, 7, (int64_t)stats->read);
	sqlite3_bind_int64(st, 8, (int64_t)stats->added);
	sqlite3_bind_int64(st, 9, (int64_t)stats->duplicates);
	sqlite3_bind_int64(st, 10, (int64_t)stats->malformed);
	if ((rc = sp_sql_finish(im->db, st, HASHDB_ERROR, "import", err)) !=
	    SP_OK)
		return rc;
	for (a = 0; a < NALG; a++) {
		sqlite3_finalize(im->stage[a]);
		im->stage[a] = NULL;
		snprintf(sql, sizeof(sql), "DROP TABLE temp.stage_%s",
		    alg_column[a]);
		if ((rc = sp_sql_exec(im->db, sql, HASHDB_ERROR, err)) != SP_OK)
			return rc;
	}
	return sp_sql_commit(im->db, HASHDB_ERROR, err);
}

int
sp_hashdb_import(const char *db_path, const char *source_path,
    const char *set_name, enum sp_hashset_kind kind, struct sp_run *run,
    struct sp_hashdb_stats *stats, struct sp_err *err)
{
	struct sp_hashdb_stats local;
	struct import im;
	int64_t size;
	int a, rc;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	memset(&im, 0, sizeof(im));
	im.stats = stats;
	if ((rc = sp_hashset_sniff(source_path, &stats->format, err)) != SP_OK)
		return rc;
	if (stats->format == SP_HASHSET_HASHDB)
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': a spoor hash "
		    "database cannot be imported; load it directly",
		    source_path);
	if (kind == SP_HASHSET_RECORDED) {
		if (stats->format == SP_HASHSET_LIST)
			return sp_err_set(err, SP_E_USAGE, 0, "'%s': a hash "
			    "list needs a kind: known-good or known-bad",
			    source_path);
		kind = SP_HASHSET_KNOWN_GOOD;
	}
	snprintf(stats->set, sizeof(stats->set), "%s", set_name != NULL ?
	    set_name : base_name(source_path));
	if ((rc = file_sha256(source_path, stats->source_sha256, &size, err))
	    != SP_OK) {
		sp_err_prefix(err, "'%s'", source_path);
		return rc;
	}
	if ((rc = open_hashdb_rw(db_path, &im.db, err)) != SP_OK) {
		sp_err_prefix(err, "hash database '%s'", db_path);
		return rc;
	}
	/* a 64 MiB page cache for the sorted inserts */
	sqlite3_exec(im.db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	stats->source_size = (uint64_t)size;
	rc = import_into(&im, source_path, stats->set, kind, size, run, err);
	for (a = 0; a < NALG; a++)
		sqlite3_finalize(im.stage[a]);
	if (rc != SP_OK) {
		sp_sql_rollback(im.db);
		if (!im.source_failed && rc != SP_E_INTERRUPTED)
			sp_err_prefix(err, "hash database '%s'", db_path);
	}
	sqlite3_close(im.db);
	return rc;
}

int
sp_hashdb_imports(const char *db_path, sp_hashdb_import_fn *fn, void *arg,
    struct sp_err *err)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	enum sp_hashset_format fmt;
	struct sp_hashdb_import rec;
	int r, rc;

	if ((rc = open_sqlite(db_path, &db, &fmt, err)) != SP_OK) {
		sp_err_prefix(err, "'%s'", db_path);
		return rc;
	}
	if (fmt != SP_HASHSET_HASHDB) {
		rc = sp_err_set(err, SP_E_FORMAT, 0, "'%s': not a spoor hash "
		    "database", db_path);
		goto done;
	}
	if ((rc = sp_sql_prepare(db, "SELECT i.id, s.name, i.source, "
	    "i.source_sha256, i.source_size, i.format, i.time, i.records, "
	    "i.added, i.duplicates, i.malformed FROM import i JOIN hashset s "
	    "ON s.id = i.hashset_id ORDER BY i.id", &st, HASHDB_ERROR,
	    "import", err)) != SP_OK)
		goto done;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&rec, 0, sizeof(rec));
		rec.id = sqlite3_column_int64(st, 0);
		rec.set = (const char *)sqlite3_column_text(st, 1);
		rec.source = (const char *)sqlite3_column_text(st, 2);
		rec.source_sha256 = (const char *)sqlite3_column_text(st, 3);
		rec.source_size = sqlite3_column_int64(st, 4);
		rec.format = (const char *)sqlite3_column_text(st, 5);
		rec.time = (const char *)sqlite3_column_text(st, 6);
		rec.read = (uint64_t)sqlite3_column_int64(st, 7);
		rec.added = (uint64_t)sqlite3_column_int64(st, 8);
		rec.duplicates = (uint64_t)sqlite3_column_int64(st, 9);
		rec.malformed = (uint64_t)sqlite3_column_int64(st, 10);
		if ((rc = fn(&rec, arg)) != SP_CB_CONTINUE) {
			rc = sp_err_callback(err, rc, "import");
			goto done;
		}
	}
	if (r != SQLITE_DONE) {
		rc = sp_sql_err(err, db, HASHDB_ERROR, "import");
		sp_err_prefix(err, "'%s'", db_path);
	}
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
