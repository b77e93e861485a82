/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Filters saved in a case by name (see include/spoor/query.h): the
 * saved_filters table, each filter a JSON object with one member per
 * field of struct sp_query_filter but bare.  The text is read back
 * through the checked JSON reader, since a case may have been edited by
 * hand or by someone hostile: a member of the wrong type is an error
 * naming it, never a guess, and members this program does not know are
 * left alone, so a newer program's filter still loads.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "spoor/json.h"
#include "spoor/query.h"
#include "case/case-internal.h"

/* The most artifact kinds a loaded filter may hold. */
#define MAX_ARTIFACTS 256

struct sp_saved_filter {
	struct sp_query_filter f;
	char *host, *user, *match, *tag;
	char **artifacts;
	size_t nartifacts;
};

/* ---- names ---- */

/*
 * Whether name is fit to name a filter: non-empty, at most
 * SP_FILTER_NAME_MAX bytes, well-formed UTF-8 with no C0 or C1 control
 * character nor DEL, so it shows as it is in a list.
 */
static int
name_ok(const char *name)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t n, i, k;

	if (name == NULL || (n = strlen(name)) == 0 || n > SP_FILTER_NAME_MAX)
		return 0;
	for (i = 0; i < n; i += k) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 || s[i] == 0x7f)
				return 0;
			k = 1;
			continue;
		}
		if ((k = sp_utf8_seq(s + i, n - i)) == 0 ||
		    (s[i] == 0xc2 && s[i + 1] <= 0x9f))
			return 0;
	}
	return 1;
}

static int
name_check(const char *name, struct sp_err *err)
{
	if (name_ok(name))
		return SP_OK;
	return sp_err_set(err, SP_E_USAGE, 0, "a filter's name must be "
	    "printable text of 1 to %d bytes", SP_FILTER_NAME_MAX);
}

/* ---- writing ---- */

static void
kv_int_or_null(struct sp_json *w, const char *key, int64_t v, int64_t none)
{
	sp_json_key(w, key);
	if (v == none)
		sp_json_null(w);
	else
		sp_json_int(w, v);
}

static void
fill_filter(struct sp_json *w, const void *arg)
{
	const struct sp_query_filter *f = arg;
	size_t i;

	sp_json_object_begin(w);
	kv_int_or_null(w, "from", f->from, SP_TIME_NONE);
	kv_int_or_null(w, "to", f->to, SP_TIME_NONE);
	sp_json_key(w, "artifacts");
	sp_json_array_begin(w);
	for (i = 0; i < f->nartifacts; i++)
		sp_json_str(w, f->artifacts[i]);
	sp_json_array_end(w);
	sp_json_kv_int(w, "source_id", f->source_id);
	sp_json_kv_str(w, "host", f->host);
	sp_json_kv_str(w, "user", f->user);
	kv_int_or_null(w, "pid", f->pid, SP_QUERY_NULL);
	kv_int_or_null(w, "session", f->session, SP_QUERY_NULL);
	sp_json_kv_bool(w, "detections_only", f->detections_only);
	sp_json_kv_str(w, "match", f->match);
	sp_json_kv_str(w, "tag", f->tag);
	sp_json_kv_bool(w, "tagged_only", f->tagged_only);
	sp_json_object_end(w);
}

int
sp_case_filter_save(struct sp_case *c, const char *name,
    const struct sp_query_filter *f, int64_t run_id, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	char *json;
	int rc;

	if ((rc = name_check(name, err)) != SP_OK)
		return rc;
	if ((json = sp_json_to_string(fill_filter, f)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "save filter '%s'", name);
	if ((rc = sp_sql_prepare(db, "INSERT INTO saved_filters (name, "
	    "filter, created_ns, run_id) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (name) DO UPDATE SET filter = excluded.filter, "
	    "updated_ns = excluded.created_ns, run_id = excluded.run_id", &st,
	    SP_E_CASE, "save filter", err)) != SP_OK) {
		free(json);
		return rc;
	}
	sp_sql_bind_text(st, 1, name);
	sp_sql_bind_text(st, 2, json);
	sqlite3_bind_int64(st, 3, sp_time_now());
	sp_sql_bind_int_if(st, 4, run_id, run_id > 0);
	rc = sp_sql_finish(db, st, SP_E_CASE, "save filter", err);
	free(json);
	if (rc != SP_OK)
		sp_err_prefix(err, "filter '%s'", name);
	return rc;
}

/* ---- reading ---- */

void
sp_saved_filter_free(struct sp_saved_filter *sf)
{
	size_t i;

	if (sf == NULL)
		return;
	free(sf->host);
	free(sf->user);
	free(sf->match);
	free(sf->tag);
	for (i = 0; i < sf->nartifacts; i++)
		free(sf->artifacts[i]);
	free(sf->artifacts);
	free(sf);
}

const struct sp_query_filter *
sp_saved_filter_get(const struct sp_saved_filter *sf)
{
	return &sf->f;
}

/* The state of one filter's parse: the first problem met ends it. */
struct parse {
	struct sp_saved_filter *sf;
	const char *bad;	/* the member that is wrong, or NULL */
	const char *why;	/* what it should be */
	const char *end;	/* just past the last member's value */
	int oom;
};

static int
key_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(key, name, klen) == 0;
}

