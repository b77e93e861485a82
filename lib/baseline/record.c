/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drift and unvouched executables into the case, through the store: the
 * evidence compared is a source of its own, each difference a "drift"
 * event at the file's new time (when it has one) with its typed fields,
 * and what matters a detection of namespace "drift" or "allowlist".  The
 * baseline file itself is a source of kind "baseline", by its SHA-256.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spoor/hash.h"
#include "spoor/json.h"
#include "spoor/severity.h"
#include "spoor/store.h"
#include "baseline/baseline-internal.h"

struct sp_bl_recorder {
	struct sp_run *run;
	struct sp_store *store;
	int64_t source_id;
	uint64_t events;
	char *origin;
};

int
sp_bl_recorder_new(struct sp_bl_recorder **out, struct sp_run *run,
    struct sp_evidence *ev, struct sp_err *err)
{
	struct sp_bl_recorder *r;
	struct sp_source_record src;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->origin = strdup(sp_evidence_path(ev))) == NULL) {
		free(r);
		return sp_err_set(err, SP_E_NOMEM, 0, "recorder");
	}
	r->run = run;
	if ((rc = sp_store_new(&r->store, run, SP_STORE_BATCH, err)) != SP_OK)
		goto fail;
	memset(&src, 0, sizeof(src));
	src.kind = sp_evidence_kind_name(sp_evidence_kind(ev));
	src.path = sp_evidence_path(ev);
	src.size = sp_evidence_size(ev);
	if ((rc = sp_store_begin(r->store, 1, err)) != SP_OK ||
	    (rc = sp_store_source_add(r->store, &src, &r->source_id, err))
	    != SP_OK)
		goto fail;
	*out = r;
	return SP_OK;
fail:
	if (r->store != NULL)
		sp_store_rollback(r->store);
	sp_store_free(r->store);
	free(r->origin);
	free(r);
	return rc;
}

int
sp_bl_recorder_finish(struct sp_bl_recorder *r, struct sp_err *err)
{
	int rc;

	if (r == NULL)
		return SP_OK;
	rc = sp_store_source_finish(r->store, r->source_id, "complete", 0,
	    r->events, NULL, err);
	if (rc == SP_OK)
		rc = sp_store_commit(r->store, err);
	else
		sp_store_rollback(r->store);
	sp_store_free(r->store);
	free(r->origin);
	free(r);
	return rc;
}

/* A file's fields as a JSON object. */
static void
file_json(struct sp_json *w, const char *key, const struct sp_bl_file *f)
{
	char type[2] = { f->type, 0 }, mode[8];

	sp_json_key(w, key);
	sp_json_object_begin(w);
	sp_json_kv_str(w, "type", type);
	snprintf(mode, sizeof(mode), "%04o", f->mode & 07777);
	sp_json_kv_str(w, "mode", mode);
	sp_json_kv_uint(w, "uid", f->uid);
	sp_json_kv_uint(w, "gid", f->gid);
	sp_json_kv_uint(w, "size", f->size);
	if (f->sha256)
		sp_json_kv_str(w, "sha256", f->sha256);
	if (f->link)
		sp_json_kv_str(w, "link", f->link);
	sp_json_kv_time(w, "mtime", f->mtime);
	sp_json_kv_time(w, "ctime", f->ctime);
	if (f->xattrs)
		sp_json_kv_str(w, "xattrs", f->xattrs);
	sp_json_kv_bool(w, "executable", f->exec != 0);
	sp_json_object_end(w);
}

/* The typed fields of a change (the events' extra and the JSON record). */
static void
change_fields(struct sp_json *w, const void *arg)
{
	const struct sp_bl_change *c = arg;
	unsigned i;

	sp_json_object_begin(w);
	sp_json_kv_str(w, "status", sp_bl_status_name(c->status));
	if (c->item_kind < 0) {
		const struct sp_bl_file *f = c->new ? c->new : c->old;

		sp_json_kv_str(w, "kind", "file");
		sp_json_kv_str(w, "path", f->path);
		if (f->fs != 0)
			sp_json_kv_uint(w, "fs", f->fs);
		sp_json_key(w, "classes");
		sp_json_array_begin(w);
		for (i = 0; i < 8; i++)
			if (c->classes & (1u << i))
				sp_json_str(w, sp_bl_class_name(1u << i));
		sp_json_array_end(w);
		if (c->old)
			file_json(w, "old", c->old);
		if (c->new)
			file_json(w, "new", c->new);
	} else {
		sp_json_kv_str(w, "kind",
		    sp_bl_item_kind_name((enum sp_bl_item_kind)c->item_kind));
		sp_json_kv_str(w, "key", c->key);
		if (c->old_value)
			sp_json_kv_str(w, "old_value", c->old_value);
		if (c->new_value)
			sp_json_kv_str(w, "new_value", c->new_value);
	}
	sp_json_kv_bool(w, "important", c->important);
	if (c->reason)
		sp_json_kv_str(w, "reason", c->reason);
	sp_json_object_end(w);
}

char *
sp_bl_change_json(const struct sp_bl_change *c)
{
	return sp_json_to_string(change_fields, c);
}

/* The path an item lives in: its key up to ": ", or the key. */
static char *
item_path(const char *key)
{
	const char *sep = strstr(key, ": ");

	return strndup(key, sep ? (size_t)(sep - key) : strlen(key));
}

static int
add_detection(struct sp_bl_recorder *r, const char *name, const char *ns,
    enum sp_severity sev, int score, const char *path, sp_time_ns when,
    const char *reason, const char *details, const char *message,
    struct sp_err *err)
{
	struct sp_detection_record d;

