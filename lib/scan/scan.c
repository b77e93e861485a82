/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scanner's engine: a bounded queue of blocks (a whole file, a block
 * of a large file, a piece of a memory range or of a process region) fed
 * by the calling thread and drained by worker threads, each with its own
 * YR_SCANNER over the one shared YR_RULES.  A rule's matches in every
 * block of a target are gathered and become one detection when the target
 * is done; detections go one at a time to the caller's callback and, with
 * a case, into its detections table and timeline unless the case already
 * has them.  What feeds the queue is in scan-walk.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <yara.h>

#include "spoor/case.h"
#include "spoor/evidence.h"
#include "scan/scan-internal.h"
#include "spoor/hash.h"
#include "spoor/heur.h"
#include "spoor/json.h"
#include "spoor/signal.h"

#define MAX_LISTED_MATCHES 64	/* matched strings listed per detection */
#define MAX_MATCH_DATA 64	/* bytes of each match shown */

void
sp_scan_options_init(struct sp_scan_options *o)
{
	memset(o, 0, sizeof(*o));
	o->block_size = 16u << 20;
	o->overlap = 64u << 10;
	o->process_max = 1024u << 20;
	o->newer = SP_TIME_NONE;
	o->older = SP_TIME_NONE;
}

/* ---- targets ----------------------------------------------------------- */

static void yhits_flush(struct sp_starget *t);
static void yhits_free(struct sp_yhit *h);

struct sp_starget *
sp_starget_new(struct sp_scan *s, enum sp_target_kind kind)
{
	struct sp_starget *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->refs = 1;
	t->users = 1;
	t->scan = s;
	t->t.kind = kind;
	t->t.fs_index = -1;
	t->t.mtime = t->t.ctime = t->t.crtime = SP_TIME_NONE;
	t->time = s->source_time;
	t->source_id = s->source_id;
	t->case_source_id = s->case_fs_source_id;
	return t;
}

char *
sp_starget_str(struct sp_starget *t, const char *s)
{
	char *c;

	if (s == NULL || t->nstrs == sizeof(t->strs) / sizeof(t->strs[0]))
		return NULL;
	if ((c = strdup(s)) != NULL)
		t->strs[t->nstrs++] = c;
	return c;
}