/* A string member or null into *s (a previous value freed). */
static int
get_str(struct parse *p, const char *key, const struct sp_json_val *v,
    char **s)
{
	char *t = NULL;

	if (v->type != SP_JSON_NULL) {
		if (v->type != SP_JSON_STRING) {
			p->bad = key;
			p->why = "a string or null";
			return 1;
		}
		if ((t = sp_json_string(v)) == NULL) {
			/* malformed escapes and no memory look the same */
			p->bad = key;
			p->why = "a well-formed string";
			return 1;
		}
	}
	free(*s);
	*s = t;
	return 0;
}

/* An integer member, or null as none when nullable, into *out. */
static int
get_int(struct parse *p, const char *key, const struct sp_json_val *v,
    int64_t *out, int nullable, int64_t none)
{
	if (nullable && v->type == SP_JSON_NULL) {
		*out = none;
		return 0;
	}
	if (sp_json_integer(v, out) != 0) {
		p->bad = key;
		p->why = nullable ? "an integer or null" : "an integer";
		return 1;
	}
	return 0;
}

static int
get_bool(struct parse *p, const char *key, const struct sp_json_val *v,
    int *out)
{
	if (v->type == SP_JSON_TRUE || v->type == SP_JSON_FALSE) {
		*out = v->type == SP_JSON_TRUE;
		return 0;
	}
	p->bad = key;
	p->why = "true or false";
	return 1;
}

static int
artifact_element(const struct sp_json_val *e, void *arg)
{
	struct parse *p = arg;
	struct sp_saved_filter *sf = p->sf;
	char *k;

	if (e->type != SP_JSON_STRING || (k = sp_json_string(e)) == NULL) {
		p->bad = "artifacts";
		p->why = "an array of strings";
		return 1;
	}
	if (sf->nartifacts == MAX_ARTIFACTS) {
		free(k);
		p->bad = "artifacts";
		p->why = "an array of at most 256 kinds";
		return 1;
	}
	sf->artifacts[sf->nartifacts++] = k;
	return 0;
}

static int
get_artifacts(struct parse *p, const struct sp_json_val *v)
{
	struct sp_saved_filter *sf = p->sf;

	while (sf->nartifacts > 0)
		free(sf->artifacts[--sf->nartifacts]);
	if (v->type != SP_JSON_ARRAY) {
		p->bad = "artifacts";
		p->why = "an array of strings";
		return 1;
	}
	if (sf->artifacts == NULL &&
	    (sf->artifacts = calloc(MAX_ARTIFACTS, sizeof(char *))) == NULL) {
		p->oom = 1;
		return 1;
	}
	if (sp_json_elements(v, artifact_element, p) != 0 && p->bad == NULL) {
		p->bad = "artifacts";
		p->why = "an array of strings";
	}
	return p->bad != NULL;
}

static int
member(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	struct parse *p = arg;
	struct sp_saved_filter *sf = p->sf;
	struct sp_query_filter *f = &sf->f;

	p->end = v->p + v->len;
	if (key_is(key, klen, "from"))
		return get_int(p, "from", v, &f->from, 1, SP_TIME_NONE);
	if (key_is(key, klen, "to"))
		return get_int(p, "to", v, &f->to, 1, SP_TIME_NONE);
	if (key_is(key, klen, "artifacts"))
		return get_artifacts(p, v);
	if (key_is(key, klen, "source_id"))
		return get_int(p, "source_id", v, &f->source_id, 0, 0);
	if (key_is(key, klen, "host"))
		return get_str(p, "host", v, &sf->host);
	if (key_is(key, klen, "user"))
		return get_str(p, "user", v, &sf->user);
	if (key_is(key, klen, "pid"))
		return get_int(p, "pid", v, &f->pid, 1, SP_QUERY_NULL);
	if (key_is(key, klen, "session"))
		return get_int(p, "session", v, &f->session, 1, SP_QUERY_NULL);
	if (key_is(key, klen, "detections_only"))
		return get_bool(p, "detections_only", v, &f->detections_only);
	if (key_is(key, klen, "match"))
		return get_str(p, "match", v, &sf->match);
	if (key_is(key, klen, "tag"))
		return get_str(p, "tag", v, &sf->tag);
	if (key_is(key, klen, "tagged_only"))
		return get_bool(p, "tagged_only", v, &f->tagged_only);
	return 0;	/* a newer program's member */
}

static int
json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*
 * Whether the object the reader read ends the text: after the last
 * member's value (or the opening brace of an empty object) only the
 * closing brace and white space.  The reader stops at the brace, so text
 * after it is checked here.
 */