	memset(&d, 0, sizeof(d));
	d.source_id = r->source_id;
	d.time = when;
	d.type = "heuristic";
	d.name = name;
	d.ns = ns;
	d.severity = sp_severity_name(sev);
	d.score = score;
	d.target_kind = "file";
	d.path = path;
	d.fs_index = -1;
	d.pid = -1;
	d.reason = reason;
	d.details = details;
	d.message = message;
	d.origin = r->origin;
	return sp_store_detection_add(r->store, &d, err);
}

/* The new time of a file's change, else the run's. */
static sp_time_ns
change_time(const struct sp_bl_recorder *r, const struct sp_bl_change *c)
{
	if (c->new != NULL && c->new->mtime != SP_TIME_NONE &&
	    (c->new->ctime == SP_TIME_NONE || c->classes != SP_BL_OWNER))
		return c->new->mtime;
	if (c->new != NULL && c->new->ctime != SP_TIME_NONE)
		return c->new->ctime;
	return sp_run_started(r->run);
}

int
sp_bl_record_change(struct sp_bl_recorder *r, const struct sp_bl_change *c,
    struct sp_err *err)
{
	struct sp_event e;
	char *extra, *path, *msg = NULL, classes[128], name[64];
	const char *kind;
	int rc, n;

	kind = c->item_kind < 0 ? "file" :
	    sp_bl_item_kind_name((enum sp_bl_item_kind)c->item_kind);
	path = c->item_kind < 0 ? strdup((c->new ? c->new : c->old)->path) :
	    item_path(c->key);
	extra = sp_bl_change_json(c);
	if (c->item_kind < 0)
		n = asprintf(&msg, "%s %s %s", sp_bl_status_name(c->status),
		    path ? path : "", sp_bl_classes_text(c->classes, classes,
		    sizeof(classes)));
	else
		n = asprintf(&msg, "%s %s %s", sp_bl_status_name(c->status),
		    kind, c->key);
	if (path == NULL || extra == NULL || n < 0) {
		free(path);
		free(extra);
		return sp_err_set(err, SP_E_NOMEM, 0, "drift");
	}
	sp_event_init(&e);
	e.time = change_time(r, c);
	e.time_desc = sp_bl_status_name(c->status);
	e.artifact = "drift";
	e.path = path;
	e.message = msg;
	e.extra = extra;
	rc = sp_store_artifact_event_add(r->store, r->source_id, 0, r->origin,
	    NULL, &e, err);
	r->events += rc == SP_OK;
	if (rc == SP_OK && c->important) {
		snprintf(name, sizeof(name), "drift-%s", kind);
		rc = add_detection(r, name, "drift", SP_SEV_HIGH, 70, path,
		    e.time, c->reason, extra, msg, err);
	}
	if (rc == SP_OK)
		rc = sp_store_tick(r->store, err);
	free(path);
	free(extra);
	free(msg);
	return rc;
}

static void
unvouched_fields(struct sp_json *w, const void *arg)
{
	const struct sp_bl_unvouched *u = arg;

	sp_json_object_begin(w);
	sp_json_kv_str(w, "path", u->path);
	sp_json_kv_str(w, "what", u->what);
	sp_json_kv_str(w, "why", u->why);
	if (u->file && u->file->sha256)
		sp_json_kv_str(w, "sha256", u->file->sha256);
	if (u->from)
		sp_json_kv_str(w, "from", u->from);
	sp_json_object_end(w);
}

char *
sp_bl_unvouched_json(const struct sp_bl_unvouched *u)
{
	return sp_json_to_string(unvouched_fields, u);
}

int
sp_bl_record_unvouched(struct sp_bl_recorder *r,
    const struct sp_bl_unvouched *u, struct sp_err *err)
{
	char *details, *msg = NULL, reason[512];
	sp_time_ns when;
	int rc;

	details = sp_bl_unvouched_json(u);
	snprintf(reason, sizeof(reason), "%s %s%s%s", u->what, u->why,
	    u->from ? "; named by " : "", u->from ? u->from : "");
	if (details == NULL || asprintf(&msg, "not allowlisted: %s (%s)",
	    u->path, u->why) < 0) {
		free(details);
		return sp_err_set(err, SP_E_NOMEM, 0, "allowlist");
	}
	when = u->file && u->file->mtime != SP_TIME_NONE ? u->file->mtime :
	    sp_run_started(r->run);
	rc = add_detection(r, "not-allowlisted", "allowlist", SP_SEV_MEDIUM,
	    60, u->path, when, reason, details, msg, err);
	if (rc == SP_OK)
		rc = sp_store_tick(r->store, err);
	free(details);
	free(msg);
	return rc;
}

int
sp_baseline_record_file(struct sp_run *run, const char *path,
    struct sp_err *err)
{
	struct sp_source_record src;
	struct sp_hash *h;
	struct stat sb;
	char buf[65536];
	size_t n;
	int64_t id;
	FILE *f;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		return sp_err_set(err, SP_E_NOINPUT, errno, "'%s'", path);
	if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK) {
		fclose(f);
		return rc;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sp_hash_update(h, buf, n);
	if (ferror(f) || fstat(fileno(f), &sb) != 0) {
		rc = sp_err_set(err, SP_E_IO, errno, "'%s'", path);
		goto out;
	}
	if ((rc = sp_hash_final(h, err)) != SP_OK)
		goto out;
	memset(&src, 0, sizeof(src));
	src.kind = "baseline";
	src.path = path;
	src.size = (uint64_t)sb.st_size;
	src.sha256 = sp_hash_hex(h, SP_HASH_SHA256);
	if ((rc = sp_case_source_add(run, &src, &id, err)) == SP_OK)
		rc = sp_run_add_input(run, path, src.size, src.sha256, err);
out:
	sp_hash_free(h);
	fclose(f);
	return rc;
}