/* A new user of t: a block queued for it. */
void
sp_starget_ref(struct sp_starget *t)
{
	__atomic_add_fetch(&t->users, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

static void
starget_drop(struct sp_starget *t)
{
	size_t i;

	if (t == NULL || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (i = 0; i < t->nstrs; i++)
		free(t->strs[i]);
	yhits_free(t->yhits);
	free(t->header);
	free(t->scores);
	free(t->carved);
	free(t);
}

void
sp_starget_keep(struct sp_starget *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void
sp_starget_release(struct sp_starget *t)
{
	starget_drop(t);
}

/*
 * The walker or a block is done with t: after the last of them, every
 * block has been scanned and its rules' matches are reported.
 */
void
sp_starget_unref(struct sp_starget *t)
{
	struct sp_starget *parent;

	if (t == NULL)
		return;
	if (__atomic_sub_fetch(&t->users, 1, __ATOMIC_ACQ_REL) == 0) {
		yhits_flush(t);
		/* an image carved from a range: the range may report now */
		if ((parent = t->parent) != NULL) {
			t->parent = NULL;
			sp_starget_unref(parent);
		}
	}
	starget_drop(t);
}

/* ---- JSON of detections ------------------------------------------------ */

static void
kv_time(struct sp_json *w, const char *key, sp_time_ns t)
{
	char buf[SP_TIME_ISO_MAX];

	if (t == SP_TIME_NONE)
		return;
	sp_json_kv_str(w, key, sp_time_format_iso(t, 9, buf, sizeof(buf)));
}

void
sp_scan_target_json(struct sp_json *w, const struct sp_scan_target *t)
{
	char mode[16];

	sp_json_key(w, "target");
	sp_json_object_begin(w);
	switch (t->kind) {
	case SP_TARGET_FILE:
		sp_json_kv_str(w, "kind", "file");
		sp_json_kv_str(w, "source", t->source);
		sp_json_kv_str(w, "source_kind", t->source_kind);
		if (t->fs_index >= 0) {
			sp_json_kv_int(w, "fs", t->fs_index);
			sp_json_kv_str(w, "fs_type", t->fs_type);
			sp_json_kv_uint(w, "inode", t->inode);
		}
		sp_json_kv_str(w, "path", t->path);
		sp_json_kv_bool(w, "deleted", t->deleted);
		sp_json_kv_uint(w, "size", t->size);
		snprintf(mode, sizeof(mode), "%04o", (unsigned)(t->mode & 07777));
		sp_json_kv_str(w, "mode", mode);
		sp_json_kv_uint(w, "uid", t->uid);
		sp_json_kv_uint(w, "gid", t->gid);
		kv_time(w, "mtime", t->mtime);
		kv_time(w, "ctime", t->ctime);
		kv_time(w, "crtime", t->crtime);
		if (t->md5)
			sp_json_kv_str(w, "md5", t->md5);
		if (t->sha1)
			sp_json_kv_str(w, "sha1", t->sha1);
		if (t->sha256)
			sp_json_kv_str(w, "sha256", t->sha256);
		if (t->ctr_id != NULL) {
			sp_json_key(w, "container");
			sp_json_object_begin(w);
			sp_json_kv_str(w, "engine", t->ctr_engine);
			sp_json_kv_str(w, "id", t->ctr_id);
			sp_json_kv_str(w, "name", t->ctr_name);
			sp_json_object_end(w);
		}
		break;
	case SP_TARGET_MEMORY:
		sp_json_kv_str(w, "kind", "memory");
		sp_json_kv_str(w, "source", t->source);
		sp_json_kv_str(w, "source_kind", t->source_kind);
		if (t->pid > 0)
			sp_json_kv_int(w, "pid", t->pid);
		sp_json_key(w, "range");
		sp_json_object_begin(w);
		sp_json_kv_uint(w, "start", t->range_start);
		sp_json_kv_uint(w, "end", t->range_end);
		sp_json_object_end(w);
		break;
	case SP_TARGET_PROCESS:
		sp_json_kv_str(w, "kind", "process");
		sp_json_kv_int(w, "pid", t->pid);
		sp_json_kv_str(w, "exe", t->exe);
		sp_json_kv_str(w, "cmdline", t->cmdline);
		sp_json_key(w, "region");
		sp_json_object_begin(w);
		sp_json_kv_uint(w, "start", t->region_start);
		sp_json_kv_uint(w, "end", t->region_end);
		sp_json_kv_str(w, "perms", t->perms);
		sp_json_kv_str(w, "path", t->region_path);
		sp_json_object_end(w);
		break;
	case SP_TARGET_MEMORY_IMAGE:
		sp_json_kv_str(w, "kind", "memory-image");
		sp_json_kv_str(w, "source", t->source);
		sp_json_kv_str(w, "source_kind", t->source_kind);
		sp_json_kv_str(w, "format", t->image_format);
		sp_json_kv_uint(w, "address", t->image_address);
		sp_json_kv_uint(w, "size", t->image_size);
		if (t->pid > 0)
			sp_json_kv_int(w, "pid", t->pid);
		if (t->container == SP_TARGET_PROCESS) {
			sp_json_kv_str(w, "exe", t->exe);
			sp_json_kv_str(w, "cmdline", t->cmdline);
		}
		/* the bytes scanned as the image's file */
		sp_json_key(w, "range");
		sp_json_object_begin(w);
		sp_json_kv_uint(w, "start", t->image_address);
		sp_json_kv_uint(w, "end", t->image_address + t->image_size - 1);
		sp_json_object_end(w);
		/* the memory range or process region it was found in */
		sp_json_key(w, "container");
		sp_json_object_begin(w);
		if (t->container == SP_TARGET_PROCESS) {
			sp_json_kv_str(w, "kind", "region");
			sp_json_kv_uint(w, "start", t->region_start);
			sp_json_kv_uint(w, "end", t->region_end);
			sp_json_kv_str(w, "perms", t->perms);
			sp_json_kv_str(w, "path", t->region_path);
		} else {
			sp_json_kv_str(w, "kind", "range");
			sp_json_kv_uint(w, "start", t->range_start);
			sp_json_kv_uint(w, "end", t->range_end);
		}
		sp_json_object_end(w);
		break;
	}
	sp_json_object_end(w);
}

/* A short name of the target for text output and the combined scores. */
void
sp_scan_target_label(const struct sp_scan_target *t, char *buf, size_t size)
{
	switch (t->kind) {
	case SP_TARGET_FILE:
		if (t->fs_index >= 0)
			snprintf(buf, size, "%s:%d:%s", t->source, t->fs_index,
			    t->path ? t->path : "");
		else
			snprintf(buf, size, "%s", t->path ? t->path : "");
		break;
	case SP_TARGET_MEMORY:
		if (t->pid > 0)
			snprintf(buf, size, "%s (pid %d):0x%" PRIx64 "-0x%"
			    PRIx64, t->source, (int)t->pid, t->range_start,
			    t->range_end);
		else
			snprintf(buf, size, "%s:0x%" PRIx64 "-0x%" PRIx64,
			    t->source, t->range_start, t->range_end);
		break;
	case SP_TARGET_PROCESS:
		snprintf(buf, size, "pid %d:0x%" PRIx64 "-0x%" PRIx64,
		    (int)t->pid, t->region_start, t->region_end);
		break;
	case SP_TARGET_MEMORY_IMAGE:
		if (t->container == SP_TARGET_PROCESS)
			snprintf(buf, size, "pid %d:0x%" PRIx64 " (%s image, %"
			    PRIu64 " bytes)", (int)t->pid, t->image_address,
			    t->image_format, t->image_size);
		else if (t->pid > 0)
			snprintf(buf, size, "%s (pid %d):0x%" PRIx64 " (%s "
			    "image, %" PRIu64 " bytes)", t->source, (int)t->pid,
			    t->image_address, t->image_format, t->image_size);
		else
			snprintf(buf, size, "%s:0x%" PRIx64 " (%s image, %"
			    PRIu64 " bytes)", t->source, t->image_address,
			    t->image_format, t->image_size);
		break;
	}
}

/* ---- the case ---------------------------------------------------------- */

/*
 * The case's kinds of target: an image found in memory is stored as the
 * memory or process that holds it (its details say "memory-image").
 */
static const char *
target_kind_name(const struct sp_scan_target *t)
{
	enum sp_target_kind k = t->kind == SP_TARGET_MEMORY_IMAGE ?
	    t->container : t->kind;

	return k == SP_TARGET_FILE ? "file" : k == SP_TARGET_MEMORY ?
	    "memory" : "process";
}

static void
case_store(struct sp_scan *s, struct sp_starget *st,
    const struct sp_detection *d)
{
	const struct sp_scan_target *t = &st->t;
	struct sp_detection_record r;
	sp_time_ns when;
	char label[1024], *msg;
	int known = 0;

	if (s->store == NULL)
		return;
	if (st->source_id == 0)
		return;
	if (t->kind == SP_TARGET_FILE && st->file_id == 0 &&
	    t->fs_index >= 0 && st->case_source_id) {
		if (sp_store_file_find(s->store, st->case_source_id,
		    t->fs_index, t->inode, t->path, &st->file_id, NULL) !=
		    SP_OK || st->file_id == 0)
			st->file_id = -1;
	}
	/* when the file came or last changed: the later of birth and
	 * modification (a backdated mtime loses to the birth) */
	when = t->crtime;
	if (t->mtime != SP_TIME_NONE && (when == SP_TIME_NONE ||
	    t->mtime > when))
		when = t->mtime;
	if (when == SP_TIME_NONE)
		when = t->ctime;
	if (when == SP_TIME_NONE)
		when = st->time != SP_TIME_NONE ? st->time : s->started;
	sp_scan_target_label(t, label, sizeof(label));
	if (asprintf(&msg, "%s %s (%s, score %d) in %s", d->type, d->name,
	    sp_severity_name(d->severity), d->score, label) < 0)
		msg = NULL;
	memset(&r, 0, sizeof(r));
	r.source_id = st->source_id;
	r.file_id = st->file_id > 0 ? st->file_id : 0;
	r.time = when;
	r.type = d->type;
	r.name = d->name;
	r.ns = d->ns;
	r.severity = sp_severity_name(d->severity);
	r.score = d->score;
	r.target_kind = target_kind_name(t);
	r.path = t->kind == SP_TARGET_FILE ? t->path : t->region_path;
	r.fs_index = t->kind == SP_TARGET_FILE && t->fs_index >= 0 ?
	    t->fs_index : -1;
	r.inode = t->inode;
	r.pid = t->kind == SP_TARGET_PROCESS || ((t->kind == SP_TARGET_MEMORY ||
	    t->kind == SP_TARGET_MEMORY_IMAGE) && t->pid > 0) ? t->pid : -1;
	r.exe = t->exe;
	r.has_address = t->kind != SP_TARGET_FILE;
	r.address = d->address;
	r.reason = d->reason;
	r.details = d->json;
	r.message = msg;
	r.origin = t->source;
	/* a rescan of the same evidence adds nothing the case has */
	if (sp_case_detection_known(sp_run_case(s->run), &r, &known, NULL) !=
	    SP_OK)
		s->db_failed++;
	else if (known)
		s->stats.already_known++;
	else if (sp_store_detection_add(s->store, &r, NULL) != SP_OK)
		s->db_failed++;
	free(msg);
	(void)sp_store_tick(s->store, NULL);
}

/*
 * *size = the bytes of files[0..n), and the SHA-256 of them one after the
 * other in hex when hex is not NULL: how spoor-timeline names a source.
 */
static int
files_sha256(const char *const *files, size_t n, uint64_t *size, char *hex,
    const struct sp_cancel *cancel)
{
	struct sp_hash *h = NULL;
	struct stat st;
	unsigned char *buf = NULL;
	ssize_t got = 0;
	size_t i;
	int fd, rc = -1;

	*size = 0;
	for (i = 0; i < n; i++) {
		if (stat(files[i], &st) != 0 || !S_ISREG(st.st_mode))
			return -1;
		*size += (uint64_t)st.st_size;
	}
	if (hex == NULL)
		return 0;
	if (sp_hash_new(&h, SP_HASH_SHA256, NULL) != SP_OK ||
	    (buf = malloc(1 << 20)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((fd = open(files[i], O_RDONLY | O_CLOEXEC)) < 0)
			goto out;
		while ((got = read(fd, buf, 1 << 20)) > 0 &&
		    !sp_cancel_requested(cancel))
			sp_hash_update(h, buf, (size_t)got);
		close(fd);
		if (got != 0)
			goto out;
	}
	if (sp_hash_final(h, NULL) == SP_OK) {
		snprintf(hex, SP_HASH_HEX_MAX, "%s",
		    sp_hash_hex(h, SP_HASH_SHA256));
		rc = 0;
	}
out:
	free(buf);
	sp_hash_free(h);
	return rc;
}

/*
 * The sources row detections of path go to: the row an earlier load of the
 * same evidence made (so detections link to its files and a rescan finds
 * what the case has), by path, or by the SHA-256 of its files when a
 * source of their size is in the case; else a new one.
 */
int
sp_scan_use_source(struct sp_scan *s, const char *kind, const char *path,
    uint64_t size, const char *const *files, size_t nfiles,
    struct sp_err *err)
{
	struct sp_source_record src;
	char sha256[SP_HASH_HEX_MAX], fp[SP_FINGERPRINT_HEX_MAX];
	uint64_t bytes = 0;
	int64_t id = 0;
	char *real;
	int rc, taken = 0;

	s->source_id = 0;
	s->case_fs_source_id = 0;
	sha256[0] = '\0';
	if (s->store == NULL)
		return SP_OK;
	/* the workers may still be storing the previous source's detections */
	pthread_mutex_lock(&s->lock);
	if ((rc = sp_store_source_find_path(s->store, path, &id, err)) !=
	    SP_OK)
		goto done;
	if (id == 0 && (real = realpath(path, NULL)) != NULL) {
		rc = sp_store_source_find_path(s->store, real, &id, err);
		free(real);
		if (rc != SP_OK)
			goto done;
	}
	/* the same bytes under another name: hashed only when they may be */
	if (id == 0 && nfiles > 0 &&
	    files_sha256(files, nfiles, &bytes, NULL, NULL) == 0) {
		if ((rc = sp_store_source_size_taken(s->store, bytes, &taken,
		    err)) != SP_OK)
			goto done;
		if (taken) {
			pthread_mutex_unlock(&s->lock);
			if (files_sha256(files, nfiles, &bytes, sha256,
			    s->o.cancel) != 0)
				sha256[0] = '\0';
			pthread_mutex_lock(&s->lock);
		}
		if (sha256[0] != '\0' && (rc = sp_store_source_find(s->store,
		    kind, path, bytes, sha256, &id, err)) != SP_OK)
			goto done;
		/* a source loaded without its full hash: by its fingerprint */
		if (id == 0 && taken && sp_files_fingerprint(files, nfiles, fp,
		    NULL) == SP_OK && (rc = sp_store_source_find_fingerprint(
		    s->store, bytes, fp, &id, err)) != SP_OK)
			goto done;
	}
	if (id > 0) {
		s->source_id = s->case_fs_source_id = id;
		goto done;
	}
	memset(&src, 0, sizeof(src));
	src.kind = kind;
	src.path = path;
	src.size = size;
	src.sha256 = sha256[0] != '\0' ? sha256 : NULL;
	(void)sp_store_commit(s->store, NULL);
	rc = sp_case_source_add(s->run, &src, &id, err);
	(void)sp_store_begin(s->store, 0, NULL);
	if (rc == SP_OK)
		s->source_id = id;
done:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Detections are committed 1,000 at a time. */
static int
case_prepare(struct sp_scan *s, struct sp_err *err)
{
	int rc;

	if (sp_run_case(s->run) == NULL)
		return SP_OK;
	if ((rc = sp_store_new(&s->store, s->run, 1000, err)) != SP_OK)
		return rc;
	if ((rc = sp_store_begin(s->store, 0, err)) != SP_OK) {
		sp_store_free(s->store);
		s->store = NULL;
		return sp_err_prefix(err, "begin");
	}
	return SP_OK;
}

static void
case_close(struct sp_scan *s)
{
	if (s->store == NULL)
		return;
	(void)sp_store_commit(s->store, NULL);
	sp_store_free(s->store);
	s->store = NULL;
}

/* ---- stopping --------------------------------------------------------- */

/* 1 once the detection callback stopped the scan or failed. */
int
sp_scan_stopped(const struct sp_scan *s)
{
	return __atomic_load_n(&s->halt, __ATOMIC_ACQUIRE);
}

/*
 * Whether the walker and the workers go on (enum sp_cb): SP_CB_CONTINUE;
 * SP_CB_STOP after the callback's stop; its error; SP_E_INTERRUPTED when
 * the cancellation token was tripped.
 */
int
sp_scan_check(const struct sp_scan *s)
{
	if (sp_scan_stopped(s))
		return s->cb_rc ? s->cb_rc : SP_CB_STOP;
	if (sp_cancel_requested(s->o.cancel))
		return SP_E_INTERRUPTED;
	return SP_CB_CONTINUE;
}

/* What a scan call returns for rc once the callback has had its say. */
int
sp_scan_result(const struct sp_scan *s, int rc, struct sp_err *err)
{
	if (!sp_scan_stopped(s))
		return rc;
	if (s->cb_rc == SP_OK)
		return SP_OK;
	return sp_err_callback(err, s->cb_rc, "detection");
}

/* Called with s->lock held: a stop or an error ends the scan. */
static int
note_cb(struct sp_scan *s, int r)
{
	if (r == SP_CB_CONTINUE)
		return r;
	if (r > 0)
		s->cb_rc = r;
	__atomic_store_n(&s->halt, 1, __ATOMIC_RELEASE);
	return r;
}

/* ---- detections -------------------------------------------------------- */

/* Called with s->lock held. */
static int
sp_scan_emit_locked(struct sp_scan *s, struct sp_starget *st,
    struct sp_detection *d)
{
	int *scores;

	/* after a stop, what workers still find is dropped */
	if (sp_scan_stopped(s))
		return sp_scan_check(s);
	d->target = &st->t;
	s->stats.detections++;
	if (st->nscores == 0) {
		s->stats.targets_hit++;
		if (s->nhits == s->caphits) {
			size_t cap = s->caphits ? s->caphits * 2 : 64;
			struct sp_starget **h = realloc(s->hits,
			    cap * sizeof(*h));
			if (h != NULL) {
				s->hits = h;
				s->caphits = cap;
			}
		}
		if (s->nhits < s->caphits) {
			__atomic_add_fetch(&st->refs, 1, __ATOMIC_RELAXED);
			s->hits[s->nhits++] = st;
		}
	}
	/*
	 * What says the content is bad spreads to its copies; a key added to
	 * a file or a preload list speaks of that file alone
	 */
	if (st->t.kind == SP_TARGET_FILE && d->name != NULL &&
	    strcmp(d->name, "copy-of-detected") != 0 &&
	    strcmp(d->name, "authorized-key-added") != 0 &&
	    strcmp(d->name, "ld-preload") != 0 &&
	    (!st->spreads || d->score > st->spread_score)) {
		st->spreads = 1;
		st->spread_score = d->score;
		st->spread_sev = d->severity;
		snprintf(st->spread_name, sizeof(st->spread_name), "%s:%s",
		    d->type, d->name);
	}
	if ((scores = realloc(st->scores, (st->nscores + 1) *
	    sizeof(*scores))) != NULL) {
		st->scores = scores;
		st->scores[st->nscores++] = d->score;
	}
	case_store(s, st, d);
	if (s->fn == NULL)
		return SP_CB_CONTINUE;
	return note_cb(s, s->fn(d, s->arg));
}

/* Hand d on; returns what the callback said (enum sp_cb). */
int
sp_scan_emit(struct sp_scan *s, struct sp_starget *st, struct sp_detection *d)
{
	int r;

	pthread_mutex_lock(&s->lock);
	r = sp_scan_emit_locked(s, st, d);
	pthread_mutex_unlock(&s->lock);
	return r;
}

struct detection_json {
	const struct sp_detection *d;
	const struct sp_scan_target *t;
	void (*extra)(struct sp_json *, void *);
	void *arg;
};

static void
fill_detection(struct sp_json *w, const void *arg)
{
	const struct detection_json *j = arg;
	const struct sp_detection *d = j->d;

	sp_json_object_begin(w);
	sp_json_kv_str(w, "type", d->type);
	sp_json_kv_str(w, "name", d->name);
	if (d->ns != NULL)
		sp_json_kv_str(w, "namespace", d->ns);
	sp_json_kv_str(w, "severity", sp_severity_name(d->severity));
	sp_json_kv_int(w, "score", d->score);
	if (d->technique != NULL)
		sp_json_kv_str(w, "technique", d->technique);
	if (d->reason != NULL)
		sp_json_kv_str(w, "reason", d->reason);
	if (j->extra != NULL)
		j->extra(w, j->arg);
	sp_scan_target_json(w, j->t);
	sp_json_object_end(w);
}

/* Build d->json from the common fields plus what extra writes. */
int
sp_detection_build(struct sp_detection *d, const struct sp_scan_target *t,
    void (*extra)(struct sp_json *, void *), void *arg, char **json)
{
	struct detection_json j = { d, t, extra, arg };

	if ((*json = sp_json_to_string(fill_detection, &j)) == NULL)
		return -1;
	d->json = *json;
	return 0;
}

/* ---- YARA -------------------------------------------------------------- */

struct job {
	struct sp_starget *tg;
	unsigned char *buf;
	size_t len;
	uint64_t base;		/* offset of buf[0] as the rules see it */
	uint64_t addr;		/* offset or address of buf[0] reported */
	uint64_t total;		/* filesize seen by the rules */
	uint64_t keep_start;	/* matches before: an earlier block's */
	uint64_t keep_end;	/* matches from here belong to the next block */
	int first;		/* the first block of its target */
	struct job *next;
};

struct worker {
	struct sp_scan *s;
	pthread_t thread;
	YR_SCANNER *scanner;
	const struct job *job;
	YR_MEMORY_BLOCK block;
	int stage;
	int started;
};

static const uint8_t *
block_fetch(YR_MEMORY_BLOCK *b)
{
	return ((struct worker *)b->context)->job->buf;
}

static const uint8_t *
header_fetch(YR_MEMORY_BLOCK *b)
{
	return ((struct worker *)b->context)->job->tg->header;
}

/*
 * A later block of a large file comes with the file's first bytes as a
 * block of their own, so conditions on the header (uint32(0) == ...) hold
 * in every block as they do for the whole file; matches in the header are
 * the first block's to report.
 */
static YR_MEMORY_BLOCK *
it_main(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct worker *w = it->context;

	w->block.size = w->job->len;
	w->block.base = w->job->base;
	w->block.context = w;
	w->block.fetch_data = block_fetch;
	w->stage = 2;
	return &w->block;
}

static YR_MEMORY_BLOCK *
it_first(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct worker *w = it->context;
	const struct job *j = w->job;

	it->last_error = ERROR_SUCCESS;
	if (j->tg->header != NULL && j->base > 0) {
		w->block.size = j->tg->header_len < j->base ?
		    j->tg->header_len : (size_t)j->base;
		w->block.base = 0;
		w->block.context = w;
		w->block.fetch_data = header_fetch;
		w->stage = 1;
		return &w->block;
	}
	return it_main(it);
}

static YR_MEMORY_BLOCK *
it_next(YR_MEMORY_BLOCK_ITERATOR *it)
{
	struct worker *w = it->context;

	it->last_error = ERROR_SUCCESS;
	if (w->stage == 1)
		return it_main(it);
	return NULL;
}

static uint64_t
it_size(YR_MEMORY_BLOCK_ITERATOR *it)
{
	return ((struct worker *)it->context)->job->total;
}

/*
 * libyara 4.2.3 allocates YR_MATCH records at 4-byte aligned addresses
 * in its arenas, so they are copied into an aligned one before any field
 * is read (yr_string_matches_foreach would read them in place).  m points
 * at the copy; private matches are skipped as the library's macro does.
 */
#define MATCHES_FOREACH(ctx, str, m, cur, p)				\
	for ((p) = (ctx)->matches[(str)->idx].head;			\
	    (p) != NULL && (memcpy(&(cur), (p), sizeof(cur)), (m) = &(cur), 1); \
	    (p) = (cur).next)						\
		if ((cur).is_private)					\
			continue;					\
		else

/* One match listed in a detection, copied out of the block's scan. */
struct ymatch {
	const YR_STRING *str;
	uint64_t offset, length;
	char *data;		/* with SP_SCAN_STRINGS */
	size_t data_len;
};

/*
 * A rule's matches in one target, gathered over its blocks: the first
 * address, the count, and the first MAX_LISTED_MATCHES in the order of
 * the rule's strings and then of offsets, as one block lists them.
 */
struct sp_yhit {
	struct sp_yhit *next;
	const YR_RULE *rule;
	uint64_t first, total;
	struct ymatch *m;
	size_t n, cap;
	int keep_data;		/* SP_SCAN_STRINGS */
};

static void
yhits_free(struct sp_yhit *h)
{
	struct sp_yhit *next;
	size_t i;

	for (; h != NULL; h = next) {
		next = h->next;
		for (i = 0; i < h->n; i++)
			free(h->m[i].data);
		free(h->m);
		free(h);
	}
}

static int
cmp_ymatch(const void *a, const void *b)
{
	const struct ymatch *x = a, *y = b;

	if (x->str->idx != y->str->idx)
		return x->str->idx < y->str->idx ? -1 : 1;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Keep the first MAX_LISTED_MATCHES of h's matches. */
static void
yhit_trim(struct sp_yhit *h)
{
	size_t i;

	if (h->n == 0)
		return;
	qsort(h->m, h->n, sizeof(*h->m), cmp_ymatch);
	for (i = MAX_LISTED_MATCHES; i < h->n; i++)
		free(h->m[i].data);
	if (h->n > MAX_LISTED_MATCHES)
		h->n = MAX_LISTED_MATCHES;
}

static int
yhit_add(struct sp_yhit *h, const YR_STRING *str, uint64_t offset,
    const YR_MATCH *m, int keep_data)
{
	struct ymatch *x;
	size_t cap;

	if (h->n == 2 * MAX_LISTED_MATCHES)
		yhit_trim(h);
	if (h->n == h->cap) {
		cap = h->cap ? h->cap * 2 : 8;
		if ((x = realloc(h->m, cap * sizeof(*x))) == NULL)
			return -1;
		h->m = x;
		h->cap = cap;
	}
	x = &h->m[h->n];
	memset(x, 0, sizeof(*x));
	x->str = str;
	x->offset = offset;
	x->length = (uint64_t)m->match_length;
	if (keep_data && m->data_length > 0) {
		x->data_len = (size_t)m->data_length > MAX_MATCH_DATA ?
		    MAX_MATCH_DATA : (size_t)m->data_length;
		if ((x->data = malloc(x->data_len)) == NULL)
			return -1;
		memcpy(x->data, m->data, x->data_len);
	}
	h->n++;
	return 0;
}

static void
yara_extra(struct sp_json *w, void *arg)
{
	struct sp_yhit *h = arg;
	const YR_RULE *rule = h->rule;
	const YR_META *meta;
	const char *tag;
	size_t i;

	sp_json_kv_str(w, "rule", rule->identifier);
	sp_json_key(w, "tags");
	sp_json_array_begin(w);
	yr_rule_tags_foreach(rule, tag)
		sp_json_str(w, tag);
	sp_json_array_end(w);
	sp_json_key(w, "meta");
	sp_json_object_begin(w);
	yr_rule_metas_foreach(rule, meta) {
		sp_json_key(w, meta->identifier);
		if (meta->type == META_TYPE_INTEGER)
			sp_json_int(w, meta->integer);
		else if (meta->type == META_TYPE_BOOLEAN)
			sp_json_bool(w, meta->integer != 0);
		else
			sp_json_str(w, meta->string);
	}
	sp_json_object_end(w);
	sp_json_kv_uint(w, "address", h->first);
	sp_json_kv_uint(w, "string_matches", h->total);
	sp_json_key(w, "strings");
	sp_json_array_begin(w);
	for (i = 0; i < h->n; i++) {
		const struct ymatch *x = &h->m[i];
		sp_json_object_begin(w);
		sp_json_kv_str(w, "id", x->str->identifier);
		sp_json_kv_uint(w, "offset", x->offset);
		sp_json_kv_uint(w, "length", x->length);
		if (h->keep_data) {
			sp_json_key(w, "data");
			sp_json_strn(w, x->data != NULL ? x->data : "",
			    x->data_len);
		}
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
}

static const char *
meta_string(const YR_RULE *rule, const char *a, const char *b)
{
	const YR_META *meta;

	yr_rule_metas_foreach(rule, meta) {
		if (meta->type != META_TYPE_STRING)
			continue;
		if (strcmp(meta->identifier, a) == 0 ||
		    (b != NULL && strcmp(meta->identifier, b) == 0))
			return meta->string;
	}
	return NULL;
}

static int
meta_score(const YR_RULE *rule)
{
	const YR_META *meta;

	yr_rule_metas_foreach(rule, meta)
		if (meta->type == META_TYPE_INTEGER &&
		    strcmp(meta->identifier, "score") == 0)
			return meta->integer < 0 ? 0 : meta->integer > 100 ?
			    100 : (int)meta->integer;
	return -1;
}

/*
 * Rule rule matched in w's block: its matches there join the rule's in
 * the target, reported when the target is done (yhits_flush).
 */
static int
on_rule(struct worker *w, YR_SCAN_CONTEXT *ctx, const YR_RULE *rule)
{
	struct sp_scan *s = w->s;
	const struct job *job = w->job;
	struct sp_starget *tg = job->tg;
	struct sp_yhit *h, **hp;
	const YR_STRING *str;
	const YR_MATCH *m, *p;
	YR_MATCH cur;
	uint64_t abs, first = UINT64_MAX, total = 0;
	unsigned any = 0, listed = 0;
	int rc = CALLBACK_CONTINUE;

	yr_rule_strings_foreach(rule, str) {
		MATCHES_FOREACH(ctx, str, m, cur, p) {
			any++;
			abs = (uint64_t)m->base + (uint64_t)m->offset;
			if (abs < job->keep_start || abs >= job->keep_end)
				continue;
			total++;
			abs = job->addr + (abs - job->base);
			if (abs < first)
				first = abs;
		}
	}
	/* matches only in the overlap: the next block reports them */
	if (any > 0 && total == 0)
		return CALLBACK_CONTINUE;
	/* a rule without string matches: once per target */
	if (any == 0 && !job->first)
		return CALLBACK_CONTINUE;
	if (first == UINT64_MAX)
		first = job->addr;
	pthread_mutex_lock(&s->lock);
	if (sp_scan_stopped(s)) {
		pthread_mutex_unlock(&s->lock);
		return CALLBACK_ABORT;
	}
	/* the target's rules in the order of the compiled rules */
	for (hp = &tg->yhits; (h = *hp) != NULL &&
	    (uintptr_t)h->rule < (uintptr_t)rule; hp = &h->next)
		;
	if (h == NULL || h->rule != rule) {
		if ((h = calloc(1, sizeof(*h))) == NULL) {
			pthread_mutex_unlock(&s->lock);
			return CALLBACK_ERROR;
		}
		h->rule = rule;
		h->first = UINT64_MAX;
		h->keep_data = (s->o.flags & SP_SCAN_STRINGS) != 0;
		h->next = *hp;
		*hp = h;
	}
	h->total += total;
	if (first < h->first)
		h->first = first;
	yr_rule_strings_foreach(rule, str) {
		MATCHES_FOREACH(ctx, str, m, cur, p) {
			abs = (uint64_t)m->base + (uint64_t)m->offset;
			if (abs < job->keep_start || abs >= job->keep_end)
				continue;
			if (listed++ >= MAX_LISTED_MATCHES)
				break;
			if (yhit_add(h, str, job->addr + (abs - job->base), m,
			    h->keep_data) != 0) {
				rc = CALLBACK_ERROR;
				break;
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Called with s->lock held: parent's image reported rule at address. */
static void
carved_add(struct sp_starget *parent, const YR_RULE *rule, uint64_t address)
{
	struct sp_carved *c;
	size_t cap;

	if (parent->ncarved == parent->capcarved) {
		cap = parent->capcarved ? parent->capcarved * 2 : 8;
		if ((c = realloc(parent->carved, cap * sizeof(*c))) == NULL)
			return;		/* at worst reported twice */
		parent->carved = c;
		parent->capcarved = cap;
	}
	parent->carved[parent->ncarved].rule = rule;
	parent->carved[parent->ncarved].address = address;
	parent->ncarved++;
}

/* Called with s->lock held: h as one detection of target t. */
static int
yhit_emit(struct sp_scan *s, struct sp_starget *t, struct sp_yhit *h)
{
	const YR_RULE *rule = h->rule;
	struct sp_detection d;
	enum sp_severity sev;
	char *json, label[1024];
	size_t i;
	int score, r;

	/*
	 * A range reports a rule at an address only when no image carved
	 * from it did; an image tells its range what it reported.
	 */
	for (i = 0; i < t->ncarved; i++)
		if (t->carved[i].rule == rule &&
		    t->carved[i].address == h->first)
			return SP_CB_CONTINUE;
	if (t->parent != NULL)
		carved_add(t->parent, rule, h->first);
	yhit_trim(h);
	memset(&d, 0, sizeof(d));
	/*
	 * A rule gives a severity, a score or both: without a score, the
	 * severity's; without a known severity, the score's (75, medium,
	 * when it gives neither)
	 */
	score = meta_score(rule);
	if (sp_severity_parse(meta_string(rule, "severity", NULL), &sev) ==
	    SP_OK) {
		if (score < 0)
			score = sp_severity_score(sev);
	} else {
		if (score < 0)
			score = 75;
		sev = sp_severity_of_score(score);
	}
	d.type = "yara";
	d.name = rule->identifier;
	d.ns = rule->ns != NULL ? rule->ns->name : NULL;
	d.severity = sev;
	d.score = score;
	d.technique = meta_string(rule, "attack", "technique");
	d.reason = meta_string(rule, "description", NULL);
	d.address = h->first;
	if (sp_detection_build(&d, &t->t, yara_extra, h, &json) != 0) {
		sp_scan_target_label(&t->t, label, sizeof(label));
		sp_run_problem(s->run, label, SP_E_NOMEM, "detection of rule "
		    "%s lost: out of memory", rule->identifier);
		s->stats_partial++;
		return SP_CB_CONTINUE;
	}
	r = sp_scan_emit_locked(s, t, &d);
	free(json);
	return r;
}

/*
 * Every block of t has been scanned: one detection per rule that matched
 * in any of them.
 */
static void
yhits_flush(struct sp_starget *t)
{
	struct sp_scan *s = t->scan;
	struct sp_yhit *h;
	int r = SP_CB_CONTINUE;

	if (s == NULL || t->yhits == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	for (h = t->yhits; h != NULL && r == SP_CB_CONTINUE; h = h->next)
		r = yhit_emit(s, t, h);
	yhits_free(t->yhits);
	t->yhits = NULL;
	pthread_mutex_unlock(&s->lock);
}

static int
yara_callback(YR_SCAN_CONTEXT *ctx, int message, void *data, void *arg)
{
	struct worker *w = arg;

	switch (message) {
	case CALLBACK_MSG_RULE_MATCHING:
		return on_rule(w, ctx, data);
	case CALLBACK_MSG_TOO_MANY_MATCHES:
		return CALLBACK_CONTINUE;	/* drop that string, go on */
	default:
		return CALLBACK_CONTINUE;
	}
}

static void
set_externals(struct worker *w, const struct sp_starget *t)
{
	const char *v[SP_SCAN_NEXTERNALS];
	size_t i;

	v[0] = t->ext_name;
	v[1] = t->t.path != NULL ? t->t.path : "";
	v[2] = t->ext_extension;
	v[3] = t->ext_filetype;
	v[4] = t->ext_owner;
	for (i = 0; i < SP_SCAN_NEXTERNALS; i++)
		(void)yr_scanner_define_string_variable(w->scanner,
		    sp_scan_externals[i], v[i] != NULL ? v[i] : "");
}

static void
scan_job(struct worker *w, const struct job *job)
{
	struct sp_scan *s = w->s;
	YR_MEMORY_BLOCK_ITERATOR it;
	char label[1024];
	int rc;

	w->job = job;
	set_externals(w, job->tg);
	memset(&it, 0, sizeof(it));
	it.context = w;
	it.first = it_first;
	it.next = it_next;
	it.file_size = it_size;
	rc = yr_scanner_scan_mem_blocks(w->scanner, &it);
	if (rc == ERROR_SUCCESS)
		return;
	sp_scan_target_label(&job->tg->t, label, sizeof(label));
	pthread_mutex_lock(&s->lock);
	if (rc == ERROR_SCAN_TIMEOUT) {
		const YR_RULE *r = yr_scanner_last_error_rule(w->scanner);
		sp_run_problem(s->run, label, SP_E_DATA, "YARA timed out at "
		    "offset %" PRIu64 "%s%s", job->base, r ? " in rule " : "",
		    r ? r->identifier : "");
	} else
		sp_run_problem(s->run, label, SP_E_INTERNAL, "YARA error %d "
		    "at offset %" PRIu64, rc, job->base);
	s->stats_partial++;
	pthread_mutex_unlock(&s->lock);
}

static void
job_free(struct job *j)
{
	free(j->buf);
	sp_starget_unref(j->tg);
	free(j);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct sp_scan *s = w->s;
	struct job *j;
	size_t len;

	for (;;) {
		pthread_mutex_lock(&s->qlock);
		while (s->qhead == NULL && !s->qdone)
			pthread_cond_wait(&s->qnonempty, &s->qlock);
		if ((j = s->qhead) == NULL) {
			pthread_mutex_unlock(&s->qlock);
			break;
		}
		s->qhead = j->next;
		if (s->qhead == NULL)
			s->qtail = NULL;
		pthread_mutex_unlock(&s->qlock);
		if (sp_scan_check(s) == SP_CB_CONTINUE)
			scan_job(w, j);
		len = j->len;
		/* reported before it stops counting (sp_scan_drain) */
		job_free(j);
		pthread_mutex_lock(&s->qlock);
		s->qbytes -= len;
		s->qcount--;
		pthread_cond_broadcast(&s->qspace);
		pthread_mutex_unlock(&s->qlock);
	}
	return NULL;
}

/*
 * Queue buf (len bytes, taken over) of target t for YARA.  base is the
 * offset or address of buf[0]; matches at keep_end or later are left to
 * the next block.  Blocks while too many bytes are waiting.
 */
int
sp_scan_enqueue(struct sp_scan *s, struct sp_starget *t, unsigned char *buf,
    size_t len, uint64_t base, uint64_t addr, uint64_t total,
    uint64_t keep_start, uint64_t keep_end, int first)
{
	struct job *j;

	if (s->nworkers == 0) {
		free(buf);
		return SP_OK;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		free(buf);
		return SP_E_NOMEM;
	}
	sp_starget_ref(t);
	j->tg = t;
	j->buf = buf;
	j->len = len;
	j->base = base;
	j->addr = addr;
	j->total = total;
	j->keep_start = keep_start;
	j->keep_end = keep_end;
	j->first = first;
	pthread_mutex_lock(&s->qlock);
	while (s->qcount > 0 && (s->qbytes + len > s->qmax ||
	    s->qcount >= s->qmaxcount))
		pthread_cond_wait(&s->qspace, &s->qlock);
	s->qbytes += len;
	s->qcount++;
	if (s->qtail != NULL)
		s->qtail->next = j;
	else
		s->qhead = j;
	s->qtail = j;
	pthread_cond_signal(&s->qnonempty);
	pthread_mutex_unlock(&s->qlock);
	s->stats.bytes_scanned += len;
	return SP_OK;
}

void
sp_scan_drain(struct sp_scan *s)
{
	if (s->nworkers == 0)
		return;
	pthread_mutex_lock(&s->qlock);
	while (s->qcount > 0)
		pthread_cond_wait(&s->qspace, &s->qlock);
	pthread_mutex_unlock(&s->qlock);
}

static void
stop_workers(struct sp_scan *s)
{
	unsigned i;

	pthread_mutex_lock(&s->qlock);
	s->qdone = 1;
	pthread_cond_broadcast(&s->qnonempty);
	pthread_mutex_unlock(&s->qlock);
	for (i = 0; i < s->nworkers; i++) {
		if (s->workers[i].started)
			pthread_join(s->workers[i].thread, NULL);
		s->workers[i].started = 0;
	}
}

int
sp_scan_new(struct sp_scan **sp, const struct sp_scan_options *o,
    struct sp_run *run, sp_detection_fn *fn, void *arg, struct sp_err *err)
{
	struct sp_scan *s;
	unsigned i, n;
	long cores;
	int rc;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "scan");
	s->o = *o;
	s->run = run;
	s->fn = fn;
	s->arg = arg;
	s->started = sp_time_now();
	s->source_time = SP_TIME_NONE;
	if (s->o.block_size < (1u << 16))
		s->o.block_size = 1u << 16;
	if (s->o.overlap >= s->o.block_size / 2)
		s->o.overlap = s->o.block_size / 2;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qnonempty, NULL);
	pthread_cond_init(&s->qspace, NULL);
	s->locks_ready = 1;
	if ((rc = case_prepare(s, err)) != SP_OK) {
		sp_scan_free(s);
		return rc;
	}
	if ((s->o.flags & SP_SCAN_NO_YARA) || s->o.rules == NULL) {
		s->o.flags |= SP_SCAN_NO_YARA;
		*sp = s;
		return SP_OK;
	}
	n = s->o.threads;
	if (n == 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		n = cores > 0 ? (unsigned)cores : 1;
	}
	if (n > 64)
		n = 64;
	/* bytes and blocks waiting: small files must not pile up either */
	s->qmax = (size_t)s->o.block_size * (n + 2);
	s->qmaxcount = 64 * (size_t)n;
	if ((s->workers = calloc(n, sizeof(*s->workers))) == NULL) {
		sp_scan_free(s);
		return sp_err_set(err, SP_E_NOMEM, 0, "scan");
	}
	for (i = 0; i < n; i++) {
		struct worker *w = &s->workers[i];
		w->s = s;
		if (yr_scanner_create(sp_rules_yara(s->o.rules), &w->scanner) !=
		    ERROR_SUCCESS) {
			sp_scan_free(s);
			return sp_err_set(err, SP_E_NOMEM, 0, "libyara scanner");
		}
		yr_scanner_set_callback(w->scanner, yara_callback, w);
		yr_scanner_set_flags(w->scanner, SCAN_FLAGS_REPORT_RULES_MATCHING);
		if (s->o.timeout > 0)
			yr_scanner_set_timeout(w->scanner, s->o.timeout);
		s->nworkers++;
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			sp_scan_free(s);
			return sp_err_set(err, SP_E_OS, errno, "thread");
		}
		w->started = 1;
	}
	*sp = s;
	return SP_OK;
}

static int
cmp_hits(const void *a, const void *b)
{
	const struct sp_starget *x = *(struct sp_starget *const *)a;
	const struct sp_starget *y = *(struct sp_starget *const *)b;

	return (y->combined > x->combined) - (y->combined < x->combined);
}

/* A hit target's combined score as one JSON object. */
static void
fill_score(struct sp_json *w, const void *arg)
{
	const struct sp_starget *t = arg;

	sp_json_object_begin(w);
	sp_json_kv_str(w, "type", "target");
	sp_json_kv_int(w, "score", t->combined);
	sp_json_kv_str(w, "severity",
	    sp_severity_name(sp_severity_of_score(t->combined)));
	sp_json_kv_uint(w, "detections", t->nscores);
	sp_scan_target_json(w, &t->t);
	sp_json_object_end(w);
}

int
sp_scan_finish(struct sp_scan *s, sp_target_score_fn *fn, void *arg,
    struct sp_err *err)
{
	char label[1024], *json;
	size_t i;
	int r = SP_CB_CONTINUE;

	stop_workers(s);
	for (i = 0; i < s->nhits; i++)
		s->hits[i]->combined = sp_score_combine(s->hits[i]->scores,
		    s->hits[i]->nscores);
	if (s->nhits > 1)
		qsort(s->hits, s->nhits, sizeof(*s->hits), cmp_hits);
	for (i = 0; fn != NULL && i < s->nhits && r == SP_CB_CONTINUE; i++) {
		struct sp_starget *t = s->hits[i];
		sp_scan_target_label(&t->t, label, sizeof(label));
		if ((json = sp_json_to_string(fill_score, t)) == NULL)
			continue;
		r = fn(label, t->combined, (unsigned)t->nscores, json, arg);
		free(json);
	}
	case_close(s);
	if (r > 0)
		return sp_err_callback(err, r, "target score");
	return sp_scan_result(s, SP_OK, err);
}

const struct sp_scan_stats *
sp_scan_stats(const struct sp_scan *s)
{
	return &s->stats;
}

void
sp_scan_free(struct sp_scan *s)
{
	struct job *j;
	size_t i;

	if (s == NULL)
		return;
	if (s->locks_ready) {
		stop_workers(s);
		while ((j = s->qhead) != NULL) {
			s->qhead = j->next;
			job_free(j);
		}
	}
	for (i = 0; i < s->nworkers; i++)
		if (s->workers[i].scanner != NULL)
			yr_scanner_destroy(s->workers[i].scanner);
	free(s->workers);
	case_close(s);
	for (i = 0; i < s->nhits; i++)
		starget_drop(s->hits[i]);
	free(s->hits);
	if (s->locks_ready) {
		pthread_mutex_destroy(&s->lock);
		pthread_mutex_destroy(&s->qlock);
		pthread_cond_destroy(&s->qnonempty);
		pthread_cond_destroy(&s->qspace);
	}
	free(s);
}

static void
human_bytes(uint64_t n, char *buf, size_t size)
{
	const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%" PRIu64 " B", n);
	else
		snprintf(buf, size, "%.1f %s", v, u[i]);
}

void
sp_scan_summary(const struct sp_scan *s, char *buf, size_t size)
{
	const struct sp_scan_stats *t = &s->stats;
	char bytes[32];
	size_t n;

	human_bytes(t->bytes_scanned, bytes, sizeof(bytes));
	n = (size_t)snprintf(buf, size, "%" PRIu64 " detection%s in %" PRIu64
	    " target%s", t->detections, t->detections == 1 ? "" : "s",
	    t->targets_hit, t->targets_hit == 1 ? "" : "s");
	if (t->already_known > 0 && n < size)
		n += (size_t)snprintf(buf + n, size - n, " (%" PRIu64
		    " already in the case)", t->already_known);
	if (n < size)
		n += (size_t)snprintf(buf + n, size - n, "; %" PRIu64 " of %"
		    PRIu64 " files scanned (%s)", t->files_scanned,
		    t->files_seen, bytes);
#define PART(cond, ...) do { \
	if ((cond) && n < size) \
		n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); \
} while (0)
	PART(t->targets_skipped, ", %" PRIu64 " target%s skipped (not a "
	    "file, directory or block device)", t->targets_skipped,
	    t->targets_skipped == 1 ? "" : "s");
	PART(t->memory_ranges, ", %" PRIu64 " memory ranges", t->memory_ranges);
	PART(t->memory_images, ", %" PRIu64 " executable image%s in memory",
	    t->memory_images, t->memory_images == 1 ? "" : "s");
	PART(t->processes, ", %" PRIu64 " processes (%" PRIu64 " regions, %"
	    PRIu64 " skipped)", t->processes, t->regions, t->regions_skipped);
	PART(t->processes_no_memory, ", %" PRIu64 " process%s without memory "
	    "(kernel threads, zombies)", t->processes_no_memory,
	    t->processes_no_memory == 1 ? "" : "es");
	PART(t->known_good, "; skipped: %" PRIu64 " known-good", t->known_good);
	PART(t->package_verified, ", %" PRIu64 " package-verified",
	    t->package_verified);
	PART(t->too_big, ", %" PRIu64 " too big", t->too_big);
	PART(t->excluded, ", %" PRIu64 " excluded", t->excluded);
	PART(t->out_of_window, ", %" PRIu64 " outside the time window",
	    t->out_of_window);
	PART(t->unreadable, ", %" PRIu64 " unreadable", t->unreadable);
	PART(t->unrecoverable, ", %" PRIu64 " deleted and unrecoverable",
	    t->unrecoverable);
	PART(t->process_capped, ", %" PRIu64 " processes cut at the size cap",
	    t->process_capped);
	PART(t->unreadable_pages, ", %" PRIu64 " unreadable pages",
	    t->unreadable_pages);
#undef PART
}