static int
ends_text(const char *json, size_t len, const char *after)
{
	const char *p = after, *end = json + len;

	if (p == NULL) {
		for (p = json; p < end && json_space(*p); p++)
			;
		p++;	/* the '{' the reader found */
	}
	while (p < end && json_space(*p))
		p++;
	if (p >= end || *p++ != '}')
		return 0;
	while (p < end && json_space(*p))
		p++;
	return p == end;
}

/* Parse the JSON text json (len bytes) of filter name into a new *sf. */
static int
parse_filter(const char *name, const char *json, size_t len,
    struct sp_saved_filter **sfp, struct sp_err *err)
{
	struct parse p = { NULL, NULL, NULL, NULL, 0 };
	struct sp_saved_filter *sf;
	int rc;

	*sfp = NULL;
	if ((sf = calloc(1, sizeof(*sf))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "filter '%s'", name);
	sp_query_filter_init(&sf->f);
	p.sf = sf;
	rc = json == NULL ? -1 : sp_json_members(json, len, member, &p);
	if (p.oom) {
		sp_saved_filter_free(sf);
		return sp_err_set(err, SP_E_NOMEM, 0, "filter '%s'", name);
	}
	if (p.bad != NULL) {
		sp_saved_filter_free(sf);
		return sp_err_set(err, SP_E_CASE, 0, "filter '%s': member '%s' "
		    "is not %s", name, p.bad, p.why);
	}
	if (rc != 0 || !ends_text(json, len, p.end)) {
		sp_saved_filter_free(sf);
		return sp_err_set(err, SP_E_CASE, 0, "filter '%s': the stored "
		    "filter is not a JSON object", name);
	}
	sf->f.host = sf->host;
	sf->f.user = sf->user;
	sf->f.match = sf->match;
	sf->f.tag = sf->tag;
	sf->f.artifacts = (const char *const *)sf->artifacts;
	sf->f.nartifacts = sf->nartifacts;
	*sfp = sf;
	return SP_OK;
}

int
sp_case_filter_load(struct sp_case *c, const char *name,
    struct sp_saved_filter **sf, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc, row;

	*sf = NULL;
	if (name == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "a filter needs a name");
	if ((rc = sp_sql_prepare(db, "SELECT filter FROM saved_filters WHERE "
	    "name = ?1", &st, SP_E_CASE, "load filter", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 1, name);
	if ((rc = sp_sql_step_row(db, st, &row, SP_E_CASE, "load filter",
	    err)) == SP_OK) {
		if (!row)
			rc = sp_err_set(err, SP_E_NOTFOUND, 0, "no filter '%s' "
			    "in the case", name);
		else
			rc = parse_filter(name, (const char *)
			    sqlite3_column_text(st, 0), (size_t)
			    sqlite3_column_bytes(st, 0), sf, err);
	}
	sqlite3_finalize(st);
	return rc;
}

int
sp_case_filter_delete(struct sp_case *c, const char *name,
    struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	int rc;

	if (name == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "a filter needs a name");
	if ((rc = sp_sql_prepare(db, "DELETE FROM saved_filters WHERE name = "
	    "?1", &st, SP_E_CASE, "delete filter", err)) != SP_OK)
		return rc;
	sp_sql_bind_text(st, 1, name);
	if ((rc = sp_sql_finish(db, st, SP_E_CASE, "delete filter", err))
	    == SP_OK && sqlite3_changes(db) == 0)
		rc = sp_err_set(err, SP_E_NOTFOUND, 0, "no filter '%s' in the "
		    "case", name);
	return rc;
}

int
sp_case_filter_names(struct sp_case *c,
    int (*cb)(const char *name, void *arg), void *arg, struct sp_err *err)
{
	sqlite3 *db = sp_case_db(c);
	sqlite3_stmt *st;
	char **names = NULL, **p;
	const char *t;
	size_t n = 0, cap = 0, i;
	int rc, row;

	/* a handful of names, read whole so cb may change the table */
	if ((rc = sp_sql_prepare(db, "SELECT name FROM saved_filters ORDER BY "
	    "name", &st, SP_E_CASE, "filter names", err)) != SP_OK)
		return rc;
	while ((rc = sp_sql_step_row(db, st, &row, SP_E_CASE, "filter names",
	    err)) == SP_OK && row) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(names, cap * sizeof(*p))) == NULL) {
				rc = sp_err_set(err, SP_E_NOMEM, 0,
				    "filter names");
				break;
			}
			names = p;
		}
		t = (const char *)sqlite3_column_text(st, 0);
		if ((names[n] = strdup(t != NULL ? t : "")) == NULL) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "filter names");
			break;
		}
		n++;
	}
	sqlite3_finalize(st);
	for (i = 0; rc == SP_OK && i < n; i++)
		if (cb(names[i], arg) != 0)
			break;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
